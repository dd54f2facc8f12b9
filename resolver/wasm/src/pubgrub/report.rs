//! Explanations of failure: the derivation graph of the incompatibility that proved there is no
//! solution, written as sentences in the style of pub's error reporting ("Because … and …, …"),
//! numbering only the conclusions that are referred to again later.

use std::collections::HashMap;
use std::hash::Hash;

use super::solver::{Cause, Solver};
use super::term::Term;
use super::{IncId, PkgId};
use crate::ranges::Ranges;

/// How the caller names packages, version sets and its own facts in sentences.
pub trait Describe<P, V: Ord + Clone, M> {
    fn is_root(&self, p: &P) -> bool;
    /// The package's plain name ("a").
    fn name(&self, p: &P) -> String;
    /// Versions of a package as the subject of a sentence: "a>=1.0", "a==2.0".
    fn subject(&self, p: &P, set: &Ranges<V>) -> String;
    /// A requirement on a package: "b>=2", "b".
    fn requirement(&self, p: &P, set: &Ranges<V>) -> String;
    /// Whether `set` holds every version of `p` worth mentioning.
    fn covers_all(&self, _p: &P, set: &Ranges<V>) -> bool {
        set.is_full()
    }
    /// `{p ∈ set}` because no such version exists.
    fn no_versions(&self, p: &P, set: &Ranges<V>) -> String {
        if self.covers_all(p, set) {
            format!("there is no version of {}", self.name(p))
        } else {
            format!("there is no version of {}", self.requirement(p, set))
        }
    }
    /// `{p ∈ set, not q ∈ range}` as a dependency.
    fn dependency(&self, p: &P, set: &Ranges<V>, q: &P, range: &Ranges<V>) -> String {
        if self.is_root(p) {
            format!("you require {}", self.requirement(q, range))
        } else if self.covers_all(p, set) {
            format!("every version of {} depends on {}", self.name(p), self.requirement(q, range))
        } else {
            format!("{} depends on {}", self.subject(p, set), self.requirement(q, range))
        }
    }
    /// A fact of the caller's, over these terms.
    fn custom(&self, terms: &[(&P, &Term<V>)], reason: &M) -> String;
    /// The conclusion that nothing can be selected.
    fn failure(&self) -> String {
        "your requirements cannot be satisfied".to_string()
    }
}

/// Writes the explanation for the failure proven by incompatibility `root`.
pub fn explain<P, V, M, Pr, D>(solver: &Solver<P, V, M, Pr>, root: IncId, d: &D) -> String
where
    P: Clone + Eq + Hash,
    V: Ord + Clone + Hash,
    M: Clone,
    Pr: Ord + Clone,
    D: Describe<P, V, M>,
{
    let mut w = Writer {
        solver,
        d,
        refs: HashMap::new(),
        lines: Vec::new(),
        numbers: HashMap::new(),
        next_number: 1,
        omitted: 0,
    };
    w.count_refs(root);
    match w.shape(root) {
        Shape::Derived(..) => w.visit(root, 0),
        Shape::External(_) => {
            let text = format!("Because {}, {}.", w.external(root), w.describe(root));
            w.lines.push((text, None));
        }
    }
    let last = w.lines.len().saturating_sub(1);
    let mut out = String::new();
    for (i, (line, number)) in w.lines.iter().enumerate() {
        let mut line = line.clone();
        if i == last && i > 0 && line.starts_with("And because") {
            line = line.replacen("And because", "So, because", 1);
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&line);
        if let Some(n) = number {
            out.push_str(&format!(" ({})", n));
        }
    }
    out
}

/// Deeper derivations are summarised rather than followed (keeps the stack and the text bounded).
const MAX_DEPTH: usize = 400;

/// A node of the derivation graph after folding "there is no version of p in S" into the fact it
/// was combined with: `{a==1 depends on b}` + `{no a in (1, 2)}` reads as "a>=1,<2 depends on b".
#[derive(Clone, Copy)]
enum Shape {
    /// Described as a fact of the kind of this (external) incompatibility.
    External(IncId),
    Derived(IncId, IncId),
}

struct Writer<'a, P, V, M, Pr: Ord, D> {
    solver: &'a Solver<P, V, M, Pr>,
    d: &'a D,
    refs: HashMap<IncId, u32>,
    lines: Vec<(String, Option<usize>)>,
    numbers: HashMap<IncId, usize>,
    next_number: usize,
    omitted: usize,
}

impl<'a, P, V, M, Pr, D> Writer<'a, P, V, M, Pr, D>
where
    P: Clone + Eq + Hash,
    V: Ord + Clone + Hash,
    M: Clone,
    Pr: Ord + Clone,
    D: Describe<P, V, M>,
{
    fn shape(&self, id: IncId) -> Shape {
        let mut cur = id;
        loop {
            match self.solver.incompat(cur).cause {
                Cause::Derived(a, b) => {
                    let terms = &self.solver.incompat(id).terms;
                    let folds = |x: IncId| {
                        let inc = self.solver.incompat(x);
                        matches!(inc.cause, Cause::NoVersions)
                            && inc.terms.len() == 1
                            && terms.iter().any(|(p, _)| *p == inc.terms[0].0)
                    };
                    if folds(b) {
                        cur = a;
                    } else if folds(a) {
                        cur = b;
                    } else {
                        return Shape::Derived(a, b);
                    }
                }
                _ => return Shape::External(cur),
            }
        }
    }

    fn children(&self, id: IncId) -> Option<(IncId, IncId)> {
        match self.shape(id) {
            Shape::Derived(a, b) => Some((a, b)),
            Shape::External(_) => None,
        }
    }

    fn is_derived(&self, id: IncId) -> bool {
        self.children(id).is_some()
    }

    /// How many derived nodes each node is a cause of (iterative walk: graphs can be deep).
    fn count_refs(&mut self, root: IncId) {
        let mut seen: HashMap<IncId, ()> = HashMap::new();
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if seen.insert(id, ()).is_some() {
                continue;
            }
            if let Some((a, b)) = self.children(id) {
                *self.refs.entry(a).or_insert(0) += 1;
                *self.refs.entry(b).or_insert(0) += 1;
                stack.push(a);
                stack.push(b);
            }
        }
    }

    fn write(&mut self, id: IncId, text: String) {
        let shared = self.refs.get(&id).copied().unwrap_or(0) > 1;
        if shared {
            let n = self.next_number;
            self.next_number += 1;
            self.numbers.insert(id, n);
            self.lines.push((text, Some(n)));
        } else {
            self.lines.push((text, None));
        }
    }

    /// Gives the last written line a number standing for `id`, unless `id` already has one.
    fn number_last(&mut self, id: IncId) {
        if self.numbers.contains_key(&id) {
            return;
        }
        if let Some(last) = self.lines.last_mut() {
            let n = match last.1 {
                Some(n) => n,
                None => {
                    let n = self.next_number;
                    self.next_number += 1;
                    last.1 = Some(n);
                    n
                }
            };
            self.numbers.insert(id, n);
        }
    }

    fn is_simple(&self, id: IncId) -> bool {
        self.children(id).map_or(false, |(a, b)| !self.is_derived(a) && !self.is_derived(b))
    }

    fn visit(&mut self, id: IncId, depth: usize) {
        let (c1, c2) = match self.children(id) {
            Some(c) => c,
            None => return,
        };
        let me = self.describe(id);
        if depth > MAX_DEPTH {
            self.omitted += 1;
            if self.omitted == 1 {
                self.lines.push((
                    "(the derivation is too long to show in full; its earlier steps are omitted)"
                        .to_string(),
                    None,
                ));
            }
            self.write(id, format!("It turns out that {}.", me));
            return;
        }
        match (self.is_derived(c1), self.is_derived(c2)) {
            (true, true) => {
                let (n1, n2) = (self.numbers.get(&c1).copied(), self.numbers.get(&c2).copied());
                match (n1, n2) {
                    (Some(a), Some(b)) => {
                        let text = format!(
                            "Because {} ({}) and {} ({}), {}.",
                            self.describe(c1),
                            a,
                            self.describe(c2),
                            b,
                            me
                        );
                        self.write(id, text);
                    }
                    (Some(a), None) | (None, Some(a)) => {
                        let (numbered, other) = if n1.is_some() { (c1, c2) } else { (c2, c1) };
                        self.visit(other, depth + 1);
                        let text =
                            format!("And because {} ({}), {}.", self.describe(numbered), a, me);
                        self.write(id, text);
                    }
                    (None, None) => {
                        if self.is_simple(c1) || self.is_simple(c2) {
                            let (simple, complex) =
                                if self.is_simple(c2) { (c2, c1) } else { (c1, c2) };
                            self.visit(complex, depth + 1);
                            self.visit(simple, depth + 1);
                            self.write(id, format!("Thus, {}.", me));
                        } else {
                            self.visit(c1, depth + 1);
                            self.number_last(c1);
                            self.lines.push((String::new(), None));
                            self.visit(c2, depth + 1);
                            let n = self.numbers.get(&c1).copied().unwrap_or(0);
                            let text =
                                format!("And because {} ({}), {}.", self.describe(c1), n, me);
                            self.write(id, text);
                        }
                    }
                }
            }
            (true, false) | (false, true) => {
                let (derived, external) = if self.is_derived(c1) { (c1, c2) } else { (c2, c1) };
                let ext = self.external(external);
                if let Some(n) = self.numbers.get(&derived).copied() {
                    let text =
                        format!("Because {} and {} ({}), {}.", ext, self.describe(derived), n, me);
                    self.write(id, text);
                    return;
                }
                let inner = self.children(derived).and_then(|(a, b)| {
                    match (self.is_derived(a), self.is_derived(b)) {
                        (true, false) => Some((a, b)),
                        (false, true) => Some((b, a)),
                        _ => None,
                    }
                });
                let derived_shared = self.refs.get(&derived).copied().unwrap_or(0) > 1;
                match inner {
                    Some((prior_derived, prior_external))
                        if !derived_shared && !self.numbers.contains_key(&prior_derived) =>
                    {
                        self.visit(prior_derived, depth + 1);
                        let text = format!(
                            "And because {}, {}.",
                            both(&self.external(prior_external), &ext),
                            me
                        );
                        self.write(id, text);
                    }
                    _ => {
                        self.visit(derived, depth + 1);
                        let text = format!("And because {}, {}.", ext, me);
                        self.write(id, text);
                    }
                }
            }
            (false, false) => {
                let text =
                    format!("Because {}, {}.", both(&self.external(c1), &self.external(c2)), me);
                self.write(id, text);
            }
        }
    }

    /// A (possibly folded) external incompatibility as a statement of fact, over `id`'s terms.
    fn external(&self, id: IncId) -> String {
        let kind = match self.shape(id) {
            Shape::External(k) => k,
            Shape::Derived(..) => return self.describe(id),
        };
        let terms = &self.solver.incompat(id).terms;
        let pkg = |p: PkgId| self.solver.package(p);
        match (&self.solver.incompat(kind).cause, terms.as_slice()) {
            (Cause::NoVersions, [(p, t)]) => self.d.no_versions(pkg(*p), t.set()),
            (Cause::Dependency, [(p, Term::Pos(s)), (q, Term::Neg(r))]) => {
                self.d.dependency(pkg(*p), s, pkg(*q), r)
            }
            (Cause::Dependency, [(q, Term::Neg(r)), (p, Term::Pos(s))]) => {
                self.d.dependency(pkg(*p), s, pkg(*q), r)
            }
            (Cause::Custom(m), terms) => {
                let terms: Vec<(&P, &Term<V>)> = terms.iter().map(|(p, t)| (pkg(*p), t)).collect();
                self.d.custom(&terms, m)
            }
            (Cause::NotRoot, _) => "the root is always selected".to_string(),
            _ => self.describe(id),
        }
    }
    /// What an incompatibility says, as a conclusion.
    fn describe(&self, id: IncId) -> String {
        let inc = self.solver.incompat(id);
        let d = self.d;
        let pkg = |p: PkgId| self.solver.package(p);
        let mut positives: Vec<(&P, &Ranges<V>)> = Vec::new();
        let mut negatives: Vec<(&P, &Ranges<V>)> = Vec::new();
        let mut with_root = false;
        for (p, t) in inc.terms.iter().filter(|(_, t)| !t.is_any()) {
            let p = pkg(*p);
            match t {
                Term::Pos(_) if d.is_root(p) => with_root = true,
                Term::Pos(s) => positives.push((p, s)),
                Term::Neg(s) => negatives.push((p, s)),
            }
        }
        let subject = |p: &P, s: &Ranges<V>| {
            if d.covers_all(p, s) {
                format!("every version of {}", d.name(p))
            } else {
                d.subject(p, s)
            }
        };
        let unusable = |p: &P, s: &Ranges<V>| {
            if d.covers_all(p, s) {
                format!("no version of {} can be used", d.name(p))
            } else {
                format!("{} cannot be used", d.subject(p, s))
            }
        };
        match (positives.as_slice(), negatives.as_slice()) {
            ([], []) => d.failure(),
            ([(p, s)], []) => unusable(p, s),
            ([], [(q, r)]) if with_root => format!("you require {}", d.requirement(q, r)),
            ([], [(q, r)]) => format!("{} is required", d.requirement(q, r)),
            ([(p, s)], [(q, r)]) => format!("{} depends on {}", subject(p, s), d.requirement(q, r)),
            ([(p, s), (q, r)], []) => {
                format!("{} and {} cannot be used together", d.subject(p, s), d.subject(q, r))
            }
            (pos, neg) => {
                let pos: Vec<String> = pos.iter().map(|(p, s)| d.subject(p, s)).collect();
                let neg: Vec<String> = neg.iter().map(|(p, s)| d.requirement(p, s)).collect();
                if neg.is_empty() {
                    format!("{} cannot be used together", join(&pos, "and"))
                } else if pos.is_empty() {
                    format!("one of {} is required", join(&neg, "or"))
                } else if pos.len() == 1 {
                    format!("{} requires {}", pos[0], join(&neg, "or"))
                } else {
                    format!("{} together require {}", join(&pos, "and"), join(&neg, "or"))
                }
            }
        }
    }
}

/// Two facts joined with "and"; two requirements of the user read as one ("you require a and b").
fn both(a: &str, b: &str) -> String {
    const YOU: &str = "you require ";
    match (a.strip_prefix(YOU), b.strip_prefix(YOU)) {
        (Some(x), Some(y)) => format!("{}{} and {}", YOU, x, y),
        _ => format!("{} and {}", a, b),
    }
}

fn join(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {} {}", init.join(", "), word, last),
    }
}
