//! PEP 440: versions, version specifiers, and their conversion to [`Ranges`](crate::ranges::Ranges)
//! for the solver — all exactly as Python's `packaging` 26 computes them.
//!
//! ```text
//! let v: Version = "1.0rc1".parse()?;
//! let specs: VersionSpecifiers = ">=1.0a1, <2".parse()?;
//! assert!(specs.contains(&v, true));
//! let set = specs.to_ranges();           // Ranges<Version>, pre-releases included
//! assert_eq!(display_ranges(&set), ">=1.0a1, <2");
//! ```
//!
//! `resolver/pep_differential_test.ts` checks all of this against `packaging` on thousands of
//! generated cases. Where envknit knowingly differs:
//!
//! * Version numbers of more than 4300 digits are accepted; `packaging` fails on them with
//!   Python's integer-conversion limit (a `ValueError`, not `InvalidVersion`).
//! * `~=V` takes its prefix from the normal form of `V`. `packaging` takes it from the text as
//!   written, so odd spellings change the meaning there: `~=1.0.c1`, `~=1.0.rev1`, `~=1.0.RC1`
//!   keep `==1.0.*` (instead of `==1.*`) and `~=v1.0` matches nothing.
//! * `~=` with letters that match only through Unicode case folding (`~=1.0poſt1`) is refused;
//!   `packaging`'s regex accepts it and then fails with an `AssertionError` when it is used.
//! * [`VersionSpecifier::to_ranges`] of `===text` is the single version `text` spells (a set of
//!   versions cannot tell `1.0` from `1.0.0`); `contains` compares the text exactly.

pub mod chars;
pub mod num;
mod range;
mod specifier;
mod version;

pub use range::display_ranges;
pub(crate) use specifier::token_end as specifier_token_end;
pub use specifier::{Operator, VersionSpecifier, VersionSpecifiers};
pub(crate) use version::excerpt as version_excerpt;
pub use version::{LocalSegment, PreKind, Version};
