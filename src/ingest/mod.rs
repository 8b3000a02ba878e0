//! Turns article files into [`Article`]s: finds them ([`walk`]), reads and decompresses them
//! ([`load`], [`read`]), and parses each format ([`parse_bytes`]). Nothing here knows about the
//! index.
//!
//! Adding a format: add a variant to [`Format`] and its extension to `Format::from_path`, write a
//! module with `parse(text, &Origin) -> Result<Article, ParseError>` (or several articles, as
//! `json::parse_lines` does), and call it from [`parse`]. Decompression is already done by then.

pub mod extract;
pub mod html;
pub(crate) mod json;
pub(crate) mod read;
pub(crate) mod txt;
pub(crate) mod walk;
pub(crate) mod warc;

use std::fmt;
use std::path::Path;

use chrono::{DateTime, Datelike, NaiveDate};
use serde::Serialize;

/// One parsed article: the only thing that crosses from ingest to the index.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Article {
    pub id: String,
    /// Where it was found: the file as walked, or `FILE#LINE` for a JSON Lines record.
    pub path: String,
    pub title: String,
    pub section: Option<String>,
    pub date: Option<NaiveDate>,
    pub url: Option<String>,
    pub body: String,
    pub source: Option<String>,
    pub author: Option<String>,
}

impl Article {
    /// A hash of the body's words, lowercased, punctuation and spacing ignored: the same wire
    /// story saved under two names, or re-typeset, has one fingerprint.
    pub fn fingerprint(&self) -> u64 {
        let mut words = String::with_capacity(self.body.len());
        for word in self
            .body
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            if !words.is_empty() {
                words.push(' ');
            }
            if word.is_ascii() {
                let from = words.len();
                words.push_str(word);
                words[from..].make_ascii_lowercase();
            } else {
                words.extend(word.chars().flat_map(char::to_lowercase));
            }
        }
        xxhash_rust::xxh3::xxh3_64(words.as_bytes())
    }
}

/// The article formats the indexer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Txt,
    Html,
    Json,
    JsonLines,
    /// A web archive: read as a stream by [`warc::read`], never whole.
    Warc,
}

impl Format {
    /// The format of `path` and whether it is gzip-compressed, or `None` for other files.
    pub fn from_path(path: &Path) -> Option<(Format, bool)> {
        // On the name's bytes, without allocating: the walk asks this of every file it meets.
        let name = path.file_name()?.as_encoded_bytes();
        let (name, gzipped) = match name.len().checked_sub(3) {
            Some(at) if name[at..].eq_ignore_ascii_case(b".gz") => (&name[..at], true),
            _ => (name, false),
        };
        let dot = name.iter().rposition(|&b| b == b'.')?;
        let extension = &name[dot + 1..];
        let format = [
            ("txt", Format::Txt),
            ("html", Format::Html),
            ("htm", Format::Html),
            ("json", Format::Json),
            ("jsonl", Format::JsonLines),
            ("ndjson", Format::JsonLines),
            ("warc", Format::Warc),
        ]
        .into_iter()
        .find(|(known, _)| extension.eq_ignore_ascii_case(known.as_bytes()))?
        .1;
        Some((format, gzipped))
    }
}

/// Where an article comes from: what parsers need to name it and to report errors.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The file as found under the directory given to `index`.
    pub path: String,
    /// The file name without its extensions: `000_1a2c2d1ce45f909c` for `000_1a2c2d1ce45f909c.txt.gz`.
    pub stem: String,
    /// The date its container gives (a web archive's capture), for an article without its own;
    /// it comes before the path's.
    pub date: Option<NaiveDate>,
}

impl Origin {
    pub fn new(path: &Path) -> Origin {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = name.split('.').next().unwrap_or(&name).to_string();
        Origin {
            path: path.to_string_lossy().into_owned(),
            stem,
            date: None,
        }
    }

    /// The id a file-named article gets: the part after the last `_` of its name
    /// (`000_1a2c2d1ce45f909c` → `1a2c2d1ce45f909c`), else the whole name.
    pub fn file_id(&self) -> String {
        match self.stem.rsplit_once('_') {
            Some((_, id)) if !id.is_empty() => id.to_string(),
            _ => self.stem.clone(),
        }
    }

    /// The date an archive's folders give (`…/2023/09/13/…`), or one written in the file name
    /// (`2023-09-13-…`), for formats that carry none.
    pub fn path_date(&self) -> Option<NaiveDate> {
        date_in_path(&self.path)
    }
}

/// A date written in a path or a web address: as folders (`…/2023/09/13/…`), else as
/// `2023-09-13` anywhere (a file name, a slug).
pub(crate) fn date_in_path(path: &str) -> Option<NaiveDate> {
    date_written_in_path(path).filter(|date| indexable(*date))
}

fn date_written_in_path(path: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = path.split(['/', '\\']).collect();
    let from_folders = parts.windows(3).rev().find_map(|w| {
        let (y, m, d) = (w[0], w[1], w[2]);
        if y.len() == 4 && m.len() == 2 && d.len() == 2 {
            NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
        } else {
            None
        }
    });
    from_folders.or_else(|| {
        (0..path.len().saturating_sub(9))
            .filter(|&i| path.is_char_boundary(i) && path.is_char_boundary(i + 10))
            .find_map(|i| NaiveDate::parse_from_str(&path[i..i + 10], "%Y-%m-%d").ok())
    })
}

/// Why a file or record was left out, as counted in the summary (`skipped` in `index --json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Not an article file (another extension).
    Unsupported,
    /// Could not be opened or read.
    Unreadable,
    /// A symbolic link that leads back into its own folder.
    SymlinkLoop,
    Empty,
    /// NUL bytes or other binary content under a text extension.
    Binary,
    /// Larger than the size limit, before or after decompression.
    TooLarge,
    CorruptGzip,
    MalformedJson,
    /// Parsed, but no article text in it (an HTML page of menus, a record without body).
    NoText,
    /// A web archive's record cut off by the end of the file.
    Truncated,
    /// A web archive's record that is not one (no `WARC/` line, no `Content-Length`).
    MalformedWarc,
    /// Web archive records that are not pages: requests, `warcinfo`, `metadata`, `revisit`
    /// and the rarer kinds.
    WarcRequest,
    WarcInfo,
    WarcMetadata,
    WarcRevisit,
    WarcOther,
    /// A captured response that is not an HTML page: an image, a stylesheet, `robots.txt`.
    NotHtml,
    /// A captured redirect (HTTP 3xx).
    Redirect,
    /// A captured error page (HTTP 4xx, 5xx).
    HttpError,
}

impl SkipReason {
    pub fn name(self) -> &'static str {
        match self {
            SkipReason::Unsupported => "unsupported",
            SkipReason::Unreadable => "unreadable",
            SkipReason::SymlinkLoop => "symlink_loop",
            SkipReason::Empty => "empty",
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "too_large",
            SkipReason::CorruptGzip => "corrupt_gzip",
            SkipReason::MalformedJson => "malformed_json",
            SkipReason::NoText => "no_text",
            SkipReason::Truncated => "truncated",
            SkipReason::MalformedWarc => "malformed_warc",
            SkipReason::WarcRequest => "warc_request",
            SkipReason::WarcInfo => "warc_warcinfo",
            SkipReason::WarcMetadata => "warc_metadata",
            SkipReason::WarcRevisit => "warc_revisit",
            SkipReason::WarcOther => "warc_other_record",
            SkipReason::NotHtml => "not_html",
            SkipReason::Redirect => "redirect",
            SkipReason::HttpError => "http_error",
        }
    }
}

/// A file or record that could not become an article: where, why, and a detail for people.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub path: String,
    pub reason: SkipReason,
    pub detail: String,
}

impl ParseError {
    pub fn new(path: impl Into<String>, reason: SkipReason, detail: impl Into<String>) -> Self {
        ParseError {
            path: path.into(),
            reason,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.detail)
    }
}

impl std::error::Error for ParseError {}

/// What one file gave: its articles, and the records that failed (JSON Lines keeps going).
#[derive(Debug, Default)]
pub(crate) struct FileOutcome {
    pub articles: Vec<Article>,
    pub errors: Vec<ParseError>,
    /// Records that are not articles by nature (a web archive's requests, images, redirects):
    /// counted, not reported one by one.
    pub passed_over: Vec<SkipReason>,
    /// The articles are named by their web address: one replaces any indexed before it under
    /// the same id (a page captured again).
    pub later_replaces_same_id: bool,
}

/// Parses the decoded `text` of a file of the given format.
pub(crate) fn parse(format: Format, text: &str, origin: &Origin) -> FileOutcome {
    match format {
        Format::Txt => FileOutcome::of(txt::parse(text, origin)),
        Format::Html => FileOutcome::of(html::parse(text, origin)),
        Format::Json => json::parse(text, origin),
        Format::JsonLines => json::parse_lines(text, origin),
        Format::Warc => FileOutcome::failed(ParseError::new(
            &origin.path,
            SkipReason::Unsupported,
            "a web archive is read as a stream (ingest::warc), not whole",
        )),
    }
}

impl FileOutcome {
    fn failed(error: ParseError) -> FileOutcome {
        FileOutcome {
            errors: vec![error],
            ..FileOutcome::default()
        }
    }

    /// A file of one article, or of the error that left it out.
    fn of(parsed: Result<Article, ParseError>) -> FileOutcome {
        let mut outcome = FileOutcome::default();
        outcome.add(parsed);
        outcome
    }

    fn add(&mut self, parsed: Result<Article, ParseError>) {
        match parsed {
            Ok(article) => self.articles.push(article),
            Err(error) => self.errors.push(error),
        }
    }
}

/// Reads one article file, decompressed: the bytes its content hash is taken of, and its format.
pub(crate) fn load(path: &Path, limits: &read::Limits) -> Result<(Format, Vec<u8>), ParseError> {
    let Some((format, gzipped)) = Format::from_path(path) else {
        let shown = path.to_string_lossy();
        return Err(ParseError::new(
            shown.as_ref(),
            SkipReason::Unsupported,
            "not an article file",
        ));
    };
    Ok((format, read::read_bytes(path, gzipped, limits)?))
}

/// Decodes and parses the bytes [`load`] read from `path`.
pub(crate) fn parse_bytes(format: Format, path: &Path, bytes: Vec<u8>) -> FileOutcome {
    let origin = Origin::new(path);
    match read::text(&origin.path, bytes) {
        Ok(text) => parse(format, &text, &origin),
        Err(error) => FileOutcome::failed(error),
    }
}

/// Collapses runs of whitespace (including no-break spaces) into single spaces.
pub(crate) fn squeeze_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The years whose dates an index holds: tantivy counts time in nanoseconds from 1970 in 64
/// bits, from late 1677 to early 2262.
pub(crate) const INDEXABLE_YEARS: std::ops::RangeInclusive<i32> = 1678..=2261;

/// Whether an index can hold `date`. One outside is a placeholder (`0001-01-01` in pages whose
/// template leaves the date empty, `9999-12-31`) or a mistake, and is read as no date, so that
/// the next place a date is written is read.
pub(crate) fn indexable(date: NaiveDate) -> bool {
    INDEXABLE_YEARS.contains(&date.year())
}

/// A publication date as archives write it: `2023-09-13`, RFC 3339 (`2023-09-13T10:00:00+02:00`,
/// keeping the date as published, not converted to UTC), or `2023-09-13 10:00:00`; none for a
/// date an index cannot hold (see [`indexable`]).
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    written_date(text).filter(|date| indexable(*date))
}

fn written_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Ok(date) = DateTime::parse_from_rfc3339(text) {
        return Some(date.date_naive());
    }
    let day = text.get(..10)?;
    let rest = &text[10..];
    if rest.is_empty() || rest.starts_with(['T', ' ']) {
        NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_known_by_extension_with_or_without_gzip() {
        let f = |p: &str| Format::from_path(Path::new(p));
        assert_eq!(f("a/000_x.txt"), Some((Format::Txt, false)));
        assert_eq!(f("a/p.HTM"), Some((Format::Html, false)));
        assert_eq!(f("a/d.jsonl.gz"), Some((Format::JsonLines, true)));
        assert_eq!(f("a/d.ndjson"), Some((Format::JsonLines, false)));
        assert_eq!(f("a/x.json.gz"), Some((Format::Json, true)));
        assert_eq!(f("a/notes.md"), None);
        assert_eq!(f("a/archive.gz"), None);
        assert_eq!(f("a/STAMPA.TXT.GZ"), Some((Format::Txt, true)));
    }

    #[test]
    fn the_same_text_typeset_differently_has_one_fingerprint() {
        let a = Article {
            body: "Due missili, lanciati all’alba.".into(),
            ..Article::default()
        };
        let b = Article {
            body: "due  MISSILI lanciati\n\nall’alba".into(),
            ..Article::default()
        };
        let c = Article {
            body: "Tre missili lanciati all’alba.".into(),
            ..Article::default()
        };
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
    }

    #[test]
    fn a_name_that_is_not_utf8_keeps_its_extension() {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caff\xe8.txt");
        assert_eq!(
            Format::from_path(Path::new(name)),
            Some((Format::Txt, false))
        );
    }

    #[test]
    fn ids_come_from_the_file_name() {
        let origin = Origin::new(Path::new("c/2023/09/000_1a2c2d1ce45f909c.txt.gz"));
        assert_eq!(origin.file_id(), "1a2c2d1ce45f909c");
        assert_eq!(Origin::new(Path::new("pagina.html")).file_id(), "pagina");
    }

    #[test]
    fn dates_come_from_folders_or_the_file_name() {
        let date = |p: &str| Origin::new(Path::new(p)).path_date();
        assert_eq!(
            date("c/2023/09/13/000_ab.txt"),
            NaiveDate::from_ymd_opt(2023, 9, 13)
        );
        assert_eq!(
            date("c/2023-09-14-vertice.txt"),
            NaiveDate::from_ymd_opt(2023, 9, 14)
        );
        assert_eq!(date("c/2023/09/000_ab.txt"), None);
        assert_eq!(date("c/2023/13/45/x.txt"), None);
    }

    #[test]
    fn dates_in_the_forms_archives_use() {
        let day = NaiveDate::from_ymd_opt(2023, 9, 13);
        assert_eq!(parse_date("2023-09-13"), day);
        assert_eq!(parse_date("2023-09-13 08:00:00"), day);
        assert_eq!(parse_date("2023-09-13T08:00:00Z"), day);
        assert_eq!(parse_date("13/09/2023"), None);
        assert_eq!(parse_date("2023-02-30"), None);
    }

    #[test]
    fn a_date_no_index_can_hold_is_no_date() {
        assert_eq!(parse_date("0001-01-01T00:00:00Z"), None);
        assert_eq!(parse_date("9999-12-31"), None);
        assert_eq!(date_in_path("c/0001/01/01/x.txt"), None);
        let old = NaiveDate::from_ymd_opt(1861, 3, 17);
        assert_eq!(parse_date("1861-03-17"), old);
    }
}
