//! The partial solution: the ordered assignments (decisions and derivations) made so far, indexed
//! per package with the running intersection of that package's terms, so satisfiers are found by
//! binary search and backtracking pops in O(assignments removed).

use super::term::{Relation, Term};
use super::{IncId, PkgId};

/// One assignment of a package, with the intersection of all its assignments up to here.
pub(crate) struct Record<V> {
    /// Position in the global history.
    pub idx: u32,
    pub level: u32,
    /// The assignment's own term (`Pos({v})` for a decision).
    pub own: Term<V>,
    /// Intersection of this package's assignments up to and including this one.
    pub acc: Term<V>,
    /// The incompatibility a derivation came from; `None` for a decision.
    pub cause: Option<IncId>,
}

pub(crate) struct PackageState<V> {
    pub records: Vec<Record<V>>,
    pub decided: Option<V>,
}

pub(crate) struct Partial<V> {
    pub pkgs: Vec<PackageState<V>>,
    /// Package and decision level of each assignment, in order.
    pub history: Vec<(PkgId, u32)>,
    pub level: u32,
    any: Term<V>,
}

impl<V: Ord + Clone> Partial<V> {
    pub fn new() -> Self {
        Partial { pkgs: Vec::new(), history: Vec::new(), level: 0, any: Term::any() }
    }

    pub fn add_package(&mut self) {
        self.pkgs.push(PackageState { records: Vec::new(), decided: None });
    }

    /// The intersection of every assignment of `p` (`any` when it has none).
    pub fn acc(&self, p: PkgId) -> &Term<V> {
        self.pkgs[p as usize].records.last().map_or(&self.any, |r| &r.acc)
    }

    pub fn decided(&self, p: PkgId) -> Option<&V> {
        self.pkgs[p as usize].decided.as_ref()
    }

    pub fn decide(&mut self, p: PkgId, v: V) {
        self.level += 1;
        let own = Term::Pos(crate::ranges::Ranges::singleton(v.clone()));
        self.push(p, own, None);
        self.pkgs[p as usize].decided = Some(v);
    }

    pub fn derive(&mut self, p: PkgId, term: Term<V>, cause: IncId) {
        self.push(p, term, Some(cause));
    }

    fn push(&mut self, p: PkgId, own: Term<V>, cause: Option<IncId>) {
        let acc = self.acc(p).intersection(&own);
        let idx = self.history.len() as u32;
        self.history.push((p, self.level));
        self.pkgs[p as usize].records.push(Record { idx, level: self.level, own, acc, cause });
    }

    /// Removes every assignment above `level`; calls `touched` for each package that lost one.
    pub fn backtrack(&mut self, level: u32, mut touched: impl FnMut(PkgId)) {
        while let Some(&(p, l)) = self.history.last() {
            if l <= level {
                break;
            }
            self.history.pop();
            let state = &mut self.pkgs[p as usize];
            if let Some(r) = state.records.pop() {
                if r.cause.is_none() {
                    state.decided = None;
                }
            }
            touched(p);
        }
        self.level = level;
    }

    /// How the assignments of `p` relate to `term`.
    pub fn relation(&self, p: PkgId, term: &Term<V>) -> Relation {
        match self.pkgs[p as usize].records.last() {
            Some(r) => r.acc.relation_to(term),
            None if term.is_any() => Relation::Satisfied,
            None if term.is_empty() => Relation::Contradicted,
            None => Relation::Inconclusive,
        }
    }

    /// The first record of `p` whose running intersection (intersected with `extra`) lies within
    /// `term`: `Some(None)` when even no assignment at all does, `None` when none does.
    pub fn earliest_satisfying(
        &self,
        p: PkgId,
        term: &Term<V>,
        extra: Option<&Term<V>>,
        below: usize,
    ) -> Option<Option<usize>> {
        let records = &self.pkgs[p as usize].records;
        let sat = |t: &Term<V>| match extra {
            Some(e) => t.intersection(e).subset_of(term),
            None => t.subset_of(term),
        };
        if sat(&self.any) {
            return Some(None);
        }
        // Satisfaction is monotone along the records (intersections only shrink).
        let (mut lo, mut hi) = (0usize, below.min(records.len()));
        if hi == 0 || !sat(&records[hi - 1].acc) {
            return None;
        }
        while lo < hi {
            let mid = (lo + hi) / 2;
            if sat(&records[mid].acc) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        Some(Some(lo))
    }
}
