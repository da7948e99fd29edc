//! Bytes to text, for pages and files alike: binary detection, character set decoding (declared,
//! by byte-order mark, by `<meta charset>`, or guessed with [`chardetng`]), and HTML converted to
//! Markdown with [`htmd`], scripts and styles left out.

use encoding_rs::{Encoding, UTF_8};

/// How many leading bytes are examined for NUL bytes and `<meta charset>`.
const SNIFF_LEN: usize = 8192;

/// Text decoded from bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// The character set it was decoded from (`UTF-8`, `Shift_JIS`, `windows-1252`…).
    pub charset: &'static str,
}

/// Whether `bytes` are binary rather than text: a NUL byte near the start, as git and ripgrep
/// decide. UTF-16 text, which is full of NULs, is recognised by its byte-order mark first.
pub fn looks_binary(bytes: &[u8]) -> bool {
    if Encoding::for_bom(bytes).is_some() {
        return false;
    }
    memchr::memchr(0, &bytes[..bytes.len().min(SNIFF_LEN)]).is_some()
}

/// Decodes `bytes`: the `declared` charset label (from a `Content-Type`) wins, then a byte-order
/// mark, then an HTML `<meta charset>` when `html`, then UTF-8 if the bytes are valid UTF-8, and
/// otherwise the guess of [`chardetng`]. Undecodable bytes become U+FFFD.
pub fn decode(bytes: &[u8], declared: Option<&str>, html: bool) -> Decoded {
    let encoding = declared
        .and_then(|label| Encoding::for_label(label.trim().as_bytes()))
        .or_else(|| Encoding::for_bom(bytes).map(|(encoding, _)| encoding))
        .or_else(|| html.then(|| meta_charset(bytes)).flatten())
        .unwrap_or_else(|| guess(bytes));
    // A page that declares UTF-16 in a <meta> is ASCII-compatible on the wire; WHATWG says UTF-8.
    let encoding = encoding.output_encoding();
    let (text, actual, _) = encoding.decode(bytes);
    Decoded {
        text: text.into_owned(),
        charset: actual.name(),
    }
}

fn guess(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

/// The charset of a `<meta charset=…>` or `<meta http-equiv … content="…; charset=…">` near the
/// start of an HTML document.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(SNIFF_LEN)]).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let label: String = head[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    Encoding::for_label(label.as_bytes())
}

/// Whether a document is HTML, judged by its start (for answers without a content type and for
/// files without a telling extension).
pub fn looks_like_html(text: &str) -> bool {
    let start: String = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(256)
        .collect::<String>()
        .to_ascii_lowercase();
    start.starts_with("<!doctype html") || start.starts_with("<html") || start.contains("<html")
}

/// HTML as Markdown. Scripts, styles and other non-content elements are dropped.
pub fn html_to_markdown(html: &str) -> String {
    let converter = htmd::HtmlToMarkdown::builder()
        .skip_tags(vec![
            "head", "script", "style", "noscript", "template", "svg", "canvas", "iframe",
        ])
        .build();
    // htmd's only failure is an I/O error of its in-memory writer; fall back to the text.
    let markdown = converter.convert(html).unwrap_or_else(|_| html.to_owned());
    markdown.trim().to_owned()
}

/// The text of an HTML document's `<title>`, whitespace collapsed.
pub fn html_title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let title = html.get(start..end)?.split_whitespace().collect::<Vec<_>>();
    (!title.is_empty()).then(|| decode_entities(&title.join(" ")))
}

/// A snippet's text without its markup (backends wrap matched words in `<strong>`).
pub fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    decode_entities(text.trim())
}

/// The handful of character references that show up in titles and snippets.
fn decode_entities(text: &str) -> String {
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_charsets_win_and_others_are_guessed() {
        let latin1 = b"caf\xe9 cr\xe8me br\xfbl\xe9e, a dessert that is caf\xe9 favourite";
        assert_eq!(
            decode(latin1, Some("iso-8859-1"), false).text,
            "café crème brûlée, a dessert that is café favourite"
        );
        assert!(decode(latin1, None, false).text.starts_with("café crème"));
        let (sjis, _, _) =
            encoding_rs::SHIFT_JIS.encode("日本語のテキストです。東京都の天気は晴れです。");
        let decoded = decode(&sjis, None, false);
        assert_eq!(
            decoded.text,
            "日本語のテキストです。東京都の天気は晴れです。"
        );
        assert_eq!(decoded.charset, "Shift_JIS");
        let page = b"<html><head><meta charset=\"windows-1251\"></head><body>\xcf\xf0\xe8\xe2\xe5\xf2</body></html>";
        assert!(decode(page, None, true).text.contains("Привет"));
    }

    #[test]
    fn binary_is_told_from_utf16_text() {
        assert!(looks_binary(b"PK\x03\x04\x00\x00"));
        assert!(!looks_binary(b"\xff\xfeh\x00i\x00"));
        assert!(!looks_binary("plain text".as_bytes()));
    }

    #[test]
    fn html_becomes_markdown_without_scripts() {
        let html = "<html><head><title>A &amp; B</title><style>p{}</style></head>\
            <body><h1>Heading</h1><script>alert(1)</script><p>Some <b>bold</b> text.</p></body></html>";
        let markdown = html_to_markdown(html);
        assert!(markdown.contains("# Heading"), "{markdown}");
        assert!(markdown.contains("**bold**"), "{markdown}");
        assert!(!markdown.contains("alert"), "{markdown}");
        assert_eq!(html_title(html).as_deref(), Some("A & B"));
    }
}
