//! The `pep` operation group of the wasm interface: PEP 440 versions and specifiers, PEP 508
//! requirements and markers, PEP 503 names. Every operation takes a JSON object; passing
//! `{"batch": [args, …]}` instead runs it once per element and answers
//! `[{"ok": …} | {"error": "…"}, …]`, so callers can check thousands of cases in one call.
//!
//! | op | args | result |
//! |----|------|--------|
//! | `version_normalize` | `{version}` | normal form |
//! | `version_info` | `{version}` | `{normalized, prerelease, postrelease, devrelease, local}` |
//! | `version_compare` | `{a, b}` | `-1`, `0` or `1` |
//! | `versions_sort` | `{versions}` | the same strings in PEP 440 order (stable) |
//! | `specifier_normalize` | `{specifier}` | `packaging`'s string form |
//! | `specifier_contains` | `{specifier, version \| versions, prereleases?}` | bool or bools |
//! | `specifier_ranges` | `{specifier, versions?}` | `{ranges, mentions_prerelease, in_ranges?}` |
//! | `requirement_parse` | `{requirement}` | `{name, extras, specifier, marker, normalized}` |
//! | `marker_normalize` | `{marker}` | normal form |
//! | `marker_evaluate` | `{marker, environment, extras?}` | bool |
//! | `name_normalize` | `{name}` | PEP 503 form (the name must be valid) |

use crate::json::Json;
use crate::pep440::{display_ranges, Version, VersionSpecifiers};
use crate::pep508::{validate_name, MarkerEnvironment, MarkerTree, Requirement};
use std::cmp::Ordering;

/// Runs operation `name` of the `pep` group.
pub fn dispatch(name: &str, args: &Json) -> Result<Json, String> {
    if let Some(items) = args.get("batch") {
        let items = items.as_array().ok_or("'batch' must be an array")?;
        let results = items
            .iter()
            .map(|item| match run(name, item) {
                Ok(value) => Json::obj([("ok", value)]),
                Err(message) => Json::obj([("error", Json::Str(message))]),
            })
            .collect();
        return Ok(Json::Arr(results));
    }
    run(name, args)
}

fn version(args: &Json, field: &str) -> Result<Version, String> {
    args.str_field(field)?.parse()
}

fn strings<'a>(args: &'a Json, field: &str) -> Result<Vec<&'a str>, String> {
    args.array_field(field)?
        .iter()
        .map(|v| v.as_str().ok_or_else(|| format!("'{}' must hold strings", field)))
        .collect()
}

fn ordering(o: Ordering) -> Json {
    Json::Num(match o {
        Ordering::Less => -1.0,
        Ordering::Equal => 0.0,
        Ordering::Greater => 1.0,
    })
}

fn run(name: &str, args: &Json) -> Result<Json, String> {
    match name {
        "version_normalize" => Ok(Json::Str(version(args, "version")?.to_string())),
        "version_info" => {
            let v = version(args, "version")?;
            Ok(Json::obj([
                ("normalized", Json::Str(v.to_string())),
                ("prerelease", Json::Bool(v.is_prerelease())),
                ("postrelease", Json::Bool(v.is_postrelease())),
                ("devrelease", Json::Bool(v.is_devrelease())),
                ("local", Json::Bool(v.is_local())),
            ]))
        }
        "version_compare" => Ok(ordering(version(args, "a")?.cmp(&version(args, "b")?))),
        "versions_sort" => {
            let texts = strings(args, "versions")?;
            let mut parsed = texts
                .iter()
                .map(|t| t.parse::<Version>().map(|v| (v, *t)))
                .collect::<Result<Vec<_>, String>>()?;
            parsed.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(Json::Arr(parsed.into_iter().map(|(_, t)| Json::str(t)).collect()))
        }
        "specifier_normalize" => Ok(Json::Str(specifiers(args)?.to_string())),
        "specifier_contains" => {
            let specs = specifiers(args)?;
            let prereleases = match args.get("prereleases") {
                None | Some(Json::Null) => None,
                Some(Json::Bool(b)) => Some(*b),
                Some(_) => return Err("'prereleases' must be true, false or null".to_string()),
            };
            if args.get("versions").is_some() {
                let items = strings(args, "versions")?;
                Ok(Json::Arr(
                    items.iter().map(|v| Json::Bool(specs.contains_str(v, prereleases))).collect(),
                ))
            } else {
                Ok(Json::Bool(specs.contains_str(args.str_field("version")?, prereleases)))
            }
        }
        "specifier_ranges" => {
            let specs = specifiers(args)?;
            let ranges = specs.to_ranges();
            let mut out = vec![
                ("ranges", Json::Str(display_ranges(&ranges))),
                ("mentions_prerelease", Json::Bool(specs.mentions_prerelease())),
            ];
            if args.get("versions").is_some() {
                let items = strings(args, "versions")?;
                let answers = items
                    .iter()
                    .map(|t| {
                        t.parse::<Version>().map_or(Json::Null, |v| Json::Bool(ranges.contains(&v)))
                    })
                    .collect();
                out.push(("in_ranges", Json::Arr(answers)));
            }
            Ok(Json::obj(out))
        }
        "requirement_parse" => {
            let req: Requirement = args.str_field("requirement")?.parse()?;
            Ok(Json::obj([
                ("name", Json::Str(req.name.clone())),
                ("extras", Json::Arr(req.extras.iter().map(|e| Json::str(e.as_str())).collect())),
                ("specifier", Json::Str(req.specifier.to_string())),
                ("marker", req.marker.as_ref().map_or(Json::Null, |m| Json::Str(m.to_string()))),
                ("normalized", Json::Str(req.to_string())),
            ]))
        }
        "marker_normalize" => {
            Ok(Json::Str(args.str_field("marker")?.parse::<MarkerTree>()?.to_string()))
        }
        "marker_evaluate" => {
            let marker: MarkerTree = args.str_field("marker")?.parse()?;
            let env = MarkerEnvironment::from_json(args.get("environment").unwrap_or(&Json::Null))?;
            let extras = match args.get("extras") {
                None | Some(Json::Null) => Vec::new(),
                Some(_) => strings(args, "extras")?.into_iter().map(str::to_string).collect(),
            };
            marker.try_evaluate(&env, &extras).map(Json::Bool)
        }
        "name_normalize" => Ok(Json::Str(validate_name(args.str_field("name")?)?)),
        _ => Err(format!("unknown op 'pep.{}'", name)),
    }
}

fn specifiers(args: &Json) -> Result<VersionSpecifiers, String> {
    args.str_field("specifier")?.parse()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::handle;

    fn call(request: &str) -> Json {
        handle(request)
    }

    #[test]
    fn answers_through_the_abi() {
        let ok =
            |r: &str| call(r).get("ok").cloned().unwrap_or_else(|| panic!("{}: {:?}", r, call(r)));
        assert_eq!(
            ok(r#"{"op":"pep.version_normalize","args":{"version":"V1.0-RC1"}}"#),
            Json::str("1.0rc1")
        );
        assert_eq!(
            ok(r#"{"op":"pep.version_compare","args":{"a":"1.0","b":"1.0.0"}}"#),
            Json::Num(0.0)
        );
        assert_eq!(
            ok(r#"{"op":"pep.versions_sort","args":{"versions":["2","1.0.post1","1.0","1.0a1"]}}"#),
            Json::Arr(["1.0a1", "1.0", "1.0.post1", "2"].iter().map(|s| Json::str(*s)).collect())
        );
        assert_eq!(
            ok(
                r#"{"op":"pep.specifier_contains","args":{"specifier":">=1,<2","versions":["1.5","2.0rc1"]}}"#
            ),
            Json::Arr(vec![Json::Bool(true), Json::Bool(false)])
        );
        assert_eq!(
            ok(r#"{"op":"pep.name_normalize","args":{"name":"Foo.Bar"}}"#),
            Json::str("foo-bar")
        );
        let req = ok(
            r#"{"op":"pep.requirement_parse","args":{"requirement":"Foo[X] (>=1) ; os_name=='nt'"}}"#,
        );
        assert_eq!(req.get("normalized"), Some(&Json::str("foo[x]>=1; os_name == \"nt\"")));
        let err = call(r#"{"op":"pep.version_normalize","args":{"version":"x.y"}}"#);
        assert!(err
            .get("error")
            .and_then(Json::as_str)
            .unwrap_or("")
            .starts_with("invalid version 'x.y'"));
        let batch = ok(
            r#"{"op":"pep.version_normalize","args":{"batch":[{"version":"1.0"},{"version":"?"}]}}"#,
        );
        let items = batch.as_array().unwrap_or(&[]);
        assert_eq!(items[0].get("ok"), Some(&Json::str("1.0")));
        assert!(items[1].get("error").is_some());
    }
}
