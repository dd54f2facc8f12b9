//! PEP 508 dependency specifiers (`name[extra1,extra2] (>=1.0, <2) ; python_version >= "3.8"`),
//! parsed with the grammar of `packaging.requirements.Requirement`.

use super::cursor::Cursor;
use super::marker::{describe, parse_marker, syntax, MarkerTree, Parsed, SyntaxError};
use super::name::normalize_name;
use crate::pep440::{specifier_token_end, VersionSpecifiers};
use std::fmt;
use std::str::FromStr;

/// A parsed requirement. Direct URL references (`name @ https://…`) are refused.
#[derive(Clone, Debug)]
pub struct Requirement {
    /// The project name in PEP 503 normal form (`Foo_Bar` → `foo-bar`).
    pub name: String,
    /// Requested extras in normal form, sorted, without duplicates.
    pub extras: Vec<String>,
    /// The version specifiers (empty: any version).
    pub specifier: VersionSpecifiers,
    /// The environment marker after `;`, if any.
    pub marker: Option<MarkerTree>,
}

/// What the parser found, before the checks that need the whole text.
struct Parts {
    name: String,
    extras: Vec<String>,
    specifier: String,
    url: Option<String>,
    marker: Option<MarkerTree>,
}

fn identifier(cur: &mut Cursor) -> Option<String> {
    let end = cur.identifier_end()?;
    let text = cur.s.get(cur.pos..end)?.to_string();
    cur.pos = end;
    Some(text)
}

fn parse_parts(cur: &mut Cursor) -> Parsed<Parts> {
    cur.ws();
    let name = match identifier(cur) {
        Some(name) => name,
        None => return syntax(cur, "expected a package name at the start of the requirement"),
    };
    cur.ws();
    let extras = parse_extras(cur)?;
    cur.ws();
    let mut parts = Parts { name, extras, specifier: String::new(), url: None, marker: None };
    if cur.eat('@') {
        cur.ws();
        let n = cur.rest().bytes().take_while(|b| *b != b' ' && *b != b'\t').count();
        if n == 0 {
            return syntax(cur, "expected a URL after '@'");
        }
        parts.url = cur.rest().get(..n).map(str::to_string);
        cur.pos += n;
        if !cur.at_end() {
            if !cur.ws() {
                return syntax(cur, "expected whitespace after the URL");
            }
            if !cur.at_end() {
                parts.marker = Some(parse_requirement_marker(
                    cur,
                    "expected ';' (after the URL and whitespace) or the end",
                )?);
            }
        }
    } else {
        parts.specifier = parse_specifier(cur)?;
        cur.ws();
        if !cur.at_end() {
            let expected = if parts.specifier.is_empty() {
                "expected a version specifier, ';' (before a marker) or the end"
            } else {
                "expected ',' (between version specifiers), ';' (before a marker) or the end"
            };
            parts.marker = Some(parse_requirement_marker(cur, expected)?);
        }
    }
    if !cur.at_end() {
        return syntax(cur, "expected the end of the requirement");
    }
    Ok(parts)
}

fn parse_requirement_marker(cur: &mut Cursor, expected: &str) -> Parsed<MarkerTree> {
    if !cur.eat(';') {
        return syntax(cur, expected);
    }
    let marker = parse_marker(cur, 0)?;
    cur.ws();
    Ok(marker)
}

fn parse_extras(cur: &mut Cursor) -> Parsed<Vec<String>> {
    let mut extras = Vec::new();
    if !cur.eat('[') {
        return Ok(extras);
    }
    let open = cur.pos - 1;
    cur.ws();
    if let Some(first) = identifier(cur) {
        extras.push(first);
        loop {
            cur.ws();
            if cur.identifier_end().is_some() {
                return syntax(cur, "expected a comma between extra names");
            }
            if !cur.eat(',') {
                break;
            }
            cur.ws();
            match identifier(cur) {
                Some(extra) => extras.push(extra),
                None => return syntax(cur, "expected an extra name after the comma"),
            }
        }
    }
    cur.ws();
    if !cur.eat(']') {
        return syntax(
            cur,
            format!("expected ']' to close the '[' of the extras at column {}", open + 1),
        );
    }
    Ok(extras)
}

/// `( version_many )` or `version_many`; returns the specifier text as `packaging` collects it.
fn parse_specifier(cur: &mut Cursor) -> Parsed<String> {
    let open = if cur.eat('(') { Some(cur.pos - 1) } else { None };
    cur.ws();
    let mut text = String::new();
    while let Some(end) = specifier_token_end(cur.s, cur.pos) {
        text.push_str(cur.s.get(cur.pos..end).unwrap_or(""));
        cur.pos = end;
        if cur.rest().starts_with(".*") {
            return syntax(cur, "a '.*' suffix can only be used with == or !=");
        }
        let mut label = cur.rest().bytes();
        if label.next() == Some(b'+')
            && label.next().map_or(false, |b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            return syntax(cur, "a local version label can only be used with == or !=");
        }
        cur.ws();
        if !cur.eat(',') {
            break;
        }
        text.push(',');
        cur.ws();
    }
    cur.ws();
    if let Some(open) = open {
        if !cur.eat(')') {
            return syntax(
                cur,
                format!(
                    "expected ')' to close the '(' of the version specifier at column {}",
                    open + 1
                ),
            );
        }
    }
    Ok(text)
}

impl FromStr for Requirement {
    type Err = String;

    /// Parses a requirement as `packaging.requirements.Requirement` does, then normalizes the
    /// name and extras. A direct URL reference is an error.
    fn from_str(input: &str) -> Result<Requirement, String> {
        let mut cur = Cursor::new(input);
        let parts =
            parse_parts(&mut cur).map_err(|e: SyntaxError| describe("requirement", input, e))?;
        if let Some(url) = parts.url {
            return Err(format!(
                "invalid requirement '{}': direct URL references are not supported ('{} @ {}'); name a version from an index instead",
                crate::pep440::version_excerpt(input),
                parts.name,
                crate::pep440::version_excerpt(&url)
            ));
        }
        let specifier: VersionSpecifiers = parts.specifier.parse().map_err(|e| {
            format!("invalid requirement '{}': {}", crate::pep440::version_excerpt(input), e)
        })?;
        let mut extras: Vec<String> = parts.extras.iter().map(|e| normalize_name(e)).collect();
        extras.sort();
        extras.dedup();
        Ok(Requirement {
            name: normalize_name(&parts.name),
            extras,
            specifier,
            marker: parts.marker,
        })
    }
}

impl Requirement {
    /// Parses a requirement (same as `str::parse`).
    pub fn parse(s: &str) -> Result<Requirement, String> {
        s.parse()
    }

    /// The requirement without its marker, normalized: `name[extras]specifiers` (the form lock
    /// files store for a dependency that applies).
    pub fn without_marker(&self) -> String {
        let mut out = self.name.clone();
        if !self.extras.is_empty() {
            out.push('[');
            out.push_str(&self.extras.join(","));
            out.push(']');
        }
        out.push_str(&self.specifier.to_string());
        out
    }
}

impl fmt::Display for Requirement {
    /// `packaging`'s `str(Requirement)` with the name and extras normalized:
    /// `foo-bar[a,b]<2,>=1.0; python_version >= "3.8"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.without_marker())?;
        if let Some(marker) = &self.marker {
            write!(f, "; {}", marker)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(s: &str) -> Requirement {
        s.parse().unwrap_or_else(|e| panic!("{}", e))
    }

    #[test]
    fn parses_every_form() {
        let cases = [
            ("requests", "requests"),
            ("Requests>=2.28", "requests>=2.28"),
            (
                "  Foo_Bar.baz [Security , Socks,socks] ( >=1.0 , <2 ) ; python_version >= '3.8' ",
                "foo-bar-baz[security,socks]<2,>=1.0; python_version >= \"3.8\"",
            ),
            ("name (>=1.0)", "name>=1.0"),
            ("name>=1.0,", "name>=1.0"),
            ("name;os_name=='posix'", "name; os_name == \"posix\""),
            ("name[]", "name"),
            ("name[ a ]==1.0.*", "name[a]==1.0.*"),
            ("name===a,>=1", "name===a,>=1"),
            ("name>=1.0\n", "name>=1.0"),
            ("name==\u{a0}1.0", "name==1.0"),
            ("name ; extra == 'Test_X'", "name; extra == \"test-x\""),
            ("a.b-c_d", "a-b-c-d"),
            ("name~=1.0a1,!=1.0b2", "name!=1.0b2,~=1.0a1"),
        ];
        for (input, shown) in cases {
            assert_eq!(req(input).to_string(), shown, "{:?}", input);
        }
        let r = req("Foo[Bar]>=1; sys_platform == 'linux'");
        assert_eq!((r.name.as_str(), r.extras.clone()), ("foo", vec!["bar".to_string()]));
        assert_eq!(r.specifier.to_string(), ">=1");
        assert_eq!(r.marker.map(|m| m.to_string()).as_deref(), Some("sys_platform == \"linux\""));
        assert_eq!(req("a[x]>=1; os_name == 'nt'").without_marker(), "a[x]>=1");
    }

    #[test]
    fn refuses_bad_requirements() {
        for bad in [
            "",
            " ",
            "-foo",
            "foo-",
            "foo bar",
            "foo[bar",
            "foo[bar baz]",
            "foo[,]",
            "foo>=",
            "foo>=1.0.*",
            "foo<1.0+abc",
            "foo (>=1.0",
            "foo>=1.0)",
            "foo>=1.0;",
            "foo; os_name",
            "foo>=1.0 extra",
            "foo===a,b",
            "foo >= 1.0 , <2 , ~=1",
            "foo==1.0+abc.",
            "foo;os_name=='a' extra",
            "foo\n\n",
            "foo==1.0.*.*",
        ] {
            assert!(bad.parse::<Requirement>().is_err(), "{:?}", bad);
        }
        let err = "foo bar".parse::<Requirement>().unwrap_err();
        assert_eq!(err, "invalid requirement 'foo bar': expected a version specifier, ';' (before a marker) or the end, found 'bar' (column 5)");
    }

    #[test]
    fn direct_urls_are_refused_clearly() {
        for url in ["foo @ https://example.com/foo.whl", "foo@file:///tmp/x ; os_name == 'posix'"] {
            let err = url.parse::<Requirement>().unwrap_err();
            assert!(err.contains("direct URL references are not supported"), "{}", err);
        }
        assert!(!"foo @".parse::<Requirement>().unwrap_err().contains("direct URL"));
    }
}
