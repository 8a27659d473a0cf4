//! Sockets where QEMU cannot be the reference (its host has a network and passes calls
//! through): the guest's network is only itself, ports are handed out in a fixed order,
//! hostile control messages, the NETLINK_ROUTE answers, and strace's decoding of socket
//! calls. Uses guests built by `make programs` (RVRUN_GUESTS).

mod common;

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_rvrun"))
        .args(args)
        .output()
        .expect("run rvrun");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

const OFFLINE: &str = "\
== offline
tcp connect 10.0.0.1: -1 ENETUNREACH
tcp bind 10.0.0.1: -1 EADDRNOTAVAIL
tcp6 connect 2001:db8::1: -1 ENETUNREACH
udp sendto 8.8.8.8: -1 ENETUNREACH
ephemeral ports 32769 32770
bind port 80 unprivileged: -1 EACCES
socket bad type flags: -1 EINVAL
socket type 99: -1 EINVAL
socket raw: -1 EPERM
sendmsg controllen 2^31: -1 ENOBUFS
sendmsg cmsg_len 4: -1 EINVAL
sendmsg cmsg_len past the buffer: -1 EINVAL
sendmsg forged pid: -1 EPERM
netlink sendto: 20
link 1 lo type 772 flags 0x10049
netlink sendto: 20
addr 1 127.0.0.1/8 scope 254
addr 1 ::1/128 scope 254
netlink port id is the pid 1
";

#[test]
fn the_network_is_the_guest_itself() {
    for flavour in ["c-musl", "c-glibc"] {
        let prog = common::guest(&format!("{flavour}/sockets"));
        let (status, out, err) = run(&["run", &prog, "offline", "/tmp"]);
        assert_eq!(status, 0, "{flavour}: {err}");
        assert_eq!(out, OFFLINE, "{flavour}");
    }
}

#[test]
fn strace_decodes_socket_calls() {
    let prog = common::guest("c-musl/sockets");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("trace");
    let (status, _, err) = run(&[
        "run",
        "--strace-file",
        log.to_str().unwrap(),
        &prog,
        "tcp6",
        "/tmp",
    ]);
    assert_eq!(status, 0, "{err}");
    let trace = std::fs::read_to_string(&log).unwrap();
    for want in [
        "1000 socket(AF_INET6,SOCK_STREAM,0) = 3",
        "1000 bind(3,{AF_INET6, [::1]:0},28) = 0",
        "1000 connect(4,{AF_INET6, [::1]:32768},28) = 0",
        "1000 socket(AF_INET6,SOCK_STREAM|SOCK_NONBLOCK,0) = ",
        "1000 connect(4,{AF_INET, 127.0.0.1:",
    ] {
        assert!(
            trace.lines().any(|l| l.starts_with(want)),
            "no line starting {want:?} in:\n{trace}"
        );
    }
}
