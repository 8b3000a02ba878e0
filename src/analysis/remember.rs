//! Analyses a text once however many fields index it. An article's title and body each feed
//! several fields (`title`, `body`, `text`, `exact`), and tantivy runs each field's analyzer on
//! its own copy; the stages the analyzers share are the costly part. Each thread remembers the
//! tokens of the last texts it analysed and replays them when the same text comes again.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use tantivy::tokenizer::{BoxTokenStream, TextAnalyzer, Token, TokenStream, Tokenizer};

/// An article's title and body: tantivy indexes a document's fields one after the other, so
/// these are the texts that come again.
const REMEMBERED_TEXTS: usize = 2;

/// Longer texts are analysed afresh each time: their tokens would hold many times their size.
const MAX_REMEMBERED_BYTES: usize = 64 * 1024;

struct Analysed {
    text: String,
    tokens: Rc<Tokens>,
}

/// The tokens of one text, their words laid end to end in one string (one allocation per
/// text, not one per word).
#[derive(Default)]
pub(crate) struct Tokens {
    words: String,
    /// Each token with the end of its word in `words`, and `text` left empty.
    tokens: Vec<(usize, Token)>,
}

impl Tokens {
    fn push(&mut self, token: &Token) {
        self.words.push_str(&token.text);
        let bare = Token {
            text: String::new(),
            ..*token
        };
        self.tokens.push((self.words.len(), bare));
    }

    /// Copies token `at` into `into`, reusing its buffer.
    fn copy(&self, at: usize, into: &mut Token) -> bool {
        let Some((end, token)) = self.tokens.get(at) else {
            return false;
        };
        let start = at.checked_sub(1).map_or(0, |before| self.tokens[before].0);
        into.text.clear();
        into.text.push_str(&self.words[start..*end]);
        into.offset_from = token.offset_from;
        into.offset_to = token.offset_to;
        into.position = token.position;
        into.position_length = token.position_length;
        true
    }
}

thread_local! {
    static RECENT: RefCell<VecDeque<Analysed>> = const { RefCell::new(VecDeque::new()) };
}

/// A tokenizer that runs its analyzer on a text not seen lately on this thread, and replays the
/// tokens it gave when the text comes again. The memory is one per thread, shared by every
/// `Remembered`: all must wrap the same stages (`analysis::words` builds them).
#[derive(Clone)]
pub(crate) struct Remembered(pub TextAnalyzer);

impl Tokenizer for Remembered {
    type TokenStream<'a> = RememberedStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> RememberedStream<'a> {
        if text.len() > MAX_REMEMBERED_BYTES {
            return RememberedStream::Live(self.0.token_stream(text));
        }
        let known = RECENT.with_borrow(|recent| {
            recent
                .iter()
                .find(|analysed| analysed.text == text)
                .map(|analysed| Rc::clone(&analysed.tokens))
        });
        let tokens = known.unwrap_or_else(|| {
            let mut stream = self.0.token_stream(text);
            let mut tokens = Tokens::default();
            while let Some(token) = stream.next() {
                tokens.push(token);
            }
            let tokens = Rc::new(tokens);
            RECENT.with_borrow_mut(|recent| {
                if recent.len() == REMEMBERED_TEXTS {
                    recent.pop_front();
                }
                recent.push_back(Analysed {
                    text: text.to_string(),
                    tokens: Rc::clone(&tokens),
                });
            });
            tokens
        });
        RememberedStream::Replay {
            tokens,
            next: 0,
            token: Token::default(),
        }
    }
}

pub(crate) enum RememberedStream<'a> {
    Live(BoxTokenStream<'a>),
    Replay {
        tokens: Rc<Tokens>,
        next: usize,
        /// The token served, a copy the next filters may edit.
        token: Token,
    },
}

impl TokenStream for RememberedStream<'_> {
    fn advance(&mut self) -> bool {
        match self {
            RememberedStream::Live(stream) => stream.advance(),
            RememberedStream::Replay {
                tokens,
                next,
                token,
            } => {
                let copied = tokens.copy(*next, token);
                *next += 1;
                copied
            }
        }
    }

    fn token(&self) -> &Token {
        match self {
            RememberedStream::Live(stream) => stream.token(),
            RememberedStream::Replay { token, .. } => token,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self {
            RememberedStream::Live(stream) => stream.token_mut(),
            RememberedStream::Replay { token, .. } => token,
        }
    }
}
