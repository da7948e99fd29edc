//! Opening files through the sandbox so that nothing blocks and nothing surprises.
//!
//! Every open goes through a root's directory handle (see [`crate::sandbox`]) with
//! `O_NONBLOCK` and `O_NOCTTY`, and the kind of what was opened is checked on the open handle
//! (`fstat`), not on the path beforehand: a FIFO swapped in between a check and an open can
//! neither block the server nor be read.

use std::fs::File;
use std::path::Path;

use cap_fs_ext::{FollowSymlinks, OpenOptionsFollowExt};
use cap_std::fs::{Dir, FileType, Metadata, OpenOptions, OpenOptionsExt};

use crate::error::{FsError, FsResult};
use crate::sandbox::Location;

/// Whether an open follows a symbolic link in the last component (inside the root; cap-std
/// refuses links that lead out of it either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastLink {
    /// Open what the link points to.
    Follow,
    /// Refuse a link.
    Refuse,
}

impl From<LastLink> for FollowSymlinks {
    fn from(last_link: LastLink) -> Self {
        match last_link {
            LastLink::Follow => FollowSymlinks::Yes,
            LastLink::Refuse => FollowSymlinks::No,
        }
    }
}

/// The flags every open gets: never block (FIFOs, devices) and never take a terminal.
fn safe_flags() -> i32 {
    let flags = rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY;
    // The flag bits all fit in an i32; the cast only changes the type.
    flags.bits() as i32
}

/// Opens a regular file for reading.
pub fn open_regular(location: &Location, last_link: LastLink) -> FsResult<(File, Metadata)> {
    let mut options = OpenOptions::new();
    options
        .read(true)
        .follow(last_link.into())
        .custom_flags(safe_flags());
    open_checked(location, &options)
}

/// Opens a regular file for appending, creating it if needed; a link at the target is refused.
pub fn open_append(location: &Location) -> FsResult<(File, Metadata)> {
    let mut options = OpenOptions::new();
    options
        .append(true)
        .create(true)
        .follow(FollowSymlinks::No)
        .custom_flags(safe_flags());
    options.mode(0o666);
    open_checked(location, &options)
}

/// Opens the regular file `name` in `dir` (an entry met while walking) for reading, without
/// following a link.
pub fn open_entry(dir: &Dir, name: &Path, display: &str) -> FsResult<(File, Metadata)> {
    let mut options = OpenOptions::new();
    options
        .read(true)
        .follow(FollowSymlinks::No)
        .custom_flags(safe_flags());
    open_in(dir, name, display.to_owned(), &options)
}

fn open_checked(location: &Location, options: &OpenOptions) -> FsResult<(File, Metadata)> {
    open_in(
        location.root_dir(),
        location.relative(),
        location.display(),
        options,
    )
}

fn open_in(
    dir: &Dir,
    path: &Path,
    display: String,
    options: &OpenOptions,
) -> FsResult<(File, Metadata)> {
    let file = dir
        .open_with(path, options)
        .map_err(|error| FsError::io("open", &display, error))?;
    let metadata = file
        .metadata()
        .map_err(|error| FsError::io("inspect", &display, error))?;
    if !metadata.is_file() {
        return Err(FsError::WrongKind {
            path: display,
            found: kind_name(&metadata.file_type()),
            expected: "file",
        });
    }
    Ok((file.into_std(), metadata))
}

/// What a file type is called in results and errors.
pub fn kind_name(file_type: &FileType) -> &'static str {
    use cap_fs_ext::FileTypeExt;
    if file_type.is_file() {
        "file"
    } else if file_type.is_dir() {
        "directory"
    } else if file_type.is_symlink() {
        "symlink"
    } else if file_type.is_fifo() {
        "fifo"
    } else if file_type.is_socket() {
        "socket"
    } else if file_type.is_block_device() || file_type.is_char_device() {
        "device"
    } else {
        "other"
    }
}
