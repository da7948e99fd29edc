//! The expression language of the `evaluate` tool.
//!
//! `+ - * / %`, `^` or `**` for powers, unary minus, postfix `!`, parentheses, the functions in
//! [`syntax::Function`], the constants `pi`, `e` and `tau`, and variables passed by the caller.
//! Nothing is ever evaluated as code: the text is parsed into a small syntax tree
//! ([`parser`]), and the tree is walked ([`eval`]) with one of two arithmetics: [`exact`]
//! (rationals, with high-precision floats for irrational results) or [`float`] (IEEE doubles).

mod eval;
mod exact;
mod float;
mod parser;
mod syntax;

use std::collections::BTreeMap;

use num_rational::BigRational;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use shared::ToolError;

use crate::limits::{self, Budget};
use crate::number;

pub(crate) use exact::rational_binary;
pub(crate) use syntax::BinaryOp;

/// How numbers are represented while evaluating.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
pub enum Mode {
    /// Exact integers and fractions (`0.1 + 0.2` is exactly `3/10`); irrational results are
    /// computed to `precision` significant digits and reported as not exact.
    #[default]
    Exact,
    /// Like exact, but the result is rounded to `precision` significant digits.
    Decimal,
    /// IEEE 754 double precision, as most programming languages compute.
    Float,
}

/// The unit of angles given to and returned by trigonometric functions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
pub enum AngleUnit {
    /// Radians (a full turn is `2*pi`).
    #[default]
    Radians,
    /// Degrees (a full turn is 360).
    Degrees,
}

/// What to evaluate, and how.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The expression text.
    pub expression: &'a str,
    /// Values for the names the expression uses.
    pub variables: &'a BTreeMap<String, number::Number>,
    /// Number representation.
    pub mode: Mode,
    /// Significant digits for results that are not exact (modes exact and decimal).
    pub precision: Option<u32>,
    /// Angle unit for trigonometry.
    pub angle_unit: AngleUnit,
}

/// The value of an expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Evaluation {
    /// The result. When `exact` is true this is the exact value: an integer, a terminating
    /// decimal, or a fraction `p/q`. Otherwise it is rounded to `significant_digits`.
    pub value: String,
    /// The result as a decimal number (rounded when it does not terminate).
    pub decimal: String,
    /// Whether `value` is exactly the mathematical result.
    pub exact: bool,
    /// The mode used.
    pub mode: Mode,
    /// The significant digits used for rounding, in modes exact and decimal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub significant_digits: Option<u32>,
}

/// Parses and evaluates an expression.
pub fn evaluate(request: &Request<'_>) -> Result<Evaluation, ToolError> {
    let budget = Budget::start();
    let variables = checked_variables(request.variables)?;
    let tree = parser::parse(request.expression)?;
    match request.mode {
        Mode::Float => {
            if request.precision.is_some() {
                return Err(ToolError::new(
                    "invalid_argument",
                    "precision applies to modes exact and decimal, not float",
                )
                .with_field("precision")
                .with_hint("leave precision out, or use mode \"decimal\""));
            }
            let value = eval::evaluate(
                &float::Float {
                    angle: request.angle_unit,
                },
                &tree,
                &variables,
                &budget,
            )?;
            let text = number::format_f64(value);
            Ok(Evaluation {
                value: text.clone(),
                decimal: text,
                exact: false,
                mode: Mode::Float,
                significant_digits: None,
            })
        }
        Mode::Exact | Mode::Decimal => {
            let digits = limits::precision(request.precision)?;
            let arithmetic = exact::Exact::new(digits, request.angle_unit, budget)?;
            let value = eval::evaluate(&arithmetic, &tree, &variables, &budget)?;
            Ok(render(value, request.mode, digits)?)
        }
    }
}

fn render(value: exact::Value, mode: Mode, digits: u32) -> Result<Evaluation, ToolError> {
    let (rational, is_rational) = match value {
        exact::Value::Rational(r) => (r, true),
        exact::Value::Real(x) => (exact::real_to_rational(&x)?, false),
    };
    let rounded = number::round_significant(&rational, digits);
    if mode == Mode::Decimal || !is_rational {
        return Ok(Evaluation {
            value: rounded.text.clone(),
            decimal: rounded.text,
            exact: is_rational && rounded.exact,
            mode,
            significant_digits: Some(digits),
        });
    }
    let rendered = number::render(&rational, digits);
    Ok(Evaluation {
        value: rendered.exact,
        decimal: rendered.decimal,
        exact: true,
        mode,
        significant_digits: Some(digits),
    })
}

/// `sqrt(value)` rounded to `digits` significant digits, and whether that is exact.
pub(crate) fn sqrt_rounded(value: &BigRational, digits: u32) -> Result<number::Rounded, ToolError> {
    use eval::Arithmetic;
    let arithmetic = exact::Exact::new(digits, AngleUnit::Radians, Budget::start())?;
    let root = arithmetic.call(
        syntax::Function::Sqrt,
        vec![exact::Value::Rational(value.clone())],
    )?;
    let evaluation = render(root, Mode::Decimal, digits)?;
    Ok(number::Rounded {
        text: evaluation.value,
        exact: evaluation.exact,
    })
}

fn checked_variables(
    variables: &BTreeMap<String, number::Number>,
) -> Result<BTreeMap<String, BigRational>, ToolError> {
    if variables.len() > limits::MAX_VARIABLES {
        return Err(ToolError::new(
            "too_many_variables",
            format!(
                "{} variables were given; the limit is {}",
                variables.len(),
                limits::MAX_VARIABLES
            ),
        )
        .with_field("variables"));
    }
    let mut checked = BTreeMap::new();
    for (name, value) in variables {
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        if !valid {
            return Err(ToolError::new(
                "invalid_variable",
                format!("`{name}` is not a valid variable name"),
            )
            .with_field("variables")
            .with_hint("names start with a letter or `_` and contain letters, digits and `_`"));
        }
        if syntax::Constant::from_name(name).is_some()
            || syntax::Function::from_name(name).is_some()
        {
            return Err(ToolError::new(
                "reserved_name",
                format!("`{name}` is a built-in constant or function"),
            )
            .with_field("variables")
            .with_hint("choose another name for the variable"));
        }
        checked.insert(name.clone(), value.0.clone());
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(expression: &str, mode: Mode) -> Result<Evaluation, ToolError> {
        evaluate(&Request {
            expression,
            variables: &BTreeMap::new(),
            mode,
            precision: None,
            angle_unit: AngleUnit::Radians,
        })
    }

    fn exact(expression: &str) -> String {
        let evaluation = run(expression, Mode::Exact).expect(expression);
        assert!(evaluation.exact, "{expression} should be exact");
        evaluation.value
    }

    fn code(expression: &str) -> String {
        run(expression, Mode::Exact)
            .expect_err(expression)
            .code()
            .to_owned()
    }

    #[test]
    fn exact_arithmetic() {
        assert_eq!(exact("0.1 + 0.2"), "0.3");
        assert_eq!(exact("1/3*3"), "1");
        assert_eq!(exact("1/3"), "1/3");
        assert_eq!(exact("10^30 + 1"), format!("1{}1", "0".repeat(29)));
        assert_eq!(exact("2^64 - 1"), "18446744073709551615");
        assert_eq!(exact("-2^2"), "-4");
        assert_eq!(exact("2^3^2"), "512");
        assert_eq!(exact("2^-1"), "0.5");
        assert_eq!(exact("-7 % 3"), "2");
        assert_eq!(exact("7 % -3"), "-2");
        assert_eq!(exact("0^0"), "1");
        assert_eq!(exact("(-8)^(1/3)"), "-2");
        assert_eq!(exact("sqrt(16/9)"), "4/3");
        assert_eq!(exact("log10(1000)"), "3");
        assert_eq!(exact("log(1/8, 2)"), "-3");
        assert_eq!(exact("5!"), "120");
        assert_eq!(exact("-3!"), "-6");
        assert_eq!(exact("gcd(12, 18, 27)"), "3");
        assert_eq!(exact("lcm(4, 6)"), "12");
        assert_eq!(exact("round(2.5)"), "3");
        assert_eq!(exact("round(-2.5)"), "-3");
        assert_eq!(exact("round(3.14159, 2)"), "3.14");
        assert_eq!(exact("min(3, 1/2, 7)"), "0.5");
        assert_eq!(exact("floor(-1.5) + ceil(1.2)"), "0");
        assert_eq!(exact("9223372036854775807 + 1"), "9223372036854775808");
    }

    #[test]
    fn irrational_results_are_marked_inexact() {
        let root = run("sqrt(2)", Mode::Exact).expect("sqrt");
        assert!(!root.exact);
        assert_eq!(root.value, "1.41421356237309504880168872420969807857");
        let pi = run("pi", Mode::Exact).expect("pi");
        assert_eq!(pi.value, "3.141592653589793238462643383279502884197");
        let sin = run("sin(pi/6)", Mode::Exact).expect("sin");
        assert_eq!(sin.value, "0.5");
        assert!(!sin.exact);
        assert_eq!(
            run("e^1", Mode::Exact).expect("e").value,
            "2.718281828459045235360287471352662497757"
        );
    }

    #[test]
    fn decimal_and_float_modes() {
        let request = |expression: &'static str, mode, precision| Request {
            expression,
            variables: Box::leak(Box::new(BTreeMap::new())),
            mode,
            precision,
            angle_unit: AngleUnit::Radians,
        };
        let third = evaluate(&request("1/3", Mode::Decimal, Some(5))).expect("decimal");
        assert_eq!((third.value.as_str(), third.exact), ("0.33333", false));
        let half = evaluate(&request("1/2", Mode::Decimal, Some(5))).expect("decimal");
        assert_eq!((half.value.as_str(), half.exact), ("0.5", true));
        let float = evaluate(&request("0.1 + 0.2", Mode::Float, None)).expect("float");
        assert_eq!(
            (float.value.as_str(), float.exact),
            ("0.30000000000000004", false)
        );
        let digits = evaluate(&request("pi", Mode::Exact, Some(100))).expect("pi");
        assert_eq!(digits.value.len(), 101);
        assert_eq!(
            evaluate(&request("1", Mode::Float, Some(3)))
                .expect_err("precision")
                .code(),
            "invalid_argument"
        );
        assert_eq!(
            evaluate(&request("1", Mode::Exact, Some(0)))
                .expect_err("precision")
                .code(),
            "invalid_argument"
        );
        assert_eq!(
            evaluate(&request("1", Mode::Exact, Some(1_000_000_000)))
                .expect_err("precision")
                .code(),
            "invalid_argument"
        );
    }

    #[test]
    fn degrees() {
        let run = |expression| {
            evaluate(&Request {
                expression,
                variables: &BTreeMap::new(),
                mode: Mode::Exact,
                precision: None,
                angle_unit: AngleUnit::Degrees,
            })
        };
        assert_eq!(run("sin(90)").expect("sin").value, "1");
        assert_eq!(run("cos(180)").expect("cos").value, "-1");
        assert_eq!(run("tan(90)").expect_err("tan").code(), "domain_error");
        assert_eq!(run("asin(1)").expect("asin").value, "90");
    }

    #[test]
    fn errors() {
        assert_eq!(code("1/0"), "division_by_zero");
        assert_eq!(code("0/0"), "division_by_zero");
        assert_eq!(code("1%0"), "division_by_zero");
        assert_eq!(code("0^-1"), "division_by_zero");
        assert_eq!(code("ln(0)"), "domain_error");
        assert_eq!(code("log10(-1)"), "domain_error");
        assert_eq!(code("sqrt(-1)"), "domain_error");
        assert_eq!(code("asin(2)"), "domain_error");
        assert_eq!(code("(-8)^(1/2)"), "domain_error");
        assert_eq!(code("log(8, 1)"), "domain_error");
        assert_eq!(code("factorial(-1)"), "domain_error");
        assert_eq!(code("factorial(1.5)"), "not_an_integer");
        assert_eq!(code("x + 1"), "unknown_name");
        assert_eq!(code("foo(1)"), "unknown_name");
        let error = run("1 + 2/0", Mode::Exact).expect_err("position");
        assert_eq!(error.position(), Some(5));
        assert_eq!(error.field(), Some("expression"));
        assert_eq!(
            run("1e308*10", Mode::Float).expect_err("overflow").code(),
            "result_too_large"
        );
        assert_eq!(
            run("sqrt(-1)", Mode::Float).expect_err("domain").code(),
            "domain_error"
        );
    }

    #[test]
    fn hostile_inputs_are_refused() {
        for expression in [
            "9^9^9^9",
            "2^10000000",
            "10^10^10",
            "factorial(10^9)",
            "100000!",
            "(10^50000)*(10^50000)*(10^50000)",
            "1e999999999",
        ] {
            assert_eq!(code(expression), "result_too_large", "{expression}");
        }
        assert_eq!(
            run("9^9^9^9", Mode::Float).expect_err("float").code(),
            "result_too_large"
        );
        assert_eq!(
            run("9^9^9^9", Mode::Decimal).expect_err("decimal").code(),
            "result_too_large"
        );
    }

    #[test]
    fn variables() {
        let mut variables = BTreeMap::new();
        variables.insert(
            "rate".to_owned(),
            number::Number(number::parse_number("0.05").expect("n")),
        );
        variables.insert(
            "years".to_owned(),
            number::Number(number::parse_number("2").expect("n")),
        );
        let request = Request {
            expression: "1000 * (1 + rate)^years",
            variables: &variables,
            mode: Mode::Exact,
            precision: None,
            angle_unit: AngleUnit::Radians,
        };
        assert_eq!(evaluate(&request).expect("interest").value, "1102.5");
        let request = Request {
            expression: "rate + missing",
            ..request
        };
        let error = evaluate(&request).expect_err("missing");
        assert!(
            error.hint().is_some_and(|h| h.contains("rate, years")),
            "{:?}",
            error.hint()
        );
        let mut reserved = BTreeMap::new();
        reserved.insert(
            "pi".to_owned(),
            number::Number(number::parse_number("3").expect("n")),
        );
        let request = Request {
            expression: "pi",
            variables: &reserved,
            mode: Mode::Exact,
            precision: None,
            angle_unit: AngleUnit::Radians,
        };
        assert_eq!(
            evaluate(&request).expect_err("reserved").code(),
            "reserved_name"
        );
    }
}
