//! The MCP face of the math server: one method per tool, each a thin adapter from typed
//! arguments to the domain modules, with the annotations and descriptions a model reads.

use std::collections::BTreeMap;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use shared::{ServerIdentity, ToolError, Tools};

use crate::expr::{self, AngleUnit, Evaluation, Mode};
use crate::number::{self, Number};
use crate::number_theory::{self, NumberTheoryArgs, NumberTheoryResult};
use crate::statistics::{self, StatisticsArgs, Summary};
use crate::units::{self, Conversion, ConvertArgs};

const INSTRUCTIONS: &str = "Exact arithmetic for any size of number. Use `evaluate` for any \
expression (exact by default: 0.1 + 0.2 is exactly 0.3, 2^200 has every digit), `statistics` for \
data sets, `number_theory` for primes, factors and modular arithmetic, and `convert_units` for \
units. Pass very large or very precise numbers as strings. Failures come back as isError results \
with a code, a message and a hint saying what to change.";

/// Two numbers to combine.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PairArgs {
    /// The first number.
    pub a: Number,
    /// The second number.
    pub b: Number,
}

/// An exact arithmetic result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ExactResult {
    /// The exact result, every digit of it, as a decimal string.
    pub result: String,
}

/// Arguments of `evaluate`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluateArgs {
    /// The expression, such as `2^64 - 1`, `sqrt(2) * pi`, `(1 + rate)^years` or `10!`.
    pub expression: String,
    /// Values for names used in the expression, such as {"rate": 0.05, "years": 10}.
    #[serde(default)]
    pub variables: BTreeMap<String, Number>,
    /// Number representation: `exact` (default), `decimal` (rounded to `precision`) or `float` (IEEE double).
    #[serde(default)]
    pub mode: Mode,
    /// Significant digits for results that are rounded (1 to 1000) [default: 40]. Not used in float mode.
    #[serde(default)]
    pub precision: Option<u32>,
    /// Unit of angles for sin, cos, tan and their inverses [default: radians].
    #[serde(default)]
    pub angle_unit: AngleUnit,
}

/// The math server's tools.
#[derive(Debug, Clone)]
pub struct MathServer {
    tool_router: ToolRouter<Self>,
}

impl Default for MathServer {
    fn default() -> Self {
        Self::new()
    }
}

impl MathServer {
    /// The server with all its tools.
    pub fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }
}

fn exact_result(op: expr::BinaryOp, args: &PairArgs) -> Result<Json<ExactResult>, ToolError> {
    let value = expr::rational_binary(op, &args.a.0, &args.b.0)?;
    Ok(Json(ExactResult {
        result: number::render(&value, crate::limits::DEFAULT_DIGITS).exact,
    }))
}

#[tool_router]
impl MathServer {
    /// Adds two numbers exactly, whatever their size: integers or decimals, as JSON numbers or numeric strings.
    #[tool(
        title = "Add",
        annotations(
            title = "Add",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub fn add(
        &self,
        Parameters(args): Parameters<PairArgs>,
    ) -> Result<Json<ExactResult>, ToolError> {
        exact_result(expr::BinaryOp::Add, &args)
    }

    /// Multiplies two numbers exactly, whatever their size: integers or decimals, as JSON numbers or numeric strings.
    #[tool(
        title = "Multiply",
        annotations(
            title = "Multiply",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub fn multiply(
        &self,
        Parameters(args): Parameters<PairArgs>,
    ) -> Result<Json<ExactResult>, ToolError> {
        exact_result(expr::BinaryOp::Multiply, &args)
    }

    /// Evaluates a math expression. Operators: + - * / % (floored, like Python), ^ or ** (power, right-associative, binds tighter than unary minus: -2^2 = -4, 2^3^2 = 512), postfix ! (factorial), parentheses. Functions: sqrt, cbrt, abs, exp, ln, log10, log2, log(x, base), sin, cos, tan, asin, acos, atan, floor, ceil, round(x[, decimals]) (half away from zero), min, max, factorial, gcd, lcm. Constants: pi, e, tau. Exact by default (big integers and fractions; irrational results are rounded to `precision` digits and marked exact=false). Syntax errors give the character position.
    #[tool(
        title = "Evaluate expression",
        annotations(
            title = "Evaluate expression",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub fn evaluate(
        &self,
        Parameters(args): Parameters<EvaluateArgs>,
    ) -> Result<Json<Evaluation>, ToolError> {
        expr::evaluate(&expr::Request {
            expression: &args.expression,
            variables: &args.variables,
            mode: args.mode,
            precision: args.precision,
            angle_unit: args.angle_unit,
        })
        .map(Json)
    }

    /// Describes a data set: count, sum, mean, median, modes, min, max, range, variance and standard deviation (sample or population, stated), and percentiles (type 7, stated). With paired `y` values: Pearson correlation, r², and the least-squares line. Rational values are exact; square roots are rounded to `precision` digits.
    #[tool(
        title = "Statistics",
        annotations(
            title = "Statistics",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub fn statistics(
        &self,
        Parameters(args): Parameters<StatisticsArgs>,
    ) -> Result<Json<Summary>, ToolError> {
        statistics::summarize(&args).map(Json)
    }

    /// Integer functions on numbers of any size: is_prime, factorize, next_prime, gcd, lcm, mod_pow, mod_inverse, binomial, factorial, fibonacci. Pass the operation's integers in `values`, large ones as strings.
    #[tool(
        title = "Number theory",
        annotations(
            title = "Number theory",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub fn number_theory(
        &self,
        Parameters(args): Parameters<NumberTheoryArgs>,
    ) -> Result<Json<NumberTheoryResult>, ToolError> {
        number_theory::compute(&args).map(Json)
    }

    /// Converts an amount between units of the same quantity: length, mass, time, temperature (°C, °F, K with offsets), area, volume, speed, data (SI kB and IEC KiB; b = bit, B = byte), energy, power, pressure, force, and products of units with powers such as km/h, m/s^2 or kg*m^2/s^2. Exact factors; names are case-sensitive.
    #[tool(
        title = "Convert units",
        annotations(
            title = "Convert units",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    pub fn convert_units(
        &self,
        Parameters(args): Parameters<ConvertArgs>,
    ) -> Result<Json<Conversion>, ToolError> {
        units::convert(&args).map(Json)
    }
}

impl Tools for MathServer {
    fn identity(&self) -> ServerIdentity {
        ServerIdentity {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
            title: "Math",
            instructions: INSTRUCTIONS,
            default_port: 8101,
        }
    }

    fn tool_router(&self) -> &ToolRouter<Self> {
        &self.tool_router
    }
}
