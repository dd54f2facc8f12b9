//! One resolution: the solver, the layer, and the protocol around `step` (its wire types are in
//! `solver_ops.rs`).
//!
//! `create` takes the user's requirements, the target marker environment, the Python version,
//! the pre-release policy and preferences. Each `step` call first takes whatever data the driver
//! brings (project versions, version metadata — any amount, in any order) and then runs the
//! solver until it needs something it does not have, answering one of:
//! - need: `versions` (names) and `metadata` (name, version) are required to go on; `prefetch`
//!   and `prefetch_metadata` are hints of what will probably be asked next;
//! - done: the packages of the solution;
//! - failed: the explanation.

use std::collections::{HashMap, HashSet};

use super::layer::{Candidate, Interner, Layer, Meta, Need, Project, PythonReq, Versions};
use super::{Pkg, Reason};
use crate::pep440::Version;
use crate::pep508::{normalize_name, Requirement};
use crate::pubgrub::{explain, Solver, Step, Term};
use crate::ranges::Ranges;
use crate::solver_ops::{
    CreateRequest, ProjectVersions, ResolvedPackage, Stats, StepRequest, StepResponse,
    VersionMetadata,
};

/// Most requirement strings one version's metadata may hold (a bound against hostile input).
const MAX_REQUIREMENTS: usize = 10_000;
/// Most versions one project may list.
const MAX_VERSIONS: usize = 100_000;

pub struct Session {
    pub solver: Solver<Pkg, Version, Reason, u64>,
    pub layer: Layer,
    result: Option<StepResponse>,
}

/// The Python version `Requires-Python` is checked against: the release part of the target's
/// version, at most three numbers (pip checks `sys.version_info[:3]`, so `3.13.0rc1` is `3.13.0`).
fn python_release(text: &str) -> String {
    let release: String =
        text.trim().chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let parts: Vec<&str> = release.split('.').filter(|p| !p.is_empty()).take(3).collect();
    if parts.is_empty() {
        text.to_string()
    } else {
        parts.join(".")
    }
}

impl Session {
    /// Starts a resolution; bad input (a requirement, the environment, a version) is an error.
    pub fn create(request: CreateRequest) -> Result<Session, String> {
        let env = request.environment;
        let python_text = request.python.unwrap_or_else(|| env.python_full_version.clone());
        Version::parse(&python_text)
            .map_err(|e| format!("invalid target Python version: {}", e))?;
        let target = Version::parse(&python_release(&python_text))
            .map_err(|e| format!("invalid target Python version: {}", e))?;
        let root_requires_python = match request.requires_python {
            None => None,
            Some(text) => Some(
                PythonReq::parse(&text)
                    .ok_or_else(|| format!("invalid Requires-Python '{}'", text))?,
            ),
        };
        let mut root_requires = Vec::new();
        let none: [String; 0] = [];
        for text in request.requirements {
            // The parser's message already says "invalid requirement '<text>': …".
            let req = Requirement::parse(&text)?;
            if req.marker.as_ref().map_or(true, |m| m.evaluate(&env, &none)) {
                root_requires.push(req);
            }
        }
        let mut layer = Layer {
            names: Interner::default(),
            extras: Interner::default(),
            projects: Vec::new(),
            env,
            target: target.clone(),
            target_text: python_text.clone(),
            prereleases: request.prereleases,
            preferences: HashMap::new(),
            root_requires,
            root_requires_python,
            root_version: Version::parse("0").map_err(|e| e.to_string())?,
            new_names: Vec::new(),
            metadata_hints: Vec::new(),
            spec_texts: HashMap::new(),
        };
        for (name, text) in request.preferences {
            let version = Version::parse(&text)
                .map_err(|e| format!("invalid preferred version of {}: {}", name, e))?;
            let n = layer.names.intern(&normalize_name(&name));
            layer.preferences.insert(n, version);
        }
        layer.note_root_policies();
        let mut solver = Solver::new(Pkg::Root, layer.root_version.clone());
        let not_target = Ranges::singleton(target).complement();
        solver.add_fact(Pkg::Python, Term::Pos(not_target), Reason::TargetPython(python_text));
        Ok(Session { solver, layer, result: None })
    }

    /// Takes the data the request brings (`versions`, `metadata`) and runs until the next need
    /// or the end.
    pub fn step(&mut self, request: StepRequest) -> Result<StepResponse, String> {
        for item in request.versions {
            self.add_versions(item)?;
        }
        for item in request.metadata {
            self.add_metadata(item);
        }
        if let Some(result) = &self.result {
            return Ok(result.clone());
        }
        let out = match self.solver.step(&mut self.layer) {
            Step::Need(needs) => return Ok(self.needs(needs)),
            Step::Done(solution) => self.solution(solution),
            Step::Failed(id) => StepResponse::Failed {
                explanation: explain(&self.solver, id, &self.layer),
                stats: self.stats(),
            },
        };
        self.result = Some(out.clone());
        Ok(out)
    }

    fn project_for(&mut self, name: &str) -> u32 {
        let n = self.layer.project_id(&normalize_name(name));
        n
    }

    fn add_versions(&mut self, item: ProjectVersions) -> Result<(), String> {
        let n = self.project_for(&item.name);
        if !matches!(self.layer.project(n).versions, Versions::Unknown) {
            return Ok(()); // the first answer stands
        }
        let list = match item.versions {
            None => {
                self.layer.projects[n as usize].versions = Versions::Missing;
                return Ok(());
            }
            Some(list) => list,
        };
        if list.len() > MAX_VERSIONS {
            return Err(format!("{} lists more than {} versions", item.name, MAX_VERSIONS));
        }
        let mut candidates = Vec::with_capacity(list.len());
        for v in list {
            // Versions that are not PEP 440 are skipped, as pip does (old releases on indexes).
            let version = match Version::parse(&v.version) {
                Ok(version) => version,
                Err(_) => continue,
            };
            candidates.push(Candidate {
                version,
                text: v.version,
                yanked: v.yanked,
                requires_python: v.requires_python.as_deref().and_then(PythonReq::parse),
                unavailable: v.unavailable,
                meta: None,
                meta_hinted: false,
                deps: Vec::new(),
            });
        }
        candidates.sort_by(|a, b| a.version.cmp(&b.version));
        // Two spellings of one version (1.0 and 1.0.0): keep the first.
        candidates.dedup_by(|later, earlier| later.version == earlier.version);
        let project: &mut Project = &mut self.layer.projects[n as usize];
        project.only_prereleases =
            !candidates.is_empty() && candidates.iter().all(|c| c.version.is_prerelease());
        project.versions = Versions::Known(candidates);
        self.layer.read_ahead_versions(n);
        Ok(())
    }

    fn add_metadata(&mut self, item: VersionMetadata) {
        let n = match self.layer.names.get(&normalize_name(&item.name)) {
            Some(n) => n,
            None => return,
        };
        let version = match Version::parse(&item.version) {
            Ok(v) => v,
            Err(_) => return,
        };
        let requires = item.requires_dist;
        let meta = if requires.len() > MAX_REQUIREMENTS {
            Meta::Invalid(format!("more than {} requirements", MAX_REQUIREMENTS))
        } else {
            let parsed: Result<Vec<Requirement>, String> = requires
                .iter()
                .map(|r| Requirement::parse(r).map_err(|e| format!("Requires-Dist '{}': {}", r, e)))
                .collect();
            match parsed {
                Ok(reqs) => {
                    self.layer.read_ahead_requirements(&reqs);
                    Meta::Ok {
                        requires: reqs,
                        requires_python: item.requires_python.as_deref().and_then(PythonReq::parse),
                    }
                }
                Err(e) => Meta::Invalid(e),
            }
        };
        if let Versions::Known(c) = &mut self.layer.projects[n as usize].versions {
            if let Ok(i) = c.binary_search_by(|x| x.version.cmp(&version)) {
                if c[i].meta.is_none() {
                    c[i].meta = Some(meta);
                }
            }
        }
    }

    fn needs(&mut self, needs: Vec<Need>) -> StepResponse {
        let layer = &mut self.layer;
        let mut versions: Vec<u32> = Vec::new();
        let mut metadata: Vec<(u32, usize)> = Vec::new();
        let mut seen: HashSet<Need> = HashSet::new();
        for need in needs {
            if !seen.insert(need) {
                continue;
            }
            match need {
                Need::Versions(n) => versions.push(n),
                Need::Metadata(n, i) => metadata.push((n, i)),
            }
        }
        // Every project seen for the first time, needed now or not: the driver fetches its page
        // ahead, and once the page arrives its likely version is hinted in turn. These hints are
        // envknit's only read-ahead (the provider adds nothing of its own but cache peeks).
        let prefetch = std::mem::take(&mut layer.new_names)
            .into_iter()
            .filter(|n| matches!(layer.project(*n).versions, Versions::Unknown))
            .map(|n| layer.names.name(n).to_string())
            .collect();
        // Hinted versions, unless needed now or their metadata arrived since (in the same step).
        let prefetch_metadata = std::mem::take(&mut layer.metadata_hints)
            .into_iter()
            .filter(|(n, i)| !seen.contains(&Need::Metadata(*n, *i)))
            .filter(|(n, i)| layer.candidates(*n).get(*i).map_or(false, |c| c.meta.is_none()))
            .map(|(n, i)| pair(layer, n, i))
            .collect();
        StepResponse::Need {
            versions: versions.iter().map(|n| layer.names.name(*n).to_string()).collect(),
            metadata: metadata.iter().map(|(n, i)| pair(layer, *n, *i)).collect(),
            prefetch,
            prefetch_metadata,
        }
    }

    fn solution(&mut self, solution: Vec<(Pkg, Version)>) -> StepResponse {
        let layer = &self.layer;
        let mut chosen: Vec<(u32, Version, Vec<u32>)> = Vec::new();
        let mut extras: HashMap<u32, Vec<u32>> = HashMap::new();
        for (p, v) in solution {
            match p {
                Pkg::Base(n) => chosen.push((n, v, Vec::new())),
                Pkg::Extra(n, e) => extras.entry(n).or_insert_with(Vec::new).push(e),
                _ => {}
            }
        }
        let mut packages: Vec<ResolvedPackage> = Vec::new();
        for (n, v, _) in chosen {
            let name = layer.names.name(n).to_string();
            let c = layer.candidates(n);
            let cand = c.binary_search_by(|x| x.version.cmp(&v)).ok().map(|i| &c[i]);
            let mut extra_names: Vec<String> = extras.get(&n).map_or(Vec::new(), |es| {
                es.iter().map(|e| layer.extras.name(*e).to_string()).collect()
            });
            extra_names.sort();
            let mut deps: Vec<String> = Vec::new();
            let mut requires_python =
                cand.and_then(|c| c.requires_python.as_ref()).map(|r| r.text.clone());
            if let Some(Some(Meta::Ok { requires, requires_python: rp })) = cand.map(|c| &c.meta) {
                if let Some(rp) = rp {
                    requires_python = Some(rp.text.clone());
                }
                let mut applicable = layer.applicable(requires, None);
                for x in &extra_names {
                    applicable.extend(layer.applicable(requires, Some(x)));
                }
                for r in applicable {
                    let text = r.without_marker();
                    if !deps.contains(&text) {
                        deps.push(text);
                    }
                }
            }
            let version = cand.map_or_else(|| v.to_string(), |c| c.text.clone());
            packages.push(ResolvedPackage {
                name,
                version,
                dependencies: deps,
                requires_python,
                extras: extra_names,
            });
        }
        packages.sort_by(|a, b| a.name.cmp(&b.name));
        StepResponse::Done { packages, stats: self.stats() }
    }

    fn stats(&self) -> Stats {
        let s = self.solver.stats();
        Stats {
            decisions: s.decisions,
            conflicts: s.conflicts,
            propagations: s.propagations,
            incompatibilities: s.incompatibilities,
        }
    }
}

fn pair(layer: &Layer, n: u32, i: usize) -> (String, String) {
    let text = layer.candidates(n).get(i).map_or(String::new(), |c| c.text.clone());
    (layer.names.name(n).to_string(), text)
}
