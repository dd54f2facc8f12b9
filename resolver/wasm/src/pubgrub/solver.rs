//! The PubGrub state machine (unit propagation, conflict resolution with learning, decision
//! making), driven step by step: whenever the [`Provider`] lacks data it says what it needs, and
//! [`Solver::step`] returns those needs instead of blocking. Calling `step` again after the data has
//! arrived resumes exactly where it stopped.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::Hash;

use super::partial::Partial;
use super::term::{Relation, Term};
use super::{IncId, PkgId};
use crate::ranges::Ranges;

/// Where an incompatibility comes from.
#[derive(Clone, Debug)]
pub enum Cause<M> {
    /// `{not root==v}`: the root must be selected.
    NotRoot,
    /// `{p ∈ S}`: no version of `p` in `S` exists.
    NoVersions,
    /// `{p ∈ S, not q ∈ R}`: every version of `p` in `S` depends on `q ∈ R`.
    Dependency,
    /// A fact the provider states, with its reason (e.g. "yanked", "no usable wheel").
    Custom(M),
    /// Learned from two incompatibilities during conflict resolution.
    Derived(IncId, IncId),
}

/// A set of terms that must not all hold at once.
#[derive(Clone, Debug)]
pub struct Incompat<V, M> {
    pub terms: Vec<(PkgId, Term<V>)>,
    pub cause: Cause<M>,
}

impl<V, M> Incompat<V, M> {
    pub fn get(&self, p: PkgId) -> Option<&Term<V>> {
        self.terms.iter().find(|(q, _)| *q == p).map(|(_, t)| t)
    }
}

/// What the provider can see of the partial solution while choosing a version.
pub trait View<P, V> {
    /// The version decided for `p`, if any.
    fn decided(&self, p: &P) -> Option<&V>;
    /// The versions `p` is currently restricted to, when it is required (a positive term).
    fn required_range(&self, p: &P) -> Option<&Ranges<V>>;
}

/// A version set the provider rules out while choosing, and why.
pub enum Exclusion<P, V, M> {
    /// `{p ∈ set}` with the provider's reason.
    Unavailable(Ranges<V>, M),
    /// `{p ∈ set, not dep ∈ range}`: those versions need `dep` in `range` (e.g. a Python version).
    Requires(Ranges<V>, P, Ranges<V>),
}

/// The provider's answer to "pick a version of p within range".
pub struct Choice<P, V, M> {
    /// Versions in the range that must never be picked; the solver records them and asks again.
    pub excluded: Vec<Exclusion<P, V, M>>,
    /// The version to try, or `None` when no version in the range exists.
    pub version: Option<V>,
}

/// The dependencies of one package version.
pub enum Dependencies<P, V, M> {
    Known(Vec<(P, Ranges<V>)>),
    /// The version cannot be used at all (e.g. its metadata is broken).
    Unavailable(M),
}

/// The source of package data. Every method may answer `Err(need)` when it lacks data: the solver
/// then returns the needs from [`Solver::step`] and asks again on the next call.
pub trait Provider<P, V, M> {
    /// Higher goes first.
    type Priority: Ord + Clone;
    type Need;
    fn prioritize(
        &mut self,
        p: &P,
        range: &Ranges<V>,
        view: &dyn View<P, V>,
    ) -> Result<Self::Priority, Self::Need>;
    fn choose_version(
        &mut self,
        p: &P,
        range: &Ranges<V>,
        view: &dyn View<P, V>,
    ) -> Result<Choice<P, V, M>, Self::Need>;
    fn dependencies(&mut self, p: &P, v: &V) -> Result<Dependencies<P, V, M>, Self::Need>;
    /// A set equivalent to `set` over the versions of `p` that exist (a superset adding only
    /// versions that do not exist), in a canonical form, when the provider knows them all. Sets
    /// aligned this way stay small: ruling out `a==1.1`, `a==1.2` and `a==1.3` one by one
    /// makes one interval rather than three holes, which keeps long backtracking linear.
    fn canonical(&self, _p: &P, _set: &Ranges<V>) -> Option<Ranges<V>> {
        None
    }
    /// Whether some version of `p` in `set` exists, when the provider already knows. The solver
    /// uses it to rule out a version whose dependency cannot be met before deciding it, rather
    /// than deciding, failing, and jumping back over unrelated decisions.
    fn any_version_in(&self, _p: &P, _set: &Ranges<V>) -> Option<bool> {
        None
    }
}

/// The result of one [`Solver::step`].
pub enum Step<P, V, N> {
    /// The provider needs these before the solver can go on.
    Need(Vec<N>),
    /// A solution: every selected package and its version, root included.
    Done(Vec<(P, V)>),
    /// No solution; the incompatibility proving it (see [`super::report`]).
    Failed(IncId),
}

/// Counters for benchmarks and tests.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub decisions: u64,
    pub conflicts: u64,
    pub propagations: u64,
    pub incompatibilities: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Propagate(PkgId),
    Decide,
    Done,
    Failed(IncId),
}

/// How many conflicts make a package "conflicting": it is then decided before the others, and the
/// solver jumps back once to before the decision it kept conflicting with.
pub const CONFLICT_THRESHOLD: u32 = 5;

type HeapEntry<Pr> = (bool, Pr, Reverse<PkgId>, u32);

/// A PubGrub solver for packages `P` with versions `V` and custom reasons `M`, for a provider
/// whose priority type is `Pr`.
pub struct Solver<P, V, M, Pr: Ord> {
    packages: Vec<P>,
    ids: HashMap<P, PkgId>,
    root: PkgId,
    root_version: V,
    incompats: Vec<Incompat<V, M>>,
    /// Incompatibilities mentioning each package, oldest first (superseded ones are skipped).
    by_pkg: Vec<Vec<IncId>>,
    superseded: Vec<bool>,
    /// Dependency incompatibilities per (depender, dependency), for merging adjacent versions.
    dep_index: HashMap<(PkgId, PkgId), Vec<IncId>>,
    /// Single-package facts by package and version set, so repeated ones are not stored twice.
    custom_index: HashMap<(PkgId, Ranges<V>), IncId>,
    partial: Partial<V>,
    heap: BinaryHeap<HeapEntry<Pr>>,
    generation: Vec<u32>,
    dirty: Vec<PkgId>,
    is_dirty: Vec<bool>,
    /// Whether a package waits in the current unit propagation's queue.
    queued: Vec<bool>,
    affected: Vec<u32>,
    boosted: Vec<bool>,
    state: State,
    /// The package picked for a decision and, once chosen, its version: kept while data is missing.
    pending: Option<(PkgId, Option<V>)>,
    /// Packages of facts added before solving, propagated with the root on the first step.
    seeds: Vec<PkgId>,
    stats: Stats,
}

impl<P: Clone + Eq + Hash, V: Ord + Clone + Hash, M: Clone, Pr: Ord + Clone> Solver<P, V, M, Pr> {
    /// A solver that must select `root` at `root_version`.
    pub fn new(root: P, root_version: V) -> Self {
        let mut s = Solver {
            packages: Vec::new(),
            ids: HashMap::new(),
            root: 0,
            root_version: root_version.clone(),
            incompats: Vec::new(),
            by_pkg: Vec::new(),
            superseded: Vec::new(),
            dep_index: HashMap::new(),
            custom_index: HashMap::new(),
            partial: Partial::new(),
            heap: BinaryHeap::new(),
            generation: Vec::new(),
            dirty: Vec::new(),
            is_dirty: Vec::new(),
            queued: Vec::new(),
            affected: Vec::new(),
            boosted: Vec::new(),
            state: State::Propagate(0),
            pending: None,
            seeds: Vec::new(),
            stats: Stats::default(),
        };
        s.root = s.intern(root);
        let not_root = Term::Neg(Ranges::singleton(root_version));
        s.add_incompat(vec![(s.root, not_root)], Cause::NotRoot);
        s
    }

    /// Adds a fact before solving starts (e.g. "the target Python is 3.12"): `{p ∈ set}` never holds.
    pub fn add_fact(&mut self, p: P, term: Term<V>, reason: M) -> IncId {
        let id = self.intern(p);
        self.seeds.push(id);
        self.add_incompat(vec![(id, term)], Cause::Custom(reason))
    }

    /// The id of a package, registering it on first sight.
    pub fn intern(&mut self, p: P) -> PkgId {
        if let Some(&id) = self.ids.get(&p) {
            return id;
        }
        let id = self.packages.len() as PkgId;
        self.ids.insert(p.clone(), id);
        self.packages.push(p);
        self.by_pkg.push(Vec::new());
        self.partial.add_package();
        self.generation.push(0);
        self.is_dirty.push(false);
        self.queued.push(false);
        self.affected.push(0);
        self.boosted.push(false);
        id
    }

    pub fn package(&self, id: PkgId) -> &P {
        &self.packages[id as usize]
    }

    pub fn root(&self) -> PkgId {
        self.root
    }

    pub fn incompat(&self, id: IncId) -> &Incompat<V, M> {
        &self.incompats[id as usize]
    }

    pub fn stats(&self) -> Stats {
        let mut s = self.stats;
        s.incompatibilities = self.incompats.len() as u64;
        s
    }

    /// How often each package has been the one that had to give way in a conflict.
    pub fn conflict_count(&self, p: &P) -> u32 {
        self.ids.get(p).map_or(0, |&id| self.affected[id as usize])
    }

    fn add_incompat(&mut self, terms: Vec<(PkgId, Term<V>)>, cause: Cause<M>) -> IncId {
        let id = self.store(terms, cause);
        self.index(id);
        id
    }

    /// Stores an incompatibility without making it visible to propagation.
    fn store(&mut self, terms: Vec<(PkgId, Term<V>)>, cause: Cause<M>) -> IncId {
        let id = self.incompats.len() as IncId;
        self.incompats.push(Incompat { terms, cause });
        self.superseded.push(false);
        id
    }

    fn index(&mut self, id: IncId) {
        for i in 0..self.incompats[id as usize].terms.len() {
            let p = self.incompats[id as usize].terms[i].0;
            self.by_pkg[p as usize].push(id);
        }
    }

    fn mark_dirty(&mut self, p: PkgId) {
        if !self.is_dirty[p as usize] {
            self.is_dirty[p as usize] = true;
            self.dirty.push(p);
        }
    }

    /// Runs until the provider needs data, a solution is found, or failure is proven.
    pub fn step<Pv: Provider<P, V, M, Priority = Pr>>(
        &mut self,
        provider: &mut Pv,
    ) -> Step<P, V, Pv::Need> {
        loop {
            match self.state {
                State::Done => return Step::Done(self.solution()),
                State::Failed(id) => return Step::Failed(id),
                State::Propagate(p) => {
                    self.state = match self.propagate(p) {
                        Ok(()) => State::Decide,
                        Err(root_cause) => State::Failed(root_cause),
                    };
                }
                State::Decide => {
                    if let Err(needs) = self.decide(provider) {
                        return Step::Need(needs);
                    }
                }
            }
        }
    }

    fn solution(&self) -> Vec<(P, V)> {
        let mut out = Vec::new();
        for (i, state) in self.partial.pkgs.iter().enumerate() {
            if let Some(v) = &state.decided {
                out.push((self.packages[i].clone(), v.clone()));
            }
        }
        out
    }

    /// Unit propagation from `start` (pub's algorithm). `Err` carries the terminal incompatibility.
    fn propagate(&mut self, start: PkgId) -> Result<(), IncId> {
        let mut changed = std::mem::take(&mut self.seeds);
        changed.push(start);
        // Membership flags keep "add if absent" constant-time however many packages change.
        for p in &changed {
            self.queued[*p as usize] = true;
        }
        while let Some(p) = changed.pop() {
            self.queued[p as usize] = false;
            self.stats.propagations += 1;
            // Newest first: learned incompatibilities are the most general.
            let mut i = self.by_pkg[p as usize].len();
            while i > 0 {
                i -= 1;
                let id = self.by_pkg[p as usize][i];
                if self.superseded[id as usize] {
                    continue;
                }
                match self.relation(id) {
                    Rel::Satisfied => {
                        let learned = match self.resolve_conflict(id) {
                            Ok(l) => l,
                            Err(root_cause) => {
                                for q in changed.drain(..) {
                                    self.queued[q as usize] = false;
                                }
                                return Err(root_cause);
                            }
                        };
                        for q in changed.drain(..) {
                            self.queued[q as usize] = false;
                        }
                        match self.relation(learned) {
                            Rel::Almost(k) => {
                                let (q, t) = self.incompats[learned as usize].terms[k].clone();
                                self.derive(q, t.negate(), learned);
                                changed.push(q);
                                self.queued[q as usize] = true;
                            }
                            // Only after the extra jump back of a conflicting package.
                            _ => {
                                for k in 0..self.incompats[learned as usize].terms.len() {
                                    let q = self.incompats[learned as usize].terms[k].0;
                                    if !self.queued[q as usize] {
                                        self.queued[q as usize] = true;
                                        changed.push(q);
                                    }
                                }
                            }
                        }
                        break;
                    }
                    Rel::Almost(k) => {
                        let (q, t) = self.incompats[id as usize].terms[k].clone();
                        self.derive(q, t.negate(), id);
                        if !self.queued[q as usize] {
                            self.queued[q as usize] = true;
                            changed.push(q);
                        }
                    }
                    Rel::Other => {}
                }
            }
        }
        Ok(())
    }

    fn derive(&mut self, p: PkgId, term: Term<V>, cause: IncId) {
        self.partial.derive(p, term, cause);
        self.mark_dirty(p);
    }

    fn relation(&self, id: IncId) -> Rel {
        let mut unsatisfied = None;
        for (k, (p, t)) in self.incompats[id as usize].terms.iter().enumerate() {
            match self.partial.relation(*p, t) {
                Relation::Satisfied => {}
                Relation::Contradicted => return Rel::Other,
                Relation::Inconclusive => {
                    if unsatisfied.is_some() {
                        return Rel::Other;
                    }
                    unsatisfied = Some(k);
                }
            }
        }
        match unsatisfied {
            None => Rel::Satisfied,
            Some(k) => Rel::Almost(k),
        }
    }

    fn is_terminal(&self, id: IncId) -> bool {
        let mut terms = self.incompats[id as usize].terms.iter().filter(|(_, t)| !t.is_any());
        match (terms.next(), terms.next()) {
            (None, _) => true,
            (Some((p, Term::Pos(s))), None) => *p == self.root && s.contains(&self.root_version),
            _ => false,
        }
    }

    /// Conflict resolution: learns the root cause of a satisfied incompatibility and jumps back.
    fn resolve_conflict(&mut self, conflict: IncId) -> Result<IncId, IncId> {
        self.stats.conflicts += 1;
        let mut inc = conflict;
        loop {
            if self.is_terminal(inc) {
                return Err(inc);
            }
            // The satisfier: the assignment that completed the satisfaction of `inc`.
            let terms = self.incompats[inc as usize].terms.clone();
            let mut sat: Option<(usize, PkgId, usize)> = None; // (global idx, package, record)
            let mut found: Vec<(PkgId, u32)> = Vec::with_capacity(terms.len());
            for (p, t) in &terms {
                let rec = match self.partial.earliest_satisfying(*p, t, None, usize::MAX) {
                    Some(Some(r)) => r,
                    // Satisfied with no assignment at all (a term any selection meets).
                    Some(None) => continue,
                    // Cannot happen for a satisfied incompatibility; end the search rather than
                    // trap if it ever did.
                    None => return Err(inc),
                };
                let idx = self.partial.pkgs[*p as usize].records[rec].idx;
                found.push((*p, idx));
                if sat.map_or(true, |(best, _, _)| idx as usize > best) {
                    sat = Some((idx as usize, *p, rec));
                }
            }
            let (_, sat_pkg, sat_rec) = match sat {
                Some(s) => s,
                None => return Err(inc),
            };
            let mut prev_idx: Option<u32> =
                found.iter().filter(|(p, _)| *p != sat_pkg).map(|(_, i)| *i).max();
            let sat_term = terms
                .iter()
                .find(|(p, _)| *p == sat_pkg)
                .map(|(_, t)| t.clone())
                .unwrap_or_else(Term::any);
            let (own, sat_level, sat_cause) = {
                let r = &self.partial.pkgs[sat_pkg as usize].records[sat_rec];
                (r.own.clone(), r.level, r.cause)
            };
            if let Some(Some(k)) =
                self.partial.earliest_satisfying(sat_pkg, &sat_term, Some(&own), sat_rec)
            {
                let idx = self.partial.pkgs[sat_pkg as usize].records[k].idx;
                prev_idx = Some(prev_idx.map_or(idx, |i| i.max(idx)));
            }
            let prev_level = prev_idx.map_or(1, |i| self.partial.history[i as usize].1).max(1);
            let cause = match sat_cause {
                Some(c) if sat_level <= prev_level => c,
                _ => {
                    // A decision, or the only relevant assignment of its level: jump back.
                    if inc != conflict {
                        self.index(inc);
                    }
                    let culprit = prev_idx.map(|i| self.partial.history[i as usize].0);
                    self.backjump(prev_level, sat_pkg, culprit);
                    return Ok(inc);
                }
            };
            let derived = self.prior_cause(inc, cause, sat_pkg);
            inc = self.store(derived, Cause::Derived(inc, cause));
        }
    }

    /// The resolvent of two incompatibilities on package `p` (pub's "prior cause").
    fn prior_cause(&self, a: IncId, b: IncId, p: PkgId) -> Vec<(PkgId, Term<V>)> {
        let (ia, ib) = (&self.incompats[a as usize], &self.incompats[b as usize]);
        let mut terms: Vec<(PkgId, Term<V>)> = Vec::with_capacity(ia.terms.len() + ib.terms.len());
        for (q, t) in ia.terms.iter().chain(ib.terms.iter()) {
            if *q == p {
                continue;
            }
            match terms.iter_mut().find(|(r, _)| r == q) {
                Some(slot) => slot.1 = slot.1.intersection(t),
                None => terms.push((*q, t.clone())),
            }
        }
        let ta = ia.get(p).cloned().unwrap_or_else(Term::any);
        let tb = ib.get(p).cloned().unwrap_or_else(Term::any);
        terms.push((p, ta.union(&tb)));
        // A term every selection satisfies constrains nothing.
        terms.retain(|(_, t)| !t.is_any());
        terms
    }

    /// Backtracks to `level`, counting the conflict against `affected`; once a package reaches the
    /// threshold it is boosted and the solver also undoes the decision it conflicted with.
    fn backjump(&mut self, level: u32, affected: PkgId, culprit: Option<PkgId>) {
        let mut target = level;
        if self.note_conflict(affected) {
            if let Some(c) = culprit.filter(|c| *c != affected && *c != self.root) {
                if let Some(l) = self.decision_level(c) {
                    target = target.min(l.saturating_sub(1)).max(1);
                }
            }
        }
        self.backtrack(target);
    }

    /// Counts a conflict; true when the package just became "conflicting".
    fn note_conflict(&mut self, p: PkgId) -> bool {
        self.affected[p as usize] += 1;
        self.mark_dirty(p);
        if self.affected[p as usize] >= CONFLICT_THRESHOLD && !self.boosted[p as usize] {
            self.boosted[p as usize] = true;
            return true;
        }
        false
    }

    fn decision_level(&self, p: PkgId) -> Option<u32> {
        let state = &self.partial.pkgs[p as usize];
        state.decided.as_ref()?;
        state.records.iter().rev().find(|r| r.cause.is_none()).map(|r| r.level)
    }

    fn backtrack(&mut self, level: u32) {
        let mut touched = Vec::new();
        self.partial.backtrack(level, |p| touched.push(p));
        for p in touched {
            self.mark_dirty(p);
        }
        self.pending = None;
    }

    /// Recomputes the priorities of packages whose terms changed. `Err` lists missing data.
    fn refresh<Pv: Provider<P, V, M, Priority = Pr>>(
        &mut self,
        provider: &mut Pv,
    ) -> Result<(), Vec<Pv::Need>> {
        let mut needs = Vec::new();
        let mut still = Vec::new();
        let dirty = std::mem::take(&mut self.dirty);
        for p in dirty {
            let i = p as usize;
            self.generation[i] = self.generation[i].wrapping_add(1);
            let range = match (self.partial.acc(p), self.partial.decided(p)) {
                (Term::Pos(s), None) => s.clone(),
                _ => {
                    self.is_dirty[i] = false;
                    continue;
                }
            };
            let view = SolverView { partial: &self.partial, ids: &self.ids };
            match provider.prioritize(&self.packages[i], &range, &view) {
                Ok(pr) => {
                    self.is_dirty[i] = false;
                    self.heap.push((self.boosted[i], pr, Reverse(p), self.generation[i]));
                }
                Err(n) => {
                    needs.push(n);
                    still.push(p);
                }
            }
        }
        self.dirty = still;
        if needs.is_empty() {
            Ok(())
        } else {
            Err(needs)
        }
    }

    /// The highest-priority package that is required but not decided.
    fn pick(&mut self) -> Option<PkgId> {
        while let Some((_, _, Reverse(p), generation)) = self.heap.pop() {
            let i = p as usize;
            if generation != self.generation[i]
                || self.is_dirty[i]
                || self.partial.decided(p).is_some()
            {
                continue;
            }
            if let Term::Pos(_) = self.partial.acc(p) {
                return Some(p);
            }
        }
        None
    }

    /// Decision making. `Err` lists the data the provider needs first.
    fn decide<Pv: Provider<P, V, M, Priority = Pr>>(
        &mut self,
        provider: &mut Pv,
    ) -> Result<(), Vec<Pv::Need>> {
        let (p, chosen) = match self.pending.take() {
            Some(x) => x,
            None => {
                self.refresh(provider)?;
                match self.pick() {
                    Some(p) => (p, None),
                    None => {
                        // Safety net, once per solution: every required package must be decided.
                        let missed: Vec<PkgId> = (0..self.packages.len() as PkgId)
                            .filter(|&p| {
                                self.partial.decided(p).is_none()
                                    && self.partial.acc(p).is_positive()
                            })
                            .collect();
                        if missed.is_empty() {
                            self.state = State::Done;
                        } else {
                            for p in missed {
                                self.mark_dirty(p);
                            }
                        }
                        return Ok(());
                    }
                }
            }
        };
        let range = match self.partial.acc(p) {
            Term::Pos(s) => s.clone(),
            // `pick` only returns required packages; stay safe if that ever changed.
            Term::Neg(_) => return Ok(()),
        };
        let version = match chosen {
            Some(v) => v,
            None => {
                let view = SolverView { partial: &self.partial, ids: &self.ids };
                let choice =
                    match provider.choose_version(&self.packages[p as usize], &range, &view) {
                        Ok(c) => c,
                        Err(n) => {
                            self.pending = Some((p, None));
                            return Err(vec![n]);
                        }
                    };
                if !choice.excluded.is_empty() {
                    for e in choice.excluded {
                        let e = match e {
                            Exclusion::Unavailable(set, m) => {
                                Exclusion::Unavailable(self.canon(provider, p, set), m)
                            }
                            Exclusion::Requires(set, dep, range) => {
                                Exclusion::Requires(self.canon(provider, p, set), dep, range)
                            }
                        };
                        self.add_exclusion(p, e);
                    }
                    // Propagate now: when the exclusions narrowed `p`, pick again (maybe another
                    // package); otherwise they do not apply yet and the provider's pick stands.
                    let before = self.partial.acc(p).clone();
                    if let Err(root_cause) = self.propagate(p) {
                        self.state = State::Failed(root_cause);
                        return Ok(());
                    }
                    if *self.partial.acc(p) != before || self.partial.decided(p).is_some() {
                        self.mark_dirty(p);
                        self.state = State::Decide;
                        return Ok(());
                    }
                }
                match choice.version {
                    Some(v) => v,
                    None => {
                        let range = self.canon(provider, p, range);
                        self.add_incompat(vec![(p, Term::Pos(range))], Cause::NoVersions);
                        self.mark_dirty(p);
                        self.state = State::Propagate(p);
                        return Ok(());
                    }
                }
            }
        };
        let deps = match provider.dependencies(&self.packages[p as usize], &version) {
            Ok(d) => d,
            Err(n) => {
                self.pending = Some((p, Some(version)));
                return Err(vec![n]);
            }
        };
        match deps {
            Dependencies::Unavailable(reason) => {
                let set = self.canon(provider, p, Ranges::singleton(version));
                self.add_custom(p, set, reason);
                self.mark_dirty(p);
            }
            Dependencies::Known(list) => {
                let mut conflict_with = None;
                let mut unmeetable = false;
                for (dep, dep_range) in list {
                    let q = self.intern(dep);
                    if q == p {
                        continue; // self-dependencies are the provider's to resolve
                    }
                    let dep_range = self.canon(provider, q, dep_range);
                    if provider.any_version_in(&self.packages[q as usize], &dep_range)
                        == Some(false)
                    {
                        // Nothing can meet this dependency: state that fact and let propagation
                        // rule the version out, instead of deciding it, failing, and jumping back
                        // over every decision made since.
                        let key = (q, dep_range.clone());
                        if !self.custom_index.contains_key(&key) {
                            let id = self.add_incompat(
                                vec![(q, Term::Pos(dep_range.clone()))],
                                Cause::NoVersions,
                            );
                            self.custom_index.insert(key, id);
                        }
                        self.seeds.push(q);
                        unmeetable = true;
                    }
                    let id = self.add_dependency(provider, p, &version, q, dep_range);
                    // Deciding would satisfy this incompatibility if q's assignments already exclude
                    // the whole dependency range.
                    if conflict_with.is_none()
                        && self.partial.relation(q, &self.incompats[id as usize].terms[1].1)
                            == Relation::Satisfied
                    {
                        conflict_with = Some(q);
                    }
                }
                if unmeetable {
                    self.mark_dirty(p);
                    self.state = State::Propagate(p);
                    return Ok(());
                }
                match conflict_with {
                    None => {
                        self.partial.decide(p, version);
                        self.stats.decisions += 1;
                        self.mark_dirty(p);
                    }
                    Some(q) => {
                        // Not decided: propagation rules the version out. Count it as a conflict
                        // of `p` with whatever decided `q`.
                        self.mark_dirty(p);
                        if self.note_conflict(p) {
                            if let Some(l) = self.decision_level(q).filter(|_| q != self.root) {
                                self.backtrack(l.saturating_sub(1).max(1));
                                self.state = State::Decide;
                                return Ok(());
                            }
                        }
                    }
                }
            }
        }
        self.state = State::Propagate(p);
        Ok(())
    }

    /// Records `{p ∈ {v}, not q ∈ R}`, merged with the same dependency of other versions of `p`.
    /// The provider's canonical form of a set of versions of `p` (see [`Provider::canonical`]).
    fn canon<Pv: Provider<P, V, M, Priority = Pr>>(
        &self,
        provider: &Pv,
        p: PkgId,
        set: Ranges<V>,
    ) -> Ranges<V> {
        provider.canonical(&self.packages[p as usize], &set).unwrap_or(set)
    }

    fn add_dependency<Pv: Provider<P, V, M, Priority = Pr>>(
        &mut self,
        provider: &Pv,
        p: PkgId,
        v: &V,
        q: PkgId,
        range: Ranges<V>,
    ) -> IncId {
        let dep_term = Term::Neg(range);
        let existing = self.dep_index.get(&(p, q)).and_then(|ids| {
            ids.iter().copied().find(|id| {
                !self.superseded[*id as usize]
                    && self.incompats[*id as usize].terms[1].1 == dep_term
            })
        });
        let set = match existing {
            Some(id) => {
                let s = self.incompats[id as usize].terms[0].1.set();
                if s.contains(v) {
                    return id;
                }
                self.superseded[id as usize] = true;
                s.union(&Ranges::singleton(v.clone()))
            }
            None => Ranges::singleton(v.clone()),
        };
        let set = self.canon(provider, p, set);
        let id = self.add_incompat(vec![(p, Term::Pos(set)), (q, dep_term)], Cause::Dependency);
        let list = self.dep_index.entry((p, q)).or_insert_with(Vec::new);
        list.retain(|old| Some(*old) != existing);
        list.push(id);
        id
    }

    fn add_custom(&mut self, p: PkgId, set: Ranges<V>, reason: M) -> IncId {
        if let Some(id) = self.custom_index.get(&(p, set.clone())) {
            return *id;
        }
        let id = self.add_incompat(vec![(p, Term::Pos(set.clone()))], Cause::Custom(reason));
        self.custom_index.insert((p, set), id);
        id
    }

    fn add_exclusion(&mut self, p: PkgId, e: Exclusion<P, V, M>) {
        match e {
            Exclusion::Unavailable(set, reason) => {
                self.add_custom(p, set, reason);
            }
            Exclusion::Requires(set, dep, range) => {
                let q = self.intern(dep);
                let terms = vec![(p, Term::Pos(set)), (q, Term::Neg(range))];
                let known = self.dep_index.get(&(p, q)).map_or(false, |ids| {
                    ids.iter().any(|id| self.incompats[*id as usize].terms == terms)
                });
                if !known {
                    let id = self.add_incompat(terms, Cause::Dependency);
                    self.dep_index.entry((p, q)).or_insert_with(Vec::new).push(id);
                }
            }
        }
    }
}

enum Rel {
    Satisfied,
    Almost(usize),
    Other,
}

struct SolverView<'a, P, V> {
    partial: &'a Partial<V>,
    ids: &'a HashMap<P, PkgId>,
}

impl<'a, P: Eq + Hash, V: Ord + Clone> View<P, V> for SolverView<'a, P, V> {
    fn decided(&self, p: &P) -> Option<&V> {
        self.ids.get(p).and_then(|id| self.partial.decided(*id))
    }

    fn required_range(&self, p: &P) -> Option<&Ranges<V>> {
        match self.ids.get(p).map(|id| self.partial.acc(*id)) {
            Some(Term::Pos(s)) => Some(s),
            _ => None,
        }
    }
}
