//! Splits text into words: runs of letters and digits, keeping the apostrophes that sit inside or
//! right after a word (`dell’Ucraina`, `citta'`, `po’`), which the Italian filters then interpret.
//! Everything else (spaces, hyphens, punctuation, quotes) separates words, so `nord-coreano`
//! gives `nord` and `coreano`.

use std::str::CharIndices;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Apostrophes as typed or typeset: straight, typographic, reversed, modifier letter, and the
/// grave/acute accents old archives used in their place.
pub fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | '‛' | 'ʼ' | '`' | '´')
}

/// Tokenizer for Italian prose; see the module documentation.
#[derive(Clone, Default)]
pub struct WordTokenizer;

pub struct WordTokenStream<'a> {
    text: &'a str,
    chars: std::iter::Peekable<CharIndices<'a>>,
    token: Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        WordTokenStream {
            text,
            chars: text.char_indices().peekable(),
            token: Token::default(),
        }
    }
}

impl WordTokenStream<'_> {
    /// Consumes the rest of a word starting at `start`; returns its end offset.
    fn word_end(&mut self, start: usize) -> usize {
        let mut end = start;
        while let Some(&(offset, c)) = self.chars.peek() {
            if c.is_alphanumeric() {
                self.chars.next();
                end = offset + c.len_utf8();
            } else if is_apostrophe(c) {
                // Keep the apostrophe: inside a word (l’arma) or at its end (citta', po’).
                self.chars.next();
                end = offset + c.len_utf8();
                match self.chars.peek() {
                    Some(&(_, next)) if next.is_alphanumeric() => continue,
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
        while let Some((offset, c)) = self.chars.next() {
            if c.is_alphanumeric() {
                let end = self.word_end(offset + c.len_utf8());
                self.token.text.clear();
                self.token.text.push_str(&self.text[offset..end]);
                self.token.offset_from = offset;
                self.token.offset_to = end;
                self.token.position = self.token.position.wrapping_add(1);
                return true;
            }
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
