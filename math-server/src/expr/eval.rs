//! Walks a syntax tree with an [`Arithmetic`]: the tree says what to compute, the arithmetic
//! says how (exact rationals, or IEEE doubles). Errors get the position of the node that
//! raised them.

use std::collections::BTreeMap;

use num_rational::BigRational;
use shared::ToolError;

use super::parser::unknown_name;
use super::syntax::{BinaryOp, Constant, Function, Node, NodeKind, Operation};
use crate::limits::Budget;

/// One way of doing arithmetic on expression values.
pub(crate) trait Arithmetic {
    type Value: Clone;
    fn number(&self, value: &BigRational) -> Result<Self::Value, ToolError>;
    fn constant(&self, constant: Constant) -> Result<Self::Value, ToolError>;
    fn negate(&self, value: Self::Value) -> Self::Value;
    fn binary(
        &self,
        op: BinaryOp,
        left: Self::Value,
        right: Self::Value,
    ) -> Result<Self::Value, ToolError>;
    fn call(
        &self,
        function: Function,
        arguments: Vec<Self::Value>,
    ) -> Result<Self::Value, ToolError>;
}

/// Evaluates `tree` with `variables` bound, within `budget`.
pub(crate) fn evaluate<A: Arithmetic>(
    arithmetic: &A,
    tree: &Node,
    variables: &BTreeMap<String, BigRational>,
    budget: &Budget,
) -> Result<A::Value, ToolError> {
    budget.check()?;
    let at = tree.position;
    let located = |error: ToolError| locate(error, at);
    match &tree.kind {
        NodeKind::Number(value) => arithmetic.number(value).map_err(located),
        NodeKind::Constant(constant) => arithmetic.constant(*constant).map_err(located),
        NodeKind::Variable(name) => match variables.get(name) {
            Some(value) => arithmetic.number(value).map_err(located),
            None => {
                let error = unknown_name(name, at, false);
                Err(if variables.is_empty() {
                    error
                } else {
                    let known = variables.keys().cloned().collect::<Vec<_>>().join(", ");
                    let hint = format!(
                        "{}; the variables given are: {known}",
                        error.hint().unwrap_or("pass its value in `variables`")
                    );
                    error.with_hint(hint)
                })
            }
        },
        NodeKind::Negate(operand) => {
            Ok(arithmetic.negate(evaluate(arithmetic, operand, variables, budget)?))
        }
        NodeKind::Chain(first, steps) => {
            let mut value = evaluate(arithmetic, first, variables, budget)?;
            for step in steps {
                budget.check()?;
                let located = |error: ToolError| locate(error, step.position);
                value = match &step.operation {
                    Operation::Binary(op, right) => {
                        let right = evaluate(arithmetic, right, variables, budget)?;
                        arithmetic.binary(*op, value, right).map_err(located)?
                    }
                    Operation::Factorial => arithmetic
                        .call(Function::Factorial, vec![value])
                        .map_err(located)?,
                };
            }
            Ok(value)
        }
        NodeKind::Call(function, arguments) => {
            let values = arguments
                .iter()
                .map(|argument| evaluate(arithmetic, argument, variables, budget))
                .collect::<Result<Vec<_>, _>>()?;
            arithmetic.call(*function, values).map_err(located)
        }
    }
}

/// Points an error at `position` in the expression, unless it already points somewhere.
fn locate(error: ToolError, position: usize) -> ToolError {
    if error.position().is_some() {
        error
    } else {
        error.with_field("expression").with_position(position)
    }
}

/// The error for a mathematically undefined operation.
pub(crate) fn domain_error(message: impl Into<String>, hint: &str) -> ToolError {
    ToolError::new("domain_error", message).with_hint(hint.to_owned())
}

/// The error for dividing by zero.
pub(crate) fn division_by_zero() -> ToolError {
    ToolError::new("division_by_zero", "division by zero")
        .with_hint("check the divisor; it evaluates to 0")
}
