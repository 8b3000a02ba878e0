//! The real Italian text the relevance and copies benchmarks share: Debian's Italian
//! documentation, cut into articles by `benches/relevance/prepare.py` (see that script).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::ensure;

/// The work folder given as `--work DIR`, by default `$TMPDIR/emeroteca-relevance`, with the
/// articles (`corpus/`) and queries (`queries.tsv`) prepared in it if they are not yet.
pub fn prepared(args: &[String]) -> anyhow::Result<PathBuf> {
    let work = args
        .iter()
        .position(|a| a == "--work")
        .and_then(|at| args.get(at + 1))
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("emeroteca-relevance"));
    if !work.join("queries.tsv").exists() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/relevance/prepare.py");
        let status = Command::new("python3").arg(script).arg(&work).status()?;
        ensure!(status.success(), "preparing the data failed");
    }
    Ok(work)
}
