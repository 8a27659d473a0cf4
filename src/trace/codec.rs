//! The integer encodings of the trace format: LEB128 unsigned varints and zigzag-mapped
//! signed varints (see `docs/trace.md`).

/// Appends `v` as an unsigned LEB128 varint: 7 bits per byte, least significant group first,
/// the high bit set on every byte but the last (1 to 10 bytes).
#[inline]
pub fn put_uvarint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push(v as u8 | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

/// Maps a signed value to an unsigned one so that small magnitudes stay small:
/// 0, -1, 1, -2, 2... become 0, 1, 2, 3, 4...
#[inline]
pub const fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// The inverse of [`zigzag`].
#[inline]
pub const fn unzigzag(v: u64) -> i64 {
    (v >> 1) as i64 ^ -((v & 1) as i64)
}

/// Appends `v` zigzag-mapped as an unsigned varint.
#[inline]
pub fn put_svarint(buf: &mut Vec<u8>, v: i64) {
    put_uvarint(buf, zigzag(v));
}

/// Why bytes do not decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarintError {
    /// The input ended inside the varint.
    Truncated,
    /// More than 10 bytes, or a 10th byte above 1: not a 64-bit value.
    Overflow,
}

/// Decodes an unsigned varint from the front of `bytes`: the value and the bytes it took.
#[inline]
pub fn get_uvarint(bytes: &[u8]) -> Result<(u64, usize), VarintError> {
    let mut v = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        if i == 9 && b > 1 {
            return Err(VarintError::Overflow);
        }
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Ok((v, i + 1));
        }
    }
    if bytes.len() >= 10 {
        Err(VarintError::Overflow)
    } else {
        Err(VarintError::Truncated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: u64) -> Vec<u8> {
        let mut b = Vec::new();
        put_uvarint(&mut b, v);
        b
    }

    #[test]
    fn uvarint_bytes() {
        assert_eq!(enc(0), [0x00]);
        assert_eq!(enc(1), [0x01]);
        assert_eq!(enc(127), [0x7f]);
        assert_eq!(enc(128), [0x80, 0x01]);
        assert_eq!(enc(300), [0xac, 0x02]);
        assert_eq!(enc(u64::MAX).len(), 10);
        assert_eq!(*enc(u64::MAX).last().unwrap(), 0x01);
    }

    #[test]
    fn uvarint_round_trips() {
        let mut values = vec![
            0,
            1,
            127,
            128,
            16383,
            16384,
            u64::MAX,
            u64::MAX - 1,
            1 << 63,
        ];
        values.extend((0..64).map(|s| 1u64 << s));
        values.extend((0..64).map(|s| (1u64 << s) - 1));
        for v in values {
            let b = enc(v);
            assert_eq!(get_uvarint(&b), Ok((v, b.len())), "{v:#x}");
            // Trailing bytes are not consumed.
            let mut more = b.clone();
            more.push(0x55);
            assert_eq!(get_uvarint(&more), Ok((v, b.len())));
        }
    }

    #[test]
    fn zigzag_maps_small_magnitudes_to_small_values() {
        assert_eq!(zigzag(0), 0);
        assert_eq!(zigzag(-1), 1);
        assert_eq!(zigzag(1), 2);
        assert_eq!(zigzag(-2), 3);
        assert_eq!(zigzag(i64::MAX), u64::MAX - 1);
        assert_eq!(zigzag(i64::MIN), u64::MAX);
        for v in [
            0,
            1,
            -1,
            63,
            -64,
            64,
            -65,
            i64::MAX,
            i64::MIN,
            0x1234_5678,
            -0x1234_5678,
        ] {
            assert_eq!(unzigzag(zigzag(v)), v);
            let mut b = Vec::new();
            put_svarint(&mut b, v);
            assert_eq!(unzigzag(get_uvarint(&b).unwrap().0), v);
        }
        let mut b = Vec::new();
        put_svarint(&mut b, -64);
        assert_eq!(b, [0x7f]);
    }

    #[test]
    fn malformed_varints_are_errors() {
        assert_eq!(get_uvarint(&[]), Err(VarintError::Truncated));
        assert_eq!(get_uvarint(&[0x80, 0x80]), Err(VarintError::Truncated));
        assert_eq!(get_uvarint(&[0xff; 10]), Err(VarintError::Overflow));
        assert_eq!(get_uvarint(&[0xff; 11]), Err(VarintError::Overflow));
        let mut eleven_bits_too_many = vec![0xff; 9];
        eleven_bits_too_many.push(0x02);
        assert_eq!(
            get_uvarint(&eleven_bits_too_many),
            Err(VarintError::Overflow)
        );
    }
}
