//! A generic, sans-IO PubGrub version solver (after the algorithm described in dart-lang/pub's
//! `doc/solver.md`): packages `P` and versions `V` are opaque to it, version sets are
//! [`Ranges`](crate::ranges::Ranges), and all knowledge about packages comes from a [`Provider`]
//! that may answer "not yet" so the caller can fetch it. The Python specifics live in
//! `crate::resolve`.

mod partial;
pub mod report;
pub mod solver;
pub mod term;

#[cfg(test)]
mod tests;

/// Index of a package inside one solver.
pub type PkgId = u32;
/// Index of an incompatibility inside one solver.
pub type IncId = u32;

pub use report::{explain, Describe};
pub use solver::{
    Cause, Choice, Dependencies, Exclusion, Incompat, Provider, Solver, Stats, Step, View,
};
pub use term::Term;
