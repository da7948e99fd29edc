//! The gateway's own pages over its merged lists, with opaque cursors that say which list they
//! belong to, so a client can neither build one nor use one on another list.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rmcp::model::ErrorData;

/// One of the lists the gateway pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    Tools,
    Prompts,
    Resources,
    Templates,
}

impl List {
    fn label(self) -> &'static str {
        match self {
            Self::Tools => "tools",
            Self::Prompts => "prompts",
            Self::Resources => "resources",
            Self::Templates => "templates",
        }
    }
}

/// One page of a list.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The page of `items` that `cursor` points at (the first without one), `size` long.
pub(crate) fn page<T>(
    list: List,
    mut items: Vec<T>,
    cursor: Option<&str>,
    size: usize,
) -> Result<Page<T>, ErrorData> {
    let start = match cursor {
        None => 0,
        Some(token) => offset(list, token).ok_or_else(|| {
            ErrorData::invalid_params(
                format!(
                    "`{token}` is not a cursor this server gave out for {}/list",
                    list.label()
                ),
                None,
            )
        })?,
    };
    let total = items.len();
    let end = start.saturating_add(size).min(total);
    let items = if start < end {
        items.truncate(end);
        items.split_off(start)
    } else {
        Vec::new()
    };
    Ok(Page {
        items,
        next_cursor: (end < total).then(|| cursor_at(list, end)),
    })
}

fn cursor_at(list: List, offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{offset}", list.label()))
}

fn offset(list: List, cursor: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix(list.label())?
        .strip_prefix(':')?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_item_once() {
        let items: Vec<u32> = (0..7).collect();
        let mut seen = Vec::new();
        let mut cursor = None;
        for _ in 0..10 {
            let page = page(List::Tools, items.clone(), cursor.as_deref(), 3).unwrap();
            seen.extend(page.items);
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        assert_eq!(seen, items);
    }

    #[test]
    fn a_cursor_past_the_end_gives_an_empty_last_page() {
        let cursor = cursor_at(List::Prompts, 10);
        let page = page(List::Prompts, vec![1, 2], Some(&cursor), 3).unwrap();
        assert_eq!(
            page,
            Page {
                items: vec![],
                next_cursor: None
            }
        );
    }

    #[test]
    fn garbage_and_other_lists_cursors_are_refused() {
        let prompts = cursor_at(List::Prompts, 1);
        assert!(page(List::Tools, vec![1, 2], Some(&prompts), 1).is_err());
        assert!(page(List::Tools, vec![1, 2], Some("42"), 1).is_err());
        assert!(page(List::Tools, vec![1, 2], Some(&cursor_at(List::Tools, 1)), 1).is_ok());
    }
}
