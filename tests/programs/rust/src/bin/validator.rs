//! Shaped like a stateless block validator (reth's): stat the JSON witness file given as
//! argv[1], read it whole, parse it with a small hand-written JSON parser, then compute over
//! it: Keccak-256 of every transaction (over a canonical re-serialisation), a root over those
//! hashes, big-integer sums of values and balances, sender lookups, witness digests. Prints
//! exactly the same report as the C guest validator.c.
use std::collections::BTreeSet;
use std::io::Read;

// ---------------- Keccak-256 (the Ethereum variant: pad byte 0x01) ----------------
const RC: [u64; 24] = [
    0x0000000000000001,
    0x0000000000008082,
    0x800000000000808a,
    0x8000000080008000,
    0x000000000000808b,
    0x0000000080000001,
    0x8000000080008081,
    0x8000000000008009,
    0x000000000000008a,
    0x0000000000000088,
    0x0000000080008009,
    0x000000008000000a,
    0x000000008000808b,
    0x800000000000008b,
    0x8000000000008089,
    0x8000000000008003,
    0x8000000000008002,
    0x8000000000000080,
    0x000000000000800a,
    0x800000008000000a,
    0x8000000080008081,
    0x8000000000008080,
    0x0000000080000001,
    0x8000000080008008,
];
const ROTC: [u32; 24] = [
    1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44,
];
const PILN: [usize; 24] = [
    10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1,
];

fn keccakf(st: &mut [u64; 25]) {
    for rc in RC {
        let mut bc = [0u64; 5];
        for i in 0..5 {
            bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
        }
        for i in 0..5 {
            let t = bc[(i + 4) % 5] ^ bc[(i + 1) % 5].rotate_left(1);
            for j in (0..25).step_by(5) {
                st[j + i] ^= t;
            }
        }
        let mut t = st[1];
        for i in 0..24 {
            let j = PILN[i];
            let tmp = st[j];
            st[j] = t.rotate_left(ROTC[i]);
            t = tmp;
        }
        for j in (0..25).step_by(5) {
            bc.copy_from_slice(&st[j..j + 5]);
            for i in 0..5 {
                st[j + i] ^= !bc[(i + 1) % 5] & bc[(i + 2) % 5];
            }
        }
        st[0] ^= rc;
    }
}

fn keccak256(data: &[u8]) -> [u8; 32] {
    const RATE: usize = 136;
    let mut st = [0u64; 25];
    let mut chunks = data.chunks_exact(RATE);
    let absorb = |st: &mut [u64; 25], block: &[u8]| {
        for (i, w) in block.chunks_exact(8).enumerate() {
            st[i] ^= u64::from_le_bytes(w.try_into().unwrap());
        }
        keccakf(st);
    };
    for block in &mut chunks {
        absorb(&mut st, block);
    }
    let rest = chunks.remainder();
    let mut last = [0u8; RATE];
    last[..rest.len()].copy_from_slice(rest);
    last[rest.len()] ^= 0x01;
    last[RATE - 1] ^= 0x80;
    absorb(&mut st, &last);
    let mut out = [0u8; 32];
    for i in 0..32 {
        out[i] = (st[i / 8] >> (8 * (i % 8))) as u8;
    }
    out
}

fn hex(h: &[u8]) -> String {
    let mut s = String::from("0x");
    for b in h {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

// ---------------- JSON ----------------
enum Json {
    Null,
    Bool(bool),
    Num(String), // the lexeme, as written
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

type PResult<T> = Result<T, &'static str>;

impl<'a> Parser<'a> {
    fn ws(&mut self) {
        while self.pos < self.s.len() && matches!(self.s[self.pos], b' ' | b'\n' | b'\r' | b'\t') {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn hex4(&mut self) -> PResult<u32> {
        let digits = self.s.get(self.pos..self.pos + 4).ok_or("bad \\u escape")?;
        let text = std::str::from_utf8(digits).map_err(|_| "bad \\u escape")?;
        let v = u32::from_str_radix(text, 16).map_err(|_| "bad \\u escape")?;
        self.pos += 4;
        Ok(v)
    }

    fn string(&mut self) -> PResult<String> {
        self.pos += 1; // opening quote
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = self.peek().ok_or("unterminated string")?;
            self.pos += 1;
            match c {
                b'"' => break,
                0..=0x1f => return Err("control character in string"),
                b'\\' => {
                    let e = self.peek().ok_or("unterminated string")?;
                    self.pos += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let mut cp = self.hex4()?;
                            if (0xd800..0xdc00).contains(&cp) {
                                if self.s.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                    return Err("lone surrogate");
                                }
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&lo) {
                                    return Err("bad low surrogate");
                                }
                                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                            }
                            char::from_u32(cp).ok_or("lone low surrogate")?
                        }
                        _ => return Err("bad escape"),
                    };
                    let mut tmp = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                }
                _ => out.push(c),
            }
        }
        String::from_utf8(out).map_err(|_| "invalid UTF-8")
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> PResult<Json> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let first = self.peek();
        let n = self.digits();
        if n == 0 || (first == Some(b'0') && n > 1) {
            return Err("bad number");
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err("bad fraction");
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err("bad exponent");
            }
        }
        Ok(Json::Num(
            String::from_utf8(self.s[start..self.pos].to_vec()).unwrap(),
        ))
    }

    fn value(&mut self, depth: usize) -> PResult<Json> {
        if depth > 200 {
            return Err("nesting too deep");
        }
        self.ws();
        match self.peek().ok_or("unexpected end")? {
            b'{' | b'[' => self.container(depth),
            b'"' => Ok(Json::Str(self.string()?)),
            _ => {
                for (word, v) in [
                    ("null", Json::Null),
                    ("true", Json::Bool(true)),
                    ("false", Json::Bool(false)),
                ] {
                    if self.s[self.pos..].starts_with(word.as_bytes()) {
                        self.pos += word.len();
                        return Ok(v);
                    }
                }
                self.number()
            }
        }
    }

    fn container(&mut self, depth: usize) -> PResult<Json> {
        let is_obj = self.peek() == Some(b'{');
        let close = if is_obj { b'}' } else { b']' };
        self.pos += 1;
        let (mut items, mut fields) = (Vec::new(), Vec::new());
        self.ws();
        if self.peek() == Some(close) {
            self.pos += 1;
        } else {
            loop {
                if is_obj {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return Err("expected object key");
                    }
                    let key = self.string()?;
                    self.ws();
                    if self.peek() != Some(b':') {
                        return Err("expected ':'");
                    }
                    self.pos += 1;
                    fields.push((key, self.value(depth + 1)?));
                } else {
                    items.push(self.value(depth + 1)?);
                }
                self.ws();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(c) if c == close => {
                        self.pos += 1;
                        break;
                    }
                    _ => {
                        return Err(if is_obj {
                            "expected ',' or '}'"
                        } else {
                            "expected ',' or ']'"
                        });
                    }
                }
            }
        }
        Ok(if is_obj {
            Json::Obj(fields)
        } else {
            Json::Arr(items)
        })
    }
}

impl Json {
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }
    fn num(&self) -> i64 {
        match self {
            Json::Num(s) => s.parse().unwrap_or(-1),
            _ => -1,
        }
    }
    fn len(&self) -> usize {
        match self {
            Json::Arr(v) => v.len(),
            Json::Obj(v) => v.len(),
            _ => 0,
        }
    }
    fn items(&self) -> &[Json] {
        match self {
            Json::Arr(v) => v,
            _ => &[],
        }
    }
}

/// Canonical compact serialisation: keys in document order, numbers as their lexemes,
/// strings with only '"', '\\' and control characters escaped.
fn serialize_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for &c in s.as_bytes() {
        match c {
            b'"' | b'\\' => out.extend_from_slice(&[b'\\', c]),
            0..=0x1f => out.extend_from_slice(format!("\\u{c:04x}").as_bytes()),
            _ => out.push(c),
        }
    }
    out.push(b'"');
}

fn serialize(out: &mut Vec<u8>, j: &Json) {
    match j {
        Json::Null => out.extend_from_slice(b"null"),
        Json::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Json::Num(n) => out.extend_from_slice(n.as_bytes()),
        Json::Str(s) => serialize_str(out, s),
        Json::Arr(items) => {
            out.push(b'[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serialize(out, v);
            }
            out.push(b']');
        }
        Json::Obj(fields) => {
            out.push(b'{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serialize_str(out, k);
                out.push(b':');
                serialize(out, v);
            }
            out.push(b'}');
        }
    }
}

// ---------------- hex and big integers ----------------
fn hex_decode(j: &Json) -> Option<Vec<u8>> {
    let s = j.str()?.strip_prefix("0x")?;
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// 512-bit unsigned integer, little-endian 32-bit limbs.
#[derive(Default)]
struct U512([u32; 16]);

impl U512 {
    fn add_hex(&mut self, j: Option<&Json>) -> bool {
        let Some(digits) = j.and_then(Json::str).and_then(|s| s.strip_prefix("0x")) else {
            return false;
        };
        if digits.is_empty() || digits.len() > 128 {
            return false;
        }
        let mut v = [0u32; 16];
        for (k, c) in digits.bytes().rev().enumerate() {
            let Some(d) = (c as char).to_digit(16) else {
                return false;
            };
            v[k / 8] |= d << (4 * (k % 8));
        }
        let mut carry = 0u64;
        for (a, b) in self.0.iter_mut().zip(v) {
            let s = *a as u64 + b as u64 + carry;
            *a = s as u32;
            carry = s >> 32;
        }
        true
    }

    fn to_decimal(&self) -> String {
        let mut t = self.0;
        let mut chunks = Vec::new();
        loop {
            let mut rem = 0u64;
            for w in t.iter_mut().rev() {
                let cur = (rem << 32) | *w as u64;
                *w = (cur / 1_000_000_000) as u32;
                rem = cur % 1_000_000_000;
            }
            chunks.push(rem);
            if t.iter().all(|&w| w == 0) {
                break;
            }
        }
        let mut s = chunks.pop().unwrap().to_string();
        for c in chunks.iter().rev() {
            s.push_str(&format!("{c:09}"));
        }
        s
    }
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: validator BLOCK.json");
    let size = match std::fs::metadata(&path) {
        Ok(m) => m.len() as usize,
        Err(_) => {
            println!("cannot stat input");
            std::process::exit(1);
        }
    };
    let mut text = Vec::with_capacity(size);
    std::fs::File::open(&path)
        .and_then(|mut f| f.read_to_end(&mut text))
        .expect("cannot read input");
    println!("input: {} bytes (stat said {size})", text.len());

    let mut p = Parser { s: &text, pos: 0 };
    let doc = p.value(0).and_then(|d| {
        p.ws();
        if p.pos == text.len() {
            Ok(d)
        } else {
            Err("trailing data")
        }
    });
    let doc = match doc {
        Ok(d) => d,
        Err(e) => {
            println!("parse error at offset {}: {e}", p.pos);
            std::process::exit(1);
        }
    };
    let null = Json::Null;
    let block = doc.get("block").unwrap_or(&null);
    let header = block.get("header").unwrap_or(&null);
    println!("chain: {}", doc.get("chainId").map_or(-1, Json::num));
    println!("block: {}", header.get("number").map_or(-1, Json::num));
    if let Some(extra) = header.get("extraData").and_then(Json::str) {
        println!(
            "extraData: {} bytes, keccak {}",
            extra.len(),
            hex(&keccak256(extra.as_bytes()))
        );
    }

    let accounts = doc.get("accounts").unwrap_or(&null);
    let mut addrs = BTreeSet::new();
    let mut balance = U512::default();
    let mut slots = 0;
    for (i, a) in accounts.items().iter().enumerate() {
        addrs.insert(a.get("address").and_then(Json::str).unwrap_or(""));
        if !balance.add_hex(a.get("balance")) {
            println!("account {i}: bad balance");
        }
        slots += a.get("storage").map_or(0, Json::len);
    }

    let txs = block.get("transactions").unwrap_or(&null);
    let (mut creations, mut known, mut by_type, mut gas) = (0, 0, [0usize; 3], 0u64);
    let mut value = U512::default();
    let mut hashes = Vec::new();
    let mut ser = Vec::new();
    for (i, tx) in txs.items().iter().enumerate() {
        ser.clear();
        serialize(&mut ser, tx);
        let h = keccak256(&ser);
        hashes.extend_from_slice(&h);
        if i == 0 {
            println!("first tx hash: {}", hex(&h));
        }
        let t = tx.get("type").map_or(-1, Json::num);
        if (0..3).contains(&t) {
            by_type[t as usize] += 1;
        }
        if matches!(tx.get("to"), None | Some(Json::Null)) {
            creations += 1;
        }
        gas = gas.wrapping_add(tx.get("gas").map_or(-1, Json::num) as u64);
        if !value.add_hex(tx.get("value")) {
            println!("tx {i}: bad value");
        }
        if tx
            .get("from")
            .and_then(Json::str)
            .is_some_and(|f| addrs.contains(f))
        {
            known += 1;
        }
    }
    let ntx = txs.len();
    println!(
        "transactions: {ntx} (type0 {}, type1 {}, type2 {}), contract creations {creations}",
        by_type[0], by_type[1], by_type[2]
    );
    println!("tx root: {}", hex(&keccak256(&hashes)));
    println!("total value: {}", value.to_decimal());
    println!(
        "total gas limit: {gas} (block gasLimit {}, gasUsed {})",
        header.get("gasLimit").map_or(-1, Json::num),
        header.get("gasUsed").map_or(-1, Json::num)
    );
    println!("senders found in witness: {known}/{ntx}");
    println!("accounts: {}, storage slots {slots}", accounts.len());
    println!("total balance: {}", balance.to_decimal());

    let witness = doc.get("witness").unwrap_or(&null);
    for part in ["state", "codes", "headers"] {
        let arr = witness.get(part).unwrap_or(&null);
        let (mut total, mut acc) = (0, [0u8; 32]);
        for (i, item) in arr.items().iter().enumerate() {
            match hex_decode(item) {
                Some(bytes) => {
                    total += bytes.len();
                    for (a, b) in acc.iter_mut().zip(keccak256(&bytes)) {
                        *a ^= b;
                    }
                }
                None => println!("witness {part} {i}: bad hex"),
            }
        }
        println!(
            "witness {part}: {} items, {total} bytes, xor of hashes {}",
            arr.len(),
            hex(&acc)
        );
    }

    let meta = doc.get("meta").unwrap_or(&null);
    if let Some(note) = meta.get("note").and_then(Json::str) {
        println!(
            "meta.note: {} bytes, {} code points",
            note.len(),
            note.chars().count()
        );
    }
    let lexeme = |k| match meta.get(k) {
        Some(Json::Num(n)) => n.as_str(),
        _ => "-",
    };
    println!(
        "meta numbers: {} {} {}",
        lexeme("ratio"),
        lexeme("negative"),
        lexeme("exponent")
    );

    ser.clear();
    serialize(&mut ser, &doc);
    println!(
        "canonical document: {} bytes, keccak {}",
        ser.len(),
        hex(&keccak256(&ser))
    );
    println!("keccak(\"\"): {}", hex(&keccak256(b"")));
}
