//! IEEE 754 double arithmetic, for callers who want the speed and the rounding of a float.
//! Overflow and undefined results are errors, never `inf` or `NaN`.

use num_rational::BigRational;
use shared::ToolError;

use super::AngleUnit;
use super::eval::{Arithmetic, division_by_zero, domain_error};
use super::syntax::{BinaryOp, Constant, Function};
use crate::limits;
use crate::number;

/// Float arithmetic in the caller's angle unit.
pub(crate) struct Float {
    pub(crate) angle: AngleUnit,
}

fn finite(value: f64, what: &str) -> Result<f64, ToolError> {
    if value.is_nan() {
        return Err(domain_error(
            format!("{what} is undefined here"),
            "check the function's domain",
        ));
    }
    if value.is_infinite() {
        return Err(ToolError::new(
            "result_too_large",
            format!("{what} overflows a double (beyond ±1.8e308)"),
        )
        .with_hint("use mode \"exact\" or \"decimal\" for larger magnitudes"));
    }
    Ok(value)
}

fn integer(value: f64, what: &str) -> Result<f64, ToolError> {
    if value.fract() != 0.0 || value.abs() > 9_007_199_254_740_992.0 {
        return Err(ToolError::new(
            "not_an_integer",
            format!("{what} needs a whole number (at most 2^53 in float mode)"),
        )
        .with_hint("pass an integer, or use mode \"exact\" for large integers"));
    }
    Ok(value)
}

fn gcd(mut a: f64, mut b: f64) -> f64 {
    (a, b) = (a.abs(), b.abs());
    while b != 0.0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Arithmetic for Float {
    type Value = f64;

    fn number(&self, value: &BigRational) -> Result<f64, ToolError> {
        finite(number::to_f64(value), "the number")
    }

    fn constant(&self, constant: Constant) -> Result<f64, ToolError> {
        Ok(match constant {
            Constant::Pi => std::f64::consts::PI,
            Constant::E => std::f64::consts::E,
            Constant::Tau => std::f64::consts::TAU,
        })
    }

    fn negate(&self, value: f64) -> f64 {
        -value
    }

    fn binary(&self, op: BinaryOp, a: f64, b: f64) -> Result<f64, ToolError> {
        if matches!(op, BinaryOp::Divide | BinaryOp::Remainder) && b == 0.0 {
            return Err(division_by_zero());
        }
        let result = match op {
            BinaryOp::Add => a + b,
            BinaryOp::Subtract => a - b,
            BinaryOp::Multiply => a * b,
            BinaryOp::Divide => a / b,
            BinaryOp::Remainder => a - b * (a / b).floor(),
            BinaryOp::Power => {
                if a == 0.0 && b < 0.0 {
                    return Err(division_by_zero());
                }
                if a < 0.0 && b.fract() != 0.0 {
                    return Err(domain_error(
                        "a negative number to a non-integer power is not a real number",
                        "complex numbers are not supported; mode \"exact\" computes odd roots such as (-8)^(1/3)",
                    ));
                }
                a.powf(b)
            }
        };
        finite(result, "the result")
    }

    fn call(&self, function: Function, arguments: Vec<f64>) -> Result<f64, ToolError> {
        let x = arguments.first().copied().unwrap_or(f64::NAN);
        let to_radians = |x: f64| match self.angle {
            AngleUnit::Radians => x,
            AngleUnit::Degrees => x.to_radians(),
        };
        let from_radians = |x: f64| match self.angle {
            AngleUnit::Radians => x,
            AngleUnit::Degrees => x.to_degrees(),
        };
        let name = function.names()[0];
        let positive = |x: f64| {
            if x > 0.0 {
                Ok(x)
            } else {
                Err(domain_error(
                    format!(
                        "{} is defined only for positive numbers",
                        function.signature()
                    ),
                    "the logarithm of zero or a negative number is undefined; check the argument's sign",
                ))
            }
        };
        let unit_range = |x: f64| {
            if (-1.0..=1.0).contains(&x) {
                Ok(x)
            } else {
                Err(domain_error(
                    format!("{name} is defined only for -1 <= x <= 1"),
                    "check the argument's range",
                ))
            }
        };
        let result = match function {
            Function::Sqrt if x < 0.0 => {
                return Err(domain_error(
                    "sqrt of a negative number is not a real number",
                    "complex numbers are not supported",
                ));
            }
            Function::Sqrt => x.sqrt(),
            Function::Cbrt => x.cbrt(),
            Function::Abs => x.abs(),
            Function::Exp => x.exp(),
            Function::Ln => positive(x)?.ln(),
            Function::Log10 => positive(x)?.log10(),
            Function::Log2 => positive(x)?.log2(),
            Function::Log => {
                let base = positive(arguments.get(1).copied().unwrap_or(f64::NAN))?;
                if base == 1.0 {
                    return Err(domain_error(
                        "a logarithm's base cannot be 1",
                        "use a positive base other than 1",
                    ));
                }
                positive(x)?.ln() / base.ln()
            }
            Function::Sin => to_radians(x).sin(),
            Function::Cos => to_radians(x).cos(),
            Function::Tan => to_radians(x).tan(),
            Function::Asin => from_radians(unit_range(x)?.asin()),
            Function::Acos => from_radians(unit_range(x)?.acos()),
            Function::Atan => from_radians(x.atan()),
            Function::Floor => x.floor(),
            Function::Ceil => x.ceil(),
            Function::Round => {
                let decimals =
                    integer(arguments.get(1).copied().unwrap_or(0.0), "round's decimals")?;
                let scale = 10f64.powi(decimals.clamp(-308.0, 308.0) as i32);
                (x * scale).round() / scale
            }
            Function::Min => arguments.iter().copied().fold(f64::INFINITY, f64::min),
            Function::Max => arguments.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Function::Factorial => {
                let n = integer(x, "factorial")?;
                if n < 0.0 {
                    return Err(domain_error(
                        "factorial of a negative number is undefined",
                        "factorial takes 0, 1, 2, ...",
                    ));
                }
                if n > 170.0 {
                    return Err(ToolError::new(
                        "result_too_large",
                        "factorial of more than 170 overflows a double",
                    )
                    .with_hint(format!(
                        "use mode \"exact\" (up to n = {})",
                        limits::MAX_FACTORIAL
                    )));
                }
                (2..=n as u64).map(|k| k as f64).product()
            }
            Function::Gcd | Function::Lcm => {
                let mut accumulator = integer(x, name)?.abs();
                for &value in &arguments[1..] {
                    let value = integer(value, name)?;
                    accumulator = if function == Function::Gcd {
                        gcd(accumulator, value)
                    } else if accumulator == 0.0 || value == 0.0 {
                        0.0
                    } else {
                        (accumulator / gcd(accumulator, value) * value).abs()
                    };
                }
                accumulator
            }
        };
        finite(result, name)
    }
}
