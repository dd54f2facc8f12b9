//! The `solver` wire contract against the examples in `resolver/testdata/wire/*.json`, which
//! `resolver/wire_test.ts` checks on the TypeScript side: every request and answer decodes into
//! its typed struct and encodes back to the same JSON, and every call, run through the ABI,
//! answers what the example says.
//!
//! An example is `{"about": "…", "calls": [{"op", "args", "ok" | "error"}, …]}`. Session numbers
//! in it are labels: the `ok.session` of a `solver.create` names the session for the calls that
//! follow, and is mapped to the number the module really gives.

use std::collections::HashMap;

use crate::abi::handle;
use crate::json::Json;
use crate::solver_ops::{CreateRequest, CreateResponse, SessionRequest, StepRequest, StepResponse};

fn examples() -> Vec<(String, Json)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/wire");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("resolver/testdata/wire")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().map_or(false, |e| e == "json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no examples in {}", dir);
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("a readable example");
            let json = Json::parse(&text).unwrap_or_else(|e| panic!("{}: {}", path.display(), e));
            (path.file_name().unwrap().to_string_lossy().into_owned(), json)
        })
        .collect()
}

/// The calls of an example, as (op, args, response), the response being `{"ok": …}` or
/// `{"error": …}` as the ABI answers.
fn calls(example: &Json) -> Vec<(String, Json, Json)> {
    example
        .array_field("calls")
        .expect("'calls'")
        .iter()
        .map(|call| {
            let op = call.str_field("op").expect("'op'").to_string();
            let args = call.get("args").cloned().unwrap_or(Json::Null);
            let response = match (call.get("ok"), call.get("error")) {
                (Some(ok), None) => Json::obj([("ok", ok.clone())]),
                (None, Some(error)) => Json::obj([("error", error.clone())]),
                _ => panic!("a call has either 'ok' or 'error': {}", call.to_json()),
            };
            (op, args, response)
        })
        .collect()
}

/// `value` with the members of every object sorted by name: the contract does not fix their order.
fn sorted(value: &Json) -> Json {
    match value {
        Json::Arr(items) => Json::Arr(items.iter().map(sorted).collect()),
        Json::Obj(members) => {
            let mut members: Vec<(String, Json)> =
                members.iter().map(|(k, v)| (k.clone(), sorted(v))).collect();
            members.sort_by(|a, b| a.0.cmp(&b.0));
            Json::Obj(members)
        }
        other => other.clone(),
    }
}

fn must<T>(decoded: Result<T, String>, what: &str) -> T {
    decoded.unwrap_or_else(|e| panic!("{}: {}", what, e))
}

fn same(encoded: Json, written: &Json, what: &str) {
    assert_eq!(sorted(&encoded).to_json(), sorted(written).to_json(), "{}", what);
}

#[test]
fn every_example_decodes_and_encodes_back_unchanged() {
    let mut checked = 0;
    for (file, example) in examples() {
        for (i, (op, args, response)) in calls(&example).into_iter().enumerate() {
            // Arguments of refused calls are bad on purpose; only accepted calls are the contract.
            let ok = match response.get("ok") {
                Some(ok) => ok,
                None => continue,
            };
            let what = format!("{} call {} ({})", file, i, op);
            match op.as_str() {
                "solver.create" => {
                    same(must(CreateRequest::decode(&args), &what).encode(), &args, &what);
                    same(must(CreateResponse::decode(ok), &what).encode(), ok, &what);
                }
                "solver.step" => {
                    same(must(StepRequest::decode(&args), &what).encode(), &args, &what);
                    same(must(StepResponse::decode(ok), &what).encode(), ok, &what);
                }
                "solver.drop" => {
                    same(must(SessionRequest::decode(&args), &what).encode(), &args, &what);
                    assert_eq!(ok, &Json::Bool(true), "{}", what);
                }
                _ => panic!("{}: not a solver op", what),
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {} accepted calls in the examples", checked);
}

#[test]
fn every_example_answers_as_written() {
    for (file, example) in examples() {
        let mut sessions: HashMap<u32, u32> = HashMap::new();
        for (i, (op, mut args, expected)) in calls(&example).into_iter().enumerate() {
            if let Json::Obj(members) = &mut args {
                for (key, value) in members.iter_mut() {
                    if let (true, Json::Num(n)) = (key == "session", &*value) {
                        if let Some(real) = sessions.get(&(*n as u32)) {
                            *value = Json::Num(*real as f64);
                        }
                    }
                }
            }
            let request = Json::obj([("op", Json::str(op.as_str())), ("args", args)]);
            let mut answer = handle(&request.to_json());
            if op == "solver.create" {
                let label =
                    expected.get("ok").and_then(|ok| ok.get("session")).and_then(Json::as_f64);
                let real = answer.get("ok").and_then(|ok| ok.get("session")).and_then(Json::as_f64);
                if let (Some(label), Some(real)) = (label, real) {
                    sessions.insert(label as u32, real as u32);
                    answer = Json::obj([("ok", Json::obj([("session", Json::Num(label))]))]);
                }
            }
            same(answer, &expected, &format!("{} call {} ({})", file, i, op));
        }
    }
}

#[test]
fn absent_and_null_members_take_their_defaults_and_unknown_ones_are_refused() {
    let env = crate::pep508::MarkerEnvironment::default().to_json();
    let short = Json::obj([("requirements", Json::from(vec!["a"])), ("environment", env.clone())]);
    let nulls = Json::obj([
        ("requirements", Json::from(vec!["a"])),
        ("environment", env.clone()),
        ("python", Json::Null),
        ("requires_python", Json::Null),
        ("prereleases", Json::Null),
        ("preferences", Json::Null),
    ]);
    let full = CreateRequest::decode(&short).unwrap();
    assert_eq!(CreateRequest::decode(&nulls).unwrap(), full);
    assert_eq!(CreateRequest::decode(&full.encode()).unwrap(), full);
    let step = StepRequest::decode(&Json::obj([("session", Json::Num(3.0))])).unwrap();
    assert!(step.versions.is_empty() && step.metadata.is_empty());
    let odd = Json::obj([("session", Json::Num(3.0)), ("version", Json::Arr(vec![]))]);
    let error = StepRequest::decode(&odd).unwrap_err();
    assert!(error.starts_with("unknown field 'version'"), "{}", error);
    for bad in [Json::Num(-1.0), Json::Num(1.5), Json::Num(5e9), Json::str("1")] {
        let error = SessionRequest::decode(&Json::obj([("session", bad)])).unwrap_err();
        assert!(error.contains("'session' must be a whole number"), "{}", error);
    }
}
