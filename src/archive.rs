//! Where searches are answered: the local index, or an index on a cluster (`--engine URL`).
//! Both give the same values, so every front end and renderer serves either.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;

use crate::cluster::{self, Cluster};
use crate::index::{self, OpenIndex};
use crate::ingest::Article;
use crate::search::{self, SearchRequest, SearchResults};

/// What an archive holds, in either home.
#[derive(Debug)]
pub struct Stats {
    pub articles: u64,
    pub segments: usize,
    pub size_bytes: u64,
    pub schema_version: u32,
    pub sections: BTreeMap<String, u64>,
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
    /// Articles without a publication date.
    pub undated: u64,
    /// Articles that are copies of a story indexed before them (indexed, shown with it).
    pub duplicates: u64,
}

pub enum Archive {
    Local(OpenIndex),
    Cluster(Cluster),
}

impl Archive {
    /// The cluster index at `engine` when given, else the local index at `path`.
    pub fn open(path: &Path, engine: Option<&str>) -> anyhow::Result<Archive> {
        Ok(match engine {
            Some(url) => Archive::Cluster(cluster(url)?),
            None => Archive::Local(index::open(path)?),
        })
    }

    /// As [`Archive::open`], a local index's reader following the commits of a running
    /// `index` (a cluster's searches always see its latest refresh).
    pub fn open_following(path: &Path, engine: Option<&str>) -> anyhow::Result<Archive> {
        Ok(match engine {
            Some(url) => Archive::Cluster(cluster(url)?),
            None => Archive::Local(index::open_following(path)?),
        })
    }

    /// The searchable articles.
    pub fn articles(&self) -> anyhow::Result<u64> {
        match self {
            Archive::Local(opened) => Ok(opened.reader.searcher().num_docs()),
            Archive::Cluster(cluster) => cluster::search::count(cluster),
        }
    }

    /// What a local index's last commit is called: answers computed from it stay true until
    /// it changes. None for a cluster, whose answers are not kept.
    pub fn generation(&self) -> Option<u64> {
        match self {
            Archive::Local(opened) => Some(opened.reader.searcher().generation().generation_id()),
            Archive::Cluster(_) => None,
        }
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

/// The cluster index at `url`, refused when another version of emeroteca made it.
fn cluster(url: &str) -> anyhow::Result<Cluster> {
    let cluster = Cluster::connect(url)?;
    cluster.check_mapping()?;
    Ok(cluster)
}
