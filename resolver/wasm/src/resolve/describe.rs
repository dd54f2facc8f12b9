//! Explanations in Python terms: version sets of a project are shown over the versions that exist
//! ("a>=2.0.0" rather than "a>=2.0.0, <2.0.1 | >2.0.1"), requirements as specifiers, and each
//! reason a version is unusable in words.

use super::layer::{count_in, Layer, Versions};
use super::{Pkg, Reason};
use crate::pep440::{display_ranges, Version};
use crate::pubgrub::{Describe, Term};
use crate::ranges::Ranges;
use std::ops::Bound::{Excluded, Included, Unbounded};

impl Layer {
    fn display_name(&self, p: &Pkg) -> String {
        match p {
            Pkg::Root => "your project".to_string(),
            Pkg::Python => "Python".to_string(),
            Pkg::Base(n) => self.names.name(*n).to_string(),
            Pkg::Extra(n, e) => format!("{}[{}]", self.names.name(*n), self.extras.name(*e)),
        }
    }

    fn project_of(p: &Pkg) -> Option<u32> {
        match p {
            Pkg::Base(n) | Pkg::Extra(n, _) => Some(*n),
            _ => None,
        }
    }

    /// Index runs `[lo, hi)` of the existing versions inside `set`.
    fn runs(&self, n: u32, set: &Ranges<Version>) -> Vec<(usize, usize)> {
        let c = self.candidates(n);
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for (s, e) in set.segments() {
            let lo = match s {
                Unbounded => 0,
                Included(v) => c.partition_point(|x| x.version < *v),
                Excluded(v) => c.partition_point(|x| x.version <= *v),
            };
            let hi = match e {
                Unbounded => c.len(),
                Included(v) => c.partition_point(|x| x.version <= *v),
                Excluded(v) => c.partition_point(|x| x.version < *v),
            };
            if hi > lo {
                match runs.last_mut() {
                    Some(last) if last.1 == lo => last.1 = hi,
                    _ => runs.push((lo, hi)),
                }
            }
        }
        runs
    }

    /// The versions of a package in `set`, over the versions that exist.
    fn versions_text(&self, p: &Pkg, set: &Ranges<Version>) -> String {
        let name = self.display_name(p);
        let n = match Layer::project_of(p) {
            Some(n) => n,
            None => return format!("{}{}", name, spec(set)),
        };
        let c = self.candidates(n);
        let runs = self.runs(n, set);
        if runs.is_empty() {
            return format!("{}{}", name, spec(set));
        }
        let parts: Vec<String> = runs
            .iter()
            .map(|&(lo, hi)| {
                let last = hi - 1;
                let text = if lo == last {
                    format!("=={}", c[lo].text)
                } else if lo == 0 && hi == c.len() {
                    String::new()
                } else if lo == 0 {
                    format!("<={}", c[last].text)
                } else if hi == c.len() {
                    format!(">={}", c[lo].text)
                } else {
                    format!(">={},<={}", c[lo].text, c[last].text)
                };
                format!("{}{}", name, text)
            })
            .collect();
        parts.join(" or ")
    }

    /// A subject that reads well before "is yanked", "has no usable wheel", …
    fn subject_for_fact(&self, p: &Pkg, set: &Ranges<Version>) -> String {
        if let Some(n) = Layer::project_of(p) {
            let total = self.candidates(n).len();
            if total > 1 && count_in(self.candidates(n), set) == total {
                return format!("every version of {}", self.display_name(p));
            }
        }
        self.versions_text(p, set)
    }
}

/// A version set as a specifier suffix (`>=1.0, <2.0`), nothing for every version.
fn spec(set: &Ranges<Version>) -> String {
    if set.is_full() {
        String::new()
    } else {
        display_ranges(set)
    }
}

impl Describe<Pkg, Version, Reason> for Layer {
    fn is_root(&self, p: &Pkg) -> bool {
        *p == Pkg::Root
    }

    fn name(&self, p: &Pkg) -> String {
        self.display_name(p)
    }

    fn subject(&self, p: &Pkg, set: &Ranges<Version>) -> String {
        self.versions_text(p, set)
    }

    fn requirement(&self, p: &Pkg, set: &Ranges<Version>) -> String {
        if let Some(text) = self.spec_texts.get(&(*p, set.clone())) {
            return format!("{}{}", self.display_name(p), text);
        }
        // A set the solver derived: shown over the versions that exist, when it holds some.
        if set.is_full() || self.covers_all(p, set) {
            return self.display_name(p);
        }
        match Layer::project_of(p) {
            Some(n) if !self.runs(n, set).is_empty() => self.versions_text(p, set),
            _ => format!("{}{}", self.display_name(p), spec(set)),
        }
    }

    fn covers_all(&self, p: &Pkg, set: &Ranges<Version>) -> bool {
        match Layer::project_of(p) {
            Some(n) if !self.candidates(n).is_empty() => {
                count_in(self.candidates(n), set) == self.candidates(n).len()
            }
            _ => set.is_full(),
        }
    }

    fn no_versions(&self, p: &Pkg, set: &Ranges<Version>) -> String {
        if let Some(n) = Layer::project_of(p) {
            if let Versions::Known(c) = &self.project(n).versions {
                if c.is_empty() {
                    return format!("{} has no versions", self.display_name(p));
                }
            }
        }
        if set.is_full() {
            format!("there is no version of {}", self.display_name(p))
        } else {
            format!("there is no version of {}", self.requirement(p, set))
        }
    }

    fn dependency(
        &self,
        p: &Pkg,
        set: &Ranges<Version>,
        q: &Pkg,
        range: &Ranges<Version>,
    ) -> String {
        let who = if *p == Pkg::Root {
            "you".to_string()
        } else if self.covers_all(p, set)
            && Layer::project_of(p).map_or(false, |n| count_in(self.candidates(n), set) > 1)
        {
            format!("every version of {}", self.display_name(p))
        } else {
            self.versions_text(p, set)
        };
        match (*p == Pkg::Root, *q == Pkg::Python) {
            (true, true) => format!("your project requires Python{}", spec(range)),
            (false, true) => format!("{} requires Python{}", who, spec(range)),
            (true, false) => format!("you require {}", self.requirement(q, range)),
            (false, false) => format!("{} depends on {}", who, self.requirement(q, range)),
        }
    }

    fn custom(&self, terms: &[(&Pkg, &Term<Version>)], reason: &Reason) -> String {
        let (p, set) = match terms.first() {
            Some((p, t)) => (**p, t.set().clone()),
            None => return "no solution is possible".to_string(),
        };
        let who = if p == Pkg::Root { "you".to_string() } else { self.subject_for_fact(&p, &set) };
        // "a==1.0 is yanked", but "a>=1.0,<=1.4 are yanked".
        let many = Layer::project_of(&p).map_or(false, |n| count_in(self.candidates(n), &set) > 1)
            && !who.starts_with("every version");
        let (is, has) = if many { ("are", "have") } else { ("is", "has") };
        match reason {
            Reason::TargetPython(t) => format!("the target Python version is {}", t),
            Reason::NotFound => format!("{} was not found in the package index", self.display_name(&p)),
            Reason::Yanked => {
                format!("{} {} yanked (a yanked version is used only when your requirements pin it with ==)", who, is)
            }
            Reason::Prerelease => format!(
                "{} {} {} (used only when a requirement of yours on {} names a pre-release, when it has only pre-releases, or when pre-releases are allowed)",
                who,
                is,
                if many { "pre-releases" } else { "a pre-release" },
                self.display_name(&p)
            ),
            Reason::Unavailable(why) => {
                if why.contains("wheels only") {
                    format!("{} {} no usable wheel ({})", who, has, why)
                } else {
                    format!("{} {} no usable wheel ({}; envknit installs wheels only)", who, has, why)
                }
            }
            Reason::InvalidMetadata(why) => format!("the metadata of {} is invalid ({})", who, why),
            Reason::Conflicting(a, b) => {
                let verb = if p == Pkg::Root { "require" } else { "depends on" };
                if a == b {
                    format!("{} {} {} (which no version satisfies)", who, verb, a)
                } else {
                    format!("{} {} both {} and {} (no version satisfies both)", who, verb, a, b)
                }
            }
        }
    }
}
