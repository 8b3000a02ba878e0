//! The command-line controller: runs each command from its parsed arguments, and turns the
//! outcome into an exit status.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::{
    analysis, archive, batch, cli, cluster, export, index, ingest, options, output, search, serve,
};

use crate::cli::{
    AnalyzeArgs, Cli, Color, Command, ExportArgs, Format, GetArgs, IndexArgs, SearchArgs,
    ServeArgs, StatsArgs, StatsFormat,
};
use crate::ingest::read::Limits;
use crate::output::text::Style;

/// Runs a command; the exit code follows docs/CONTRACT.md (errors are returned, and mapped to 2 by `main`).
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Index(args) => run_index(args),
        Command::Search(args) => run_search(args),
        Command::Stats(args) => run_stats(args),
        Command::Analyze(args) => run_analyze(args),
        Command::Get(args) => run_get(args),
        Command::Export(args) => run_export(args),
        Command::Serve(args) => run_serve(args),
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut command, "emeroteca", &mut io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            let sections = [cli::MAIN_HELP, cli::QUERY_HELP];
            output::man::render(command, &sections, &mut io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `search` exits 0 with hits and 1 without, as grep does.
fn search_exit_code(total_hits: usize) -> ExitCode {
    if total_hits > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Whether text output is coloured: `auto` colours a terminal unless `NO_COLOR` is set
/// (no-color.org).
fn use_color(choice: Color) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

fn run_index(args: IndexArgs) -> anyhow::Result<ExitCode> {
    let options = index::IndexOptions {
        dirs: args.dirs,
        // Indexing into a cluster keeps only the file state here.
        index: if args.to.is_some() {
            args.state
        } else {
            args.index.path
        },
        limits: Limits {
            max_file_bytes: args.max_file_size.saturating_mul(1024 * 1024),
        },
        memory_bytes: args.memory.max(16) * 1024 * 1024,
        progress: !args.quiet,
        files_per_commit: args.commit_every,
    };
    // Ctrl-C asks the run to stop after committing what it has read.
    static STOP: AtomicBool = AtomicBool::new(false);
    // Without a handler (another one is installed) Ctrl-C simply kills the run, which is safe too.
    let _ = ctrlc::set_handler(|| STOP.store(true, Ordering::Relaxed));
    let quiet = args.quiet;
    let warn = move |error: &ingest::ParseError| {
        if !quiet {
            eprintln!("emeroteca: skipped {error}");
        }
    };
    let report = match &args.to {
        Some(url) => {
            cluster::index::update(&cluster::Cluster::connect(url)?, &options, &warn, &STOP)?
        }
        None => index::update(&options, &warn, &STOP)?,
    };
    if !args.quiet || report.interrupted {
        eprintln!("{}", output::text::index_summary(&report));
    }
    if args.json {
        let mut out = io::stdout().lock();
        output::json::report(&report, &mut out)?;
        out.flush()?;
    }
    if report.interrupted {
        eprintln!(
            "emeroteca: interrupted; the index keeps what was committed. Run `emeroteca index` again to finish."
        );
        return Ok(ExitCode::from(130));
    }
    Ok(ExitCode::SUCCESS)
}

fn run_search(args: SearchArgs) -> anyhow::Result<ExitCode> {
    let given = options::Given {
        passage: args.passage.as_deref().map(read_passage).transpose()?,
        ..options::Given::from(&args)
    };
    if given.passage.is_some() && args.engine.engine.is_some() {
        // Said before the cluster is reached.
        return Err(crate::cluster::search::passage_refused());
    }
    let archive = archive::Archive::open(&args.index.path, args.engine.engine.as_deref())?;
    if args.batch {
        // The lines' own options are checked line by line; the command line's, once.
        given.check(options::Limits::NONE)?;
        let mut out = BufWriter::new(io::stdout().lock());
        batch::run(&archive, &given, io::stdin().lock(), &mut out)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let options::Resolved {
        mut request,
        fields,
    } = given.resolve(options::Limits::NONE)?;
    // Text shows snippets whatever the JSON keys.
    request.snippets |= args.format == Format::Text;
    let fields = fields.as_deref();
    let results = archive.search(&request)?;
    // The process ends after this search: the kernel unmaps the index at exit in one go, faster
    // than dropping it file by file.
    std::mem::forget(archive);
    // One write each: stderr is unbuffered, and eprintln! writes each piece.
    io::stderr().write_all(output::text::search_notes(&results).as_bytes())?;
    let color = use_color(args.color);
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        Format::Text => {
            output::text::results(&results, Style { color }, &mut out)?;
            io::stderr().write_all(output::text::hit_count(&results).as_bytes())?;
        }
        Format::Json => output::json::results(&results, fields, &mut out)?,
        Format::Jsonl => output::json::hits_lines(&results, fields, &mut out)?,
    }
    out.flush()?;
    if args.passage.is_some() && results.total_hits == 0 {
        eprintln!(
            "emeroteca: no article holds this passage (nor {:.0}% of its runs of words)",
            search::passage::MIN_SHARED * 100.0
        );
    }
    Ok(search_exit_code(results.total_hits))
}

impl From<&SearchArgs> for options::Given {
    /// The search options of the command line (a passage is read apart, as reading may fail).
    fn from(args: &SearchArgs) -> options::Given {
        options::Given {
            // No query is no failure: `--like`, `--passage` and `--batch` need none.
            query: args.query.clone().unwrap_or_default(),
            limit: args.limit,
            offset: args.offset,
            since: args.since.clone(),
            until: args.until.clone(),
            section: args.section.clone(),
            source: args.source.clone(),
            sort: args.sort,
            fuzzy: Some(args.fuzzy),
            facets: Some(args.facets),
            fragments: args.fragments,
            like: args.like.clone(),
            interval: args.interval,
            all_copies: Some(args.all_copies),
            fields: args.fields.clone(),
            passage: None,
        }
    }
}

/// The text of a passage file (`-` for stdin): text, not too long, not empty.
fn read_passage(path: &std::path::Path) -> anyhow::Result<String> {
    use std::io::Read;
    let limit = 4 * search::passage::MAX_PASSAGE_CHARS as u64 + 1;
    let mut bytes = Vec::new();
    let reading = if path == std::path::Path::new("-") {
        io::stdin().lock().take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|file| file.take(limit).read_to_end(&mut bytes))
    };
    anyhow::Context::with_context(reading, || {
        format!("cannot read the passage {}", path.display())
    })?;
    if bytes.len() as u64 >= limit {
        anyhow::bail!(
            "the passage {} is longer than {} characters: give the paragraph to look for",
            path.display(),
            search::passage::MAX_PASSAGE_CHARS
        );
    }
    let text = ingest::read::decode(bytes).map_err(|reason| {
        anyhow::anyhow!("the passage {} is not text: {reason}", path.display())
    })?;
    if text.trim().is_empty() {
        anyhow::bail!("the passage {} is empty", path.display());
    }
    Ok(text)
}

fn run_export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let opened = index::open(&args.index.path)?;
    let exported = match args.to {
        cli::ExportTarget::Opensearch => {
            export::opensearch(&opened, &args.dir, &args.name, args.chunk)?
        }
    };
    eprintln!(
        "exported {} articles in {} bulk files and settings.json to {}",
        exported.articles,
        exported.files,
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn run_serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return Err(anyhow::anyhow!(
            "--timeout must be a positive number of seconds"
        ));
    }
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let options = serve::ServeOptions {
        index: args.index.path.clone(),
        engine: args.engine.engine.clone(),
        addr: args.addr,
        cors: args.cors,
        timeout: std::time::Duration::from_secs_f64(args.timeout),
        workers: args.workers.unwrap_or(2 * cores),
    };
    serve::serve(options, |addr, articles| {
        if !addr.ip().is_loopback() {
            eprintln!(
                "emeroteca: listening on {addr}, beyond this machine: anyone who reaches it can search the archive"
            );
        }
        let from = match &args.engine.engine {
            Some(url) => url.clone(),
            None => args.index.path.display().to_string(),
        };
        eprintln!(
            "emeroteca: serving {articles} articles on http://{addr}/ from {from} (Ctrl-C stops)"
        );
    })?;
    Ok(ExitCode::SUCCESS)
}

fn run_get(args: GetArgs) -> anyhow::Result<ExitCode> {
    let archive = archive::Archive::open(&args.index.path, args.engine.engine.as_deref())?;
    let Some(article) = archive.get(&args.id)? else {
        eprintln!("emeroteca: no article with id `{}`", args.id);
        return Ok(ExitCode::from(1));
    };
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        StatsFormat::Text => output::text::article(&article, &mut out)?,
        StatsFormat::Json => output::json::article(&article, &mut out)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn run_stats(args: StatsArgs) -> anyhow::Result<ExitCode> {
    let archive = archive::Archive::open(&args.index.path, args.engine.engine.as_deref())?;
    let stats = archive.stats(&args.index.path)?;
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        StatsFormat::Text => {
            let color = use_color(Color::Auto);
            output::text::stats(&stats, Style { color }, &mut out)?
        }
        StatsFormat::Json => output::json::stats(&stats, &mut out)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn run_analyze(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let tokens = analysis::tokens(&mut analysis::italian(), &args.text);
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        StatsFormat::Text => output::text::tokens(&args.text, &tokens, &mut out)?,
        StatsFormat::Json => output::json::tokens(&args.text, &tokens, &mut out)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_exit_codes_follow_grep() {
        assert_eq!(search_exit_code(3), ExitCode::SUCCESS);
        assert_eq!(search_exit_code(0), ExitCode::from(1));
    }
}
