//! Unit tests of the socket objects: memory accounting, passed descriptions, readiness.

use super::super::{HostStdio, Vfs, VfsError};
use crate::abi::Errno;
use crate::abi::socket::*;
use crate::config::RunConfig;
use crate::rng::GuestRng;

fn vfs_with_memory(max_memory: u64) -> Vfs {
    let config = RunConfig {
        max_memory,
        ..RunConfig::default()
    };
    let mut v = Vfs::new(&config, "/bin/prog", b"\x7fELF").expect("tree builds");
    v.set_stdio(HostStdio {
        stdin: Box::new(std::io::empty()),
        stdout: Box::new(Vec::new()),
        stderr: Box::new(Vec::new()),
    });
    v
}

/// An abstract AF_UNIX datagram receiver bound to `name` and its address.
fn abstract_receiver(v: &mut Vfs, name: &[u8]) -> (i32, Vec<u8>) {
    let r = v
        .socket(AF_UNIX as i32, SOCK_DGRAM | SOCK_NONBLOCK, 0)
        .unwrap();
    let mut addr = AF_UNIX.to_le_bytes().to_vec();
    addr.push(0);
    addr.extend_from_slice(name);
    v.bind(r, &addr).unwrap();
    (r, addr)
}

#[test]
fn queued_bytes_draw_on_the_memory_budget() {
    let mut v = vfs_with_memory(1 << 20);
    // Unconnected senders: the receiver's queue length bounds them (11 datagrams), not
    // their send buffer, so the budget runs out first.
    let (b, to) = abstract_receiver(&mut v, b"budget");
    let a = v
        .socket(AF_UNIX as i32, SOCK_DGRAM | SOCK_NONBLOCK, 0)
        .unwrap();
    let big = vec![7u8; 200_000];
    let mut sent = 0;
    let err = loop {
        match v.sock_send(a, &big, Some(&to), 0, &[]) {
            Ok(_) => sent += 1,
            Err(e) => break e,
        }
    };
    // 1 MiB holds five of them (less what the tree already uses), then the budget is spent.
    assert_eq!(err, VfsError::Errno(Errno::ENOBUFS));
    assert!((1..=5).contains(&sent), "{sent}");
    // Reading gives the bytes back to the budget.
    v.sock_recv(b, 1 << 20, 0).unwrap();
    assert!(v.sock_send(a, &big, Some(&to), 0, &[]).is_ok());
    // Closing the receiver releases what it still held.
    v.close(b).unwrap();
    v.close(a).unwrap();
    let (d, to) = abstract_receiver(&mut v, b"again");
    let c = v
        .socket(AF_UNIX as i32, SOCK_DGRAM | SOCK_NONBLOCK, 0)
        .unwrap();
    for _ in 0..sent {
        v.sock_send(c, &big, Some(&to), 0, &[]).unwrap();
    }
    let _ = d;
}

#[test]
fn descriptions_in_flight_close_with_the_socket() {
    let mut v = vfs_with_memory(1 << 30);
    let mut rng = GuestRng::new(1);
    let (a, b) = v.socketpair(AF_UNIX as i32, SOCK_STREAM, 0).unwrap();
    let (r, w) = v.pipe(0).unwrap();
    v.sock_send(a, b"x", None, 0, &[w]).unwrap();
    v.close(w).unwrap();
    // The write end lives on inside the message: the pipe is not at end of file.
    v.set_nonblock(r, true).unwrap();
    assert_eq!(v.read(r, 1, &mut rng), Err(VfsError::Errno(Errno::EAGAIN)));
    // Closing the receiving socket drops the message and with it the last write end.
    v.close(b).unwrap();
    assert_eq!(v.read(r, 1, &mut rng), Ok(Vec::new()));
    v.close(a).unwrap();
}

#[test]
fn a_reset_connection_reports_every_event_linux_does() {
    let mut v = vfs_with_memory(1 << 30);
    let l = v.socket(AF_INET as i32, SOCK_STREAM, 0).unwrap();
    let mut addr = vec![0u8; 16];
    addr[..2].copy_from_slice(&AF_INET.to_le_bytes());
    addr[4..8].copy_from_slice(&[127, 0, 0, 1]);
    v.bind(l, &addr).unwrap();
    v.listen(l, 1).unwrap();
    let port = v.getsockname(l).unwrap()[2..4].to_vec();
    assert_eq!(port, EPHEMERAL_LOW.to_be_bytes());
    addr[2..4].copy_from_slice(&port);
    let c = v.socket(AF_INET as i32, SOCK_STREAM, 0).unwrap();
    v.connect(c, &addr).unwrap();
    let (s, _) = v.accept(l, 0).unwrap();
    v.sock_send(c, b"unread", None, 0, &[]).unwrap();
    v.close(s).unwrap();
    // POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDHUP
    assert_eq!(v.readiness(c).unwrap().events() & 0x201d, 0x201d);
    assert_eq!(
        v.sock_recv(c, 10, 0).unwrap_err(),
        VfsError::Errno(Errno::ECONNRESET)
    );
    assert!(v.sock_recv(c, 10, 0).unwrap().eof);
}

#[test]
fn a_datagram_peer_that_closed_leaves_the_socket_writable() {
    let mut v = vfs_with_memory(1 << 30);
    let (a, b) = v
        .socketpair(AF_UNIX as i32, SOCK_DGRAM | SOCK_NONBLOCK, 0)
        .unwrap();
    v.close(b).unwrap();
    // POLLOUT, neither POLLIN nor POLLHUP (unix_dgram_poll); the send finds the peer gone.
    assert_eq!(v.readiness(a).unwrap().events() & 0x15, 0x4);
    assert_eq!(
        v.sock_send(a, b"x", None, 0, &[]).unwrap_err(),
        VfsError::Errno(Errno::ECONNREFUSED)
    );
    assert_eq!(
        v.sock_send(a, b"x", None, 0, &[]).unwrap_err(),
        VfsError::Errno(Errno::ENOTCONN)
    );
}

#[test]
fn quickack_and_multicast_ttl_read_back_as_linux_keeps_them() {
    use super::opts::OptVal;
    let mut v = vfs_with_memory(1 << 30);
    let t = v.socket(AF_INET as i32, SOCK_STREAM, 0).unwrap();
    let get = |v: &mut Vfs, fd, level, name| v.getsockopt(fd, level, name).unwrap().unwrap();
    assert_eq!(get(&mut v, t, SOL_TCP, TCP_QUICKACK), OptVal::Int(1));
    v.setsockopt(t, SOL_TCP, TCP_QUICKACK, &0i32.to_le_bytes())
        .unwrap()
        .unwrap();
    assert_eq!(get(&mut v, t, SOL_TCP, TCP_QUICKACK), OptVal::Int(0));
    v.setsockopt(t, SOL_TCP, TCP_QUICKACK, &2i32.to_le_bytes())
        .unwrap()
        .unwrap();
    assert_eq!(get(&mut v, t, SOL_TCP, TCP_QUICKACK), OptVal::Int(1));
    // Not for TCP, though TCP reads the default.
    assert_eq!(
        v.setsockopt(t, SOL_IP, IP_MULTICAST_TTL, &4i32.to_le_bytes()),
        Err(Errno::EINVAL)
    );
    assert_eq!(get(&mut v, t, SOL_IP, IP_MULTICAST_TTL), OptVal::Int(1));
    let u = v.socket(AF_INET as i32, SOCK_DGRAM, 0).unwrap();
    assert_eq!(get(&mut v, u, SOL_IP, IP_MULTICAST_TTL), OptVal::Int(1));
    for (set, want) in [
        (40i32, Ok(40)),
        (-1, Ok(1)),
        (0, Ok(0)),
        (256, Err(Errno::EINVAL)),
    ] {
        let r = v.setsockopt(u, SOL_IP, IP_MULTICAST_TTL, &set.to_le_bytes());
        match want {
            Ok(w) => {
                r.unwrap().unwrap();
                assert_eq!(get(&mut v, u, SOL_IP, IP_MULTICAST_TTL), OptVal::Int(w));
            }
            Err(e) => assert_eq!(r, Err(e)),
        }
    }
    assert_eq!(
        v.setsockopt(u, SOL_TCP, TCP_QUICKACK, &1i32.to_le_bytes()),
        Err(Errno::ENOPROTOOPT)
    );
}

#[test]
fn a_datagram_pair_fills_the_send_buffer_with_truesize() {
    assert_eq!(super::skb_truesize(7), 768);
    assert_eq!(super::skb_truesize(0), 768);
    let mut v = vfs_with_memory(1 << 30);
    let (a, b) = v
        .socketpair(AF_UNIX as i32, SOCK_DGRAM | SOCK_NONBLOCK, 0)
        .unwrap();
    // Empty datagrams cost their sk_buff too: the default 212992-byte buffer holds 278.
    let mut sent = 0;
    let err = loop {
        match v.sock_send(a, b"", None, 0, &[]) {
            Ok(_) => sent += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(err, VfsError::Errno(Errno::EAGAIN));
    assert_eq!(sent, 212992 / 768 + 1);
    // POLLOUT comes back once the in-flight memory is a quarter of the buffer.
    assert_eq!(v.readiness(a).unwrap().events() & 0x4, 0);
    for _ in 0..sent - 212992 / 4 / 768 {
        v.sock_recv(b, 16, 0).unwrap();
    }
    assert_eq!(v.readiness(a).unwrap().events() & 0x4, 0x4);
}

#[test]
fn udp_drops_datagrams_past_the_receive_buffer_by_truesize() {
    let mut v = vfs_with_memory(1 << 30);
    let mut addr = vec![0u8; 16];
    addr[..2].copy_from_slice(&AF_INET.to_le_bytes());
    addr[4..8].copy_from_slice(&[127, 0, 0, 1]);
    let r = v
        .socket(AF_INET as i32, SOCK_DGRAM | SOCK_NONBLOCK, 0)
        .unwrap();
    v.bind(r, &addr).unwrap();
    let port = v.getsockname(r).unwrap()[2..4].to_vec();
    addr[2..4].copy_from_slice(&port);
    let s = v.socket(AF_INET as i32, SOCK_DGRAM, 0).unwrap();
    for _ in 0..10_000 {
        v.sock_send(s, b"", Some(&addr), 0, &[]).unwrap();
    }
    let mut got = 0;
    while v.sock_recv(r, 16, 0).is_ok() {
        got += 1;
    }
    // Queued while the memory charged stays within SO_RCVBUF (212992): 278 datagrams.
    assert_eq!(got, 212992 / 768 + 1);
}
