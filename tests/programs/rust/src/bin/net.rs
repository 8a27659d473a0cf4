//! net: std's TcpListener/TcpStream (IPv4 and IPv6), UdpSocket and UnixStream/UnixListener/
//! UnixDatagram across threads. Prints only what Linux semantics decide (never host-chosen
//! ports); the scratch directory for socket paths is the first argument.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream, UdpSocket};
use std::os::unix::net::{UnixDatagram, UnixListener, UnixStream};
use std::thread;

fn echo_server(l: TcpListener, clients: usize) -> thread::JoinHandle<usize> {
    thread::spawn(move || {
        let mut total = 0;
        for _ in 0..clients {
            let (mut s, peer) = l.accept().expect("accept");
            assert!(peer.ip().is_loopback());
            let mut buf = Vec::new();
            s.read_to_end(&mut buf).expect("read");
            total += buf.len();
            s.write_all(&buf).expect("echo");
        }
        total
    })
}

fn tcp(addr: &str) {
    let l = TcpListener::bind(addr).expect("bind");
    let local = l.local_addr().expect("local_addr");
    println!("tcp {addr}: listening on loopback {}", local.ip().is_loopback());
    let server = echo_server(l, 3);
    let mut handles = Vec::new();
    for i in 0..3u8 {
        handles.push(thread::spawn(move || {
            let mut c = TcpStream::connect(local).expect("connect");
            c.set_nodelay(true).expect("nodelay");
            let msg: Vec<u8> = (0..100_000u32).map(|j| (j as u8).wrapping_add(i)).collect();
            c.write_all(&msg).expect("write");
            c.shutdown(Shutdown::Write).expect("shutdown");
            let mut back = Vec::new();
            c.read_to_end(&mut back).expect("read back");
            back == msg
        }));
    }
    let ok: Vec<bool> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    println!("tcp {addr}: echoes intact {ok:?}, server saw {} bytes", server.join().unwrap());
    let refused = TcpStream::connect(local).map_err(|e| e.kind());
    println!("tcp {addr}: connect after close: {refused:?}");
}

fn udp() {
    let a = UdpSocket::bind("127.0.0.1:0").expect("bind a");
    let b = UdpSocket::bind("127.0.0.1:0").expect("bind b");
    let bl = b.local_addr().unwrap();
    let t = thread::spawn(move || {
        let mut buf = [0u8; 64];
        let mut got = Vec::new();
        for _ in 0..3 {
            let (n, from) = b.recv_from(&mut buf).expect("recv_from");
            got.push((String::from_utf8_lossy(&buf[..n]).into_owned(), from.ip().is_loopback()));
        }
        got
    });
    for m in ["one", "two", "three"] {
        a.send_to(m.as_bytes(), bl).expect("send_to");
    }
    println!("udp: {:?}", t.join().unwrap());
}

fn unix(dir: &str) {
    let path = format!("{dir}/rvrun-net.sock");
    let _ = std::fs::remove_file(&path);
    let l = UnixListener::bind(&path).expect("bind");
    let t = thread::spawn(move || {
        let (s, _) = l.accept().expect("accept");
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut s = s;
        let mut lines = 0;
        let mut line = String::new();
        while r.read_line(&mut line).expect("read_line") > 0 {
            s.write_all(line.to_uppercase().as_bytes()).expect("write");
            line.clear();
            lines += 1;
        }
        lines
    });
    let mut c = UnixStream::connect(&path).expect("connect");
    let mut r = BufReader::new(c.try_clone().unwrap());
    for w in ["alpha\n", "beta\n", "gamma\n"] {
        c.write_all(w.as_bytes()).unwrap();
        let mut back = String::new();
        r.read_line(&mut back).unwrap();
        print!("unix stream: {back}");
    }
    c.shutdown(Shutdown::Write).unwrap();
    println!("unix stream: server read {} lines", t.join().unwrap());
    println!("unix connect to missing: {:?}", UnixStream::connect(format!("{dir}/nope")).map_err(|e| e.kind()));
    std::fs::remove_file(&path).unwrap();

    let (x, y) = UnixStream::pair().expect("pair");
    let t = thread::spawn(move || {
        let mut y = y;
        let mut buf = vec![0u8; 1 << 20];
        y.read_exact(&mut buf).unwrap();
        buf.iter().map(|&b| b as u64).sum::<u64>()
    });
    let mut x = x;
    let big: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
    x.write_all(&big).unwrap();
    println!("unix pair 1 MiB: checksum match {}", t.join().unwrap() == big.iter().map(|&b| b as u64).sum::<u64>());

    let (d1, d2) = UnixDatagram::pair().expect("dgram pair");
    d1.send(b"first").unwrap();
    d1.send(b"second").unwrap();
    let mut buf = [0u8; 16];
    let n1 = d2.recv(&mut buf).unwrap();
    let n2 = d2.recv(&mut buf).unwrap();
    println!("unix datagrams: {n1} {n2}");
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "/tmp".into());
    tcp("127.0.0.1:0");
    tcp("[::1]:0");
    udp();
    unix(&dir);
}
