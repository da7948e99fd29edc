//! Creating, moving, copying and deleting entries.
//!
//! Every operation works on directory entries through their parent's handle, so a symbolic
//! link is moved, copied or deleted as a link and never followed. A move that must not
//! overwrite uses `renameat2(RENAME_NOREPLACE)`, which makes "fails if the destination exists"
//! true even when something appears at the destination during the call (the reference server's
//! check-then-rename lost data that way: modelcontextprotocol/servers #4628).

use std::ffi::OsStr;
use std::io;
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Instant;

use cap_fs_ext::DirExt;
use cap_std::fs::Dir;
use schemars::JsonSchema;
use serde::Serialize;

use crate::error::{FsError, FsResult};
use crate::open::{kind_name, open_entry};
use crate::sandbox::Location;
use crate::walk::{WalkOptions, walk};
use crate::write::{create_temp, existing_file};

/// Whether an existing destination is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Replace a file at the destination.
    Replace,
    /// Fail if anything is at the destination.
    Refuse,
}

impl Overwrite {
    /// `Replace` when the caller asked to overwrite, else `Refuse`.
    pub fn when(asked: bool) -> Self {
        if asked { Self::Replace } else { Self::Refuse }
    }
}

/// What `create_directory` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Created {
    /// The absolute path.
    pub path: String,
    /// False if the directory already existed.
    pub created: bool,
}

/// Creates the directory at `location` and any missing parents; an existing directory is fine.
pub fn create_directory(location: &Location) -> FsResult<Created> {
    let display = location.display();
    let dir = location.root_dir();
    match dir.symlink_metadata(location.relative()) {
        Ok(metadata) if metadata.is_dir() => {
            return Ok(Created {
                path: display,
                created: false,
            });
        }
        Ok(metadata) => {
            return Err(FsError::WrongKind {
                path: display,
                found: kind_name(&metadata.file_type()),
                expected: "directory",
            });
        }
        Err(_) => {}
    }
    dir.create_dir_all(location.relative())
        .map_err(|error| FsError::io("create the directory", &display, error))?;
    Ok(Created {
        path: display,
        created: true,
    })
}

/// What a move or copy did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Transferred {
    /// The source's absolute path.
    pub from: String,
    /// The destination's absolute path.
    pub to: String,
    /// Files copied (1 for a move).
    pub files: u64,
    /// Bytes copied (0 for a move, which copies nothing).
    pub bytes: u64,
    /// Symbolic links and special files left out of a recursive copy.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
}

fn check_pair(from: &Location, to: &Location) -> FsResult<()> {
    if from.is_root() {
        return Err(FsError::IsRoot {
            path: from.display(),
        });
    }
    if to.is_root() {
        return Err(FsError::IsRoot { path: to.display() });
    }
    let from_absolute = from.absolute();
    let to_absolute = to.absolute();
    if from_absolute == to_absolute {
        return Err(FsError::argument(
            "destination",
            "source and destination are the same path",
        ));
    }
    if to_absolute.starts_with(&from_absolute) {
        return Err(FsError::argument(
            "destination",
            format!(
                "`{}` is inside `{}`: a directory cannot be moved or copied into itself",
                to.display(),
                from.display()
            ),
        ));
    }
    Ok(())
}

/// Moves (renames) `from` to `to`.
pub fn move_path(from: &Location, to: &Location, overwrite: Overwrite) -> FsResult<Transferred> {
    check_pair(from, to)?;
    let (from_dir, from_name) = from.parent()?;
    let (to_dir, to_name) = to.parent()?;
    from_dir
        .symlink_metadata(&from_name)
        .map_err(|error| FsError::io("move", &from.display(), error))?;
    let renamed = match overwrite {
        Overwrite::Refuse => rustix::fs::renameat_with(
            &from_dir,
            &from_name,
            &to_dir,
            &to_name,
            rustix::fs::RenameFlags::NOREPLACE,
        )
        .map_err(io::Error::from),
        Overwrite::Replace => from_dir.rename(&from_name, &to_dir, &to_name),
    };
    renamed.map_err(|error| match FsError::io("move to", &to.display(), error) {
        FsError::Os {
            code: "cross_device",
            op,
            path,
            message,
        } => FsError::Os {
            code: "cross_device",
            op,
            path,
            message: format!("{message}; copy_file then delete_path instead"),
        },
        other => other,
    })?;
    Ok(Transferred {
        from: from.display(),
        to: to.display(),
        files: 1,
        bytes: 0,
        skipped: Vec::new(),
    })
}

/// Copies the file at `from` to `to` (or a directory tree, with `recursive`).
pub fn copy_path(
    from: &Location,
    to: &Location,
    overwrite: Overwrite,
    recursive: bool,
    deadline: Instant,
) -> FsResult<Transferred> {
    check_pair(from, to)?;
    let metadata = from
        .root_dir()
        .metadata(from.relative())
        .map_err(|error| FsError::io("copy", &from.display(), error))?;
    let mut transferred = Transferred {
        from: from.display(),
        to: to.display(),
        files: 0,
        bytes: 0,
        skipped: Vec::new(),
    };
    if metadata.is_file() {
        let (to_dir, to_name) = to.parent()?;
        let (source_dir, source_name) = from.parent()?;
        transferred.bytes = copy_file_into(
            &source_dir,
            Path::new(&source_name),
            &from.display(),
            &to_dir,
            &to_name,
            &to.display(),
            overwrite,
        )?;
        transferred.files = 1;
        return Ok(transferred);
    }
    if !metadata.is_dir() {
        return Err(FsError::WrongKind {
            path: from.display(),
            found: kind_name(&metadata.file_type()),
            expected: "file",
        });
    }
    if !recursive {
        return Err(FsError::argument(
            "recursive",
            format!(
                "`{}` is a directory: pass recursive: true to copy it",
                from.display()
            ),
        ));
    }
    let (to_parent, to_name) = to.parent()?;
    to_parent
        .create_dir(&to_name)
        .map_err(|error| FsError::io("create the directory", &to.display(), error))?;
    let target = to_parent
        .open_dir_nofollow(&to_name)
        .map_err(|error| FsError::io("open the directory", &to.display(), error))?;
    let options = WalkOptions {
        max_depth: usize::MAX,
        respect_gitignore: false,
        include_hidden: true,
        exclude: globset::GlobSet::empty(),
        deadline,
    };
    let mut failure = None;
    let summary = walk(from, &options, |entry| {
        let shown = from.join(entry.relative).display();
        let step = if entry.file_type.is_dir() {
            target
                .create_dir(entry.relative)
                .map_err(|error| FsError::io("create the directory", &shown, error))
        } else if entry.file_type.is_file() {
            let name = entry.relative.file_name().unwrap_or(OsStr::new(""));
            let parent = entry.relative.parent().unwrap_or(Path::new(""));
            target
                .open_dir(if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                })
                .map_err(|error| FsError::io("open the directory", &shown, error))
                .and_then(|dir| {
                    copy_file_into(
                        entry.parent,
                        Path::new(entry.name),
                        &shown,
                        &dir,
                        name,
                        &shown,
                        Overwrite::Refuse,
                    )
                })
                .map(|bytes| {
                    transferred.files += 1;
                    transferred.bytes += bytes;
                })
        } else {
            transferred.skipped.push(shown);
            Ok(())
        };
        match step {
            Ok(()) => ControlFlow::Continue(()),
            Err(error) => {
                failure = Some(error);
                ControlFlow::Break(())
            }
        }
    })?;
    if let Some(error) = failure {
        return Err(error);
    }
    if summary.stopped.is_some() {
        return Err(FsError::Os {
            code: "time_limit",
            op: "copy",
            path: from.display(),
            message: format!(
                "the copy ran out of time after {} files; `{}` is incomplete",
                transferred.files,
                to.display()
            ),
        });
    }
    if let Some(error) = summary.errors.first() {
        return Err(FsError::Os {
            code: "io_error",
            op: "copy",
            path: from.display(),
            message: format!("{error}; `{}` is incomplete", to.display()),
        });
    }
    Ok(transferred)
}

/// Copies one regular file into `to_dir/to_name` through a temporary file, keeping its mode.
fn copy_file_into(
    from_dir: &Dir,
    from_name: &Path,
    from_display: &str,
    to_dir: &Dir,
    to_name: &OsStr,
    to_display: &str,
    overwrite: Overwrite,
) -> FsResult<u64> {
    let (mut source, metadata) = open_entry(from_dir, from_name, from_display)?;
    if overwrite == Overwrite::Refuse {
        if existing_file(to_dir, to_name, to_display)?.is_some() {
            return Err(FsError::AlreadyExists {
                path: to_display.to_owned(),
            });
        }
    } else {
        existing_file(to_dir, to_name, to_display)?;
    }
    let (temp_name, temp) = create_temp(to_dir, to_display)?;
    let mut temp = temp.into_std();
    let copied = io::copy(&mut source, &mut temp).and_then(|bytes| {
        let mode = cap_std::fs::PermissionsExt::mode(&metadata.permissions());
        temp.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))?;
        Ok(bytes)
    });
    drop(temp);
    let placed = copied.and_then(|bytes| {
        let renamed = match overwrite {
            Overwrite::Refuse => rustix::fs::renameat_with(
                to_dir,
                &temp_name,
                to_dir,
                to_name,
                rustix::fs::RenameFlags::NOREPLACE,
            )
            .map_err(io::Error::from),
            Overwrite::Replace => to_dir.rename(&temp_name, to_dir, to_name),
        };
        renamed.map(|()| bytes)
    });
    placed.map_err(|error| {
        let _cleanup = to_dir.remove_file(&temp_name);
        FsError::io("copy to", to_display, error)
    })
}

/// What `delete_path` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Deleted {
    /// The absolute path.
    pub path: String,
    /// What was there (`file`, `directory`, `symlink`, …), or `none` if nothing was.
    pub kind: &'static str,
    /// Whether something was deleted (false if the path did not exist).
    pub deleted: bool,
}

/// Deletes the entry at `location`: a file or link as such, a directory only if empty unless
/// `recursive`.
pub fn delete_path(location: &Location, recursive: bool) -> FsResult<Deleted> {
    if location.is_root() {
        return Err(FsError::IsRoot {
            path: location.display(),
        });
    }
    let display = location.display();
    let (dir, name) = location.parent()?;
    let metadata = match dir.symlink_metadata(&name) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Ok(Deleted {
                path: display,
                kind: "none",
                deleted: false,
            });
        }
        Err(error) => return Err(FsError::io("inspect", &display, error)),
    };
    let kind = kind_name(&metadata.file_type());
    let removed = if metadata.is_dir() {
        if recursive {
            dir.remove_dir_all(&name)
        } else {
            dir.remove_dir(&name)
        }
    } else {
        dir.remove_file_or_symlink(&name)
    };
    removed.map_err(|error| FsError::io("delete", &display, error))?;
    Ok(Deleted {
        path: display,
        kind,
        deleted: true,
    })
}
