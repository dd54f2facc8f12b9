//! Terms: statements about one package, "a version in S is selected" (positive) or "no version in
//! S is selected" (negative, which also holds when the package is not selected at all).

use crate::ranges::Ranges;

/// A positive or negative statement about a package's selected version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term<V> {
    /// Some version in the set is selected.
    Pos(Ranges<V>),
    /// No version in the set is selected (the package may be absent).
    Neg(Ranges<V>),
}

/// How a set of assignments relates to a term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    Satisfied,
    Contradicted,
    Inconclusive,
}

impl<V: Ord + Clone> Term<V> {
    /// The term every selection satisfies (no constraint at all).
    pub fn any() -> Self {
        Term::Neg(Ranges::empty())
    }

    pub fn is_positive(&self) -> bool {
        matches!(self, Term::Pos(_))
    }

    /// The set of the term, whatever its sign.
    pub fn set(&self) -> &Ranges<V> {
        match self {
            Term::Pos(s) | Term::Neg(s) => s,
        }
    }

    /// Whether no selection satisfies it (only `Pos(∅)`: a negative term allows "absent").
    pub fn is_empty(&self) -> bool {
        matches!(self, Term::Pos(s) if s.is_empty())
    }

    /// Whether every selection satisfies it.
    pub fn is_any(&self) -> bool {
        matches!(self, Term::Neg(s) if s.is_empty())
    }

    pub fn negate(&self) -> Self {
        match self {
            Term::Pos(s) => Term::Neg(s.clone()),
            Term::Neg(s) => Term::Pos(s.clone()),
        }
    }

    pub fn intersection(&self, other: &Self) -> Self {
        match (self, other) {
            (Term::Pos(a), Term::Pos(b)) => Term::Pos(a.intersection(b)),
            (Term::Pos(a), Term::Neg(b)) | (Term::Neg(b), Term::Pos(a)) => {
                Term::Pos(a.intersection(&b.complement()))
            }
            (Term::Neg(a), Term::Neg(b)) => Term::Neg(a.union(b)),
        }
    }

    pub fn union(&self, other: &Self) -> Self {
        self.negate().intersection(&other.negate()).negate()
    }

    /// Whether every selection satisfying `self` satisfies `other`.
    pub fn subset_of(&self, other: &Self) -> bool {
        match (self, other) {
            (Term::Pos(a), Term::Pos(b)) => a.subset_of(b),
            (Term::Pos(a), Term::Neg(b)) => a.is_disjoint(b),
            // A negative term allows "not selected", which no positive term does.
            (Term::Neg(_), Term::Pos(_)) => false,
            (Term::Neg(a), Term::Neg(b)) => b.subset_of(a),
        }
    }

    /// Whether no selection satisfies both.
    pub fn is_disjoint(&self, other: &Self) -> bool {
        match (self, other) {
            (Term::Pos(a), Term::Pos(b)) => a.is_disjoint(b),
            (Term::Pos(a), Term::Neg(b)) | (Term::Neg(b), Term::Pos(a)) => a.subset_of(b),
            (Term::Neg(_), Term::Neg(_)) => false,
        }
    }

    /// How `self`, the intersection of a package's assignments, relates to `term`.
    pub fn relation_to(&self, term: &Self) -> Relation {
        if self.subset_of(term) {
            Relation::Satisfied
        } else if self.is_disjoint(term) {
            Relation::Contradicted
        } else {
            Relation::Inconclusive
        }
    }

    /// Whether version `v`, if selected, satisfies the term.
    pub fn contains(&self, v: &V) -> bool {
        match self {
            Term::Pos(s) => s.contains(v),
            Term::Neg(s) => !s.contains(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type T = Term<u32>;
    type R = Ranges<u32>;

    /// Membership model: versions 0..=10 plus `None` for "not selected".
    fn model(t: &T) -> Vec<bool> {
        let mut out: Vec<bool> = (0..=10u32).map(|v| t.contains(&v)).collect();
        out.push(!t.is_positive());
        out
    }

    fn samples() -> Vec<T> {
        let sets = [
            R::empty(),
            R::full(),
            R::singleton(3),
            R::between(2, 6),
            R::higher_than(5),
            R::lower_than(4),
        ];
        let mut out = Vec::new();
        for s in sets.iter() {
            out.push(T::Pos(s.clone()));
            out.push(T::Neg(s.clone()));
        }
        out
    }

    #[test]
    fn operations_match_the_selection_model() {
        for a in samples() {
            let ma = model(&a);
            assert_eq!(model(&a.negate()), ma.iter().map(|x| !x).collect::<Vec<_>>());
            for b in samples() {
                let mb = model(&b);
                let and: Vec<bool> = ma.iter().zip(&mb).map(|(x, y)| *x && *y).collect();
                let or: Vec<bool> = ma.iter().zip(&mb).map(|(x, y)| *x || *y).collect();
                assert_eq!(model(&a.intersection(&b)), and, "{:?} ∩ {:?}", a, b);
                assert_eq!(model(&a.union(&b)), or, "{:?} ∪ {:?}", a, b);
                let subset = ma.iter().zip(&mb).all(|(x, y)| !*x || *y);
                assert_eq!(a.subset_of(&b), subset, "{:?} ⊆ {:?}", a, b);
                assert_eq!(a.is_disjoint(&b), and.iter().all(|x| !x), "{:?} disjoint {:?}", a, b);
            }
        }
    }
}
