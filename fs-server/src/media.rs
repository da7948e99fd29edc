//! Reading binary files for a model: images and audio as MCP image and audio content, anything
//! else as an embedded resource. The MIME type comes from the file's magic bytes (the `infer`
//! crate), falling back to the extension only for text formats that have none (SVG).

use std::io::Read;

use base64::Engine;
use rmcp::model::{CallToolResult, ContentBlock, ResourceContents};
use serde_json::json;

use crate::error::{FsError, FsResult};
use crate::open::{LastLink, open_regular};
use crate::sandbox::Location;

/// The default cap on a media file's size.
pub const DEFAULT_MAX_BYTES: u64 = 10 << 20;
/// The largest cap a caller may ask for (base64 makes the message a third larger).
pub const MAX_MAX_BYTES: u64 = 50 << 20;

/// The file at `location` as MCP content, if it is at most `max_bytes`.
pub fn read_media(location: &Location, max_bytes: u64) -> FsResult<CallToolResult> {
    let (file, metadata) = open_regular(location, LastLink::Follow)?;
    let display = location.display();
    if metadata.len() > max_bytes {
        return Err(FsError::TooLarge {
            path: display,
            size: metadata.len(),
            limit: max_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    // Read one byte past the cap, in case the file grew since it was opened.
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| FsError::io("read", &display, error))?;
    if bytes.len() as u64 > max_bytes {
        return Err(FsError::TooLarge {
            path: display,
            size: bytes.len() as u64,
            limit: max_bytes,
        });
    }
    let mime = mime_type(&bytes, &display);
    let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let block = if mime.starts_with("image/") {
        ContentBlock::image(data, mime)
    } else if mime.starts_with("audio/") {
        ContentBlock::audio(data, mime)
    } else {
        let uri = url::Url::from_file_path(location.absolute())
            .map_or_else(|()| format!("file://{display}"), String::from);
        ContentBlock::resource(ResourceContents::BlobResourceContents {
            uri,
            mime_type: Some(mime.to_owned()),
            blob: data,
            meta: None,
        })
    };
    let mut result = CallToolResult::success(vec![block]);
    result.structured_content = Some(json!({
        "path": display,
        "mime_type": mime,
        "size": bytes.len(),
    }));
    Ok(result)
}

/// The MIME type by magic bytes, else by a text format's extension, else octet-stream.
fn mime_type(bytes: &[u8], path: &str) -> &'static str {
    if let Some(kind) = infer::get(bytes) {
        return kind.mime_type();
    }
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".svg") {
        "image/svg+xml"
    } else {
        "application/octet-stream"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_win_over_the_extension() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(mime_type(png, "/x/photo.txt"), "image/png");
        assert_eq!(mime_type(b"ID3\x03\0\0\0", "/x/a.bin"), "audio/mpeg");
        assert_eq!(mime_type(b"<svg/>", "/x/a.SVG"), "image/svg+xml");
        assert_eq!(mime_type(b"plain", "/x/a.png"), "application/octet-stream");
    }
}
