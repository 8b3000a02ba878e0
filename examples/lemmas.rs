//! Converts spaCy's Italian lemma lookup table (`it_lemma_lookup.json.gz` of the
//! `spacy-lookups-data` package, MIT) into the files the analyzer embeds:
//!
//!     cargo run --example lemmas -- it_lemma_lookup.json.gz schema/
//!
//! `lemmas_it.txt` holds each lemma once, one a line; `lemmas_it.fst` maps each word form to the
//! byte offset of its lemma's line. Forms and lemmas are lowercased and accent-folded as the
//! analyzer's tokens are when they reach the stemmer; a form that is its own lemma is left out.
//! `schema/lemmas.sh` fetches the table and runs this.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::BufReader;
use std::path::PathBuf;

use anyhow::Context;
use emeroteca::analysis::fold_accents;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [table, out] = args.as_slice() else {
        anyhow::bail!("usage: lemmas it_lemma_lookup.json.gz OUT_DIR");
    };
    let reader = flate2::read::GzDecoder::new(BufReader::new(File::open(table)?));
    let lookup: BTreeMap<String, String> =
        serde_json::from_reader(reader).context("the table is a JSON object of strings")?;
    let normal = |word: &str| fold_accents(&word.to_lowercase());
    // Forms that fold alike keep the first lemma in the table's (sorted) order.
    let mut forms: BTreeMap<String, String> = BTreeMap::new();
    for (form, lemma) in &lookup {
        let (form, lemma) = (normal(form), normal(lemma));
        let word = |w: &str| !w.is_empty() && w.chars().all(char::is_alphabetic);
        if form != lemma && word(&form) && word(&lemma) {
            forms.entry(form).or_insert(lemma);
        }
    }
    let mut offsets: BTreeMap<&str, u64> = BTreeMap::new();
    let mut lemmas = String::new();
    for lemma in forms.values() {
        offsets.entry(lemma).or_insert_with(|| {
            let at = lemmas.len() as u64;
            lemmas.push_str(lemma);
            lemmas.push('\n');
            at
        });
    }
    let mut map = fst::MapBuilder::memory();
    for (form, lemma) in &forms {
        map.insert(form, offsets[lemma.as_str()])?;
    }
    let out = PathBuf::from(out);
    fs::write(out.join("lemmas_it.fst"), map.into_inner()?)?;
    fs::write(out.join("lemmas_it.txt"), &lemmas)?;
    eprintln!("{} forms, {} lemmas", forms.len(), offsets.len());
    Ok(())
}
