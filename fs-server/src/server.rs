//! The MCP face of the filesystem server: one method per tool, each a thin adapter that takes
//! the allowed directories of the moment, resolves paths through the [`Sandbox`] and runs the
//! blocking filesystem work off the async threads.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rmcp::RoleServer;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::CallToolResult;
use rmcp::service::Peer;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::Serialize;
use shared::{ServerIdentity, ToolError, Tools};

use crate::args::{
    AppendFileArgs, CopyArgs, DeleteArgs, DirectoryTreeArgs, EditFileArgs, FileHashArgs, GrepArgs,
    ListDirectoryArgs, MoveArgs, PathArgs, ReadFileArgs, ReadMediaArgs, ReadMultipleArgs,
    SearchFilesArgs, WriteFileArgs,
};
use crate::edit::{self, Edited};
use crate::error::{FsError, FsResult};
use crate::find::{self, FoundPage, NameQuery};
use crate::grep::{self, ContentMatches, ContentQuery};
use crate::info::{self, FileHash, FileInfo};
use crate::listing::{self, Listing, Tree, TreeLimits};
use crate::manage::{self, Created, Deleted, Overwrite, Transferred};
use crate::read::{self, Lines, TextWindow};
use crate::roots::AllowedDirectories;
use crate::sandbox::{Access, Root, RootSource, Sandbox};
use crate::walk::{WalkOptions, glob_set};
use crate::write::{self, Parents, Written};
use crate::{media, read::DEFAULT_MAX_BYTES};

const INSTRUCTIONS: &str = "Files and directories under the allowed directories only (see \
list_allowed_directories); paths are absolute or relative to an allowed directory. Read text with \
read_file (line offset/limit or head/tail; it returns a sha256 you can pass as expected_sha256 to \
write_file or edit_file so that nobody else's change is lost). Change files with edit_file (exact \
text replacements, returns a diff) rather than rewriting them. search_files finds names by glob; \
grep searches contents. Long results are capped: `truncated` says so and `next_offset` continues. \
Failures are isError results with a code and a hint.";

/// How long a walk (tree, search, grep, recursive copy) may run.
const WALK_TIME_LIMIT: Duration = Duration::from_secs(10);
/// The tools that change the filesystem; `--read-only` leaves them out.
pub const WRITE_TOOLS: [&str; 7] = [
    "write_file",
    "append_file",
    "edit_file",
    "create_directory",
    "move_file",
    "copy_file",
    "delete_path",
];

/// How the server is set up (the command line, in the binary).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Directories every tool may use.
    pub directories: Vec<PathBuf>,
    /// Directories only the reading tools may use.
    pub read_only_directories: Vec<PathBuf>,
    /// Offer no tool that changes anything.
    pub read_only: bool,
    /// Tools to leave out, by name.
    pub disabled_tools: Vec<String>,
    /// Replace the directories with the client's MCP roots when it has them.
    pub follow_client_roots: bool,
}

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// `--disable-tools` named a tool that does not exist.
    #[error("unknown tool `{name}` in --disable-tools; the tools are: {known}")]
    UnknownTool {
        /// The name given.
        name: String,
        /// The tools that exist.
        known: String,
    },
    /// Directories were given but none could be opened.
    #[error("none of the directories can be opened: {0}")]
    NoUsableDirectory(String),
    /// No directories, and client roots are not followed.
    #[error(
        "no directories given; pass at least one, or serve stdio to a client that provides roots"
    )]
    NoDirectory,
}

/// The filesystem server's tools.
#[derive(Debug, Clone)]
pub struct FsServer {
    tool_router: ToolRouter<Self>,
    allowed: Arc<AllowedDirectories>,
}

impl FsServer {
    /// Opens the directories in `settings` and sets up the tools. Directories that cannot be
    /// opened are skipped with a warning; it is an error only if all of them fail.
    pub fn new(settings: &Settings) -> Result<Self, StartError> {
        let mut tool_router = Self::tool_router();
        let known: Vec<String> = tool_router
            .list_all()
            .iter()
            .map(|t| t.name.to_string())
            .collect();
        for name in &settings.disabled_tools {
            if !known.iter().any(|tool| tool == name) {
                return Err(StartError::UnknownTool {
                    name: name.clone(),
                    known: known.join(", "),
                });
            }
            tool_router.remove_route(name);
        }
        if settings.read_only {
            for name in WRITE_TOOLS {
                tool_router.remove_route(name);
            }
        }
        let writable = if settings.read_only {
            Access::ReadOnly
        } else {
            Access::ReadWrite
        };
        let given = settings
            .directories
            .iter()
            .map(|dir| (dir, writable))
            .chain(
                settings
                    .read_only_directories
                    .iter()
                    .map(|dir| (dir, Access::ReadOnly)),
            );
        let mut roots = Vec::new();
        let mut failures = Vec::new();
        for (dir, access) in given {
            match Root::open(dir, access, RootSource::CommandLine) {
                Ok(root) => roots.push(root),
                Err(error) => {
                    tracing::warn!(dir = %dir.display(), %error, "skipping a directory");
                    failures.push(format!("{}: {error}", dir.display()));
                }
            }
        }
        if roots.is_empty() && !failures.is_empty() {
            return Err(StartError::NoUsableDirectory(failures.join("; ")));
        }
        if roots.is_empty() && !settings.follow_client_roots {
            return Err(StartError::NoDirectory);
        }
        let allowed =
            AllowedDirectories::new(Sandbox::new(roots), writable, settings.follow_client_roots);
        Ok(Self {
            tool_router,
            allowed: Arc::new(allowed),
        })
    }

    /// Runs blocking filesystem work with the directories allowed now.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Sandbox) -> FsResult<T> + Send + 'static,
    ) -> Result<T, ToolError> {
        let sandbox = self.allowed.current().await;
        shared::run_blocking(move || work(&sandbox).map_err(ToolError::from)).await
    }
}

/// One allowed directory.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AllowedDirectory {
    /// The canonical absolute path.
    pub path: String,
    /// `read_write` or `read_only`.
    pub access: Access,
    /// `command_line` or `client` (MCP roots).
    pub source: RootSource,
}

/// The directories the tools may use.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AllowedList {
    /// The allowed directories, in the order paths are resolved against them.
    pub directories: Vec<AllowedDirectory>,
}

/// One file of `read_multiple_files`: its content or why it could not be read.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileOutcome {
    /// The path as given.
    pub path: String,
    /// Whether the file was read.
    pub ok: bool,
    /// The file's window, when read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<TextWindow>,
    /// Why it could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<FileError>,
}

/// Why one file of several could not be read.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileError {
    /// A stable code, as in a tool error.
    pub code: &'static str,
    /// What went wrong.
    pub message: String,
}

impl From<FsError> for FileError {
    fn from(error: FsError) -> Self {
        Self {
            code: error.code(),
            message: error.to_string(),
        }
    }
}

/// The files of `read_multiple_files`, in the order asked.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileOutcomes {
    /// One entry per path.
    pub files: Vec<FileOutcome>,
}

fn walk_options(
    max_depth: usize,
    respect_gitignore: bool,
    include_hidden: bool,
    exclude: &[String],
) -> FsResult<WalkOptions> {
    Ok(WalkOptions {
        max_depth,
        respect_gitignore,
        include_hidden,
        exclude: glob_set(exclude, false)?,
        deadline: Instant::now() + WALK_TIME_LIMIT,
    })
}

/// `value`, or `default` when absent; an error naming `field` if outside `1..=max`.
fn bounded<T>(field: &'static str, value: Option<T>, default: T, max: T) -> FsResult<T>
where
    T: PartialOrd + From<u8> + std::fmt::Display + Copy,
{
    let value = value.unwrap_or(default);
    if value < T::from(1) || value > max {
        return Err(FsError::argument(
            field,
            format!("{field} must be between 1 and {max}, not {value}"),
        ));
    }
    Ok(value)
}

fn lines(args: &ReadFileArgs) -> FsResult<Lines> {
    let positive = |field, value: Option<u64>| match value {
        Some(0) => Err(FsError::argument(
            field,
            format!("{field} must be at least 1"),
        )),
        other => Ok(other),
    };
    let offset = positive("offset", args.offset)?;
    let limit = positive("limit", args.limit)?;
    let head = positive("head", args.head)?;
    let tail = positive("tail", args.tail)?;
    match (head, tail, offset.is_some() || limit.is_some()) {
        (Some(_), Some(_), _) => Err(FsError::argument("tail", "give head or tail, not both")),
        (Some(_), _, true) | (_, Some(_), true) => Err(FsError::argument(
            "offset",
            "give head or tail, or offset and limit, not both",
        )),
        (Some(head), None, false) => Ok(Lines::From {
            offset: 1,
            limit: Some(head),
        }),
        (None, Some(tail), false) => Ok(Lines::Tail(tail)),
        (None, None, _) => Ok(Lines::From {
            offset: offset.unwrap_or(1),
            limit,
        }),
    }
}

/// A path for a tool that writes a file: it must name a file, so no trailing `/`.
fn file_path(raw: &str) -> FsResult<&str> {
    if raw.len() > 1 && raw.ends_with('/') {
        return Err(FsError::InvalidPath {
            path: raw.to_owned(),
            reason: "the path ends with `/`; name a file".to_owned(),
        });
    }
    Ok(raw)
}

#[tool_router]
impl FsServer {
    /// Lists the directories this server may use; every path must be inside one of them.
    #[tool(
        title = "List allowed directories",
        annotations(
            title = "List allowed directories",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn list_allowed_directories(&self) -> Json<AllowedList> {
        let sandbox = self.allowed.current().await;
        Json(AllowedList {
            directories: sandbox
                .roots()
                .iter()
                .map(|root| AllowedDirectory {
                    path: root.path().to_string_lossy().into_owned(),
                    access: root.access(),
                    source: root.source(),
                })
                .collect(),
        })
    }

    /// Reads a text file: a window of lines (offset/limit, or head/tail) up to max_bytes, with the line numbers, the encoding, and the sha256 of the whole file. `truncated` with `next_offset` means more lines follow. Binary files are refused (use read_media_file).
    #[tool(
        title = "Read text file",
        annotations(
            title = "Read text file",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn read_file(
        &self,
        Parameters(args): Parameters<ReadFileArgs>,
    ) -> Result<Json<TextWindow>, ToolError> {
        self.run(move |sandbox| {
            let lines = lines(&args)?;
            let max_bytes = bounded(
                "max_bytes",
                args.max_bytes,
                DEFAULT_MAX_BYTES,
                read::MAX_MAX_BYTES,
            )?;
            read::read_text(&sandbox.resolve(&args.path)?, lines, max_bytes)
        })
        .await
        .map(Json)
    }

    /// Reads several text files at once; a file that cannot be read gets an error entry and the others are still returned.
    #[tool(
        title = "Read multiple files",
        annotations(
            title = "Read multiple files",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn read_multiple_files(
        &self,
        Parameters(args): Parameters<ReadMultipleArgs>,
    ) -> Result<Json<FileOutcomes>, ToolError> {
        self.run(move |sandbox| {
            if args.paths.is_empty() || args.paths.len() > 50 {
                return Err(FsError::argument(
                    "paths",
                    format!("give 1 to 50 paths, not {}", args.paths.len()),
                ));
            }
            let max_bytes = bounded(
                "max_bytes_per_file",
                args.max_bytes_per_file,
                64 << 10,
                read::MAX_MAX_BYTES,
            )?;
            let whole = Lines::From {
                offset: 1,
                limit: None,
            };
            let files = args
                .paths
                .into_iter()
                .map(|path| {
                    let outcome = sandbox
                        .resolve(&path)
                        .and_then(|location| read::read_text(&location, whole, max_bytes));
                    match outcome {
                        Ok(file) => FileOutcome {
                            path,
                            ok: true,
                            file: Some(file),
                            error: None,
                        },
                        Err(error) => FileOutcome {
                            path,
                            ok: false,
                            file: None,
                            error: Some(error.into()),
                        },
                    }
                })
                .collect();
            Ok(FileOutcomes { files })
        })
        .await
        .map(Json)
    }

    /// Reads an image (as image content), audio (as audio content) or other binary file (as an embedded resource), base64-encoded, with the MIME type from its magic bytes. Files over max_bytes are refused.
    #[tool(
        title = "Read media file",
        annotations(
            title = "Read media file",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn read_media_file(
        &self,
        Parameters(args): Parameters<ReadMediaArgs>,
    ) -> Result<CallToolResult, ToolError> {
        self.run(move |sandbox| {
            let max_bytes = bounded(
                "max_bytes",
                args.max_bytes,
                media::DEFAULT_MAX_BYTES,
                media::MAX_MAX_BYTES,
            )?;
            media::read_media(&sandbox.resolve(&args.path)?, max_bytes)
        })
        .await
    }

    /// Creates or replaces a file with the given content, atomically (readers see the old or the new file, never half). A symbolic link at the path is refused, not followed. Pass expected_sha256 (from read_file) to refuse the write if the file changed since you read it.
    #[tool(
        title = "Write file",
        annotations(
            title = "Write file",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn write_file(
        &self,
        Parameters(args): Parameters<WriteFileArgs>,
    ) -> Result<Json<Written>, ToolError> {
        self.run(move |sandbox| {
            let location = sandbox.resolve_writable(file_path(&args.path)?)?;
            let parents = if args.create_parents {
                Parents::Create
            } else {
                Parents::MustExist
            };
            write::write_file(
                &location,
                args.content.as_bytes(),
                args.expected_sha256.as_deref(),
                parents,
            )
        })
        .await
        .map(Json)
    }

    /// Appends text to the end of a file, creating it if it does not exist.
    #[tool(
        title = "Append to file",
        annotations(
            title = "Append to file",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    pub async fn append_file(
        &self,
        Parameters(args): Parameters<AppendFileArgs>,
    ) -> Result<Json<Written>, ToolError> {
        self.run(move |sandbox| {
            let location = sandbox.resolve_writable(file_path(&args.path)?)?;
            write::append_file(&location, args.content.as_bytes())
        })
        .await
        .map(Json)
    }

    /// Edits a text file by exact replacements, applied in order (all or none), and returns a unified diff. Each old_text must occur exactly once unless replace_all is set; line endings and a byte-order mark are kept. dry_run previews the diff without writing.
    #[tool(
        title = "Edit file",
        annotations(
            title = "Edit file",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    pub async fn edit_file(
        &self,
        Parameters(args): Parameters<EditFileArgs>,
    ) -> Result<Json<Edited>, ToolError> {
        self.run(move |sandbox| {
            let location = sandbox.resolve_writable(file_path(&args.path)?)?;
            let mode = if args.dry_run {
                edit::Mode::DryRun
            } else {
                edit::Mode::Apply
            };
            edit::edit_file(
                &location,
                &args.edits,
                args.expected_sha256.as_deref(),
                mode,
            )
        })
        .await
        .map(Json)
    }

    /// Creates a directory and any missing parents; succeeds if it already exists.
    #[tool(
        title = "Create directory",
        annotations(
            title = "Create directory",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn create_directory(
        &self,
        Parameters(args): Parameters<PathArgs>,
    ) -> Result<Json<Created>, ToolError> {
        self.run(move |sandbox| manage::create_directory(&sandbox.resolve_writable(&args.path)?))
            .await
            .map(Json)
    }

    /// Lists one directory: each entry's name, kind (symbolic links shown as links), size and modification time, sorted, in pages (`next_offset`).
    #[tool(
        title = "List directory",
        annotations(
            title = "List directory",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn list_directory(
        &self,
        Parameters(args): Parameters<ListDirectoryArgs>,
    ) -> Result<Json<Listing>, ToolError> {
        self.run(move |sandbox| {
            let limit = bounded("limit", args.limit, 500, 5000)?;
            listing::list_directory(
                &sandbox.resolve(&args.path)?,
                args.sort_by,
                args.include_hidden,
                args.offset,
                limit,
            )
        })
        .await
        .map(Json)
    }

    /// Shows a directory tree as nested JSON, bounded by depth and entry count, skipping what .gitignore ignores. Directories whose entries were left out are marked `truncated`: call directory_tree on them to see more.
    #[tool(
        title = "Directory tree",
        annotations(
            title = "Directory tree",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn directory_tree(
        &self,
        Parameters(args): Parameters<DirectoryTreeArgs>,
    ) -> Result<Json<Tree>, ToolError> {
        self.run(move |sandbox| {
            let limits = TreeLimits {
                walk: walk_options(
                    bounded("max_depth", args.max_depth, 3, 32)?,
                    args.respect_gitignore,
                    args.include_hidden,
                    &args.exclude,
                )?,
                max_entries: bounded("max_entries", args.max_entries, 500, 50_000)?,
            };
            listing::directory_tree(&sandbox.resolve(&args.path)?, &limits)
        })
        .await
        .map(Json)
    }

    /// Moves or renames a file or directory. Fails if the destination exists unless overwrite is set; never moves a directory into itself or an allowed directory itself.
    #[tool(
        title = "Move file",
        annotations(
            title = "Move file",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    pub async fn move_file(
        &self,
        Parameters(args): Parameters<MoveArgs>,
    ) -> Result<Json<Transferred>, ToolError> {
        self.run(move |sandbox| {
            let from = sandbox.resolve_writable(&args.source)?;
            let to = sandbox.resolve_writable(&args.destination)?;
            let overwrite = Overwrite::when(args.overwrite);
            manage::move_path(&from, &to, overwrite)
        })
        .await
        .map(Json)
    }

    /// Copies a file (or a directory tree, with recursive). Fails if the destination exists unless overwrite is set. Symbolic links inside a copied tree are left out and listed.
    #[tool(
        title = "Copy file",
        annotations(
            title = "Copy file",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    pub async fn copy_file(
        &self,
        Parameters(args): Parameters<CopyArgs>,
    ) -> Result<Json<Transferred>, ToolError> {
        self.run(move |sandbox| {
            let from = sandbox.resolve(&args.source)?;
            let to = sandbox.resolve_writable(&args.destination)?;
            let overwrite = Overwrite::when(args.overwrite);
            manage::copy_path(
                &from,
                &to,
                overwrite,
                args.recursive,
                Instant::now() + WALK_TIME_LIMIT,
            )
        })
        .await
        .map(Json)
    }

    /// Deletes a file, a symbolic link (not its target) or a directory (only an empty one unless recursive). Deleting a path that does not exist succeeds with deleted: false. Allowed directories themselves cannot be deleted.
    #[tool(
        title = "Delete path",
        annotations(
            title = "Delete path",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn delete_path(
        &self,
        Parameters(args): Parameters<DeleteArgs>,
    ) -> Result<Json<Deleted>, ToolError> {
        self.run(move |sandbox| {
            manage::delete_path(&sandbox.resolve_writable(&args.path)?, args.recursive)
        })
        .await
        .map(Json)
    }

    /// Gets a path's metadata: kind, size, times, permissions. A symbolic link is described itself, with its target and what that is (or `outside`/`dangling`).
    #[tool(
        title = "Get file info",
        annotations(
            title = "Get file info",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn get_file_info(
        &self,
        Parameters(args): Parameters<PathArgs>,
    ) -> Result<Json<FileInfo>, ToolError> {
        self.run(move |sandbox| info::file_info(&sandbox.resolve(&args.path)?))
            .await
            .map(Json)
    }

    /// Computes a file's digest: sha256 (default), sha512, sha1 or md5.
    #[tool(
        title = "File hash",
        annotations(title = "File hash", read_only_hint = true, open_world_hint = false)
    )]
    pub async fn file_hash(
        &self,
        Parameters(args): Parameters<FileHashArgs>,
    ) -> Result<Json<FileHash>, ToolError> {
        self.run(move |sandbox| info::file_hash(&sandbox.resolve(&args.path)?, args.algorithm))
            .await
            .map(Json)
    }

    /// Finds files and directories by NAME with a glob (`*.rs` matches at any depth; `src/**/*.rs` matches relative paths). It does not look inside files: use grep for that.
    #[tool(
        title = "Search file names",
        annotations(
            title = "Search file names",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn search_files(
        &self,
        Parameters(args): Parameters<SearchFilesArgs>,
    ) -> Result<Json<FoundPage>, ToolError> {
        self.run(move |sandbox| {
            let walk = walk_options(
                bounded("max_depth", args.max_depth, 64, 64)?,
                args.respect_gitignore,
                args.include_hidden,
                &args.exclude,
            )?;
            let query = NameQuery {
                pattern: args.pattern,
                case_insensitive: !args.case_sensitive,
                kind: args.kind,
                offset: args.offset,
                max_results: bounded("max_results", args.max_results, 200, 5000)?,
            };
            find::search_files(&sandbox.resolve(&args.path)?, &query, &walk)
        })
        .await
        .map(Json)
    }

    /// Searches file CONTENTS for text (or a regular expression with regex: true), like ripgrep: matching lines with line numbers and optional context, skipping binary files and what .gitignore ignores.
    #[tool(
        title = "Search file contents",
        annotations(
            title = "Search file contents",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    pub async fn grep(
        &self,
        Parameters(args): Parameters<GrepArgs>,
    ) -> Result<Json<ContentMatches>, ToolError> {
        self.run(move |sandbox| {
            if args.context_lines > 10 {
                return Err(FsError::argument(
                    "context_lines",
                    "context_lines must be at most 10",
                ));
            }
            let query = ContentQuery {
                query: args.query,
                regex: args.regex,
                case: args.case,
                context_lines: args.context_lines,
                include: if args.include.is_empty() {
                    None
                } else {
                    Some(glob_set(&args.include, false)?)
                },
                max_file_bytes: bounded("max_file_bytes", args.max_file_bytes, 10 << 20, u64::MAX)?,
                offset: args.offset,
                max_results: bounded("max_results", args.max_results, 100, 2000)?,
                max_matches_per_file: bounded(
                    "max_matches_per_file",
                    args.max_matches_per_file,
                    20,
                    2000,
                )?,
            };
            let walk = walk_options(
                64,
                args.respect_gitignore,
                args.include_hidden,
                &args.exclude,
            )?;
            grep::grep(&sandbox.resolve(&args.path)?, &query, &walk)
        })
        .await
        .map(Json)
    }
}

impl Tools for FsServer {
    fn identity(&self) -> ServerIdentity {
        ServerIdentity {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
            title: "Filesystem",
            instructions: INSTRUCTIONS,
            default_port: 8103,
        }
    }

    fn tool_router(&self) -> &ToolRouter<Self> {
        &self.tool_router
    }

    async fn on_initialized(&self, peer: Peer<RoleServer>) {
        self.allowed.client_initialized(peer).await;
    }

    async fn on_roots_list_changed(&self, peer: Peer<RoleServer>) {
        self.allowed.refresh(peer).await;
    }
}
