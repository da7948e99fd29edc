//! Exact numbers at the edges: reading them from JSON and text, and writing them back.
//!
//! Every number a tool receives becomes a [`BigRational`] without rounding: `0.1` is exactly
//! `1/10`, and `1e30` is exactly ten to the thirtieth. Results are written as exact decimals
//! when they terminate, as fractions when they do not, and rounded to a number of significant
//! digits only where the caller asked for it or the value is irrational.

use std::borrow::Cow;

use num_bigint::{BigInt, BigUint};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Pow, Signed, ToPrimitive, Zero};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};
use shared::ToolError;

use crate::limits;

/// A number argument: a JSON number, or a string such as `"123456789012345678901234567890"`,
/// `"-1.5e-3"` or `"0x1F"`, read exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number(pub BigRational);

impl JsonSchema for Number {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Number".into()
    }

    fn json_schema(_generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A number, as a JSON number or as a string (strings keep every digit of very large or very precise numbers: \"123456789012345678901234567890\", \"0.1\", \"-2.5e-8\").",
            "type": ["number", "string"],
        })
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(serde_json::Number),
            Text(String),
        }
        let text = match Raw::deserialize(deserializer).map_err(|_| {
            serde::de::Error::custom("expected a number, or a string holding a number")
        })? {
            Raw::Number(number) => number.to_string(),
            Raw::Text(text) => text,
        };
        parse_number(&text)
            .map(Number)
            .map_err(|error| serde::de::Error::custom(error.message()))
    }
}

/// Reads a number literal exactly: decimal with optional fraction and exponent, or an integer
/// in hex (`0x`), octal (`0o`) or binary (`0b`). Surrounding whitespace, a leading sign and
/// `_` between digits are allowed.
pub fn parse_number(text: &str) -> Result<BigRational, ToolError> {
    let trimmed = text.trim();
    let (negative, body) = match trimmed
        .strip_prefix('-')
        .or_else(|| trimmed.strip_prefix('\u{2212}'))
    {
        Some(rest) => (true, rest),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let value = parse_unsigned(body).ok_or_else(|| {
        ToolError::new("invalid_number", format!("`{text}` is not a number")).with_hint(
            "write numbers like 42, -1.5, 2.5e-3, 0x1F or \"123456789012345678901234567890\"",
        )
    })??;
    Ok(if negative { -value } else { value })
}

/// `None` when `body` is not a number literal at all; `Some(Err)` when it is one, but too large.
fn parse_unsigned(body: &str) -> Option<Result<BigRational, ToolError>> {
    let body: String = body.chars().filter(|&c| c != '_').collect();
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = body.strip_prefix(prefix) {
            if digits.len() > limits::MAX_LITERAL_DIGITS {
                return Some(Err(literal_too_long()));
            }
            let value = BigInt::parse_bytes(digits.as_bytes(), radix)?;
            return Some(Ok(BigRational::from_integer(value)));
        }
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body.as_str(), None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (mantissa, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    if whole.len() + fraction.len() > limits::MAX_LITERAL_DIGITS {
        return Some(Err(literal_too_long()));
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(text) => {
            let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
            if digits.is_empty() || !all_digits(digits) {
                return None;
            }
            match text.parse::<i64>() {
                Ok(value) if value.unsigned_abs() <= limits::MAX_DECIMAL_EXPONENT => value,
                _ => return Some(Err(exponent_too_large())),
            }
        }
    };
    let digits = format!("{whole}{fraction}");
    let significand = BigInt::parse_bytes(digits.as_bytes(), 10).unwrap_or_default();
    let scale = exponent - fraction.len() as i64;
    let power = BigInt::from(10u8).pow(scale.unsigned_abs() as u32);
    Some(Ok(if scale >= 0 {
        BigRational::from_integer(significand * power)
    } else {
        BigRational::new(significand, power)
    }))
}

fn literal_too_long() -> ToolError {
    ToolError::new(
        "number_too_long",
        format!(
            "a number literal may have at most {} digits",
            limits::MAX_LITERAL_DIGITS
        ),
    )
}

fn exponent_too_large() -> ToolError {
    ToolError::new(
        "result_too_large",
        format!(
            "a number literal's exponent may be at most ±{}",
            limits::MAX_DECIMAL_EXPONENT
        ),
    )
    .with_hint("use mode \"float\" for magnitudes beyond this range")
}

/// How a rational is shown: exactly when it can be, with a rounded decimal beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The exact value: an integer, a terminating decimal, or a fraction `p/q`.
    pub exact: String,
    /// The decimal value, rounded to the requested significant digits if it does not terminate.
    pub decimal: String,
    /// Whether `decimal` is the exact value.
    pub decimal_is_exact: bool,
}

/// Renders `value` exactly, with a decimal rounded to `digits` significant digits if needed.
pub fn render(value: &BigRational, digits: u32) -> Rendered {
    let exact = match terminating_decimal(value) {
        Some(decimal) => decimal,
        None => format!("{}/{}", value.numer(), value.denom()),
    };
    let rounded = round_significant(value, digits);
    let decimal_is_exact = rounded.exact;
    Rendered {
        decimal: if decimal_is_exact && !exact.contains('/') {
            exact.clone()
        } else {
            rounded.text
        },
        exact,
        decimal_is_exact,
    }
}

/// A decimal rendering of a rational, and whether rounding lost anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rounded {
    /// The digits, in plain or scientific notation.
    pub text: String,
    /// Whether `text` is exactly the value.
    pub exact: bool,
}

/// Rounds to `digits` significant digits, half to even.
///
/// Works on the numerator and denominator as integers (no rational normalization, whose gcd
/// costs quadratic time on numbers with 100,000 digits).
pub fn round_significant(value: &BigRational, digits: u32) -> Rounded {
    if value.is_zero() {
        return Rounded {
            text: "0".to_owned(),
            exact: true,
        };
    }
    let digits = digits.max(1);
    let numer = value.numer().magnitude();
    let denom = value.denom().magnitude();
    let mut exponent = decimal_exponent(numer, denom);
    let limit = pow10(i64::from(digits));
    let (mut integer, mut exact) = scaled_round(numer, denom, i64::from(digits) - 1 - exponent);
    if integer >= limit {
        // Rounding carried into a new digit (9.99 -> 10.0): the scaled value is 10^digits.
        exponent += 1;
        (integer, exact) = scaled_round(numer, denom, i64::from(digits) - 1 - exponent);
    }
    let mut digit_text = integer.to_string();
    // Trailing zeros carry no information in the rendering.
    while digit_text.len() > 1 && digit_text.ends_with('0') {
        digit_text.pop();
    }
    let sign = if value.is_negative() { "-" } else { "" };
    Rounded {
        text: format!("{sign}{}", place_point(&digit_text, exponent)),
        exact,
    }
}

fn pow10(exponent: i64) -> BigUint {
    Pow::pow(BigUint::from(10u8), exponent.unsigned_abs())
}

/// `round(numer / denom * 10^shift)` (half to even) and whether it was exact.
fn scaled_round(numer: &BigUint, denom: &BigUint, shift: i64) -> (BigUint, bool) {
    let (quotient, remainder, divisor) = if shift >= 0 {
        let (q, r) = (numer * pow10(shift)).div_rem(denom);
        (q, r, denom.clone())
    } else {
        let divisor = denom * pow10(shift);
        let (q, r) = numer.div_rem(&divisor);
        (q, r, divisor)
    };
    if remainder.is_zero() {
        return (quotient, true);
    }
    let rounded = match (remainder << 1u8).cmp(&divisor) {
        std::cmp::Ordering::Less => quotient,
        std::cmp::Ordering::Greater => quotient + 1u8,
        std::cmp::Ordering::Equal if quotient.is_even() => quotient,
        std::cmp::Ordering::Equal => quotient + 1u8,
    };
    (rounded, false)
}

/// `floor(log10(numer / denom))` for positive integers.
fn decimal_exponent(numer: &BigUint, denom: &BigUint) -> i64 {
    let bits = numer.bits() as f64 - denom.bits() as f64;
    let mut exponent = (bits * std::f64::consts::LOG10_2).floor() as i64;
    // The estimate is off by at most one or two; settle it exactly.
    let at_least = |e: i64| -> bool {
        if e >= 0 {
            numer >= &(denom * pow10(e))
        } else {
            &(numer * pow10(e)) >= denom
        }
    };
    while !at_least(exponent) {
        exponent -= 1;
    }
    while at_least(exponent + 1) {
        exponent += 1;
    }
    exponent
}

/// Places the decimal point in `digits` (d.ddd × 10^exponent), in plain notation for
/// moderate exponents and scientific notation beyond them.
fn place_point(digits: &str, exponent: i64) -> String {
    const PLAIN_RANGE: std::ops::RangeInclusive<i64> = -7..=20;
    if PLAIN_RANGE.contains(&exponent) {
        let point = exponent + 1;
        if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}", "0".repeat(point as usize - digits.len()))
        } else {
            let (int, frac) = digits.split_at(point as usize);
            format!("{int}.{frac}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let mantissa = if rest.is_empty() {
            first.to_owned()
        } else {
            format!("{first}.{rest}")
        };
        format!("{mantissa}e{exponent}")
    }
}

/// The exact decimal expansion if the denominator has no prime factors but 2 and 5.
pub fn terminating_decimal(value: &BigRational) -> Option<String> {
    let denom = value.denom().magnitude();
    let twos = denom.trailing_zeros().unwrap_or(0);
    let odd = denom >> twos;
    let fives = if odd.is_one() {
        0
    } else {
        // `odd` must be a power of five; its size says which one.
        let estimate = (odd.bits() as f64 * std::f64::consts::LN_2 / 5f64.ln()).round() as u64;
        (estimate.saturating_sub(1)..=estimate + 1)
            .find(|&k| Pow::pow(BigUint::from(5u8), k) == odd)?
    };
    let places = twos.max(fives);
    if places == 0 {
        return Some(value.numer().to_string());
    }
    // numer / (2^twos 5^fives) = numer 2^(places - twos) 5^(places - fives) / 10^places
    let multiplier =
        (BigUint::one() << (places - twos)) * Pow::pow(BigUint::from(5u8), places - fives);
    let digits = (value.numer().magnitude() * multiplier).to_string();
    let sign = if value.is_negative() { "-" } else { "" };
    let places = places as usize;
    let padded = if digits.len() <= places {
        format!("{}{digits}", "0".repeat(places + 1 - digits.len()))
    } else {
        digits
    };
    let (int, frac) = padded.split_at(padded.len() - places);
    Some(format!("{sign}{int}.{frac}"))
}

/// A rational as an `f64` when it fits, for float mode and for statistics that need roots.
pub fn to_f64(value: &BigRational) -> f64 {
    value.to_f64().unwrap_or(f64::NAN)
}

/// An exact rational from a finite `f64` (every finite double is a dyadic rational).
pub fn from_f64(value: f64) -> Option<BigRational> {
    BigRational::from_float(value)
}

/// Writes an `f64` the shortest way that reads back to the same double.
pub fn format_f64(value: f64) -> String {
    if value == 0.0 {
        return "0".to_owned();
    }
    let magnitude = value.abs();
    if (1e-7..1e21).contains(&magnitude) {
        format!("{value}")
    } else {
        format!("{value:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rational(text: &str) -> BigRational {
        parse_number(text).expect(text)
    }

    #[test]
    fn literals_are_exact() {
        assert_eq!(rational("0.1") + rational("0.2"), rational("0.3"));
        assert_eq!(rational("1e30").to_string(), format!("1{}", "0".repeat(30)));
        assert_eq!(
            rational("-2.5e-3"),
            BigRational::new((-25).into(), 10_000.into())
        );
        assert_eq!(rational("0x1F"), BigRational::from_integer(31.into()));
        assert_eq!(rational("1_000"), BigRational::from_integer(1000.into()));
        assert_eq!(rational(" .5 "), BigRational::new(1.into(), 2.into()));
    }

    #[test]
    fn non_numbers_are_rejected_with_a_hint() {
        for text in [
            "", "abc", "1..2", "1e", "1e+", "0x", "0b102", "1,000", "--1", "NaN", "inf", "½",
        ] {
            let error = parse_number(text).expect_err(text);
            assert_eq!(error.code(), "invalid_number", "{text}");
            assert!(error.hint().is_some());
        }
        assert_eq!(
            parse_number("1e999999999").expect_err("huge").code(),
            "result_too_large"
        );
    }

    #[test]
    fn rendering_is_exact_when_it_can_be() {
        let third = BigRational::new(1.into(), 3.into());
        let rendered = render(&third, 10);
        assert_eq!(rendered.exact, "1/3");
        assert_eq!(rendered.decimal, "0.3333333333");
        assert!(!rendered.decimal_is_exact);

        let rendered = render(&rational("-0.125"), 10);
        assert_eq!(rendered.exact, "-0.125");
        assert_eq!(rendered.decimal, "-0.125");
        assert!(rendered.decimal_is_exact);
    }

    #[test]
    fn rounding_is_half_even_with_notation_by_magnitude() {
        assert_eq!(round_significant(&rational("2.5"), 1).text, "2");
        assert_eq!(round_significant(&rational("3.5"), 1).text, "4");
        assert_eq!(round_significant(&rational("9.99"), 2).text, "10");
        assert_eq!(round_significant(&rational("123456"), 3).text, "123000");
        assert_eq!(round_significant(&rational("1e25"), 5).text, "1e25");
        assert_eq!(round_significant(&rational("-1.5e-9"), 5).text, "-1.5e-9");
        assert_eq!(round_significant(&rational("0.00012"), 5).text, "0.00012");
    }

    #[test]
    fn json_numbers_and_strings_deserialize() {
        let from_number: Number = serde_json::from_str("0.1").expect("number");
        let from_string: Number = serde_json::from_str("\"0.1\"").expect("string");
        assert_eq!(from_number, from_string);
        let error = serde_json::from_str::<Number>("true").expect_err("bool");
        assert!(error.to_string().contains("expected a number"), "{error}");
        let error = serde_json::from_str::<Number>("\"abc\"").expect_err("text");
        assert!(error.to_string().contains("is not a number"), "{error}");
    }
}
