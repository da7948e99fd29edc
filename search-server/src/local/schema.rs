//! The index's fields. The schema's version is part of the index directory's name, so a server
//! with a different schema builds a fresh index instead of misreading an old one.

use tantivy::schema::{FAST, FacetOptions, Field, INDEXED, STORED, STRING, Schema, TEXT};

/// Bumped whenever a field changes.
pub const SCHEMA_VERSION: u32 = 1;

/// Handles to the fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// The absolute path, as one untokenized term: the document's identity.
    pub id: Field,
    /// The path, tokenized, so `path:config` finds `src/config.rs`.
    pub path: Field,
    /// The path as a facet: a term for each ancestor directory, for prefix filters.
    pub location: Field,
    /// The lower-cased extension without its dot (`rs`, `md`), or empty.
    pub ext: Field,
    /// `text`, `markdown`, `code` or `html`.
    pub kind: Field,
    /// The first Markdown heading or HTML title.
    pub title: Field,
    /// The extracted text.
    pub body: Field,
    /// Modification time, nanoseconds since the epoch, for incremental reindexing.
    pub mtime: Field,
    /// Size in bytes, for incremental reindexing.
    pub size: Field,
}

impl Fields {
    /// The schema and its field handles.
    pub fn schema() -> (Schema, Self) {
        let mut builder = Schema::builder();
        let fields = Self {
            id: builder.add_text_field("id", STRING | STORED | FAST),
            path: builder.add_text_field("path", TEXT),
            location: builder.add_facet_field("location", FacetOptions::default()),
            ext: builder.add_text_field("ext", STRING | STORED),
            kind: builder.add_text_field("kind", STRING | STORED),
            title: builder.add_text_field("title", TEXT | STORED),
            body: builder.add_text_field("body", TEXT | STORED),
            mtime: builder.add_u64_field("mtime", INDEXED | STORED | FAST),
            size: builder.add_u64_field("size", STORED | FAST),
        };
        (builder.build(), fields)
    }
}
