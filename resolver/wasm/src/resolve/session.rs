//! One resolution: the solver, the layer, and the JSON protocol around `step`.
//!
//! `create` takes the user's requirements, the target marker environment, the Python version,
//! the pre-release policy and preferences. Each `step` call first takes whatever data the driver
//! brings (project versions, version metadata — any amount, in any order) and then runs the
//! solver until it needs something it does not have, answering one of:
//! - `{"status": "need", "versions": [names], "metadata": [[name, version]], "prefetch": [names],
//!   "prefetch_metadata": [[name, version]]}` — the first two are required to go on, the others
//!   are hints of what will probably be asked next;
//! - `{"status": "done", "packages": [...]}`;
//! - `{"status": "failed", "explanation": "…"}`.

use std::collections::{HashMap, HashSet};

use super::layer::{Candidate, Interner, Layer, Meta, Need, Project, PythonReq, Versions};
use super::{Pkg, Prereleases, Reason};
use crate::json::Json;
use crate::pep440::Version;
use crate::pep508::{normalize_name, MarkerEnvironment, Requirement};
use crate::pubgrub::{explain, Solver, Step, Term};
use crate::ranges::Ranges;

/// Most requirement strings one version's metadata may hold (a bound against hostile input).
const MAX_REQUIREMENTS: usize = 10_000;
/// Most versions one project may list.
const MAX_VERSIONS: usize = 100_000;

pub struct Session {
    pub solver: Solver<Pkg, Version, Reason, u64>,
    pub layer: Layer,
    result: Option<Json>,
}

fn strings(args: &Json, key: &str) -> Result<Vec<String>, String> {
    match args.get(key) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Arr(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("'{}' must be a list of strings", key))
            })
            .collect(),
        Some(_) => Err(format!("'{}' must be a list of strings", key)),
    }
}

fn opt_str<'a>(args: &'a Json, key: &str) -> Result<Option<&'a str>, String> {
    match args.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Str(s)) => Ok(Some(s)),
        Some(_) => Err(format!("'{}' must be a string", key)),
    }
}

impl Session {
    /// Starts a resolution; bad input (a requirement, the environment, a version) is an error.
    pub fn create(args: &Json) -> Result<Session, String> {
        let env = MarkerEnvironment::from_json(args.get("environment").unwrap_or(&Json::Null))?;
        let python_text = opt_str(args, "python")?.unwrap_or(&env.python_full_version).to_string();
        let target = Version::parse(&python_text)
            .map_err(|e| format!("invalid target Python version: {}", e))?;
        let prereleases = match opt_str(args, "prereleases")? {
            None | Some("if-necessary-or-explicit") => Prereleases::IfNecessaryOrExplicit,
            Some("allow") => Prereleases::Allow,
            Some("disallow") => Prereleases::Disallow,
            Some(other) => {
                return Err(format!(
                    "unknown pre-release policy '{}' (if-necessary-or-explicit, allow, disallow)",
                    other
                ))
            }
        };
        let root_requires_python = match opt_str(args, "requires_python")? {
            None => None,
            Some(text) => Some(
                PythonReq::parse(text)
                    .ok_or_else(|| format!("invalid Requires-Python '{}'", text))?,
            ),
        };
        let mut root_requires = Vec::new();
        let none: [String; 0] = [];
        for text in strings(args, "requirements")? {
            let req = Requirement::parse(&text)
                .map_err(|e| format!("invalid requirement '{}': {}", text, e))?;
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
            prereleases,
            preferences: HashMap::new(),
            root_requires,
            root_requires_python,
            root_version: Version::parse("0").map_err(|e| e.to_string())?,
            new_names: Vec::new(),
            metadata_hints: Vec::new(),
            spec_texts: HashMap::new(),
        };
        match args.get("preferences") {
            None | Some(Json::Null) => {}
            Some(Json::Obj(members)) => {
                for (name, v) in members {
                    let text = v.as_str().ok_or("preferences map names to version strings")?;
                    let version = Version::parse(text)
                        .map_err(|e| format!("invalid preferred version of {}: {}", name, e))?;
                    let n = layer.names.intern(&normalize_name(name));
                    layer.preferences.insert(n, version);
                }
            }
            Some(_) => return Err("'preferences' must be an object of name -> version".to_string()),
        }
        layer.note_root_policies();
        let mut solver = Solver::new(Pkg::Root, layer.root_version.clone());
        let not_target = Ranges::singleton(target).complement();
        solver.add_fact(Pkg::Python, Term::Pos(not_target), Reason::TargetPython(python_text));
        Ok(Session { solver, layer, result: None })
    }

    /// Takes the data in `args` (`versions`, `metadata`) and runs until the next need or the end.
    pub fn step(&mut self, args: &Json) -> Result<Json, String> {
        if let Some(versions) = args.get("versions") {
            for item in versions.as_array().ok_or("'versions' must be a list")? {
                self.add_versions(item)?;
            }
        }
        if let Some(metadata) = args.get("metadata") {
            for item in metadata.as_array().ok_or("'metadata' must be a list")? {
                self.add_metadata(item)?;
            }
        }
        if let Some(result) = &self.result {
            return Ok(result.clone());
        }
        let out = match self.solver.step(&mut self.layer) {
            Step::Need(needs) => self.needs(needs),
            Step::Done(solution) => self.solution(solution),
            Step::Failed(id) => {
                let text = explain(&self.solver, id, &self.layer);
                Json::obj([
                    ("status", Json::str("failed")),
                    ("explanation", Json::Str(text)),
                    ("stats", self.stats()),
                ])
            }
        };
        if out.get("status").and_then(Json::as_str) != Some("need") {
            self.result = Some(out.clone());
        }
        Ok(out)
    }

    fn project_for(&mut self, name: &str) -> u32 {
        let n = self.layer.project_id(&normalize_name(name));
        n
    }

    fn add_versions(&mut self, item: &Json) -> Result<(), String> {
        let name = item.str_field("name")?;
        let n = self.project_for(name);
        if !matches!(self.layer.project(n).versions, Versions::Unknown) {
            return Ok(()); // the first answer stands
        }
        let list = match item.get("versions") {
            None | Some(Json::Null) => {
                self.layer.projects[n as usize].versions = Versions::Missing;
                return Ok(());
            }
            Some(Json::Arr(list)) => list,
            Some(_) => return Err(format!("versions of {} must be a list or null", name)),
        };
        if list.len() > MAX_VERSIONS {
            return Err(format!("{} lists more than {} versions", name, MAX_VERSIONS));
        }
        let mut candidates = Vec::with_capacity(list.len());
        for v in list {
            let text = v.str_field("version")?;
            // Versions that are not PEP 440 are skipped, as pip does (old releases on indexes).
            let version = match Version::parse(text) {
                Ok(version) => version,
                Err(_) => continue,
            };
            let requires_python = match opt_str(v, "requires_python")? {
                Some(rp) => PythonReq::parse(rp),
                None => None,
            };
            let unavailable = opt_str(v, "unavailable")?.map(str::to_string);
            candidates.push(Candidate {
                version,
                text: text.to_string(),
                yanked: v.get("yanked").and_then(Json::as_bool).unwrap_or(false),
                requires_python,
                unavailable,
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

    fn add_metadata(&mut self, item: &Json) -> Result<(), String> {
        let name = item.str_field("name")?;
        let version_text = item.str_field("version")?;
        let n = match self.layer.names.get(&normalize_name(name)) {
            Some(n) => n,
            None => return Ok(()),
        };
        let version = match Version::parse(version_text) {
            Ok(v) => v,
            Err(_) => return Ok(()),
        };
        let requires = strings(item, "requires_dist")?;
        let requires_python = opt_str(item, "requires_python")?.map(str::to_string);
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
                        requires_python: requires_python.as_deref().and_then(PythonReq::parse),
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
        Ok(())
    }

    fn needs(&mut self, needs: Vec<Need>) -> Json {
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
        // Every project seen for the first time, needed now or not: the provider may read ahead
        // from there (its likely version's metadata as soon as its page arrives).
        let prefetch: Vec<Json> = std::mem::take(&mut layer.new_names)
            .into_iter()
            .filter(|n| matches!(layer.project(*n).versions, Versions::Unknown))
            .map(|n| Json::str(layer.names.name(n)))
            .collect();
        let hints: Vec<Json> = std::mem::take(&mut layer.metadata_hints)
            .into_iter()
            .filter(|(n, i)| !seen.contains(&Need::Metadata(*n, *i)))
            .map(|(n, i)| pair(layer, n, i))
            .collect();
        Json::obj([
            ("status", Json::str("need")),
            (
                "versions",
                Json::Arr(versions.iter().map(|n| Json::str(layer.names.name(*n))).collect()),
            ),
            ("metadata", Json::Arr(metadata.iter().map(|(n, i)| pair(layer, *n, *i)).collect())),
            ("prefetch", Json::Arr(prefetch)),
            ("prefetch_metadata", Json::Arr(hints)),
        ])
    }

    fn solution(&mut self, solution: Vec<(Pkg, Version)>) -> Json {
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
        let mut packages: Vec<(String, Json)> = Vec::new();
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
            let version_text = cand.map_or_else(|| v.to_string(), |c| c.text.clone());
            packages.push((
                name.clone(),
                Json::obj([
                    ("name", Json::Str(name)),
                    ("version", Json::Str(version_text)),
                    ("dependencies", Json::from(deps)),
                    ("requires_python", Json::from(requires_python)),
                    ("extras", Json::from(extra_names)),
                ]),
            ));
        }
        packages.sort_by(|a, b| a.0.cmp(&b.0));
        Json::obj([
            ("status", Json::str("done")),
            ("packages", Json::Arr(packages.into_iter().map(|(_, p)| p).collect())),
            ("stats", self.stats()),
        ])
    }

    fn stats(&self) -> Json {
        let s = self.solver.stats();
        Json::obj([
            ("decisions", Json::Num(s.decisions as f64)),
            ("conflicts", Json::Num(s.conflicts as f64)),
            ("propagations", Json::Num(s.propagations as f64)),
            ("incompatibilities", Json::Num(s.incompatibilities as f64)),
        ])
    }
}

fn pair(layer: &Layer, n: u32, i: usize) -> Json {
    let text = layer.candidates(n).get(i).map_or(String::new(), |c| c.text.clone());
    Json::Arr(vec![Json::str(layer.names.name(n)), Json::Str(text)])
}
