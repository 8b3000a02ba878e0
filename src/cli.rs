//! The command line (CONTRACT.md), declared with clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const QUERY_HELP: &str = "\
QUERY LANGUAGE
  missili Corea          every word is required (in title or body); when no article has them
                         all, articles with some of them are shown, and a note says so
  missili OR razzi       either word (OR binds tighter: `missili OR razzi Corea`)
  Kim -Putin             exclude a word (also: Kim NOT Putin)
  \"Corea del Nord\"       a phrase, in this order (stop words in it match any stop word)
  (Kim OR Putin) vertice parentheses group
  title:Kim  body:Kim    a word in one field; also section:esteri, source:, author:
  missil*                any word that starts so
Words are analysed as in articles: missile finds missili, Ucraina finds dell’Ucraina,
citta finds città and citta'.

EXIT STATUS
  0 at least one hit, 1 no hit, 2 error";

/// A search engine for archives of Italian news.
#[derive(Debug, Parser)]
#[command(name = "emeroteca", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index the articles under one or more folders, or bring the index up to date with them.
    Index(IndexArgs),
    /// Search the index.
    #[command(after_long_help = QUERY_HELP)]
    Search(SearchArgs),
    /// Describe the index: articles, sections, dates, size.
    Stats(StatsArgs),
    /// Show the terms the Italian analyzer makes of a text.
    Analyze(AnalyzeArgs),
}

#[derive(Debug, Args)]
pub struct IndexLocation {
    /// The index folder.
    #[arg(
        long = "index",
        env = "EMEROTECA_INDEX",
        default_value = "emeroteca-index"
    )]
    pub path: PathBuf,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Folders of articles (.txt, .html, .json, .jsonl, and the same .gz), read recursively.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub index: IndexLocation,
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
    /// Commit after reading this many files, so an interrupted run keeps its progress.
    #[arg(long, value_name = "FILES", default_value_t = 5000)]
    pub commit_every: usize,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query (see the query language below).
    #[arg(allow_hyphen_values = true)]
    pub query: String,
    #[command(flatten)]
    pub index: IndexLocation,
    /// How many hits to show.
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    /// How many hits to skip (for paging).
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
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
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// When to colour matched words in text output (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub index: IndexLocation,
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// The text to analyse.
    pub text: String,
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    /// Best match first.
    Relevance,
    /// Newest first.
    Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}
