//! An MCP server for arithmetic an agent can trust: exact on numbers of any size.
//!
//! [`MathServer`] holds the tools; [`shared::ToolServer`] serves them over MCP. The tools:
//!
//! - `add`, `multiply`: the seed's two tools, exact on integers and decimals of any size;
//! - `evaluate`: an expression language ([`expr`]) that is exact by default, with float and
//!   decimal modes;
//! - `statistics`: descriptive statistics, correlation and regression ([`statistics`]);
//! - `number_theory`: primes, factors, modular arithmetic, binomials ([`number_theory`]);
//! - `convert_units`: dimensional unit conversion with exact factors ([`units`]).
//!
//! Every tool bounds its work ([`limits`]): hostile inputs such as `9^9^9^9` are refused with
//! an `isError` result before any work is done, and nothing is ever evaluated as code.
//!
//! ```
//! use math_server::expr::{self, AngleUnit, Mode};
//!
//! let evaluation = expr::evaluate(&expr::Request {
//!     expression: "0.1 + 0.2",
//!     variables: &Default::default(),
//!     mode: Mode::Exact,
//!     precision: None,
//!     angle_unit: AngleUnit::Radians,
//! })?;
//! assert_eq!(evaluation.value, "0.3");
//! assert!(evaluation.exact);
//! # Ok::<(), shared::ToolError>(())
//! ```

pub mod expr;
pub mod limits;
pub mod number;
pub mod number_theory;
mod server;
pub mod statistics;
pub mod units;

pub use server::{EvaluateArgs, ExactResult, MathServer, PairArgs};
