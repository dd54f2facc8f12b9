//! PEP 440 version specifiers (`>=1.0`, `~=2.2`, `==1.4.*`, `!=1.5`, `===foo`) and comma-separated
//! sets of them, with `packaging` 26's parsing, normal form and `contains` semantics.

use super::chars::{is_py_space, py_strip};
use super::num::ZERO;
use super::version::{excerpt, scan, BodyRules, Version};
use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

/// A comparison operator of a version specifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `==V`, `==V.*` (prefix match), `==V+local` (exact).
    Equal,
    /// `!=V`, `!=V.*`.
    NotEqual,
    /// `<=V`.
    LessThanEqual,
    /// `>=V`.
    GreaterThanEqual,
    /// `<V`: excludes pre-releases of `V` unless `V` is one.
    LessThan,
    /// `>V`: excludes post-releases and local versions of `V` unless `V` is a post-release.
    GreaterThan,
    /// `~=V`: `>=V` and `==` the release of `V` without its last number, `.*`.
    Compatible,
    /// `===text`: the candidate's string equals `text`, ignoring case.
    ArbitraryEqual,
}

impl Operator {
    /// The operator as written (`>=`).
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Equal => "==",
            Operator::NotEqual => "!=",
            Operator::LessThanEqual => "<=",
            Operator::GreaterThanEqual => ">=",
            Operator::LessThan => "<",
            Operator::GreaterThan => ">",
            Operator::Compatible => "~=",
            Operator::ArbitraryEqual => "===",
        }
    }
}

/// One version specifier such as `>=1.0` or `==1.4.*`.
#[derive(Clone, Debug)]
pub struct VersionSpecifier {
    op: Operator,
    /// The version as written (whitespace stripped), `.*` included; `packaging` displays it so.
    text: String,
    /// The parsed version (for `==V.*`, `V`); `None` only for `===` with a non-version text.
    version: Option<Version>,
    wildcard: bool,
}

/// Finds the operator at the start of `s`: `(operator, its length)`.
fn operator_at(s: &str) -> Option<(Operator, usize)> {
    const OPS: [(&str, Operator); 8] = [
        ("===", Operator::ArbitraryEqual),
        ("==", Operator::Equal),
        ("!=", Operator::NotEqual),
        ("~=", Operator::Compatible),
        ("<=", Operator::LessThanEqual),
        (">=", Operator::GreaterThanEqual),
        ("<", Operator::LessThan),
        (">", Operator::GreaterThan),
    ];
    OPS.iter().find(|(text, _)| s.starts_with(text)).map(|(text, op)| (*op, text.len()))
}

fn rules_for(op: Operator) -> BodyRules {
    match op {
        Operator::Equal | Operator::NotEqual => {
            BodyRules { wildcard: true, local: true, min_release: 1 }
        }
        Operator::Compatible => BodyRules { wildcard: false, local: false, min_release: 2 },
        _ => BodyRules { wildcard: false, local: false, min_release: 1 },
    }
}

fn skip_space(s: &str, mut i: usize) -> usize {
    while let Some(c) = s.get(i..).and_then(|t| t.chars().next()) {
        if !is_py_space(c) {
            break;
        }
        i += c.len_utf8();
    }
    i
}

/// Where the specifier that starts at byte `pos` of `s` ends, matching as `packaging`'s
/// requirement tokenizer does (its specifier regex, anchored at `pos` but not at the end).
pub(crate) fn token_end(s: &str, pos: usize) -> Option<usize> {
    let (op, len) = operator_at(s.get(pos..)?)?;
    let start = skip_space(s, pos + len);
    if op == Operator::ArbitraryEqual {
        let mut i = start;
        while let Some(c) = s.get(i..).and_then(|t| t.chars().next()) {
            if is_py_space(c) || c == ';' || c == ')' {
                break;
            }
            i += c.len_utf8();
        }
        return Some(i);
    }
    scan(s, start, &rules_for(op)).ok().map(|sc| sc.end)
}

impl FromStr for VersionSpecifier {
    type Err = String;

    /// Parses one specifier as `packaging.specifiers.Specifier` does: an operator, optional
    /// whitespace, a version (a local label and `.*` only after `==`/`!=`; at least two release
    /// numbers after `~=`; anything without whitespace, `;` or `)` after `===`).
    fn from_str(input: &str) -> Result<VersionSpecifier, String> {
        let s = py_strip(input);
        let fail = |why: String| Err(format!("invalid specifier '{}': {}", excerpt(input), why));
        let (op, len) =
            match operator_at(s) {
                Some(found) => found,
                None => return fail(
                    "expected an operator (==, !=, <=, >=, <, >, ~=, ===) followed by a version"
                        .to_string(),
                ),
            };
        let start = skip_space(s, len);
        let body = s.get(start..).unwrap_or("");
        if op == Operator::ArbitraryEqual {
            if let Some(c) = body.chars().find(|c| is_py_space(*c) || *c == ';' || *c == ')') {
                return fail(format!("the text after === cannot contain {:?}", c));
            }
            return Ok(VersionSpecifier {
                op,
                text: body.to_string(),
                version: body.parse().ok(),
                wildcard: false,
            });
        }
        let rules = rules_for(op);
        let sc = match scan(body, 0, &rules) {
            Ok(sc) => sc,
            Err(at) => {
                let why = if op == Operator::Compatible && at > 0 {
                    "~= needs a version with at least two release numbers, e.g. ~=1.4".to_string()
                } else if body.is_empty() {
                    format!("expected a version after '{}'", op.as_str())
                } else {
                    format!(
                        "'{}' is not a version: it must start with a number, e.g. '1.0'",
                        excerpt(body)
                    )
                };
                return fail(why);
            }
        };
        if sc.end < body.len() {
            let rest = body.get(sc.end..).unwrap_or("");
            let why = if rest.starts_with(".*") && rules.wildcard {
                "'.*' must follow the release numbers directly, e.g. ==1.2.*".to_string()
            } else if rest.starts_with(".*") {
                format!("'.*' is only allowed after == and !=, not after {}", op.as_str())
            } else if rest.starts_with('+') && !rules.local {
                format!(
                    "a local version label (+...) is only allowed after == and !=, not after {}",
                    op.as_str()
                )
            } else {
                format!(
                    "unexpected '{}' after '{}'",
                    excerpt(rest),
                    excerpt(body.get(..sc.end).unwrap_or(""))
                )
            };
            return fail(why);
        }
        Ok(VersionSpecifier {
            op,
            text: body.to_string(),
            version: Some(sc.to_version()),
            wildcard: sc.wildcard,
        })
    }
}

impl VersionSpecifier {
    /// The operator.
    pub fn operator(&self) -> Operator {
        self.op
    }

    /// The version (`V` for `==V.*`); `None` only for `===` with text that is not a version.
    pub fn version(&self) -> Option<&Version> {
        self.version.as_ref()
    }

    /// Whether this is a prefix match `==V.*` / `!=V.*`.
    pub fn is_wildcard(&self) -> bool {
        self.wildcard
    }

    /// The version text as written (`1.4.*`, `foo` for `===foo`).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether `v` satisfies this specifier, pre-releases allowed (`packaging`'s
    /// `contains(v, prereleases=True)`). `===` compares `v`'s normal form with the text.
    pub fn contains(&self, v: &Version) -> bool {
        let sv = match &self.version {
            Some(sv) => sv,
            None => {
                return self.op == Operator::ArbitraryEqual
                    && v.to_string() == self.text.to_lowercase()
            }
        };
        match self.op {
            Operator::Equal => self.equal(v, sv),
            Operator::NotEqual => !self.equal(v, sv),
            Operator::LessThanEqual => v.cmp_public(sv) != Ordering::Greater,
            Operator::GreaterThanEqual => v.cmp_public(sv) != Ordering::Less,
            Operator::LessThan => {
                v < sv && !(!sv.is_prerelease() && v.is_prerelease() && *v >= sv.with_dev0())
            }
            Operator::GreaterThan => {
                v > sv
                    && !(!sv.is_postrelease() && v.is_postrelease() && v.post_base_equals(sv))
                    && !(v.is_local() && v.cmp_public(sv) == Ordering::Equal)
            }
            Operator::Compatible => {
                v.cmp_public(sv) != Ordering::Less
                    && prefix_match(v, sv, sv.release_len().saturating_sub(1))
            }
            Operator::ArbitraryEqual => v.to_string() == self.text.to_lowercase(),
        }
    }

    fn equal(&self, v: &Version, sv: &Version) -> bool {
        if self.wildcard {
            prefix_match(v, sv, sv.release_len())
        } else if sv.is_local() {
            v == sv
        } else {
            v.cmp_public(sv) == Ordering::Equal
        }
    }

    /// Whether `packaging` would let pre-releases through because of this specifier (its
    /// `Specifier.prereleases`): the version is a pre-release and the operator is not `!=`
    /// or a `==V.*` prefix match.
    pub fn mentions_prerelease(&self) -> bool {
        self.op != Operator::NotEqual
            && !(self.op == Operator::Equal && self.wildcard)
            && self.version.as_ref().map_or(false, Version::is_prerelease)
    }

    /// The key under which `packaging` considers two specifiers the same (`>=1.0` = `>=1.0.0`).
    fn canonical(&self) -> (Operator, String) {
        match &self.version {
            Some(v) if !self.wildcard && self.op != Operator::ArbitraryEqual => {
                let text = if self.op == Operator::Compatible {
                    v.to_string()
                } else {
                    v.to_string_trimmed()
                };
                (self.op, text)
            }
            _ => (self.op, self.text.clone()),
        }
    }
}

/// `packaging`'s prefix matching (`==V.*`): same epoch and the first `n` release numbers of `v`
/// (padded with zeros) equal those of `prefix`; pre/post/dev/local parts of `v` do not matter.
fn prefix_match(v: &Version, prefix: &Version, n: usize) -> bool {
    let (ve, vr) = v.release_parts();
    let (pe, pr) = prefix.release_parts();
    ve == pe && (0..n).all(|i| vr.get(i).unwrap_or(&ZERO) == pr.get(i).unwrap_or(&ZERO))
}

impl fmt::Display for VersionSpecifier {
    /// The operator followed by the version as written (`packaging`'s `str(Specifier)`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.op.as_str(), self.text)
    }
}

/// A comma-separated set of specifiers, all of which must hold (`>=1.0, !=1.3, <2`).
/// The empty set allows every version.
#[derive(Clone, Debug, Default)]
pub struct VersionSpecifiers {
    specs: Vec<VersionSpecifier>,
}

impl From<VersionSpecifier> for VersionSpecifiers {
    fn from(spec: VersionSpecifier) -> VersionSpecifiers {
        VersionSpecifiers { specs: vec![spec] }
    }
}

impl FromStr for VersionSpecifiers {
    type Err = String;

    /// Parses as `packaging.specifiers.SpecifierSet`: split on commas, empty items ignored
    /// (`""`, `">=1,"`), each item a [`VersionSpecifier`].
    fn from_str(input: &str) -> Result<VersionSpecifiers, String> {
        let mut specs = Vec::new();
        for item in input.split(',') {
            let item = py_strip(item);
            if !item.is_empty() {
                specs.push(item.parse()?);
            }
        }
        Ok(VersionSpecifiers { specs })
    }
}

impl VersionSpecifiers {
    /// Parses a set (same as `str::parse`).
    pub fn parse(s: &str) -> Result<VersionSpecifiers, String> {
        s.parse()
    }

    /// The specifiers in the order written.
    pub fn iter(&self) -> std::slice::Iter<'_, VersionSpecifier> {
        self.specs.iter()
    }

    /// The number of specifiers.
    pub fn len(&self) -> usize {
        self.specs.len()
    }

    /// Whether there is no specifier (every version is allowed).
    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// Whether `v` satisfies every specifier. With `prereleases` false a pre-release is never
    /// contained; with true pre-releases are judged like any version (the solver applies its own
    /// pre-release policy and calls this with `true`). Same as `packaging`'s
    /// `SpecifierSet.contains(Version(v), prereleases=...)`.
    pub fn contains(&self, v: &Version, prereleases: bool) -> bool {
        if !prereleases && v.is_prerelease() {
            return false;
        }
        self.specs.iter().all(|s| s.contains(v))
    }

    /// `packaging`'s `SpecifierSet.contains(item, prereleases)` for a candidate given as text:
    /// `===` compares `item` as written; text that is not a version matches only `===` (and the
    /// empty set). `prereleases: None` is `packaging`'s default, which for one candidate admits
    /// pre-releases (PEP 440: they are accepted when no final release is available).
    pub fn contains_str(&self, item: &str, prereleases: Option<bool>) -> bool {
        let arbitrary = |s: &VersionSpecifier| item.to_lowercase() == s.text.to_lowercase();
        match item.parse::<Version>() {
            Ok(v) => {
                if prereleases == Some(false) && v.is_prerelease() {
                    return false;
                }
                self.specs.iter().all(|s| {
                    if s.op == Operator::ArbitraryEqual {
                        arbitrary(s)
                    } else {
                        s.contains(&v)
                    }
                })
            }
            Err(_) => self.specs.iter().all(|s| s.op == Operator::ArbitraryEqual && arbitrary(s)),
        }
    }

    /// Whether some specifier names a pre-release (`>=1.0b1`), which under PEP 440 makes
    /// pre-releases acceptable for this requirement (`packaging`'s `SpecifierSet.prereleases`).
    pub fn mentions_prerelease(&self) -> bool {
        self.specs.iter().any(VersionSpecifier::mentions_prerelease)
    }

    /// The set of versions satisfying every specifier, pre-releases included; agrees with
    /// [`contains`](Self::contains)`(v, true)` for every version (for `===` see
    /// [`VersionSpecifier::to_ranges`]).
    pub fn to_ranges(&self) -> crate::ranges::Ranges<Version> {
        // Intersect pairwise in a balanced tree: linear in the number of specifiers per level,
        // so even a huge set (thousands of `!=`) costs n log n rather than n².
        let mut level: Vec<crate::ranges::Ranges<Version>> =
            self.specs.iter().map(|s| s.to_ranges()).collect();
        while level.len() > 1 {
            let mut next = Vec::with_capacity(level.len() / 2 + 1);
            let mut sets = level.into_iter();
            while let Some(a) = sets.next() {
                next.push(match sets.next() {
                    Some(b) => a.intersection(&b),
                    None => a,
                });
            }
            level = next;
        }
        level.pop().unwrap_or_else(crate::ranges::Ranges::full)
    }

    /// The specifiers in `packaging`'s display order: sorted by text, duplicates (same operator
    /// and version ignoring trailing zeros) removed.
    pub fn normalized(&self) -> Vec<&VersionSpecifier> {
        let mut sorted: Vec<(String, &VersionSpecifier)> =
            self.specs.iter().map(|s| (s.to_string(), s)).collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let mut seen: HashSet<(Operator, String)> = HashSet::new();
        let mut out = Vec::new();
        for (_, s) in sorted {
            if seen.insert(s.canonical()) {
                out.push(s);
            }
        }
        out
    }
}

impl fmt::Display for VersionSpecifiers {
    /// `packaging`'s `str(SpecifierSet)`: sorted, deduplicated, joined with `,` (`<2,>=1.0`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.normalized().iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}", s)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap_or_else(|e| panic!("{}", e))
    }

    fn set(s: &str) -> VersionSpecifiers {
        s.parse().unwrap_or_else(|e| panic!("{}", e))
    }

    #[test]
    fn parses_and_displays_like_packaging() {
        let cases = [
            ("", ""),
            (" , ", ""),
            (">=1.0", ">=1.0"),
            (" >= 1.0 ,< 2 ", "<2,>=1.0"),
            (">=1.0,>=1.0.0,<2", "<2,>=1.0"),
            ("~=1.0,~=1.0.0", "~=1.0,~=1.0.0"),
            ("==1.0.*,!=1.0.1", "!=1.0.1,==1.0.*"),
            ("===Foo, ===foo", "===Foo,===foo"),
            ("==v1.0-1", "==v1.0-1"),
            (">=1,", ">=1"),
            ("==\u{a0}1.0", "==1.0"),
            ("=== 1.0", "===1.0"),
            ("====1", "====1"),
        ];
        for (input, shown) in cases {
            assert_eq!(set(input).to_string(), shown, "{:?}", input);
        }
    }

    #[test]
    fn refuses_bad_specifiers_with_a_reason() {
        let cases = [
            ("1.0", "expected an operator"),
            (">=", "expected a version after '>='"),
            (">=1.0.*", "'.*' is only allowed after == and !="),
            ("<1.0+local", "local version label"),
            ("~=1", "at least two release numbers"),
            ("==1.0a1.*", "must follow the release numbers"),
            ("=>1.0", "expected an operator"),
            (">=1.0 foo", "unexpected ' foo' after '1.0'"),
            ("===a b", "cannot contain"),
            (">=x", "'x' is not a version"),
        ];
        for (input, why) in cases {
            let err = input.parse::<VersionSpecifiers>().unwrap_err();
            assert!(
                err.contains(&format!("'{}'", input.trim())) && err.contains(why),
                "{}: {}",
                input,
                err
            );
        }
    }

    #[test]
    fn contains_follows_pep_440() {
        let yes = [
            ("==1.0", "1.0.0+local"),
            ("==1.0+abc", "1.0+ABC"),
            ("==1.2.*", "1.2a1"),
            ("==1.0.*", "1"),
            ("!=1.2.*", "1.3"),
            ("<=1.0", "1.0+x"),
            (">=1.0", "1.0+x"),
            ("<2.0", "1.9999.post1"),
            ("<2.0rc1", "2.0b1"),
            (">1.0", "1.0.1"),
            (">1.0.post1", "1.0.post2"),
            (">1.0.dev1", "1.0.dev2"),
            ("~=2.2", "2.9"),
            ("~=2.2.0", "2.2.7"),
            ("~=1.0rc1", "1.0"),
            ("===1.0", "1.0"),
            // `~=` uses the normal form of odd spellings (packaging uses the text as written).
            ("~=1.0.c1", "1.5"),
            ("~=v1.0", "1.5"),
            ("~=1.0.REV1", "1.9"),
        ];
        for (spec, version) in yes {
            assert!(set(spec).contains(&v(version), true), "{} should contain {}", spec, version);
        }
        let no = [
            ("==1.0", "1.0.post0"),
            ("==1.0+abc", "1.0"),
            ("!=1.0", "1.0+x"),
            ("==1.2.*", "1.20"),
            ("<2.0", "2.0rc1"),
            ("<2.0", "2.0.dev0+x"),
            (">1.0", "1.0.post1"),
            (">1.0", "1.0+x"),
            (">1.0a1", "1.0a1.post1"),
            (">1.0.post1", "1.0.post1+x"),
            ("~=2.2", "3.0.dev0"),
            ("~=2.2", "2.1"),
            ("===1.0", "1.0.0"),
        ];
        for (spec, version) in no {
            assert!(
                !set(spec).contains(&v(version), true),
                "{} should not contain {}",
                spec,
                version
            );
        }
        assert!(!set(">=1.0").contains(&v("2.0a1"), false));
        assert!(set(">=1.0").contains_str("2.0a1", None));
        assert!(!set(">=1.0").contains_str("2.0a1", Some(false)));
        assert!(set("").contains_str("not a version", Some(false)));
        assert!(!set(">=1").contains_str("not a version", None));
        assert!(set("===Foo").contains_str("foo", Some(false)));
        assert!(
            !set("===1.0").contains_str("1.0.0", None) && !set("===1.0").contains_str(" 1.0", None)
        );
        assert!(set("===1.0, >=0.5").contains_str("1.0", None));
    }

    #[test]
    fn prerelease_mentions() {
        assert!(set(">=1.0b1").mentions_prerelease());
        assert!(set("===1.0rc1").mentions_prerelease());
        assert!(!set("!=1.0b1").mentions_prerelease());
        assert!(!set(">=1.0, <2").mentions_prerelease());
    }

    #[test]
    fn finds_where_a_specifier_token_ends() {
        let s = "x>=1.0a1-2.dev3, <2 ; os";
        assert_eq!(token_end(s, 1), Some(15));
        assert_eq!(token_end(s, 17), Some(19));
        assert_eq!(token_end("===a,b c", 0), Some(6));
        assert_eq!(token_end("==1.0.*.*", 0), Some(7));
        assert_eq!(token_end(">=1.0+a", 0), Some(5));
        assert_eq!(token_end(">= x", 0), None);
    }
}
