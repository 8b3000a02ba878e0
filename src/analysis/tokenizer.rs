//! Splits text into words: runs of letters and digits, keeping the apostrophes that sit inside or
//! right after a word (`dell’Ucraina`, `citta'`, `po’`), which the Italian filters then interpret.
//! Everything else (spaces, hyphens, punctuation, quotes) separates words, so `nord-coreano`
//! gives `nord` and `coreano`.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Apostrophes as typed or typeset: straight, typographic, reversed, modifier letter, and the
/// grave/acute accents old archives used in their place.
pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | '‛' | 'ʼ' | '`' | '´')
}

/// Tokenizer for Italian prose; see the module documentation.
#[derive(Clone, Default)]
pub(crate) struct WordTokenizer;

pub(crate) struct WordTokenStream<'a> {
    text: &'a str,
    /// Byte offset of the next character to look at.
    at: usize,
    token: Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        WordTokenStream {
            text,
            at: 0,
            token: Token::default(),
        }
    }
}

impl WordTokenStream<'_> {
    /// The character at byte offset `at`, decoding only when it is not ASCII (most of the time
    /// in Italian prose it is: this is the indexing's innermost loop).
    fn char_at(&self, at: usize) -> Option<char> {
        let byte = *self.text.as_bytes().get(at)?;
        if byte.is_ascii() {
            Some(char::from(byte))
        } else {
            self.text.get(at..)?.chars().next()
        }
    }

    /// Consumes the rest of a word; returns its end offset.
    fn word_end(&mut self) -> usize {
        let mut end = self.at;
        while let Some(c) = self.char_at(self.at) {
            if c.is_alphanumeric() {
                self.at += c.len_utf8();
                end = self.at;
            } else if is_apostrophe(c) {
                // Keep the apostrophe: inside a word (l’arma) or at its end (citta', po’).
                self.at += c.len_utf8();
                end = self.at;
                match self.char_at(self.at) {
                    Some(next) if next.is_alphanumeric() => continue,
                    _ => break,
                }
            } else {
                break;
            }
        }
        end
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some(c) = self.char_at(self.at) {
            if c.is_alphanumeric() {
                let start = self.at;
                let end = self.word_end();
                self.token.text.clear();
                self.token.text.push_str(&self.text[start..end]);
                self.token.offset_from = start;
                self.token.offset_to = end;
                self.token.position = self.token.position.wrapping_add(1);
                return true;
            }
            self.at += c.len_utf8();
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}
