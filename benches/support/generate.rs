//! A deterministic generator of Italian news archives, for benchmarks and tests: the same seed
//! and size give the same files, byte for byte.
//!
//! The words are real Italian: drawn by their frequency from wordfreq's Italian list
//! (`italian_words.txt.gz`: 302,812 forms with their Zipf frequency, from wordfreq 3.1's
//! `large` list, CC BY-SA 4.0, Robyn Speer and its sources; forms of letters only). A list
//! ends, real text does not: names keep coming as an archive grows, so a few tokens in a
//! hundred are names from an unbounded supply, new ones ever rarer (Heaps' law: the distinct
//! forms grow as a power of the words written). Elided articles join the next word (`l’`,
//! `dell'`), sentences start with a capital, some numbers and commas fall in. The text is not
//! grammatical; its vocabulary, lengths and layout are those of news. Articles are written in
//! the proportions of a real archive ([`Mix::News`]: mostly `.txt` in the archive's layout, some
//! gzip-compressed, some `.html` pages with their noise, some `.json` files and `.jsonl` dumps)
//! or as a web crawl ([`Mix::Crawl`]: every article a page). Text of 3.5 KB at the median with a
//! tail to 20 KB, headlines of 8 to 15 words, pages three times heavier than their article.
//! Three stories in a hundred are wire stories published again under another headline, one
//! word for word, two with a byline added and a paragraph cut: the only copies written.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

/// What was written.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Generated {
    pub articles: u64,
    /// Articles whose body repeats an earlier one's, word for word or with small edits (indexed,
    /// and shown once).
    pub duplicates: u64,
    pub files: u64,
    pub bytes: u64,
    /// Distinct word forms written (list words, names and numbers).
    pub forms: u64,
}

/// Which files an archive is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mix {
    /// A newspaper's archive: 80% `.txt`, 8% `.html`, 5% `.json`, 7% in `.jsonl` dumps.
    News,
    /// A web crawl: every article a page.
    #[allow(dead_code)] // Written by the benchmark and the example only.
    Crawl,
}

/// SplitMix64: small, fast, and the same on every platform and version.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A draw from the standard normal distribution (Box–Muller).
    fn normal(&mut self) -> f64 {
        let uniform = |rng: &mut Rng| (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
        let (u, v) = (uniform(self).max(f64::MIN_POSITIVE), uniform(self));
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// The length of a news article's text, in bytes: log-normal around a median of 3.5 KB, as
/// news runs (a short item, a report, a long read), at least 600 bytes and at most 20 KB.
fn body_bytes(rng: &mut Rng) -> usize {
    (3500.0 * (0.55 * rng.normal()).exp()).clamp(600.0, 20_000.0) as usize
}

const SECTIONS: &[&str] = &[
    "Politica",
    "Esteri",
    "Economia",
    "Cronaca",
    "Sport",
    "Cultura",
    "Scienza",
    "Ambiente",
    "Tecnologia",
    "Salute",
];

const BOILERPLATE: &str = "Lascia un commento\n\nIl tuo indirizzo email non sarà pubblicato. \
I campi obbligatori sono contrassegnati *\n\nTorna in alto\n";

/// Italian words by frequency: lines of words, each group of equal frequency after a line
/// `#Z` giving its Zipf frequency (log10 of occurrences per billion words).
const WORDS: &[u8] = include_bytes!("italian_words.txt.gz");

/// The share of tokens that are names, from a supply without end.
const NAMES_PER_MILLE: u64 = 40;
/// Numbers among the tokens (years, amounts).
const NUMBERS_PER_MILLE: u64 = 15;
/// Distinct names after `m` name tokens: about `NAME_SCALE · m^NAME_GROWTH` (Heaps' law).
const NAME_SCALE: f64 = 15.0;
const NAME_GROWTH: f64 = 0.65;

/// Elided forms that join the next word with an apostrophe.
const ELIDED: &[&str] = &[
    "l", "dell", "all", "nell", "sull", "dall", "d", "c", "quell", "quest",
];

/// The word list, read once.
struct Vocabulary {
    words: Vec<String>,
    /// Cumulative frequencies, in list order.
    cumulative: Vec<f64>,
}

fn vocabulary() -> &'static Vocabulary {
    static VOCABULARY: std::sync::OnceLock<Vocabulary> = std::sync::OnceLock::new();
    VOCABULARY.get_or_init(|| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(WORDS), &mut text)
            .expect("the word list is valid gzip");
        let (mut words, mut cumulative) = (Vec::new(), Vec::new());
        let (mut frequency, mut total) = (0.0, 0.0);
        for line in text.lines() {
            if let Some(zipf) = line.strip_prefix('#') {
                frequency = 10f64.powf(zipf.parse::<f64>().expect("a Zipf frequency"));
            } else {
                total += frequency;
                words.push(line.to_string());
                cumulative.push(total);
            }
        }
        Vocabulary { words, cumulative }
    })
}

struct Writer {
    rng: Rng,
    /// Which of the list's words have been written.
    seen: Vec<bool>,
    list_forms: u64,
    /// Name tokens written, and distinct names.
    name_tokens: u64,
    names: u64,
    numbers: std::collections::HashSet<u32>,
}

impl Writer {
    fn new(seed: u64) -> Writer {
        Writer {
            rng: Rng(seed),
            seen: vec![false; vocabulary().words.len()],
            list_forms: 0,
            name_tokens: 0,
            names: 0,
            numbers: std::collections::HashSet::new(),
        }
    }

    fn uniform(&mut self) -> f64 {
        (self.rng.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A word of the list, drawn by its frequency.
    fn listed(&mut self) -> &'static str {
        let vocabulary = vocabulary();
        let total = vocabulary.cumulative.last().copied().unwrap_or(1.0);
        let x = self.uniform() * total;
        let at = vocabulary
            .cumulative
            .partition_point(|&c| c < x)
            .min(vocabulary.words.len() - 1);
        if !self.seen[at] {
            self.seen[at] = true;
            self.list_forms += 1;
        }
        &vocabulary.words[at]
    }

    /// A name: a new one as often as Heaps' law has new forms come, else one already written,
    /// the earliest the likeliest.
    fn name(&mut self) -> String {
        self.name_tokens += 1;
        let m = self.name_tokens as f64;
        let new = NAME_SCALE * NAME_GROWTH * m.powf(NAME_GROWTH - 1.0);
        let number = if self.names == 0 || self.uniform() < new {
            self.names += 1;
            self.names - 1
        } else {
            // Log-uniform over those written: a Zipf-like reuse.
            let names = self.names as f64;
            ((names + 1.0).powf(self.uniform()) - 1.0).floor() as u64
        };
        name_of(number)
    }

    fn number(&mut self) -> String {
        let number = if self.rng.chance(50) {
            1950 + self.rng.below(76) as u32
        } else {
            let digits = 1 + self.rng.below(4) as u32;
            self.rng.below(10usize.pow(digits)) as u32
        };
        self.numbers.insert(number);
        number.to_string()
    }

    /// The next token of running text.
    fn token(&mut self) -> String {
        let roll = self.rng.next() % 1000;
        if roll < NAMES_PER_MILLE {
            return self.name();
        }
        if roll < NAMES_PER_MILLE + NUMBERS_PER_MILLE {
            return self.number();
        }
        let word = self.listed();
        if !ELIDED.contains(&word) {
            return word.to_string();
        }
        // An elided form takes the next word starting with a vowel.
        for _ in 0..8 {
            let next = self.listed();
            if next.starts_with(['a', 'e', 'i', 'o', 'u', 'à', 'è', 'é', 'ì', 'ò', 'ù']) {
                let apostrophe = if self.rng.chance(85) { "’" } else { "'" };
                return format!("{word}{apostrophe}{next}");
            }
        }
        self.listed().to_string()
    }

    /// `words` tokens, the first with a capital, some followed by a comma.
    fn words(&mut self, words: usize) -> String {
        let mut text = String::new();
        for i in 0..words {
            let token = self.token();
            if i == 0 {
                text.push_str(&capitalised(&token));
            } else {
                text.push(' ');
                text.push_str(&token);
                if i + 2 < words && self.rng.chance(7) {
                    text.push(',');
                }
            }
        }
        text
    }

    fn sentence(&mut self) -> String {
        let words = (18.0 * (0.4 * self.rng.normal()).exp()).clamp(5.0, 60.0) as usize;
        self.words(words) + "."
    }

    fn paragraph(&mut self) -> String {
        let n = 2 + self.rng.below(4);
        (0..n)
            .map(|_| self.sentence())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A headline of 8 to 15 words.
    fn title(&mut self) -> String {
        let words = 8 + self.rng.below(8);
        self.words(words)
    }

    /// Distinct word forms written so far.
    fn forms(&self) -> u64 {
        self.list_forms + self.names + self.numbers.len() as u64
    }
}

/// The name numbered `n`: its syllables spell the number, so every number has its own name.
fn name_of(n: u64) -> String {
    const SYLLABLES: &[&str] = &[
        "ba", "be", "bi", "bo", "ca", "ce", "ci", "co", "da", "de", "di", "do", "fa", "fe", "fi",
        "fo", "ga", "ge", "gi", "go", "la", "le", "li", "lo", "ma", "me", "mi", "mo", "na", "ne",
        "ni", "no", "pa", "pe", "pi", "po", "ra", "re", "ri", "ro", "sa", "se", "si", "so", "ta",
        "te", "ti", "to", "va", "ve", "vi", "vo", "za", "zo",
    ];
    const ENDINGS: &[&str] = &["lli", "ni", "tti", "ssi", "rdi", "nti", "sca", "ri"];
    let base = SYLLABLES.len() as u64;
    let mut name = String::new();
    let mut rest = n;
    loop {
        name.push_str(SYLLABLES[(rest % base) as usize]);
        rest /= base;
        if rest == 0 {
            break;
        }
    }
    name.push_str(ENDINGS[(n % ENDINGS.len() as u64) as usize]);
    capitalised(&name)
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

struct Story {
    id: String,
    title: String,
    section: &'static str,
    date: (u32, u32, u32),
    body: Vec<String>,
}

/// Writes a newspaper's archive of `articles` articles under `dir`.
#[allow(dead_code)] // The example writes either mix.
pub fn write_archive(dir: &Path, articles: u64, seed: u64) -> io::Result<Generated> {
    write_mix(dir, articles, seed, Mix::News)
}

/// Writes an archive of `articles` articles under `dir`, in the files `mix` says.
pub fn write_mix(dir: &Path, articles: u64, seed: u64, mix: Mix) -> io::Result<Generated> {
    let mut writer = Writer::new(seed);
    let mut generated = Generated::default();
    let mut recent_bodies: Vec<Vec<String>> = Vec::new();
    let mut dump: Vec<String> = Vec::new();
    let mut dumps = 0u64;
    for n in 0..articles {
        let rng = &mut writer.rng;
        let date = (
            2015 + rng.below(10) as u32,
            1 + rng.below(12) as u32,
            1 + rng.below(28) as u32,
        );
        let section = *rng.pick(SECTIONS);
        // Wire stories come back: 1% word for word, 2% with a newspaper's edits (a byline, a
        // paragraph cut).
        let copy = if recent_bodies.is_empty() {
            None
        } else {
            match rng.below(100) {
                0 => Some(false),
                1..3 => Some(true),
                _ => None,
            }
        };
        let body = match copy {
            Some(edited) => {
                generated.duplicates += 1;
                let i = writer.rng.below(recent_bodies.len());
                let mut body = recent_bodies[i].clone();
                if edited {
                    if body.len() > 3 {
                        body.remove(1 + writer.rng.below(body.len() - 1));
                    }
                    let byline = format!("di {} {}", writer.name(), writer.name());
                    body.insert(0, byline);
                }
                body
            }
            None => {
                let target = body_bytes(&mut writer.rng);
                let mut body: Vec<String> = Vec::new();
                let mut bytes = 0;
                while bytes < target {
                    let paragraph = writer.paragraph();
                    bytes += paragraph.len() + 2;
                    body.push(paragraph);
                }
                body
            }
        };
        let duplicate = copy.is_some();
        if !duplicate {
            if recent_bodies.len() >= 64 {
                recent_bodies.remove(0);
            }
            recent_bodies.push(body.clone());
        }
        let story = Story {
            id: format!("{:016x}", seed.wrapping_mul(0x1000_0000).wrapping_add(n)),
            title: writer.title(),
            section,
            date,
            body,
        };
        let (y, m, d) = story.date;
        let roll = match mix {
            Mix::News => writer.rng.below(100),
            Mix::Crawl => 80,
        };
        generated.articles += 1;
        match roll {
            0..80 => {
                let text = txt(&story, &mut writer);
                let name = format!("{y}/{m:02}/{d:02}/{:03}_{}.txt", n % 1000, story.id);
                let gz = writer.rng.chance(10);
                generated.bytes += write_file(dir, &name, text.as_bytes(), gz)?;
                generated.files += 1;
            }
            80..88 => {
                let name = format!("web/{y}/{m:02}/articolo-{n}.html");
                let page = html(&story, &mut writer);
                generated.bytes += write_file(dir, &name, page.as_bytes(), false)?;
                generated.files += 1;
            }
            88..93 => {
                let name = format!("json/{y}/{}.json", story.id);
                generated.bytes += write_file(dir, &name, json(&story).as_bytes(), false)?;
                generated.files += 1;
            }
            _ => {
                dump.push(json(&story));
                if dump.len() == 50 {
                    generated.bytes += write_dump(dir, dumps, &mut dump, &mut writer.rng)?;
                    generated.files += 1;
                    dumps += 1;
                }
            }
        }
    }
    if !dump.is_empty() {
        generated.bytes += write_dump(dir, dumps, &mut dump, &mut writer.rng)?;
        generated.files += 1;
    }
    generated.forms = writer.forms();
    Ok(generated)
}

fn write_dump(dir: &Path, n: u64, dump: &mut Vec<String>, rng: &mut Rng) -> io::Result<u64> {
    let gz = rng.chance(30);
    let name = format!("dumps/wire-{n:05}.jsonl");
    let text: String = dump.drain(..).map(|line| line + "\n").collect();
    write_file(dir, &name, text.as_bytes(), gz)
}

fn write_file(dir: &Path, name: &str, bytes: &[u8], gz: bool) -> io::Result<u64> {
    let path = dir.join(if gz {
        format!("{name}.gz")
    } else {
        name.to_string()
    });
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    if gz {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(bytes)?;
        let packed = encoder.finish()?;
        fs::write(&path, &packed)?;
        Ok(packed.len() as u64)
    } else {
        fs::write(&path, bytes)?;
        Ok(bytes.len() as u64)
    }
}

fn txt(story: &Story, writer: &mut Writer) -> String {
    let mut text = format!("{} – {}\n\n", story.title, story.section);
    for (i, paragraph) in story.body.iter().enumerate() {
        if i == story.body.len() / 2 && writer.rng.chance(60) {
            text.push_str(&format!("READ\u{a0} {}\n\n", writer.title()));
        }
        text.push_str(paragraph);
        text.push_str("\n\n");
    }
    text.push_str(BOILERPLATE);
    text
}

/// A page as news sites serve it: the article a third of the bytes or less, among navigation,
/// scripts, a cookie banner, related headlines and a footer of links.
fn html(story: &Story, writer: &mut Writer) -> String {
    let (y, m, d) = story.date;
    let escape = emeroteca::search::snippet::escape_html;
    let paragraphs: String = story
        .body
        .iter()
        .map(|p| format!("<p>{}</p>\n", escape(p)))
        .collect();
    let title = escape(&story.title);
    let menu: String = SECTIONS
        .iter()
        .map(|name| format!("<li><a href=\"/{}\">{name}</a></li>", name.to_lowercase()))
        .collect();
    let related: String = (0..10)
        .map(|i| {
            format!(
                "<li><a href=\"/articolo-{i}\">{}</a></li>",
                escape(&writer.title())
            )
        })
        .collect();
    // Tracking and ad scripts: twice the article's bytes and more, as on real pages.
    let script_bytes = 2 * paragraphs.len() + 8_000;
    let script: String = (0..)
        .map(|i| format!("dataLayer.push({{slot:'div-gpt-ad-{i}',sizes:[[300,250],[728,90]]}});"))
        .scan(0, |bytes, piece| {
            *bytes += piece.len();
            (*bytes <= script_bytes).then_some(piece)
        })
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"it\"><head><meta charset=\"utf-8\">\n\
<title>{title} | Il Quotidiano</title>\n\
<meta property=\"og:title\" content=\"{title}\">\n\
<meta property=\"article:section\" content=\"{section}\">\n\
<meta property=\"article:published_time\" content=\"{y}-{m:02}-{d:02}T08:00:00+01:00\">\n\
<meta property=\"og:url\" content=\"https://quotidiano.example.it/{id}\">\n\
<script>window.dataLayer=window.dataLayer||[];{script}</script>\n\
<style>body{{font-family:serif}} .banner{{position:fixed}}</style></head>\n\
<body><div class=\"banner\">Usiamo i cookie per migliorare l&rsquo;esperienza. <button>Accetta</button></div>\n\
<header><nav><ul class=\"menu\">{menu}</ul></nav></header>\n\
<main><article><h1>{title}</h1>\n<div class=\"share\"><a href=\"/s\">Facebook</a> <a href=\"/s\">WhatsApp</a></div>\n\
{paragraphs}<aside>Leggi anche: le notizie pi&ugrave; lette</aside></article>\n\
<section class=\"related\"><h2>Potrebbe interessarti</h2><ul>{related}</ul></section></main>\n\
<footer><ul>{menu}</ul>&copy; Il Quotidiano &ndash; tutti i diritti riservati</footer></body></html>\n",
        section = story.section,
        id = story.id,
    )
}

fn json(story: &Story) -> String {
    let (y, m, d) = story.date;
    serde_json::json!({
        "id": story.id,
        "url": format!("https://agenzia.example.it/{}", story.id),
        "title": story.title,
        "section": story.section,
        "date": format!("{y}-{m:02}-{d:02}"),
        "body": story.body.join("\n\n"),
        "source": "Agenzia",
    })
    .to_string()
}

#[cfg(test)]
// Paths written out in full: this file is also compiled into the benchmark, whose build has no
// test harness and would find an import here unused.
mod tests {

    #[test]
    fn the_same_seed_writes_the_same_archive() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let first = super::write_archive(a.path(), 300, 7).unwrap();
        let second = super::write_archive(b.path(), 300, 7).unwrap();
        assert_eq!(first, second);
        assert_eq!(first.articles, 300);
        let read = |dir: &std::path::Path| {
            let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(|e| {
                    let name = e
                        .path()
                        .strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned();
                    (name, std::fs::read(e.path()).unwrap())
                })
                .collect();
            files.sort();
            files
        };
        assert_eq!(read(a.path()), read(b.path()));
    }

    #[test]
    fn the_vocabulary_grows_with_the_archive_and_elisions_join_a_vowel() {
        let mut writer = super::Writer::new(3);
        let first = writer.words(20_000);
        let early = writer.forms();
        writer.words(200_000);
        let later = writer.forms();
        assert!(early > 3_000, "{early}");
        // Heaps' law: ten times the words, several times the forms, far from ten.
        assert!(later > 3 * early && later < 10 * early, "{early} → {later}");
        let elided: Vec<&str> = first
            .split_whitespace()
            .filter(|w| w.contains('’') || w.contains('\''))
            .collect();
        assert!(!elided.is_empty());
        for word in elided {
            let after = word.split(['’', '\'']).nth(1).unwrap_or_default();
            assert!(
                after.starts_with(['a', 'e', 'i', 'o', 'u', 'à', 'è', 'é', 'ì', 'ò', 'ù']),
                "{word}"
            );
        }
    }

    #[test]
    fn every_number_has_its_own_name() {
        let names: std::collections::HashSet<String> = (0..100_000).map(super::name_of).collect();
        assert_eq!(names.len(), 100_000);
    }
}
