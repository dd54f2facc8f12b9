//! PEP 440 versions: parsing every spelling `packaging` accepts, its normal form, and its order.
//!
//! The grammar is scanned greedily from left to right without backtracking, which is what
//! `packaging`'s regular expression does (it uses possessive quantifiers) and also what its
//! specifier tokenizer does; each optional part starts with its own keyword, so there is never a
//! choice to undo. Numbers have no size limit (see [`Num`]).

use super::chars::py_strip;
use super::num::{Num, ZERO};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::sync::Arc;

/// The kind of a pre-release: `a` < `b` < `rc` (`alpha`, `beta`, `c`, `pre`, `preview` are
/// spellings of these).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PreKind {
    Alpha,
    Beta,
    Rc,
}

impl PreKind {
    fn as_str(self) -> &'static str {
        match self {
            PreKind::Alpha => "a",
            PreKind::Beta => "b",
            PreKind::Rc => "rc",
        }
    }
}

/// One dot-separated part of a local version label: text sorts before numbers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LocalSegment {
    /// A part with a letter, lowercased.
    Text(String),
    /// An all-digit part, compared numerically (`+01` equals `+1`).
    Number(Num),
}

/// Points between real versions, used only as interval bounds by
/// [`VersionSpecifier::to_ranges`](super::VersionSpecifier::to_ranges).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Sentinel {
    /// A real version.
    None,
    /// Above `V` and every `V+local`, below anything else above `V` (e.g. `V.post0`).
    AfterLocals,
    /// Above every post-release of `V` (and their local versions), below the next version that
    /// is not one (`V` has no post or dev part).
    AfterPosts,
}

#[derive(Clone, Debug)]
struct Inner {
    epoch: Num,
    /// The release numbers as written (trailing zeros kept for display; ignored when comparing).
    release: Vec<Num>,
    pre: Option<(PreKind, Num)>,
    post: Option<Num>,
    dev: Option<Num>,
    local: Option<Vec<LocalSegment>>,
    sentinel: Sentinel,
}

/// A PEP 440 version, compared and normalized exactly as `packaging.version.Version`.
///
/// * Parse with `"1.0rc1".parse::<Version>()` or [`Version::from_str`]; the error message quotes
///   the input and says what is wrong.
/// * `Display` writes the normal form (`V1.0-RC1` → `1.0rc1`, `1.0-1` → `1.0.post1`).
/// * `Ord`/`Eq`/`Hash` follow PEP 440: `1.0 == 1.0.0`, `1.0.dev0 < 1.0a1 < 1.0 < 1.0+local <
///   1.0.post1`, `1!0.1 > 2.0`.
/// * Cloning is cheap (the parts are shared).
#[derive(Clone)]
pub struct Version(Arc<Inner>);

/// Which optional parts a version may have where it is scanned (a specifier restricts them).
pub(crate) struct BodyRules {
    /// `.*` may follow the release (`==`/`!=` only); nothing else may then follow.
    pub wildcard: bool,
    /// `+local` may end the version.
    pub local: bool,
    /// Least number of release numbers (2 for `~=`).
    pub min_release: usize,
}

/// A scanned version: the byte ranges of its parts in the input.
pub(crate) struct Scanned<'a> {
    epoch: Option<&'a str>,
    release: Vec<&'a str>,
    pre: Option<(PreKind, &'a str)>,
    post: Option<&'a str>,
    dev: Option<&'a str>,
    local: Option<&'a str>,
    pub wildcard: bool,
    /// Byte offset just after the version.
    pub end: usize,
}

const SEPARATORS: &[u8] = b"._-";

fn is_sep(b: Option<&u8>) -> bool {
    matches!(b, Some(c) if SEPARATORS.contains(c))
}

/// The first of `words` (ASCII, lowercase) found at `i`, ignoring ASCII case: `(index, length)`.
fn keyword_at(b: &[u8], i: usize, words: &[&str]) -> Option<(usize, usize)> {
    for (k, w) in words.iter().enumerate() {
        let wb = w.as_bytes();
        if let Some(part) = b.get(i..i + wb.len()) {
            if part.eq_ignore_ascii_case(wb) {
                return Some((k, wb.len()));
            }
        }
    }
    None
}

fn digits_at(b: &[u8], i: usize) -> usize {
    b.get(i..).map_or(0, |rest| rest.iter().take_while(|c| c.is_ascii_digit()).count())
}

/// Scans `[sep] keyword [sep] [digits]` at `i` (the shape of pre, post and dev parts). Returns
/// the keyword index, the digits and the end, or `None` (consuming nothing).
fn scan_suffix<'a>(s: &'a str, i: usize, words: &[&str]) -> Option<(usize, &'a str, usize)> {
    let b = s.as_bytes();
    let mut j = i;
    if is_sep(b.get(j)) {
        j += 1;
    }
    let (k, len) = keyword_at(b, j, words)?;
    j += len;
    if is_sep(b.get(j)) {
        j += 1;
    }
    let n = digits_at(b, j);
    Some((k, s.get(j..j + n).unwrap_or(""), j + n))
}

/// Scans one version starting at byte `start` of `s`, as far as the grammar allows. `Err` holds
/// the offset where a release number was expected but missing.
pub(crate) fn scan<'a>(s: &'a str, start: usize, rules: &BodyRules) -> Result<Scanned<'a>, usize> {
    let b = s.as_bytes();
    let mut i = start;
    if matches!(b.get(i), Some(b'v') | Some(b'V')) {
        i += 1;
    }
    let mut epoch = None;
    let n = digits_at(b, i);
    if n > 0 && b.get(i + n) == Some(&b'!') {
        epoch = s.get(i..i + n);
        i += n + 1;
    }
    let n = digits_at(b, i);
    if n == 0 {
        return Err(i);
    }
    let mut release = vec![s.get(i..i + n).unwrap_or("0")];
    i += n;
    while b.get(i) == Some(&b'.') {
        let n = digits_at(b, i + 1);
        if n == 0 {
            break;
        }
        release.push(s.get(i + 1..i + 1 + n).unwrap_or("0"));
        i += 1 + n;
    }
    if release.len() < rules.min_release {
        return Err(i);
    }
    let mut out = Scanned {
        epoch,
        release,
        pre: None,
        post: None,
        dev: None,
        local: None,
        wildcard: false,
        end: i,
    };
    if rules.wildcard && b.get(i) == Some(&b'.') && b.get(i + 1) == Some(&b'*') {
        out.wildcard = true;
        out.end = i + 2;
        return Ok(out);
    }
    // Longer spellings first where one is a prefix of another, as the regex alternation does.
    const PRE: [&str; 8] = ["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"];
    if let Some((k, digits, end)) = scan_suffix(s, i, &PRE) {
        let kind = match k {
            0 | 1 => PreKind::Alpha,
            2 | 3 => PreKind::Beta,
            _ => PreKind::Rc,
        };
        out.pre = Some((kind, digits));
        i = end;
    }
    // Post release: the implicit `-N` form first, then `[sep](post|rev|r)[sep][N]`.
    let n = if b.get(i) == Some(&b'-') { digits_at(b, i + 1) } else { 0 };
    if n > 0 {
        out.post = s.get(i + 1..i + 1 + n);
        i += 1 + n;
    } else if let Some((_, digits, end)) = scan_suffix(s, i, &["post", "rev", "r"]) {
        out.post = Some(digits);
        i = end;
    }
    if let Some((_, digits, end)) = scan_suffix(s, i, &["dev"]) {
        out.dev = Some(digits);
        i = end;
    }
    if rules.local && b.get(i) == Some(&b'+') {
        let label_start = i + 1;
        let mut j = label_start;
        let alnum = |j: usize| {
            b.get(j..).map_or(0, |r| r.iter().take_while(|c| c.is_ascii_alphanumeric()).count())
        };
        let n = alnum(j);
        if n > 0 {
            j += n;
            loop {
                if !is_sep(b.get(j)) {
                    break;
                }
                let n = alnum(j + 1);
                if n == 0 {
                    break;
                }
                j += 1 + n;
            }
            out.local = s.get(label_start..j);
            i = j;
        }
    }
    out.end = i;
    Ok(out)
}

fn num_or_zero(digits: &str) -> Num {
    if digits.is_empty() {
        Num::Small(0)
    } else {
        Num::from_digits(digits)
    }
}

impl Scanned<'_> {
    /// The version these parts spell (the `.*` of a wildcard is not part of it).
    pub(crate) fn to_version(&self) -> Version {
        let local = self.local.map(|label| {
            label
                .split(|c| c == '.' || c == '_' || c == '-')
                .map(|part| {
                    if !part.is_empty() && part.bytes().all(|c| c.is_ascii_digit()) {
                        LocalSegment::Number(Num::from_digits(part))
                    } else {
                        LocalSegment::Text(part.to_ascii_lowercase())
                    }
                })
                .collect()
        });
        Version(Arc::new(Inner {
            epoch: self.epoch.map_or(Num::Small(0), Num::from_digits),
            release: self.release.iter().map(|d| Num::from_digits(d)).collect(),
            pre: self.pre.map(|(kind, digits)| (kind, num_or_zero(digits))),
            post: self.post.map(num_or_zero),
            dev: self.dev.map(num_or_zero),
            local,
            sentinel: Sentinel::None,
        }))
    }
}

/// Shortens `s` for an error message (inputs can be huge).
pub(crate) fn excerpt(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{}…", head)
    }
}

impl FromStr for Version {
    type Err = String;

    /// Parses any spelling `packaging.version.Version` accepts: surrounding whitespace, a leading
    /// `v`, any letter case, `.`/`-`/`_` separators, alternative spellings (`alpha`, `c`, `pre`,
    /// `preview`, `rev`, `r`), implicit numbers (`1.0a` = `1.0a0`), the implicit post release
    /// `1.0-1`, epochs `N!` and local labels `+abc.5`.
    fn from_str(input: &str) -> Result<Version, String> {
        let s = py_strip(input);
        let fail = |why: String| Err(format!("invalid version '{}': {}", excerpt(input), why));
        if s.is_empty() {
            return fail("a version cannot be empty".to_string());
        }
        let rules = BodyRules { wildcard: false, local: true, min_release: 1 };
        match scan(s, 0, &rules) {
            Err(_) => fail(
                "a version starts with a number (after an optional 'v' and 'N!' epoch), e.g. '1.0'"
                    .to_string(),
            ),
            Ok(sc) if sc.end < s.len() => {
                let rest = s.get(sc.end..).unwrap_or("");
                let done = s.get(..sc.end).unwrap_or("");
                let why = if rest.starts_with('+') && sc.local.is_none() {
                    "a local version label after '+' is letters and digits separated by '.', '-' or '_'".to_string()
                } else {
                    format!("unexpected '{}' after '{}'", excerpt(rest), excerpt(done))
                };
                fail(why)
            }
            Ok(sc) => Ok(sc.to_version()),
        }
    }
}

impl Version {
    /// Parses a version (same as `str::parse`).
    pub fn parse(s: &str) -> Result<Version, String> {
        s.parse()
    }

    /// Whether this is a pre-release or development release (`1.0a1`, `1.0.dev0`, `1.0rc1.post1`).
    pub fn is_prerelease(&self) -> bool {
        self.0.pre.is_some() || self.0.dev.is_some()
    }

    /// Whether this is a post-release (`1.0.post1`, `1.0-1`).
    pub fn is_postrelease(&self) -> bool {
        self.0.post.is_some()
    }

    /// Whether this is a development release (`1.0.dev3`).
    pub fn is_devrelease(&self) -> bool {
        self.0.dev.is_some()
    }

    /// Whether this version has a local label (`1.0+ubuntu1`).
    pub fn is_local(&self) -> bool {
        self.0.local.is_some()
    }

    /// The number of release components as written (`1.0.0` has 3).
    pub fn release_len(&self) -> usize {
        self.0.release.len()
    }

    /// The version without its local label (`1.0+abc` → `1.0`).
    pub fn public(&self) -> Version {
        if self.0.local.is_none() {
            return self.clone();
        }
        self.with(|v| v.local = None)
    }

    fn with(&self, change: impl FnOnce(&mut Inner)) -> Version {
        let mut inner = (*self.0).clone();
        change(&mut inner);
        Version(Arc::new(inner))
    }

    /// `V.dev0` without local: the smallest version of `V`'s release with `V`'s pre and post
    /// parts (for `V` without pre/post: below every pre-release of `V`).
    pub(crate) fn with_dev0(&self) -> Version {
        self.with(|v| {
            v.dev = Some(Num::Small(0));
            v.local = None;
        })
    }

    /// `V` with dev number `dev + 1` (only for a dev release), no local label.
    pub(crate) fn next_dev(&self) -> Version {
        self.with(|v| {
            v.dev = Some(v.dev.as_ref().unwrap_or(&ZERO).plus_one());
            v.local = None;
        })
    }

    /// `V.post(N+1).dev0` for a post-release `V.postN`, no local label.
    pub(crate) fn next_post_dev0(&self) -> Version {
        self.with(|v| {
            v.post = Some(v.post.as_ref().unwrap_or(&ZERO).plus_one());
            v.dev = Some(Num::Small(0));
            v.local = None;
        })
    }

    /// `E!R.dev0`: the first version whose release starts with this one's release.
    pub(crate) fn release_dev0(&self) -> Version {
        Version(Arc::new(Inner {
            epoch: self.0.epoch.clone(),
            release: self.0.release.clone(),
            pre: None,
            post: None,
            dev: Some(Num::Small(0)),
            local: None,
            sentinel: Sentinel::None,
        }))
    }

    /// With `keep` release numbers, the last one plus one, `.dev0`: the first version after every
    /// version whose release starts with the first `keep` numbers (`1.2.3`, keep 2 → `1.3.dev0`).
    pub(crate) fn next_prefix_dev0(&self, keep: usize) -> Version {
        let keep = keep.max(1).min(self.0.release.len());
        let mut release: Vec<Num> = self.0.release.iter().take(keep).cloned().collect();
        if let Some(last) = release.last_mut() {
            *last = last.plus_one();
        }
        Version(Arc::new(Inner {
            epoch: self.0.epoch.clone(),
            release,
            pre: None,
            post: None,
            dev: Some(Num::Small(0)),
            local: None,
            sentinel: Sentinel::None,
        }))
    }

    /// The bound above `V` and all its local versions (`V` has no local label).
    pub(crate) fn after_locals(&self) -> Version {
        self.with(|v| {
            v.local = None;
            v.sentinel = Sentinel::AfterLocals;
        })
    }

    /// The bound above `V`'s post-releases (`V` has neither post nor dev part).
    pub(crate) fn after_posts(&self) -> Version {
        self.with(|v| {
            v.local = None;
            v.sentinel = Sentinel::AfterPosts;
        })
    }

    /// `0.dev0`, the smallest version there is.
    pub(crate) fn smallest() -> Version {
        Version(Arc::new(Inner {
            epoch: Num::Small(0),
            release: vec![Num::Small(0)],
            pre: None,
            post: None,
            dev: Some(Num::Small(0)),
            local: None,
            sentinel: Sentinel::None,
        }))
    }

    /// The normal form with trailing zeros of the release removed (`packaging`'s
    /// `canonicalize_version`, which decides when two specifiers are the same).
    pub(crate) fn to_string_trimmed(&self) -> String {
        let significant = self.0.release.iter().rposition(|n| !n.is_zero()).map_or(1, |i| i + 1);
        if significant == self.0.release.len() {
            return self.to_string();
        }
        self.with(|v| v.release.truncate(significant)).to_string()
    }

    /// Whether this is an internal interval bound rather than a real version.
    pub(crate) fn is_sentinel(&self) -> bool {
        self.0.sentinel != Sentinel::None
    }

    /// Whether this is the `after_locals` bound of some version.
    pub(crate) fn is_after_locals(&self) -> bool {
        self.0.sentinel == Sentinel::AfterLocals
    }

    /// The real version a sentinel bound was made from (itself for a real version).
    pub(crate) fn base(&self) -> Version {
        if self.is_sentinel() {
            self.with(|v| v.sentinel = Sentinel::None)
        } else {
            self.clone()
        }
    }

    /// Whether the pre-release part is the only thing besides the release (for `==X.*` display).
    pub(crate) fn is_release_only(&self) -> bool {
        let v = &self.0;
        v.pre.is_none() && v.post.is_none() && v.dev.is_none() && v.local.is_none()
    }

    /// Whether the dev part is `dev0` and there is no local label: the form of `<V` bounds.
    pub(crate) fn is_dev0(&self) -> bool {
        matches!(self.0.dev, Some(Num::Small(0))) && self.0.local.is_none() && !self.is_sentinel()
    }

    /// This version without its dev part.
    pub(crate) fn without_dev(&self) -> Version {
        self.with(|v| v.dev = None)
    }

    /// Whether `self` with post/dev/local removed equals `other` (which has no post or dev):
    /// "`self` is a post-release (or local version) of `other`".
    pub(crate) fn post_base_equals(&self, other: &Version) -> bool {
        let (a, b) = (&*self.0, &*other.0);
        b.post.is_none()
            && b.dev.is_none()
            && a.epoch == b.epoch
            && cmp_release(&a.release, &b.release) == Ordering::Equal
            && a.pre == b.pre
    }

    /// Compares `self` without its local label to `other`.
    pub(crate) fn cmp_public(&self, other: &Version) -> Ordering {
        compare(&self.0, &other.0, true)
    }

    /// The components `packaging`'s prefix matching compares, for `==1.2.*`: epoch and release.
    pub(crate) fn release_parts(&self) -> (&Num, &[Num]) {
        (&self.0.epoch, &self.0.release)
    }
}

/// Release tuples compare as if padded with zeros (`1.0 == 1.0.0`, `1.0 < 1.0.1`).
fn cmp_release(a: &[Num], b: &[Num]) -> Ordering {
    let len = a.len().max(b.len());
    for i in 0..len {
        let x = a.get(i).unwrap_or(&ZERO);
        let y = b.get(i).unwrap_or(&ZERO);
        match x.cmp(y) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    Ordering::Equal
}

/// The pre/post/dev sort key of `packaging`: `(pre_rank, pre_n, post_rank, post_n, dev_rank,
/// dev_n)`, with the `after_posts` bound above every post-release.
fn suffix_key(v: &Inner) -> (i8, &Num, i8, &Num, i8, &Num) {
    let (pre_rank, pre_n) = match (&v.pre, &v.post, &v.dev) {
        (None, None, Some(_)) => (-1, &ZERO),
        (None, _, _) => (3, &ZERO),
        (Some((kind, n)), _, _) => (*kind as i8, n),
    };
    if v.sentinel == Sentinel::AfterPosts {
        return (pre_rank, pre_n, 2, &ZERO, 0, &ZERO);
    }
    let (post_rank, post_n) = match &v.post {
        None => (0, &ZERO),
        Some(n) => (1, n),
    };
    let (dev_rank, dev_n) = match &v.dev {
        None => (1, &ZERO),
        Some(n) => (0, n),
    };
    (pre_rank, pre_n, post_rank, post_n, dev_rank, dev_n)
}

/// Local labels: none < any label < the `after_locals` bound; labels compare part by part.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum LocalKey<'a> {
    Absent,
    Label(&'a [LocalSegment]),
    Infinite,
}

fn local_key(v: &Inner) -> LocalKey<'_> {
    match (&v.local, v.sentinel) {
        (_, Sentinel::AfterLocals) => LocalKey::Infinite,
        (_, Sentinel::AfterPosts) => LocalKey::Absent,
        (Some(parts), _) => LocalKey::Label(parts),
        (None, _) => LocalKey::Absent,
    }
}

/// Compares two versions; `ignore_a_local` drops `a`'s local label (for `public(a) <op> b`).
fn compare(a: &Inner, b: &Inner, ignore_a_local: bool) -> Ordering {
    a.epoch
        .cmp(&b.epoch)
        .then_with(|| cmp_release(&a.release, &b.release))
        .then_with(|| suffix_key(a).cmp(&suffix_key(b)))
        .then_with(|| {
            let ka = if ignore_a_local && a.sentinel == Sentinel::None {
                LocalKey::Absent
            } else {
                local_key(a)
            };
            ka.cmp(&local_key(b))
        })
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        compare(&self.0, &other.0, false)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl Hash for Version {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let v = &*self.0;
        v.epoch.hash(state);
        let significant = v.release.iter().rposition(|n| !n.is_zero()).map_or(0, |i| i + 1);
        state.write_usize(significant);
        for n in v.release.iter().take(significant) {
            n.hash(state);
        }
        suffix_key(v).hash(state);
        match local_key(v) {
            LocalKey::Absent => state.write_u8(0),
            LocalKey::Label(parts) => {
                state.write_u8(1);
                parts.hash(state);
            }
            LocalKey::Infinite => state.write_u8(2),
        }
    }
}

impl fmt::Display for Version {
    /// The normal form, as `str(packaging.version.Version(...))`. An internal interval bound
    /// prints as the version it was made from (use `display_ranges` to show intervals).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = &*self.0;
        if !v.epoch.is_zero() {
            write!(f, "{}!", v.epoch)?;
        }
        for (i, n) in v.release.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{}", n)?;
        }
        if let Some((kind, n)) = &v.pre {
            write!(f, "{}{}", kind.as_str(), n)?;
        }
        if let Some(n) = &v.post {
            write!(f, ".post{}", n)?;
        }
        if let Some(n) = &v.dev {
            write!(f, ".dev{}", n)?;
        }
        if let Some(parts) = &v.local {
            f.write_str("+")?;
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    f.write_str(".")?;
                }
                match part {
                    LocalSegment::Text(t) => f.write_str(t)?,
                    LocalSegment::Number(n) => write!(f, "{}", n)?,
                }
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.sentinel {
            Sentinel::None => write!(f, "{}", self),
            Sentinel::AfterLocals => write!(f, "{}+<after locals>", self),
            Sentinel::AfterPosts => write!(f, "{}+<after posts>", self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap_or_else(|e| panic!("{}", e))
    }

    #[test]
    fn normalizes_every_spelling() {
        let cases = [
            ("1.0", "1.0"),
            ("v1.0", "1.0"),
            ("V1.0", "1.0"),
            ("  1.0\n", "1.0"),
            ("\u{a0}1.0\u{3000}", "1.0"),
            ("1.0.0", "1.0.0"),
            ("01.002.0003", "1.2.3"),
            ("0!1.0", "1.0"),
            ("00!1.0", "1.0"),
            ("1!1.0", "1!1.0"),
            ("1.0a", "1.0a0"),
            ("1.0alpha1", "1.0a1"),
            ("1.0.ALPHA.1", "1.0a1"),
            ("1.0-beta_2", "1.0b2"),
            ("1.0b", "1.0b0"),
            ("1.0c1", "1.0rc1"),
            ("1.0pre1", "1.0rc1"),
            ("1.0preview1", "1.0rc1"),
            ("1.0RC1", "1.0rc1"),
            ("1.0rc", "1.0rc0"),
            ("1.0-1", "1.0.post1"),
            ("1.0post1", "1.0.post1"),
            ("1.0.post", "1.0.post0"),
            ("1.0-post-2", "1.0.post2"),
            ("1.0_rev3", "1.0.post3"),
            ("1.0r", "1.0.post0"),
            ("1.0dev", "1.0.dev0"),
            ("1.0-dev-5", "1.0.dev5"),
            ("1.0a1.post2.dev3", "1.0a1.post2.dev3"),
            ("1.0a-1", "1.0a1"),
            ("1.0a--1", "1.0a0.post1"),
            ("1.0-1.dev2", "1.0.post1.dev2"),
            ("1.0+abc.5", "1.0+abc.5"),
            ("1.0+ABC-007_x", "1.0+abc.7.x"),
            ("1.0+0", "1.0+0"),
            ("1!2.0rc1.post0.dev0+Ubuntu.1", "1!2.0rc1.post0.dev0+ubuntu.1"),
            ("99999999999999999999999.1", "99999999999999999999999.1"),
        ];
        for (input, normal) in cases {
            assert_eq!(v(input).to_string(), normal, "{:?}", input);
        }
    }

    #[test]
    fn refuses_what_packaging_refuses_with_a_clear_message() {
        for bad in [
            "",
            " ",
            "x.y",
            "1.",
            ".1",
            "1..2",
            "1.0+",
            "1.0+abc.",
            "1.0+a b",
            "1.0 a1",
            "1.0-",
            "1.0ab",
            "1.0.*",
            "1.0a1a1",
            "1.0post1post2",
            "vv1.0",
            "1!v1.0",
            "1.0foo",
            "1.0-1-1",
            "1.0+é",
            "١.٠",
            "1.0.dev1.post1",
        ] {
            let err = bad.parse::<Version>().unwrap_err();
            assert!(err.starts_with(&format!("invalid version '{}'", bad)), "{}", err);
        }
        assert_eq!(
            "x.y".parse::<Version>().unwrap_err(),
            "invalid version 'x.y': a version starts with a number (after an optional 'v' and 'N!' epoch), e.g. '1.0'"
        );
        assert_eq!(
            "1.0foo".parse::<Version>().unwrap_err(),
            "invalid version '1.0foo': unexpected 'foo' after '1.0'"
        );
    }

    #[test]
    fn orders_as_pep_440() {
        let ordered = [
            "0.dev0",
            "0",
            "0.0.1",
            "1.0.dev0",
            "1.0.dev1",
            "1.0a0.dev0",
            "1.0a0",
            "1.0a1.dev1",
            "1.0a1",
            "1.0a1+local",
            "1.0a1.post0.dev0",
            "1.0a1.post0",
            "1.0a2",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+a",
            "1.0+a.b",
            "1.0+a.1",
            "1.0+1",
            "1.0+2",
            "1.0+10",
            "1.0.post0.dev0",
            "1.0.post0",
            "1.0.post1",
            "1.0.1",
            "1.1.dev0",
            "1.1",
            "2.0",
            "18446744073709551616",
            "1!0.1",
        ];
        for (i, a) in ordered.iter().enumerate() {
            for (j, b) in ordered.iter().enumerate() {
                assert_eq!(v(a).cmp(&v(b)), i.cmp(&j), "{} vs {}", a, b);
            }
        }
        assert_eq!(v("1.0"), v("1.0.0"));
        assert_eq!(v("1.0+a.01"), v("1.0+A-1"));
        assert_ne!(v("1.0"), v("1.0+0"));
    }

    #[test]
    fn hash_agrees_with_eq() {
        use std::collections::HashSet;
        let set: HashSet<Version> =
            ["1.0", "1.0.0", "1", "v1.0.0.0", "1.0+a.01", "1.0+a.1"].iter().map(|s| v(s)).collect();
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn sentinels_sit_between_real_versions() {
        let al = v("1.0").after_locals();
        assert!(v("1.0") < al && v("1.0+zzz.999") < al && al < v("1.0.post0.dev0"));
        let ap = v("1.0").after_posts();
        assert!(v("1.0.post99+x") < ap && ap < v("1.0.1.dev0") && al < ap);
        let ap = v("1.0a1").after_posts();
        assert!(v("1.0a1.post5") < ap && ap < v("1.0a2.dev0"));
        assert_eq!(ap.to_string(), "1.0a1");
    }

    #[test]
    fn flags() {
        assert!(
            v("1.0a1").is_prerelease()
                && v("1.0.dev1").is_prerelease()
                && !v("1.0.post1").is_prerelease()
        );
        assert!(v("1.0rc1.post1").is_prerelease() && v("1.0-1").is_postrelease());
        assert!(v("1.0+x").is_local() && !v("1.0+x").public().is_local());
    }
}
