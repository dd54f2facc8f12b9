//! PEP 440: versions, version specifiers, and their conversion to [`Ranges`](crate::ranges::Ranges)
//! for the solver — all exactly as Python's `packaging` 26 computes them.
//!
//! ```ignore
//! let v: Version = "1.0rc1".parse()?;
//! let specs: VersionSpecifiers = ">=1.0a1, <2".parse()?;
//! assert!(specs.contains(&v, true));
//! let set = specs.to_ranges();           // Ranges<Version>, pre-releases included
//! assert_eq!(display_ranges(&set), ">=1.0a1, <2");
//! ```

pub mod chars;
pub mod num;
mod range;
mod specifier;
mod version;

pub use range::display_ranges;
pub use specifier::{Operator, VersionSpecifier, VersionSpecifiers};
pub use version::{LocalSegment, PreKind, Version};
pub(crate) use specifier::token_end as specifier_token_end;
pub(crate) use version::excerpt as version_excerpt;
