//! pprof's format: a gzipped `perftools.profiles.Profile` protocol buffer (profile.proto),
//! as `go tool pprof` and other pprof readers take it.
//!
//! One sample per call stack, valued in instructions; one location per function (its
//! start address) with one line naming the function. The one mapping, the program, says its
//! functions are already known so that readers do not try to symbolise it.

use super::Profile;
use super::functions::{FuncId, FuncKind};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::collections::{BTreeSet, HashMap};
use std::io::Write;

/// Field numbers of profile.proto.
mod field {
    // Profile
    pub const SAMPLE_TYPE: u32 = 1;
    pub const SAMPLE: u32 = 2;
    pub const MAPPING: u32 = 3;
    pub const LOCATION: u32 = 4;
    pub const FUNCTION: u32 = 5;
    pub const STRING_TABLE: u32 = 6;
    pub const PERIOD_TYPE: u32 = 11;
    pub const PERIOD: u32 = 12;
    // ValueType
    pub const TYPE: u32 = 1;
    pub const UNIT: u32 = 2;
    // Sample
    pub const LOCATION_ID: u32 = 1;
    pub const VALUE: u32 = 2;
    // Mapping (ID as below)
    pub const MEMORY_START: u32 = 2;
    pub const MEMORY_LIMIT: u32 = 3;
    pub const FILENAME: u32 = 5;
    pub const HAS_FUNCTIONS: u32 = 7;
    // Location
    pub const ID: u32 = 1;
    pub const MAPPING_ID: u32 = 2;
    pub const ADDRESS: u32 = 3;
    pub const LINE: u32 = 4;
    // Line
    pub const FUNCTION_ID: u32 = 1;
    // Function (ID as above)
    pub const NAME: u32 = 2;
    pub const SYSTEM_NAME: u32 = 3;
}

/// The gzipped profile.proto of `profile`.
pub fn encode(profile: &Profile) -> Vec<u8> {
    let mut strings = Strings::default();
    let mut body = Message::default();
    let value_type = |strings: &mut Strings| {
        let mut m = Message::default();
        m.uint(field::TYPE, strings.id("instructions"));
        m.uint(field::UNIT, strings.id("count"));
        m
    };
    body.message(field::SAMPLE_TYPE, &value_type(&mut strings));

    let mut used = BTreeSet::new();
    for (path, count) in profile.stacks() {
        let mut sample = Message::default();
        // Innermost frame first.
        sample.packed(field::LOCATION_ID, path.iter().rev().map(|&f| id(f)));
        sample.packed(field::VALUE, [count]);
        body.message(field::SAMPLE, &sample);
        used.extend(path);
    }
    // The program's mapping covers the functions the profile names.
    let (mut low, mut high) = (u64::MAX, 0);
    for &func in &used {
        if let FuncKind::Symbol { start, end, .. } = profile.kind(func) {
            low = low.min(*start);
            high = high.max(*end);
        }
    }
    let mut mapping = Message::default();
    mapping.uint(field::ID, PROGRAM_MAPPING);
    mapping.uint(field::MEMORY_START, low.min(high));
    mapping.uint(field::MEMORY_LIMIT, high);
    mapping.uint(field::FILENAME, strings.id(&profile.program));
    mapping.uint(field::HAS_FUNCTIONS, 1);
    body.message(field::MAPPING, &mapping);
    for &func in &used {
        let mut line = Message::default();
        line.uint(field::FUNCTION_ID, id(func));
        let mut location = Message::default();
        location.uint(field::ID, id(func));
        if let FuncKind::Symbol { start, .. } = profile.kind(func) {
            location.uint(field::MAPPING_ID, PROGRAM_MAPPING);
            location.uint(field::ADDRESS, *start);
        }
        location.message(field::LINE, &line);
        body.message(field::LOCATION, &location);
    }
    for &func in &used {
        let name = strings.id(&profile.name(func));
        let mut function = Message::default();
        function.uint(field::ID, id(func));
        function.uint(field::NAME, name);
        function.uint(field::SYSTEM_NAME, name);
        body.message(field::FUNCTION, &function);
    }
    body.message(field::PERIOD_TYPE, &value_type(&mut strings));
    body.uint(field::PERIOD, 1);
    for s in &strings.table {
        body.bytes(field::STRING_TABLE, s.as_bytes());
    }

    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(&body.0).expect("writing to memory");
    gz.finish().expect("writing to memory")
}

const PROGRAM_MAPPING: u64 = 1;

/// Location and function ids start at 1 (0 means none).
fn id(func: FuncId) -> u64 {
    u64::from(func) + 1
}

/// The string table: index 0 is the empty string.
struct Strings {
    table: Vec<String>,
    index: HashMap<String, u64>,
}

impl Default for Strings {
    fn default() -> Self {
        Strings {
            table: vec![String::new()],
            index: HashMap::from([(String::new(), 0)]),
        }
    }
}

impl Strings {
    fn id(&mut self, s: &str) -> u64 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.table.len() as u64;
        self.table.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

/// An encoded protocol buffer message.
#[derive(Default)]
struct Message(Vec<u8>);

const VARINT: u32 = 0;
const LEN: u32 = 2;

impl Message {
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    fn key(&mut self, field: u32, wire: u32) {
        self.varint(u64::from(field << 3 | wire));
    }

    /// An integer field; zero is the default and is left out.
    fn uint(&mut self, field: u32, v: u64) {
        if v != 0 {
            self.key(field, VARINT);
            self.varint(v);
        }
    }

    fn bytes(&mut self, field: u32, b: &[u8]) {
        self.key(field, LEN);
        self.varint(b.len() as u64);
        self.0.extend_from_slice(b);
    }

    fn message(&mut self, field: u32, m: &Message) {
        self.bytes(field, &m.0);
    }

    /// A packed repeated integer field.
    fn packed(&mut self, field: u32, values: impl IntoIterator<Item = u64>) {
        let mut p = Message::default();
        for v in values {
            p.varint(v);
        }
        self.bytes(field, &p.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_fields_encode_as_protobuf_does() {
        let mut m = Message::default();
        m.uint(1, 150);
        assert_eq!(m.0, [0x08, 0x96, 0x01]);
        let mut m = Message::default();
        m.uint(2, 0);
        assert!(m.0.is_empty(), "defaults are left out");
        m.bytes(6, b"ab");
        assert_eq!(m.0, [0x32, 2, b'a', b'b']);
        let mut m = Message::default();
        m.packed(1, [3, 270]);
        assert_eq!(m.0, [0x0a, 3, 3, 0x8e, 0x02]);
    }
}
