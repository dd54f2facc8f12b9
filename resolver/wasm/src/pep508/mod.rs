//! PEP 508: dependency specifiers (requirements) and environment markers, parsed and evaluated
//! exactly as Python's `packaging` 26 does, plus PEP 503 name normalization.
//!
//! ```ignore
//! let req: Requirement = "Foo[bar]>=1.0; python_version >= '3.8'".parse()?;
//! assert_eq!(req.name, "foo");
//! let env = MarkerEnvironment::from_json(&json)?;
//! let applies = req.marker.as_ref().map_or(true, |m| m.evaluate(&env, &[]));
//! ```

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
