//! Floating point in Rust: Display/Debug/exponent formatting (std's own float printing,
//! Grisu/Ryu-style shortest round trip), parsing of hard decimal strings, libm functions
//! (musl's, linked statically), rounding, f32, and NaN/infinity casts (which Rust defines
//! to saturate). Bit patterns are printed next to values.
use std::hint::black_box;

fn show(what: &str, v: f64) {
    println!("{what:<16} {:016x} {v:?}", v.to_bits());
}

fn main() {
    let vals = [
        0.0,
        -0.0,
        1.0,
        -1.5,
        0.1,
        1.0 / 3.0,
        2.5,
        1e-5,
        123456789.125,
        1e21,
        1e-300,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        std::f64::consts::PI,
        f64::INFINITY,
        f64::NAN,
    ];
    for v in vals {
        println!("{v} | {v:?} | {v:e} | {v:.3} | {v:10.2e} | {v:+.0}");
    }
    println!(
        "{:.0} {:.0} {:.0} {:.0} (round half even)",
        0.5, 1.5, 2.5, -2.5
    );
    println!("{:.2} {:.1} {:.20}", 2.675, 0.25, 0.1);
    println!(
        "f32: {} {:?} {:e} {}",
        1.1f32,
        0.1f32 + 0.2f32,
        f32::MAX,
        f32::MIN_POSITIVE
    );
    println!("0.1+0.2={} {:?}", 0.1 + 0.2, 0.1f64 + 0.2);

    let x = black_box(0.7f64);
    let y = black_box(2.5f64);
    show("sin(0.7)", x.sin());
    show("cos(0.7)", x.cos());
    show("tan(0.7)", x.tan());
    show("sin(1e10)", black_box(1e10f64).sin());
    show("exp(2.5)", y.exp());
    show("ln(2.5)", y.ln());
    show("log10(2.5)", y.log10());
    show("log2(2.5)", y.log2());
    show("powf(.7,2.5)", x.powf(y));
    show("powi(.7,7)", x.powi(7));
    show("sqrt(2)", black_box(2.0f64).sqrt());
    show("cbrt(2.5)", y.cbrt());
    show("atan2(.7,2.5)", x.atan2(y));
    show("hypot(.7,2.5)", x.hypot(y));
    show("mul_add", black_box(0.1f64).mul_add(10.0, -1.0));
    show("sinh(2.5)", y.sinh());
    show("exp_m1(1e-10)", black_box(1e-10f64).exp_m1());
    show("ln_1p(1e-10)", black_box(1e-10f64).ln_1p());
    show("10 % 3.3", black_box(10.0f64) % 3.3);
    println!(
        "f32: sqrt={:08x} mul_add={:08x} sin={:08x} exp={:08x}",
        black_box(2.0f32).sqrt().to_bits(),
        black_box(0.1f32).mul_add(10.0, -1.0).to_bits(),
        (x as f32).sin().to_bits(),
        (y as f32).exp().to_bits()
    );

    let inputs = [
        "0.1",
        "1e-400",
        "2.2250738585072011e-308",
        "4.9406564584124654e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "1.7976931348623157e308",
        "1.7976931348623159e308",
        "1e309",
        "-0",
        "NaN",
        "-inf",
        "infinity",
        "123456789012345678901234567890",
        "9007199254740993",
        "9007199254740993.0000000001",
        ".5",
        "5.",
        "1e",
        "+12.5e+2",
        "0x10",
        "3.14159265358979323846264338327950288",
    ];
    for s in inputs {
        match s.parse::<f64>() {
            Ok(v) => println!("parse({s:?}) = {:016x} {v:?}", v.to_bits()),
            Err(e) => println!("parse({s:?}) = error: {e}"),
        }
    }
    println!(
        "parse f32 \"3.4028236e38\" = {:?}",
        "3.4028236e38".parse::<f32>()
    );

    for v in [2.5f64, 3.5, -2.5, 2.4999999999999996, -0.5, 1e16 + 2.0] {
        let v = black_box(v);
        println!(
            "{v:?}: round={} round_ties_even={} floor={} ceil={} trunc={} fract={} as i64={}",
            v.round(),
            v.round_ties_even(),
            v.floor(),
            v.ceil(),
            v.trunc(),
            v.fract(),
            v as i64
        );
    }

    let nan = black_box(0.0f64) / black_box(0.0f64);
    println!("0/0 bits={:016x} is_nan={}", nan.to_bits(), nan.is_nan());
    println!(
        "0f/0f bits={:08x}",
        (black_box(0.0f32) / black_box(0.0f32)).to_bits()
    );
    println!(
        "casts: nan as i64={} inf as i64={} -1e30 as i64={} 1e30 as i32={} -1.0 as u64={} 1e30 as u32={} 300.7 as u8={}",
        nan as i64,
        black_box(f64::INFINITY) as i64,
        black_box(-1e30f64) as i64,
        black_box(1e30f64) as i32,
        black_box(-1.0f64) as u64,
        black_box(1e30f64) as u32,
        black_box(300.7f64) as u8
    );
    println!(
        "min/max: {} {} {:?} {:?} clamp={}",
        nan.min(1.0),
        f64::max(-0.0, 0.0),
        black_box(-0.0f64).max(0.0).to_bits(),
        1.0f64.total_cmp(&nan),
        black_box(7.5f64).clamp(0.0, 5.0)
    );
    println!(
        "u64 -> f64: {} {} i64::MIN as f64 = {}",
        u64::MAX as f64,
        black_box((1u64 << 53) + 1) as f64,
        i64::MIN as f64
    );
    println!(
        "f64 -> f32: {} {:?}",
        1e40f64 as f32,
        black_box(0.1f64) as f32
    );
    let sum: f64 = (1..=1000).map(|i| 1.0 / (i as f64 * i as f64)).sum();
    println!(
        "sum 1/n^2 (n<=1000) = {sum:.15} (pi^2/6 = {:.15})",
        std::f64::consts::PI.powi(2) / 6.0
    );
}
