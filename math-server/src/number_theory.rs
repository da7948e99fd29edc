//! Integer functions on numbers of any size: primality, factorization, modular arithmetic,
//! binomials, factorials and Fibonacci numbers, each bounded so that no call runs away.

use std::collections::BTreeMap;

use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_prime::{FactorizationConfig, Primality};
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use shared::ToolError;

use crate::limits::{self, Budget};
use crate::number::Number;

/// Largest number `factorize` accepts, in bits (about 38 decimal digits).
const MAX_FACTORIZE_BITS: u64 = 128;
/// Largest number `is_prime` and `next_prime` accept, in bits (about 1,233 decimal digits).
const MAX_PRIME_BITS: u64 = 4_096;
const MAX_NEXT_PRIME_BITS: u64 = 1_024;
/// Largest modulus and exponent `mod_pow` accepts, in bits (RSA-4096 sizes): the work grows
/// with the exponent's length times the square of the modulus's.
const MAX_MOD_POW_BITS: u64 = 4_096;

/// The operations of the `number_theory` tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(inline)]
pub enum Operation {
    /// `values: [n]`: whether n is prime (certain below 2^64, BPSW-probable above).
    IsPrime,
    /// `values: [n]`: the prime factorization of n (|n| < 2^128).
    Factorize,
    /// `values: [n]`: the smallest prime greater than n.
    NextPrime,
    /// `values: [a, b, ...]`: the greatest common divisor.
    Gcd,
    /// `values: [a, b, ...]`: the least common multiple.
    Lcm,
    /// `values: [base, exponent, modulus]`: base^exponent mod modulus (a negative exponent uses the inverse).
    ModPow,
    /// `values: [a, modulus]`: x with a*x ≡ 1 (mod modulus).
    ModInverse,
    /// `values: [n, k]`: the binomial coefficient C(n, k).
    Binomial,
    /// `values: [n]`: n! (n <= 20000).
    Factorial,
    /// `values: [n]`: the n-th Fibonacci number, F(0) = 0, F(1) = 1, F(-n) = (-1)^(n+1) F(n).
    Fibonacci,
}

impl Operation {
    fn arity(self) -> (usize, Option<usize>, &'static str) {
        match self {
            Self::IsPrime
            | Self::Factorize
            | Self::NextPrime
            | Self::Factorial
            | Self::Fibonacci => (1, Some(1), "[n]"),
            Self::Gcd | Self::Lcm => (2, None, "[a, b, ...]"),
            Self::ModPow => (3, Some(3), "[base, exponent, modulus]"),
            Self::ModInverse => (2, Some(2), "[a, modulus]"),
            Self::Binomial => (2, Some(2), "[n, k]"),
        }
    }
}

/// Arguments of `number_theory`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NumberTheoryArgs {
    /// What to compute.
    pub operation: Operation,
    /// The integers the operation takes, in order (see each operation). Pass large numbers as strings.
    pub values: Vec<Number>,
}

/// One prime power of a factorization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PrimePower {
    /// The prime.
    pub prime: String,
    /// How many times it divides the number.
    pub exponent: u32,
}

/// The result of `number_theory`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct NumberTheoryResult {
    /// The operation performed.
    pub operation: Operation,
    /// The answer: an integer, or `true`/`false` for `is_prime`.
    pub result: String,
    /// For `factorize`: the prime powers, smallest prime first (a negative number has the factor -1 in `result` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub factors: Option<Vec<PrimePower>>,
    /// For `is_prime` and `next_prime` above 2^64: the answer is a BPSW probable prime, which no known number contradicts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probable: Option<bool>,
}

/// Runs one operation.
pub fn compute(args: &NumberTheoryArgs) -> Result<NumberTheoryResult, ToolError> {
    let budget = Budget::start();
    let (min, max, shape) = args.operation.arity();
    let count = args.values.len();
    if count < min || max.is_some_and(|max| count > max) {
        return Err(ToolError::new(
            "wrong_argument_count",
            format!(
                "{:?} takes values {shape}, but {count} were given",
                args.operation
            ),
        )
        .with_field("values")
        .with_hint(format!("pass values as {shape}")));
    }
    let values = args
        .values
        .iter()
        .enumerate()
        .map(|(index, value)| integer(&value.0, index))
        .collect::<Result<Vec<_>, _>>()?;
    let plain = |result: BigInt| NumberTheoryResult {
        operation: args.operation,
        result: result.to_string(),
        factors: None,
        probable: None,
    };
    Ok(match args.operation {
        Operation::IsPrime => {
            let n = &values[0];
            check_bits(n, MAX_PRIME_BITS, 0)?;
            let (prime, probable) = match n.to_biguint() {
                Some(n) => primality(&n),
                None => (false, false),
            };
            NumberTheoryResult {
                operation: args.operation,
                result: prime.to_string(),
                factors: None,
                probable: Some(probable),
            }
        }
        Operation::Factorize => factorize(&values[0])?,
        Operation::NextPrime => {
            let n = &values[0];
            check_bits(n, MAX_NEXT_PRIME_BITS, 0)?;
            let mut candidate = if n < &BigInt::from(2) {
                BigUint::from(2u8)
            } else {
                n.magnitude() + 1u8
            };
            loop {
                budget.check()?;
                let (prime, probable) = primality(&candidate);
                if prime {
                    break NumberTheoryResult {
                        operation: args.operation,
                        result: candidate.to_string(),
                        factors: None,
                        probable: Some(probable),
                    };
                }
                candidate += 1u8;
            }
        }
        Operation::Gcd => plain(
            values
                .iter()
                .skip(1)
                .fold(values[0].abs(), |acc, v| acc.gcd(v)),
        ),
        Operation::Lcm => {
            let mut acc = values[0].abs();
            for value in &values[1..] {
                limits::check_result_bits(acc.bits() + value.bits())?;
                acc = acc.lcm(value);
            }
            plain(acc)
        }
        Operation::ModPow => {
            let (base, exponent, modulus) = (&values[0], &values[1], &values[2]);
            check_bits(exponent, MAX_MOD_POW_BITS, 1)?;
            check_bits(modulus, MAX_MOD_POW_BITS, 2)?;
            let modulus = positive_modulus(modulus, 2)?;
            let base = if exponent.is_negative() {
                inverse(base, &modulus)?
            } else {
                base.mod_floor(&modulus)
            };
            plain(base.modpow(&exponent.abs(), &modulus))
        }
        Operation::ModInverse => {
            let modulus = positive_modulus(&values[1], 1)?;
            plain(inverse(&values[0], &modulus)?)
        }
        Operation::Binomial => plain(binomial(&values[0], &values[1], &budget)?),
        Operation::Factorial => {
            let n = bounded_u64(&values[0], limits::MAX_FACTORIAL, "factorial", 0)?;
            let mut product = BigUint::one();
            for k in 2..=n {
                product *= k;
                if k % 512 == 0 {
                    budget.check()?;
                }
            }
            plain(BigInt::from(product))
        }
        Operation::Fibonacci => {
            let n = &values[0];
            let magnitude = bounded_u64(&n.abs(), limits::MAX_FIBONACCI, "fibonacci", 0)?;
            let value = BigInt::from(fibonacci(magnitude));
            let negative = n.is_negative() && magnitude % 2 == 0;
            plain(if negative { -value } else { value })
        }
    })
}

fn integer(value: &BigRational, index: usize) -> Result<BigInt, ToolError> {
    if !value.is_integer() {
        return Err(ToolError::new(
            "not_an_integer",
            format!(
                "values[{index}] = {} is not an integer",
                crate::number::render(value, limits::DEFAULT_DIGITS).exact
            ),
        )
        .with_field(format!("values[{index}]"))
        .with_hint("number theory works on whole numbers"));
    }
    Ok(value.to_integer())
}

fn check_bits(n: &BigInt, max_bits: u64, index: usize) -> Result<(), ToolError> {
    if n.bits() > max_bits {
        return Err(ToolError::new(
            "number_too_large",
            format!(
                "values[{index}] has {} bits; this operation accepts at most {max_bits}",
                n.bits()
            ),
        )
        .with_field(format!("values[{index}]"))
        .with_hint("use a smaller number"));
    }
    Ok(())
}

fn bounded_u64(n: &BigInt, max: u64, what: &str, index: usize) -> Result<u64, ToolError> {
    if n.is_negative() {
        return Err(ToolError::new(
            "domain_error",
            format!("{what} of a negative number is undefined"),
        )
        .with_field(format!("values[{index}]"))
        .with_hint("pass 0 or a positive integer"));
    }
    n.to_u64().filter(|&n| n <= max).ok_or_else(|| {
        ToolError::new(
            "result_too_large",
            format!("{what} is limited to n <= {max}"),
        )
        .with_field(format!("values[{index}]"))
        .with_hint("the exact result would be too large to compute and return")
    })
}

fn positive_modulus(modulus: &BigInt, index: usize) -> Result<BigInt, ToolError> {
    if !modulus.is_positive() {
        return Err(
            ToolError::new("domain_error", "the modulus must be a positive integer")
                .with_field(format!("values[{index}]"))
                .with_hint("pass a modulus of 1 or more"),
        );
    }
    Ok(modulus.clone())
}

fn inverse(a: &BigInt, modulus: &BigInt) -> Result<BigInt, ToolError> {
    let gcd = a.extended_gcd(modulus);
    if !gcd.gcd.is_one() {
        return Err(ToolError::new(
            "no_inverse",
            format!(
                "{a} has no inverse modulo {modulus}: they share the factor {}",
                gcd.gcd
            ),
        )
        .with_hint("an inverse exists only when gcd(a, modulus) = 1"));
    }
    Ok(gcd.x.mod_floor(modulus))
}

/// (is prime, only probably): deterministic below 2^64, BPSW above.
fn primality(n: &BigUint) -> (bool, bool) {
    match n.to_u64() {
        Some(small) => (num_prime::nt_funcs::is_prime64(small), false),
        None => match num_prime::nt_funcs::is_prime(n, None) {
            Primality::Yes => (true, false),
            Primality::No => (false, false),
            Primality::Probable(_) => (true, true),
        },
    }
}

fn factorize(n: &BigInt) -> Result<NumberTheoryResult, ToolError> {
    check_bits(n, MAX_FACTORIZE_BITS, 0)?;
    if n.is_zero() {
        return Err(
            ToolError::new("domain_error", "0 has no prime factorization")
                .with_field("values[0]")
                .with_hint("factorize a nonzero integer"),
        );
    }
    let magnitude = n.magnitude().clone();
    let (found, unfactored): (BTreeMap<BigUint, usize>, Option<Vec<BigUint>>) =
        if magnitude.is_one() {
            (BTreeMap::new(), None)
        } else {
            num_prime::nt_funcs::factors(magnitude, Some(FactorizationConfig::default()))
        };
    if let Some(rest) = unfactored.filter(|rest| !rest.is_empty()) {
        let rest: Vec<String> = rest.iter().map(ToString::to_string).collect();
        return Err(ToolError::new(
            "time_limit_exceeded",
            format!(
                "could not split the composite factor(s) {} in the time allowed",
                rest.join(", ")
            ),
        )
        .with_field("values[0]")
        .with_hint(
            "numbers with two large prime factors are hard to factor; try a smaller number",
        ));
    }
    let factors: Vec<PrimePower> = found
        .into_iter()
        .map(|(prime, exponent)| PrimePower {
            prime: prime.to_string(),
            exponent: exponent as u32,
        })
        .collect();
    let mut product: Vec<String> = factors
        .iter()
        .map(|f| {
            if f.exponent == 1 {
                f.prime.clone()
            } else {
                format!("{}^{}", f.prime, f.exponent)
            }
        })
        .collect();
    if n.sign() == Sign::Minus {
        product.insert(0, "-1".to_owned());
    }
    Ok(NumberTheoryResult {
        operation: Operation::Factorize,
        result: if product.is_empty() {
            "1".to_owned()
        } else {
            product.join(" * ")
        },
        factors: Some(factors),
        probable: None,
    })
}

fn binomial(n: &BigInt, k: &BigInt, budget: &Budget) -> Result<BigInt, ToolError> {
    if n.is_negative() || k.is_negative() {
        return Err(
            ToolError::new("domain_error", "binomial(n, k) needs n >= 0 and k >= 0")
                .with_field("values")
                .with_hint("pass non-negative integers"),
        );
    }
    if k > n {
        return Ok(BigInt::zero());
    }
    let k = std::cmp::min(k.clone(), n - k);
    // C(n, k) < n^k: refuse before computing what cannot be returned.
    let bound = k
        .to_u64()
        .and_then(|k| k.checked_mul(n.bits()))
        .unwrap_or(u64::MAX);
    if bound > limits::MAX_RESULT_BITS {
        // The bound is loose; the exact size is log2 C(n, k), estimated with Stirling's series.
        let estimate = log2_binomial(n, &k);
        if estimate > limits::MAX_RESULT_BITS as f64 {
            return Err(limits::result_too_large(estimate as u64));
        }
    }
    let k = k
        .to_u64()
        .ok_or_else(|| limits::result_too_large(u64::MAX))?;
    let mut result = BigInt::one();
    for i in 0..k {
        result = result * (n - i) / (i + 1);
        if i % 256 == 0 {
            budget.check()?;
        }
    }
    Ok(result)
}

fn log2_binomial(n: &BigInt, k: &BigInt) -> f64 {
    let ln_factorial = |x: f64| {
        if x < 2.0 {
            0.0
        } else {
            x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln()
        }
    };
    let (n, k) = (
        n.to_f64().unwrap_or(f64::INFINITY),
        k.to_f64().unwrap_or(f64::INFINITY),
    );
    (ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k)) / std::f64::consts::LN_2
}

/// F(n) by fast doubling: F(2m) = F(m)(2F(m+1) - F(m)), F(2m+1) = F(m)^2 + F(m+1)^2.
fn fibonacci(n: u64) -> BigUint {
    let (mut a, mut b) = (BigUint::zero(), BigUint::one());
    for bit in (0..64 - n.leading_zeros()).rev() {
        let c = &a * (&b * 2u8 - &a);
        let d = &a * &a + &b * &b;
        (a, b) = if (n >> bit) & 1 == 0 {
            (c, d)
        } else {
            (d.clone(), c + d)
        };
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::number::parse_number;

    fn run(operation: Operation, values: &[&str]) -> Result<NumberTheoryResult, ToolError> {
        let values = values
            .iter()
            .map(|v| Number(parse_number(v).expect(v)))
            .collect();
        compute(&NumberTheoryArgs { operation, values })
    }

    fn result(operation: Operation, values: &[&str]) -> String {
        run(operation, values).expect("result").result
    }

    #[test]
    fn operations() {
        assert_eq!(result(Operation::IsPrime, &["2147483647"]), "true");
        assert_eq!(result(Operation::IsPrime, &["1"]), "false");
        assert_eq!(result(Operation::IsPrime, &["-7"]), "false");
        let mersenne = run(
            Operation::IsPrime,
            &["170141183460469231731687303715884105727"],
        )
        .expect("m127");
        assert_eq!(
            (mersenne.result.as_str(), mersenne.probable),
            ("true", Some(true))
        );
        assert_eq!(result(Operation::Factorize, &["360"]), "2^3 * 3^2 * 5");
        assert_eq!(result(Operation::Factorize, &["-12"]), "-1 * 2^2 * 3");
        assert_eq!(
            result(Operation::Factorize, &["18446744073709551617"]),
            "274177 * 67280421310721"
        );
        assert_eq!(result(Operation::NextPrime, &["100"]), "101");
        assert_eq!(result(Operation::NextPrime, &["-5"]), "2");
        assert_eq!(result(Operation::Gcd, &["462", "1071"]), "21");
        assert_eq!(result(Operation::Lcm, &["4", "6", "10"]), "60");
        assert_eq!(
            result(Operation::ModPow, &["2", "100", "1000000007"]),
            "976371285"
        );
        assert_eq!(result(Operation::ModPow, &["3", "-1", "7"]), "5");
        assert_eq!(result(Operation::ModInverse, &["3", "7"]), "5");
        assert_eq!(
            result(Operation::Binomial, &["50", "25"]),
            "126410606437752"
        );
        assert_eq!(result(Operation::Binomial, &["5", "7"]), "0");
        assert_eq!(
            result(Operation::Binomial, &["1000000000", "5"]),
            "8333333250000000291666666250000000200000000"
        );
        assert_eq!(result(Operation::Factorial, &["20"]), "2432902008176640000");
        assert_eq!(
            result(Operation::Fibonacci, &["100"]),
            "354224848179261915075"
        );
        assert_eq!(result(Operation::Fibonacci, &["-8"]), "-21");
        assert_eq!(result(Operation::Fibonacci, &["0"]), "0");
    }

    #[test]
    fn bad_input() {
        let code = |operation, values: &[&str]| {
            run(operation, values).expect_err("error").code().to_owned()
        };
        assert_eq!(code(Operation::IsPrime, &["1.5"]), "not_an_integer");
        assert_eq!(code(Operation::IsPrime, &[]), "wrong_argument_count");
        assert_eq!(code(Operation::ModPow, &["2", "3"]), "wrong_argument_count");
        assert_eq!(code(Operation::ModPow, &["2", "3", "0"]), "domain_error");
        assert_eq!(code(Operation::ModInverse, &["2", "4"]), "no_inverse");
        assert_eq!(code(Operation::Factorize, &["0"]), "domain_error");
        assert_eq!(
            code(Operation::Factorial, &["1000000000"]),
            "result_too_large"
        );
        assert_eq!(code(Operation::Factorial, &["-1"]), "domain_error");
        assert_eq!(
            code(Operation::Fibonacci, &["1000000000"]),
            "result_too_large"
        );
        assert_eq!(
            code(Operation::Binomial, &["1000000000", "500000000"]),
            "result_too_large"
        );
        let huge = format!("1{}", "0".repeat(60));
        assert_eq!(code(Operation::Factorize, &[&huge]), "number_too_large");
        let long = format!("9{}", "9".repeat(2_000));
        assert_eq!(
            code(Operation::ModPow, &["3", &long, "7"]),
            "number_too_large"
        );
    }
}
