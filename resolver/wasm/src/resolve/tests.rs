//! The Python layer through its JSON protocol, against an in-memory index.

use std::collections::BTreeMap;

use super::session::Session;
use crate::json::Json;
use crate::solver_ops::{CreateRequest, StepRequest};

/// `solver.create` without the session table: the request decoded, then the session started.
fn create(args: &Json) -> Result<Session, String> {
    Session::create(CreateRequest::decode(args)?)
}

/// `solver.step` on `session` with the data in `data` (a request without its session number).
fn step(session: &mut Session, data: &Json) -> Result<Json, String> {
    let mut args = data.clone();
    if let Json::Obj(members) = &mut args {
        members.push(("session".to_string(), Json::Num(1.0)));
    }
    Ok(session.step(StepRequest::decode(&args)?)?.encode())
}

/// name → [(version, requires_dist, requires_python, yanked, unavailable)]
type Index = BTreeMap<
    &'static str,
    Vec<(&'static str, Vec<&'static str>, Option<&'static str>, bool, Option<&'static str>)>,
>;

fn env(python: &str) -> Json {
    let minor: String = python.split('.').take(2).collect::<Vec<_>>().join(".");
    Json::obj([
        ("implementation_name", Json::str("cpython")),
        ("implementation_version", Json::str(python)),
        ("os_name", Json::str("posix")),
        ("platform_machine", Json::str("x86_64")),
        ("platform_python_implementation", Json::str("CPython")),
        ("platform_release", Json::str("")),
        ("platform_system", Json::str("Linux")),
        ("platform_version", Json::str("")),
        ("python_full_version", Json::str(python)),
        ("python_version", Json::Str(minor)),
        ("sys_platform", Json::str("linux")),
    ])
}

fn versions_of(index: &Index, name: &str) -> Json {
    match index.get(name) {
        None => Json::Null,
        Some(vs) => Json::Arr(
            vs.iter()
                .map(|(v, _, rp, yanked, unavailable)| {
                    Json::obj([
                        ("version", Json::str(*v)),
                        ("yanked", Json::Bool(*yanked)),
                        ("requires_python", rp.map_or(Json::Null, Json::str)),
                        ("unavailable", unavailable.map_or(Json::Null, Json::str)),
                    ])
                })
                .collect(),
        ),
    }
}

fn metadata_of(index: &Index, name: &str, version: &str) -> Json {
    let (_, reqs, rp, _, _) =
        index[name].iter().find(|e| e.0 == version).expect("asked for a version that exists");
    Json::obj([
        ("name", Json::str(name)),
        ("version", Json::str(version)),
        ("requires_dist", Json::Arr(reqs.iter().map(|r| Json::str(*r)).collect())),
        ("requires_python", rp.map_or(Json::Null, Json::str)),
    ])
}

/// Drives a session like `resolver/solve.ts` does, answering needs and hints.
fn drive(args: Json, index: &Index) -> (Json, usize) {
    let mut session = create(&args).expect("create");
    let mut data = Json::obj([("versions", Json::Arr(vec![])), ("metadata", Json::Arr(vec![]))]);
    for round in 0..10_000 {
        let out = step(&mut session, &data).expect("step");
        if out.get("status").and_then(Json::as_str) != Some("need") {
            return (out, round);
        }
        let mut versions = Vec::new();
        let mut metadata = Vec::new();
        for key in ["versions", "prefetch"] {
            for n in out.array_field(key).unwrap() {
                versions.push(Json::obj([
                    ("name", n.clone()),
                    ("versions", versions_of(index, n.as_str().unwrap())),
                ]));
            }
        }
        for key in ["metadata", "prefetch_metadata"] {
            for pair in out.array_field(key).unwrap() {
                let p = pair.as_array().unwrap();
                metadata.push(metadata_of(index, p[0].as_str().unwrap(), p[1].as_str().unwrap()));
            }
        }
        assert!(
            !versions.is_empty() || !metadata.is_empty(),
            "a need with nothing to fetch: {}",
            out.to_json()
        );
        data = Json::obj([("versions", Json::Arr(versions)), ("metadata", Json::Arr(metadata))]);
    }
    panic!("no end");
}

fn request(reqs: &[&str]) -> Json {
    Json::obj([
        ("requirements", Json::Arr(reqs.iter().map(|r| Json::str(*r)).collect())),
        ("environment", env("3.12.0")),
    ])
}

fn with(mut req: Json, key: &str, value: Json) -> Json {
    if let Json::Obj(members) = &mut req {
        members.push((key.to_string(), value));
    }
    req
}

fn solved(out: &Json) -> BTreeMap<String, String> {
    assert_eq!(out.get("status").and_then(Json::as_str), Some("done"), "{}", out.to_json());
    out.array_field("packages")
        .unwrap()
        .iter()
        .map(|p| {
            (p.str_field("name").unwrap().to_string(), p.str_field("version").unwrap().to_string())
        })
        .collect()
}

fn failed(out: &Json) -> String {
    assert_eq!(out.get("status").and_then(Json::as_str), Some("failed"), "{}", out.to_json());
    out.str_field("explanation").unwrap().to_string()
}

fn v(
    version: &'static str,
    reqs: &[&'static str],
) -> (&'static str, Vec<&'static str>, Option<&'static str>, bool, Option<&'static str>) {
    (version, reqs.to_vec(), None, false, None)
}

fn pairs(items: &[(&str, &str)]) -> BTreeMap<String, String> {
    items.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn extras_markers_and_dependencies_in_the_result() {
    let mut index = Index::new();
    index.insert(
        "a",
        vec![v(
            "1.0",
            &[
                "b>=1",
                "win-only; sys_platform == 'win32'",
                "c[fast]; extra == 'x'",
                "d; extra == 'y'",
            ],
        )],
    );
    index.insert("b", vec![v("1.0", &[]), v("2.0", &[])]);
    index.insert("c", vec![v("1.0", &["e; extra == 'fast'"])]);
    index.insert("e", vec![v("3.0", &[])]);
    let (out, _) = drive(request(&["A[X]"]), &index);
    assert_eq!(solved(&out), pairs(&[("a", "1.0"), ("b", "2.0"), ("c", "1.0"), ("e", "3.0")]));
    let a = &out.array_field("packages").unwrap()[0];
    assert_eq!(a.get("extras").unwrap(), &Json::from(vec!["x"]));
    assert_eq!(a.get("dependencies").unwrap(), &Json::from(vec!["b>=1", "c[fast]"]));
    let c = &out.array_field("packages").unwrap()[2];
    assert_eq!(c.get("extras").unwrap(), &Json::from(vec!["fast"]));
    assert_eq!(c.get("dependencies").unwrap(), &Json::from(vec!["e"]));
}

#[test]
fn an_extra_follows_its_base_version() {
    let mut index = Index::new();
    index.insert("a", vec![v("1.0", &["b==1; extra == 'x'"]), v("2.0", &["b==2; extra == 'x'"])]);
    index.insert("b", vec![v("1", &[]), v("2", &[])]);
    index.insert("c", vec![v("1", &["a<2"])]);
    let (out, _) = drive(request(&["a[x]", "c"]), &index);
    assert_eq!(solved(&out), pairs(&[("a", "1.0"), ("b", "1"), ("c", "1")]));
}

#[test]
fn requires_python_counts_whole() {
    let mut index = Index::new();
    index.insert(
        "a",
        vec![
            ("1.0", vec![], Some(">=3.8"), false, None),
            ("2.0", vec![], Some(">=3.13"), false, None),
            ("2.1", vec![], Some(">=3.13"), false, None),
        ],
    );
    index.insert("old", vec![("1.0", vec![], Some("<=3.8"), false, None)]);
    // An upper bound counts as pip counts it: old 1.0 cannot be installed on 3.12.
    let (out, _) = drive(request(&["a"]), &index);
    assert_eq!(solved(&out), pairs(&[("a", "1.0")]));
    let text = failed(&drive(request(&["a", "old"]), &index).0);
    assert!(text.contains("old==1.0 requires Python<=3.8"), "{}", text);
    assert!(text.contains("the target Python version is 3.12.0"), "{}", text);
    let (out, _) = drive(request(&["a>=2"]), &index);
    let text = failed(&out);
    assert!(text.contains("a>=2.0 requires Python>=3.13"), "{}", text);
    assert!(text.contains("the target Python version is 3.12.0"), "{}", text);
    // A capped newer version is passed over for an older one that fits.
    let mut index = Index::new();
    index.insert(
        "c",
        vec![
            ("1.0", vec![], Some(">=3.8"), false, None),
            ("2.0", vec![], Some(">=3.8,<3.12"), false, None),
            ("3.0", vec![], Some(">=3.9, !=3.12.*"), false, None),
        ],
    );
    assert_eq!(solved(&drive(request(&["c"]), &index).0), pairs(&[("c", "1.0")]));
    let text = failed(&drive(request(&["c>=2"]), &index).0);
    assert!(text.contains("c==2.0 requires Python>=3.8, <3.12"), "{}", text);
    assert!(text.contains("!=3.12.*"), "{}", text);
    let at = |python: &str| {
        Json::obj([("requirements", Json::Arr(vec![Json::str("c")])), ("environment", env(python))])
    };
    assert_eq!(solved(&drive(at("3.11.4"), &index).0), pairs(&[("c", "3.0")]));
    assert_eq!(solved(&drive(at("3.13.1"), &index).0), pairs(&[("c", "3.0")]));
    // The target's release counts, as pip's sys.version_info[:3]: 3.13.0rc1 is 3.13.0.
    let mut index = Index::new();
    index.insert("n", vec![("1.0", vec![], Some(">=3.13"), false, None)]);
    let rc = Json::obj([
        ("requirements", Json::Arr(vec![Json::str("n")])),
        ("environment", env("3.13.0rc1")),
    ]);
    assert_eq!(solved(&drive(rc, &index).0), pairs(&[("n", "1.0")]));
    // Requires-Python that only the metadata states counts too.
    let mut index = Index::new();
    index.insert("m", vec![v("1.0", &[]), ("2.0", vec![], None, false, None)]);
    index.get_mut("m").unwrap()[1].2 = None;
    let (out, _) = drive(request(&["m"]), &index);
    assert_eq!(solved(&out), pairs(&[("m", "2.0")]));
}

#[test]
fn root_requires_python_is_checked() {
    let index = Index::new();
    let (out, _) = drive(with(request(&[]), "requires_python", Json::str(">=3.13")), &index);
    let text = failed(&out);
    assert!(
        text.contains("your project requires Python>=3.13") && text.contains("3.12.0"),
        "{}",
        text
    );
}

#[test]
fn yanked_versions_only_when_the_user_pins_them() {
    let mut index = Index::new();
    index.insert("a", vec![v("1.0", &[]), ("2.0", vec![], None, true, None)]);
    index.insert("b", vec![v("1.0", &["a==2.0"])]);
    assert_eq!(solved(&drive(request(&["a"]), &index).0), pairs(&[("a", "1.0")]));
    assert_eq!(solved(&drive(request(&["a==2.0"]), &index).0), pairs(&[("a", "2.0")]));
    assert_eq!(solved(&drive(request(&["a===2.0"]), &index).0), pairs(&[("a", "2.0")]));
    let text = failed(&drive(request(&["b"]), &index).0);
    assert!(text.contains("a==2.0 is yanked"), "{}", text);
}

#[test]
fn prerelease_policy() {
    let mut index = Index::new();
    index.insert("a", vec![v("1.0", &[]), v("2.0b1", &[])]);
    index.insert("only", vec![v("1.0a1", &[]), v("1.0a2", &[])]);
    index.insert("dep", vec![v("1", &["a>=2.0b1"])]);
    assert_eq!(
        solved(&drive(request(&["a", "only"]), &index).0),
        pairs(&[("a", "1.0"), ("only", "1.0a2")])
    );
    assert_eq!(solved(&drive(request(&["a>=2.0b1"]), &index).0), pairs(&[("a", "2.0b1")]));
    assert_eq!(
        solved(&drive(with(request(&["a"]), "prereleases", Json::str("allow")), &index).0),
        pairs(&[("a", "2.0b1")])
    );
    let text = failed(&drive(request(&["dep"]), &index).0);
    assert!(text.contains("a==2.0b1 is a pre-release"), "{}", text);
    let text =
        failed(&drive(with(request(&["only"]), "prereleases", Json::str("disallow")), &index).0);
    assert!(text.contains("is a pre-release"), "{}", text);
}

#[test]
fn preferences_are_kept_when_possible() {
    let mut index = Index::new();
    index.insert("a", vec![v("1.0", &[]), v("2.0", &[]), v("3.0", &[])]);
    let prefs = Json::obj([("A", Json::str("2.0"))]);
    assert_eq!(
        solved(&drive(with(request(&["a"]), "preferences", prefs.clone()), &index).0),
        pairs(&[("a", "2.0")])
    );
    assert_eq!(
        solved(&drive(with(request(&["a>2"]), "preferences", prefs), &index).0),
        pairs(&[("a", "3.0")])
    );
}

#[test]
fn unavailable_versions_missing_packages_and_broken_metadata() {
    let mut index = Index::new();
    index.insert(
        "a",
        vec![
            v("1.0", &[]),
            (
                "2.0",
                vec![],
                None,
                false,
                Some("no wheel for CPython 3.12 on manylinux_2_17_x86_64"),
            ),
        ],
    );
    index.insert("b", vec![v("1.0", &["zzz"])]);
    index.insert("c", vec![v("1.0", &[]), v("2.0", &["not a requirement!"])]);
    assert_eq!(
        solved(&drive(request(&["a", "c"]), &index).0),
        pairs(&[("a", "1.0"), ("c", "1.0")])
    );
    let text = failed(&drive(request(&["a>=2"]), &index).0);
    assert!(text.contains("a==2.0 has no usable wheel (no wheel for CPython 3.12"), "{}", text);
    assert!(text.contains("envknit installs wheels only"), "{}", text);
    let text = failed(&drive(request(&["b"]), &index).0);
    assert!(text.contains("zzz was not found in the package index"), "{}", text);
    let text = failed(&drive(request(&["c>=2"]), &index).0);
    assert!(text.contains("the metadata of c==2.0 is invalid"), "{}", text);
}

#[test]
fn conflicting_requirements_read_naturally() {
    let mut index = Index::new();
    index.insert("a", vec![v("1.0", &["b==2.0", "b==1.0"])]);
    index.insert("b", vec![v("1.0", &[]), v("2.0", &[])]);
    let text = failed(&drive(request(&["a==1.0", "a==2.0"]), &index).0);
    assert!(text.contains("you require both a==1.0 and a==2.0"), "{}", text);
    let text = failed(&drive(request(&["a"]), &index).0);
    assert!(text.contains("a==1.0 depends on both b==2.0 and b==1.0"), "{}", text);
}

#[test]
fn explanation_of_a_transitive_conflict() {
    let mut index = Index::new();
    index.insert("a", vec![v("1.0", &["b>=2"])]);
    index.insert("b", vec![v("1.0", &[]), v("2.0", &[])]);
    let text = failed(&drive(request(&["a", "b<2"]), &index).0);
    assert!(text.contains("a==1.0 depends on b>=2"), "{}", text);
    assert!(text.contains("you require b<2"), "{}", text);
    assert!(text.ends_with("your requirements cannot be satisfied."), "{}", text);
}

#[test]
fn bad_input_is_an_error() {
    for (args, needle) in [
        (request(&["a >>> 1"]), "invalid requirement"),
        (with(request(&[]), "python", Json::str("three")), "invalid target Python"),
        (with(request(&[]), "prereleases", Json::str("sometimes")), "pre-release policy"),
        (with(request(&[]), "requires_python", Json::str(">=>3")), "Requires-Python"),
        (
            with(request(&[]), "preferences", Json::obj([("a", Json::str("x.y"))])),
            "preferred version",
        ),
        (Json::obj([("requirements", Json::Arr(vec![]))]), "marker environment"),
    ] {
        let err = create(&args).err().unwrap_or_else(|| panic!("accepted {}", args.to_json()));
        assert!(err.contains(needle), "{} / {}", err, needle);
    }
    let mut s = create(&request(&["a"])).unwrap();
    assert!(step(&mut s, &Json::obj([("versions", Json::str("x"))])).is_err());
    let bad_versions = Json::obj([(
        "versions",
        Json::Arr(vec![Json::obj([
            ("name", Json::str("a")),
            ("versions", Json::Arr(vec![Json::obj([("version", Json::str("not-a-version"))])])),
        ])]),
    )]);
    let out = step(&mut s, &bad_versions).unwrap();
    assert!(failed(&out).contains("a has no versions"));
}

/// A tiny deterministic generator of hostile JSON for the session protocol.
struct Gen(u64);

impl Gen {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }

    fn text(&mut self) -> String {
        const PIECES: [&str; 16] = [
            "a",
            "1.0",
            "2.0b1",
            ">=",
            "<",
            ",",
            ";",
            "extra == 'x'",
            "[",
            "]",
            " ",
            "!",
            "==",
            "9999999999999999999999",
            "é",
            "+l",
        ];
        (0..self.next(6)).map(|_| PIECES[self.next(PIECES.len() as u64) as usize]).collect()
    }

    fn value(&mut self, depth: u32) -> Json {
        match if depth > 2 { self.next(4) } else { self.next(7) } {
            0 => Json::Null,
            1 => Json::Bool(self.next(2) == 0),
            2 => Json::Num(self.next(5) as f64 - 1.5),
            3 => Json::Str(self.text()),
            4 => Json::Arr((0..self.next(3)).map(|_| self.value(depth + 1)).collect()),
            _ => {
                let keys = [
                    "name",
                    "version",
                    "versions",
                    "requires_dist",
                    "requires_python",
                    "yanked",
                    "unavailable",
                ];
                Json::obj(
                    (0..self.next(5))
                        .map(|_| {
                            (keys[self.next(keys.len() as u64) as usize], self.value(depth + 1))
                        })
                        .collect::<Vec<_>>(),
                )
            }
        }
    }
}

#[test]
fn hostile_protocol_input_is_an_error_never_a_panic() {
    let mut g = Gen(99);
    let (mut ok, mut err) = (0, 0);
    for _ in 0..3000 {
        let mut session = create(&request(&["a", "b[x]>=1"])).unwrap();
        for _ in 0..4 {
            // Mostly well-shaped lists with hostile contents, sometimes anything at all.
            let versions = if g.next(4) == 0 {
                g.value(1)
            } else {
                Json::Arr(
                    (0..g.next(3))
                        .map(|_| {
                            let name = Json::str(["a", "b", "c"][g.next(3) as usize]);
                            let list = Json::Arr(
                                (0..g.next(4))
                                    .map(|_| {
                                        Json::obj([
                                            ("version", Json::Str(g.text())),
                                            ("yanked", g.value(2)),
                                        ])
                                    })
                                    .collect(),
                            );
                            Json::obj([
                                ("name", name),
                                ("versions", if g.next(5) == 0 { g.value(2) } else { list }),
                            ])
                        })
                        .collect(),
                )
            };
            let metadata = if g.next(4) == 0 {
                g.value(1)
            } else {
                Json::Arr(
                    (0..g.next(3))
                        .map(|_| {
                            let reqs =
                                Json::Arr((0..g.next(4)).map(|_| Json::Str(g.text())).collect());
                            Json::obj([
                                ("name", Json::str(["a", "b", "c"][g.next(3) as usize])),
                                ("version", Json::Str(g.text())),
                                ("requires_dist", reqs),
                                (
                                    "requires_python",
                                    if g.next(2) == 0 { Json::Null } else { Json::Str(g.text()) },
                                ),
                            ])
                        })
                        .collect(),
                )
            };
            let data = Json::obj([("versions", versions), ("metadata", metadata)]);
            match step(&mut session, &data) {
                Ok(_) => ok += 1,
                Err(_) => err += 1,
            }
        }
    }
    assert!(ok > 100 && err > 100, "{} ok, {} errors", ok, err);
}
