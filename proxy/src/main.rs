//! The KSeF proxy binary (placeholder until the proxy issue fills it in).

fn main() {
    eprintln!("ksef-proxy: not implemented yet; see README.md");
    std::process::exit(2);
}
