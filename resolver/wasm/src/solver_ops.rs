//! The `solver` op group: sessions of the sans-IO resolver (see `resolve::session`), and the
//! wire contract of its operations, declared once here as typed requests and responses:
//!
//! | op | args | ok |
//! |----|------|----|
//! | `solver.create` | [`CreateRequest`] | [`CreateResponse`] `{session}` |
//! | `solver.step` | [`StepRequest`] (data in, then run) | [`StepResponse`]: need / done / failed |
//! | `solver.drop` | [`SessionRequest`] `{session}` | `true` |
//!
//! Each type has `decode` (bad input is an error naming the field, never a panic; a member that
//! is `null` counts as absent; unknown members are refused) and `encode`, which writes every
//! member (`null` for an absent optional one). `resolver/wire.ts` declares the same shapes for
//! TypeScript, and `resolver/testdata/wire/*.json` holds examples of every op that both sides
//! check: `cargo test` decodes and re-encodes each one and runs it through [`crate::abi`], and
//! `deno test` validates each against the TypeScript types and runs it through the real wasm.
//!
//! Sessions live in this module until dropped; the module is single-threaded (wasm).

use std::cell::RefCell;
use std::collections::HashMap;

use crate::json::{Fields, Json};
use crate::pep508::MarkerEnvironment;
use crate::resolve::session::Session;
use crate::resolve::Prereleases;

thread_local! {
    static SESSIONS: RefCell<(u32, HashMap<u32, Session>)> = RefCell::new((0, HashMap::new()));
}

/// Most sessions alive at once: a caller that never drops them gets an error, not unbounded memory.
const MAX_SESSIONS: usize = 256;

/// `solver.create`: what to resolve, and for which target.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateRequest {
    /// The root PEP 508 requirements.
    pub requirements: Vec<String>,
    /// The target marker environment.
    pub environment: MarkerEnvironment,
    /// The target Python version, when not `environment.python_full_version`.
    pub python: Option<String>,
    /// The project's own Requires-Python.
    pub requires_python: Option<String>,
    /// `if-necessary-or-explicit` (when absent), `allow` or `disallow`.
    pub prereleases: Prereleases,
    /// Name → version to keep when possible, in the caller's order.
    pub preferences: Vec<(String, String)>,
}

/// `solver.create`'s answer.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateResponse {
    pub session: u32,
}

/// `solver.step`: the data the driver brings (any amount, in any order) for a session.
#[derive(Clone, Debug, PartialEq)]
pub struct StepRequest {
    pub session: u32,
    pub versions: Vec<ProjectVersions>,
    pub metadata: Vec<VersionMetadata>,
}

/// The versions of one project; `versions: null` when no index has it.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectVersions {
    pub name: String,
    pub versions: Option<Vec<CandidateVersion>>,
}

/// One version of a project, as the provider lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct CandidateVersion {
    pub version: String,
    pub yanked: bool,
    pub requires_python: Option<String>,
    /// Why no file of this version can be installed on the target.
    pub unavailable: Option<String>,
}

/// The metadata of one version.
#[derive(Clone, Debug, PartialEq)]
pub struct VersionMetadata {
    pub name: String,
    pub version: String,
    pub requires_dist: Vec<String>,
    pub requires_python: Option<String>,
}

/// `solver.step`'s answer.
#[derive(Clone, Debug, PartialEq)]
pub enum StepResponse {
    /// `versions` and `metadata` are needed to go on; `prefetch` (project names) and
    /// `prefetch_metadata` are what the solver will probably ask next (see `resolve::session`).
    Need {
        versions: Vec<String>,
        metadata: Vec<(String, String)>,
        prefetch: Vec<String>,
        prefetch_metadata: Vec<(String, String)>,
    },
    /// A solution, sorted by name.
    Done { packages: Vec<ResolvedPackage>, stats: Stats },
    /// No solution, and why.
    Failed { explanation: String, stats: Stats },
}

/// One package of a solution.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedPackage {
    pub name: String,
    pub version: String,
    /// The Requires-Dist that apply (markers true, chosen extras), without markers.
    pub dependencies: Vec<String>,
    pub requires_python: Option<String>,
    /// The extras of this package that were requested.
    pub extras: Vec<String>,
}

/// Work counters of a finished resolution.
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    pub decisions: u64,
    pub conflicts: u64,
    pub propagations: u64,
    pub incompatibilities: u64,
}

/// `solver.drop` (and anything else naming just a session).
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRequest {
    pub session: u32,
}

/// The largest whole number a JSON number (an f64) holds exactly.
const MAX_COUNT: u64 = (1 << 53) - 1;

fn session(f: &Fields) -> Result<u32, String> {
    f.whole("session", u32::MAX as u64).map(|n| n as u32)
}

fn opt(value: &Option<String>) -> Json {
    value.as_ref().map_or(Json::Null, |s| Json::str(s.as_str()))
}

fn strs(values: &[String]) -> Json {
    Json::Arr(values.iter().map(|s| Json::str(s.as_str())).collect())
}

fn pairs(values: &[(String, String)]) -> Json {
    Json::Arr(
        values
            .iter()
            .map(|(a, b)| Json::Arr(vec![Json::str(a.as_str()), Json::str(b.as_str())]))
            .collect(),
    )
}

fn decode_pair(value: &Json, at: &str) -> Result<(String, String), String> {
    match value.as_array() {
        Some([Json::Str(a), Json::Str(b)]) => Ok((a.clone(), b.clone())),
        _ => Err(format!("'{}' must be a [name, version] pair", at)),
    }
}

fn prereleases_name(p: Prereleases) -> &'static str {
    match p {
        Prereleases::IfNecessaryOrExplicit => "if-necessary-or-explicit",
        Prereleases::Allow => "allow",
        Prereleases::Disallow => "disallow",
    }
}

impl CreateRequest {
    pub fn decode(args: &Json) -> Result<CreateRequest, String> {
        let f = Fields::of(
            args,
            "",
            &[
                "requirements",
                "environment",
                "python",
                "requires_python",
                "prereleases",
                "preferences",
            ],
        )?;
        let prereleases = match f.opt_string("prereleases")?.as_deref() {
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
        let preferences = match f.get("preferences") {
            None => Vec::new(),
            Some(Json::Obj(members)) => members
                .iter()
                .map(|(name, v)| match v {
                    Json::Str(version) => Ok((name.clone(), version.clone())),
                    _ => Err(format!("'preferences.{}' must be a version string", name)),
                })
                .collect::<Result<_, String>>()?,
            Some(_) => return Err("'preferences' must be an object of name -> version".to_string()),
        };
        Ok(CreateRequest {
            requirements: f.strings("requirements")?,
            environment: MarkerEnvironment::from_json(f.get("environment").unwrap_or(&Json::Null))?,
            python: f.opt_string("python")?,
            requires_python: f.opt_string("requires_python")?,
            prereleases,
            preferences,
        })
    }

    pub fn encode(&self) -> Json {
        Json::obj([
            ("requirements", strs(&self.requirements)),
            ("environment", self.environment.to_json()),
            ("python", opt(&self.python)),
            ("requires_python", opt(&self.requires_python)),
            ("prereleases", Json::str(prereleases_name(self.prereleases))),
            (
                "preferences",
                Json::obj(
                    self.preferences.iter().map(|(n, v)| (n.as_str(), Json::str(v.as_str()))),
                ),
            ),
        ])
    }
}

impl CreateResponse {
    pub fn decode(value: &Json) -> Result<CreateResponse, String> {
        let f = Fields::of(value, "", &["session"])?;
        Ok(CreateResponse { session: session(&f)? })
    }

    pub fn encode(&self) -> Json {
        Json::obj([("session", Json::Num(self.session as f64))])
    }
}

impl SessionRequest {
    pub fn decode(args: &Json) -> Result<SessionRequest, String> {
        let f = Fields::of(args, "", &["session"])?;
        Ok(SessionRequest { session: session(&f)? })
    }

    pub fn encode(&self) -> Json {
        Json::obj([("session", Json::Num(self.session as f64))])
    }
}

impl StepRequest {
    pub fn decode(args: &Json) -> Result<StepRequest, String> {
        let f = Fields::of(args, "", &["session", "versions", "metadata"])?;
        Ok(StepRequest {
            session: session(&f)?,
            versions: f.list("versions", ProjectVersions::decode)?,
            metadata: f.list("metadata", VersionMetadata::decode)?,
        })
    }

    pub fn encode(&self) -> Json {
        Json::obj([
            ("session", Json::Num(self.session as f64)),
            ("versions", Json::Arr(self.versions.iter().map(ProjectVersions::encode).collect())),
            ("metadata", Json::Arr(self.metadata.iter().map(VersionMetadata::encode).collect())),
        ])
    }
}

impl ProjectVersions {
    pub fn decode(value: &Json, at: &str) -> Result<ProjectVersions, String> {
        let f = Fields::of(value, at, &["name", "versions"])?;
        let versions = match f.get("versions") {
            None => None,
            Some(_) => Some(f.list("versions", CandidateVersion::decode)?),
        };
        Ok(ProjectVersions { name: f.string("name")?, versions })
    }

    pub fn encode(&self) -> Json {
        let versions = self
            .versions
            .as_ref()
            .map_or(Json::Null, |vs| Json::Arr(vs.iter().map(CandidateVersion::encode).collect()));
        Json::obj([("name", Json::str(self.name.as_str())), ("versions", versions)])
    }
}

impl CandidateVersion {
    pub fn decode(value: &Json, at: &str) -> Result<CandidateVersion, String> {
        let f = Fields::of(value, at, &["version", "yanked", "requires_python", "unavailable"])?;
        Ok(CandidateVersion {
            version: f.string("version")?,
            yanked: f.flag("yanked")?,
            requires_python: f.opt_string("requires_python")?,
            unavailable: f.opt_string("unavailable")?,
        })
    }

    pub fn encode(&self) -> Json {
        Json::obj([
            ("version", Json::str(self.version.as_str())),
            ("yanked", Json::Bool(self.yanked)),
            ("requires_python", opt(&self.requires_python)),
            ("unavailable", opt(&self.unavailable)),
        ])
    }
}

impl VersionMetadata {
    pub fn decode(value: &Json, at: &str) -> Result<VersionMetadata, String> {
        let f = Fields::of(value, at, &["name", "version", "requires_dist", "requires_python"])?;
        Ok(VersionMetadata {
            name: f.string("name")?,
            version: f.string("version")?,
            requires_dist: f.strings("requires_dist")?,
            requires_python: f.opt_string("requires_python")?,
        })
    }

    pub fn encode(&self) -> Json {
        Json::obj([
            ("name", Json::str(self.name.as_str())),
            ("version", Json::str(self.version.as_str())),
            ("requires_dist", strs(&self.requires_dist)),
            ("requires_python", opt(&self.requires_python)),
        ])
    }
}

impl StepResponse {
    pub fn decode(value: &Json) -> Result<StepResponse, String> {
        let status = match value.get("status") {
            Some(Json::Str(s)) => s.as_str(),
            _ => return Err("'status' must be need, done or failed".to_string()),
        };
        match status {
            "need" => {
                let f = Fields::of(
                    value,
                    "",
                    &["status", "versions", "metadata", "prefetch", "prefetch_metadata"],
                )?;
                Ok(StepResponse::Need {
                    versions: f.strings("versions")?,
                    metadata: f.list("metadata", decode_pair)?,
                    prefetch: f.strings("prefetch")?,
                    prefetch_metadata: f.list("prefetch_metadata", decode_pair)?,
                })
            }
            "done" => {
                let f = Fields::of(value, "", &["status", "packages", "stats"])?;
                Ok(StepResponse::Done {
                    packages: f.list("packages", ResolvedPackage::decode)?,
                    stats: Stats::decode(f.get("stats").unwrap_or(&Json::Null))?,
                })
            }
            "failed" => {
                let f = Fields::of(value, "", &["status", "explanation", "stats"])?;
                Ok(StepResponse::Failed {
                    explanation: f.string("explanation")?,
                    stats: Stats::decode(f.get("stats").unwrap_or(&Json::Null))?,
                })
            }
            other => Err(format!("unknown status '{}' (need, done, failed)", other)),
        }
    }

    pub fn encode(&self) -> Json {
        match self {
            StepResponse::Need { versions, metadata, prefetch, prefetch_metadata } => Json::obj([
                ("status", Json::str("need")),
                ("versions", strs(versions)),
                ("metadata", pairs(metadata)),
                ("prefetch", strs(prefetch)),
                ("prefetch_metadata", pairs(prefetch_metadata)),
            ]),
            StepResponse::Done { packages, stats } => Json::obj([
                ("status", Json::str("done")),
                ("packages", Json::Arr(packages.iter().map(ResolvedPackage::encode).collect())),
                ("stats", stats.encode()),
            ]),
            StepResponse::Failed { explanation, stats } => Json::obj([
                ("status", Json::str("failed")),
                ("explanation", Json::str(explanation.as_str())),
                ("stats", stats.encode()),
            ]),
        }
    }
}

impl ResolvedPackage {
    pub fn decode(value: &Json, at: &str) -> Result<ResolvedPackage, String> {
        let f = Fields::of(
            value,
            at,
            &["name", "version", "dependencies", "requires_python", "extras"],
        )?;
        Ok(ResolvedPackage {
            name: f.string("name")?,
            version: f.string("version")?,
            dependencies: f.strings("dependencies")?,
            requires_python: f.opt_string("requires_python")?,
            extras: f.strings("extras")?,
        })
    }

    pub fn encode(&self) -> Json {
        Json::obj([
            ("name", Json::str(self.name.as_str())),
            ("version", Json::str(self.version.as_str())),
            ("dependencies", strs(&self.dependencies)),
            ("requires_python", opt(&self.requires_python)),
            ("extras", strs(&self.extras)),
        ])
    }
}

impl Stats {
    pub fn decode(value: &Json) -> Result<Stats, String> {
        let f = Fields::of(
            value,
            "stats",
            &["decisions", "conflicts", "propagations", "incompatibilities"],
        )?;
        Ok(Stats {
            decisions: f.whole("decisions", MAX_COUNT)?,
            conflicts: f.whole("conflicts", MAX_COUNT)?,
            propagations: f.whole("propagations", MAX_COUNT)?,
            incompatibilities: f.whole("incompatibilities", MAX_COUNT)?,
        })
    }

    pub fn encode(&self) -> Json {
        Json::obj([
            ("decisions", Json::Num(self.decisions as f64)),
            ("conflicts", Json::Num(self.conflicts as f64)),
            ("propagations", Json::Num(self.propagations as f64)),
            ("incompatibilities", Json::Num(self.incompatibilities as f64)),
        ])
    }
}

/// Runs `solver.<name>`.
pub fn dispatch(name: &str, args: &Json) -> Result<Json, String> {
    match name {
        "create" => {
            let session = Session::create(CreateRequest::decode(args)?)?;
            SESSIONS.with(|s| {
                let mut s = s.borrow_mut();
                if s.1.len() >= MAX_SESSIONS {
                    return Err(format!(
                        "too many open resolver sessions ({}); drop finished ones",
                        MAX_SESSIONS
                    ));
                }
                s.0 = s.0.wrapping_add(1);
                let id = s.0;
                s.1.insert(id, session);
                Ok(CreateResponse { session: id }.encode())
            })
        }
        "step" => {
            let request = StepRequest::decode(args)?;
            let id = request.session;
            // Taken out while it runs, so nothing else can observe a half-updated session.
            let mut session = SESSIONS
                .with(|s| s.borrow_mut().1.remove(&id))
                .ok_or_else(|| format!("no resolver session {}", id))?;
            let out = session.step(request);
            SESSIONS.with(|s| s.borrow_mut().1.insert(id, session));
            out.map(|response| response.encode())
        }
        "drop" => {
            let id = SessionRequest::decode(args)?.session;
            SESSIONS.with(|s| s.borrow_mut().1.remove(&id));
            Ok(Json::Bool(true))
        }
        _ => Err(format!("unknown op 'solver.{}'", name)),
    }
}
