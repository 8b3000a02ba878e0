//! Builds the tantivy schema from `schema/emeroteca.schema.json`, so the schema is data that
//! can be read and versioned, and hands the rest of the code typed field handles.

use serde::Deserialize;
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions,
};

use crate::analysis;

const SCHEMA_JSON: &str = include_str!("../../schema/emeroteca.schema.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemaFile {
    version: u32,
    fields: Vec<FieldSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldSpec {
    name: String,
    #[serde(rename = "type")]
    kind: FieldKind,
    stored: bool,
    indexed: bool,
    fast: bool,
    analyzer: Option<String>,
    positions: Option<bool>,
}

#[derive(Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum FieldKind {
    Text,
    String,
    Date,
    U64,
}

/// Handles of the schema's fields, looked up once.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub id: Field,
    pub path: Field,
    pub file: Field,
    pub title: Field,
    pub body: Field,
    pub exact: Field,
    /// The title as one term, for queries that repeat it (see [`crate::analysis::headline`]).
    pub headline: Field,
    pub section: Field,
    pub date: Field,
    pub url: Field,
    pub source: Field,
    pub author: Field,
    /// The story an article belongs to: it and its copies (see [`super::stories`]).
    pub story: Field,
    /// The MinHash bands copies are found by.
    pub bands: Field,
}

impl Fields {
    /// Names of the fast fields read by name (tantivy's column API takes names).
    pub const FILE: &'static str = "file";
    pub const SECTION: &'static str = "section";
    pub const DATE: &'static str = "date";
    pub const STORY: &'static str = "story";
}

/// The schema emeroteca builds indexes with.
#[derive(Clone)]
pub struct IndexSchema {
    pub version: u32,
    pub schema: Schema,
    pub fields: Fields,
}

impl IndexSchema {
    /// The schema embedded from `schema/emeroteca.schema.json`.
    pub fn load() -> IndexSchema {
        // The file is compiled in and covered by tests, so a parse failure is a build defect.
        let file: SchemaFile =
            serde_json::from_str(SCHEMA_JSON).expect("schema/emeroteca.schema.json is valid");
        build(&file).expect("schema/emeroteca.schema.json names every field emeroteca uses")
    }
}

fn build(file: &SchemaFile) -> Result<IndexSchema, String> {
    let mut builder = Schema::builder();
    for spec in &file.fields {
        match spec.kind {
            FieldKind::Text | FieldKind::String => {
                builder.add_text_field(&spec.name, text_options(spec)?);
            }
            FieldKind::Date => {
                let mut options = DateOptions::default().set_precision(DateTimePrecision::Seconds);
                if spec.indexed {
                    options = options.set_indexed();
                }
                if spec.stored {
                    options = options.set_stored();
                }
                if spec.fast {
                    options = options.set_fast();
                }
                builder.add_date_field(&spec.name, options);
            }
            FieldKind::U64 => {
                let mut options = NumericOptions::default();
                if spec.indexed {
                    options = options.set_indexed();
                }
                if spec.stored {
                    options = options.set_stored();
                }
                if spec.fast {
                    options = options.set_fast();
                }
                builder.add_u64_field(&spec.name, options);
            }
        }
    }
    let schema = builder.build();
    Ok(IndexSchema {
        version: file.version,
        fields: fields(&schema)?,
        schema,
    })
}

/// A text or string field's options (a string's analyzer is `raw`).
fn text_options(spec: &FieldSpec) -> Result<TextOptions, String> {
    let analyzer = match (spec.kind, &spec.analyzer) {
        (FieldKind::Text, Some(name)) => name.as_str(),
        (FieldKind::Text, None) => return Err(format!("{}: no analyzer", spec.name)),
        _ => "raw",
    };
    let mut options = TextOptions::default();
    if spec.indexed {
        let positions = spec.positions.unwrap_or(analyzer == analysis::ITALIAN);
        let record = match (spec.kind, positions) {
            (FieldKind::Text, true) => IndexRecordOption::WithFreqsAndPositions,
            (FieldKind::Text, false) if analyzer != analysis::KEYWORD => {
                IndexRecordOption::WithFreqs
            }
            _ => IndexRecordOption::Basic,
        };
        options = options.set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(record),
        );
    }
    if spec.stored {
        options = options.set_stored();
    }
    if spec.fast {
        // Columns keep the value as written: `Esteri`, not the folded term.
        options = options.set_fast("raw");
    }
    Ok(options)
}

/// The handles of the fields emeroteca uses; an error names a field the schema lacks.
fn fields(schema: &Schema) -> Result<Fields, String> {
    let field = |name: &str| {
        schema
            .get_field(name)
            .map_err(|_| format!("missing field `{name}`"))
    };
    Ok(Fields {
        id: field("id")?,
        path: field("path")?,
        file: field("file")?,
        title: field("title")?,
        body: field("body")?,
        exact: field("exact")?,
        headline: field("headline")?,
        section: field("section")?,
        date: field("date")?,
        url: field("url")?,
        source: field("source")?,
        author: field("author")?,
        story: field("story")?,
        bands: field("bands")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_file_builds() {
        let schema = IndexSchema::load();
        assert!(schema.version >= 1);
        assert_eq!(schema.schema.get_field_name(schema.fields.title), "title");
    }

    #[test]
    fn every_analyzer_the_schema_names_is_registered() {
        let schema = IndexSchema::load().schema;
        let index = tantivy::Index::create_in_ram(schema.clone());
        analysis::register(&index);
        for (_, entry) in schema.fields() {
            let tantivy::schema::FieldType::Str(options) = entry.field_type() else {
                continue;
            };
            if let Some(indexing) = options.get_indexing_options() {
                let analyzer = indexing.tokenizer();
                assert!(
                    analyzer == "raw" || index.tokenizers().get(analyzer).is_some(),
                    "field {} names unknown analyzer {analyzer}",
                    entry.name()
                );
            }
        }
    }

    #[test]
    fn a_text_field_without_analyzer_is_refused() {
        let file: SchemaFile = serde_json::from_str(
            r#"{"version": 1, "fields": [{"name": "title", "type": "text",
                "stored": true, "indexed": true, "fast": false}]}"#,
        )
        .unwrap();
        assert!(build(&file).is_err());
    }
}
