//! Helpers shared by the search-server integration tests.

#![allow(dead_code, unreachable_pub)]

pub mod corpus;
pub mod fake;
