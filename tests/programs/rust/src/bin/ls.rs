//! Recursive directory listing of argv[1] with std::fs, in the same format as the C guest
//! ls.c: names sorted bytewise, type, and for regular files size and an FNV-1a hash.
//! Directory sizes, modes and times are left out: they depend on the host file system.
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

fn walk(root: &Path, rel: &str, files: &mut u32, bytes: &mut u64) {
    let mut names: Vec<_> = match fs::read_dir(root) {
        Ok(rd) => rd.map(|e| e.unwrap().file_name()).collect(),
        Err(_) => {
            println!("cannot open {}", if rel.is_empty() { "." } else { rel });
            return;
        }
    };
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    for name in names {
        let path = root.join(&name);
        let relpath = if rel.is_empty() {
            name.to_string_lossy().into_owned()
        } else {
            format!("{rel}/{}", name.to_string_lossy())
        };
        let Ok(meta) = fs::symlink_metadata(&path) else {
            println!("?  {relpath} (lstat failed)");
            continue;
        };
        let ft = meta.file_type();
        if ft.is_dir() {
            println!("d  {relpath}/");
            walk(&path, &relpath, files, bytes);
        } else if ft.is_file() {
            let data = fs::read(&path).unwrap_or_default();
            let h = data.iter().fold(0xcbf29ce484222325u64, |h, &b| {
                (h ^ b as u64).wrapping_mul(0x100000001b3)
            });
            println!("f  {relpath} {} {h:016x}", meta.len());
            *files += 1;
            *bytes += meta.len();
        } else if ft.is_symlink() {
            println!("l  {relpath}");
        } else {
            println!("o  {relpath}");
        }
    }
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: ls DIR");
    let (mut files, mut bytes) = (0, 0);
    walk(Path::new(&dir), "", &mut files, &mut bytes);
    println!("{files} files, {bytes} bytes");
}
