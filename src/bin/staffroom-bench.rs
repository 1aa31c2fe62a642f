//! Benchmarks that print figures (never run as tests: this machine is shared and noisy).
//!
//! `cargo run --release --bin staffroom-bench -- keys [N]`: RSA-2048 key generation, OpenSSL
//! (what Staffroom uses) against the pure-Rust `rsa` crate (what activitypub_federation offers).

use std::time::Instant;

fn stats(name: &str, mut samples: Vec<f64>) {
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let mean = samples.iter().sum::<f64>() / samples.len() as f64;
    let median = samples[samples.len() / 2];
    let max = samples[samples.len() - 1];
    println!(
        "{name:<28} n={:<4} mean {mean:>8.1} ms  median {median:>8.1} ms  max {max:>8.1} ms",
        samples.len()
    );
}

fn time_ms(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64() * 1000.0
}

fn keys(n: usize) {
    println!("RSA-2048 key generation, {n} keys each:");
    let openssl: Vec<f64> = (0..n)
        .map(|_| time_ms(|| drop(staffroom::services::keys::generate().unwrap())))
        .collect();
    stats("openssl (staffroom)", openssl);
    let mut rng = rand::thread_rng();
    let pure: Vec<f64> = (0..n)
        .map(|_| time_ms(|| drop(rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap())))
        .collect();
    stats("rsa crate (pure Rust)", pure);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("keys") => keys(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(20)),
        _ => {
            eprintln!("usage: staffroom-bench keys [N]");
            std::process::exit(2);
        }
    }
}
