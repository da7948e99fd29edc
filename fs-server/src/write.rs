//! Writing files: whole-file replacement that is atomic, and appending.
//!
//! A replacement is written to a temporary file in the same directory and renamed over the
//! target, so a reader sees the old content or the new, never half of one. The rename works on
//! the directory entry, so a symbolic link at the target is never followed; we refuse it
//! instead, because silently replacing a link with a file surprises. The file's permission bits
//! are kept. `expected_sha256` guards against lost updates: the write is refused if the file no
//! longer holds what the caller last read.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use cap_fs_ext::{FollowSymlinks, OpenOptionsFollowExt};
use cap_std::fs::{Dir, OpenOptions, OpenOptionsExt, Permissions};
use schemars::JsonSchema;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{FsError, FsResult};
use crate::info::sha256_hex;
use crate::open::{kind_name, open_append, open_entry};
use crate::read::hex;
use crate::sandbox::Location;

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Written {
    /// The absolute path.
    pub path: String,
    /// How many bytes were written.
    pub bytes_written: u64,
    /// Whether the file did not exist before.
    pub created: bool,
    /// The file's size after the write.
    pub size: u64,
    /// The sha256 of the file's new content, for the next `expected_sha256` (absent after an
    /// append, which does not read the file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// Whether a missing parent directory is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parents {
    /// Create missing parent directories.
    Create,
    /// Fail when the parent does not exist.
    MustExist,
}

/// Replaces the content of the file at `location` (creating it), atomically.
pub fn write_file(
    location: &Location,
    content: &[u8],
    expected_sha256: Option<&str>,
    parents: Parents,
) -> FsResult<Written> {
    let display = location.display();
    let (dir, name) = match (location.parent(), parents) {
        (Err(FsError::NotFound { .. }), Parents::Create) => {
            let parent = location
                .relative()
                .parent()
                .unwrap_or(std::path::Path::new("."));
            location
                .root_dir()
                .create_dir_all(parent)
                .map_err(|error| {
                    FsError::io("create the parent directories of", &display, error)
                })?;
            location.parent()?
        }
        (Err(FsError::NotFound { .. }), Parents::MustExist) => {
            return Err(FsError::NotFound {
                path: format!("{display} (its parent directory)"),
            });
        }
        (result, _) => result?,
    };
    let existing = existing_file(&dir, &name, &display)?;
    if let Some(expected) = expected_sha256 {
        let actual = match &existing {
            Some(_) => hash_entry(&dir, &name, &display)?,
            None => return Err(FsError::NotFound { path: display }),
        };
        if !actual.eq_ignore_ascii_case(expected) {
            return Err(FsError::Changed {
                path: display,
                expected: expected.to_owned(),
                actual,
            });
        }
    }
    let permissions = existing.as_ref().map(cap_std::fs::Metadata::permissions);
    replace_entry(&dir, &name, content, permissions, &display)?;
    Ok(Written {
        path: display,
        bytes_written: content.len() as u64,
        created: existing.is_none(),
        size: content.len() as u64,
        sha256: Some(hex(&Sha256::digest(content))),
    })
}

/// Appends `content` to the file at `location`, creating it if needed.
pub fn append_file(location: &Location, content: &[u8]) -> FsResult<Written> {
    let display = location.display();
    let (dir, name) = location.parent()?;
    let created = existing_file(&dir, &name, &display)?.is_none();
    let (mut file, _) = open_append(location)?;
    file.write_all(content)
        .map_err(|error| FsError::io("append to", &display, error))?;
    let size = file
        .metadata()
        .map_err(|error| FsError::io("inspect", &display, error))?
        .len();
    Ok(Written {
        path: display,
        bytes_written: content.len() as u64,
        created,
        size,
        sha256: None,
    })
}

/// The metadata of the regular file `name` in `dir`, `None` if nothing is there; anything
/// other than a regular file is refused.
pub fn existing_file(
    dir: &Dir,
    name: &OsStr,
    display: &str,
) -> FsResult<Option<cap_std::fs::Metadata>> {
    match dir.symlink_metadata(name) {
        Ok(metadata) if metadata.is_symlink() => Err(FsError::Symlink {
            path: display.to_owned(),
        }),
        Ok(metadata) if !metadata.is_file() => Err(FsError::WrongKind {
            path: display.to_owned(),
            found: kind_name(&metadata.file_type()),
            expected: "file",
        }),
        Ok(metadata) => Ok(Some(metadata)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(FsError::io("inspect", display, error)),
    }
}

/// The sha256 of the regular file `name` in `dir`, read without following a link.
fn hash_entry(dir: &Dir, name: &OsStr, display: &str) -> FsResult<String> {
    let (file, _) = open_entry(dir, Path::new(name), display)?;
    sha256_hex(file, display)
}

/// Writes `content` to a fresh temporary file in `dir` and renames it over `name`.
pub fn replace_entry(
    dir: &Dir,
    name: &OsStr,
    content: &[u8],
    permissions: Option<Permissions>,
    display: &str,
) -> FsResult<()> {
    let (temp_name, mut temp) = create_temp(dir, display)?;
    let written = temp
        .write_all(content)
        .and_then(|()| temp.sync_data())
        .and_then(|()| match permissions {
            Some(permissions) => temp.set_permissions(permissions),
            None => Ok(()),
        });
    drop(temp);
    let renamed = written.and_then(|()| dir.rename(&temp_name, dir, name));
    if let Err(error) = renamed {
        let _cleanup = dir.remove_file(&temp_name);
        return Err(FsError::io("write", display, error));
    }
    Ok(())
}

/// A new, exclusively created temporary file in `dir`.
pub fn create_temp(dir: &Dir, display: &str) -> FsResult<(OsString, cap_std::fs::File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut options = OpenOptions::new();
    options
        .write(true)
        .create_new(true)
        .follow(FollowSymlinks::No);
    options.mode(0o666);
    for _ in 0..16 {
        // Not derived from `name`, which may already be as long as a name can be.
        let temp_name = OsString::from(format!(
            ".fs-server-{}-{}.tmp",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        match dir.open_with(&temp_name, &options) {
            Ok(file) => return Ok((temp_name, file)),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(FsError::io("create a temporary file for", display, error)),
        }
    }
    Err(FsError::Os {
        code: "io_error",
        op: "create a temporary file for",
        path: display.to_owned(),
        message: "every candidate name was taken".to_owned(),
    })
}
