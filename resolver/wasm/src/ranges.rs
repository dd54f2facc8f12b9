//! Sets of versions as sorted, disjoint intervals: the version sets PubGrub's terms are made of.
//!
//! Generic over any totally ordered `V` so the solver core can be tested with integers while the
//! resolver uses PEP 440 versions. The domain is treated as dense: `[1, 2)` and `[2, 3]` merge into
//! `[1, 3]`, while `[1, 2)` and `(2, 3]` stay apart because `2` itself is missing.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Bound::{self, Excluded, Included, Unbounded};

/// A set of versions: a union of non-empty, sorted, non-touching intervals.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Ranges<V> {
    segments: Vec<(Bound<V>, Bound<V>)>,
}

impl<V: Ord + Clone> Ranges<V> {
    /// The empty set.
    pub fn empty() -> Self {
        Ranges { segments: Vec::new() }
    }

    /// Every version.
    pub fn full() -> Self {
        Ranges { segments: vec![(Unbounded, Unbounded)] }
    }

    /// Exactly `v`.
    pub fn singleton(v: V) -> Self {
        Ranges { segments: vec![(Included(v.clone()), Included(v))] }
    }

    /// `>= v`.
    pub fn higher_than(v: V) -> Self {
        Ranges { segments: vec![(Included(v), Unbounded)] }
    }

    /// `> v`.
    pub fn strictly_higher_than(v: V) -> Self {
        Ranges { segments: vec![(Excluded(v), Unbounded)] }
    }

    /// `<= v`.
    pub fn lower_than(v: V) -> Self {
        Ranges { segments: vec![(Unbounded, Included(v))] }
    }

    /// `< v`.
    pub fn strictly_lower_than(v: V) -> Self {
        Ranges { segments: vec![(Unbounded, Excluded(v))] }
    }

    /// `>= low, < high` (empty when `high <= low`).
    pub fn between(low: V, high: V) -> Self {
        Self::from_segment(Included(low), Excluded(high))
    }

    /// The union of intervals given in order of their starts (overlapping or touching ones merge,
    /// empty ones are dropped): linear, for callers that produce intervals already sorted.
    pub fn from_sorted_segments(segments: impl IntoIterator<Item = (Bound<V>, Bound<V>)>) -> Self {
        let mut merged: Vec<(Bound<V>, Bound<V>)> = Vec::new();
        for (start, end) in segments {
            if !valid_segment(&start, &end) {
                continue;
            }
            if let Some(last) = merged.last_mut() {
                debug_assert!(
                    cmp_start(&last.0, &start) != Ordering::Greater,
                    "segments out of order"
                );
                if !gap_between(&last.1, &start) {
                    if cmp_end(&end, &last.1) == Ordering::Greater {
                        last.1 = end;
                    }
                    continue;
                }
            }
            merged.push((start, end));
        }
        Ranges { segments: merged }
    }

    /// The interval between two arbitrary bounds (empty when it holds nothing).
    pub fn from_segment(start: Bound<V>, end: Bound<V>) -> Self {
        if valid_segment(&start, &end) {
            Ranges { segments: vec![(start, end)] }
        } else {
            Self::empty()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    pub fn is_full(&self) -> bool {
        matches!(self.segments.as_slice(), [(Unbounded, Unbounded)])
    }

    /// The intervals, sorted.
    pub fn segments(&self) -> &[(Bound<V>, Bound<V>)] {
        &self.segments
    }

    /// The single version this set holds, if it holds exactly one.
    pub fn as_singleton(&self) -> Option<&V> {
        match self.segments.as_slice() {
            [(Included(a), Included(b))] if a == b => Some(a),
            _ => None,
        }
    }

    /// Whether `v` is in the set (binary search over the intervals).
    pub fn contains(&self, v: &V) -> bool {
        // First interval whose end is not below `v`; `v` is inside iff that interval starts at or
        // before it.
        let i = self.segments.partition_point(|(_, end)| match end {
            Unbounded => false,
            Included(e) => e < v,
            Excluded(e) => e <= v,
        });
        match self.segments.get(i) {
            None => false,
            Some((start, _)) => match start {
                Unbounded => true,
                Included(s) => s <= v,
                Excluded(s) => s < v,
            },
        }
    }

    /// Every version not in this set.
    pub fn complement(&self) -> Self {
        let mut out = Vec::with_capacity(self.segments.len() + 1);
        let mut gap_start: Option<Bound<V>> = Some(Unbounded);
        for (start, end) in &self.segments {
            if let Some(gs) = gap_start.take() {
                if let Some(ge) = flip(start) {
                    out.push((gs, ge));
                }
            }
            gap_start = flip(end);
        }
        if let Some(gs) = gap_start {
            out.push((gs, Unbounded));
        }
        Ranges { segments: out }
    }

    /// Versions in both sets.
    pub fn intersection(&self, other: &Self) -> Self {
        let (a, b) = (&self.segments, &other.segments);
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            let start = max_start(&a[i].0, &b[j].0);
            let end = min_end(&a[i].1, &b[j].1);
            if valid_segment(start, end) {
                out.push((start.clone(), end.clone()));
            }
            if cmp_end(&a[i].1, &b[j].1) == Ordering::Less {
                i += 1;
            } else {
                j += 1;
            }
        }
        Ranges { segments: out }
    }

    /// Versions in either set.
    pub fn union(&self, other: &Self) -> Self {
        let (a, b) = (&self.segments, &other.segments);
        let mut merged: Vec<(Bound<V>, Bound<V>)> = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            let next = if j >= b.len()
                || (i < a.len() && cmp_start(&a[i].0, &b[j].0) != Ordering::Greater)
            {
                i += 1;
                &a[i - 1]
            } else {
                j += 1;
                &b[j - 1]
            };
            match merged.last_mut() {
                Some(last) if !gap_between(&last.1, &next.0) => {
                    if cmp_end(&next.1, &last.1) == Ordering::Greater {
                        last.1 = next.1.clone();
                    }
                }
                _ => merged.push(next.clone()),
            }
        }
        Ranges { segments: merged }
    }

    /// Whether every version of `self` is in `other`.
    pub fn subset_of(&self, other: &Self) -> bool {
        self.intersection(other) == *self
    }

    /// Whether the sets share no version.
    pub fn is_disjoint(&self, other: &Self) -> bool {
        self.intersection(other).is_empty()
    }
}

/// The bound that starts a gap where an interval ends, or ends a gap where one starts.
fn flip<V: Clone>(b: &Bound<V>) -> Option<Bound<V>> {
    match b {
        Included(v) => Some(Excluded(v.clone())),
        Excluded(v) => Some(Included(v.clone())),
        Unbounded => None,
    }
}

fn valid_segment<V: Ord>(start: &Bound<V>, end: &Bound<V>) -> bool {
    match (start, end) {
        (Unbounded, _) | (_, Unbounded) => true,
        (Included(s), Included(e)) => s <= e,
        (Included(s), Excluded(e)) | (Excluded(s), Included(e)) | (Excluded(s), Excluded(e)) => {
            s < e
        }
    }
}

/// Orders interval starts: unbounded first; at one value `[v` comes before `(v`.
fn cmp_start<V: Ord>(a: &Bound<V>, b: &Bound<V>) -> Ordering {
    match (a, b) {
        (Unbounded, Unbounded) => Ordering::Equal,
        (Unbounded, _) => Ordering::Less,
        (_, Unbounded) => Ordering::Greater,
        (Included(x), Included(y)) | (Excluded(x), Excluded(y)) => x.cmp(y),
        (Included(x), Excluded(y)) => x.cmp(y).then(Ordering::Less),
        (Excluded(x), Included(y)) => x.cmp(y).then(Ordering::Greater),
    }
}

/// Orders interval ends: unbounded last; at one value `v)` comes before `v]`.
fn cmp_end<V: Ord>(a: &Bound<V>, b: &Bound<V>) -> Ordering {
    match (a, b) {
        (Unbounded, Unbounded) => Ordering::Equal,
        (Unbounded, _) => Ordering::Greater,
        (_, Unbounded) => Ordering::Less,
        (Included(x), Included(y)) | (Excluded(x), Excluded(y)) => x.cmp(y),
        (Included(x), Excluded(y)) => x.cmp(y).then(Ordering::Greater),
        (Excluded(x), Included(y)) => x.cmp(y).then(Ordering::Less),
    }
}

fn max_start<'a, V: Ord>(a: &'a Bound<V>, b: &'a Bound<V>) -> &'a Bound<V> {
    if cmp_start(a, b) == Ordering::Less {
        b
    } else {
        a
    }
}

fn min_end<'a, V: Ord>(a: &'a Bound<V>, b: &'a Bound<V>) -> &'a Bound<V> {
    if cmp_end(a, b) == Ordering::Greater {
        b
    } else {
        a
    }
}

/// Whether some version lies strictly between an interval ending at `end` and one starting at
/// `start` (given `start` does not come before the first interval's start).
fn gap_between<V: Ord>(end: &Bound<V>, start: &Bound<V>) -> bool {
    match (end, start) {
        (Unbounded, _) | (_, Unbounded) => false,
        (Included(e), Included(s)) | (Excluded(e), Included(s)) | (Included(e), Excluded(s)) => {
            e < s
        }
        (Excluded(e), Excluded(s)) => e <= s,
    }
}

impl<V: fmt::Display> fmt::Display for Ranges<V> {
    /// Writes the set as PEP 440-like specifiers: `>=1.0, <2.0 | ==3.0`, `*` for all, `∅` for none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return write!(f, "∅");
        }
        for (i, (start, end)) in self.segments.iter().enumerate() {
            if i > 0 {
                write!(f, " | ")?;
            }
            match (start, end) {
                (Unbounded, Unbounded) => write!(f, "*")?,
                (Included(a), Included(b)) if format!("{}", a) == format!("{}", b) => {
                    write!(f, "=={}", a)?
                }
                _ => {
                    let mut wrote = false;
                    match start {
                        Included(a) => {
                            write!(f, ">={}", a)?;
                            wrote = true;
                        }
                        Excluded(a) => {
                            write!(f, ">{}", a)?;
                            wrote = true;
                        }
                        Unbounded => {}
                    }
                    if wrote && !matches!(end, Unbounded) {
                        write!(f, ", ")?;
                    }
                    match end {
                        Included(b) => write!(f, "<={}", b)?,
                        Excluded(b) => write!(f, "<{}", b)?,
                        Unbounded => {}
                    }
                }
            }
        }
        Ok(())
    }
}

impl<V: fmt::Debug> fmt::Debug for Ranges<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.segments.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type R = Ranges<u32>;

    /// A small model of the set: which of 0..=20 (doubled, so half-steps stand for "between")
    /// it holds. Exhaustive enough to check every operation against plain boolean logic.
    fn members(r: &R) -> Vec<bool> {
        (0..=40u32).map(|x| contains_half(r, x)).collect()
    }

    /// Membership of the value x/2, using doubled versions so gaps between integers are visible.
    fn contains_half(r: &R, x: u32) -> bool {
        let doubled = Ranges {
            segments: r
                .segments
                .iter()
                .map(|(s, e)| (map_bound(s, |v| v * 2), map_bound(e, |v| v * 2)))
                .collect(),
        };
        doubled.contains(&x)
    }

    fn map_bound(b: &Bound<u32>, f: impl Fn(u32) -> u32) -> Bound<u32> {
        match b {
            Included(v) => Included(f(*v)),
            Excluded(v) => Excluded(f(*v)),
            Unbounded => Unbounded,
        }
    }

    /// A deterministic family of sets built from every operation.
    fn samples() -> Vec<R> {
        let mut out = vec![R::empty(), R::full()];
        for a in [0u32, 3, 5, 9] {
            out.push(R::singleton(a));
            out.push(R::higher_than(a));
            out.push(R::strictly_higher_than(a));
            out.push(R::lower_than(a));
            out.push(R::strictly_lower_than(a));
            for b in [2u32, 5, 7, 12] {
                out.push(R::between(a, b));
                out.push(R::from_segment(Excluded(a), Included(b)));
            }
        }
        let base = out.clone();
        for (i, x) in base.iter().enumerate().step_by(3) {
            for y in base.iter().skip(i % 5).step_by(7) {
                out.push(x.union(y));
                out.push(x.intersection(&y.complement()));
            }
        }
        out
    }

    fn well_formed(r: &R) -> bool {
        r.segments.iter().all(|(s, e)| valid_segment(s, e))
            && r.segments.windows(2).all(|w| {
                gap_between(&w[0].1, &w[1].0) && cmp_start(&w[0].0, &w[1].0) == Ordering::Less
            })
    }

    #[test]
    fn operations_match_set_logic() {
        let samples = samples();
        for a in &samples {
            assert!(well_formed(a), "{:?}", a);
            let ma = members(a);
            let c = a.complement();
            assert!(well_formed(&c), "complement of {:?} = {:?}", a, c);
            assert_eq!(
                members(&c),
                ma.iter().map(|x| !x).collect::<Vec<_>>(),
                "complement of {:?}",
                a
            );
            assert_eq!(c.complement(), *a);
            for b in samples.iter().step_by(5) {
                let mb = members(b);
                let i = a.intersection(b);
                let u = a.union(b);
                assert!(well_formed(&i) && well_formed(&u), "{:?} {:?}", a, b);
                assert_eq!(
                    members(&i),
                    ma.iter().zip(&mb).map(|(x, y)| *x && *y).collect::<Vec<_>>()
                );
                assert_eq!(
                    members(&u),
                    ma.iter().zip(&mb).map(|(x, y)| *x || *y).collect::<Vec<_>>()
                );
                // Canonical form: equal sets compare equal.
                assert_eq!(u, b.union(a));
                assert_eq!(i, b.intersection(a));
            }
        }
    }

    #[test]
    fn touching_intervals_merge_and_holes_stay() {
        let a = R::between(1, 2).union(&R::from_segment(Included(2), Included(3)));
        assert_eq!(a, R::from_segment(Included(1), Included(3)));
        let b = R::between(1, 2).union(&R::from_segment(Excluded(2), Included(3)));
        assert_eq!(b.segments().len(), 2);
        assert!(!b.contains(&2));
        assert_eq!(R::singleton(4).complement().complement(), R::singleton(4));
        assert_eq!(R::singleton(4).as_singleton(), Some(&4));
    }

    #[test]
    fn from_sorted_segments_matches_unions() {
        let samples = samples();
        for a in samples.iter().step_by(3) {
            for b in samples.iter().step_by(4) {
                let mut segs: Vec<(Bound<u32>, Bound<u32>)> =
                    a.segments().iter().chain(b.segments()).cloned().collect();
                segs.sort_by(|x, y| cmp_start(&x.0, &y.0));
                assert_eq!(R::from_sorted_segments(segs), a.union(b), "{:?} ∪ {:?}", a, b);
            }
        }
        assert_eq!(R::from_sorted_segments(vec![(Included(3), Excluded(3))]), R::empty());
    }

    #[test]
    fn display_reads_like_specifiers() {
        assert_eq!(R::between(1, 2).to_string(), ">=1, <2");
        assert_eq!(R::singleton(3).to_string(), "==3");
        assert_eq!(R::full().to_string(), "*");
        assert_eq!(R::empty().to_string(), "∅");
        assert_eq!(R::strictly_lower_than(1).union(&R::higher_than(3)).to_string(), "<1 | >=3");
    }
}
