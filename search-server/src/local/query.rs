//! From a `local_search` request to a tantivy query: the query text in tantivy's syntax (or
//! literally, as a phrase), the path and extension filters, and the words to highlight.

use std::collections::HashSet;

use tantivy::Index;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, QueryParser, TermQuery};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{Term, tokenizer::TextAnalyzer};

use super::IndexError;
use super::schema::Fields;

/// The longest query text accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;

/// A parsed query and the words it matches, for snippets.
pub struct Parsed {
    /// The query, filters included.
    pub query: Box<dyn Query>,
    /// The lower-cased words to highlight.
    pub terms: HashSet<String>,
}

/// Checks a query text: not empty, not huge, no control characters.
pub fn check_text(text: &str) -> Result<&str, IndexError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(IndexError::InvalidQuery {
            message: "the query is empty".to_owned(),
            position: None,
        });
    }
    let chars = trimmed.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(IndexError::InvalidQuery {
            message: format!(
                "the query has {chars} characters; at most {MAX_QUERY_CHARS} are accepted"
            ),
            position: None,
        });
    }
    if let Some(position) = text.chars().position(|c| c.is_control() && c != '\t') {
        return Err(IndexError::InvalidQuery {
            message: "the query contains a control character".to_owned(),
            position: Some(position),
        });
    }
    Ok(trimmed)
}

/// Builds the query for `text` (tantivy syntax unless `literal`), restricted to documents under
/// one of `locations` (when any) with one of `extensions` (when any).
pub fn build(
    index: &Index,
    fields: &Fields,
    text: &str,
    literal: bool,
    locations: &[Facet],
    extensions: &[String],
) -> Result<Parsed, IndexError> {
    let text = check_text(text)?;
    let (query, terms) = if literal {
        literal_query(index, fields, text)?
    } else {
        syntax_query(index, fields, text)?
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, query)];
    if !locations.is_empty() {
        clauses.push((
            Occur::Must,
            any_of(
                locations
                    .iter()
                    .map(|f| Term::from_facet(fields.location, f)),
            ),
        ));
    }
    if !extensions.is_empty() {
        clauses.push((
            Occur::Must,
            any_of(
                extensions
                    .iter()
                    .map(|e| Term::from_field_text(fields.ext, e)),
            ),
        ));
    }
    Ok(Parsed {
        query: Box::new(BooleanQuery::new(clauses)),
        terms,
    })
}

fn any_of(terms: impl Iterator<Item = Term>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        terms
            .map(|term| {
                let query: Box<dyn Query> =
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                (Occur::Should, query)
            })
            .collect(),
    ))
}

/// tantivy's query syntax over title, body and path, every word required unless `OR` says
/// otherwise.
fn syntax_query(
    index: &Index,
    fields: &Fields,
    text: &str,
) -> Result<(Box<dyn Query>, HashSet<String>), IndexError> {
    let mut parser = QueryParser::for_index(index, vec![fields.title, fields.body, fields.path]);
    parser.set_conjunction_by_default();
    parser.set_field_boost(fields.title, 2.0);
    parser.set_field_boost(fields.path, 1.5);
    let query = parser
        .parse_query(text)
        .map_err(|error| IndexError::InvalidQuery {
            message: format!("`{text}` is not a valid query: {error}"),
            position: None,
        })?;
    let mut terms = HashSet::new();
    query.query_terms(&mut |term, _| {
        if (term.field() == fields.body || term.field() == fields.title)
            && let Some(word) = term.value().as_str()
        {
            terms.insert(word.to_owned());
        }
    });
    Ok((query, terms))
}

/// The text as written: its words, in order, as a phrase in the title, body or path.
fn literal_query(
    index: &Index,
    fields: &Fields,
    text: &str,
) -> Result<(Box<dyn Query>, HashSet<String>), IndexError> {
    let mut analyzer = analyzer(index, fields.body)?;
    let mut words = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        words.push(stream.token().text.clone());
    }
    if words.is_empty() {
        return Err(IndexError::InvalidQuery {
            message: format!("`{text}` has no words to search for (only punctuation or symbols)"),
            position: None,
        });
    }
    let per_field = [fields.title, fields.body, fields.path].map(|field| {
        let terms: Vec<Term> = words
            .iter()
            .map(|w| Term::from_field_text(field, w))
            .collect();
        let query: Box<dyn Query> = match terms.len() {
            1 => Box::new(TermQuery::new(
                terms[0].clone(),
                IndexRecordOption::WithFreqs,
            )),
            _ => Box::new(PhraseQuery::new(terms)),
        };
        (Occur::Should, query)
    });
    Ok((
        Box::new(BooleanQuery::new(per_field.into())),
        words.into_iter().collect(),
    ))
}

/// The analyzer a text field is indexed with.
pub fn analyzer(index: &Index, field: Field) -> Result<TextAnalyzer, IndexError> {
    index.tokenizer_for_field(field).map_err(IndexError::from)
}
