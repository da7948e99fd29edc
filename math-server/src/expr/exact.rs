//! Exact arithmetic: big rationals while the result stays rational, and binary floating point
//! with a chosen number of significant digits once it cannot (irrational roots, logarithms,
//! trigonometry, `pi`). A value remembers which of the two it is, so the result can say
//! whether it is exact.

use std::cell::RefCell;

use astro_float::{BigFloat, Consts, Radix, RoundingMode, Sign as FloatSign, Word};
use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Pow, Signed, ToPrimitive, Zero};
use shared::ToolError;

use super::AngleUnit;
use super::eval::{Arithmetic, division_by_zero, domain_error};
use super::syntax::{BinaryOp, Constant, Function};
use crate::limits::{self, Budget};

const ROUNDING: RoundingMode = RoundingMode::ToEven;
/// Largest trigonometric argument, in bits of magnitude: reducing a larger one modulo 2π needs
/// π to as many bits, which takes seconds.
const MAX_TRIG_ARGUMENT_BITS: u64 = 1_024;
/// Roots above this degree are not tried exactly (`x^(1/q)` for large `q`).
const MAX_EXACT_ROOT: u32 = 1_000;

/// A value in exact mode.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Rational(BigRational),
    /// An approximation, carried at the arithmetic's working precision.
    Real(BigFloat),
}

/// Exact arithmetic with a working precision for irrational results.
pub(crate) struct Exact {
    bits: usize,
    angle: AngleUnit,
    constants: RefCell<Consts>,
    budget: Budget,
}

impl Exact {
    /// Irrational results are carried with enough bits for `digits` significant digits plus
    /// guard digits, so that rounding the final result to `digits` is right.
    pub(crate) fn new(digits: u32, angle: AngleUnit, budget: Budget) -> Result<Self, ToolError> {
        let bits = ((f64::from(digits) + 20.0) * std::f64::consts::LOG2_10).ceil() as usize;
        let constants = Consts::new().map_err(|error| {
            ToolError::new(
                "internal_error",
                format!("cannot prepare constants: {error:?}"),
            )
        })?;
        Ok(Self {
            bits,
            angle,
            constants: RefCell::new(constants),
            budget,
        })
    }

    fn to_real(&self, value: &Value) -> BigFloat {
        match value {
            Value::Real(real) => real.clone(),
            Value::Rational(rational) => self.rational_to_real(rational),
        }
    }

    /// Converts with binary scaling: `numer * 2^k / denom` as an integer of about `bits` bits,
    /// then `2^-k`. Costs one division, however many digits the rational has.
    fn rational_to_real(&self, rational: &BigRational) -> BigFloat {
        if rational.is_zero() {
            return BigFloat::from_word(0, self.bits);
        }
        let numer_bits = i64::try_from(rational.numer().bits()).unwrap_or(i64::MAX);
        let denom_bits = i64::try_from(rational.denom().bits()).unwrap_or(i64::MAX);
        let shift = self.bits as i64 + 2 + denom_bits - numer_bits;
        let scaled = if shift >= 0 {
            (rational.numer() << shift as u64) / rational.denom()
        } else {
            rational.numer() / (rational.denom() << shift.unsigned_abs())
        };
        let mut real = BigFloat::parse(
            &scaled.to_string(),
            Radix::Dec,
            self.bits,
            ROUNDING,
            &mut self.constants.borrow_mut(),
        );
        if let Some(exponent) = real.exponent() {
            let scaled_exponent = i64::from(exponent) - shift;
            match i32::try_from(scaled_exponent) {
                Ok(exponent) => real.set_exponent(exponent),
                Err(_) => return BigFloat::nan(None),
            }
        }
        real
    }

    /// Checks a floating-point result: NaN is a domain error, infinity an overflow.
    fn checked(&self, real: BigFloat, what: &str) -> Result<Value, ToolError> {
        if real.is_nan() {
            return Err(domain_error(
                format!("{what} is undefined here"),
                "check the function's domain",
            ));
        }
        if real.is_inf() {
            return Err(
                ToolError::new("result_too_large", format!("{what} overflows")).with_hint(
                    "the magnitude is beyond what can be represented; use smaller numbers",
                ),
            );
        }
        Ok(Value::Real(real))
    }

    fn real_function(&self, value: &Value, function: Function) -> Result<Value, ToolError> {
        let x = self.to_real(value);
        let mut c = self.constants.borrow_mut();
        let p = self.bits;
        let result = match function {
            Function::Sqrt => x.sqrt(p, ROUNDING),
            Function::Cbrt => x.cbrt(p, ROUNDING),
            Function::Exp => x.exp(p, ROUNDING, &mut c),
            Function::Ln => x.ln(p, ROUNDING, &mut c),
            Function::Log10 => x.log10(p, ROUNDING, &mut c),
            Function::Log2 => x.log2(p, ROUNDING, &mut c),
            Function::Sin => x.sin(p, ROUNDING, &mut c),
            Function::Cos => x.cos(p, ROUNDING, &mut c),
            Function::Tan => x.tan(p, ROUNDING, &mut c),
            Function::Asin => x.asin(p, ROUNDING, &mut c),
            Function::Acos => x.acos(p, ROUNDING, &mut c),
            Function::Atan => x.atan(p, ROUNDING, &mut c),
            _ => {
                return Err(ToolError::new(
                    "internal_error",
                    format!("{function:?} has no real form"),
                ));
            }
        };
        drop(c);
        self.checked(result, function.names()[0])
    }

    fn pi(&self) -> BigFloat {
        self.constants.borrow_mut().pi(self.bits, ROUNDING)
    }

    /// An angle argument in radians.
    fn radians(&self, value: &Value) -> Value {
        match self.angle {
            AngleUnit::Radians => value.clone(),
            AngleUnit::Degrees => {
                let degrees = self.to_real(value);
                let pi = self.pi();
                Value::Real(degrees.mul(&pi, self.bits, ROUNDING).div(
                    &BigFloat::from_word(180, self.bits),
                    self.bits,
                    ROUNDING,
                ))
            }
        }
    }

    /// An angle result in the caller's unit.
    fn angle_out(&self, value: Value) -> Value {
        match (self.angle, value) {
            (AngleUnit::Degrees, Value::Real(radians)) => {
                let pi = self.pi();
                Value::Real(
                    radians
                        .mul(&BigFloat::from_word(180, self.bits), self.bits, ROUNDING)
                        .div(&pi, self.bits, ROUNDING),
                )
            }
            (_, value) => value,
        }
    }

    fn power(&self, base: Value, exponent: Value) -> Result<Value, ToolError> {
        if let (Value::Rational(base), Value::Rational(exponent)) = (&base, &exponent) {
            if exponent.is_integer() {
                return integer_power(base, exponent.numer());
            }
            if let Some(exact) = self.rational_root_power(base, exponent)? {
                return Ok(Value::Rational(exact));
            }
            if base.is_negative() {
                // A negative base has a real power only for an odd root: (-8)^(1/3) = -2.
                if exponent.denom().is_odd() {
                    let magnitude =
                        self.power(Value::Rational(-base), Value::Rational(exponent.clone()))?;
                    return Ok(if exponent.numer().is_odd() {
                        self.negate(magnitude)
                    } else {
                        magnitude
                    });
                }
                return Err(domain_error(
                    format!("({base})^({exponent}) is not a real number"),
                    "an even root of a negative number is complex; complex numbers are not supported",
                ));
            }
        }
        let x = self.to_real(&base);
        if x.is_negative() && !self.to_real(&exponent).is_int() {
            return Err(domain_error(
                "a negative number to a non-integer power is not a real number",
                "complex numbers are not supported",
            ));
        }
        if x.is_zero() && self.to_real(&exponent).is_negative() {
            return Err(division_by_zero());
        }
        let y = self.to_real(&exponent);
        let result = x.pow(&y, self.bits, ROUNDING, &mut self.constants.borrow_mut());
        self.checked(result, "the power")
    }

    /// `base^(p/q)` when the q-th root of `base` is rational; `None` when it is not.
    fn rational_root_power(
        &self,
        base: &BigRational,
        exponent: &BigRational,
    ) -> Result<Option<BigRational>, ToolError> {
        let Some(degree) = exponent.denom().to_u32().filter(|&q| q <= MAX_EXACT_ROOT) else {
            return Ok(None);
        };
        if base.is_negative() && degree % 2 == 0 {
            return Ok(None);
        }
        let Some(root) = exact_root(base, degree) else {
            return Ok(None);
        };
        match integer_power(&root, exponent.numer())? {
            Value::Rational(value) => Ok(Some(value)),
            Value::Real(_) => Ok(None),
        }
    }

    fn factorial(&self, value: &Value) -> Result<Value, ToolError> {
        let n = whole_number(value, "factorial")?;
        if n.is_negative() {
            return Err(domain_error(
                "factorial of a negative number is undefined",
                "factorial takes 0, 1, 2, ...",
            ));
        }
        let n = n
            .to_u64()
            .filter(|&n| n <= limits::MAX_FACTORIAL)
            .ok_or_else(|| {
                ToolError::new(
                    "result_too_large",
                    format!("factorial is limited to n <= {}", limits::MAX_FACTORIAL),
                )
                .with_hint(
                    "the exact result would be too large; use ln or mode \"float\" for estimates",
                )
            })?;
        let mut product = BigUint::one();
        for k in 2..=n {
            product *= k;
            if k % 512 == 0 {
                self.budget.check()?;
            }
        }
        Ok(Value::Rational(BigRational::from_integer(BigInt::from(
            product,
        ))))
    }

    fn compare(&self, a: &Value, b: &Value) -> std::cmp::Ordering {
        match (a, b) {
            (Value::Rational(a), Value::Rational(b)) => a.cmp(b),
            _ => self
                .to_real(a)
                .partial_cmp(&self.to_real(b))
                .unwrap_or(std::cmp::Ordering::Equal),
        }
    }
}

impl Arithmetic for Exact {
    type Value = Value;

    fn number(&self, value: &BigRational) -> Result<Value, ToolError> {
        Ok(Value::Rational(value.clone()))
    }

    fn constant(&self, constant: Constant) -> Result<Value, ToolError> {
        let p = self.bits;
        Ok(Value::Real(match constant {
            Constant::Pi => self.pi(),
            Constant::Tau => self.pi().mul(&BigFloat::from_word(2, p), p, ROUNDING),
            Constant::E => self.constants.borrow_mut().e(p, ROUNDING),
        }))
    }

    fn negate(&self, value: Value) -> Value {
        match value {
            Value::Rational(r) => Value::Rational(-r),
            Value::Real(r) => Value::Real(r.neg()),
        }
    }

    fn binary(&self, op: BinaryOp, left: Value, right: Value) -> Result<Value, ToolError> {
        if op == BinaryOp::Power {
            return self.power(left, right);
        }
        if let (Value::Rational(a), Value::Rational(b)) = (&left, &right) {
            return rational_binary(op, a, b).map(Value::Rational);
        }
        let (a, b) = (self.to_real(&left), self.to_real(&right));
        let p = self.bits;
        if matches!(op, BinaryOp::Divide | BinaryOp::Remainder) && b.is_zero() {
            return Err(division_by_zero());
        }
        let result = match op {
            BinaryOp::Add => a.add(&b, p, ROUNDING),
            BinaryOp::Subtract => a.sub(&b, p, ROUNDING),
            BinaryOp::Multiply => a.mul(&b, p, ROUNDING),
            BinaryOp::Divide => a.div(&b, p, ROUNDING),
            BinaryOp::Remainder => {
                let quotient = a.div(&b, p, ROUNDING).floor();
                a.sub(&quotient.mul(&b, p, ROUNDING), p, ROUNDING)
            }
            // Handled before the operands are converted; kept exhaustive and correct.
            BinaryOp::Power => return self.power(left, right),
        };
        self.checked(result, "the result")
    }

    fn call(&self, function: Function, mut arguments: Vec<Value>) -> Result<Value, ToolError> {
        let first = arguments
            .first()
            .cloned()
            .ok_or_else(|| ToolError::new("internal_error", "missing argument"))?;
        match function {
            Function::Abs => Ok(match first {
                Value::Rational(r) => Value::Rational(r.abs()),
                Value::Real(r) => Value::Real(r.abs()),
            }),
            Function::Sqrt | Function::Cbrt => {
                let degree = if function == Function::Sqrt { 2 } else { 3 };
                if let Value::Rational(r) = &first {
                    if degree == 2 && r.is_negative() {
                        return Err(domain_error(
                            format!("sqrt of a negative number ({r}) is not a real number"),
                            "complex numbers are not supported; check the sign of the argument",
                        ));
                    }
                    if let Some(root) = exact_root(r, degree) {
                        return Ok(Value::Rational(root));
                    }
                } else if degree == 2 && self.to_real(&first).is_negative() {
                    return Err(domain_error(
                        "sqrt of a negative number is not a real number",
                        "complex numbers are not supported",
                    ));
                }
                self.real_function(&first, function)
            }
            Function::Exp => match &first {
                Value::Rational(r) if r.is_zero() => Ok(Value::Rational(BigRational::one())),
                _ => self.real_function(&first, function),
            },
            Function::Ln | Function::Log10 | Function::Log2 => {
                self.require_positive(&first, function)?;
                let base = match function {
                    Function::Log10 => Some(BigRational::from_integer(10.into())),
                    Function::Log2 => Some(BigRational::from_integer(2.into())),
                    _ => None,
                };
                if let Value::Rational(r) = &first {
                    if r.is_one() {
                        return Ok(Value::Rational(BigRational::zero()));
                    }
                    if let Some(k) = base.as_ref().and_then(|base| exact_log(r, base)) {
                        return Ok(Value::Rational(k));
                    }
                }
                self.real_function(&first, function)
            }
            Function::Log => {
                let base = arguments
                    .pop()
                    .ok_or_else(|| ToolError::new("internal_error", "missing base"))?;
                self.require_positive(&first, function)?;
                self.require_positive(&base, function)?;
                if let (Value::Rational(x), Value::Rational(b)) = (&first, &base) {
                    if b.is_one() {
                        return Err(domain_error(
                            "a logarithm's base cannot be 1",
                            "use a positive base other than 1",
                        ));
                    }
                    if let Some(k) = exact_log(x, b) {
                        return Ok(Value::Rational(k));
                    }
                }
                let ln_x = self.real_function(&first, Function::Ln)?;
                let ln_b = self.real_function(&base, Function::Ln)?;
                let (ln_x, ln_b) = (self.to_real(&ln_x), self.to_real(&ln_b));
                if ln_b.is_zero() {
                    return Err(domain_error(
                        "a logarithm's base cannot be 1",
                        "use a positive base other than 1",
                    ));
                }
                self.checked(ln_x.div(&ln_b, self.bits, ROUNDING), "log")
            }
            Function::Sin | Function::Cos | Function::Tan => {
                if let Some(exact) = self.exact_trig(function, &first)? {
                    return Ok(Value::Rational(exact));
                }
                if magnitude_bits(&first) > MAX_TRIG_ARGUMENT_BITS {
                    return Err(ToolError::new(
                        "argument_too_large",
                        format!("{} of a number beyond 2^{MAX_TRIG_ARGUMENT_BITS} cannot be computed accurately in time", function.names()[0]),
                    )
                    .with_hint("reduce the angle modulo a full turn first, or use mode \"float\""));
                }
                let radians = self.radians(&first);
                self.real_function(&radians, function)
            }
            Function::Asin | Function::Acos | Function::Atan => {
                if function != Function::Atan {
                    let x = self.to_real(&first);
                    if x.abs()
                        .cmp(&BigFloat::from_word(1, self.bits))
                        .is_some_and(|o| o > 0)
                    {
                        return Err(domain_error(
                            format!("{} is defined only for -1 <= x <= 1", function.names()[0]),
                            "check the argument's range",
                        ));
                    }
                }
                if let Value::Rational(r) = &first {
                    if r.is_zero() && function != Function::Acos {
                        return Ok(Value::Rational(BigRational::zero()));
                    }
                    if r.is_one() && function == Function::Acos {
                        return Ok(Value::Rational(BigRational::zero()));
                    }
                }
                let result = self.real_function(&first, function)?;
                Ok(self.angle_out(result))
            }
            Function::Floor | Function::Ceil => Ok(match first {
                Value::Rational(r) => Value::Rational(if function == Function::Floor {
                    r.floor()
                } else {
                    r.ceil()
                }),
                Value::Real(x) => Value::Real(if function == Function::Floor {
                    x.floor()
                } else {
                    x.ceil()
                }),
            }),
            Function::Round => {
                let decimals = match arguments.get(1) {
                    Some(value) => whole_number(value, "round's decimals")?
                        .to_i64()
                        .filter(|d| d.unsigned_abs() <= limits::MAX_DECIMAL_EXPONENT)
                        .ok_or_else(|| {
                            ToolError::new("invalid_argument", "round's decimals are out of range")
                        })?,
                    None => 0,
                };
                let rational = match first {
                    Value::Rational(r) => r,
                    Value::Real(x) => real_to_rational(&x)?,
                };
                // Rounding to `decimals` places scales the value by 10^decimals first.
                let scale_bits =
                    (decimals.unsigned_abs() as f64 * std::f64::consts::LOG2_10) as u64;
                limits::check_result_bits(
                    rational.numer().bits().max(rational.denom().bits()) + scale_bits,
                )?;
                let scale = BigRational::from_integer(
                    BigInt::from(10u8).pow(decimals.unsigned_abs() as u32),
                );
                let scaled = if decimals >= 0 {
                    &rational * &scale
                } else {
                    &rational / &scale
                };
                let rounded = scaled.round(); // half away from zero
                Ok(Value::Rational(if decimals >= 0 {
                    rounded / scale
                } else {
                    rounded * scale
                }))
            }
            Function::Min | Function::Max => {
                let mut best = first;
                for candidate in arguments.into_iter().skip(1) {
                    let ordering = self.compare(&candidate, &best);
                    let better = if function == Function::Min {
                        ordering.is_lt()
                    } else {
                        ordering.is_gt()
                    };
                    if better {
                        best = candidate;
                    }
                }
                Ok(best)
            }
            Function::Factorial => self.factorial(&first),
            Function::Gcd | Function::Lcm => {
                let mut integers = Vec::with_capacity(arguments.len());
                for argument in &arguments {
                    integers.push(whole_number(argument, function.names()[0])?);
                }
                let mut accumulator = integers[0].abs();
                for value in &integers[1..] {
                    accumulator = if function == Function::Gcd {
                        accumulator.gcd(value)
                    } else {
                        limits::check_result_bits(accumulator.bits() + value.bits())?;
                        accumulator.lcm(value)
                    };
                }
                Ok(Value::Rational(BigRational::from_integer(accumulator)))
            }
        }
    }
}

impl Exact {
    fn require_positive(&self, value: &Value, function: Function) -> Result<(), ToolError> {
        let positive = match value {
            Value::Rational(r) => r.is_positive(),
            Value::Real(x) => x.is_positive() && !x.is_zero(),
        };
        if positive {
            return Ok(());
        }
        Err(domain_error(
            format!(
                "{} is defined only for positive numbers",
                function.signature()
            ),
            "the logarithm of zero or a negative number is undefined; check the argument's sign",
        ))
    }

    /// sin, cos and tan of exact angles whose values are 0 or ±1 (multiples of 90 degrees, or 0).
    fn exact_trig(
        &self,
        function: Function,
        angle: &Value,
    ) -> Result<Option<BigRational>, ToolError> {
        let Value::Rational(angle) = angle else {
            return Ok(None);
        };
        if angle.is_zero() {
            return Ok(Some(if function == Function::Cos {
                BigRational::one()
            } else {
                BigRational::zero()
            }));
        }
        if self.angle != AngleUnit::Degrees {
            return Ok(None);
        }
        let quarter = angle / BigRational::from_integer(90.into());
        if !quarter.is_integer() {
            return Ok(None);
        }
        let turn = quarter
            .to_integer()
            .mod_floor(&BigInt::from(4))
            .to_u8()
            .unwrap_or(0);
        let (sin, cos) = [(0, 1), (1, 0), (0, -1), (-1, 0)][usize::from(turn)];
        Ok(Some(BigRational::from_integer(match function {
            Function::Sin => sin.into(),
            Function::Cos => cos.into(),
            _ if cos == 0 => {
                return Err(domain_error(
                    format!("tan is undefined at {angle} degrees"),
                    "tan(x) has no value where cos(x) = 0",
                ));
            }
            _ => 0.into(),
        })))
    }
}

/// Roughly log2 |value|: how far a value is from zero, in bits.
fn magnitude_bits(value: &Value) -> u64 {
    match value {
        Value::Rational(r) => r.numer().bits().saturating_sub(r.denom().bits()),
        Value::Real(x) => x
            .exponent()
            .map_or(u64::MAX, |e| u64::try_from(e).unwrap_or(0)),
    }
}

/// `+ - * / %` on rationals, refusing results beyond the size limit.
pub(crate) fn rational_binary(
    op: BinaryOp,
    a: &BigRational,
    b: &BigRational,
) -> Result<BigRational, ToolError> {
    // A product's numerator and denominator are at most as long as the factors' put together.
    match op {
        BinaryOp::Multiply => limits::check_result_bits(
            (a.numer().bits() + b.numer().bits()).max(a.denom().bits() + b.denom().bits()),
        )?,
        BinaryOp::Divide => limits::check_result_bits(
            (a.numer().bits() + b.denom().bits()).max(a.denom().bits() + b.numer().bits()),
        )?,
        _ => {}
    }
    let result = match op {
        BinaryOp::Add => a + b,
        BinaryOp::Subtract => a - b,
        BinaryOp::Multiply => a * b,
        BinaryOp::Divide => {
            if b.is_zero() {
                return Err(division_by_zero());
            }
            a / b
        }
        BinaryOp::Remainder => {
            if b.is_zero() {
                return Err(division_by_zero());
            }
            a - b * (a / b).floor()
        }
        // Only an integer power of a rational is rational; `Exact::power` handles the rest.
        BinaryOp::Power if b.is_integer() => match integer_power(a, b.numer())? {
            Value::Rational(power) => power,
            Value::Real(_) => {
                return Err(ToolError::new("internal_error", "unexpected real power"));
            }
        },
        BinaryOp::Power => {
            return Err(ToolError::new(
                "internal_error",
                "a fractional power is not a rational operation",
            ));
        }
    };
    limits::check_result_bits(result.numer().bits().max(result.denom().bits()))?;
    Ok(result)
}

/// `base^n` for an integer `n`, refusing results beyond the size limit before computing them.
fn integer_power(base: &BigRational, exponent: &BigInt) -> Result<Value, ToolError> {
    if base.is_zero() {
        return match exponent.sign() {
            Sign::Minus => Err(division_by_zero()),
            Sign::NoSign => Ok(Value::Rational(BigRational::one())), // 0^0 = 1
            Sign::Plus => Ok(Value::Rational(BigRational::zero())),
        };
    }
    if base.abs().is_one() {
        let negative = base.is_negative() && exponent.is_odd();
        return Ok(Value::Rational(if negative {
            -BigRational::one()
        } else {
            BigRational::one()
        }));
    }
    let magnitude = exponent.magnitude();
    let base_bits = base.numer().bits().max(base.denom().bits());
    let estimate = magnitude
        .to_u64()
        .and_then(|n| n.checked_mul(base_bits.saturating_sub(1).max(1)))
        .unwrap_or(u64::MAX);
    limits::check_result_bits(estimate)?;
    let n = magnitude
        .to_u32()
        .ok_or_else(|| limits::result_too_large(u64::MAX))?;
    let power = Pow::pow(base, n);
    Ok(Value::Rational(if exponent.is_negative() {
        power.recip()
    } else {
        power
    }))
}

/// The rational q-th root of `value`, if it has one.
fn exact_root(value: &BigRational, degree: u32) -> Option<BigRational> {
    if value.is_negative() {
        return if degree % 2 == 1 {
            exact_root(&-value, degree).map(|root| -root)
        } else {
            None
        };
    }
    let root_of = |n: &BigInt| {
        let root = n.nth_root(degree);
        (Pow::pow(&root, degree) == *n).then_some(root)
    };
    Some(BigRational::new(
        root_of(value.numer())?,
        root_of(value.denom())?,
    ))
}

/// `k` such that `base^k = value` exactly, for integer `k`.
fn exact_log(value: &BigRational, base: &BigRational) -> Option<BigRational> {
    if base.abs().is_one() || base.is_negative() || value.is_negative() {
        return None;
    }
    let estimate = (crate::number::to_f64(value).ln() / crate::number::to_f64(base).ln()).round();
    if !estimate.is_finite() || estimate.abs() > 1e6 {
        return None;
    }
    let k = BigInt::from(estimate as i64);
    match integer_power(base, &k).ok()? {
        Value::Rational(power) if &power == value => Some(BigRational::from_integer(k)),
        _ => None,
    }
}

/// The integer a value holds, or an error naming what needed one.
fn whole_number(value: &Value, what: &str) -> Result<BigInt, ToolError> {
    match value {
        Value::Rational(r) if r.is_integer() => Ok(r.to_integer()),
        _ => Err(
            ToolError::new("not_an_integer", format!("{what} needs a whole number"))
                .with_hint("pass an integer such as 5, not a fraction or an irrational value"),
        ),
    }
}

/// The exact binary value of a finite float.
pub(crate) fn real_to_rational(real: &BigFloat) -> Result<BigRational, ToolError> {
    if real.is_zero() {
        return Ok(BigRational::zero());
    }
    let (words, _bits, sign, exponent, _inexact) = real.as_raw_parts().ok_or_else(|| {
        domain_error(
            "the result is not a finite number",
            "check the function's domain",
        )
    })?;
    let bytes: Vec<u8> = words
        .iter()
        .flat_map(|word: &Word| word.to_le_bytes())
        .collect();
    let mantissa = BigInt::from(BigUint::from_bytes_le(&bytes));
    let mantissa_bits = (std::mem::size_of_val(words) * 8) as i64;
    let shift = i64::from(exponent) - mantissa_bits;
    let two = BigInt::from(2u8);
    let magnitude = if shift >= 0 {
        BigRational::from_integer(mantissa * Pow::pow(&two, shift as u64))
    } else {
        BigRational::new(mantissa, Pow::pow(&two, shift.unsigned_abs()))
    };
    Ok(if sign == FloatSign::Neg {
        -magnitude
    } else {
        magnitude
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_convert_to_their_exact_binary_value() {
        let x = BigFloat::from_f64(1.5, 128);
        assert_eq!(
            real_to_rational(&x).expect("finite"),
            BigRational::new(3.into(), 2.into())
        );
        let y = BigFloat::from_f64(-0.375, 128);
        assert_eq!(
            real_to_rational(&y).expect("finite"),
            BigRational::new((-3).into(), 8.into())
        );
    }

    #[test]
    fn exact_roots_and_logs() {
        let r = |n: i64, d: i64| BigRational::new(n.into(), d.into());
        assert_eq!(exact_root(&r(9, 4), 2), Some(r(3, 2)));
        assert_eq!(exact_root(&r(-8, 1), 3), Some(r(-2, 1)));
        assert_eq!(exact_root(&r(2, 1), 2), None);
        assert_eq!(exact_log(&r(1000, 1), &r(10, 1)), Some(r(3, 1)));
        assert_eq!(exact_log(&r(1, 8), &r(2, 1)), Some(r(-3, 1)));
        assert_eq!(exact_log(&r(7, 1), &r(2, 1)), None);
    }
}
