//! Writes a generated Italian news archive: `cargo run --release --example generate -- DIR [ARTICLES] [SEED]`.

#[path = "../benches/support/generate.rs"]
mod generate;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: generate DIR [ARTICLES (default 20000)] [SEED (default 1)]");
        return ExitCode::from(2);
    };
    let number = |arg: Option<String>, default: u64| match arg {
        None => Some(default),
        Some(text) => text.replace('_', "").parse().ok(),
    };
    let (Some(articles), Some(seed)) = (number(args.next(), 20_000), number(args.next(), 1)) else {
        eprintln!("generate: ARTICLES and SEED are numbers");
        return ExitCode::from(2);
    };
    match generate::write_archive(&dir, articles, seed) {
        Ok(done) => {
            eprintln!(
                "wrote {} articles ({} duplicates) in {} files, {} bytes, under {}",
                done.articles,
                done.duplicates,
                done.files,
                done.bytes,
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("generate: {error}");
            ExitCode::from(2)
        }
    }
}
