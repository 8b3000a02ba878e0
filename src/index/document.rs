//! An article as tantivy indexes it. Its title and body each feed several fields; tantivy's own
//! document type would hold a copy of them per field, this one lends the article's text to
//! every field instead.

use std::iter::{Chain, Empty, Flatten, Map, Repeat, Zip};

use tantivy::DateTime;
use tantivy::schema::document::{ReferenceValue, ReferenceValueLeaf};
use tantivy::schema::{Document, Field, Value};

use super::{Fields, indexed_date};
use crate::ingest::Article;

/// The values of an article document, one per field it fills (see [`ArticleDocument::values`]).
const VALUES: usize = 15;

/// One article found in the file `file`, with its story and the bands its copies are found by
/// (see [`super::stories`]).
pub(crate) struct ArticleDocument {
    fields: Fields,
    article: Article,
    file: String,
    story: u64,
    bands: Vec<u64>,
}

/// Where an article is from and what story it tells.
pub(crate) struct Lineage<'a> {
    pub file: &'a str,
    pub story: u64,
    pub bands: Option<&'a [u64]>,
}

impl ArticleDocument {
    pub fn new(fields: Fields, article: Article, lineage: Lineage) -> Self {
        ArticleDocument {
            fields,
            article,
            file: lineage.file.to_string(),
            story: lineage.story,
            bands: lineage.bands.map(<[u64]>::to_vec).unwrap_or_default(),
        }
    }

    fn values(&self) -> [Option<(Field, Leaf<'_>)>; VALUES] {
        let (f, a) = (&self.fields, &self.article);
        fn text(field: Field, value: &str) -> Option<(Field, Leaf<'_>)> {
            Some((field, Leaf::Text(value)))
        }
        fn optional(field: Field, value: &Option<String>) -> Option<(Field, Leaf<'_>)> {
            value.as_deref().and_then(|value| text(field, value))
        }
        [
            Some((f.story, Leaf::Number(self.story))),
            text(f.id, &a.id),
            text(f.path, &a.path),
            text(f.file, &self.file),
            text(f.title, &a.title),
            text(f.headline, &a.title),
            text(f.body, &a.body),
            // The exact forms of title and body, the title twice: the exact-form bonus weighs a
            // title word as two body words.
            text(f.exact, &a.title),
            text(f.exact, &a.title),
            text(f.exact, &a.body),
            optional(f.section, &a.section),
            optional(f.url, &a.url),
            optional(f.source, &a.source),
            optional(f.author, &a.author),
            a.date.map(|date| (f.date, Leaf::Date(indexed_date(date)))),
        ]
    }
}

type Bands<'a> =
    Map<Zip<Repeat<Field>, std::vec::IntoIter<u64>>, fn((Field, u64)) -> (Field, Leaf<'a>)>;

impl Document for ArticleDocument {
    type Value<'a> = Leaf<'a>;
    type FieldsValuesIter<'a> =
        Chain<Flatten<std::array::IntoIter<Option<(Field, Leaf<'a>)>, VALUES>>, Bands<'a>>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        fn band<'a>((field, band): (Field, u64)) -> (Field, Leaf<'a>) {
            (field, Leaf::Number(band))
        }
        let bands = std::iter::repeat(self.fields.bands)
            .zip(self.bands.clone())
            .map(band as fn((Field, u64)) -> (Field, Leaf<'static>));
        self.values().into_iter().flatten().chain(bands)
    }
}

/// A value lent to tantivy: text, a number or a date.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Leaf<'a> {
    Text(&'a str),
    Number(u64),
    Date(DateTime),
}

impl<'a> Value<'a> for Leaf<'a> {
    type ArrayIter = Empty<Leaf<'a>>;
    type ObjectIter = Empty<(&'a str, Leaf<'a>)>;

    fn as_value(&self) -> ReferenceValue<'a, Self> {
        ReferenceValue::Leaf(match *self {
            Leaf::Text(text) => ReferenceValueLeaf::Str(text),
            Leaf::Number(number) => ReferenceValueLeaf::U64(number),
            Leaf::Date(date) => ReferenceValueLeaf::Date(date),
        })
    }
}
