//! Writes a generated Italian news archive:
//! `cargo run --release --example generate -- DIR [ARTICLES] [SEED] [news|crawl]`.

#[path = "../benches/support/generate.rs"]
mod generate;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!(
            "usage: generate DIR [ARTICLES (default 20000)] [SEED (default 1)] [news|crawl (default news)]"
        );
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
    let mix = match args.next().as_deref() {
        None | Some("news") => generate::Mix::News,
        Some("crawl") => generate::Mix::Crawl,
        Some(other) => {
            eprintln!("generate: `{other}` is no mix: news or crawl");
            return ExitCode::from(2);
        }
    };
    match generate::write_mix(&dir, articles, seed, mix) {
        Ok(done) => {
            eprintln!(
                "wrote {} articles ({} duplicates, {} distinct word forms) in {} files, {} bytes, under {}",
                done.articles,
                done.duplicates,
                done.forms,
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
