//! The folded-stack format flamegraph tools read (flamegraph.pl, inferno, speedscope): one
//! line per stack, `outer;...;inner count`, sorted so identical runs give identical files.

use super::Profile;
use std::collections::BTreeMap;

/// The folded lines of `profile`. Stacks whose names are the same (two local functions of
/// one name) are one line.
pub fn encode(profile: &Profile) -> String {
    let mut lines: BTreeMap<String, u64> = BTreeMap::new();
    for (path, count) in profile.stacks() {
        let frames: Vec<String> = path.iter().map(|&f| frame(&profile.name(f))).collect();
        *lines.entry(frames.join(";")).or_default() += count;
    }
    let mut out = String::new();
    for (stack, count) in lines {
        out.push_str(&stack);
        out.push(' ');
        out.push_str(&count.to_string());
        out.push('\n');
    }
    out
}

/// A name as one frame: `;` separates frames and a line ends the stack, so neither may
/// appear in it (Rust names can hold `;`, as in `[u8; 4]`).
fn frame(name: &str) -> String {
    name.replace(';', ":").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::frame;

    #[test]
    fn names_cannot_split_frames_or_lines() {
        assert_eq!(frame("<[u8; 4] as Foo>::bar"), "<[u8: 4] as Foo>::bar");
        assert_eq!(frame("a\nb"), "a b");
        assert_eq!(frame("main.main"), "main.main");
    }
}
