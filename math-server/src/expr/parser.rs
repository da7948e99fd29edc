//! Text to syntax tree: a tokenizer and a precedence-climbing (Pratt) parser.
//!
//! Precedence, loosest first: `+ -`, then `* / %`, then unary `-` and `+`, then `^` and `**`
//! (right-associative), then postfix `!`. So `-2^2 = -4`, `2^3^2 = 512`, `2^-1 = 0.5` and
//! `-3! = -6`. Implicit multiplication (`2pi`) is not accepted; the error says to write `*`.
//!
//! Every error names the character position where it was found and what was expected there.
//! Nesting deeper than [`limits::MAX_NESTING`] is refused before it can exhaust the stack.

use shared::ToolError;

use super::syntax::{BinaryOp, Constant, Function, Node, NodeKind, Operation, Step};
use crate::{limits, number};

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(String),
    Name(String),
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Caret,
    Bang,
    Comma,
    Open,
    Close,
    End,
    Invalid(char),
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Number(text) => format!("number `{text}`"),
            Token::Name(name) => format!("name `{name}`"),
            Token::End => "end of expression".to_owned(),
            Token::Invalid(c) => format!("character `{}`", c.escape_debug()),
            other => format!("`{}`", other.symbol()),
        }
    }

    fn symbol(&self) -> &'static str {
        match self {
            Token::Plus => "+",
            Token::Minus => "-",
            Token::Star => "*",
            Token::Slash => "/",
            Token::Percent => "%",
            Token::Caret => "^",
            Token::Bang => "!",
            Token::Comma => ",",
            Token::Open => "(",
            Token::Close => ")",
            _ => "",
        }
    }
}

/// Splits the expression into tokens with their character positions. Characters that start no
/// token become `Invalid` tokens, reported only if the parser reaches them.
fn tokenize(text: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        let start = at;
        if c.is_whitespace() {
            at += 1;
            continue;
        }
        let token = if c.is_ascii_digit()
            || (c == '.' && chars.get(at + 1).is_some_and(char::is_ascii_digit))
        {
            at = scan_number(&chars, at);
            Token::Number(chars[start..at].iter().collect())
        } else if c.is_alphabetic() || c == '_' {
            while at < chars.len() && (chars[at].is_alphanumeric() || chars[at] == '_') {
                at += 1;
            }
            Token::Name(chars[start..at].iter().collect())
        } else {
            at += 1;
            match c {
                '+' => Token::Plus,
                '-' | '\u{2212}' => Token::Minus,
                '*' if chars.get(at) == Some(&'*') => {
                    at += 1;
                    Token::Caret
                }
                '*' | '×' | '·' => Token::Star,
                '/' | '÷' => Token::Slash,
                '%' => Token::Percent,
                '^' => Token::Caret,
                '!' => Token::Bang,
                ',' => Token::Comma,
                '(' => Token::Open,
                ')' => Token::Close,
                other => Token::Invalid(other),
            }
        };
        tokens.push((token, start));
    }
    tokens.push((Token::End, chars.len()));
    tokens
}

/// Scans a number literal: digits with `_` separators, a fraction, an exponent, or a
/// `0x`/`0o`/`0b` integer. Anything odd is left in for [`number::parse_number`] to reject.
fn scan_number(chars: &[char], mut at: usize) -> usize {
    let radix_prefix =
        chars[at] == '0' && matches!(chars.get(at + 1), Some('x' | 'X' | 'o' | 'O' | 'b' | 'B'));
    if radix_prefix {
        at += 2;
        while at < chars.len() && (chars[at].is_ascii_alphanumeric() || chars[at] == '_') {
            at += 1;
        }
        return at;
    }
    while at < chars.len() && (chars[at].is_ascii_digit() || chars[at] == '_' || chars[at] == '.') {
        at += 1;
    }
    if at < chars.len() && matches!(chars[at], 'e' | 'E') {
        let mut next = at + 1;
        if next < chars.len() && matches!(chars[next], '+' | '-') {
            next += 1;
        }
        if next < chars.len() && chars[next].is_ascii_digit() {
            at = next;
            while at < chars.len() && chars[at].is_ascii_digit() {
                at += 1;
            }
        }
    }
    at
}

/// Parses an expression into a tree.
pub(crate) fn parse(text: &str) -> Result<Node, ToolError> {
    let length = text.chars().count();
    if length > limits::MAX_EXPRESSION_CHARS {
        return Err(syntax_error(
            "expression_too_long",
            format!(
                "the expression has {length} characters; the limit is {}",
                limits::MAX_EXPRESSION_CHARS
            ),
            0,
        )
        .with_hint(
            "split the computation into several calls, using `variables` to pass results on",
        ));
    }
    if text.trim().is_empty() {
        return Err(syntax_error("syntax_error", "the expression is empty", 0)
            .with_hint("write an expression such as `2^64 - 1` or `sqrt(2) * pi`"));
    }
    let mut parser = Parser {
        tokens: tokenize(text),
        next: 0,
        depth: 0,
    };
    let tree = parser.expression(0)?;
    match parser.peek() {
        (Token::End, _) => Ok(tree),
        (Token::Close, at) => Err(syntax_error("syntax_error", "unmatched `)`", at)
            .with_hint("remove it, or add the `(` it closes")),
        (token, at) => {
            let hint = match token {
                Token::Number(_) | Token::Name(_) | Token::Open => {
                    "write an operator between values; multiplication needs `*` (write `2*pi`, not `2pi`)"
                }
                _ => "remove the extra input, or complete the expression",
            };
            Err(syntax_error(
                "syntax_error",
                format!(
                    "expected an operator or the end of the expression, found {}",
                    token.describe()
                ),
                at,
            )
            .with_hint(hint))
        }
    }
}

fn syntax_error(code: &'static str, message: impl Into<String>, position: usize) -> ToolError {
    ToolError::new(code, message)
        .with_field("expression")
        .with_position(position)
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    next: usize,
    depth: usize,
}

/// Binding powers: (left, right). Right-associative operators bind less tightly on the right.
fn infix_power(token: &Token) -> Option<(u8, u8, BinaryOp)> {
    Some(match token {
        Token::Plus => (1, 2, BinaryOp::Add),
        Token::Minus => (1, 2, BinaryOp::Subtract),
        Token::Star => (3, 4, BinaryOp::Multiply),
        Token::Slash => (3, 4, BinaryOp::Divide),
        Token::Percent => (3, 4, BinaryOp::Remainder),
        Token::Caret => (8, 7, BinaryOp::Power),
        _ => return None,
    })
}
/// Unary minus binds tighter than `*` but looser than `^`.
const PREFIX_POWER: u8 = 5;
const POSTFIX_POWER: u8 = 9;

impl Parser {
    fn peek(&self) -> (Token, usize) {
        self.tokens[self.next.min(self.tokens.len() - 1)].clone()
    }

    fn advance(&mut self) -> (Token, usize) {
        let token = self.peek();
        if self.next < self.tokens.len() - 1 {
            self.next += 1;
        }
        token
    }

    fn descend(&mut self, at: usize) -> Result<(), ToolError> {
        self.depth += 1;
        if self.depth > limits::MAX_NESTING {
            return Err(syntax_error(
                "too_deeply_nested",
                format!(
                    "the expression nests deeper than {} levels",
                    limits::MAX_NESTING
                ),
                at,
            )
            .with_hint("simplify the expression or split it into several calls"));
        }
        Ok(())
    }

    fn expression(&mut self, min_power: u8) -> Result<Node, ToolError> {
        let (_, start) = self.peek();
        self.descend(start)?;
        let first = self.prefix()?;
        let mut steps = Vec::new();
        loop {
            let (token, at) = self.peek();
            let operation = if token == Token::Bang {
                if POSTFIX_POWER < min_power {
                    break;
                }
                self.advance();
                Operation::Factorial
            } else {
                let Some((left_power, right_power, op)) = infix_power(&token) else {
                    break;
                };
                if left_power < min_power {
                    break;
                }
                self.advance();
                Operation::Binary(op, self.expression(right_power)?)
            };
            steps.push(Step {
                operation,
                position: at,
            });
        }
        self.depth -= 1;
        Ok(if steps.is_empty() {
            first
        } else {
            Node {
                position: first.position,
                kind: NodeKind::Chain(Box::new(first), steps),
            }
        })
    }

    fn prefix(&mut self) -> Result<Node, ToolError> {
        let (token, at) = self.advance();
        match token {
            Token::Number(text) => {
                let value = number::parse_number(&text).map_err(|error| {
                    let message = error.message().to_owned();
                    ToolError::new(error.code().to_owned(), message)
                        .with_field("expression")
                        .with_position(at)
                        .with_hint(
                            error
                                .hint()
                                .unwrap_or("check the number's digits")
                                .to_owned(),
                        )
                })?;
                Ok(Node {
                    kind: NodeKind::Number(value),
                    position: at,
                })
            }
            Token::Minus => {
                let operand = self.expression(PREFIX_POWER)?;
                Ok(Node {
                    kind: NodeKind::Negate(Box::new(operand)),
                    position: at,
                })
            }
            Token::Plus => self.expression(PREFIX_POWER),
            Token::Open => {
                let inner = self.expression(0)?;
                self.expect_close(at)?;
                Ok(inner)
            }
            Token::Name(name) => self.name(name, at),
            Token::End => Err(syntax_error(
                "syntax_error",
                "the expression ends where a value was expected",
                at,
            )
            .with_hint("complete the expression: an operator needs a value on its right")),
            Token::Invalid(c) => Err(invalid_character(c, at)),
            other => Err(syntax_error(
                "syntax_error",
                format!(
                    "expected a number, a name or `(`, found {}",
                    other.describe()
                ),
                at,
            )
            .with_hint("an operator needs a value on each side")),
        }
    }

    fn name(&mut self, name: String, at: usize) -> Result<Node, ToolError> {
        let is_call = matches!(self.peek().0, Token::Open);
        if is_call {
            let Some(function) = Function::from_name(&name) else {
                return Err(unknown_name(&name, at, true));
            };
            self.advance();
            let arguments = self.arguments(at)?;
            if !function.arity().accepts(arguments.len()) {
                let mut error = syntax_error(
                    "wrong_argument_count",
                    format!(
                        "{} takes {}, but {} were given",
                        name,
                        function.arity().describe(),
                        arguments.len()
                    ),
                    at,
                )
                .with_hint(format!("write {}", function.signature()));
                if function == Function::Log && arguments.len() == 1 {
                    error = error
                        .with_hint("log needs a base: write log(x, base), or ln(x) or log10(x)");
                }
                return Err(error);
            }
            return Ok(Node {
                kind: NodeKind::Call(function, arguments),
                position: at,
            });
        }
        if let Some(constant) = Constant::from_name(&name) {
            return Ok(Node {
                kind: NodeKind::Constant(constant),
                position: at,
            });
        }
        if let Some(function) = Function::from_name(&name) {
            return Err(syntax_error(
                "syntax_error",
                format!("`{name}` is a function and needs arguments in parentheses"),
                at,
            )
            .with_hint(format!("write {}", function.signature())));
        }
        Ok(Node {
            kind: NodeKind::Variable(name),
            position: at,
        })
    }

    fn arguments(&mut self, open_at: usize) -> Result<Vec<Node>, ToolError> {
        let mut arguments = Vec::new();
        if self.peek().0 == Token::Close {
            self.advance();
            return Ok(arguments);
        }
        loop {
            arguments.push(self.expression(0)?);
            match self.advance() {
                (Token::Comma, _) => continue,
                (Token::Close, _) => return Ok(arguments),
                (Token::Invalid(c), at) => return Err(invalid_character(c, at)),
                (token, at) => {
                    return Err(syntax_error(
                        "syntax_error",
                        format!("expected `,` or `)` in the argument list opened at {open_at}, found {}", token.describe()),
                        at,
                    )
                    .with_hint("separate arguments with `,` and close the list with `)`"));
                }
            }
        }
    }

    fn expect_close(&mut self, open_at: usize) -> Result<(), ToolError> {
        match self.advance() {
            (Token::Close, _) => Ok(()),
            (Token::Invalid(c), at) => Err(invalid_character(c, at)),
            (token, at) => Err(syntax_error(
                "syntax_error",
                format!(
                    "expected `)` to close the `(` at {open_at}, found {}",
                    token.describe()
                ),
                at,
            )
            .with_hint("add the missing `)`")),
        }
    }
}

fn invalid_character(c: char, at: usize) -> ToolError {
    let hint = match c {
        '\'' | '"' => {
            "strings are not part of the expression language; use numbers, names and operators"
        }
        '[' | ']' | '{' | '}' => "use `(` and `)` for grouping",
        '=' => "the expression language has no assignments; pass values in `variables`",
        '.' => "attribute access is not part of the expression language",
        _ => "use digits, names, `+ - * / % ^ ! ( ) ,` and spaces",
    };
    syntax_error(
        "syntax_error",
        format!("unexpected character `{}`", c.escape_debug()),
        at,
    )
    .with_hint(hint)
}

/// The error for a name that is neither a function, a constant nor (at evaluation) a variable.
pub(crate) fn unknown_name(name: &str, at: usize, is_call: bool) -> ToolError {
    let mut candidates: Vec<&str> = Function::ALL
        .iter()
        .flat_map(|f| f.names().iter().copied())
        .collect();
    if !is_call {
        candidates.extend(["pi", "e", "tau"]);
    }
    let closest = candidates
        .iter()
        .map(|candidate| (strsim::levenshtein(name, candidate), *candidate))
        .filter(|(distance, _)| *distance <= 2)
        .min();
    let what = if is_call { "function" } else { "name" };
    let hint = match closest {
        Some((_, suggestion)) => format!("did you mean `{suggestion}`?"),
        None if is_call => format!(
            "known functions: {}",
            Function::ALL
                .iter()
                .map(|f| f.names()[0])
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => "constants are pi, e and tau; pass other values in `variables`".to_owned(),
    };
    syntax_error("unknown_name", format!("unknown {what} `{name}`"), at).with_hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> ToolError {
        parse(text).expect_err(text)
    }

    /// The tree as a fully parenthesized string.
    fn shape(text: &str) -> String {
        fn render(node: &Node) -> String {
            match &node.kind {
                NodeKind::Number(n) => n.to_string(),
                NodeKind::Constant(c) => format!("{c:?}"),
                NodeKind::Variable(name) => name.clone(),
                NodeKind::Negate(operand) => format!("(-{})", render(operand)),
                NodeKind::Call(f, arguments) => format!(
                    "{}({})",
                    f.names()[0],
                    arguments.iter().map(render).collect::<Vec<_>>().join(", ")
                ),
                NodeKind::Chain(first, steps) => {
                    steps
                        .iter()
                        .fold(render(first), |left, step| match &step.operation {
                            Operation::Binary(op, right) => {
                                format!("({left} {op:?} {})", render(right))
                            }
                            Operation::Factorial => format!("({left}!)"),
                        })
                }
            }
        }
        render(&parse(text).expect(text))
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(shape("-2^2"), "(-(2 Power 2))");
        assert_eq!(shape("2^3^2"), "(2 Power (3 Power 2))");
        assert_eq!(shape("2**3"), "(2 Power 3)");
        assert_eq!(shape("2^-1"), "(2 Power (-1))");
        assert_eq!(shape("1 - 2 - 3"), "((1 Subtract 2) Subtract 3)");
        assert_eq!(shape("1 + 2 * 3"), "(1 Add (2 Multiply 3))");
        assert_eq!(shape("-3!"), "(-(3!))");
        assert_eq!(shape("2^3!"), "(2 Power (3!))");
        assert_eq!(shape("5!!"), "((5!)!)");
    }

    #[test]
    fn long_chains_stay_flat() {
        let sum = vec!["1"; 4_999].join("+");
        let tree = parse(&sum).expect("sum");
        let NodeKind::Chain(_, steps) = tree.kind else {
            panic!("not a chain")
        };
        assert_eq!(steps.len(), 4_998);
        assert!(parse(&format!("3{}", "!".repeat(9_000))).is_ok());
    }

    #[test]
    fn errors_name_the_position_and_what_was_expected() {
        let e = error("1 +");
        assert_eq!((e.code(), e.position()), ("syntax_error", Some(3)));
        let e = error("(1 + 2");
        assert_eq!(e.position(), Some(6));
        assert!(e.message().contains("expected `)`"), "{}", e.message());
        let e = error("1 2");
        assert_eq!(e.position(), Some(2));
        assert!(e.hint().is_some_and(|h| h.contains("*")));
        let e = error("1)");
        assert!(e.message().contains("unmatched"));
        assert_eq!(error("sin()").code(), "wrong_argument_count");
        assert_eq!(error("sin(1,2)").code(), "wrong_argument_count");
        assert!(error("log(8)").hint().is_some_and(|h| h.contains("base")));
        assert_eq!(error("sqroot(4)").hint(), Some("did you mean `sqrt`?"));
        assert_eq!(error("sin").code(), "syntax_error");
        assert_eq!(error("").code(), "syntax_error");
        assert_eq!(error("   ").code(), "syntax_error");
    }

    #[test]
    fn code_is_not_an_expression() {
        for probe in [
            "__import__('os').system('id')",
            "().__class__.__bases__",
            "open('/etc/passwd')",
            "eval('1')",
            "x.y",
            "a[0]",
            "lambda: 1",
        ] {
            let e = error(probe);
            assert!(
                matches!(e.code(), "syntax_error" | "unknown_name"),
                "{probe}: {}",
                e.code()
            );
            assert!(e.position().is_some(), "{probe}");
        }
    }

    #[test]
    fn hostile_shapes_are_refused_quickly() {
        let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(error(&deep).code(), "expression_too_long");
        let deep = format!("{}1{}", "(".repeat(4_000), ")".repeat(4_000));
        assert_eq!(error(&deep).code(), "too_deeply_nested");
        let unary = format!("{}1", "-".repeat(5_000));
        assert_eq!(error(&unary).code(), "too_deeply_nested");
        let long = "1+".repeat(6_000);
        assert_eq!(error(&long).code(), "expression_too_long");
    }

    #[test]
    fn unicode_operators_are_accepted() {
        assert_eq!(
            shape("6 × 7 ÷ 2 − 1"),
            "(((6 Multiply 7) Divide 2) Subtract 1)"
        );
    }
}
