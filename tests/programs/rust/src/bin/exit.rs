//! Exit paths: "ret N" returns an ExitCode from main, "exit N" calls process::exit,
//! "abort" calls process::abort and "panic" panics (panic=abort: SIGABRT, status 134).
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 2 {
        eprintln!("usage: exit ret N | exit N | abort | panic");
        return ExitCode::from(2);
    }
    let code: u8 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0);
    println!("mode {}", args[1]);
    std::io::stdout().flush().unwrap();
    match args[1].as_str() {
        "ret" => ExitCode::from(code),
        "exit" => std::process::exit(code.into()),
        "abort" => std::process::abort(),
        "panic" => panic!("deliberate panic with code {code}"),
        _ => {
            eprintln!("unknown mode");
            ExitCode::from(2)
        }
    }
}
