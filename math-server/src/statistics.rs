//! Descriptive statistics of a data set, and correlation and linear regression of paired data.
//!
//! Everything rational is computed exactly (sums, means, medians, variances, percentiles,
//! regression coefficients); only the square roots (standard deviation, correlation) are
//! approximations. Values are rounded for display to `precision` significant digits, and
//! `exact` says whether any rounding happened.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use shared::ToolError;

use crate::limits::{self, Budget};
use crate::number::{self, Number};

/// Which variance: of a sample (divide by n - 1) or of a whole population (divide by n).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
pub enum VarianceKind {
    /// The data is a sample of a larger population: Bessel's correction, n - 1.
    #[default]
    Sample,
    /// The data is the whole population: n.
    Population,
}

/// Arguments of `statistics`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatisticsArgs {
    /// The data (at most 100,000 numbers).
    pub data: Vec<Number>,
    /// Paired data: the y value of each x in `data`, for correlation and linear regression.
    #[serde(default)]
    pub y: Option<Vec<Number>>,
    /// Sample (n - 1, the default) or population (n) variance and standard deviation.
    #[serde(default)]
    pub variance: VarianceKind,
    /// Percentiles to compute, each from 0 to 100 [default: 25, 50, 75].
    #[serde(default)]
    pub percentiles: Option<Vec<Number>>,
    /// Significant digits for values that are rounded (1 to 1000) [default: 40].
    #[serde(default)]
    pub precision: Option<u32>,
}

/// One requested percentile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Percentile {
    /// The percentile asked for, 0 to 100.
    pub percentile: String,
    /// Its value.
    pub value: String,
}

/// Correlation and least-squares line `y = slope * x + intercept` of paired data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Paired {
    /// Pearson's correlation coefficient; absent when x or y does not vary.
    pub correlation: Option<String>,
    /// The coefficient of determination (correlation squared); absent when undefined.
    pub r_squared: Option<String>,
    /// The regression line's slope; absent when x does not vary.
    pub slope: Option<String>,
    /// The regression line's intercept; absent when x does not vary.
    pub intercept: Option<String>,
}

/// The result of `statistics`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Summary {
    /// How many values.
    pub count: usize,
    /// Their sum.
    pub sum: String,
    /// The arithmetic mean.
    pub mean: String,
    /// The middle value (the mean of the two middle values for an even count).
    pub median: String,
    /// The most frequent values, smallest first; empty when no value repeats.
    pub modes: Vec<String>,
    /// The smallest value.
    pub min: String,
    /// The largest value.
    pub max: String,
    /// max - min.
    pub range: String,
    /// Which variance `variance` and `std_dev` are.
    pub variance_kind: VarianceKind,
    /// The variance; absent for a sample of one value.
    pub variance: Option<String>,
    /// The standard deviation; absent for a sample of one value.
    pub std_dev: Option<String>,
    /// The requested percentiles.
    pub percentiles: Vec<Percentile>,
    /// How percentiles are computed.
    pub quantile_method: String,
    /// Correlation and regression, when `y` was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paired: Option<Paired>,
    /// Whether every value above is exact (none was rounded for display).
    pub exact: bool,
    /// Why a value is absent, if one is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

const QUANTILE_METHOD: &str = "linear interpolation between closest ranks (Hyndman-Fan type 7, the default of R, NumPy and Excel's PERCENTILE.INC)";

/// Keeps track of whether anything shown was rounded.
struct Display {
    digits: u32,
    exact: bool,
}

impl Display {
    fn show(&mut self, value: &BigRational) -> String {
        let rounded = number::round_significant(value, self.digits);
        self.exact &= rounded.exact;
        rounded.text
    }

    fn sqrt(&mut self, value: &BigRational) -> Result<String, ToolError> {
        let rounded = crate::expr::sqrt_rounded(value, self.digits)?;
        self.exact &= rounded.exact;
        Ok(rounded.text)
    }
}

/// Data as integers over one common denominator: value `i` is `integers[i] / denom`.
///
/// Every input is a decimal, so the common denominator is a power of ten (times a power of
/// two), and sums, sorting and comparisons run on integers: exact, without normalizing a
/// fraction at every step.
struct Scaled {
    integers: Vec<BigInt>,
    denom: BigInt,
}

impl Scaled {
    fn new(data: &[Number], field: &str, budget: &Budget) -> Result<Self, ToolError> {
        if data.is_empty() {
            return Err(ToolError::new("empty_data", format!("`{field}` is empty"))
                .with_field(field.to_owned())
                .with_hint("pass at least one number"));
        }
        if data.len() > limits::MAX_DATA_POINTS {
            return Err(ToolError::new(
                "too_much_data",
                format!(
                    "`{field}` has {} values; the limit is {}",
                    data.len(),
                    limits::MAX_DATA_POINTS
                ),
            )
            .with_field(field.to_owned())
            .with_hint("summarize the data in parts"));
        }
        let mut denom = BigInt::one();
        for number in data {
            if !(&denom % number.0.denom()).is_zero() {
                denom = denom.lcm(number.0.denom());
                limits::check_result_bits(denom.bits())?;
            }
        }
        let mut integers = Vec::with_capacity(data.len());
        for (index, number) in data.iter().enumerate() {
            integers.push(number.0.numer() * (&denom / number.0.denom()));
            if index % 4096 == 0 {
                budget.check()?;
            }
        }
        Ok(Self { integers, denom })
    }

    fn len(&self) -> BigInt {
        BigInt::from(self.integers.len())
    }

    fn sum(&self) -> BigInt {
        self.integers.iter().sum()
    }

    /// n Σ a b - Σa Σb, which is n · D_a · D_b · Σ (x - x̄)(y - ȳ).
    fn centered_product(&self, other: &Scaled, budget: &Budget) -> Result<BigInt, ToolError> {
        let mut products = BigInt::zero();
        for (index, (a, b)) in self.integers.iter().zip(&other.integers).enumerate() {
            products += a * b;
            if index % 4096 == 0 {
                budget.check()?;
            }
        }
        Ok(self.len() * products - self.sum() * other.sum())
    }
}

/// Summarizes the data.
pub fn summarize(args: &StatisticsArgs) -> Result<Summary, ToolError> {
    let budget = Budget::start();
    let digits = limits::precision(args.precision)?;
    let x = Scaled::new(&args.data, "data", &budget)?;
    let mut display = Display {
        digits,
        exact: true,
    };
    let mut notes = Vec::new();
    let n = x.integers.len();
    let count = x.len();

    let mut sorted = x.integers.clone();
    sorted.sort_unstable();
    budget.check()?;
    let sum = x.sum();
    let mean = BigRational::new(sum.clone(), &count * &x.denom);
    let divisor = match args.variance {
        VarianceKind::Sample => n - 1,
        VarianceKind::Population => n,
    };
    let variance = if divisor == 0 {
        notes.push("the sample variance of one value is undefined (it divides by n - 1 = 0); use variance \"population\" for 0".to_owned());
        None
    } else {
        // Σ (x - x̄)² = (n Σa² - (Σa)²) / (n D²)
        let centered = x.centered_product(&x, &budget)?;
        Some(BigRational::new(
            centered,
            &count * BigInt::from(divisor) * &x.denom * &x.denom,
        ))
    };

    let hundred = BigRational::from_integer(BigInt::from(100));
    let percentiles: Vec<BigRational> = match &args.percentiles {
        None => [25, 50, 75]
            .iter()
            .map(|p| BigRational::from_integer(BigInt::from(*p)))
            .collect(),
        Some(list) => list.iter().map(|p| p.0.clone()).collect(),
    };
    let mut percentile_values = Vec::with_capacity(percentiles.len());
    for (index, p) in percentiles.iter().enumerate() {
        if p < &BigRational::zero() || p > &hundred {
            return Err(ToolError::new(
                "invalid_argument",
                format!("percentile {} is outside 0 to 100", display.show(p)),
            )
            .with_field(format!("percentiles[{index}]"))
            .with_hint("percentiles run from 0 (the minimum) to 100 (the maximum)"));
        }
        let value = quantile(&sorted, &x.denom, &(p / &hundred));
        percentile_values.push(Percentile {
            percentile: display.show(p),
            value: display.show(&value),
        });
    }

    let paired = match &args.y {
        None => None,
        Some(y) => Some(paired(&x, &mean, y, &mut display, &mut notes, &budget)?),
    };
    let scaled = |integer: &BigInt| BigRational::new(integer.clone(), x.denom.clone());
    let first = sorted.first().cloned().unwrap_or_default();
    let last = sorted.last().cloned().unwrap_or_default();
    Ok(Summary {
        count: n,
        sum: display.show(&scaled(&sum)),
        mean: display.show(&mean),
        median: display.show(&quantile(
            &sorted,
            &x.denom,
            &BigRational::new(1.into(), 2.into()),
        )),
        modes: modes(&sorted)
            .iter()
            .map(|m| display.show(&scaled(m)))
            .collect(),
        min: display.show(&scaled(&first)),
        max: display.show(&scaled(&last)),
        range: display.show(&scaled(&(&last - &first))),
        variance_kind: args.variance,
        std_dev: variance.as_ref().map(|v| display.sqrt(v)).transpose()?,
        variance: variance.as_ref().map(|v| display.show(v)),
        percentiles: percentile_values,
        quantile_method: QUANTILE_METHOD.to_owned(),
        paired,
        exact: display.exact,
        notes,
    })
}

/// Type 7 quantile of sorted scaled data, `q` in [0, 1].
fn quantile(sorted: &[BigInt], denom: &BigInt, q: &BigRational) -> BigRational {
    let last = BigRational::from_integer(BigInt::from(sorted.len() - 1));
    let position = q * last;
    let lower = position.floor();
    let index = usize::try_from(lower.to_integer())
        .unwrap_or(0)
        .min(sorted.len() - 1);
    let fraction = &position - &lower;
    let low = BigRational::from_integer(sorted[index].clone());
    let value = match sorted.get(index + 1) {
        Some(next) if !fraction.is_zero() => {
            &low + fraction * (BigRational::from_integer(next.clone()) - &low)
        }
        _ => low,
    };
    value / BigRational::from_integer(denom.clone())
}

/// The most frequent values of sorted data; empty when no value repeats.
fn modes(sorted: &[BigInt]) -> Vec<BigInt> {
    let runs: Vec<(&BigInt, usize)> = sorted
        .chunk_by(|a, b| a == b)
        .map(|run| (&run[0], run.len()))
        .collect();
    let highest = runs.iter().map(|(_, count)| *count).max().unwrap_or(0);
    if highest < 2 {
        return Vec::new();
    }
    runs.into_iter()
        .filter(|(_, count)| *count == highest)
        .map(|(value, _)| value.clone())
        .collect()
}

fn paired(
    x: &Scaled,
    x_mean: &BigRational,
    y: &[Number],
    display: &mut Display,
    notes: &mut Vec<String>,
    budget: &Budget,
) -> Result<Paired, ToolError> {
    let y = Scaled::new(y, "y", budget)?;
    if y.integers.len() != x.integers.len() {
        return Err(ToolError::new(
            "length_mismatch",
            format!(
                "`data` has {} values but `y` has {}",
                x.integers.len(),
                y.integers.len()
            ),
        )
        .with_field("y")
        .with_hint("pass one y value for each x value"));
    }
    let y_mean = BigRational::new(y.sum(), y.len() * &y.denom);
    let cxx = x.centered_product(x, budget)?;
    let cyy = y.centered_product(&y, budget)?;
    let cxy = x.centered_product(&y, budget)?;
    let (slope, intercept) = if cxx.is_zero() {
        notes.push("x does not vary, so the regression line is undefined".to_owned());
        (None, None)
    } else {
        // slope = Σ(x-x̄)(y-ȳ) / Σ(x-x̄)² = cxy / cxx · D_x / D_y
        let slope = BigRational::new(&cxy * &x.denom, &cxx * &y.denom);
        let intercept = &y_mean - &slope * x_mean;
        (Some(display.show(&slope)), Some(display.show(&intercept)))
    };
    let (correlation, r_squared) = if cxx.is_zero() || cyy.is_zero() {
        notes.push("correlation is undefined when x or y does not vary".to_owned());
        (None, None)
    } else {
        let r_squared = BigRational::new(&cxy * &cxy, &cxx * &cyy);
        let magnitude = display.sqrt(&r_squared)?;
        let correlation = if cxy.is_negative() && magnitude != "0" {
            format!("-{magnitude}")
        } else {
            magnitude
        };
        (Some(correlation), Some(display.show(&r_squared)))
    };
    Ok(Paired {
        correlation,
        r_squared,
        slope,
        intercept,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(values: &[&str]) -> Vec<Number> {
        values
            .iter()
            .map(|v| Number(number::parse_number(v).expect(v)))
            .collect()
    }

    fn args(data: &[&str]) -> StatisticsArgs {
        StatisticsArgs {
            data: numbers(data),
            y: None,
            variance: VarianceKind::Sample,
            percentiles: None,
            precision: None,
        }
    }

    #[test]
    fn summary_of_a_small_sample() {
        let summary = summarize(&args(&["2", "4", "4", "4", "5", "5", "7", "9"])).expect("summary");
        assert_eq!(summary.count, 8);
        assert_eq!(summary.sum, "40");
        assert_eq!(summary.mean, "5");
        assert_eq!(summary.median, "4.5");
        assert_eq!(summary.modes, vec!["4"]);
        assert_eq!(summary.range, "7");
        assert_eq!(
            summary.variance.as_deref(),
            Some("4.571428571428571428571428571428571428571")
        );
        assert!(!summary.exact);
        let population = summarize(&StatisticsArgs {
            variance: VarianceKind::Population,
            ..args(&["2", "4", "4", "4", "5", "5", "7", "9"])
        })
        .expect("population");
        assert_eq!(
            (
                population.variance.as_deref(),
                population.std_dev.as_deref()
            ),
            (Some("4"), Some("2"))
        );
        assert_eq!(population.percentiles[0].value, "4");
        assert_eq!(population.percentiles[2].value, "5.5");
    }

    #[test]
    fn decimals_stay_exact() {
        let summary = summarize(&args(&["0.1", "0.2"])).expect("summary");
        assert_eq!(summary.sum, "0.3");
        assert_eq!(summary.mean, "0.15");
        assert!(summary.modes.is_empty());
    }

    #[test]
    fn paired_data() {
        let summary = summarize(&StatisticsArgs {
            y: Some(numbers(&["3", "5", "7", "9"])),
            ..args(&["1", "2", "3", "4"])
        })
        .expect("paired");
        let paired = summary.paired.expect("paired");
        assert_eq!(paired.slope.as_deref(), Some("2"));
        assert_eq!(paired.intercept.as_deref(), Some("1"));
        assert_eq!(paired.correlation.as_deref(), Some("1"));
        let falling = summarize(&StatisticsArgs {
            y: Some(numbers(&["9", "7", "5", "3"])),
            ..args(&["1", "2", "3", "4"])
        })
        .expect("paired");
        assert_eq!(
            falling.paired.expect("paired").correlation.as_deref(),
            Some("-1")
        );
    }

    #[test]
    fn edge_cases_and_bad_input() {
        let one = summarize(&args(&["5"])).expect("one value");
        assert_eq!(one.variance, None);
        assert!(!one.notes.is_empty());
        assert_eq!(
            summarize(&args(&[])).expect_err("empty").code(),
            "empty_data"
        );
        let mismatch = StatisticsArgs {
            y: Some(numbers(&["1"])),
            ..args(&["1", "2"])
        };
        assert_eq!(
            summarize(&mismatch).expect_err("mismatch").code(),
            "length_mismatch"
        );
        let constant = summarize(&StatisticsArgs {
            y: Some(numbers(&["1", "2"])),
            ..args(&["3", "3"])
        })
        .expect("constant x");
        assert_eq!(constant.paired.expect("paired").correlation, None);
        let bad_percentile = StatisticsArgs {
            percentiles: Some(numbers(&["101"])),
            ..args(&["1"])
        };
        assert_eq!(
            summarize(&bad_percentile).expect_err("percentile").code(),
            "invalid_argument"
        );
    }
}
