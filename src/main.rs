use std::io;
use std::process::ExitCode;

use clap::Parser;
use emeroteca::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match emeroteca::run(cli) {
        Ok(code) => code,
        Err(error) => {
            // A closed pipe (`emeroteca search … | head`) is not an error.
            let broken_pipe = error.chain().any(|cause| {
                cause
                    .downcast_ref::<io::Error>()
                    .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("emeroteca: {error:#}");
            ExitCode::from(2)
        }
    }
}
