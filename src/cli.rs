//! The command line (docs/CONTRACT.md), declared with clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::search::Sort;
use crate::search::facets::Interval;

pub(crate) const QUERY_HELP: &str = "\
QUERY LANGUAGE
  missili Corea          every word is required (in title or body); with three words or more,
                         articles missing one, then some, follow (partial_hits); when no article
                         has them all, articles with some of them are shown, and a note says so
  Chi ha proclamato l'embargo?
                         a question (ending with ?) is read as a sentence: quotes and brackets
                         are preferences, question words search for nothing
  +Corea  \"Corea\"        this word is required even then
  missili OR razzi       either word (OR binds tighter: `missili OR razzi Corea`)
  Kim -Putin             exclude a word (also: Kim NOT Putin)
  \"Corea del Nord\"       a phrase, in this order (stop words in it match any stop word)
  \"Putin Kim\"~5          both words within five positions of each other
  (Kim OR Putin) vertice parentheses group
  title:Kim  body:Kim    a word in one field; also section:esteri, source:, author:
  date:2023-09           published that day, month or year; date:[2023-01-01 TO 2023-06-30]
  missil*                any word that starts so
  governo Conte          a capital that does not start the query or a sentence marks a name:
                         articles writing Conte rank higher than those writing conti
  =Conte                 this form only, unstemmed
Words are analysed as in articles: missile finds missili, alza finds alzare, Ucraina finds
dell’Ucraina, citta finds città and citta'. A pasted headline is never refused: syntax acts
only where it is well formed (a known field, -word touching the word, balanced quotes and
brackets, OR/NOT between words); the rest is read as words (`Ucraina:`, a spaced dash, [VBA]),
and a line on stderr says how the query was read.

EXAMPLES
  emeroteca search '\"Corea del Nord\" missili' --since 2023-09
  emeroteca search 'Kim Putin' --section esteri --since 2023-09 --sort date
  emeroteca search sanzioni --facets --limit 0 --interval year
  emeroteca search Pyongnyang --fuzzy
  emeroteca search --like 02a43ee7beb940bb
  emeroteca search missili --format json --fields id,score,matches
  printf 'missili\\n{\"query\": \"Kim\", \"limit\": 3}\\n' | emeroteca search --batch

EXIT STATUS
  0 at least one hit, 1 no hit, 2 error (--batch: 0 when the batch ran)";

pub(crate) const MAIN_HELP: &str = "\
EXAMPLES
  emeroteca index ~/archivio
  emeroteca search '\"Corea del Nord\" missili' --since 2023-09
  emeroteca search sanzioni --format json --limit 5
  printf 'missili\\nsanzioni\\n' | emeroteca search --batch
  emeroteca search --help            (the query language and more examples)";

/// A search engine for archives of Italian news.
#[derive(Debug, Parser)]
#[command(name = "emeroteca", version, about, max_term_width = 100, after_help = MAIN_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Index the articles under one or more folders, or bring the index up to date with them.
    Index(IndexArgs),
    /// Search the index.
    #[command(after_long_help = QUERY_HELP)]
    Search(SearchArgs),
    /// Describe the index: articles, sections, dates, size.
    Stats(StatsArgs),
    /// Show the terms the Italian analyzer makes of a text.
    Analyze(AnalyzeArgs),
    /// Print one stored article by its id.
    Get(GetArgs),
    /// Write the archive for a cluster engine: `_bulk` files and index settings.
    Export(ExportArgs),
    /// Serve the index over HTTP: a JSON API and a search page.
    #[command(after_long_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// Print the completion script for a shell.
    #[command(after_long_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff).
    #[command(after_long_help = "  emeroteca man > ~/.local/share/man/man1/emeroteca.1")]
    Man,
}

const COMPLETIONS_HELP: &str = "\
EXAMPLES
  emeroteca completions bash > ~/.local/share/bash-completion/completions/emeroteca
  emeroteca completions zsh > ~/.zfunc/_emeroteca        (with fpath+=~/.zfunc in ~/.zshrc)
  emeroteca completions fish > ~/.config/fish/completions/emeroteca.fish";

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

const SERVE_HELP: &str = "\
ENDPOINTS (all GET; JSON as `search --format json`, `get --format json`, `stats --format json`)
  /                      the search page
  /search?q=…            also limit, offset, since, until, section, source (repeatable), sort,
                         facets, fuzzy, fragments, like, passage, all_copies, fields
  /articles/ID           one article; 404 when no article has that id
  /stats                 the index's statistics
  /health                {\"status\": \"ok\", \"articles\": N}
A bad parameter is answered 400 with {\"error\": \"…\"}. New commits of a running `index` are
picked up within a second, without a restart.

EXAMPLES
  emeroteca serve
  curl 'http://127.0.0.1:7700/search?q=missili+Corea&limit=3&facets=true'
  emeroteca serve --addr 0.0.0.0:7700 --cors https://newsroom.example";

#[derive(Debug, Args)]
pub(crate) struct IndexLocation {
    /// The index folder.
    #[arg(
        long = "index",
        env = "EMEROTECA_INDEX",
        default_value = "emeroteca-index"
    )]
    pub path: PathBuf,
}

/// An index on a cluster instead of the local one.
#[derive(Debug, Args)]
pub(crate) struct EngineLocation {
    /// Search the index NAME of an OpenSearch or Elasticsearch cluster instead of the local
    /// index (credentials from EMEROTECA_CLUSTER_USER and EMEROTECA_CLUSTER_PASSWORD, or
    /// EMEROTECA_CLUSTER_CREDENTIALS naming a file of `user:password`).
    #[arg(long, env = "EMEROTECA_ENGINE", value_name = "http://HOST:PORT/NAME")]
    pub engine: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct IndexArgs {
    /// Folders of articles (.txt, .html, .json, .jsonl, and the same .gz), read recursively.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub index: IndexLocation,
    /// Index into the index NAME of an OpenSearch or Elasticsearch cluster instead (created
    /// with `export`'s settings if missing; credentials as for `search --engine`).
    #[arg(long, value_name = "http://HOST:PORT/NAME")]
    pub to: Option<String>,
    /// With `--to`: the folder that keeps which files the cluster holds.
    #[arg(
        long,
        value_name = "DIR",
        default_value = "emeroteca-cluster-state",
        requires = "to"
    )]
    pub state: PathBuf,
    /// Print the run's summary as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Print no warnings and no summary on stderr (errors still).
    #[arg(long, short)]
    pub quiet: bool,
    /// Skip files larger than this many megabytes (after decompression).
    #[arg(long, value_name = "MB", default_value_t = 64)]
    pub max_file_size: u64,
    /// Memory budget of the index writer, in megabytes.
    #[arg(long, value_name = "MB", default_value_t = 512)]
    pub memory: usize,
    /// Commit after reading this many files (and after every 50,000 articles), so an
    /// interrupted run keeps its progress (each commit costs a flush and, later, merges: not
    /// too often).
    #[arg(long, value_name = "FILES", default_value_t = 50_000)]
    pub commit_every: usize,
}

#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    /// The query (see the query language below).
    #[arg(
        allow_hyphen_values = true,
        required_unless_present_any = ["like", "batch", "passage"]
    )]
    pub query: Option<String>,
    #[command(flatten)]
    pub index: IndexLocation,
    #[command(flatten)]
    pub engine: EngineLocation,
    /// How many hits to show (10).
    #[arg(long, short = 'n')]
    pub limit: Option<usize>,
    /// How many hits to skip (for paging).
    #[arg(long)]
    pub offset: Option<usize>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Only articles published on or after this date (YYYY-MM-DD, YYYY-MM or YYYY).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only articles published on or before this date (YYYY-MM-DD, YYYY-MM or YYYY).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only articles of this section (case ignored; repeat for several).
    #[arg(long, value_name = "NAME")]
    pub section: Vec<String>,
    /// Only articles of this source (case ignored; repeat for several).
    #[arg(long, value_name = "NAME")]
    pub source: Vec<String>,
    /// The order of the hits (relevance).
    #[arg(long, value_enum)]
    pub sort: Option<Sort>,
    /// Tolerate typos: one in words of four letters or more, two from eight; none in a word with
    /// a digit.
    #[arg(long)]
    pub fuzzy: bool,
    /// Count the matching articles per section and per month.
    #[arg(long)]
    pub facets: bool,
    /// The period of the `--facets` timeline (default: month, quarter or year, to fit about 30
    /// rows).
    #[arg(long, value_enum, value_name = "PERIOD")]
    pub interval: Option<Interval>,
    /// Show up to N best passages per hit, best first.
    #[arg(long, value_name = "N")]
    pub fragments: Option<usize>,
    /// Articles like the one with this id.
    #[arg(long, value_name = "ID")]
    pub like: Option<String>,
    /// The articles that hold the text of FILE (`-` for stdin), or most of it, ranked by how
    /// much of it they hold (`shared` in JSON), the shared stretch marked: where was this text
    /// published?
    #[arg(long, value_name = "FILE", conflicts_with = "query")]
    pub passage: Option<std::path::PathBuf>,
    /// Show every copy of a story (a wire story republished with small edits) as a hit of its
    /// own, and count each in totals and facets; by default a story shows once, its copies
    /// listed with it.
    #[arg(long)]
    pub all_copies: bool,
    /// Read one query per line on stdin (or a JSON object with `query` and any option by its
    /// name: `limit`, `offset`, `since`, `until`, `section`, `source`, `sort`, `fuzzy`, `facets`,
    /// `fragments`, `like`, `passage`, `interval`, `all_copies`, `fields`) and write one JSON
    /// result per line, in order.
    #[arg(long, conflicts_with = "query")]
    pub batch: bool,
    /// The keys each hit carries in JSON, comma-separated (rank, score, id, path, title,
    /// section, date, url, snippet, title_snippet, matches, fragments, copies, shared).
    #[arg(long, value_name = "KEYS", value_delimiter = ',')]
    pub fields: Option<Vec<String>>,
    /// When to colour matched words in text output (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

#[derive(Debug, Args)]
pub(crate) struct StatsArgs {
    #[command(flatten)]
    pub index: IndexLocation,
    #[command(flatten)]
    pub engine: EngineLocation,
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
}

#[derive(Debug, Args)]
pub(crate) struct GetArgs {
    /// The article's id, as search results show it.
    pub id: String,
    #[command(flatten)]
    pub index: IndexLocation,
    #[command(flatten)]
    pub engine: EngineLocation,
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The folder to write `settings.json` and `bulk-NNNNN.ndjson` into.
    pub dir: PathBuf,
    /// The engine to export for.
    #[arg(long, value_enum)]
    pub to: ExportTarget,
    #[command(flatten)]
    pub index: IndexLocation,
    /// The name of the index in the engine.
    #[arg(long, default_value = "emeroteca")]
    pub name: String,
    /// Articles per `_bulk` file.
    #[arg(long, value_name = "N", default_value_t = 5000)]
    pub chunk: usize,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub index: IndexLocation,
    #[command(flatten)]
    pub engine: EngineLocation,
    /// The address to listen on; the default answers this machine only.
    #[arg(long, default_value = "127.0.0.1:7700")]
    pub addr: std::net::SocketAddr,
    /// Let pages from this origin call the API (repeat for several; `*` for any). Off by default.
    #[arg(long, value_name = "ORIGIN")]
    pub cors: Vec<String>,
    /// Answer 503 to a request not done in this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub timeout: f64,
    /// Searches run at once (others wait their turn); twice the cores by default.
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportTarget {
    /// OpenSearch or Elasticsearch.
    Opensearch,
}

#[derive(Debug, Args)]
pub(crate) struct AnalyzeArgs {
    /// The text to analyse.
    pub text: String,
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StatsFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Color {
    Auto,
    Always,
    Never,
}
