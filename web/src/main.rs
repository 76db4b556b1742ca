//! The playground's entry point, built by Trunk.

fn main() {
    logplay_web::start();
}
