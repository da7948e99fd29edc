//! `faulty-server`: an MCP stdio server that misbehaves on purpose, so that fault tests can
//! show what a client (the orchestrator above all) does when an upstream crashes, hangs,
//! wedges, floods it with notifications, pages forever, or writes garbage to stdout.
//!
//! It implements `rmcp::ServerHandler` by hand rather than through `shared::ToolServer`,
//! because several faults live below the tool layer: pagination, the bytes on stdout, and
//! whether stdin is read at all. Run `faulty-server --help` for the flags; the tools are
//! listed in [`base_tools`].
//!
//! Logs go to stderr only. The process exits (status 2) if its parent goes away, so a
//! wedged or hanging instance never outlives the test that started it.

use std::borrow::Cow;
use std::io::Write as _;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use clap::Parser;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    JsonObject, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ProgressNotificationParam, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult,
    Resource, ResourceContents, ResourceUpdatedNotificationParam, ServerCapabilities, ServerConfig,
    SubscribeRequestParams, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};

/// The one resource: the process id.
const PID_URI: &str = "faulty://pid";
use tokio::sync::mpsc;

/// serverInfo.version.
const VERSION: &str = "0.1.0";
/// What `--garbage` writes to stdout: one line that is not JSON.
const GARBAGE: &[u8] = b"this is not json {{{\n";
/// The most notifications one `flood_list_changed` call sends.
const MAX_FLOOD: u64 = 100_000;
/// How long a `slow` step lasts.
const SLOW_STEP_MS: u64 = 100;

/// A deliberately misbehaving MCP stdio server for fault tests.
#[derive(Debug, Parser)]
#[command(name = "faulty-server", version = VERSION)]
struct Args {
    /// serverInfo.name.
    #[arg(long, default_value = "faulty")]
    name: String,
    /// Write a line to stderr and exit with status 1 before reading anything.
    #[arg(long)]
    exit_at_start: bool,
    /// Write a non-JSON line to stdout at start and before every tool call answer.
    #[arg(long)]
    garbage: bool,
    /// tools/list never ends: one tool (page_tool_N) per page, and a fresh nextCursor cN+1.
    #[arg(long, conflicts_with_all = ["repeat_cursor", "page_size"])]
    endless_pages: bool,
    /// tools/list returns one tool (echo) and always the nextCursor "again".
    #[arg(long, conflicts_with = "page_size")]
    repeat_cursor: bool,
    /// Honest pagination: at most N tools per tools/list page [default: all in one page].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    page_size: Option<u64>,
    /// List N extra echo-like tools, extra_1 to extra_N.
    #[arg(long, value_name = "N", default_value_t = 0)]
    extra_tools: usize,
    /// Also list echo-like tools with awkward names (dots, slashes, spaces, non-ASCII, 100
    /// characters, and two names that sanitize alike).
    #[arg(long)]
    odd_names: bool,
    /// After the handshake (the client's notifications/initialized), read nothing more from
    /// stdin and write nothing more to stdout, while the process stays alive.
    #[arg(long, conflicts_with = "wedge_after_ms")]
    wedge_after_init: bool,
    /// Like --wedge-after-init, but N milliseconds after the handshake.
    #[arg(long, value_name = "N")]
    wedge_after_ms: Option<u64>,
}

/// The awkward tool names of `--odd-names`. The last two sanitize alike.
fn odd_names() -> Vec<String> {
    let mut names: Vec<String> = ["dotted.name", "slash/name", "spaced name", "ünïcödé"]
        .map(str::to_owned)
        .into();
    names.push("a".repeat(100));
    names.extend(["x.y".to_owned(), "x/y".to_owned()]);
    names
}

fn main() {
    let args = Args::parse();
    if args.exit_at_start {
        eprintln!("faulty-server: exiting at start on purpose");
        std::process::exit(1);
    }
    let code = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(serve(args)),
        Err(error) => {
            eprintln!("faulty-server: cannot start the async runtime: {error}");
            1
        }
    };
    // Exit at once: a hanging tool or a blocked stdin read must not hold the process.
    std::process::exit(code);
}

async fn serve(args: Args) -> i32 {
    watch_parent();
    let wedge_after = if args.wedge_after_init {
        Some(Duration::ZERO)
    } else {
        args.wedge_after_ms.map(Duration::from_millis)
    };
    let gate = Arc::new(Gate::new(wedge_after));
    let (stdin, stdout) = rmcp::transport::stdio_pipes();
    let (lines, queued) = mpsc::unbounded_channel();
    let writer = tokio::spawn(write_stdout(queued, stdout));
    let output = Output {
        lines,
        gate: Arc::clone(&gate),
    };
    if args.garbage {
        output.garbage();
    }
    let server = Faulty::new(&args, output.clone());
    let transport = (GatedReader::new(stdin, gate), LineWriter::new(output));
    let code = match server.serve(transport).await {
        Ok(running) => match running.waiting().await {
            Ok(reason) => {
                eprintln!("faulty-server: stopped ({reason:?})");
                0
            }
            Err(error) => {
                eprintln!("faulty-server: the session task failed: {error}");
                1
            }
        },
        Err(error) => {
            eprintln!("faulty-server: the MCP session did not start: {error}");
            1
        }
    };
    // Let the writer finish the lines already queued.
    let _ = tokio::time::timeout(Duration::from_secs(2), writer).await;
    code
}

/// Exits with status 2 once the parent process is gone (the process was reparented).
fn watch_parent() {
    let parent = std::os::unix::process::parent_id();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if std::os::unix::process::parent_id() != parent {
                eprintln!("faulty-server: parent process {parent} is gone; exiting");
                std::process::exit(2);
            }
        }
    });
}

// ---------------------------------------------------------------------------------------
// The MCP handler.

/// How `tools/list` pages.
#[derive(Debug, Clone, Copy)]
enum Listing {
    /// Every tool in one page; any cursor is an error.
    OnePage,
    /// Honest pages of at most this many tools, with cursors `p{offset}`.
    Pages(usize),
    /// `page_tool_{n}` and the cursor `c{n+1}`, forever.
    Endless,
    /// `echo` and the cursor `again`, every time.
    RepeatCursor,
}

/// The server: a fixed tool set, echo-like extras, and tools added at run time.
struct Faulty {
    name: String,
    listing: Listing,
    /// Echo-like tools from `--extra-tools` and `--odd-names`.
    extra: Vec<String>,
    /// Echo-like tools added by `add_tool`.
    added: RwLock<Vec<String>>,
    garbage: bool,
    output: Output,
}

impl Faulty {
    fn new(args: &Args, output: Output) -> Self {
        let listing = if args.endless_pages {
            Listing::Endless
        } else if args.repeat_cursor {
            Listing::RepeatCursor
        } else if let Some(size) = args.page_size {
            Listing::Pages(usize::try_from(size).unwrap_or(usize::MAX))
        } else {
            Listing::OnePage
        };
        let mut extra: Vec<String> = (1..=args.extra_tools)
            .map(|i| format!("extra_{i}"))
            .collect();
        if args.odd_names {
            extra.extend(odd_names());
        }
        Self {
            name: args.name.clone(),
            listing,
            extra,
            added: RwLock::new(Vec::new()),
            garbage: args.garbage,
            output,
        }
    }

    fn added(&self) -> Vec<String> {
        self.added
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Every tool of the normal listing, in order.
    fn tools(&self) -> Vec<Tool> {
        let mut tools = base_tools();
        tools.extend(self.extra.iter().map(|name| echo_like(name)));
        tools.extend(self.added().iter().map(|name| echo_like(name)));
        tools
    }

    /// Whether `name` is one of the tools that behave like `echo`.
    fn is_echo_like(&self, name: &str) -> bool {
        self.extra.iter().any(|extra| extra == name)
            || self.added().iter().any(|added| added == name)
            || matches!(self.listing, Listing::Endless)
                && name
                    .strip_prefix("page_tool_")
                    .is_some_and(|n| n.parse::<u64>().is_ok())
    }

    async fn slow(
        &self,
        args: &JsonObject,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResult, String> {
        let ms = integer_arg(args, "ms")?;
        let progress = bool_arg(args, "progress")?;
        let token = context.meta.get_progress_token().filter(|_| progress);
        let mut elapsed = 0;
        while elapsed < ms {
            let step = (ms - elapsed).min(SLOW_STEP_MS);
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(step)) => {}
                () = context.ct.cancelled() => {
                    eprintln!("faulty-server: slow cancelled after {elapsed} ms");
                    return Err("cancelled".to_owned());
                }
            }
            elapsed += step;
            if let Some(token) = &token {
                let notification = ProgressNotificationParam::new(token.clone(), elapsed as f64)
                    .with_total(ms as f64)
                    .with_message(format!("{elapsed} of {ms} ms"));
                if let Err(error) = context.peer.notify_progress(notification).await {
                    eprintln!("faulty-server: cannot send progress: {error}");
                }
            }
        }
        Ok(text_result(format!("done after {ms} ms")))
    }

    async fn add_tool(
        &self,
        args: &JsonObject,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResult, String> {
        let name = string_arg(args, "name")?;
        if name.is_empty() {
            return Err("invalid arguments: `name` must not be empty".to_owned());
        }
        {
            let mut added = self.added.write().unwrap_or_else(PoisonError::into_inner);
            let taken = base_tools().iter().any(|tool| tool.name == name)
                || self.extra.iter().chain(added.iter()).any(|n| n == name);
            if taken {
                return Err(format!("a tool named {name} already exists"));
            }
            added.push(name.to_owned());
        }
        context
            .peer
            .notify_tool_list_changed()
            .await
            .map_err(|error| format!("added {name}, but cannot notify: {error}"))?;
        Ok(text_result(format!("added {name}")))
    }
}

impl ServerHandler for Faulty {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .enable_resources()
                .enable_resources_subscribe()
                .build(),
        )
        .with_server_info(Implementation::new(self.name.clone(), VERSION))
    }

    /// One resource, [`PID_URI`], whose text is the process id: which incarnation answers.
    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let resource = Resource::new(PID_URI, "pid").with_mime_type("text/plain");
        Ok(ListResourcesResult::with_all_items(vec![resource]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        if request.uri != PID_URI {
            return Err(ErrorData::resource_not_found(
                format!("no resource `{}`", request.uri),
                None,
            ));
        }
        let contents = ResourceContents::text(std::process::id().to_string(), PID_URI);
        Ok(ReadResourceResponse::Complete(ReadResourceResult::new(
            vec![contents],
        )))
    }

    /// Confirms each subscription with one `resources/updated`, so that a client sees which
    /// incarnation holds it.
    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let update = ResourceUpdatedNotificationParam::new(request.uri);
        if let Err(error) = context.peer.notify_resource_updated(update).await {
            eprintln!("faulty-server: cannot send resources/updated: {error}");
        }
        Ok(())
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let cursor = request.and_then(|request| request.cursor);
        let (tools, next) = match self.listing {
            Listing::OnePage => match cursor {
                None => (self.tools(), None),
                Some(cursor) => return Err(bad_cursor(&cursor)),
            },
            Listing::Pages(size) => {
                let all = self.tools();
                let start = match &cursor {
                    None => 0,
                    Some(cursor) => cursor
                        .strip_prefix('p')
                        .and_then(|offset| offset.parse::<usize>().ok())
                        .filter(|&offset| offset <= all.len())
                        .ok_or_else(|| bad_cursor(cursor))?,
                };
                let end = start.saturating_add(size).min(all.len());
                let next = (end < all.len()).then(|| format!("p{end}"));
                (all[start..end].to_vec(), next)
            }
            Listing::Endless => {
                let n = match &cursor {
                    None => 0,
                    Some(cursor) => cursor
                        .strip_prefix('c')
                        .and_then(|n| n.parse::<u64>().ok())
                        .ok_or_else(|| bad_cursor(cursor))?,
                };
                (
                    vec![echo_like(&format!("page_tool_{n}"))],
                    Some(format!("c{}", n.saturating_add(1))),
                )
            }
            Listing::RepeatCursor => (
                base_tools().into_iter().take(1).collect(),
                Some("again".to_owned()),
            ),
        };
        let mut result = ListToolsResult::with_all_items(tools);
        result.next_cursor = next;
        Ok(result)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.unwrap_or_default();
        let outcome = match request.name.as_ref() {
            "echo" => Ok(echo(&args)),
            "crash" => {
                eprintln!("faulty-server: crashing on purpose");
                std::process::exit(3);
            }
            "hang" => {
                eprintln!("faulty-server: hanging on purpose");
                std::future::pending().await
            }
            "slow" => Ok(self.slow(&args, &context).await),
            "add_tool" => Ok(self.add_tool(&args, &context).await),
            "flood_list_changed" => Ok(flood_list_changed(&args, &context).await),
            "stderr" => Ok(write_stderr(&args).await),
            "pid" => Ok(Ok(text_result(std::process::id().to_string()))),
            name if self.is_echo_like(name) => Ok(echo(&args)),
            name => Err(ErrorData::invalid_params(
                format!("tool not found: {name}"),
                None,
            )),
        };
        if self.garbage {
            self.output.garbage();
        }
        outcome.map(|result| {
            result
                .unwrap_or_else(|message| CallToolResult::error(vec![ContentBlock::text(message)]))
                .into()
        })
    }
}

fn bad_cursor(cursor: &str) -> ErrorData {
    ErrorData::invalid_params(format!("unknown cursor {cursor:?}"), None)
}

// ---------------------------------------------------------------------------------------
// Tools.

/// The tools every instance lists, in order.
fn base_tools() -> Vec<Tool> {
    vec![
        tool(
            "echo",
            "Answers with the text it was given.",
            json!({"text": {"type": "string"}}),
            &["text"],
        ),
        tool(
            "crash",
            "Exits the server process with status 3, never answering.",
            json!({}),
            &[],
        ),
        tool(
            "hang",
            "Never answers, and ignores cancellation.",
            json!({}),
            &[],
        ),
        tool(
            "slow",
            "Sleeps `ms` milliseconds in 100 ms steps, with a progress notification per step if `progress` is true and the request has a progress token.",
            json!({"ms": {"type": "integer", "minimum": 0}, "progress": {"type": "boolean"}}),
            &["ms"],
        ),
        tool(
            "add_tool",
            "Adds an echo-like tool with this name and sends notifications/tools/list_changed.",
            json!({"name": {"type": "string"}}),
            &["name"],
        ),
        tool(
            "flood_list_changed",
            "Sends `count` notifications/tools/list_changed back to back.",
            json!({"count": {"type": "integer", "minimum": 0, "maximum": MAX_FLOOD}}),
            &["count"],
        ),
        tool(
            "stderr",
            "Writes `lines` numbered lines to stderr.",
            json!({"lines": {"type": "integer", "minimum": 0}}),
            &["lines"],
        ),
        tool("pid", "Answers the server's process id.", json!({}), &[]),
    ]
}

/// A tool that behaves like `echo`.
fn echo_like(name: &str) -> Tool {
    tool(
        name,
        "Behaves like echo: answers with the text it was given.",
        json!({"text": {"type": "string"}}),
        &["text"],
    )
}

fn tool(name: &str, description: &str, properties: Value, required: &[&str]) -> Tool {
    let mut schema = JsonObject::new();
    schema.insert("type".to_owned(), json!("object"));
    schema.insert("properties".to_owned(), properties);
    if !required.is_empty() {
        schema.insert("required".to_owned(), json!(required));
    }
    Tool::new(
        Cow::Owned(name.to_owned()),
        Cow::Owned(description.to_owned()),
        Arc::new(schema),
    )
}

fn text_result(text: String) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(text)])
}

fn echo(args: &JsonObject) -> Result<CallToolResult, String> {
    let text = string_arg(args, "text")?;
    let mut result = text_result(text.to_owned());
    result.structured_content = Some(json!({ "text": text }));
    Ok(result)
}

async fn flood_list_changed(
    args: &JsonObject,
    context: &RequestContext<RoleServer>,
) -> Result<CallToolResult, String> {
    let count = integer_arg(args, "count")?;
    if count > MAX_FLOOD {
        return Err(format!(
            "invalid arguments: `count` must be at most {MAX_FLOOD}"
        ));
    }
    for sent in 0..count {
        context
            .peer
            .notify_tool_list_changed()
            .await
            .map_err(|error| format!("sent {sent}, then failed: {error}"))?;
    }
    Ok(text_result(format!("sent {count}")))
}

async fn write_stderr(args: &JsonObject) -> Result<CallToolResult, String> {
    let lines = integer_arg(args, "lines")?;
    // Blocking writes, off the async workers: a client that never drains stderr blocks
    // this call, as it would block a real server.
    tokio::task::spawn_blocking(move || {
        let mut stderr = std::io::stderr().lock();
        for i in 1..=lines {
            writeln!(stderr, "faulty-server stderr line {i}")?;
        }
        stderr.flush()
    })
    .await
    .map_err(|error| format!("the stderr writer failed: {error}"))?
    .map_err(|error| format!("cannot write to stderr: {error}"))?;
    Ok(text_result("ok".to_owned()))
}

fn string_arg<'a>(args: &'a JsonObject, name: &str) -> Result<&'a str, String> {
    match args.get(name) {
        Some(Value::String(value)) => Ok(value),
        Some(other) => Err(format!(
            "invalid arguments: `{name}` must be a string, not {other}"
        )),
        None => Err(format!("invalid arguments: `{name}` is required")),
    }
}

fn integer_arg(args: &JsonObject, name: &str) -> Result<u64, String> {
    match args.get(name) {
        Some(value) => value.as_u64().ok_or_else(|| {
            format!("invalid arguments: `{name}` must be a non-negative integer, not {value}")
        }),
        None => Err(format!("invalid arguments: `{name}` is required")),
    }
}

/// An optional boolean, false when absent.
fn bool_arg(args: &JsonObject, name: &str) -> Result<bool, String> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(value)) => Ok(*value),
        Some(other) => Err(format!(
            "invalid arguments: `{name}` must be a boolean, not {other}"
        )),
    }
}

// ---------------------------------------------------------------------------------------
// Stdio: a gate that wedges both directions, and one writer that owns stdout.

/// Decides when the server wedges (`--wedge-after-init`, `--wedge-after-ms`).
struct Gate {
    /// How long after the handshake the server wedges; `None`: never.
    wedge_after: Option<Duration>,
    /// When the client's `notifications/initialized` was passed on.
    handshake_done: OnceLock<Instant>,
    /// Whether the wedge was reported on stderr.
    reported: AtomicBool,
}

impl Gate {
    fn new(wedge_after: Option<Duration>) -> Self {
        Self {
            wedge_after,
            handshake_done: OnceLock::new(),
            reported: AtomicBool::new(false),
        }
    }

    fn is_wedged(&self) -> bool {
        let (Some(after), Some(done)) = (self.wedge_after, self.handshake_done.get()) else {
            return false;
        };
        let wedged = done.elapsed() >= after;
        if wedged && !self.reported.swap(true, Ordering::Relaxed) {
            eprintln!("faulty-server: wedged on purpose; reading and answering nothing more");
        }
        wedged
    }

    fn handshake_done(&self) {
        let _ = self.handshake_done.set(Instant::now());
    }
}

/// Stdin as the transport reads it: passed on at most one line per read, so that once the
/// server wedges not one byte more reaches rmcp.
struct GatedReader<R> {
    inner: R,
    gate: Arc<Gate>,
    /// Bytes read from stdin and not passed on yet.
    pending: Vec<u8>,
    /// The start of the line being passed on (enough to recognise `notifications/initialized`).
    line: Vec<u8>,
    eof: bool,
}

impl<R> GatedReader<R> {
    const LINE_PREFIX: usize = 4096;

    fn new(inner: R, gate: Arc<Gate>) -> Self {
        Self {
            inner,
            gate,
            pending: Vec::new(),
            line: Vec::new(),
            eof: false,
        }
    }

    /// Notes bytes passed on; `chunk` holds at most one newline, at its end.
    fn passed_on(&mut self, chunk: &[u8]) {
        let (body, complete) = match chunk.strip_suffix(b"\n") {
            Some(body) => (body, true),
            None => (chunk, false),
        };
        let room = Self::LINE_PREFIX.saturating_sub(self.line.len());
        self.line.extend_from_slice(&body[..body.len().min(room)]);
        if complete {
            if is_initialized_notification(&self.line) {
                self.gate.handshake_done();
            }
            self.line.clear();
        }
    }
}

fn is_initialized_notification(line: &[u8]) -> bool {
    serde_json::from_slice::<Value>(line)
        .is_ok_and(|message| message["method"] == "notifications/initialized")
}

impl<R: AsyncRead + Unpin> AsyncRead for GatedReader<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.gate.is_wedged() {
                // Never woken again: the server has stopped reading.
                return Poll::Pending;
            }
            if !this.pending.is_empty() {
                let wanted = this
                    .pending
                    .iter()
                    .position(|&byte| byte == b'\n')
                    .map_or(this.pending.len(), |end| end + 1);
                let chunk: Vec<u8> = this.pending.drain(..wanted.min(buf.remaining())).collect();
                buf.put_slice(&chunk);
                this.passed_on(&chunk);
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            let mut chunk = [0; 8192];
            let mut chunk = ReadBuf::new(&mut chunk);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut chunk))?;
            if chunk.filled().is_empty() {
                this.eof = true;
            } else {
                this.pending.extend_from_slice(chunk.filled());
            }
        }
    }
}

/// What the stdout writer is asked to do.
enum Out {
    /// Write one whole line.
    Line(Vec<u8>),
    /// The transport closed: stop.
    Close,
}

/// The way to stdout: whole lines, queued to the one task that writes stdout.
#[derive(Clone)]
struct Output {
    lines: mpsc::UnboundedSender<Out>,
    gate: Arc<Gate>,
}

impl Output {
    fn line(&self, line: Vec<u8>) {
        if !self.gate.is_wedged() {
            let _ = self.lines.send(Out::Line(line));
        }
    }

    fn garbage(&self) {
        self.line(GARBAGE.to_vec());
    }

    fn close(&self) {
        let _ = self.lines.send(Out::Close);
    }
}

/// Owns stdout: writes queued lines one at a time, so protocol messages and garbage lines
/// never interleave inside a line.
async fn write_stdout(
    mut queued: mpsc::UnboundedReceiver<Out>,
    mut stdout: impl AsyncWrite + Unpin,
) {
    while let Some(Out::Line(line)) = queued.recv().await {
        if stdout.write_all(&line).await.is_err() || stdout.flush().await.is_err() {
            break;
        }
    }
}

/// The transport's writer: cuts what rmcp writes into lines and queues each whole line.
struct LineWriter {
    partial: Vec<u8>,
    output: Output,
}

impl LineWriter {
    fn new(output: Output) -> Self {
        Self {
            partial: Vec::new(),
            output,
        }
    }
}

impl AsyncWrite for LineWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let mut rest = buf;
        while let Some(end) = rest.iter().position(|&byte| byte == b'\n') {
            this.partial.extend_from_slice(&rest[..=end]);
            this.output.line(std::mem::take(&mut this.partial));
            rest = &rest[end + 1..];
        }
        this.partial.extend_from_slice(rest);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.output.close();
        Poll::Ready(Ok(()))
    }
}

impl Drop for LineWriter {
    /// rmcp closes the transport by dropping its writer; a tool still running (`hang`) keeps
    /// another sender alive, so the writer task is told to stop rather than left waiting.
    fn drop(&mut self) {
        self.output.close();
    }
}
