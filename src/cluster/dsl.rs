//! The query language compiled to OpenSearch's Query DSL: the same parse as the local index,
//! each node as the clause that means the same there (`bool`, `multi_match`, `match_phrase` with
//! slop, `range`, `prefix`, fuzziness), the title weighing twice the body as it does locally.

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::analysis::{self, fold_accents};
use crate::error::QueryError;
use crate::search::SearchRequest;
use crate::search::query::{Node, Target, is_plain_word};

/// Plain words search the title at this weight and the body at 1, as locally.
const TEXT_FIELDS: [&str; 2] = ["title^2", "body"];
const EXACT_FIELDS: [&str; 2] = ["title.exact^2", "body.exact"];

/// The query for `tree`: every plain word required, or (`any`) at least one of them.
pub fn query(tree: &Node, fuzzy: bool, any: bool) -> Result<Value, QueryError> {
    let compiler = Compiler { fuzzy };
    match tree {
        Node::And(children) => compiler.and(children, any),
        Node::Not(_) => Err(only_excluded()),
        other => Ok(compiler.node(other)),
    }
}

/// The filters of `--since`, `--until`, `--section` and `--source`, which do not score.
pub fn filters(request: &SearchRequest) -> Vec<Value> {
    let mut filters = Vec::new();
    if request.since.is_some() || request.until.is_some() {
        filters.push(dates(request.since, request.until));
    }
    for (field, names) in [("section", &request.sections), ("source", &request.sources)] {
        if !names.is_empty() {
            let any: Vec<Value> = names
                .iter()
                .map(|name| json!({ "match": { field: name.trim() } }))
                .collect();
            filters.push(json!({ "bool": { "should": any, "minimum_should_match": 1 } }));
        }
    }
    filters
}

/// Published between two days, inclusive; a missing bound is open.
fn dates(since: Option<NaiveDate>, until: Option<NaiveDate>) -> Value {
    let mut range = serde_json::Map::new();
    if let Some(since) = since {
        range.insert("gte".into(), since.to_string().into());
    }
    if let Some(until) = until {
        range.insert("lte".into(), until.to_string().into());
    }
    json!({ "range": { "date": range } })
}

fn only_excluded() -> QueryError {
    QueryError("the query only excludes words: add a word to search for".into())
}

struct Compiler {
    fuzzy: bool,
}

impl Compiler {
    fn and(&self, children: &[Node], any: bool) -> Result<Value, QueryError> {
        let (mut must, mut should, mut must_not) = (Vec::new(), Vec::new(), Vec::new());
        for child in children {
            match child {
                Node::Not(inner) => must_not.push(self.node(inner)),
                word if any && is_plain_word(word) => should.push(self.node(word)),
                other => must.push(self.node(other)),
            }
        }
        if must.is_empty() && should.is_empty() {
            return Err(only_excluded());
        }
        let mut clause = json!({ "must": must, "must_not": must_not });
        if !should.is_empty() {
            clause["should"] = should.into();
            // With required clauses besides, the words only rank; alone, one must match.
            clause["minimum_should_match"] = usize::from(must.is_empty()).into();
        }
        Ok(json!({ "bool": clause }))
    }

    fn node(&self, node: &Node) -> Value {
        match node {
            Node::Word {
                field,
                text,
                prefix,
                exact,
            } => self.word(*field, text, *prefix, *exact),
            Node::Phrase { field, text, slop } => phrase(*field, text, *slop),
            Node::Dates { since, until } => {
                let open = |date: NaiveDate, end: NaiveDate| (date != end).then_some(date);
                dates(open(*since, NaiveDate::MIN), open(*until, NaiveDate::MAX))
            }
            Node::Or(alternatives) => {
                let any: Vec<Value> = alternatives.iter().map(|a| self.node(a)).collect();
                json!({ "bool": { "should": any, "minimum_should_match": 1 } })
            }
            Node::And(children) => self.and(children, false).unwrap_or_else(|_| {
                // A group of exclusions alone matches what it does not exclude.
                let excluded: Vec<Value> = children
                    .iter()
                    .filter_map(|c| match c {
                        Node::Not(inner) => Some(self.node(inner)),
                        _ => None,
                    })
                    .collect();
                json!({ "bool": { "must": { "match_all": {} }, "must_not": excluded } })
            }),
            Node::Not(inner) => json!({ "bool": { "must_not": self.node(inner) } }),
        }
    }

    fn word(&self, field: Option<Target>, text: &str, prefix: bool, exact: bool) -> Value {
        let label = |name: &str| json!({ "match": { name: text.trim() } });
        match field {
            Some(Target::Section) => return label("section"),
            Some(Target::Source) => return label("source"),
            Some(Target::Author) => return label("author"),
            _ => {}
        }
        let fields: Vec<String> = match (field, exact || prefix) {
            (Some(Target::Title), e) => vec![if e { "title.exact" } else { "title" }.into()],
            (Some(Target::Body), e) => vec![if e { "body.exact" } else { "body" }.into()],
            (_, true) => EXACT_FIELDS.map(String::from).to_vec(),
            (_, false) => TEXT_FIELDS.map(String::from).to_vec(),
        };
        if prefix {
            // Prefixes are not analysed: the form an index holds is lowercase and unaccented.
            let value = fold_accents(&text.to_lowercase());
            let any: Vec<Value> = fields
                .iter()
                .map(|f| {
                    let (name, boost) = f.split_once('^').unwrap_or((f, "1"));
                    json!({ "prefix": { name: { "value": value, "boost": boost.parse::<f32>().unwrap_or(1.0) } } })
                })
                .collect();
            return json!({ "bool": { "should": any, "minimum_should_match": 1 } });
        }
        // A word the analyzer cuts in several (`nord-coreano`) is a phrase of them, as locally.
        let words = analysis::tokens(&mut analysis::italian(), text);
        if analysis::first_at_each_position(&words).len() > 1 {
            return json!({ "multi_match": { "query": text, "fields": fields, "type": "phrase" } });
        }
        let mut clause = json!({
            "query": text,
            "fields": fields,
            "type": "most_fields",
            "operator": "and",
        });
        if self.fuzzy && field.is_none() && !exact {
            clause["fuzziness"] = "AUTO".into();
        }
        json!({ "multi_match": clause })
    }
}

fn phrase(field: Option<Target>, text: &str, slop: u32) -> Value {
    let fields: Vec<&str> = match field {
        Some(Target::Title) => vec!["title"],
        Some(Target::Body) => vec!["body"],
        Some(Target::Section) => vec!["section"],
        Some(Target::Source) => vec!["source"],
        Some(Target::Author) => vec!["author"],
        _ => TEXT_FIELDS.to_vec(),
    };
    json!({ "multi_match": { "query": text, "fields": fields, "type": "phrase", "slop": slop } })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query;

    fn compiled(text: &str) -> Value {
        query(&query::parse(text).unwrap().tree, false, false).unwrap()
    }

    #[test]
    fn words_are_required_in_title_or_body_and_exclusions_excluded() {
        let q = compiled("missili Corea -Giappone");
        let must = q["bool"]["must"].as_array().unwrap();
        assert_eq!(must.len(), 2);
        assert_eq!(must[0]["multi_match"]["fields"], json!(["title^2", "body"]));
        assert_eq!(must[0]["multi_match"]["operator"], "and");
        assert_eq!(q["bool"]["must_not"][0]["multi_match"]["query"], "Giappone");
    }

    #[test]
    fn phrases_fields_dates_and_prefixes_become_their_clauses() {
        let phrase = compiled("\"Corea del Nord\"~3");
        assert_eq!(phrase["multi_match"]["type"], "phrase");
        assert_eq!(phrase["multi_match"]["slop"], 3);
        assert_eq!(
            compiled("title:missili")["multi_match"]["fields"],
            json!(["title"])
        );
        assert_eq!(compiled("section:Esteri")["match"]["section"], "Esteri");
        let range = compiled("date:2023-09");
        assert_eq!(range["range"]["date"]["gte"], "2023-09-01");
        assert_eq!(range["range"]["date"]["lte"], "2023-09-30");
        let prefix = compiled("Città*");
        assert_eq!(
            prefix["bool"]["should"][0]["prefix"]["title.exact"]["value"],
            "citta"
        );
        let either = compiled("Kiev OR Kyiv");
        assert_eq!(either["bool"]["should"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn a_relaxed_query_needs_one_word_and_a_query_of_exclusions_is_refused() {
        let tree = query::parse("missili Corea Giappone").unwrap().tree;
        let any = query(&tree, false, true).unwrap();
        assert_eq!(any["bool"]["should"].as_array().unwrap().len(), 3);
        assert_eq!(any["bool"]["minimum_should_match"], 1);
        assert!(query(&query::parse("-Giappone").unwrap().tree, false, false).is_err());
    }
}
