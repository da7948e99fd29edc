//! How much work one call may do. Every tool checks these before it starts the expensive part,
//! so a hostile input (`9^9^9^9`, `factorial(10^9)`, 10,000 nested parentheses) is refused at
//! once with an error, instead of being attempted.

use std::time::{Duration, Instant};

use shared::ToolError;

/// Longest expression accepted, in characters.
pub const MAX_EXPRESSION_CHARS: usize = 10_000;
/// Deepest nesting of parentheses, function calls, unary signs and powers.
pub const MAX_NESTING: usize = 200;
/// Most variables one `evaluate` call may define.
pub const MAX_VARIABLES: usize = 100;
/// Most digits in one number literal.
pub const MAX_LITERAL_DIGITS: usize = 10_000;
/// Largest decimal exponent in a literal such as `1e5000`.
pub const MAX_DECIMAL_EXPONENT: u64 = 100_000;
/// Largest exact integer (numerator or denominator) a result may have, in bits (~100,000 digits).
pub const MAX_RESULT_BITS: u64 = 332_200;
/// Largest `n` for `factorial(n)` (20000! has 77,338 digits).
pub const MAX_FACTORIAL: u64 = 20_000;
/// Largest `n` for `fibonacci(n)` (fib(400000) has 83,595 digits).
pub const MAX_FIBONACCI: u64 = 400_000;
/// Most data points `statistics` accepts.
pub const MAX_DATA_POINTS: usize = 100_000;
/// Largest significant-digit precision a caller may ask for.
pub const MAX_PRECISION: u32 = 1_000;
/// Significant digits shown for results that do not terminate, unless the caller asks.
pub const DEFAULT_DIGITS: u32 = 40;
/// Wall-clock time one call may take before it gives up.
pub const TIME_LIMIT: Duration = Duration::from_secs(1);

/// A deadline for one call, checked inside every loop that could run long.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    deadline: Instant,
}

impl Budget {
    /// A budget of [`TIME_LIMIT`] from now.
    pub fn start() -> Self {
        Self {
            deadline: Instant::now() + TIME_LIMIT,
        }
    }

    /// Fails once the deadline has passed.
    pub fn check(&self) -> Result<(), ToolError> {
        if Instant::now() > self.deadline {
            return Err(ToolError::new(
                "time_limit_exceeded",
                format!("the computation took longer than {TIME_LIMIT:?} and was stopped"),
            )
            .with_hint("use smaller numbers, or mode \"float\" for an approximation"));
        }
        Ok(())
    }
}

/// Fails when an exact result would need more than [`MAX_RESULT_BITS`] bits.
pub fn check_result_bits(bits: u64) -> Result<(), ToolError> {
    if bits > MAX_RESULT_BITS {
        return Err(result_too_large(bits));
    }
    Ok(())
}

/// The error for a result beyond [`MAX_RESULT_BITS`].
pub fn result_too_large(bits: u64) -> ToolError {
    let digits = (bits as f64 * std::f64::consts::LOG10_2).ceil();
    ToolError::new(
        "result_too_large",
        format!(
            "the exact result would have about {digits:.0} digits; the limit is about {:.0}",
            MAX_RESULT_BITS as f64 * std::f64::consts::LOG10_2
        ),
    )
    .with_hint("use mode \"float\" or \"decimal\" for an approximation, or smaller numbers")
}

/// The significant digits a caller asked for, or the default; out-of-range values are refused.
pub fn precision(requested: Option<u32>) -> Result<u32, ToolError> {
    match requested {
        None => Ok(DEFAULT_DIGITS),
        Some(digits) if (1..=MAX_PRECISION).contains(&digits) => Ok(digits),
        Some(digits) => Err(ToolError::new(
            "invalid_argument",
            format!(
                "precision must be between 1 and {MAX_PRECISION} significant digits, not {digits}"
            ),
        )
        .with_field("precision")
        .with_hint(format!("leave it out for the default of {DEFAULT_DIGITS}"))),
    }
}
