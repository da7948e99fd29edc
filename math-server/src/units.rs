//! Unit conversion with dimensional analysis and exact factors.
//!
//! A unit expression is a product of units with integer powers: `km/h`, `m/s^2`,
//! `kg*m^2/s^2`, `N·m`, `ft²`. Each unit has an exact factor to SI base units (an inch is
//! exactly 0.0254 m), so conversions between rational amounts are exact. Temperatures with an
//! offset (°C, °F) convert as absolute temperatures when they stand alone, and as temperature
//! differences inside compound units (`°C/min`).
//!
//! Names are case-sensitive (`Mb` is a megabit, `MB` a megabyte); a wrong case gets a hint.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Pow, Signed};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use shared::ToolError;

use crate::limits;
use crate::number::{self, Number};

/// Largest value `convert_units` accepts, in bits of numerator or denominator (~1,233 digits).
const MAX_VALUE_BITS: u64 = 4_096;

/// Exponents of the base dimensions: length, mass, time, temperature, current, amount, information.
type Dimension = [i8; 7];
const DIMENSION_NAMES: [&str; 7] = [
    "length",
    "mass",
    "time",
    "temperature",
    "current",
    "amount",
    "information",
];

const LENGTH: Dimension = [1, 0, 0, 0, 0, 0, 0];
const MASS: Dimension = [0, 1, 0, 0, 0, 0, 0];
const TIME: Dimension = [0, 0, 1, 0, 0, 0, 0];
const TEMPERATURE: Dimension = [0, 0, 0, 1, 0, 0, 0];
const CURRENT: Dimension = [0, 0, 0, 0, 1, 0, 0];
const AMOUNT: Dimension = [0, 0, 0, 0, 0, 1, 0];
const INFORMATION: Dimension = [0, 0, 0, 0, 0, 0, 1];
const AREA: Dimension = [2, 0, 0, 0, 0, 0, 0];
const VOLUME: Dimension = [3, 0, 0, 0, 0, 0, 0];
const SPEED: Dimension = [1, 0, -1, 0, 0, 0, 0];
const FORCE: Dimension = [1, 1, -2, 0, 0, 0, 0];
const ENERGY: Dimension = [2, 1, -2, 0, 0, 0, 0];
const POWER: Dimension = [2, 1, -3, 0, 0, 0, 0];
const PRESSURE: Dimension = [-1, 1, -2, 0, 0, 0, 0];
const FREQUENCY: Dimension = [0, 0, -1, 0, 0, 0, 0];
const CHARGE: Dimension = [0, 0, 1, 0, 1, 0, 0];
const VOLTAGE: Dimension = [2, 1, -3, 0, -1, 0, 0];

/// Which SI prefixes a unit takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prefixes {
    None,
    /// Every SI prefix, from quecto to quetta.
    Si,
    /// Only the multiples (k and up) and the binary prefixes (Ki, Mi, ...): for bits and bytes.
    Data,
}

/// One unit of the table: names, dimension, factor to SI and offset (absolute temperatures
/// only: kelvin = value * factor + offset), each a decimal or a fraction `p/q`.
struct UnitDef {
    names: &'static [&'static str],
    dimension: Dimension,
    factor: &'static str,
    offset: &'static str,
    prefixes: Prefixes,
}

const fn unit(
    names: &'static [&'static str],
    dimension: Dimension,
    factor: &'static str,
    prefixes: Prefixes,
) -> UnitDef {
    UnitDef {
        names,
        dimension,
        factor,
        offset: "0",
        prefixes,
    }
}

#[rustfmt::skip]
const TABLE: &[UnitDef] = &[
    // Length.
    unit(&["m", "meter", "metre", "meters", "metres"], LENGTH, "1", Prefixes::Si),
    unit(&["in", "inch", "inches", "\""], LENGTH, "0.0254", Prefixes::None),
    unit(&["ft", "foot", "feet", "'"], LENGTH, "0.3048", Prefixes::None),
    unit(&["yd", "yard", "yards"], LENGTH, "0.9144", Prefixes::None),
    unit(&["mi", "mile", "miles"], LENGTH, "1609.344", Prefixes::None),
    unit(&["nmi", "nautical_mile", "nautical_miles"], LENGTH, "1852", Prefixes::None),
    unit(&["au", "astronomical_unit"], LENGTH, "149597870700", Prefixes::None),
    unit(&["ly", "light_year", "light_years"], LENGTH, "9460730472580800", Prefixes::None),
    unit(&["Å", "angstrom"], LENGTH, "1e-10", Prefixes::None),
    // Mass.
    unit(&["g", "gram", "grams", "gramme"], MASS, "0.001", Prefixes::Si),
    unit(&["t", "tonne", "tonnes", "metric_ton"], MASS, "1000", Prefixes::None),
    unit(&["lb", "lbs", "pound", "pounds"], MASS, "0.45359237", Prefixes::None),
    unit(&["oz", "ounce", "ounces"], MASS, "0.028349523125", Prefixes::None),
    unit(&["st", "stone"], MASS, "6.35029318", Prefixes::None),
    unit(&["short_ton", "us_ton"], MASS, "907.18474", Prefixes::None),
    unit(&["long_ton", "imperial_ton"], MASS, "1016.0469088", Prefixes::None),
    unit(&["Da", "dalton", "u"], MASS, "1.66053906892e-27", Prefixes::None),
    // Time.
    unit(&["s", "sec", "second", "seconds"], TIME, "1", Prefixes::Si),
    unit(&["min", "minute", "minutes"], TIME, "60", Prefixes::None),
    unit(&["h", "hr", "hour", "hours"], TIME, "3600", Prefixes::None),
    unit(&["d", "day", "days"], TIME, "86400", Prefixes::None),
    unit(&["wk", "week", "weeks"], TIME, "604800", Prefixes::None),
    unit(&["yr", "year", "years", "a"], TIME, "31557600", Prefixes::None),
    // Temperature (absolute scales with offsets: K = value * factor + offset).
    unit(&["K", "kelvin"], TEMPERATURE, "1", Prefixes::None),
    UnitDef { names: &["°C", "degC", "celsius", "℃"], dimension: TEMPERATURE, factor: "1", offset: "273.15", prefixes: Prefixes::None },
    UnitDef { names: &["°F", "degF", "fahrenheit", "℉"], dimension: TEMPERATURE, factor: "5/9", offset: "45967/180", prefixes: Prefixes::None },
    unit(&["°R", "degR", "rankine"], TEMPERATURE, "5/9", Prefixes::None),
    // Other base units.
    unit(&["A", "ampere", "amperes", "amp", "amps"], CURRENT, "1", Prefixes::Si),
    unit(&["mol", "mole", "moles"], AMOUNT, "1", Prefixes::Si),
    unit(&["bit", "bits", "b"], INFORMATION, "1", Prefixes::Data),
    unit(&["B", "byte", "bytes", "octet"], INFORMATION, "8", Prefixes::Data),
    // Area and volume.
    unit(&["ha", "hectare", "hectares"], AREA, "10000", Prefixes::None),
    unit(&["acre", "acres"], AREA, "4046.8564224", Prefixes::None),
    unit(&["L", "l", "liter", "litre", "liters", "litres"], VOLUME, "0.001", Prefixes::Si),
    unit(&["gal", "gallon", "gallons", "us_gal"], VOLUME, "0.003785411784", Prefixes::None),
    unit(&["imp_gal", "imperial_gallon"], VOLUME, "0.00454609", Prefixes::None),
    unit(&["qt", "quart", "quarts"], VOLUME, "0.000946352946", Prefixes::None),
    unit(&["pt", "pint", "pints"], VOLUME, "0.000473176473", Prefixes::None),
    unit(&["cup", "cups"], VOLUME, "0.0002365882365", Prefixes::None),
    unit(&["floz", "fl_oz", "fluid_ounce"], VOLUME, "0.0000295735295625", Prefixes::None),
    unit(&["tbsp", "tablespoon"], VOLUME, "0.00001478676478125", Prefixes::None),
    unit(&["tsp", "teaspoon"], VOLUME, "0.00000492892159375", Prefixes::None),
    // Speed.
    unit(&["mph"], SPEED, "0.44704", Prefixes::None),
    unit(&["kph", "kmh"], SPEED, "5/18", Prefixes::None),
    unit(&["kn", "kt", "knot", "knots"], SPEED, "463/900", Prefixes::None),
    unit(&["c", "speed_of_light"], SPEED, "299792458", Prefixes::None),
    // Force, energy, power, pressure.
    unit(&["N", "newton", "newtons"], FORCE, "1", Prefixes::Si),
    unit(&["lbf", "pound_force"], FORCE, "4.4482216152605", Prefixes::None),
    unit(&["kgf", "kilogram_force"], FORCE, "9.80665", Prefixes::None),
    unit(&["dyn", "dyne"], FORCE, "0.00001", Prefixes::None),
    unit(&["J", "joule", "joules"], ENERGY, "1", Prefixes::Si),
    unit(&["Wh", "watt_hour"], ENERGY, "3600", Prefixes::Si),
    unit(&["cal", "calorie", "calories"], ENERGY, "4.184", Prefixes::Si),
    unit(&["eV", "electronvolt"], ENERGY, "1.602176634e-19", Prefixes::Si),
    unit(&["BTU", "btu"], ENERGY, "1055.05585262", Prefixes::None),
    unit(&["erg"], ENERGY, "1e-7", Prefixes::None),
    unit(&["W", "watt", "watts"], POWER, "1", Prefixes::Si),
    unit(&["hp", "horsepower"], POWER, "745.69987158227022", Prefixes::None),
    unit(&["Pa", "pascal", "pascals"], PRESSURE, "1", Prefixes::Si),
    unit(&["bar"], PRESSURE, "100000", Prefixes::Si),
    unit(&["atm", "atmosphere"], PRESSURE, "101325", Prefixes::None),
    unit(&["psi"], PRESSURE, "44482216152605/6451600000", Prefixes::None),
    unit(&["mmHg"], PRESSURE, "133.322387415", Prefixes::None),
    unit(&["Torr", "torr"], PRESSURE, "101325/760", Prefixes::None),
    unit(&["inHg"], PRESSURE, "3386.389", Prefixes::None),
    // Electricity and frequency.
    unit(&["Hz", "hertz"], FREQUENCY, "1", Prefixes::Si),
    unit(&["C", "coulomb", "coulombs"], CHARGE, "1", Prefixes::Si),
    unit(&["V", "volt", "volts"], VOLTAGE, "1", Prefixes::Si),
];

#[rustfmt::skip]
const SI_PREFIXES: &[(&str, i32)] = &[
    ("Q", 30), ("R", 27), ("Y", 24), ("Z", 21), ("E", 18), ("P", 15), ("T", 12), ("G", 9), ("M", 6), ("k", 3),
    ("h", 2), ("da", 1), ("d", -1), ("c", -2), ("m", -3), ("µ", -6), ("μ", -6), ("u", -6), ("n", -9), ("p", -12),
    ("f", -15), ("a", -18), ("z", -21), ("y", -24), ("r", -27), ("q", -30),
];
const BINARY_PREFIXES: &[(&str, u32)] = &[
    ("Ki", 10),
    ("Mi", 20),
    ("Gi", 30),
    ("Ti", 40),
    ("Pi", 50),
    ("Ei", 60),
    ("Zi", 70),
    ("Yi", 80),
];

/// A resolved single unit.
#[derive(Clone)]
struct Unit {
    dimension: Dimension,
    factor: BigRational,
    offset: BigRational,
}

/// Every unit name, with prefixed forms, resolved once.
static UNITS: LazyLock<BTreeMap<String, Unit>> = LazyLock::new(|| {
    let resolved: Vec<(&UnitDef, Unit)> = TABLE.iter().map(|def| (def, resolve(def))).collect();
    let mut units = BTreeMap::new();
    // Plain names first, so that no prefixed form can shadow one (`min` is never milli-inch).
    for (def, unit) in &resolved {
        for name in def.names {
            units
                .entry((*name).to_owned())
                .or_insert_with(|| unit.clone());
        }
    }
    let ten = BigRational::from_integer(BigInt::from(10));
    for (def, unit) in &resolved {
        // Prefixes go on symbols (km, kWh, Mb), not on words (kilometre is not generated).
        let symbols = def.names.iter().enumerate().filter(|(index, name)| {
            *index == 0 || (name.chars().count() <= 3 && !name.contains('_'))
        });
        for (_, symbol) in symbols {
            let mut add = |prefix: &str, scale: BigRational| {
                units
                    .entry(format!("{prefix}{symbol}"))
                    .or_insert_with(|| Unit {
                        factor: &unit.factor * scale,
                        ..unit.clone()
                    });
            };
            match def.prefixes {
                Prefixes::None => {}
                Prefixes::Si => {
                    for (prefix, power) in SI_PREFIXES {
                        add(prefix, Pow::pow(&ten, *power));
                    }
                }
                Prefixes::Data => {
                    for (prefix, power) in SI_PREFIXES.iter().filter(|(_, p)| *p >= 3) {
                        add(prefix, Pow::pow(&ten, *power));
                    }
                    add("K", Pow::pow(&ten, 3)); // kB is often written KB
                    for (prefix, bits) in BINARY_PREFIXES {
                        add(
                            prefix,
                            BigRational::from_integer(BigInt::from(2).pow(*bits)),
                        );
                    }
                }
            }
        }
    }
    units
});

/// A table entry's exact factor and offset.
fn resolve(def: &UnitDef) -> Unit {
    Unit {
        dimension: def.dimension,
        factor: exact(def.factor),
        offset: exact(def.offset),
    }
}

/// Reads a table constant: a decimal, or a fraction `p/q` where no decimal is exact
/// (°F is 5/9 K). The table is fixed and covered by tests, so it always parses.
fn exact(text: &str) -> BigRational {
    let parse = |part: &str| number::parse_number(part).unwrap_or_else(|_| BigRational::one());
    match text.split_once('/') {
        Some((numer, denom)) => parse(numer) / parse(denom),
        None => parse(text),
    }
}

/// A parsed unit expression: its dimension, factor, and whether it is an absolute temperature.
struct Compound {
    dimension: Dimension,
    factor: BigRational,
    /// The offset of a lone temperature unit (°C, °F); zero otherwise.
    offset: BigRational,
    /// A lone temperature unit: an absolute temperature, which cannot be below absolute zero.
    absolute_temperature: bool,
}

fn unknown_unit(name: &str, field: &str) -> ToolError {
    let lower = name.to_lowercase();
    let case_matches: Vec<&str> = UNITS
        .keys()
        .filter(|k| k.to_lowercase() == lower)
        .map(String::as_str)
        .take(4)
        .collect();
    let hint = if !case_matches.is_empty() {
        format!(
            "unit names are case-sensitive: did you mean {}?",
            case_matches
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        )
    } else {
        let closest = UNITS
            .keys()
            .map(|k| (strsim::levenshtein(name, k), k))
            .filter(|(distance, _)| *distance <= 2)
            .min();
        match closest {
            Some((_, suggestion)) => format!("did you mean `{suggestion}`?"),
            None => "use units such as m, km, ft, kg, lb, s, h, °C, °F, L, gal, J, kWh, W, Pa, psi, B, MiB, or products like km/h and m/s^2".to_owned(),
        }
    };
    ToolError::new("unknown_unit", format!("unknown unit `{name}`"))
        .with_field(field.to_owned())
        .with_hint(hint)
}

/// Parses `km/h`, `kg*m^2/s^2`, `N·m`, `m²`, `m2`.
fn parse_compound(text: &str, field: &str) -> Result<Compound, ToolError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ToolError::new("unknown_unit", "the unit is empty")
            .with_field(field.to_owned())
            .with_hint("write a unit such as `km` or `m/s`"));
    }
    if text.chars().count() > 100 {
        return Err(ToolError::new(
            "unknown_unit",
            "the unit expression is longer than 100 characters",
        )
        .with_field(field.to_owned()));
    }
    let mut dimension = [0i8; 7];
    let mut factor = BigRational::one();
    let mut units_seen = 0;
    let mut lone: Option<Unit> = None;
    let mut dividing = false;
    for (index, piece) in text.split_inclusive(['*', '/', '·', ' ', '×']).enumerate() {
        let separator = piece
            .chars()
            .last()
            .filter(|c| matches!(c, '*' | '/' | '·' | ' ' | '×'));
        let term = match separator {
            Some(c) => &piece[..piece.len() - c.len_utf8()],
            None => piece,
        };
        if term.is_empty() {
            if index > 0 && separator.is_some_and(|c| c != ' ') && !piece.starts_with(' ') {
                return Err(ToolError::new(
                    "unknown_unit",
                    format!("`{text}` has two operators in a row"),
                )
                .with_field(field.to_owned())
                .with_hint("write units like `kg*m/s^2`"));
            }
            continue;
        }
        let (name, power) = split_power(term, field)?;
        let unit = UNITS
            .get(name)
            .ok_or_else(|| unknown_unit(name, field))?
            .clone();
        let power = if dividing { -power } else { power };
        for (total, part) in dimension.iter_mut().zip(unit.dimension) {
            *total = total.saturating_add(part.saturating_mul(power));
        }
        factor *= Pow::pow(&unit.factor, i32::from(power));
        units_seen += 1;
        lone = (power == 1).then_some(unit);
        if let Some(separator) = separator {
            dividing = separator == '/' || (dividing && separator == ' ');
        }
    }
    let lone = lone.filter(|unit| units_seen == 1 && unit.dimension == TEMPERATURE);
    Ok(Compound {
        dimension,
        factor,
        offset: lone
            .as_ref()
            .map(|unit| unit.offset.clone())
            .unwrap_or_default(),
        absolute_temperature: lone.is_some(),
    })
}

/// Splits `m^2`, `m²`, `s^-1`, `m2` into a unit name and an integer power.
fn split_power<'a>(term: &'a str, field: &str) -> Result<(&'a str, i8), ToolError> {
    let bad_power = || {
        ToolError::new(
            "unknown_unit",
            format!("`{term}` has a power that is not a small integer"),
        )
        .with_field(field.to_owned())
        .with_hint("write powers like m^2, s^-1 or m³")
    };
    if let Some((name, power)) = term.split_once('^') {
        return power
            .trim()
            .parse::<i8>()
            .ok()
            .filter(|p| (-9..=9).contains(p) && *p != 0)
            .map(|p| (name, p))
            .ok_or_else(bad_power);
    }
    for (superscript, power) in [('²', 2), ('³', 3), ('⁴', 4)] {
        if let Some(name) = term.strip_suffix(superscript) {
            return Ok((name, power));
        }
    }
    if !UNITS.contains_key(term) {
        let digits = term.len() - term.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 1 && digits < term.len() {
            let (name, power) = term.split_at(term.len() - 1);
            return power
                .parse::<i8>()
                .ok()
                .filter(|p| *p > 1)
                .map(|p| (name, p))
                .ok_or_else(bad_power);
        }
    }
    Ok((term, 1))
}

fn describe(dimension: &Dimension) -> String {
    let known: [(&Dimension, &str); 10] = [
        (&AREA, "area"),
        (&VOLUME, "volume"),
        (&SPEED, "speed"),
        (&FORCE, "force"),
        (&ENERGY, "energy"),
        (&POWER, "power"),
        (&PRESSURE, "pressure"),
        (&FREQUENCY, "frequency"),
        (&CHARGE, "charge"),
        (&VOLTAGE, "voltage"),
    ];
    if let Some((_, name)) = known.iter().find(|(d, _)| *d == dimension) {
        return (*name).to_owned();
    }
    if dimension.iter().all(|p| *p == 0) {
        return "dimensionless".to_owned();
    }
    let part = |positive: bool| {
        dimension
            .iter()
            .zip(DIMENSION_NAMES)
            .filter(|(p, _)| if positive { **p > 0 } else { **p < 0 })
            .map(|(p, name)| {
                if p.abs() == 1 {
                    name.to_owned()
                } else {
                    format!("{name}^{}", p.abs())
                }
            })
            .collect::<Vec<_>>()
            .join("*")
    };
    let (numerator, denominator) = (part(true), part(false));
    match (numerator.is_empty(), denominator.is_empty()) {
        (_, true) => numerator,
        (true, false) => format!("1/{denominator}"),
        (false, false) => format!("{numerator}/{denominator}"),
    }
}

/// Arguments of `convert_units`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertArgs {
    /// The amount to convert.
    pub value: Number,
    /// The unit of `value`: a unit (`km`, `°F`, `MiB`) or a product of units with powers (`km/h`, `kg*m^2/s^2`, `ft²`).
    pub from: String,
    /// The unit to convert to; it must measure the same thing as `from`.
    pub to: String,
    /// Significant digits for a result that does not terminate (1 to 1000) [default: 40].
    #[serde(default)]
    pub precision: Option<u32>,
}

/// The result of `convert_units`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Conversion {
    /// The converted amount.
    pub value: String,
    /// Whether `value` is exact (not rounded).
    pub exact: bool,
    /// The unit converted from, as given.
    pub from: String,
    /// The unit converted to, as given.
    pub to: String,
    /// What the units measure, such as `length`, `speed` or `mass*length/time^2`.
    pub dimension: String,
}

/// Converts an amount between units of the same dimension.
pub fn convert(args: &ConvertArgs) -> Result<Conversion, ToolError> {
    let digits = limits::precision(args.precision)?;
    let magnitude_bits = args.value.0.numer().bits().max(args.value.0.denom().bits());
    if magnitude_bits > MAX_VALUE_BITS {
        return Err(ToolError::new(
            "number_too_large",
            "the value has more than about 1,200 digits",
        )
        .with_field("value")
        .with_hint("unit conversion works on amounts up to about 1e1200; scale the value first"));
    }
    let from = parse_compound(&args.from, "from")?;
    let to = parse_compound(&args.to, "to")?;
    if from.dimension != to.dimension {
        return Err(ToolError::new(
            "incompatible_units",
            format!(
                "cannot convert {} ({}) to {} ({})",
                args.from.trim(),
                describe(&from.dimension),
                args.to.trim(),
                describe(&to.dimension)
            ),
        )
        .with_field("to")
        .with_hint("both units must measure the same quantity"));
    }
    let base = &args.value.0 * &from.factor + &from.offset;
    if from.absolute_temperature && base.is_negative() {
        return Err(ToolError::new("domain_error", format!("{} {} is below absolute zero", number::round_significant(&args.value.0, digits).text, args.from.trim()))
            .with_field("value")
            .with_hint("absolute zero is 0 K = -273.15 °C = -459.67 °F; temperature differences convert inside compound units such as °C/min"));
    }
    let value = (base - &to.offset) / &to.factor;
    let rounded = number::round_significant(&value, digits);
    Ok(Conversion {
        value: rounded.text,
        exact: rounded.exact,
        from: args.from.trim().to_owned(),
        to: args.to.trim().to_owned(),
        dimension: describe(&from.dimension),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(value: &str, from: &str, to: &str) -> Result<Conversion, ToolError> {
        convert(&ConvertArgs {
            value: Number(number::parse_number(value).expect(value)),
            from: from.to_owned(),
            to: to.to_owned(),
            precision: None,
        })
    }

    fn value(value: &str, from: &str, to: &str) -> String {
        run(value, from, to).expect(from).value
    }

    #[test]
    fn conversions() {
        assert_eq!(value("1", "in", "cm"), "2.54");
        assert_eq!(value("1", "mi", "km"), "1.609344");
        assert_eq!(
            value("100", "km/h", "m/s"),
            "27.77777777777777777777777777777777777778"
        );
        assert_eq!(value("36", "km/h", "m/s"), "10");
        assert_eq!(value("60", "mph", "km/h"), "96.56064");
        assert_eq!(value("1", "kWh", "J"), "3600000");
        assert_eq!(value("1", "KiB", "B"), "1024");
        assert_eq!(value("1", "GB", "MiB"), "953.67431640625");
        assert_eq!(value("8", "Mb", "MB"), "1");
        assert_eq!(
            value("1", "m^2", "ft²"),
            "10.76391041670972230833350555590000068889"
        );
        assert_eq!(value("1", "ha", "m2"), "10000");
        assert_eq!(value("1", "gal", "L"), "3.785411784");
        assert_eq!(value("1", "atm", "kPa"), "101.325");
        assert_eq!(value("1", "N·m", "J"), "1");
        assert_eq!(value("1", "kg*m/s^2", "N"), "1");
        assert_eq!(value("1", "d", "h"), "24");
    }

    #[test]
    fn temperatures_use_offsets() {
        assert_eq!(value("100", "°C", "°F"), "212");
        assert_eq!(value("32", "°F", "°C"), "0");
        assert_eq!(value("-40", "°C", "°F"), "-40");
        assert_eq!(value("0", "K", "°C"), "-273.15");
        assert_eq!(value("98.6", "degF", "celsius"), "37");
        assert_eq!(value("10", "°C/min", "K/h"), "600");
        assert_eq!(
            run("-500", "°C", "K").expect_err("cold").code(),
            "domain_error"
        );
        assert_eq!(
            run("-1", "K", "°C").expect_err("cold").code(),
            "domain_error"
        );
    }

    #[test]
    fn errors() {
        let e = run("1", "furlongz", "m").expect_err("unknown");
        assert_eq!(e.code(), "unknown_unit");
        assert_eq!(e.field(), Some("from"));
        let e = run("1", "kg", "m").expect_err("incompatible");
        assert_eq!(e.code(), "incompatible_units");
        assert!(
            e.message().contains("mass") && e.message().contains("length"),
            "{}",
            e.message()
        );
        let e = run("1", "mb", "B").expect_err("case");
        assert!(
            e.hint().is_some_and(|h| h.contains("case-sensitive")),
            "{:?}",
            e.hint()
        );
        assert_eq!(
            run("1", "m^x", "m").expect_err("power").code(),
            "unknown_unit"
        );
        assert_eq!(run("1", "", "m").expect_err("empty").code(), "unknown_unit");
        assert_eq!(
            run("1e99999", "ly", "nm").expect_err("huge").code(),
            "number_too_large"
        );
        assert_eq!(
            run("1", "km/h/s", "m/s^2").expect("accel").dimension,
            "length/time^2"
        );
    }
}
