//! The real Italian text the relevance and copies benchmarks share: Debian's Italian
//! documentation, cut into articles by `benches/relevance/prepare.py` (see that script).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::ensure;

const BIN: &str = env!("CARGO_BIN_EXE_emeroteca");

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

/// Indexes `corpus` into a new index at `index` with the binary, as a user would.
pub fn index(corpus: &Path, index: &Path) -> anyhow::Result<()> {
    // A previous run's index may be there, or not.
    let _ = std::fs::remove_dir_all(index);
    run_index(
        Command::new(BIN)
            .args(["index", "--quiet", "--index"])
            .arg(index)
            .arg(corpus),
    )
}

/// Runs an `emeroteca index` command; its failure is an error with what it said.
fn run_index(command: &mut Command) -> anyhow::Result<()> {
    let output = command.output()?;
    ensure!(
        output.status.success(),
        "emeroteca index failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

/// Indexes `corpus` into the cluster index at `url`, deleted first, with the binary; its file
/// state goes to `state`.
#[allow(dead_code)] // Only the relevance bench indexes into a cluster.
pub fn index_into_cluster(corpus: &Path, url: &str, state: &Path) -> anyhow::Result<()> {
    // A previous run's state and index may be there, or not.
    let _ = std::fs::remove_dir_all(state);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    agent.delete(url).call()?;
    run_index(
        Command::new(BIN)
            .args(["index", "--quiet", "--to", url, "--state"])
            .arg(state)
            .arg(corpus),
    )
}
