//! File system round trip with std::fs inside the writable directory given as argv[1] (the
//! in-memory /tmp under rvrun, a fresh temporary directory under QEMU): create_dir, write,
//! read back, append, seek, set_len, rename, copy, read_dir, remove. Prints what it reads back
//! and the sizes metadata reports, never a path outside the directory.
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;

fn kind(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(2) => "ENOENT".into(),
        Some(17) => "EEXIST".into(),
        Some(39) => "ENOTEMPTY".into(),
        Some(21) => "EISDIR".into(),
        Some(20) => "ENOTDIR".into(),
        _ => format!("{:?}", e.kind()),
    }
}

fn res<T: std::fmt::Debug>(r: io::Result<T>) -> String {
    match r {
        Ok(v) => format!("ok {v:?}"),
        Err(e) => format!("error {}", kind(&e)),
    }
}

fn size(path: &str) -> String {
    match fs::metadata(path) {
        Ok(m) => format!("{}{}", m.len(), if m.is_dir() { " (dir)" } else { "" }),
        Err(e) => format!("error {}", kind(&e)),
    }
}

fn list(dir: &str) {
    let mut entries: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let m = e.metadata().unwrap();
            let name = e.file_name().into_string().unwrap();
            if m.is_dir() {
                format!("{name}/")
            } else {
                format!("{name}({})", m.len())
            }
        })
        .collect();
    entries.sort();
    println!("  listing of {dir}: {}", entries.join(" "));
}

fn main() -> io::Result<()> {
    let dir = std::env::args().nth(1).expect("usage: files DIR");
    std::env::set_current_dir(&dir)?;
    // From here on everything is relative to the given directory.
    println!("create_dir vfs: {}", res(fs::create_dir("vfs")));
    println!("create_dir vfs again: {}", res(fs::create_dir("vfs")));
    println!(
        "create_dir_all vfs/sub/deeper: {}",
        res(fs::create_dir_all("vfs/sub/deeper"))
    );

    let mut f = File::create("vfs/a.txt")?;
    for i in 0..100 {
        writeln!(f, "line {i:03}: the quick brown fox")?;
    }
    println!(
        "metadata via handle: {} is_file={}",
        f.metadata()?.len(),
        f.metadata()?.is_file()
    );
    drop(f);
    println!("size: {}", size("vfs/a.txt"));

    let text = fs::read_to_string("vfs/a.txt")?;
    println!(
        "read_to_string: {} lines, last {:?}",
        text.lines().count(),
        text.lines().last()
    );
    let mut f = File::open("vfs/a.txt")?;
    let mut buf = [0u8; 20];
    f.seek(SeekFrom::Start(2900))?;
    f.read_exact(&mut buf)?;
    println!("read at 2900: {:?}", String::from_utf8_lossy(&buf));
    println!("seek end: {}", f.seek(SeekFrom::End(0))?);
    println!("read at end: {}", f.read(&mut buf)?);
    let mut clone = f.try_clone()?; // dup: shares the offset
    f.seek(SeekFrom::Start(10))?;
    println!("offset via clone: {}", clone.stream_position()?);
    drop((f, clone));

    let mut f = OpenOptions::new().append(true).open("vfs/a.txt")?;
    f.write_all(b"appended\n")?;
    drop(f);
    println!("size after append: {}", size("vfs/a.txt"));

    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .open("vfs/a.txt")?;
    println!("write_at: {}", res(f.write_at(b"XYZ", 5)));
    let mut b12 = [0u8; 12];
    f.read_exact_at(&mut b12, 0)?;
    println!("read_at 0: {:?}", String::from_utf8_lossy(&b12));
    f.set_len(100)?;
    println!("set_len 100: {}", size("vfs/a.txt"));
    f.set_len(5000)?;
    let mut tail = [1u8; 10];
    f.read_exact_at(&mut tail, 4990)?;
    println!(
        "set_len 5000: {} tail zeros {}",
        size("vfs/a.txt"),
        tail.iter().all(|&b| b == 0)
    );
    drop(f);

    let data: Vec<u8> = (0..3usize << 20).map(|i| (i ^ (i >> 9)) as u8).collect();
    fs::write("vfs/sub/big.bin", &data)?;
    println!("big file size: {}", size("vfs/sub/big.bin"));
    let back = fs::read("vfs/sub/big.bin")?;
    let h = back.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    });
    println!(
        "big file read back {} bytes, equal {}, fnv {h:016x}",
        back.len(),
        back == data
    );
    println!(
        "create_new existing: {}",
        res(OpenOptions::new()
            .write(true)
            .create_new(true)
            .open("vfs/sub/big.bin")
            .map(|_| ()))
    );
    println!(
        "copy big.bin -> copy.bin: {}",
        res(fs::copy("vfs/sub/big.bin", "vfs/copy.bin"))
    );
    println!("copy equal: {}", fs::read("vfs/copy.bin")? == data);

    println!(
        "rename a.txt -> b.txt: {}",
        res(fs::rename("vfs/a.txt", "vfs/b.txt"))
    );
    println!("size a.txt: {}", size("vfs/a.txt"));
    println!("size b.txt: {}", size("vfs/b.txt"));
    fs::write("vfs/c.txt", "alpha 42\nbeta 3.25\ngamma end\n")?;
    for line in BufReader::new(File::open("vfs/c.txt")?).lines() {
        println!("line: {}", line?);
    }
    println!(
        "rename c.txt over b.txt: {}",
        res(fs::rename("vfs/c.txt", "vfs/b.txt"))
    );
    println!("size b.txt: {}", size("vfs/b.txt"));
    list("vfs");
    list("vfs/sub");

    println!("remove_dir non-empty: {}", res(fs::remove_dir("vfs")));
    println!("remove_file on dir: {}", res(fs::remove_file("vfs/sub")));
    println!("remove_file b.txt: {}", res(fs::remove_file("vfs/b.txt")));
    println!(
        "remove_file b.txt again: {}",
        res(fs::remove_file("vfs/b.txt"))
    );
    println!(
        "read_to_string missing: {}",
        res(fs::read_to_string("vfs/nope"))
    );
    println!(
        "remove_dir_all vfs/sub: {}",
        res(fs::remove_dir_all("vfs/sub"))
    );
    list("vfs");
    println!(
        "remove_file copy.bin: {}",
        res(fs::remove_file("vfs/copy.bin"))
    );
    println!("remove_dir vfs: {}", res(fs::remove_dir("vfs")));
    println!("size vfs: {}", size("vfs"));
    println!("exists vfs: {:?}", fs::exists("vfs"));
    Ok(())
}
