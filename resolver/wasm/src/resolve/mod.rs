//! The Python layer over the generic PubGrub core: PEP 440 versions, PEP 508 requirements and
//! markers, extras as virtual packages, `Requires-Python`, yanked versions, the pre-release policy,
//! lock preferences, and explanations that name all of these.
//!
//! Packages the solver sees ([`Pkg`]):
//! - `Root`: the user's requirements (one version);
//! - `Python`: never selected; the target Python version is a fact (`Python ∈ {target}`), and a
//!   version whose `Requires-Python` excludes the target depends on a Python range that misses it;
//! - `Base(a)`: a project;
//! - `Extra(a, x)`: `a[x]`, whose version `v` depends on `a==v` plus the requirements `extra == "x"`
//!   enables, so the extra is tied to the version of its base.
//!
//! Everything the layer knows about projects arrives through [`session::Session`], which is driven
//! over JSON by `solver_ops.rs`.

pub mod describe;
pub mod layer;
pub mod session;

#[cfg(test)]
mod tests;

/// A package as the solver sees it; names and extras are interned (see [`layer::Interner`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pkg {
    Root,
    Python,
    Base(u32),
    Extra(u32, u32),
}

/// Why a version set cannot be used, in the layer's words (the core's custom incompatibilities).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// `{Python ∉ {target}}`: the Python version being resolved for.
    TargetPython(String),
    /// No index has the project.
    NotFound,
    /// Yanked, and not pinned with `==`/`===` by the user.
    Yanked,
    /// A pre-release the policy does not allow.
    Prerelease,
    /// The provider's reason no file of the version can be installed on the target.
    Unavailable(String),
    /// The version's metadata could not be read.
    InvalidMetadata(String),
    /// Two requirements of the same package (or of the user) that no version satisfies together.
    Conflicting(String, String),
}

/// The pre-release policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prereleases {
    /// A project's pre-releases are used when one of the user's requirements on it names a
    /// pre-release, or when it has nothing but pre-releases.
    IfNecessaryOrExplicit,
    Allow,
    Disallow,
}
