//! x
#![allow(missing_docs)]
pub mod expr;
pub mod limits;
pub mod number;
