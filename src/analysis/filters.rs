//! The Italian token filters. Each is a small [`TokenRewrite`] rule that edits a token in place or
//! drops it; [`Rewrite`] turns any rule into a tantivy `TokenFilter`, so the rules stay free of
//! tantivy's plumbing and each can be read (and tested) on its own.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use rust_stemmers::{Algorithm, Stemmer};
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::tokenizer::is_apostrophe;

/// One rewriting rule of the analyzer chain.
pub(crate) trait TokenRewrite: Clone + Send + Sync + 'static {
    /// Edits `token`; returns `false` to drop it (its position stays taken, so phrases still
    /// see the gap a removed word leaves).
    fn rewrite(&mut self, token: &mut Token) -> bool;
}

/// Adapts a [`TokenRewrite`] rule into a tantivy `TokenFilter`.
#[derive(Clone)]
pub(crate) struct Rewrite<R>(pub R);

impl<R: TokenRewrite> TokenFilter for Rewrite<R> {
    type Tokenizer<T: Tokenizer> = RewriteTokenizer<T, R>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> RewriteTokenizer<T, R> {
        RewriteTokenizer {
            inner: tokenizer,
            rule: self.0,
        }
    }
}

#[derive(Clone)]
pub(crate) struct RewriteTokenizer<T, R> {
    inner: T,
    rule: R,
}

impl<T: Tokenizer, R: TokenRewrite> Tokenizer for RewriteTokenizer<T, R> {
    type TokenStream<'a> = RewriteTokenStream<'a, T::TokenStream<'a>, R>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        RewriteTokenStream {
            tail: self.inner.token_stream(text),
            rule: &mut self.rule,
        }
    }
}

pub(crate) struct RewriteTokenStream<'a, T, R> {
    tail: T,
    rule: &'a mut R,
}

impl<T: TokenStream, R: TokenRewrite> TokenStream for RewriteTokenStream<'_, T, R> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            if self.rule.rewrite(self.tail.token_mut()) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Drops an elided article or preposition and its apostrophe: `dell’impero` → `impero`,
/// `un'arma` → `arma`; a lone `l’` (typed before a space) disappears. The token's start moves past
/// the apostrophe, so a snippet marks `Ucraina` in `l’Ucraina`, not the article.
/// Other apostrophes are written as `'`, so `O’Neill` and `O'Neill` are one term.
#[derive(Clone)]
pub(crate) struct Elision {
    articles: Arc<HashSet<String>>,
}

impl Elision {
    pub fn new(articles: HashSet<String>) -> Self {
        Elision {
            articles: Arc::new(articles),
        }
    }
}

impl TokenRewrite for Elision {
    fn rewrite(&mut self, token: &mut Token) -> bool {
        // Most words have no apostrophe: rule them out on bytes (every apostrophe starts with
        // one of these) before decoding characters.
        if !token
            .text
            .bytes()
            .any(|b| matches!(b, b'\'' | b'`' | 0xC2 | 0xCA | 0xE2))
        {
            return true;
        }
        let Some((at, apostrophe)) = token.text.char_indices().find(|&(_, c)| is_apostrophe(c))
        else {
            return true;
        };
        // Lowercase here too: the names analyzer elides before it lowercases (L’Italia).
        let prefix = token.text[..at].to_lowercase();
        if self.articles.contains(&prefix) {
            let rest_start = at + apostrophe.len_utf8();
            if rest_start == token.text.len() {
                return false;
            }
            // Elisions are ASCII, so their byte length is the same in the original text.
            token.offset_from += rest_start;
            token.text.drain(..rest_start);
        }
        if token.text.chars().any(is_apostrophe) {
            token.text = token
                .text
                .chars()
                .map(|c| if is_apostrophe(c) { '\'' } else { c })
                .collect();
        }
        true
    }
}

/// A whole title as one term, as a person pastes or types it: runs of spaces and the kind of
/// apostrophe do not count, every other character does.
#[derive(Clone)]
pub(crate) struct Headline;

impl TokenRewrite for Headline {
    fn rewrite(&mut self, token: &mut Token) -> bool {
        let spaced = token.text.split_whitespace().collect::<Vec<_>>().join(" ");
        token.text = spaced
            .chars()
            .map(|c| if is_apostrophe(c) { '\'' } else { c })
            .collect();
        !token.text.is_empty()
    }
}

/// Replaces a term by its 64-bit hash in hex: a whole title is compared only for equality, and
/// sixteen characters make a smaller term dictionary than a title of sixty.
#[derive(Clone)]
pub(crate) struct Hashed;

impl TokenRewrite for Hashed {
    fn rewrite(&mut self, token: &mut Token) -> bool {
        token.text = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(token.text.as_bytes()));
        true
    }
}

/// What a name's second term starts with: no analysed word can (words are letters and digits).
pub(crate) const NAME_MARK: char = '^';

/// After each word written with a capital in the text (`Draghi`, the `Aquila` of `L’Aquila`),
/// adds its term again marked as a name (`^draghi`), at the same position. One field then holds
/// both the exact forms and the names, for the price of one analysis.
#[derive(Clone)]
pub(crate) struct MarkNames;

impl TokenFilter for MarkNames {
    type Tokenizer<T: Tokenizer> = MarkNamesTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> MarkNamesTokenizer<T> {
        MarkNamesTokenizer(tokenizer)
    }
}

#[derive(Clone)]
pub(crate) struct MarkNamesTokenizer<T>(T);

impl<T: Tokenizer> Tokenizer for MarkNamesTokenizer<T> {
    type TokenStream<'a> = MarkNamesStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MarkNamesStream {
            text,
            tail: self.0.token_stream(text),
            mark: Token::default(),
            mark_next: false,
            on_mark: false,
        }
    }
}

pub(crate) struct MarkNamesStream<'a, T> {
    /// The original text: whether a word had a capital is read there, after lowercasing.
    text: &'a str,
    tail: T,
    mark: Token,
    /// The token just served was written with a capital: its mark comes next.
    mark_next: bool,
    /// The mark is being served.
    on_mark: bool,
}

impl<T: TokenStream> TokenStream for MarkNamesStream<'_, T> {
    fn advance(&mut self) -> bool {
        if self.mark_next {
            self.mark_next = false;
            self.on_mark = true;
            self.mark.clone_from(self.tail.token());
            self.mark.text.insert(0, NAME_MARK);
            return true;
        }
        self.on_mark = false;
        if !self.tail.advance() {
            return false;
        }
        let start = self.tail.token().offset_from;
        self.mark_next = self
            .text
            .get(start..)
            .is_some_and(|rest| rest.starts_with(char::is_uppercase));
        true
    }

    fn token(&self) -> &Token {
        if self.on_mark {
            &self.mark
        } else {
            self.tail.token()
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        if self.on_mark {
            &mut self.mark
        } else {
            self.tail.token_mut()
        }
    }
}

/// Truncations that end in an apostrophe and are words as they are (`un po’`, `a mo’ di`).
const TRUNCATIONS: &[&str] = &["po", "mo"];

/// Reads a trailing apostrophe as the accent that typewriters and old archives could not write:
/// `citta'` → `città`, `perche'` → `perché`, `piu'` → `più`, `e'` → `è`. `po'` stays `po`.
/// After a consonant the apostrophe is a closing quote and is dropped.
#[derive(Clone)]
pub(crate) struct ApostropheAccent;

impl TokenRewrite for ApostropheAccent {
    fn rewrite(&mut self, token: &mut Token) -> bool {
        if token.text.ends_with('\'') {
            token.text.pop();
            if TRUNCATIONS.contains(&token.text.as_str()) {
                return true;
            }
            let accented = match token.text.chars().last() {
                // perché, poiché, affinché, nonché: the conjunctions in -ché take the acute accent.
                Some('e') if token.text.ends_with("che") => Some('é'),
                Some('a') => Some('à'),
                Some('e') => Some('è'),
                Some('i') => Some('ì'),
                Some('o') => Some('ò'),
                Some('u') => Some('ù'),
                _ => None,
            };
            if let Some(accented) = accented {
                token.text.pop();
                token.text.push(accented);
            }
        }
        !token.text.is_empty()
    }
}

/// Removes stop words, in their accented spelling and in the unaccented one old archives and
/// hasty typists use (`più`/`piu`), so that `perche` in a query does not ask for a term no
/// article can hold.
#[derive(Clone)]
pub(crate) struct StopWords {
    words: Arc<FxHashSet<String>>,
}

impl StopWords {
    pub fn new(words: HashSet<String>) -> Self {
        let folded: Vec<String> = words.iter().map(|w| fold_accents(w)).collect();
        StopWords {
            words: Arc::new(words.into_iter().chain(folded).collect()),
        }
    }
}

impl TokenRewrite for StopWords {
    fn rewrite(&mut self, token: &mut Token) -> bool {
        !self.words.contains(&token.text)
    }
}

/// Snowball Italian stemming (rust-stemmers), with two corrections for the gender and number
/// pairs Snowball splits, and a cache: news repeats the same words (Zipf), and stemming is most of
/// the analyzer's cost.
///
/// - Snowball strips `-ano`, `-ono`, `-ando` as verb endings but keeps their feminine and plural
///   twins: `nordcoreano` → `nordcor`, `nordcoreani` → `nordcorean`. A word in `-o` takes the stem
///   of its plural in `-i`, so the four forms of an adjective or noun share a stem (at the cost of
///   tying `parlano` to `parlan` rather than to `parlare`; news is searched for names and things).
/// - In short words Snowball leaves the final vowel (`arma`, `armi`): a stem of four or more
///   letters loses it, and a final `ch`/`gh` loses its `h` (`righe`, `riga`), which only marks
///   the hard sound before `e` and `i`.
///
/// The lemma's stem is indexed beside the word's own when the two differ (see
/// [`super::lemma`]): Snowball splits forms people use interchangeably (`alza` → `alz`, `alzare`
/// → `alzar`; `tastiera`, `tastiere`), and the second term at the same position makes them meet,
/// as a synonym filter does, while every match Snowball makes is kept. Phrases and proximity see
/// one position.
#[derive(Clone)]
pub(crate) struct Stem;

/// Each thread's cache is cleared when it grows past this many words, which bounds its memory.
const STEM_CACHE_WORDS: usize = 300_000;

/// A word's stem, and its lemma's stem when that differs.
type Stems = (String, Option<String>);

thread_local! {
    /// Per thread, so every analyzer a thread builds (one per query, one per indexing segment)
    /// shares the words already stemmed, and no lock is taken.
    static STEMS: RefCell<(Stemmer, FxHashMap<String, Stems>)> =
        RefCell::new((Stemmer::create(Algorithm::Italian), FxHashMap::default()));
}

/// The stem of a lowercase, accent-folded word; see [`Stem`].
fn stem(stemmer: &Stemmer, word: &str) -> String {
    let mut stem = stemmer.stem(word).into_owned();
    if let Some(base) = word.strip_suffix('o').filter(|base| base.len() >= 3) {
        let plural = stemmer.stem(&format!("{base}i")).into_owned();
        if plural != stem {
            stem = plural;
        }
    }
    if stem.chars().count() >= 4 && stem.ends_with(['a', 'e', 'i', 'o']) {
        stem.pop();
    }
    if stem.ends_with("ch") || stem.ends_with("gh") {
        stem.pop();
    }
    stem
}

/// The word's stem, and its lemma's when the lemma stems otherwise.
fn stems(stemmer: &Stemmer, word: &str) -> Stems {
    let own = stem(stemmer, word);
    let of_lemma = super::lemma(word)
        .map(|lemma| stem(stemmer, lemma))
        .filter(|of_lemma| *of_lemma != own);
    (own, of_lemma)
}

impl TokenFilter for Stem {
    type Tokenizer<T: Tokenizer> = StemTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> StemTokenizer<T> {
        StemTokenizer(tokenizer)
    }
}

#[derive(Clone)]
pub(crate) struct StemTokenizer<T>(T);

impl<T: Tokenizer> Tokenizer for StemTokenizer<T> {
    type TokenStream<'a> = StemStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StemStream {
            tail: self.0.token_stream(text),
            lemma: None,
        }
    }
}

pub(crate) struct StemStream<T> {
    tail: T,
    /// The lemma's stem of the last word, given next at the same position.
    lemma: Option<String>,
}

impl<T: TokenStream> TokenStream for StemStream<T> {
    fn advance(&mut self) -> bool {
        if let Some(lemma) = self.lemma.take() {
            self.tail.token_mut().text = lemma;
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        STEMS.with_borrow_mut(|(stemmer, cache)| {
            if let Some((own, lemma)) = cache.get(&token.text) {
                token.text.clone_from(own);
                self.lemma.clone_from(lemma);
                return;
            }
            if cache.len() >= STEM_CACHE_WORDS {
                cache.clear();
            }
            let (own, lemma) = stems(stemmer, &token.text);
            let word = std::mem::replace(&mut token.text, own.clone());
            self.lemma.clone_from(&lemma);
            cache.insert(word, (own, lemma));
        });
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Folds diacritics: `città` → `citta`, `Pogačar` → `pogacar`.
#[derive(Clone)]
pub(crate) struct FoldAccents;

impl TokenRewrite for FoldAccents {
    fn rewrite(&mut self, token: &mut Token) -> bool {
        if !token.text.is_ascii() {
            token.text = fold_accents(&token.text);
        }
        true
    }
}

/// `text` without its diacritics (canonical decomposition, combining marks removed).
pub fn fold_accents(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    text.nfd().filter(|&c| !is_combining_mark(c)).collect()
}
