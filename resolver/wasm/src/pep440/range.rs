//! Specifiers as interval sets ([`Ranges<Version>`]) for the solver, and a readable rendering.
//!
//! PEP 440's exclusive comparisons are not plain intervals of the version order: `<2.0` leaves
//! out `2.0rc1` (below `2.0`), `>1.0` leaves out `1.0.post1` and `1.0+local` (above `1.0`), and
//! `<=1.0` / `==1.0` take in `1.0+local`. The bounds that express this are either real versions
//! (`<2.0` ends before `2.0.dev0`, the first pre-release of `2.0`) or internal sentinel versions
//! that sort between real ones ("after every local version of `V`", "after every post-release
//! of `V`"). Sentinels are only ever bounds: upper bounds `Included`, lower bounds `Excluded`, a
//! convention every set operation keeps, so equal sets stay structurally equal.

use super::specifier::{Operator, VersionSpecifier};
use super::version::Version;
use crate::ranges::Ranges;
use std::ops::Bound::{self, Excluded, Included, Unbounded};

impl VersionSpecifier {
    /// The versions this specifier admits, pre-releases included: for every version `v`,
    /// `self.to_ranges().contains(&v) == self.contains(&v)`, except for `===text`, which becomes
    /// the single version `text` spells when `text` is in normal form (and nothing otherwise):
    /// a version set cannot tell `1.0` from `1.0.0`, which `===1.0` does.
    pub fn to_ranges(&self) -> Ranges<Version> {
        let sv = match self.version() {
            Some(sv) => sv.clone(),
            None => return Ranges::empty(),
        };
        let equal = || {
            if self.is_wildcard() {
                Ranges::between(sv.release_dev0(), sv.next_prefix_dev0(sv.release_len()))
            } else if sv.is_local() {
                Ranges::singleton(sv.clone())
            } else {
                Ranges::from_segment(Included(sv.clone()), Included(sv.after_locals()))
            }
        };
        match self.operator() {
            Operator::Equal => equal(),
            Operator::NotEqual => equal().complement(),
            Operator::LessThanEqual => Ranges::from_segment(Unbounded, Included(sv.after_locals())),
            Operator::GreaterThanEqual => Ranges::higher_than(sv),
            Operator::LessThan => {
                let bound = if sv.is_prerelease() { sv } else { sv.with_dev0() };
                if bound <= Version::smallest() {
                    Ranges::empty()
                } else {
                    Ranges::strictly_lower_than(bound)
                }
            }
            Operator::GreaterThan => {
                if sv.is_devrelease() {
                    Ranges::higher_than(sv.next_dev())
                } else if sv.is_postrelease() {
                    Ranges::higher_than(sv.next_post_dev0())
                } else {
                    Ranges::from_segment(Excluded(sv.after_posts()), Unbounded)
                }
            }
            Operator::Compatible => {
                let upper = sv.next_prefix_dev0(sv.release_len().saturating_sub(1));
                Ranges::between(sv, upper)
            }
            Operator::ArbitraryEqual => {
                if sv.to_string() == self.text().to_lowercase() {
                    Ranges::singleton(sv)
                } else {
                    Ranges::empty()
                }
            }
        }
    }
}

/// Renders a version set for people, in specifier syntax: `>=1.0, <2.0`, `==1.4.*`, `!=1.5`,
/// alternatives joined by ` | ` (`<1.0 | >=2.0`), `*` for every version and `∅` for none.
/// Internal sentinel bounds never show: "above every local version of 1.0" reads `>1.0`, "below
/// every pre-release of 2.0" reads `<2.0`. Two bounds have no exact specifier and read as the
/// nearest one: the lower bound that admits `1.0`'s post-releases (from `!=1.0`/`<=1.0`
/// complements) reads `>1.0`, and the upper bound that admits them (the complement of `>1.0`)
/// reads `<=1.0`.
pub fn display_ranges(ranges: &Ranges<Version>) -> String {
    let segs = ranges.segments();
    if segs.is_empty() {
        return "∅".to_string();
    }
    let mut groups: Vec<String> = Vec::new();
    let mut i = 0;
    while i < segs.len() {
        let mut j = i;
        let mut exclusions = Vec::new();
        while j + 1 < segs.len() {
            match exclusion_between(&segs[j].1, &segs[j + 1].0) {
                Some(text) => {
                    exclusions.push(text);
                    j += 1;
                }
                None => break,
            }
        }
        let (start, end) = (&segs[i].0, &segs[j].1);
        let special = if i == j { equality(start, end) } else { None };
        groups.push(match special {
            Some(text) => text,
            None => {
                let mut parts: Vec<String> = Vec::new();
                parts.extend(lower(start));
                parts.extend(exclusions);
                parts.extend(upper(end));
                if parts.is_empty() {
                    "*".to_string()
                } else {
                    parts.join(", ")
                }
            }
        });
        i = j + 1;
    }
    groups.join(" | ")
}

/// `P` when `v` is `P.dev0` for a release-only `P` (the start of `==P.*`).
fn wildcard_base(v: &Version) -> Option<Version> {
    if v.is_dev0() {
        let base = v.without_dev();
        if base.is_release_only() {
            return Some(base);
        }
    }
    None
}

/// A single-interval set with an equality spelling: `==V` or `==P.*`.
fn equality(start: &Bound<Version>, end: &Bound<Version>) -> Option<String> {
    match (start, end) {
        (Included(a), Included(b))
            if !a.is_sentinel() && (a == b || (b.is_after_locals() && b.base() == *a)) =>
        {
            Some(format!("=={}", a))
        }
        (Included(a), Excluded(b)) => {
            let base = wildcard_base(a)?;
            (*b == base.next_prefix_dev0(base.release_len())).then(|| format!("=={}.*", base))
        }
        _ => None,
    }
}

/// The `!=` clause for a gap holding one version (or one `.*` family) between two intervals.
fn exclusion_between(end: &Bound<Version>, start: &Bound<Version>) -> Option<String> {
    match (end, start) {
        (Excluded(a), Excluded(b))
            if !a.is_sentinel() && (a == b || (b.is_after_locals() && b.base() == *a)) =>
        {
            Some(format!("!={}", a))
        }
        (Excluded(a), Included(b)) => {
            let base = wildcard_base(a)?;
            (*b == base.next_prefix_dev0(base.release_len())).then(|| format!("!={}.*", base))
        }
        _ => None,
    }
}

fn lower(b: &Bound<Version>) -> Option<String> {
    match b {
        Unbounded => None,
        Included(v) if !v.is_sentinel() => Some(format!(">={}", v)),
        Included(v) | Excluded(v) => Some(format!(">{}", v.base())),
    }
}

fn upper(b: &Bound<Version>) -> Option<String> {
    match b {
        Unbounded => None,
        Excluded(v) if v.is_dev0() && !v.without_dev().is_prerelease() => {
            Some(format!("<{}", v.without_dev()))
        }
        Excluded(v) => Some(format!("<{}", v.base())),
        Included(v) => Some(format!("<={}", v.base())),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Version, VersionSpecifiers};
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap_or_else(|e| panic!("{}", e))
    }

    fn ranges(s: &str) -> Ranges<Version> {
        s.parse::<VersionSpecifiers>().unwrap_or_else(|e| panic!("{}", e)).to_ranges()
    }

    #[test]
    fn exclusive_comparisons_follow_pep_440() {
        let lt = ranges("<2.0");
        assert!(lt.contains(&v("1.9.post3")) && lt.contains(&v("2.0.dev0").public()) == false);
        assert!(
            !lt.contains(&v("2.0rc1"))
                && !lt.contains(&v("2.0.dev0+x"))
                && lt.contains(&v("1.99a1"))
        );
        let gt = ranges(">1.0");
        assert!(
            !gt.contains(&v("1.0.post1"))
                && !gt.contains(&v("1.0+local"))
                && !gt.contains(&v("1.0.post1+x"))
        );
        assert!(gt.contains(&v("1.0.1.dev0")) && gt.contains(&v("1.1")));
        let gt_post = ranges(">1.0.post1");
        assert!(!gt_post.contains(&v("1.0.post1+x")) && gt_post.contains(&v("1.0.post2.dev0")));
        let le = ranges("<=1.0");
        assert!(le.contains(&v("1.0+abc")) && !le.contains(&v("1.0.post0")));
        let eq = ranges("==1.0");
        assert!(
            eq.contains(&v("1.0.0+abc"))
                && !eq.contains(&v("1.0.post0"))
                && !eq.contains(&v("1.0a1"))
        );
        assert!(
            ranges("==1.0+abc").contains(&v("1.0+ABC")) && !ranges("==1.0+abc").contains(&v("1.0"))
        );
        assert!(
            ranges("<0").is_empty() && ranges("<0.dev0").is_empty() && !ranges("<0a0").is_empty()
        );
        let wild = ranges("==1.2.*");
        assert!(
            wild.contains(&v("1.2.dev0"))
                && wild.contains(&v("1.2.99.post1+x"))
                && !wild.contains(&v("1.3.dev0"))
        );
        let compat = ranges("~=1.4.5");
        assert!(
            compat.contains(&v("1.4.9"))
                && !compat.contains(&v("1.5.dev0"))
                && !compat.contains(&v("1.4.5rc1"))
        );
    }

    #[test]
    fn sets_built_from_specifiers_combine_exactly() {
        assert_eq!(ranges("!=1.0").complement(), ranges("==1.0"));
        assert!(ranges("<=1.0").union(&ranges("!=1.0")).is_full());
        assert!(ranges("<1.0").union(&ranges(">=1.0.dev0")).is_full());
        // `<1.0` and `>=1.0` both leave out the pre-releases of 1.0.
        let pre = ranges("<1.0").union(&ranges(">=1.0")).complement();
        assert!(
            pre.contains(&v("1.0rc1")) && pre.contains(&v("1.0.dev0")) && !pre.contains(&v("1.0"))
        );
        assert!(ranges("!=1.2.*").union(&ranges("==1.2.*")).is_full());
        // Between `<=1.0` and `>1.0` lie exactly the post-releases of 1.0.
        let posts = ranges("<=1.0").union(&ranges(">1.0")).complement();
        for yes in ["1.0.post0", "1.0.post0.dev0", "1.0.post7+local"] {
            assert!(posts.contains(&v(yes)), "{}", yes);
        }
        for no in ["1.0", "1.0+local", "1.0.1.dev0", "1.0rc1.post1"] {
            assert!(!posts.contains(&v(no)), "{}", no);
        }
        assert_eq!(ranges(">=1.0, <2.0"), ranges("<2.0,>=1.0.0"));
    }

    #[test]
    fn arbitrary_equality_becomes_the_version_it_spells() {
        // A set of versions holds 1.0 and 1.0.0 alike (they are equal); `contains` tells them apart.
        let set = ranges("===1.0");
        assert!(set.contains(&v("1.0")) && set.contains(&v("1.0.0")) && !set.contains(&v("1.0+x")));
        assert!(ranges("===1.0-1").is_empty(), "no version prints as '1.0-1'");
        assert!(ranges("===foo").is_empty());
        assert!(ranges("===1.0RC1").contains(&v("1.0rc1")));
    }

    #[test]
    fn renders_without_sentinels() {
        let cases = [
            (">=1.0, <2.0", ">=1.0, <2.0"),
            ("~=1.4", ">=1.4, <2"),
            ("==1.2.*", "==1.2.*"),
            ("!=1.2.*", "!=1.2.*"),
            ("==1.0", "==1.0"),
            ("!=1.0", "!=1.0"),
            (">=1.0,!=1.5,<2", ">=1.0, !=1.5, <2"),
            ("<=1.0", "<=1.0"),
            (">1.0", ">1.0"),
            (">1.0.dev1", ">=1.0.dev2"),
            ("<2.0a1", "<2.0a1"),
            ("==1.0+abc", "==1.0+abc"),
            ("!=1.0+abc", "!=1.0+abc"),
            ("", "*"),
            (">2,<1", "∅"),
        ];
        for (spec, shown) in cases {
            assert_eq!(display_ranges(&ranges(spec)), shown, "{}", spec);
        }
        assert_eq!(display_ranges(&ranges("<1.0").union(&ranges(">=2.0"))), "<1.0 | >=2.0");
    }
}
