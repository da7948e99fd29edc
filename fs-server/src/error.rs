//! Why a filesystem operation failed, in terms a model can act on.
//!
//! Every operation returns [`FsError`]; the server turns it into a [`ToolError`] with a stable
//! code and a hint. Raw `io::Error`s are classified once, here, by [`FsError::io`], so that a
//! symlink that leads out of the sandbox, a missing file and a full disk each get their own code.

use std::io;

use shared::ToolError;

/// The message cap-std gives when a path (through `..` or a symlink) would leave its directory.
const CAP_STD_ESCAPE: &str = "a path led outside of the filesystem";

/// A failed filesystem operation.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    /// The path text itself is unusable (empty, NUL byte, a URL, `~user`).
    #[error("invalid path `{path}`: {reason}")]
    InvalidPath {
        /// The path as given.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The path is not inside any allowed directory, lexically or through a symlink.
    #[error("`{path}` is outside the allowed directories")]
    Outside {
        /// The path as given.
        path: String,
    },
    /// No directory is allowed at all (none on the command line, and no roots from the client).
    #[error("no directory is allowed")]
    NoRoots,
    /// A write was asked of a read-only directory.
    #[error("`{path}` is in a read-only directory")]
    ReadOnly {
        /// The path as given.
        path: String,
    },
    /// The operation would remove, move or replace an allowed directory itself.
    #[error("`{path}` is an allowed directory itself")]
    IsRoot {
        /// The path as given.
        path: String,
    },
    /// Nothing exists at the path.
    #[error("`{path}` does not exist")]
    NotFound {
        /// The path as given.
        path: String,
    },
    /// Something exists where the operation must create.
    #[error("`{path}` already exists")]
    AlreadyExists {
        /// The path as given.
        path: String,
    },
    /// The path names the wrong kind of thing (a directory where a file was expected, a FIFO).
    #[error("`{path}` is a {found}, not a {expected}")]
    WrongKind {
        /// The path as given.
        path: String,
        /// What it is.
        found: &'static str,
        /// What the operation needs.
        expected: &'static str,
    },
    /// The last component is a symbolic link, which this operation does not follow.
    #[error("`{path}` is a symbolic link")]
    Symlink {
        /// The path as given.
        path: String,
    },
    /// The file is larger than the operation allows.
    #[error("`{path}` is {size} bytes, over the limit of {limit}")]
    TooLarge {
        /// The path as given.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file holds binary data, and the operation reads text.
    #[error("`{path}` is a binary file")]
    Binary {
        /// The path as given.
        path: String,
    },
    /// The content changed since the caller read it (`expected_sha256` did not match).
    #[error("`{path}` changed: its sha256 is {actual}, not the expected {expected}")]
    Changed {
        /// The path as given.
        path: String,
        /// The hash the caller expected.
        expected: String,
        /// The hash on disk.
        actual: String,
    },
    /// An argument is out of range or contradicts another.
    #[error("{message}")]
    InvalidArgument {
        /// The argument at fault.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A glob or regular expression did not compile.
    #[error("invalid {kind} `{pattern}`: {reason}")]
    InvalidPattern {
        /// `glob` or `regex`.
        kind: &'static str,
        /// The pattern as given.
        pattern: String,
        /// The compiler's message.
        reason: String,
    },
    /// An `edit_file` edit did not apply.
    #[error("edit {index}: {message}")]
    Edit {
        /// The 0-based edit index.
        index: usize,
        /// A stable code: `no_match`, `ambiguous_match`, `no_change`, `empty_old_text`.
        code: &'static str,
        /// What went wrong.
        message: String,
        /// What to do instead.
        hint: String,
    },
    /// The operating system refused, for a reason with its own code.
    #[error("{op} `{path}`: {message}")]
    Os {
        /// A stable code such as `permission_denied` or `directory_not_empty`.
        code: &'static str,
        /// What was being done.
        op: &'static str,
        /// The path as given.
        path: String,
        /// The system's message.
        message: String,
    },
}

impl FsError {
    /// Classifies an I/O error from operation `op` on `path`.
    pub fn io(op: &'static str, path: &str, error: io::Error) -> Self {
        let path = path.to_owned();
        let errno = error
            .raw_os_error()
            .map(rustix::io::Errno::from_raw_os_error);
        match (error.kind(), errno) {
            (io::ErrorKind::NotFound, _) => Self::NotFound { path },
            (io::ErrorKind::AlreadyExists, _) => Self::AlreadyExists { path },
            (io::ErrorKind::PermissionDenied, _) if error.to_string() == CAP_STD_ESCAPE => {
                Self::Outside { path }
            }
            (_, Some(rustix::io::Errno::LOOP)) => Self::Symlink { path },
            (_, Some(rustix::io::Errno::NOTDIR)) => Self::WrongKind {
                path,
                found: "file",
                expected: "directory",
            },
            (_, Some(rustix::io::Errno::ISDIR)) => Self::WrongKind {
                path,
                found: "directory",
                expected: "file",
            },
            (kind, errno) => {
                let code = match (kind, errno) {
                    (io::ErrorKind::PermissionDenied, _) => "permission_denied",
                    (_, Some(rustix::io::Errno::NOTEMPTY)) => "directory_not_empty",
                    (_, Some(rustix::io::Errno::NAMETOOLONG)) => "name_too_long",
                    (_, Some(rustix::io::Errno::XDEV)) => "cross_device",
                    (_, Some(rustix::io::Errno::NOSPC)) => "no_space",
                    (_, Some(rustix::io::Errno::ROFS)) => "read_only_filesystem",
                    (_, Some(rustix::io::Errno::INVAL)) => "invalid_operation",
                    _ => "io_error",
                };
                Self::Os {
                    code,
                    op,
                    path,
                    message: error.to_string(),
                }
            }
        }
    }

    /// An argument that is out of range or contradicts another.
    pub fn argument(field: &'static str, message: impl Into<String>) -> Self {
        Self::InvalidArgument {
            field,
            message: message.into(),
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidPath { .. } => "invalid_path",
            Self::Outside { .. } => "outside_allowed_directories",
            Self::NoRoots => "no_allowed_directories",
            Self::ReadOnly { .. } => "read_only",
            Self::IsRoot { .. } => "allowed_directory",
            Self::NotFound { .. } => "not_found",
            Self::AlreadyExists { .. } => "already_exists",
            Self::WrongKind { .. } => "wrong_kind",
            Self::Symlink { .. } => "symlink",
            Self::TooLarge { .. } => "too_large",
            Self::Binary { .. } => "binary_file",
            Self::Changed { .. } => "content_changed",
            Self::InvalidArgument { .. } => "invalid_arguments",
            Self::InvalidPattern { kind: "regex", .. } => "invalid_regex",
            Self::InvalidPattern { .. } => "invalid_glob",
            Self::Edit { code, .. } | Self::Os { code, .. } => code,
        }
    }

    fn hint(&self) -> String {
        let hint = match self {
            Self::InvalidPath { .. } => {
                "pass a plain absolute path inside an allowed directory, or one relative to it"
            }
            Self::Outside { .. } => {
                "call list_allowed_directories; symbolic links that lead outside them are not followed"
            }
            Self::NoRoots => {
                "start fs-server with one or more directories, or use a client that provides MCP roots"
            }
            Self::ReadOnly { .. } => "this directory was allowed for reading only",
            Self::IsRoot { .. } => "operate on entries inside the allowed directory instead",
            Self::NotFound { .. } => "check the path with list_directory or search_files",
            Self::AlreadyExists { .. } => {
                "pass overwrite: true to replace it, or choose another path"
            }
            Self::WrongKind {
                expected: "file", ..
            } => "use list_directory for directories",
            Self::WrongKind { .. } => "check the path with get_file_info",
            Self::Symlink { .. } => {
                "operate on the link's target path instead (see get_file_info for where it points)"
            }
            Self::TooLarge { .. } => "read it in parts with offset and limit, or raise max_bytes",
            Self::Binary { .. } => "use read_media_file for images, audio and other binary files",
            Self::Changed { .. } => {
                "read the file again, then repeat the change on its new content"
            }
            Self::InvalidArgument { .. } => {
                "send arguments that match the tool's inputSchema (see tools/list)"
            }
            Self::InvalidPattern { kind: "regex", .. } => {
                "fix the regular expression, or pass regex: false to search for the text literally"
            }
            Self::InvalidPattern { .. } => "globs look like `**/*.rs` or `src/{a,b}/*.txt`",
            Self::Edit { hint, .. } => return hint.clone(),
            Self::Os { code, .. } => match *code {
                "directory_not_empty" => {
                    "pass recursive: true to delete a directory with everything in it"
                }
                "permission_denied" => {
                    "the server's user may not do this here; choose another path"
                }
                "name_too_long" => "each name in a path is at most 255 bytes",
                "cross_device" => "copy_file, then delete_path the source",
                "no_space" => "free some space on the filesystem, then try again",
                "read_only_filesystem" => "this filesystem is mounted read-only",
                "time_limit" => "the operation took too long; narrow it to a smaller directory",
                _ => "the filesystem refused; check the path with get_file_info",
            },
        };
        hint.to_owned()
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::InvalidArgument { field, .. } => Some(field),
            Self::Edit { .. } => Some("edits"),
            _ => None,
        }
    }
}

impl From<FsError> for ToolError {
    fn from(error: FsError) -> Self {
        let mut tool_error =
            ToolError::new(error.code(), error.to_string()).with_hint(error.hint());
        if let Some(field) = error.field() {
            tool_error = tool_error.with_field(field);
        }
        tool_error
    }
}

/// The result of a filesystem operation.
pub type FsResult<T> = Result<T, FsError>;
