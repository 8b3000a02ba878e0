pub mod analysis;
pub mod ingest;
pub mod index;
