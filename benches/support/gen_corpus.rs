//! Writes the synthetic benchmark repository:
//! `cargo run --release --example gen-corpus -- [--anchors] OUT_DIR [BUNDLES] [SEED]` (2,000
//! bundles and seed 1 by default; `--anchors` writes shared maps as anchors and aliases).

#[path = "corpus.rs"]
#[allow(dead_code)]
mod corpus;

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let style = if args.next_if(|a| a == "--anchors").is_some() {
        corpus::Style::Anchors
    } else {
        corpus::Style::Plain
    };
    let Some(out) = args.next() else {
        eprintln!("usage: gen-corpus [--anchors] OUT_DIR [BUNDLES] [SEED]");
        std::process::exit(2);
    };
    let number = |arg: Option<String>, default: u64| match arg.map(|a| a.parse::<u64>()) {
        None => default,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("gen-corpus: not a number: {e}");
            std::process::exit(2);
        }
    };
    let bundles = number(args.next(), 2000) as usize;
    let seed = number(args.next(), 1);
    let out = std::path::Path::new(&out);
    if out.exists() && std::fs::read_dir(out).map_or(true, |mut d| d.next().is_some()) {
        eprintln!("gen-corpus: {} exists and is not empty", out.display());
        std::process::exit(2);
    }
    match corpus::generate_with(out, bundles, seed, style) {
        Ok(s) => println!(
            "{} bundles, {} files, {} documents, {} bytes in {}",
            s.bundles,
            s.files,
            s.documents,
            s.bytes,
            out.display()
        ),
        Err(e) => {
            eprintln!("gen-corpus: {}: {e}", out.display());
            std::process::exit(1);
        }
    }
}
