use std::io;
use std::process::ExitCode;
use std::sync::{Mutex, PoisonError};

use clap::Parser;
use emeroteca::cli::Cli;

// Indexing allocates strings for every parsed article on every thread: glibc's allocator spent
// a tenth of an indexing run in malloc and free. Without transparent huge pages, which a
// one-shot search would spend its time zeroing.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A bug must still end in one line and exit 2, never a backtrace. The hook only keeps the
    // message: a panic caught on purpose (a third-party extractor's on a strange page) says
    // nothing, and one that ends the program is told once, here.
    static PANIC: Mutex<Option<String>> = Mutex::new(None);
    std::panic::set_hook(Box::new(|info| {
        let mut last = PANIC.lock().unwrap_or_else(PoisonError::into_inner);
        *last = Some(info.to_string());
    }));
    let cli = Cli::parse();
    let outcome = std::panic::catch_unwind(|| emeroteca::run(cli));
    let Ok(result) = outcome else {
        let last = PANIC.lock().unwrap_or_else(PoisonError::into_inner).take();
        // The hook runs before the unwinding reaches here; an empty message only if it did not.
        eprintln!("emeroteca: internal error: {}", last.unwrap_or_default());
        return ExitCode::from(2);
    };
    match result {
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
