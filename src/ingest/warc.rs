//! Web archives (WARC 1.0 and 1.1, as Heritrix, wget `--warc-file`, browsertrix and warcio
//! write them), read as a stream of records with bounded memory: plain, or gzip-compressed one
//! member per record (or as one stream).
//!
//! Every `response` record holding an HTTP 200 HTML page becomes an article, parsed like an
//! `.html` file: its URL is the record's `WARC-Target-URI` unless the page names a canonical
//! one, its date the page's own, else the capture's (`WARC-Date`). Its id comes from the URL,
//! so the same page captured twice is one article; its path is `FILE#OFFSET`, the record's
//! byte offset (of its gzip member when compressed), as `warcio extract FILE OFFSET` takes it.
//! Everything else is passed over and counted by kind.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::{GzDecoder, MultiGzDecoder};
use rayon::prelude::*;

use super::{FileOutcome, Origin, ParseError, SkipReason, html, read};

/// Pages parsed in parallel at a time: enough for every core, few enough to bound memory.
const PAGES_PER_BATCH: usize = 64;

/// Longest header block of a record or of its HTTP response.
const MAX_HEADER_BYTES: u64 = 64 * 1024;

/// Reads the WARC file at `path`, handing its articles to `each` in batches, in file order, as
/// long as `each` returns true. A record cut off by the end of the file (a crawl that died) ends
/// the read with an error naming the file; the batches handed over before it stand.
pub(crate) fn read(
    path: &Path,
    gzipped: bool,
    limits: &read::Limits,
    each: &mut dyn FnMut(FileOutcome) -> bool,
) -> Result<(), ParseError> {
    let shown = path.to_string_lossy().into_owned();
    let fail = |reason, detail: String| ParseError::new(&shown, reason, detail);
    let cut_off = |offset: u64, error: io::Error| {
        let reason = match error.kind() {
            io::ErrorKind::InvalidData => SkipReason::MalformedWarc,
            _ => SkipReason::Truncated,
        };
        fail(
            reason,
            format!("record at byte {offset}: {error}; the records before it are kept"),
        )
    };
    let file = File::open(path).map_err(|e| fail(SkipReason::Unreadable, e.to_string()))?;
    let mut input = Counted {
        inner: BufReader::with_capacity(256 * 1024, file),
        consumed: 0,
    };
    let mut batches = Batches {
        file: &shown,
        pages: Vec::new(),
        passed_over: Vec::new(),
        each,
        stopped: false,
    };
    let result = loop {
        if batches.stopped {
            break Ok(());
        }
        let offset = input.consumed;
        if gzipped {
            // One gzip member: usually one record, else all of them get the member's offset.
            match input.fill_buf() {
                Ok([]) => break Ok(()),
                Ok(_) => {}
                Err(error) => break Err(cut_off(offset, error)),
            }
            let mut member = BufReader::new(GzDecoder::new(&mut input));
            let ended = loop {
                if batches.stopped {
                    break Ok(());
                }
                match next_record(&mut member, limits) {
                    Ok(Some(record)) => batches.push(record, offset),
                    Ok(None) => break Ok(()),
                    Err(error) => break Err(cut_off(offset, error)),
                }
            };
            if ended.is_err() {
                break ended;
            }
        } else {
            match next_record(&mut input, limits) {
                Ok(Some(record)) => batches.push(record, offset),
                Ok(None) => break Ok(()),
                Err(error) => break Err(cut_off(offset, error)),
            }
        }
    };
    batches.flush();
    result
}

/// Records gathered into batches of pages, parsed and handed over as they fill.
struct Batches<'a> {
    file: &'a str,
    pages: Vec<Page>,
    passed_over: Vec<SkipReason>,
    each: &'a mut dyn FnMut(FileOutcome) -> bool,
    /// `each` asked to stop.
    stopped: bool,
}

impl Batches<'_> {
    fn push(&mut self, record: Record, offset: u64) {
        match record {
            Record::Page(mut page) => {
                page.offset = offset;
                self.pages.push(page);
                if self.pages.len() >= PAGES_PER_BATCH {
                    self.flush();
                }
            }
            Record::PassedOver(reason) => self.passed_over.push(reason),
        }
    }

    fn flush(&mut self) {
        if self.stopped {
            return;
        }
        let mut outcome = parse_pages(self.file, std::mem::take(&mut self.pages));
        outcome.passed_over = std::mem::take(&mut self.passed_over);
        self.stopped = !(self.each)(outcome);
    }
}

/// The articles of a batch of pages, parsed in parallel, in order.
fn parse_pages(file: &str, pages: Vec<Page>) -> FileOutcome {
    let parsed: Vec<_> = pages
        .into_par_iter()
        .map(|page| {
            let origin = Origin {
                path: format!("{file}#{}", page.offset),
                stem: String::new(),
                date: page.captured,
            };
            let text = decode(page.body, page.charset.as_deref()).map_err(|reason| {
                let detail = format!("the page of {} cannot be decoded: {reason}", page.url);
                ParseError::new(&origin.path, SkipReason::Binary, detail)
            })?;
            html::parse(&text, &origin).map(|mut article| {
                article.id = format!("w{:016x}", xxhash_rust::xxh3::xxh3_64(page.url.as_bytes()));
                article.url = article.url.or(Some(page.url));
                article
            })
        })
        .collect();
    let mut outcome = FileOutcome {
        later_replaces_same_id: true,
        ..FileOutcome::default()
    };
    for result in parsed {
        match result {
            Ok(article) => outcome.articles.push(article),
            Err(error) => outcome.errors.push(error),
        }
    }
    outcome
}

/// An HTML page a crawler saved.
struct Page {
    offset: u64,
    url: String,
    captured: Option<chrono::NaiveDate>,
    charset: Option<String>,
    body: Vec<u8>,
}

enum Record {
    Page(Page),
    PassedOver(SkipReason),
}

/// Reads the next record from `input`; `None` at a clean end. An error means the record is cut
/// off or malformed.
fn next_record(input: &mut dyn BufRead, limits: &read::Limits) -> io::Result<Option<Record>> {
    // Records are separated by blank lines; skip them (and a gzip member's end).
    loop {
        let buffer = input.fill_buf()?;
        match buffer.iter().position(|b| !matches!(b, b'\r' | b'\n')) {
            Some(at) => {
                input.consume(at);
                break;
            }
            None if buffer.is_empty() => return Ok(None),
            None => {
                let n = buffer.len();
                input.consume(n);
            }
        }
    }
    let headers = read_headers(input)?;
    if !headers.first_line.starts_with("WARC/") {
        return Err(invalid(format!(
            "not a WARC record: {:?}",
            headers.first_line
        )));
    }
    let length: u64 = headers
        .get("content-length")
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| invalid("a record without Content-Length".into()))?;
    let mut block = input.take(length);
    let record = read_block(&headers, &mut block, limits)?;
    // Whatever of the block was not needed is read past, so the next record starts right.
    io::copy(&mut block, &mut io::sink())?;
    if block.limit() > 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the file ends inside it",
        ));
    }
    Ok(Some(record))
}

fn read_block(
    headers: &Headers,
    block: &mut dyn BufRead,
    limits: &read::Limits,
) -> io::Result<Record> {
    let kind = headers
        .get("warc-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let passed = |reason| Ok(Record::PassedOver(reason));
    match kind.as_str() {
        "response" => {}
        "request" => return passed(SkipReason::WarcRequest),
        "warcinfo" => return passed(SkipReason::WarcInfo),
        "metadata" => return passed(SkipReason::WarcMetadata),
        "revisit" => return passed(SkipReason::WarcRevisit),
        _ => return passed(SkipReason::WarcOther),
    }
    let is_http = headers
        .get("content-type")
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/http"));
    if !is_http {
        return passed(SkipReason::NotHtml);
    }
    let http = read_headers(block)?;
    let status: u16 = http
        .first_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    match status {
        200 => {}
        300..=399 => return passed(SkipReason::Redirect),
        _ => return passed(SkipReason::HttpError),
    }
    let content_type = http
        .get("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !(content_type.contains("text/html") || content_type.contains("application/xhtml")) {
        return passed(SkipReason::NotHtml);
    }
    // Bounded: one byte past the limit tells a page too large.
    let cap = limits.max_file_bytes + 1;
    let payload = payload(&http, block, cap)?;
    if payload.len() as u64 >= cap {
        return passed(SkipReason::TooLarge);
    }
    let charset = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("charset="))
        .map(|c| c.trim_matches(['"', '\'']).to_string());
    Ok(Record::Page(Page {
        offset: 0,
        url: headers
            .get("warc-target-uri")
            .unwrap_or_default()
            .trim_matches(['<', '>'])
            .to_string(),
        captured: headers.get("warc-date").and_then(super::parse_date),
        charset,
        body: payload,
    }))
}

/// The response's body, at most `cap` bytes of it: unchunked and inflated as its headers say.
fn payload(http: &Headers, block: &mut dyn BufRead, cap: u64) -> io::Result<Vec<u8>> {
    let mut payload = Vec::new();
    let chunked = http
        .get("transfer-encoding")
        .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    if chunked {
        Dechunked::new(block).take(cap).read_to_end(&mut payload)?;
    } else {
        block.take(cap).read_to_end(&mut payload)?;
    }
    match http
        .get("content-encoding")
        .map(|e| e.trim().to_ascii_lowercase())
    {
        Some(e) if e == "gzip" || e == "x-gzip" => inflate(MultiGzDecoder::new(&payload[..]), cap),
        Some(e) if e == "deflate" => inflate(flate2::bufread::ZlibDecoder::new(&payload[..]), cap),
        _ => Ok(payload),
    }
}

fn inflate(decoder: impl Read, cap: u64) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    decoder.take(cap).read_to_end(&mut out)?;
    Ok(out)
}

/// The page's text in the charset its server named, else as any file is decoded
/// ([`read::decode`]: UTF-8, or Windows-1252 when it is mostly not).
fn decode(body: Vec<u8>, charset: Option<&str>) -> Result<String, String> {
    let named = charset
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
        .filter(|encoding| *encoding != encoding_rs::UTF_8);
    match named {
        Some(encoding) => Ok(encoding.decode(&body).0.into_owned()),
        None => read::decode(body),
    }
}

/// A header block: its first line (`WARC/1.1`, `HTTP/1.1 200 OK`) and its fields.
struct Headers {
    first_line: String,
    fields: Vec<(String, String)>,
}

impl Headers {
    /// The value of a field, by its lowercased name.
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Reads header lines up to the blank line that ends them.
fn read_headers(input: &mut dyn BufRead) -> io::Result<Headers> {
    let mut limited = input.take(MAX_HEADER_BYTES);
    let mut lines = Vec::new();
    loop {
        let mut line = Vec::new();
        if limited.read_until(b'\n', &mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file ends inside its headers",
            ));
        }
        let line = String::from_utf8_lossy(&line).trim_end().to_string();
        if line.is_empty() {
            break;
        }
        lines.push(line);
    }
    let mut lines = lines.into_iter();
    let first_line = lines.next().unwrap_or_default();
    let fields = lines
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            Some((name.trim().to_ascii_lowercase(), value.trim().to_string()))
        })
        .collect();
    Ok(Headers { first_line, fields })
}

fn invalid(detail: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, detail)
}

/// A reader that counts the bytes consumed from it: where each gzip member starts.
struct Counted<R> {
    inner: R,
    consumed: u64,
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.consumed += amount as u64;
        self.inner.consume(amount);
    }
}

/// Undoes HTTP/1.1 chunked transfer encoding.
struct Dechunked<'a> {
    inner: &'a mut dyn BufRead,
    left_in_chunk: u64,
    done: bool,
}

impl<'a> Dechunked<'a> {
    fn new(inner: &'a mut dyn BufRead) -> Self {
        Dechunked {
            inner,
            left_in_chunk: 0,
            done: false,
        }
    }
}

impl Read for Dechunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.left_in_chunk == 0 && !self.done {
            let mut line = String::new();
            if self.inner.read_line(&mut line)? == 0 {
                self.done = true;
                break;
            }
            let size = line.trim().split(';').next().unwrap_or("");
            if size.is_empty() {
                continue; // the line ending a chunk's data
            }
            self.left_in_chunk = u64::from_str_radix(size, 16)
                .map_err(|_| invalid(format!("bad chunk size {size:?}")))?;
            self.done = self.left_in_chunk == 0;
        }
        if self.done {
            return Ok(0);
        }
        let want = buf.len().min(self.left_in_chunk as usize);
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            self.done = true;
        }
        self.left_in_chunk -= n as u64;
        Ok(n)
    }
}
