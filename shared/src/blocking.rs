//! Blocking work (file I/O, a search index) off the async threads, with a panic in it answered
//! like a panicking tool: an `internal_error` result, and the server keeps serving.

use crate::ToolError;

/// Runs `work` on tokio's blocking pool.
///
/// ```
/// let runtime = tokio::runtime::Runtime::new()?;
/// runtime.block_on(async {
///     assert_eq!(shared::run_blocking(|| Ok(2 + 2)).await, Ok(4));
///     let failed = shared::run_blocking::<()>(|| panic!("boom")).await;
///     assert_eq!(failed.map_err(|e| e.code().to_owned()), Err("internal_error".to_owned()));
/// });
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ToolError> + Send + 'static,
) -> Result<T, ToolError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(error) => {
            tracing::error!(%error, "blocking work failed");
            Err(
                ToolError::new("internal_error", "the operation failed unexpectedly")
                    .with_hint("this is a bug in the server; the server keeps serving other calls"),
            )
        }
    }
}
