//! What the layer knows about projects (versions, metadata), its policies, and the
//! [`Provider`](crate::pubgrub::Provider) implementation the solver calls.

use std::collections::HashMap;
use std::ops::Bound::{Excluded, Included, Unbounded};

use super::{Pkg, Prereleases, Reason};
use crate::pep440::{Operator, Version, VersionSpecifiers};
use crate::pep508::{MarkerEnvironment, Requirement};
use crate::pubgrub::{Choice, Dependencies, Exclusion, Provider, View};
use crate::ranges::Ranges;

/// Strings to dense ids and back.
#[derive(Default)]
pub struct Interner {
    pub names: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(s.to_string());
        self.ids.insert(s.to_string(), id);
        id
    }

    pub fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }

    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
}

/// Requires-Python as the solver uses it: the specifier's text and the set of Python versions it
/// accepts, the whole specifier (as pip checks it): a version declaring `<3.11` is not installable
/// on Python 3.12, so a lock for 3.12 must not hold it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PythonReq {
    pub text: String,
    pub range: Ranges<Version>,
}

impl PythonReq {
    /// `None` for text that is not a valid specifier set: such metadata is ignored, as pip does.
    pub fn parse(text: &str) -> Option<PythonReq> {
        let specs = VersionSpecifiers::parse(text).ok()?;
        Some(PythonReq { text: specs.to_string(), range: specs.to_ranges() })
    }
}

/// Metadata of one version: its requirements, parsed, or why they could not be.
pub enum Meta {
    Ok { requires: Vec<Requirement>, requires_python: Option<PythonReq> },
    Invalid(String),
}

/// One candidate version of a project.
pub struct Candidate {
    pub version: Version,
    /// As the provider spelled it.
    pub text: String,
    pub yanked: bool,
    pub requires_python: Option<PythonReq>,
    /// The provider's reason no file of it can be installed on the target.
    pub unavailable: Option<String>,
    pub meta: Option<Meta>,
    /// Whether the driver was already told to fetch its metadata.
    pub meta_hinted: bool,
    /// Dependencies computed so far, per extra (`None`: the version itself).
    pub deps: Vec<(Option<u32>, Result<Vec<(Pkg, Ranges<Version>)>, Reason>)>,
}

/// The versions of a project, once known.
pub enum Versions {
    Unknown,
    /// No index has the project.
    Missing,
    /// Sorted ascending, one entry per distinct version.
    Known(Vec<Candidate>),
}

pub struct Project {
    pub versions: Versions,
    /// Whether every version is a pre-release (then pre-releases are "necessary").
    pub only_prereleases: bool,
    /// Whether one of the user's requirements on it names a pre-release.
    pub explicit_prerelease: bool,
    /// Versions the user pinned with `==`/`===`: yanked ones among them may be used.
    pub pinned: Ranges<Version>,
    /// Whether the driver was told about it (for `prefetch`) or asked for its versions.
    pub announced: bool,
    pub requested: bool,
    /// The range of the first requirement seen on it: which version to fetch metadata for ahead
    /// of the solver, before the solver has narrowed anything.
    pub first_range: Option<Ranges<Version>>,
    /// How many times a version was chosen: after the first, the next few candidates' metadata
    /// is fetched ahead too (the solver is walking down the versions).
    pub tries: u32,
}

/// Whether a candidate may be chosen, and if not why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    Unavailable(String),
    Python(PythonReq),
    Yanked,
    Prerelease,
}

/// What the layer needs from the driver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Need {
    Versions(u32),
    Metadata(u32, usize),
}

/// The Python layer: project data, policies, and the provider the core solver calls.
pub struct Layer {
    pub names: Interner,
    pub extras: Interner,
    pub projects: Vec<Project>,
    pub env: MarkerEnvironment,
    pub target: Version,
    pub target_text: String,
    pub prereleases: Prereleases,
    pub preferences: HashMap<u32, Version>,
    /// The user's requirements that apply to the target, parsed.
    pub root_requires: Vec<Requirement>,
    pub root_requires_python: Option<PythonReq>,
    pub root_version: Version,
    /// Projects newly seen in dependencies, for the driver's `prefetch`.
    pub new_names: Vec<u32>,
    /// Versions whose metadata the driver should fetch ahead.
    pub metadata_hints: Vec<(u32, usize)>,
    /// The specifiers as written for a dependency's version set, so explanations quote
    /// requirements the way their authors wrote them (`>1.2.3.post2`, not `>=1.2.3.post3.dev0`).
    pub spec_texts: HashMap<(Pkg, Ranges<Version>), String>,
}

/// Index of the first candidate not below `b` as a lower bound (or above it as an upper bound).
fn lower_index(c: &[Candidate], b: &std::ops::Bound<Version>) -> usize {
    match b {
        Unbounded => 0,
        Included(v) => c.partition_point(|x| x.version < *v),
        Excluded(v) => c.partition_point(|x| x.version <= *v),
    }
}

fn upper_index(c: &[Candidate], b: &std::ops::Bound<Version>) -> usize {
    match b {
        Unbounded => c.len(),
        Included(v) => c.partition_point(|x| x.version <= *v),
        Excluded(v) => c.partition_point(|x| x.version < *v),
    }
}

/// How many candidates lie in `range` (binary search per interval).
pub fn count_in(c: &[Candidate], range: &Ranges<Version>) -> usize {
    range.segments().iter().map(|(s, e)| upper_index(c, e).saturating_sub(lower_index(c, s))).sum()
}

/// Candidate indices in `range`, highest first.
fn descending_in<'a>(
    c: &'a [Candidate],
    range: &'a Ranges<Version>,
) -> impl Iterator<Item = usize> + 'a {
    range.segments().iter().rev().flat_map(move |(s, e)| {
        let (lo, hi) = (lower_index(c, s), upper_index(c, e));
        (lo..hi.max(lo)).rev()
    })
}

impl Layer {
    pub fn project(&self, n: u32) -> &Project {
        &self.projects[n as usize]
    }

    /// Interns a project name, creating its record (and noting it for prefetching).
    pub fn project_id(&mut self, name: &str) -> u32 {
        let id = self.names.intern(name);
        while self.projects.len() <= id as usize {
            self.projects.push(Project {
                versions: Versions::Unknown,
                only_prereleases: false,
                explicit_prerelease: false,
                pinned: Ranges::empty(),
                announced: false,
                requested: false,
                first_range: None,
                tries: 0,
            });
        }
        if !self.projects[id as usize].announced {
            self.projects[id as usize].announced = true;
            self.new_names.push(id);
        }
        id
    }

    pub fn candidates(&self, n: u32) -> &[Candidate] {
        match &self.projects[n as usize].versions {
            Versions::Known(c) => c,
            _ => &[],
        }
    }

    /// Whether `req_python` accepts the target.
    pub fn python_ok(&self, req: &PythonReq) -> bool {
        req.range.contains(&self.target)
    }

    fn prereleases_allowed(&self, n: u32) -> bool {
        let p = &self.projects[n as usize];
        match self.prereleases {
            Prereleases::Allow => true,
            Prereleases::Disallow => false,
            Prereleases::IfNecessaryOrExplicit => p.explicit_prerelease || p.only_prereleases,
        }
    }

    /// Whether candidate `i` of project `n` may be chosen.
    pub fn status(&self, n: u32, i: usize) -> Status {
        let c = &self.candidates(n)[i];
        if let Some(reason) = &c.unavailable {
            return Status::Unavailable(reason.clone());
        }
        if let Some(rp) = &c.requires_python {
            if !self.python_ok(rp) {
                return Status::Python(rp.clone());
            }
        }
        if c.yanked && !self.projects[n as usize].pinned.contains(&c.version) {
            return Status::Yanked;
        }
        if c.version.is_prerelease() && !self.prereleases_allowed(n) {
            return Status::Prerelease;
        }
        Status::Ok
    }

    /// The versions from candidate `lo` to `hi` (inclusive) as a set reaching to the neighbouring
    /// candidates, so it reads as a range ("a>=2.0") and covers every version when it is all of them.
    fn run_set(&self, n: u32, lo: usize, hi: usize) -> Ranges<Version> {
        let c = self.candidates(n);
        let start = if lo == 0 { Unbounded } else { Included(c[lo].version.clone()) };
        let end = if hi + 1 >= c.len() { Unbounded } else { Excluded(c[hi + 1].version.clone()) };
        Ranges::from_segment(start, end)
    }

    fn exclusion(
        &self,
        n: u32,
        i: usize,
        status: Status,
    ) -> (Exclusion<Pkg, Version, Reason>, usize) {
        let c = self.candidates(n);
        let (mut lo, mut hi) = (i, i);
        while lo > 0 && self.status(n, lo - 1) == status {
            lo -= 1;
        }
        while hi + 1 < c.len() && self.status(n, hi + 1) == status {
            hi += 1;
        }
        let set = self.run_set(n, lo, hi);
        let e = match status {
            Status::Python(rp) => Exclusion::Requires(set, Pkg::Python, rp.range),
            Status::Unavailable(r) => Exclusion::Unavailable(set, Reason::Unavailable(r)),
            Status::Yanked => Exclusion::Unavailable(set, Reason::Yanked),
            _ => Exclusion::Unavailable(set, Reason::Prerelease),
        };
        (e, lo)
    }

    fn need_versions(&mut self, n: u32) -> Result<(), Need> {
        match self.projects[n as usize].versions {
            Versions::Unknown => {
                self.projects[n as usize].requested = true;
                Err(Need::Versions(n))
            }
            _ => Ok(()),
        }
    }

    /// The version the solver will most likely try for `n` within `range`: the preference, else
    /// the highest allowed one.
    fn likely(&self, n: u32, range: &Ranges<Version>) -> Option<usize> {
        let c = self.candidates(n);
        if let Some(p) = self.preferences.get(&n) {
            if let Ok(i) = c.binary_search_by(|x| x.version.cmp(p)) {
                if range.contains(p) && self.status(n, i) == Status::Ok {
                    return Some(i);
                }
            }
        }
        descending_in(c, range).find(|&i| self.status(n, i) == Status::Ok)
    }

    /// Reads ahead once data arrives: the projects a version's metadata names are announced (so
    /// their versions get fetched), and a project whose versions arrive gets the metadata of its
    /// likely version hinted, before the solver reaches either.
    pub fn read_ahead_requirements(&mut self, requires: &[Requirement]) {
        let none: [String; 0] = [];
        for r in requires {
            if r.marker.as_ref().map_or(true, |m| m.evaluate(&self.env, &none)) {
                let q = self.project_id(&r.name);
                if self.projects[q as usize].first_range.is_none() {
                    self.projects[q as usize].first_range = Some(r.specifier.to_ranges());
                }
            }
        }
    }

    pub fn read_ahead_versions(&mut self, n: u32) {
        let range = self.projects[n as usize].first_range.clone().unwrap_or_else(Ranges::full);
        if let Some(i) = self.likely(n, &range) {
            self.hint_metadata(n, i);
        }
    }

    fn hint_metadata(&mut self, n: u32, i: usize) {
        if let Versions::Known(c) = &mut self.projects[n as usize].versions {
            if c[i].meta.is_none() && !c[i].meta_hinted {
                c[i].meta_hinted = true;
                self.metadata_hints.push((n, i));
            }
        }
    }

    /// Turns requirements into the solver's dependencies: one entry per package with the
    /// intersection of its ranges, `a[x]` becoming both `a` and the extra package.
    fn requirements_to_deps<'r>(
        &mut self,
        reqs: impl Iterator<Item = &'r Requirement>,
    ) -> Result<Vec<(Pkg, Ranges<Version>)>, Reason> {
        let mut out: Vec<(Pkg, Ranges<Version>, String, String)> = Vec::new();
        for r in reqs {
            let q = self.project_id(&r.name);
            let range = r.specifier.to_ranges();
            if self.projects[q as usize].first_range.is_none() {
                self.projects[q as usize].first_range = Some(range.clone());
            }
            let text = r.without_marker();
            let spec: Vec<String> = r.specifier.iter().map(|s| s.to_string()).collect();
            let spec = spec.join(",");
            let mut targets = vec![Pkg::Base(q)];
            for x in &r.extras {
                targets.push(Pkg::Extra(q, self.extras.intern(x)));
            }
            for t in targets {
                match out.iter_mut().find(|(p, _, _, _)| *p == t) {
                    Some(slot) => {
                        let merged = slot.1.intersection(&range);
                        if merged.is_empty() {
                            return Err(Reason::Conflicting(slot.2.clone(), text));
                        }
                        slot.1 = merged;
                        slot.2 = format!("{}, {}", slot.2, text);
                        if !spec.is_empty() {
                            slot.3 = if slot.3.is_empty() {
                                spec.clone()
                            } else {
                                format!("{},{}", slot.3, spec)
                            };
                        }
                    }
                    None => {
                        if range.is_empty() {
                            return Err(Reason::Conflicting(text.clone(), text));
                        }
                        out.push((t, range.clone(), text.clone(), spec.clone()));
                    }
                }
            }
        }
        for (p, range, _, spec) in &out {
            if spec.is_empty() {
                continue;
            }
            // Under the set as written and under its canonical form (what the solver keeps).
            let canonical = self.canonical(p, range);
            for key in std::iter::once(range.clone()).chain(canonical) {
                self.spec_texts.entry((*p, key)).or_insert_with(|| spec.clone());
            }
        }
        Ok(out.into_iter().map(|(p, r, _, _)| (p, r)).collect())
    }

    /// The requirements of candidate `i` of `n` that apply to the target with `extra` requested
    /// (only those `extra` adds, when given).
    pub fn applicable<'m>(
        &self,
        meta: &'m [Requirement],
        extra: Option<&str>,
    ) -> Vec<&'m Requirement> {
        let none: [String; 0] = [];
        meta.iter()
            .filter(|r| match (&r.marker, extra) {
                (None, None) => true,
                (None, Some(_)) => false,
                (Some(m), None) => m.evaluate(&self.env, &none),
                (Some(m), Some(x)) => {
                    m.evaluate(&self.env, &[x.to_string()]) && !m.evaluate(&self.env, &none)
                }
            })
            .collect()
    }

    fn root_dependencies(&mut self) -> Dependencies<Pkg, Version, Reason> {
        let reqs = std::mem::take(&mut self.root_requires);
        let result = self.requirements_to_deps(reqs.iter());
        self.root_requires = reqs;
        match result {
            Ok(mut deps) => {
                if let Some(rp) = &self.root_requires_python {
                    deps.push((Pkg::Python, rp.range.clone()));
                }
                Dependencies::Known(deps)
            }
            Err(reason) => Dependencies::Unavailable(reason),
        }
    }

    fn version_dependencies(
        &mut self,
        n: u32,
        extra: Option<u32>,
        v: &Version,
    ) -> Result<Dependencies<Pkg, Version, Reason>, Need> {
        self.need_versions(n)?;
        let i = match self.candidates(n).binary_search_by(|c| c.version.cmp(v)) {
            Ok(i) => i,
            Err(_) => return Ok(Dependencies::Known(Vec::new())),
        };
        if self.candidates(n)[i].meta.is_none() {
            return Err(Need::Metadata(n, i));
        }
        // Decided again after backjumping: the same answer, without recomputing it.
        if let Some((_, cached)) = self.candidates(n)[i].deps.iter().find(|(e, _)| *e == extra) {
            return Ok(match cached {
                Ok(deps) => Dependencies::Known(deps.clone()),
                Err(reason) => Dependencies::Unavailable(reason.clone()),
            });
        }
        let computed = self.compute_dependencies(n, i, extra, v);
        if let Ok(deps) = &computed {
            for (p, range) in deps {
                if let Pkg::Base(q) | Pkg::Extra(q, _) = p {
                    let q = *q;
                    if !matches!(self.projects[q as usize].versions, Versions::Unknown) {
                        if let Some(j) = self.likely(q, range) {
                            self.hint_metadata(q, j);
                        }
                    }
                }
            }
        }
        if let Versions::Known(c) = &mut self.projects[n as usize].versions {
            c[i].deps.push((extra, computed.clone()));
        }
        Ok(match computed {
            Ok(deps) => Dependencies::Known(deps),
            Err(reason) => Dependencies::Unavailable(reason),
        })
    }

    fn compute_dependencies(
        &mut self,
        n: u32,
        i: usize,
        extra: Option<u32>,
        v: &Version,
    ) -> Result<Vec<(Pkg, Ranges<Version>)>, Reason> {
        // The metadata is taken out while the requirements are turned into dependencies (which
        // needs the layer mutably), and put back after.
        let meta = match &mut self.projects[n as usize].versions {
            Versions::Known(c) => c[i].meta.take(),
            _ => None,
        };
        let result = match &meta {
            None => Ok(Vec::new()),
            Some(Meta::Invalid(msg)) => Err(Reason::InvalidMetadata(msg.clone())),
            Some(Meta::Ok { requires, requires_python }) => match requires_python {
                Some(rp) if !self.python_ok(rp) => Ok(vec![(Pkg::Python, rp.range.clone())]),
                _ => {
                    let x = extra.map(|e| self.extras.name(e).to_string());
                    let applicable = self.applicable(requires, x.as_deref());
                    self.requirements_to_deps(applicable.into_iter())
                }
            },
        };
        if let Versions::Known(c) = &mut self.projects[n as usize].versions {
            c[i].meta = meta;
        }
        let mut deps = result?;
        let owner = match extra {
            Some(e) => Pkg::Extra(n, e),
            None => Pkg::Base(n),
        };
        // A project requiring itself: satisfied by this very version, or a contradiction.
        if let Some(pos) = deps.iter().position(|(p, _)| *p == owner) {
            if deps[pos].1.contains(v) {
                deps.remove(pos);
            } else {
                let text = format!(
                    "{}{}",
                    self.names.name(n),
                    crate::pep440::display_ranges(&deps[pos].1)
                );
                return Err(Reason::Conflicting(text, format!("{}=={}", self.names.name(n), v)));
            }
        }
        if extra.is_some() {
            let base = Ranges::singleton(v.clone());
            match deps.iter_mut().find(|(p, _)| *p == Pkg::Base(n)) {
                Some(slot) => {
                    if !slot.1.contains(v) {
                        let text = format!(
                            "{}{}",
                            self.names.name(n),
                            crate::pep440::display_ranges(&slot.1)
                        );
                        return Err(Reason::Conflicting(
                            text,
                            format!("{}=={}", self.names.name(n), v),
                        ));
                    }
                    slot.1 = base;
                }
                None => deps.insert(0, (Pkg::Base(n), base)),
            }
        }
        Ok(deps)
    }

    /// Records what the user's requirements say about pre-releases and pins of each project.
    pub fn note_root_policies(&mut self) {
        let reqs = std::mem::take(&mut self.root_requires);
        for r in &reqs {
            let n = self.project_id(&r.name);
            if r.specifier.mentions_prerelease() {
                self.projects[n as usize].explicit_prerelease = true;
            }
            for s in r.specifier.iter() {
                let pin = matches!(s.operator(), Operator::ArbitraryEqual)
                    || (matches!(s.operator(), Operator::Equal) && !s.is_wildcard());
                if pin {
                    let p = &mut self.projects[n as usize];
                    p.pinned = p.pinned.union(&s.to_ranges());
                }
            }
        }
        self.root_requires = reqs;
    }
}

/// How many older candidates get their metadata fetched ahead once the solver walks down a
/// project's versions.
const READ_AHEAD_VERSIONS: usize = 2;

/// Priorities: higher is decided first. The core puts packages that keep conflicting above all.
const ROOT: u64 = u64::MAX;
const FORCED: u64 = u64::MAX - 1;

impl Provider<Pkg, Version, Reason> for Layer {
    type Priority = u64;
    type Need = Need;

    fn any_version_in(&self, p: &Pkg, set: &Ranges<Version>) -> Option<bool> {
        match p {
            Pkg::Base(n) | Pkg::Extra(n, _) => match &self.projects[*n as usize].versions {
                Versions::Known(c) => Some(count_in(c, set) > 0),
                _ => None,
            },
            _ => None,
        }
    }

    /// Versions sets snapped to the gaps between the versions that exist: each interval grows to
    /// the neighbouring existing versions (exclusive), so neighbours merge.
    fn canonical(&self, p: &Pkg, set: &Ranges<Version>) -> Option<Ranges<Version>> {
        let n = match p {
            Pkg::Base(n) | Pkg::Extra(n, _) => *n,
            _ => return None,
        };
        let c = match &self.projects[n as usize].versions {
            Versions::Known(c) if !c.is_empty() => c,
            _ => return None,
        };
        Some(Ranges::from_sorted_segments(set.segments().iter().map(|(s, e)| {
            let (lo, hi) = (lower_index(c, s), upper_index(c, e));
            let start = if lo == 0 { Unbounded } else { Excluded(c[lo - 1].version.clone()) };
            let end = if hi >= c.len() { Unbounded } else { Excluded(c[hi].version.clone()) };
            (start, end)
        })))
    }

    fn prioritize(
        &mut self,
        p: &Pkg,
        range: &Ranges<Version>,
        view: &dyn View<Pkg, Version>,
    ) -> Result<u64, Need> {
        let (n, range) = match p {
            Pkg::Root => return Ok(ROOT),
            Pkg::Python => return Ok(FORCED),
            Pkg::Base(n) => (*n, range.clone()),
            Pkg::Extra(n, _) => {
                if let Some(v) = view.decided(&Pkg::Base(*n)) {
                    if range.contains(v) {
                        return Ok(FORCED);
                    }
                }
                let base = view
                    .required_range(&Pkg::Base(*n))
                    .map(|b| b.intersection(range))
                    .unwrap_or_else(|| range.clone());
                (*n, base)
            }
        };
        self.need_versions(n)?;
        if let Pkg::Base(_) = p {
            if let Some(i) = self.likely(n, &range) {
                self.hint_metadata(n, i);
            }
        }
        // Fewest candidates first: conflicts surface early, and a package with one candidate (or
        // none, which fails at once) costs nothing to decide.
        let count = count_in(self.candidates(n), &range) as u64;
        Ok(FORCED - 1 - count.min(FORCED - 2))
    }

    fn choose_version(
        &mut self,
        p: &Pkg,
        range: &Ranges<Version>,
        view: &dyn View<Pkg, Version>,
    ) -> Result<Choice<Pkg, Version, Reason>, Need> {
        let none = |excluded| Ok(Choice { excluded, version: None });
        let n = match p {
            Pkg::Root => {
                return Ok(Choice {
                    excluded: Vec::new(),
                    version: Some(self.root_version.clone()),
                })
            }
            Pkg::Python => {
                let v = Some(self.target.clone()).filter(|t| range.contains(t));
                return Ok(Choice { excluded: Vec::new(), version: v });
            }
            Pkg::Base(n) | Pkg::Extra(n, _) => *n,
        };
        self.need_versions(n)?;
        if let Versions::Missing = self.projects[n as usize].versions {
            return match p {
                Pkg::Base(_) => {
                    none(vec![Exclusion::Unavailable(Ranges::full(), Reason::NotFound)])
                }
                _ => none(Vec::new()),
            };
        }
        let c = self.candidates(n);
        if let Pkg::Extra(..) = p {
            // Follow the base: its decided version, else the best allowed version it may still
            // take; an extra never states facts of its own about its base's versions.
            let base = view.required_range(&Pkg::Base(n)).map(|b| b.intersection(range));
            let pick = base
                .as_ref()
                .and_then(|b| self.likely(n, b))
                .or_else(|| self.likely(n, range))
                .or_else(|| descending_in(c, range).next());
            return Ok(Choice {
                excluded: Vec::new(),
                version: pick.map(|i| c[i].version.clone()),
            });
        }
        if let Some(pref) = self.preferences.get(&n) {
            if range.contains(pref) {
                if let Ok(i) = c.binary_search_by(|x| x.version.cmp(pref)) {
                    if self.status(n, i) == Status::Ok {
                        return Ok(Choice { excluded: Vec::new(), version: Some(pref.clone()) });
                    }
                }
            }
        }
        let mut excluded = Vec::new();
        let mut version = None;
        let indices: Vec<usize> = descending_in(c, range).collect();
        let mut skip_below = usize::MAX;
        for i in indices {
            if i >= skip_below {
                continue;
            }
            match self.status(n, i) {
                Status::Ok => {
                    version = Some(self.candidates(n)[i].version.clone());
                    self.projects[n as usize].tries += 1;
                    if self.projects[n as usize].tries > 1 {
                        let below: Vec<usize> = descending_in(self.candidates(n), range)
                            .filter(|&j| j < i && self.status(n, j) == Status::Ok)
                            .take(READ_AHEAD_VERSIONS)
                            .collect();
                        for j in below {
                            self.hint_metadata(n, j);
                        }
                    }
                    break;
                }
                status => {
                    let (e, lo) = self.exclusion(n, i, status);
                    excluded.push(e);
                    skip_below = lo;
                }
            }
        }
        Ok(Choice { excluded, version })
    }

    fn dependencies(
        &mut self,
        p: &Pkg,
        v: &Version,
    ) -> Result<Dependencies<Pkg, Version, Reason>, Need> {
        match p {
            Pkg::Root => Ok(self.root_dependencies()),
            Pkg::Python => Ok(Dependencies::Known(Vec::new())),
            Pkg::Base(n) => self.version_dependencies(*n, None, v),
            Pkg::Extra(n, e) => self.version_dependencies(*n, Some(*e), v),
        }
    }
}
