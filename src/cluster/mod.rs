//! An OpenSearch (or Elasticsearch) index as a second home for an archive: indexed into with
//! `index --to URL`, searched with `search --engine URL` (and `get`, `stats`), with the same
//! query language, options and JSON as the local index.

pub mod dsl;
pub mod index;
pub mod search;

use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::Value;

/// The environment variables a secured cluster's credentials come from: never the command line,
/// where other users of the machine see them.
pub const USER_VARIABLE: &str = "EMEROTECA_CLUSTER_USER";
pub const PASSWORD_VARIABLE: &str = "EMEROTECA_CLUSTER_PASSWORD";
/// A file holding `user:password` on its first line, instead of the two variables.
pub const CREDENTIALS_FILE_VARIABLE: &str = "EMEROTECA_CLUSTER_CREDENTIALS";

/// An index on a cluster, reached over HTTP.
pub struct Cluster {
    /// `http://host:port`, without a trailing slash.
    base: String,
    /// The index's name.
    pub name: String,
    agent: ureq::Agent,
    /// The `Authorization` header for a secured cluster.
    authorization: Option<String>,
}

/// A failed request: what was asked, and what the cluster (or the network) answered.
#[derive(Debug, thiserror::Error)]
#[error("{what}: {reason}")]
pub struct ClusterError {
    what: String,
    reason: String,
}

impl Cluster {
    /// The cluster and index named by `http://host:port/NAME`; credentials from the environment.
    pub fn connect(url: &str) -> anyhow::Result<Cluster> {
        let Some((scheme, rest)) = url.split_once("://") else {
            bail!("`{url}` is no cluster address: use http://HOST:PORT/INDEX");
        };
        if scheme != "http" {
            bail!("only http:// clusters are supported, not `{scheme}://`");
        }
        let (host, name) = rest
            .trim_end_matches('/')
            .split_once('/')
            .unwrap_or((rest, ""));
        if host.contains('@') {
            bail!(
                "credentials do not go in the address, where they are seen: set {USER_VARIABLE} and {PASSWORD_VARIABLE}, or {CREDENTIALS_FILE_VARIABLE}"
            );
        }
        if name.is_empty() || name.contains('/') || name.starts_with(['_', '-', '+']) {
            bail!("`{url}` names no index: use http://HOST:PORT/INDEX");
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        Ok(Cluster {
            base: format!("{scheme}://{host}"),
            name: name.to_ascii_lowercase(),
            agent,
            authorization: authorization()?,
        })
    }

    /// Refuses an index whose mapping another version of emeroteca made: its fields hold other
    /// terms, and searching or adding to it would go wrong without a word. An index not yet
    /// made passes.
    pub fn check_mapping(&self) -> anyhow::Result<()> {
        let (status, mapping) = self.call("GET", "/_mapping", None, &[404])?;
        if status == 404 {
            return Ok(());
        }
        let version = mapping
            .as_object()
            .and_then(|indices| indices.values().next())
            .and_then(|index| index["mappings"]["_meta"]["emeroteca_cluster"].as_u64());
        if version != Some(crate::export::CLUSTER_MAPPING) {
            bail!(
                "the cluster index {} was made by another version of emeroteca (mapping {}, this one makes {}): delete it and index again with `emeroteca index DIR --to {}`",
                self.address(),
                version.map_or("without a version".to_string(), |v| v.to_string()),
                crate::export::CLUSTER_MAPPING,
                self.address()
            );
        }
        Ok(())
    }

    /// Where the index is, for messages (never with credentials).
    pub fn address(&self) -> String {
        format!("{}/{}", self.base, self.name)
    }

    /// Sends a request about the index (`path` after its name, e.g. `/_search`) and reads the
    /// JSON answer; an answer of 400 or more is an error, `allowed` statuses aside.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        allowed: &[u16],
    ) -> anyhow::Result<(u16, Value)> {
        let body = body.map(|b| (b.to_string(), "application/json"));
        let url = format!("{}/{}{path}", self.base, self.name);
        self.send(method, &url, body, allowed)
    }

    /// Sends `_bulk` lines (each action and document a line of JSON) to the index.
    pub fn bulk(&self, lines: String) -> anyhow::Result<Value> {
        let url = format!("{}/{}/_bulk", self.base, self.name);
        Ok(self
            .send("POST", &url, Some((lines, "application/x-ndjson")), &[])?
            .1)
    }

    /// Calls `each` with every document `query` finds, a page at a time through a scroll, so
    /// that no answer is cut at a window's size.
    pub fn search_all(
        &self,
        query: Value,
        source: Value,
        mut each: impl FnMut(&Value),
    ) -> anyhow::Result<()> {
        let body = serde_json::json!({
            "size": 1_000,
            "_source": source,
            "query": query,
            "sort": ["_doc"],
            "track_total_hits": true,
        });
        // Most answers fit in one page: a scroll (two more round trips) only when they do not.
        let answer = self.call("POST", "/_search", Some(&body), &[])?.1;
        let found = hits(&answer)?;
        if total(&answer)? <= found.len() {
            found.iter().for_each(&mut each);
            return Ok(());
        }
        let mut answer = self.call("POST", "/_search?scroll=1m", Some(&body), &[])?.1;
        let scroll = |method: &str, body: Value| {
            let url = format!("{}/_search/scroll", self.base);
            self.send(
                method,
                &url,
                Some((body.to_string(), "application/json")),
                &[],
            )
        };
        let outcome = loop {
            let found = match hits(&answer) {
                Ok(found) if !found.is_empty() => found,
                Ok(_) => break Ok(()),
                Err(error) => break Err(error),
            };
            found.iter().for_each(&mut each);
            let next = serde_json::json!({ "scroll": "1m", "scroll_id": answer["_scroll_id"] });
            match scroll("POST", next) {
                Ok((_, next)) => answer = next,
                Err(error) => break Err(error),
            }
        };
        // The cluster frees a scroll left open when it expires; freeing it now is a courtesy
        // whose failure changes no answer.
        if let Some(id) = answer["_scroll_id"].as_str() {
            let _ = scroll("DELETE", serde_json::json!({ "scroll_id": id }));
        }
        outcome
    }

    fn send(
        &self,
        method: &str,
        url: &str,
        body: Option<(String, &str)>,
        allowed: &[u16],
    ) -> anyhow::Result<(u16, Value)> {
        let what = format!("{method} {url}");
        let failed = |reason: String| ClusterError {
            what: what.clone(),
            reason,
        };
        let mut request = ureq::http::Request::builder().method(method).uri(url);
        if let Some(authorization) = &self.authorization {
            request = request.header("Authorization", authorization);
        }
        let response = match body {
            Some((body, content_type)) => {
                let request = request
                    .header("Content-Type", content_type)
                    .body(body)
                    .context("cannot build a request")?;
                self.agent.run(request)
            }
            None => self
                .agent
                .run(request.body(()).context("cannot build a request")?),
        };
        let mut response = response.map_err(|e| failed(e.to_string()))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_string()
            .map_err(|e| failed(e.to_string()))?;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if status >= 400 && !allowed.contains(&status) {
            return Err(failed(format!("{status} {}", reason(&value))).into());
        }
        Ok((status, value))
    }
}

/// The documents of a `_search` answer; an answer without them is an error, never no hits.
pub fn hits(answer: &Value) -> anyhow::Result<&[Value]> {
    match answer["hits"]["hits"].as_array() {
        Some(found) => Ok(found),
        None => bail!("the cluster's answer holds no hits: {}", shortened(answer)),
    }
}

/// The number of documents a `_search` answer found.
pub fn total(answer: &Value) -> anyhow::Result<usize> {
    match answer["hits"]["total"]["value"].as_u64() {
        Some(total) => Ok(total as usize),
        None => bail!("the cluster's answer holds no total: {}", shortened(answer)),
    }
}

/// An answer in a line short enough for a message.
fn shortened(answer: &Value) -> String {
    let text = answer.to_string();
    match text.char_indices().nth(200) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// The cluster's own words for a failure: `error.reason` (with its root cause), else the text.
pub fn reason(answer: &Value) -> String {
    let error = &answer["error"];
    let root = error["root_cause"][0]["reason"].as_str();
    match (error["reason"].as_str(), root) {
        (Some(reason), Some(root)) if root != reason => format!("{reason} ({root})"),
        (Some(reason), _) => reason.to_string(),
        _ => match answer {
            Value::String(text) => text.chars().take(200).collect(),
            other => other.to_string().chars().take(200).collect(),
        },
    }
}

/// Basic authentication from the environment, if set.
fn authorization() -> anyhow::Result<Option<String>> {
    use base64::Engine;
    let pair = if let Some(path) = std::env::var_os(CREDENTIALS_FILE_VARIABLE) {
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read the credentials file {} ({CREDENTIALS_FILE_VARIABLE})",
                std::path::Path::new(&path).display()
            )
        })?;
        let line = text.lines().next().unwrap_or_default().trim().to_string();
        if !line.contains(':') {
            bail!("the credentials file ({CREDENTIALS_FILE_VARIABLE}) must hold `user:password`");
        }
        line
    } else {
        match (
            std::env::var(USER_VARIABLE).ok(),
            std::env::var(PASSWORD_VARIABLE).ok(),
        ) {
            (Some(user), Some(password)) => format!("{user}:{password}"),
            (Some(_), None) | (None, Some(_)) => {
                bail!("set both {USER_VARIABLE} and {PASSWORD_VARIABLE}, or neither")
            }
            (None, None) => return Ok(None),
        }
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
    Ok(Some(format!("Basic {encoded}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_name_a_cluster_and_an_index() {
        let cluster = Cluster::connect("http://127.0.0.1:9200/Archivio/").unwrap();
        assert_eq!(cluster.address(), "http://127.0.0.1:9200/archivio");
        for bad in [
            "127.0.0.1:9200/a",
            "http://127.0.0.1:9200",
            "http://127.0.0.1:9200/_all",
            "http://user:secret@127.0.0.1:9200/a",
        ] {
            let error = Cluster::connect(bad).err().expect(bad).to_string();
            assert!(!error.contains("secret"), "{error}");
        }
    }

    #[test]
    fn a_malformed_answer_is_an_error_not_zero_hits() {
        let malformed = serde_json::json!({ "took": 3, "timed_out": false });
        assert!(hits(&malformed).is_err());
        assert!(total(&malformed).is_err());
        let answer = serde_json::json!({ "hits": { "total": { "value": 2 }, "hits": [{}, {}] } });
        assert_eq!(total(&answer).unwrap(), 2);
        assert_eq!(hits(&answer).unwrap().len(), 2);
    }
}
