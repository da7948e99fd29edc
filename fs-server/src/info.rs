//! What is at a path: metadata that does not follow links unless asked, and content hashes.

use std::io::Read;
use std::time::SystemTime;

use cap_std::fs::MetadataExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::error::{FsError, FsResult};
use crate::open::{LastLink, kind_name, open_regular};
use crate::read::hex;
use crate::sandbox::Location;

/// A path's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FileInfo {
    /// The absolute path.
    pub path: String,
    /// `file`, `directory`, `symlink`, `fifo`, `socket`, `device` or `other`.
    pub kind: &'static str,
    /// Size in bytes.
    pub size: u64,
    /// Last modification, RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// Last access, RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accessed: Option<String>,
    /// Creation, RFC 3339 UTC, where the filesystem records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Permission bits in octal, such as `0644`.
    pub permissions: String,
    /// Whether no one may write it.
    pub readonly: bool,
    /// How many hard links the file has; more than 1 means other names share its content.
    pub hard_links: u64,
    /// For a symlink: the text of its target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symlink_target: Option<String>,
    /// For a symlink: the kind of what it points to, `outside` if that is outside the allowed
    /// directories, or `dangling`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_kind: Option<String>,
}

/// The metadata at `location`, describing a link itself rather than its target.
pub fn file_info(location: &Location) -> FsResult<FileInfo> {
    let display = location.display();
    let dir = location.root_dir();
    let metadata = dir
        .symlink_metadata(location.relative())
        .map_err(|error| FsError::io("inspect", &display, error))?;
    let (symlink_target, target_kind) = if metadata.is_symlink() {
        let target = dir
            .read_link_contents(location.relative())
            .map(|target| target.to_string_lossy().into_owned())
            .ok();
        let kind = match dir.metadata(location.relative()) {
            Ok(target) => kind_name(&target.file_type()).to_owned(),
            Err(error) => match FsError::io("inspect", &display, error) {
                FsError::Outside { .. } => "outside".to_owned(),
                FsError::NotFound { .. } => "dangling".to_owned(),
                FsError::Symlink { .. } => "loop".to_owned(),
                other => format!("unreadable ({})", other.code()),
            },
        };
        (target, Some(kind))
    } else {
        (None, None)
    };
    let mode = metadata.mode();
    Ok(FileInfo {
        path: display,
        kind: kind_name(&metadata.file_type()),
        size: metadata.len(),
        modified: metadata
            .modified()
            .ok()
            .map(|time| rfc3339(time.into_std())),
        accessed: metadata
            .accessed()
            .ok()
            .map(|time| rfc3339(time.into_std())),
        created: metadata.created().ok().map(|time| rfc3339(time.into_std())),
        permissions: format!("{:04o}", mode & 0o7777),
        readonly: mode & 0o222 == 0,
        hard_links: metadata.nlink(),
        symlink_target,
        target_kind,
    })
}

/// A time as RFC 3339 UTC, to the second.
pub fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

/// The digest algorithms `file_hash` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    /// SHA-256 (the default; what `read_file` reports and `expected_sha256` takes).
    #[default]
    Sha256,
    /// SHA-512.
    Sha512,
    /// SHA-1, for comparing with legacy checksums only.
    Sha1,
    /// MD5, for comparing with legacy checksums only.
    Md5,
}

/// A file's digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FileHash {
    /// The absolute path.
    pub path: String,
    /// The algorithm used.
    pub algorithm: Algorithm,
    /// The digest, lowercase hex.
    pub hash: String,
    /// Bytes hashed.
    pub size: u64,
}

/// Hashes the whole file at `location`.
pub fn file_hash(location: &Location, algorithm: Algorithm) -> FsResult<FileHash> {
    let (file, metadata) = open_regular(location, LastLink::Follow)?;
    let display = location.display();
    let hash = match algorithm {
        Algorithm::Sha256 => digest::<sha2::Sha256>(file, &display)?,
        Algorithm::Sha512 => digest::<sha2::Sha512>(file, &display)?,
        Algorithm::Sha1 => digest::<sha1::Sha1>(file, &display)?,
        Algorithm::Md5 => digest::<md5::Md5>(file, &display)?,
    };
    Ok(FileHash {
        path: display,
        algorithm,
        hash,
        size: metadata.len(),
    })
}

/// The sha256 of everything `file` yields, hex.
pub fn sha256_hex(file: std::fs::File, display: &str) -> FsResult<String> {
    digest::<sha2::Sha256>(file, display)
}

fn digest<D: Digest>(mut file: std::fs::File, display: &str) -> FsResult<String> {
    let mut hasher = D::new();
    let mut buffer = vec![0u8; 64 << 10];
    loop {
        let read = file
            .read(&mut buffer)
            .map_err(|error| FsError::io("read", display, error))?;
        if read == 0 {
            return Ok(hex(&hasher.finalize()));
        }
        hasher.update(&buffer[..read]);
    }
}
