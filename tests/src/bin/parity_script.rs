//! Prints parity's random script for a seed: `parity_script SEED`.

fn main() {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    print!("{}", logplay_tests::parity::random_script(seed));
}
