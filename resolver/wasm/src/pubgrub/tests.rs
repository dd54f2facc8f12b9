//! The generic core on small integer versions: pub's worked examples, explanations, the sans-IO
//! protocol, exclusions, conflict-driven priorities, and a cross-check against brute force.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashSet};

use super::*;
use crate::ranges::Ranges;

type R = Ranges<u32>;

/// An in-memory registry. With `lazy`, a package's versions are "fetched" only when asked for.
#[derive(Default)]
struct Reg {
    pkgs: BTreeMap<String, BTreeMap<u32, Vec<(String, R)>>>,
    broken: HashSet<(String, u32)>,
    lazy: bool,
    fetched: HashSet<String>,
    asked: Vec<String>,
}

impl Reg {
    fn add(&mut self, p: &str, v: u32, deps: &[(&str, R)]) {
        self.pkgs
            .entry(p.to_string())
            .or_default()
            .insert(v, deps.iter().map(|(q, r)| (q.to_string(), r.clone())).collect());
    }

    fn check(&mut self, p: &str) -> Result<(), String> {
        if self.lazy && p != "root" && !self.fetched.contains(p) {
            return Err(p.to_string());
        }
        Ok(())
    }
}

impl Provider<String, u32, String> for Reg {
    type Priority = Reverse<usize>;
    type Need = String;

    fn prioritize(
        &mut self,
        p: &String,
        range: &R,
        _: &dyn View<String, u32>,
    ) -> Result<Reverse<usize>, String> {
        self.check(p)?;
        let n = self.pkgs.get(p).map_or(0, |vs| vs.keys().filter(|v| range.contains(v)).count());
        Ok(Reverse(if p == "root" { 0 } else { n + 1 }))
    }

    fn choose_version(
        &mut self,
        p: &String,
        range: &R,
        _: &dyn View<String, u32>,
    ) -> Result<Choice<String, u32, String>, String> {
        self.check(p)?;
        let vs = self.pkgs.get(p);
        let mut excluded = Vec::new();
        let mut version = None;
        for v in vs.into_iter().flat_map(|m| m.keys().rev()) {
            if !range.contains(v) {
                continue;
            }
            if self.broken.contains(&(p.clone(), *v)) {
                excluded.push(Exclusion::Unavailable(R::singleton(*v), "is broken".to_string()));
                continue;
            }
            version = Some(*v);
            break;
        }
        Ok(Choice { excluded, version })
    }

    fn dependencies(
        &mut self,
        p: &String,
        v: &u32,
    ) -> Result<Dependencies<String, u32, String>, String> {
        self.check(p)?;
        Ok(Dependencies::Known(self.pkgs[p][v].clone()))
    }
}

struct Names;

impl Describe<String, u32, String> for Names {
    fn is_root(&self, p: &String) -> bool {
        p == "root"
    }
    fn name(&self, p: &String) -> String {
        p.clone()
    }
    fn subject(&self, p: &String, set: &R) -> String {
        format!("{}{}", p, set)
    }
    fn requirement(&self, p: &String, set: &R) -> String {
        if set.is_full() {
            p.clone()
        } else {
            format!("{}{}", p, set)
        }
    }
    fn custom(&self, terms: &[(&String, &Term<u32>)], reason: &String) -> String {
        format!("{}{} {}", terms[0].0, terms[0].1.set(), reason)
    }
}

/// Solves, feeding a lazy registry whatever it asks for; returns the solution or explanation.
fn solve(reg: &mut Reg) -> Result<BTreeMap<String, u32>, String> {
    let mut s: Solver<String, u32, String, Reverse<usize>> = Solver::new("root".to_string(), 0);
    for _ in 0..10_000 {
        match s.step(reg) {
            Step::Need(names) => {
                assert!(!names.is_empty());
                for n in names {
                    reg.asked.push(n.clone());
                    reg.fetched.insert(n);
                }
            }
            Step::Done(sol) => return Ok(sol.into_iter().filter(|(p, _)| p != "root").collect()),
            Step::Failed(id) => return Err(explain(&s, id, &Names)),
        }
    }
    panic!("the solver did not finish");
}

fn caret(major: u32) -> R {
    R::between(major * 10, major * 10 + 10)
}

fn map(items: &[(&str, u32)]) -> BTreeMap<String, u32> {
    items.iter().map(|(p, v)| (p.to_string(), *v)).collect()
}

#[test]
fn no_conflicts() {
    let mut r = Reg::default();
    r.add("root", 0, &[("foo", caret(1))]);
    r.add("foo", 10, &[("bar", caret(1))]);
    r.add("bar", 10, &[]);
    r.add("bar", 20, &[]);
    assert_eq!(solve(&mut r), Ok(map(&[("foo", 10), ("bar", 10)])));
}

#[test]
fn avoids_a_conflict_during_decision_making() {
    let mut r = Reg::default();
    r.add("root", 0, &[("foo", caret(1)), ("bar", caret(1))]);
    r.add("foo", 11, &[("bar", caret(2))]);
    r.add("foo", 10, &[]);
    for v in [10, 11, 20] {
        r.add("bar", v, &[]);
    }
    assert_eq!(solve(&mut r), Ok(map(&[("foo", 10), ("bar", 11)])));
}

#[test]
fn performs_conflict_resolution() {
    let mut r = Reg::default();
    r.add("root", 0, &[("foo", R::higher_than(10))]);
    r.add("foo", 20, &[("bar", caret(1))]);
    r.add("foo", 10, &[]);
    r.add("bar", 10, &[("foo", caret(1))]);
    assert_eq!(solve(&mut r), Ok(map(&[("foo", 10)])));
}

#[test]
fn resolves_a_conflict_with_a_partial_satisfier() {
    let mut r = Reg::default();
    r.add("root", 0, &[("foo", caret(1)), ("target", caret(2))]);
    r.add("foo", 11, &[("left", caret(1)), ("right", caret(1))]);
    r.add("foo", 10, &[]);
    r.add("left", 10, &[("shared", R::higher_than(10))]);
    r.add("right", 10, &[("shared", R::strictly_lower_than(20))]);
    r.add("shared", 20, &[]);
    r.add("shared", 10, &[("target", caret(1))]);
    r.add("target", 20, &[]);
    r.add("target", 10, &[]);
    assert_eq!(solve(&mut r), Ok(map(&[("foo", 10), ("target", 20)])));
}

#[test]
fn linear_error_report() {
    let mut r = Reg::default();
    r.add("root", 0, &[("foo", caret(1)), ("baz", caret(1))]);
    r.add("foo", 10, &[("bar", caret(2))]);
    r.add("bar", 20, &[("baz", caret(3))]);
    r.add("baz", 10, &[]);
    r.add("baz", 30, &[]);
    let text = solve(&mut r).unwrap_err();
    assert!(!text.contains('('), "a linear report needs no line numbers:\n{}", text);
    assert!(text.contains("foo>=10, <20 depends on bar>=20, <30"), "{}", text);
    assert!(text.contains("bar>=20, <30 depends on baz>=30, <40"), "{}", text);
    assert!(text.contains("you require foo>=10, <20 and baz>=10, <20"), "{}", text);
    assert!(text.ends_with("your requirements cannot be satisfied."), "{}", text);
}

#[test]
fn branching_error_report_numbers_shared_conclusions() {
    let mut r = Reg::default();
    r.add("root", 0, &[("foo", caret(1))]);
    r.add("foo", 10, &[("a", caret(1)), ("b", caret(1))]);
    r.add("foo", 11, &[("x", caret(1)), ("y", caret(1))]);
    r.add("a", 10, &[("b", caret(2))]);
    r.add("b", 10, &[]);
    r.add("b", 20, &[]);
    r.add("x", 10, &[("y", caret(2))]);
    r.add("y", 10, &[]);
    r.add("y", 20, &[]);
    let text = solve(&mut r).unwrap_err();
    for needle in [
        "a>=10, <20 depends on b>=20, <30",
        "x>=10, <20 depends on y>=20, <30",
        "you require foo>=10, <20",
    ] {
        assert!(text.contains(needle), "missing {:?} in\n{}", needle, text);
    }
    assert!(text.lines().count() >= 3, "{}", text);
    assert!(text.ends_with("your requirements cannot be satisfied."), "{}", text);
}

#[test]
fn sans_io_asks_in_batches_and_matches_the_eager_answer() {
    let build = |lazy| {
        let mut r = Reg { lazy, ..Reg::default() };
        r.add("root", 0, &[("a", R::full()), ("b", R::full()), ("c", R::full())]);
        for v in 1..=3 {
            r.add("a", v, &[("d", R::higher_than(v))]);
            r.add("b", v, &[("d", R::lower_than(2))]);
            r.add("c", v, &[]);
            r.add("d", v, &[]);
        }
        r
    };
    let (mut eager, mut lazy) = (build(false), build(true));
    let expected = solve(&mut eager);
    assert_eq!(solve(&mut lazy), expected);
    assert_eq!(expected, Ok(map(&[("a", 2), ("b", 3), ("c", 3), ("d", 2)])));
    // a, b and c were discovered together and requested in one batch; nothing twice.
    let mut first: Vec<&str> = lazy.asked[..3].iter().map(|s| s.as_str()).collect();
    first.sort_unstable();
    assert_eq!(first, ["a", "b", "c"]);
    let unique: HashSet<_> = lazy.asked.iter().collect();
    assert_eq!(unique.len(), lazy.asked.len());
}

#[test]
fn excluded_versions_are_skipped_and_explained() {
    let mut r = Reg::default();
    r.add("root", 0, &[("a", R::full())]);
    r.add("a", 1, &[]);
    r.add("a", 2, &[]);
    r.broken.insert(("a".to_string(), 2));
    assert_eq!(solve(&mut r), Ok(map(&[("a", 1)])));
    r.broken.insert(("a".to_string(), 1));
    let text = solve(&mut r).unwrap_err();
    assert_eq!(text.matches("is broken").count(), 2, "{}", text);
    assert!(
        text.contains("a==1 is broken") && text.contains("no version of a can be used"),
        "{}",
        text
    );
}

#[test]
fn missing_package_and_missing_version() {
    let mut r = Reg::default();
    r.add("root", 0, &[("a", R::singleton(3))]);
    r.add("a", 1, &[]);
    let text = solve(&mut r).unwrap_err();
    assert_eq!(text, "Because there is no version of a==3 and you require a==3, your requirements cannot be satisfied.");
}

/// The shape of packse's wrong-backtracking-basic: `a` is decided first (fewer versions) and every
/// recent `b` conflicts with it. After a few conflicts `b` must go first instead of walking down
/// to the one old `b` that does not need `a`.
#[test]
fn conflicting_packages_are_decided_first() {
    let mut r = Reg::default();
    r.add("root", 0, &[("a", R::full()), ("b", R::full())]);
    r.add("a", 1, &[]);
    r.add("a", 2, &[]);
    r.add("too-old", 1, &[]);
    r.add("b", 1, &[("too-old", R::full())]);
    for v in 20..30 {
        r.add("b", v, &[("a", R::singleton(1))]);
    }
    assert_eq!(solve(&mut r), Ok(map(&[("a", 1), ("b", 29)])));
}

/// A small deterministic generator (no crates).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u32) -> u32 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as u32
    }
}

fn satisfies(reg: &Reg, sel: &BTreeMap<String, u32>) -> bool {
    let mut todo = vec![("root".to_string(), 0u32)];
    todo.extend(sel.iter().map(|(p, v)| (p.clone(), *v)));
    todo.iter().all(|(p, v)| {
        reg.pkgs.get(p).and_then(|vs| vs.get(v)).map_or(false, |deps| {
            deps.iter().all(|(q, r)| sel.get(q).map_or(false, |w| r.contains(w)))
        })
    })
}

fn brute_force(reg: &Reg, names: &[String]) -> bool {
    let options: Vec<Vec<Option<u32>>> = names
        .iter()
        .map(|n| {
            std::iter::once(None)
                .chain(reg.pkgs.get(n).into_iter().flat_map(|m| m.keys().map(|v| Some(*v))))
                .collect()
        })
        .collect();
    let mut idx = vec![0usize; names.len()];
    loop {
        let sel: BTreeMap<String, u32> = names
            .iter()
            .zip(&idx)
            .filter_map(|(n, i)| options_at(&options, n, names, *i).map(|v| (n.clone(), v)))
            .collect();
        if satisfies(reg, &sel) {
            return true;
        }
        let mut k = 0;
        loop {
            if k == idx.len() {
                return false;
            }
            idx[k] += 1;
            if idx[k] < options[k].len() {
                break;
            }
            idx[k] = 0;
            k += 1;
        }
    }
}

fn options_at(options: &[Vec<Option<u32>>], n: &str, names: &[String], i: usize) -> Option<u32> {
    let k = names.iter().position(|m| m == n).unwrap();
    options[k][i]
}

#[test]
fn agrees_with_brute_force_on_random_registries() {
    let mut rng = Lcg(42);
    let names: Vec<String> = (0..5).map(|i| format!("p{}", i)).collect();
    let (mut solved, mut failed) = (0, 0);
    for round in 0..3000 {
        let mut r = Reg { lazy: round % 2 == 1, ..Reg::default() };
        let random_range = |rng: &mut Lcg| {
            let lo = rng.next(4);
            let hi = lo + 1 + rng.next(3);
            match rng.next(4) {
                0 => R::full(),
                1 => R::singleton(lo + 1),
                _ => R::between(lo, hi),
            }
        };
        let root_deps: Vec<(String, R)> = (0..1 + rng.next(2))
            .map(|_| (names[rng.next(5) as usize].clone(), random_range(&mut rng)))
            .collect();
        let root_refs: Vec<(&str, R)> =
            root_deps.iter().map(|(n, r)| (n.as_str(), r.clone())).collect();
        r.add("root", 0, &dedupe(root_refs));
        for (i, n) in names.iter().enumerate() {
            for v in 1..=(1 + rng.next(3)) {
                let deps: Vec<(String, R)> = (0..rng.next(3))
                    .map(|_| (names[rng.next(5) as usize].clone(), random_range(&mut rng)))
                    .filter(|(q, _)| q != n)
                    .collect();
                let refs: Vec<(&str, R)> =
                    deps.iter().map(|(q, r)| (q.as_str(), r.clone())).collect();
                if i < 4 || rng.next(2) == 0 {
                    r.add(n, v, &dedupe(refs));
                }
            }
        }
        let exists = brute_force(&r, &names);
        match solve(&mut r) {
            Ok(sol) => {
                assert!(satisfies(&r, &sol), "round {}: invalid solution {:?}", round, sol);
                solved += 1;
            }
            Err(text) => {
                assert!(
                    !exists,
                    "round {}: a solution exists but the solver failed:\n{}",
                    round, text
                );
                assert!(
                    text.ends_with("your requirements cannot be satisfied."),
                    "round {}: {}",
                    round,
                    text
                );
                failed += 1;
            }
        }
    }
    assert!(solved > 300 && failed > 300, "{} solved, {} failed", solved, failed);
}

/// One dependency per package, constraints intersected (as a real provider would merge them).
fn dedupe(deps: Vec<(&str, R)>) -> Vec<(&str, R)> {
    let mut out: Vec<(&str, R)> = Vec::new();
    for (q, r) in deps {
        match out.iter_mut().find(|(p, _)| *p == q) {
            Some(slot) => slot.1 = slot.1.intersection(&r),
            None => out.push((q, r)),
        }
    }
    out
}
