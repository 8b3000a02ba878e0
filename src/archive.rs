//! Where searches are answered: the local index, or an index on a cluster (`--engine URL`).
//! Both give the same values, so every front end and renderer serves either.

use std::path::Path;

use crate::cluster::{self, Cluster};
use crate::index::{self, OpenIndex, Stats};
use crate::ingest::Article;
use crate::search::{self, SearchRequest, SearchResults};

pub enum Archive {
    Local(OpenIndex),
    Cluster(Cluster),
}

impl Archive {
    /// The cluster index at `engine` when given, else the local index at `path`.
    pub fn open(path: &Path, engine: Option<&str>) -> anyhow::Result<Archive> {
        Ok(match engine {
            Some(url) => Archive::Cluster(Cluster::connect(url)?),
            None => Archive::Local(index::open(path)?),
        })
    }

    pub fn search(&self, request: &SearchRequest) -> anyhow::Result<SearchResults> {
        match self {
            Archive::Local(opened) => search::search(opened, request),
            Archive::Cluster(cluster) => cluster::search::search(cluster, request),
        }
    }

    /// The article with `id`, if there is one.
    pub fn get(&self, id: &str) -> anyhow::Result<Option<Article>> {
        match self {
            Archive::Local(opened) => index::get(opened, id),
            Archive::Cluster(cluster) => cluster::search::get(cluster, id),
        }
    }

    /// The statistics of the index (`path` is the local index's folder).
    pub fn stats(&self, path: &Path) -> anyhow::Result<Stats> {
        match self {
            Archive::Local(opened) => index::stats(opened, path),
            Archive::Cluster(cluster) => cluster::search::stats(cluster),
        }
    }
}
