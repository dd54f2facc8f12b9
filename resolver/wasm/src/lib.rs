//! envknit's resolver: PEP 440 versions and specifiers, PEP 508 requirements and markers, and a
//! PubGrub solver, all std-only so the crate compiles to `wasm32-unknown-unknown` with no imports.
//!
//! The solver is sans-IO: it never fetches anything. The TypeScript driver (`resolver/mod.ts`)
//! answers its questions ("which versions of X?", "what does X==v require?") and may fetch ahead.
//! All calls cross the wasm boundary as JSON through [`abi`].

pub mod abi;
pub mod json;
pub mod pep440;
pub mod pep508;
pub mod pep_ops;
pub mod pubgrub;
pub mod ranges;
pub mod resolve;
pub mod solver_ops;
#[cfg(test)]
mod solver_wire_tests;
