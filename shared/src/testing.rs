//! Test helpers: drive a server through a real rmcp client, in process, with no sockets.
//!
//! Enabled by the `testing` feature. The server side goes through the same input guard as
//! stdio, so what a test sees is what a client over a pipe would see.

use std::time::Duration;

use rmcp::model::{CallToolRequestParams, CallToolResult, ServerPeerInfo, Tool};
use rmcp::service::{RunningService, ServiceError};
use rmcp::{RoleClient, ServiceExt};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

use crate::lines::GuardedLines;
use crate::{ToolServer, Tools};

/// How long a helper waits for any single answer before it fails the test.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// What went wrong while talking to a server under test.
#[derive(Debug, thiserror::Error)]
pub enum TestError {
    /// The MCP handshake failed.
    #[error("handshake failed: {0}")]
    Handshake(String),
    /// The server answered a request with a JSON-RPC error, or the connection failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The server did not answer in time.
    #[error("no answer within {ANSWER_TIMEOUT:?}")]
    Timeout,
    /// Reading or writing raw lines failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// A raw line was not JSON.
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The server closed the stream.
    #[error("the server closed the stream")]
    Closed,
}

/// Connects the two ends of an in-memory pipe: the server behind the stdio input guard.
fn spawn_server<T: Tools>(server: ToolServer<T>) -> tokio::io::DuplexStream {
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        let (reader, writer) = tokio::io::split(server_io);
        if let Ok(running) = server.serve((GuardedLines::new(reader), writer)).await {
            let _ended = running.waiting().await;
        }
    });
    client_io
}

/// An rmcp client connected to a server in the same process.
pub struct TestClient {
    client: RunningService<RoleClient, ()>,
}

impl TestClient {
    /// Starts `server` and completes the MCP handshake with it.
    pub async fn connect<T: Tools>(server: ToolServer<T>) -> Result<Self, TestError> {
        let client_io = spawn_server(server);
        let client = tokio::time::timeout(ANSWER_TIMEOUT, ().serve(client_io))
            .await
            .map_err(|_| TestError::Timeout)?
            .map_err(|error| TestError::Handshake(error.to_string()))?;
        Ok(Self { client })
    }

    /// What the server said about itself in `initialize`.
    pub fn server_info(&self) -> Option<std::sync::Arc<ServerPeerInfo>> {
        self.client.peer_info()
    }

    /// Every tool the server lists.
    pub async fn list_tools(&self) -> Result<Vec<Tool>, TestError> {
        tokio::time::timeout(ANSWER_TIMEOUT, self.client.list_all_tools())
            .await
            .map_err(|_| TestError::Timeout)?
            .map_err(TestError::from)
    }

    /// Calls `tool` with `arguments` (a JSON object, or `Value::Null` for none).
    pub async fn call(&self, tool: &str, arguments: Value) -> Result<CallToolResult, TestError> {
        let mut params = CallToolRequestParams::new(tool.to_owned());
        if let Value::Object(object) = arguments {
            params = params.with_arguments(object);
        }
        tokio::time::timeout(ANSWER_TIMEOUT, self.client.call_tool(params))
            .await
            .map_err(|_| TestError::Timeout)?
            .map_err(TestError::from)
    }

    /// Calls a tool that must succeed and returns its structured content; panics otherwise,
    /// naming the tool, the arguments and the answer.
    pub async fn succeed(&self, tool: &str, arguments: Value) -> Value {
        let result = self.call(tool, arguments.clone()).await;
        match result {
            Ok(result) if result.is_error != Some(true) => match result.structured_content {
                Some(structured) => structured,
                None => panic!("{tool} {arguments}: no structured content in {result:?}"),
            },
            other => panic!("{tool} {arguments}: expected success, got {other:?}"),
        }
    }

    /// Calls a tool that must fail with an `isError` result in the workspace's error shape
    /// (`code`, `message` and `hint`, with the message in the text too); returns the error
    /// object, and panics otherwise.
    pub async fn fail(&self, tool: &str, arguments: Value) -> Value {
        let result = match self.call(tool, arguments.clone()).await {
            Ok(result) if result.is_error == Some(true) => result,
            other => panic!("{tool} {arguments}: expected an isError result, got {other:?}"),
        };
        let error = result
            .structured_content
            .as_ref()
            .map(|structured| structured["error"].clone())
            .unwrap_or_default();
        for key in ["code", "message", "hint"] {
            assert!(
                error[key].is_string(),
                "{tool} {arguments}: no {key} in {error}"
            );
        }
        let text = result
            .content
            .first()
            .and_then(|block| block.as_text())
            .map(|text| text.text.clone())
            .unwrap_or_default();
        assert!(
            text.contains(error["message"].as_str().unwrap_or_default()),
            "{tool} {arguments}: the text `{text}` lacks the message"
        );
        error
    }

    /// Closes the session.
    pub async fn close(self) {
        let _closed = self.client.cancel().await;
    }
}

/// A line-level JSON-RPC session, for messages an rmcp client would refuse to send.
pub struct RawSession {
    reader: BufReader<Box<dyn AsyncRead + Send + Unpin>>,
    writer: Box<dyn AsyncWrite + Send + Unpin>,
}

impl RawSession {
    /// Starts `server` in process and completes the handshake.
    pub async fn in_process<T: Tools>(server: ToolServer<T>) -> Result<Self, TestError> {
        let (reader, writer) = tokio::io::split(spawn_server(server));
        Self::over(reader, writer).await
    }

    /// Speaks over any byte stream (a child's stdout and stdin, say) and completes the handshake.
    pub async fn over(
        reader: impl AsyncRead + Send + Unpin + 'static,
        writer: impl AsyncWrite + Send + Unpin + 'static,
    ) -> Result<Self, TestError> {
        let mut session = Self {
            reader: BufReader::new(Box::new(reader)),
            writer: Box::new(writer),
        };
        session
            .request(serde_json::json!({
                "jsonrpc": "2.0", "id": "init", "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "raw-test-client", "version": "0"}
                }
            }))
            .await?;
        session
            .send(&serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await?;
        Ok(session)
    }

    /// Writes one message as one line.
    pub async fn send(&mut self, message: &Value) -> Result<(), TestError> {
        let line = serde_json::to_string(message)?;
        self.send_line(&line).await
    }

    /// Writes `line` (one JSON-RPC message, verbatim) and a newline.
    pub async fn send_line(&mut self, line: &str) -> Result<(), TestError> {
        self.writer.write_all(line.as_bytes()).await?;
        self.writer.write_all(b"\n").await?;
        self.writer.flush().await?;
        Ok(())
    }

    /// Writes a request and returns the message that answers its `id`, skipping notifications.
    pub async fn request(&mut self, message: Value) -> Result<Value, TestError> {
        let id = message.get("id").cloned().unwrap_or(Value::Null);
        let line = serde_json::to_string(&message)?;
        self.request_line(&line, &id).await
    }

    /// Writes a request given as text (for JSON a `Value` cannot hold, such as numbers with
    /// more digits than a double) and returns the answer to `id`.
    pub async fn request_line(&mut self, line: &str, id: &Value) -> Result<Value, TestError> {
        self.send_line(line).await?;
        tokio::time::timeout(ANSWER_TIMEOUT, async {
            loop {
                let mut answer_line = String::new();
                if self.reader.read_line(&mut answer_line).await? == 0 {
                    return Err(TestError::Closed);
                }
                let answer: Value = serde_json::from_str(&answer_line)?;
                if answer.get("id") == Some(id) {
                    return Ok(answer);
                }
            }
        })
        .await
        .map_err(|_| TestError::Timeout)?
    }
}
