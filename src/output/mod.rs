//! Everything emeroteca writes to stdout, for people (`text`) or scripts (`json`). Renderers
//! take values and a writer; they never search or decide exit codes.

pub mod json;
pub mod man;
pub mod text;
mod timeline;
