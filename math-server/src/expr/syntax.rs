//! The syntax tree of an expression, and the names it may use.

use num_rational::BigRational;

/// A node and the character offset where it starts in the expression (for error positions).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) kind: NodeKind,
    pub(crate) position: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeKind {
    Number(BigRational),
    Constant(Constant),
    Variable(String),
    Negate(Box<Node>),
    /// A value followed by operations applied left to right: `1 + 2 - 3`, `5!!`, `a * b / c`.
    /// Kept flat (not as a left-nested tree) so that a long sum neither recurses deeply when
    /// evaluated nor when dropped.
    Chain(Box<Node>, Vec<Step>),
    Call(Function, Vec<Node>),
}

/// One operation of a [`NodeKind::Chain`], with the character offset of its operator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Step {
    pub(crate) operation: Operation,
    pub(crate) position: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operation {
    /// A binary operator and its right operand.
    Binary(BinaryOp, Node),
    /// Postfix `!`.
    Factorial,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    /// Floored remainder: the result has the sign of the divisor, as in Python.
    Remainder,
    Power,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Constant {
    Pi,
    E,
    Tau,
}

impl Constant {
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "pi" | "π" => Self::Pi,
            "e" => Self::E,
            "tau" | "τ" => Self::Tau,
            _ => return None,
        })
    }
}

/// How many arguments a function takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arity {
    Exactly(usize),
    Range(usize, usize),
    AtLeast(usize),
}

impl Arity {
    pub(crate) fn accepts(self, count: usize) -> bool {
        match self {
            Self::Exactly(n) => count == n,
            Self::Range(low, high) => (low..=high).contains(&count),
            Self::AtLeast(n) => count >= n,
        }
    }

    pub(crate) fn describe(self) -> String {
        match self {
            Self::Exactly(1) => "exactly 1 argument".to_owned(),
            Self::Exactly(n) => format!("exactly {n} arguments"),
            Self::Range(low, high) => format!("{low} or {high} arguments"),
            Self::AtLeast(n) => format!("at least {n} arguments"),
        }
    }
}

macro_rules! functions {
    ($($variant:ident => [$($name:literal),+], $arity:expr, $signature:literal;)*) => {
        /// A built-in function.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Function { $($variant,)* }

        impl Function {
            pub(crate) const ALL: &'static [Function] = &[$(Function::$variant,)*];

            pub(crate) fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($($name)|+ => Some(Self::$variant),)*
                    _ => None,
                }
            }

            pub(crate) fn arity(self) -> Arity {
                match self { $(Self::$variant => $arity,)* }
            }

            /// How the function is written, for error messages and docs.
            pub(crate) fn signature(self) -> &'static str {
                match self { $(Self::$variant => $signature,)* }
            }

            /// Every name the function answers to.
            pub(crate) fn names(self) -> &'static [&'static str] {
                match self { $(Self::$variant => &[$($name),+],)* }
            }
        }
    };
}

functions! {
    Sqrt => ["sqrt"], Arity::Exactly(1), "sqrt(x)";
    Cbrt => ["cbrt"], Arity::Exactly(1), "cbrt(x)";
    Abs => ["abs"], Arity::Exactly(1), "abs(x)";
    Exp => ["exp"], Arity::Exactly(1), "exp(x)";
    Ln => ["ln"], Arity::Exactly(1), "ln(x)";
    Log10 => ["log10"], Arity::Exactly(1), "log10(x)";
    Log2 => ["log2"], Arity::Exactly(1), "log2(x)";
    Log => ["log"], Arity::Exactly(2), "log(x, base)";
    Sin => ["sin"], Arity::Exactly(1), "sin(x)";
    Cos => ["cos"], Arity::Exactly(1), "cos(x)";
    Tan => ["tan"], Arity::Exactly(1), "tan(x)";
    Asin => ["asin", "arcsin"], Arity::Exactly(1), "asin(x)";
    Acos => ["acos", "arccos"], Arity::Exactly(1), "acos(x)";
    Atan => ["atan", "arctan"], Arity::Exactly(1), "atan(x)";
    Floor => ["floor"], Arity::Exactly(1), "floor(x)";
    Ceil => ["ceil"], Arity::Exactly(1), "ceil(x)";
    Round => ["round"], Arity::Range(1, 2), "round(x) or round(x, decimals)";
    Min => ["min"], Arity::AtLeast(1), "min(x, ...)";
    Max => ["max"], Arity::AtLeast(1), "max(x, ...)";
    Factorial => ["factorial"], Arity::Exactly(1), "factorial(n)";
    Gcd => ["gcd"], Arity::AtLeast(2), "gcd(a, b, ...)";
    Lcm => ["lcm"], Arity::AtLeast(2), "lcm(a, b, ...)";
}
