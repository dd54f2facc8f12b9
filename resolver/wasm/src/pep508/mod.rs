//! PEP 508: dependency specifiers (requirements) and environment markers, parsed and evaluated
//! exactly as Python's `packaging` 26 does, plus PEP 503 name normalization.
//!
//! ```text
//! let req: Requirement = "Foo[bar]>=1.0; python_version >= '3.8'".parse()?;
//! assert_eq!(req.name, "foo");
//! let env = MarkerEnvironment::from_json(&json)?;
//! let applies = req.marker.as_ref().map_or(true, |m| m.evaluate(&env, &[]));
//! ```
//!
//! `resolver/pep_differential_test.ts` checks all of this against `packaging` on thousands of
//! generated cases. Where envknit knowingly differs:
//!
//! * Names compared with `extra` are normalized (PEP 685) at every level of a marker;
//!   `packaging` does it only outside parentheses, so there `(extra == "Foo_Bar")` never holds.
//! * The string form keeps the parentheses of a doubly parenthesized group inside a larger
//!   marker (`packaging` prints `((a or b)) and c` as `a or b and c`, another marker) and puts a
//!   value holding `"` (and no `'`) in single quotes (`packaging` garbles it).
//! * Several extras can be requested at once: `extra == "x"` holds when any is `x`, `extra !=
//!   "x"` when none is (`packaging` evaluates one extra at a time; with zero or one they agree).
//! * In quoted strings, `\N{name}` escapes and escapes of lone surrogates are refused (no Unicode
//!   name table; Rust strings hold no surrogates).
//! * Markers nest at most [`MAX_MARKER_DEPTH`] parentheses deep (`packaging`: until Python's
//!   recursion limit, about 490).
//! * [`MarkerTree::evaluate`] answers `false` where `packaging` raises (e.g. `os_name ~= "x"`);
//!   [`MarkerTree::try_evaluate`] returns the error.

mod cursor;
mod environment;
#[cfg(test)]
mod fuzz_tests;
mod marker;
mod name;
mod pystr;
mod requirement;

pub use environment::{MarkerEnvironment, MARKER_VARIABLES};
pub use marker::{MarkerItem, MarkerOp, MarkerTree, MarkerValue, MAX_MARKER_DEPTH};
pub use name::{normalize_name, validate_name};
pub use requirement::Requirement;
