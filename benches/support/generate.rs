//! A deterministic generator of Italian news archives, for benchmarks and tests: the same seed
//! and size give the same files, byte for byte.
//!
//! Words are drawn with a Zipf distribution from an Italian vocabulary in all its inflected
//! forms, noun phrases take their article (elided before a vowel, with `’` or `'`), sentences
//! carry accented words, and articles are written in the proportions of a real archive: mostly
//! `.txt` in the archive's layout (some gzip-compressed), some `.html` pages with their noise,
//! some `.json` files and `.jsonl` dumps (some gzip-compressed). Lengths are news lengths: text
//! of 3.5 KB at the median with a tail to 20 KB, headlines of 8 to 15 words, pages three times
//! heavier than their article. Three stories in a hundred are wire stories published again under
//! another headline, one word for word, two with a byline added and a paragraph cut.

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

/// Draws indexes 0..n with probability proportional to 1/(rank+1): a few words are everywhere,
/// most are rare, as in news.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize) -> Zipf {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|rank| {
                total += 1.0 / (rank as f64 + 1.0);
                total
            })
            .collect();
        Zipf { cumulative }
    }

    fn draw(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        self.cumulative
            .partition_point(|&c| c < x)
            .min(self.cumulative.len() - 1)
    }
}

/// Nouns: singular, plural, feminine?
const NOUNS: &[(&str, &str, bool)] = &[
    ("governo", "governi", false),
    ("ministro", "ministri", false),
    ("presidente", "presidenti", false),
    ("città", "città", true),
    ("missile", "missili", false),
    ("accordo", "accordi", false),
    ("elezione", "elezioni", true),
    ("economia", "economie", true),
    ("impresa", "imprese", true),
    ("sindaco", "sindaci", false),
    ("regione", "regioni", true),
    ("esercito", "eserciti", false),
    ("università", "università", true),
    ("ospedale", "ospedali", false),
    ("scuola", "scuole", true),
    ("lavoratore", "lavoratori", false),
    ("sindacato", "sindacati", false),
    ("prezzo", "prezzi", false),
    ("tassa", "tasse", true),
    ("banca", "banche", true),
    ("squadra", "squadre", true),
    ("partita", "partite", true),
    ("allenatore", "allenatori", false),
    ("mostra", "mostre", true),
    ("museo", "musei", false),
    ("ricercatore", "ricercatori", false),
    ("scoperta", "scoperte", true),
    ("alluvione", "alluvioni", true),
    ("incendio", "incendi", false),
    ("sanzione", "sanzioni", true),
    ("guerra", "guerre", true),
    ("confine", "confini", false),
    ("porto", "porti", false),
    ("nave", "navi", true),
    ("aereo", "aerei", false),
    ("treno", "treni", false),
    ("sciopero", "scioperi", false),
    ("riforma", "riforme", true),
    ("legge", "leggi", true),
    ("tribunale", "tribunali", false),
    ("inchiesta", "inchieste", true),
    ("indagine", "indagini", true),
    ("vertice", "vertici", false),
    ("arma", "armi", true),
    ("energia", "energie", true),
    ("impianto", "impianti", false),
    ("ambasciatore", "ambasciatori", false),
    ("opposizione", "opposizioni", true),
    ("manovra", "manovre", true),
    ("inflazione", "inflazioni", true),
    ("agricoltore", "agricoltori", false),
    ("ospite", "ospiti", false),
    ("artista", "artisti", false),
    ("satellite", "satelliti", false),
    ("isola", "isole", true),
    ("autostrada", "autostrade", true),
    ("attività", "attività", true),
    ("società", "società", true),
    ("qualità", "qualità", true),
    ("abitante", "abitanti", false),
];

/// Adjectives: masculine singular, feminine singular, masculine plural, feminine plural.
const ADJECTIVES: &[[&str; 4]] = &[
    ["nuovo", "nuova", "nuovi", "nuove"],
    ["italiano", "italiana", "italiani", "italiane"],
    ["nordcoreano", "nordcoreana", "nordcoreani", "nordcoreane"],
    ["europeo", "europea", "europei", "europee"],
    ["americano", "americana", "americani", "americane"],
    ["russo", "russa", "russi", "russe"],
    ["ucraino", "ucraina", "ucraini", "ucraine"],
    ["grande", "grande", "grandi", "grandi"],
    ["pubblico", "pubblica", "pubblici", "pubbliche"],
    ["economico", "economica", "economici", "economiche"],
    ["politico", "politica", "politici", "politiche"],
    ["militare", "militare", "militari", "militari"],
    ["regionale", "regionale", "regionali", "regionali"],
    [
        "straordinario",
        "straordinaria",
        "straordinari",
        "straordinarie",
    ],
    ["difficile", "difficile", "difficili", "difficili"],
    ["importante", "importante", "importanti", "importanti"],
    ["alto", "alta", "alti", "alte"],
    ["ultimo", "ultima", "ultimi", "ultime"],
    ["locale", "locale", "locali", "locali"],
    [
        "internazionale",
        "internazionale",
        "internazionali",
        "internazionali",
    ],
];

/// Verbs: singular and plural subject.
const VERBS: &[(&str, &str)] = &[
    ("ha annunciato", "hanno annunciato"),
    ("ha approvato", "hanno approvato"),
    ("ha criticato", "hanno criticato"),
    ("ha incontrato", "hanno incontrato"),
    ("ha lanciato", "hanno lanciato"),
    ("ha chiesto", "hanno chiesto"),
    ("ha firmato", "hanno firmato"),
    ("ha bloccato", "hanno bloccato"),
    ("ha presentato", "hanno presentato"),
    ("ha respinto", "hanno respinto"),
    ("sostiene", "sostengono"),
    ("prepara", "preparano"),
    ("difende", "difendono"),
    ("finanzia", "finanziano"),
    ("visita", "visitano"),
    ("controlla", "controllano"),
    ("chiude", "chiudono"),
    ("apre", "aprono"),
    ("riceve", "ricevono"),
    ("attacca", "attaccano"),
];

const PLACES: &[&str] = &[
    "Roma",
    "Milano",
    "Napoli",
    "Torino",
    "Palermo",
    "Genova",
    "Bologna",
    "Firenze",
    "Bari",
    "Venezia",
    "Bruxelles",
    "Parigi",
    "Berlino",
    "Mosca",
    "Kiev",
    "Pyongyang",
    "Seul",
    "Tokyo",
    "Washington",
    "Pechino",
    "Odessa",
    "Ancona",
    "Trieste",
    "Cagliari",
    "Perugia",
    "Aosta",
];

const PEOPLE: &[&str] = &[
    "Rossi", "Bianchi", "Esposito", "Ferrari", "Russo", "Romano", "Colombo", "Ricci", "Marino",
    "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
    "Lombardi", "Moretti", "Kim", "Putin", "Zelensky", "Macron", "Scholz",
];

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

const CONNECTORS: &[&str] = &[
    "Secondo fonti vicine al dossier,",
    "Nel frattempo",
    "Intanto",
    "È la prima volta che",
    "Per questo",
    "Già la settimana scorsa",
    "Anche per questo",
    "Più tardi",
    "Perché, spiegano gli analisti,",
    "Come previsto,",
];

const BOILERPLATE: &str = "Lascia un commento\n\nIl tuo indirizzo email non sarà pubblicato. \
I campi obbligatori sono contrassegnati *\n\nTorna in alto\n";

struct Writer {
    rng: Rng,
    nouns: Zipf,
    adjectives: Zipf,
    verbs: Zipf,
    places: Zipf,
    people: Zipf,
}

fn starts_with_vowel(word: &str) -> bool {
    word.starts_with(['a', 'e', 'i', 'o', 'u', 'à', 'è'])
}

impl Writer {
    fn apostrophe(&mut self) -> &'static str {
        if self.rng.chance(85) { "’" } else { "'" }
    }

    /// `il governo`, `l’esercito`, `delle nuove scuole`: a noun, maybe an adjective, and its
    /// article, joined to a preposition (`di`, `a`, `da`, `su`) when one is given.
    fn noun_phrase(&mut self, preposition: Option<&str>) -> (String, bool) {
        let (singular, plural, feminine) = NOUNS[self.nouns.draw(&mut self.rng)];
        let is_plural = self.rng.chance(35);
        let noun = if is_plural { plural } else { singular };
        let adjective = self.rng.chance(45).then(|| {
            let forms = ADJECTIVES[self.adjectives.draw(&mut self.rng)];
            forms[usize::from(feminine) + 2 * usize::from(is_plural)]
        });
        // A few adjectives go before the noun, and then choose the article.
        let leading = adjective
            .filter(|a| a.starts_with("nuov") || a.starts_with("grand") || a.starts_with("ultim"));
        let first = leading.unwrap_or(noun);
        let article = match (feminine, is_plural) {
            (_, false) if starts_with_vowel(first) => "l",
            (false, false)
                if first.starts_with('z')
                    || (first.starts_with('s') && !starts_with_vowel(&first[1..])) =>
            {
                "lo"
            }
            (false, false) => "il",
            (true, false) => "la",
            (false, true)
                if starts_with_vowel(first) || first.starts_with('z') || first.starts_with('s') =>
            {
                "gli"
            }
            (false, true) => "i",
            (true, true) => "le",
        };
        let article = match preposition {
            None => article.to_string(),
            Some(p) => {
                let base = if p == "di" { "de" } else { p };
                match article {
                    "il" => format!("{base}l"),
                    "i" => format!("{base}i"),
                    "gli" => format!("{base}gli"),
                    other => format!("{base}l{other}"),
                }
            }
        };
        let joiner = if article == "l" || article.ends_with("ll") {
            self.apostrophe()
        } else {
            " "
        };
        let phrase = match (adjective, leading) {
            (Some(_), Some(adj)) => format!("{article}{joiner}{adj} {noun}"),
            (Some(adj), None) => format!("{article}{joiner}{noun} {adj}"),
            (None, _) => format!("{article}{joiner}{noun}"),
        };
        (phrase, is_plural)
    }

    fn sentence(&mut self) -> String {
        let (subject, plural) = if self.rng.chance(30) {
            (PEOPLE[self.people.draw(&mut self.rng)].to_string(), false)
        } else {
            self.noun_phrase(None)
        };
        let (singular, plural_form) = VERBS[self.verbs.draw(&mut self.rng)];
        let verb = if plural { plural_form } else { singular };
        let (object, _) = self.noun_phrase(None);
        let mut sentence = format!("{subject} {verb} {object}");
        if self.rng.chance(60) {
            let preposition = *self.rng.pick(&["di", "a", "da", "su"]);
            let (complement, _) = self.noun_phrase(Some(preposition));
            sentence.push(' ');
            sentence.push_str(&complement);
        }
        if self.rng.chance(50) {
            sentence.push_str(" a ");
            sentence.push_str(PLACES[self.places.draw(&mut self.rng)]);
        }
        if self.rng.chance(25) {
            let connector = *self.rng.pick(CONNECTORS);
            sentence = format!("{connector} {sentence}");
        }
        if self.rng.chance(15) {
            sentence.push_str(", più di quanto previsto");
        }
        let mut chars = sentence.chars();
        let first = chars
            .next()
            .map(|c| c.to_uppercase().collect::<String>())
            .unwrap_or_default();
        format!("{first}{}.", chars.as_str())
    }

    fn paragraph(&mut self) -> String {
        let n = 2 + self.rng.below(4);
        (0..n)
            .map(|_| self.sentence())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A headline of 8 to 15 words: a place, then a sentence (two when one is short).
    fn title(&mut self) -> String {
        let place = PLACES[self.places.draw(&mut self.rng)];
        let mut words: Vec<String> = vec![format!("{place},")];
        let longest = 8 + self.rng.below(8);
        while words.len() < 8 {
            let sentence = lowercase_first(self.sentence().trim_end_matches('.'));
            let more = words.len() > 1;
            if let Some(last) = words.last_mut().filter(|_| more) {
                last.push(',');
            }
            words.extend(sentence.split_whitespace().map(str::to_string));
        }
        words.truncate(longest.max(8));
        words.join(" ").trim_end_matches(',').to_string()
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if !PEOPLE.iter().any(|name| text.starts_with(name)) => {
            c.to_lowercase().chain(chars).collect()
        }
        _ => text.to_string(),
    }
}

struct Story {
    id: String,
    title: String,
    section: &'static str,
    date: (u32, u32, u32),
    body: Vec<String>,
}

/// Writes an archive of `articles` articles under `dir`.
pub fn write_archive(dir: &Path, articles: u64, seed: u64) -> io::Result<Generated> {
    let mut writer = Writer {
        rng: Rng(seed),
        nouns: Zipf::new(NOUNS.len()),
        adjectives: Zipf::new(ADJECTIVES.len()),
        verbs: Zipf::new(VERBS.len()),
        places: Zipf::new(PLACES.len()),
        people: Zipf::new(PEOPLE.len()),
    };
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
                    body.insert(
                        0,
                        format!("di {}", PEOPLE[writer.people.draw(&mut writer.rng)]),
                    );
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
        let roll = writer.rng.below(100);
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
        .chain(PLACES.iter().take(30))
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
    fn noun_phrases_elide_before_vowels() {
        let mut writer = super::Writer {
            rng: super::Rng(1),
            nouns: super::Zipf::new(super::NOUNS.len()),
            adjectives: super::Zipf::new(super::ADJECTIVES.len()),
            verbs: super::Zipf::new(super::VERBS.len()),
            places: super::Zipf::new(super::PLACES.len()),
            people: super::Zipf::new(super::PEOPLE.len()),
        };
        let phrases: Vec<String> = (0..500).map(|_| writer.noun_phrase(Some("di")).0).collect();
        assert!(
            phrases
                .iter()
                .any(|p| p.starts_with("dell’") || p.starts_with("dell'"))
        );
        assert!(
            !phrases
                .iter()
                .any(|p| p.starts_with("il e") || p.starts_with("la u"))
        );
    }
}
