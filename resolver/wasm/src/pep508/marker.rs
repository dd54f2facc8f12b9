//! PEP 508 environment markers: parsing, evaluation and display exactly as `packaging` 26's
//! `Marker` (its grammar, its string form, its comparison rules).

use super::cursor::Cursor;
use super::environment::MarkerEnvironment;
use super::name::normalize_name;
use super::pystr::eval_py_string;
use crate::pep440::{version_excerpt, VersionSpecifier, VersionSpecifiers};
use std::fmt;
use std::str::FromStr;

/// Deepest parenthesis nesting accepted; deeper input is an error, not a stack overflow.
pub const MAX_MARKER_DEPTH: usize = 64;

/// A comparison operator in a marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkerOp {
    Less,
    LessEqual,
    Equal,
    NotEqual,
    GreaterEqual,
    Greater,
    Compatible,
    Arbitrary,
    In,
    NotIn,
}

impl MarkerOp {
    /// The operator as written (`not in`).
    pub fn as_str(self) -> &'static str {
        match self {
            MarkerOp::Less => "<",
            MarkerOp::LessEqual => "<=",
            MarkerOp::Equal => "==",
            MarkerOp::NotEqual => "!=",
            MarkerOp::GreaterEqual => ">=",
            MarkerOp::Greater => ">",
            MarkerOp::Compatible => "~=",
            MarkerOp::Arbitrary => "===",
            MarkerOp::In => "in",
            MarkerOp::NotIn => "not in",
        }
    }
}

/// One side of a comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MarkerValue {
    /// An environment variable, by its canonical name (`os.name` → `os_name`,
    /// `python_implementation` → `platform_python_implementation`).
    Variable(String),
    /// A quoted string, as Python evaluates the literal.
    Literal(String),
}

impl MarkerValue {
    /// The variable name or the literal text.
    fn text(&self) -> &str {
        match self {
            MarkerValue::Variable(s) | MarkerValue::Literal(s) => s,
        }
    }
}

/// A comparison `lhs op rhs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkerItem {
    pub lhs: MarkerValue,
    pub op: MarkerOp,
    pub rhs: MarkerValue,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BoolOp {
    And,
    Or,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Atom {
    Item(MarkerItem),
    Group(List),
}

/// `atom (and|or atom)*`, kept as written: `and` binds tighter than `or` when evaluating.
#[derive(Clone, Debug, PartialEq, Eq)]
struct List {
    atoms: Vec<Atom>,
    ops: Vec<BoolOp>,
}

/// A parsed marker expression such as `python_version >= "3.8" and extra == "test"`.
///
/// Parse with `str::parse`/[`MarkerTree::parse`]; evaluate with [`MarkerTree::evaluate`];
/// `Display` gives `packaging`'s normal form (`os_name == "posix" and (a or b)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkerTree(List);

/// Marker variables as `packaging`'s tokenizer spells them, in its order, with canonical names.
const VARIABLES: [(&str, &str); 20] = [
    ("python_version", "python_version"),
    ("python_full_version", "python_full_version"),
    ("os_name", "os_name"),
    ("os.name", "os_name"),
    ("sys_platform", "sys_platform"),
    ("sys.platform", "sys_platform"),
    ("platform_release", "platform_release"),
    ("platform_system", "platform_system"),
    ("platform_version", "platform_version"),
    ("platform.version", "platform_version"),
    ("platform_machine", "platform_machine"),
    ("platform.machine", "platform_machine"),
    ("platform_python_implementation", "platform_python_implementation"),
    ("platform.python_implementation", "platform_python_implementation"),
    ("python_implementation", "platform_python_implementation"),
    ("implementation_name", "implementation_name"),
    ("implementation_version", "implementation_version"),
    ("extras", "extras"),
    ("extra", "extra"),
    ("dependency_groups", "dependency_groups"),
];

/// Variables whose comparisons are version comparisons when the other side is a specifier.
const VERSION_VARIABLES: [&str; 4] =
    ["implementation_version", "platform_release", "python_full_version", "python_version"];

/// A parse error: the message and the byte offset it refers to.
pub(crate) struct SyntaxError {
    pub message: String,
    pub pos: usize,
}

pub(crate) type Parsed<T> = Result<T, SyntaxError>;

pub(crate) fn syntax<T>(cur: &Cursor, message: impl Into<String>) -> Parsed<T> {
    Err(SyntaxError { message: message.into(), pos: cur.pos })
}

/// Formats a syntax error for `what` (e.g. "marker") in `input`.
pub(crate) fn describe(what: &str, input: &str, e: SyntaxError) -> String {
    let found = match input.get(e.pos..) {
        Some("") | None => "the end".to_string(),
        Some(rest) => format!("'{}'", version_excerpt(rest)),
    };
    format!(
        "invalid {} '{}': {}, found {} (column {})",
        what,
        version_excerpt(input),
        e.message,
        found,
        e.pos + 1
    )
}

/// `marker = marker_atom (BOOLOP marker_atom)*` at the cursor.
pub(crate) fn parse_marker(cur: &mut Cursor, depth: usize) -> Parsed<MarkerTree> {
    parse_list(cur, depth).map(MarkerTree)
}

fn parse_list(cur: &mut Cursor, depth: usize) -> Parsed<List> {
    let mut list = List { atoms: vec![parse_atom(cur, depth)?], ops: Vec::new() };
    loop {
        let op = if cur.word_here("or") {
            BoolOp::Or
        } else if cur.word_here("and") {
            BoolOp::And
        } else {
            break;
        };
        cur.pos += if op == BoolOp::Or { 2 } else { 3 };
        list.ops.push(op);
        list.atoms.push(parse_atom(cur, depth)?);
    }
    Ok(list)
}

fn parse_atom(cur: &mut Cursor, depth: usize) -> Parsed<Atom> {
    cur.ws();
    let atom = if cur.peek() == Some('(') {
        if depth >= MAX_MARKER_DEPTH {
            return syntax(
                cur,
                format!("markers nest at most {} parentheses deep", MAX_MARKER_DEPTH),
            );
        }
        let open = cur.pos;
        cur.pos += 1;
        cur.ws();
        let inner = parse_list(cur, depth + 1)?;
        cur.ws();
        if !cur.eat(')') {
            return Err(SyntaxError {
                message: format!(
                    "expected ')' to close the '(' at column {} of the marker expression",
                    open + 1
                ),
                pos: cur.pos,
            });
        }
        Atom::Group(inner)
    } else {
        Atom::Item(parse_item(cur)?)
    };
    cur.ws();
    Ok(atom)
}

fn parse_item(cur: &mut Cursor) -> Parsed<MarkerItem> {
    cur.ws();
    let lhs = parse_value(cur)?;
    cur.ws();
    let op = parse_op(cur)?;
    cur.ws();
    let rhs = parse_value(cur)?;
    cur.ws();
    // `extra` values are compared in normal form (PEP 685); `packaging` normalizes them here.
    let (lhs, rhs) = match (&lhs, &rhs) {
        (MarkerValue::Variable(v), other) if v == "extra" => {
            (lhs.clone(), MarkerValue::Literal(normalize_name(other.text())))
        }
        (other, MarkerValue::Variable(v)) if v == "extra" => {
            (MarkerValue::Literal(normalize_name(other.text())), rhs.clone())
        }
        _ => (lhs, rhs),
    };
    Ok(MarkerItem { lhs, op, rhs })
}

fn parse_value(cur: &mut Cursor) -> Parsed<MarkerValue> {
    for (spelling, name) in VARIABLES {
        if cur.word_here(spelling) {
            cur.pos += spelling.len();
            return Ok(MarkerValue::Variable(name.to_string()));
        }
    }
    if let Some(quote @ ('\'' | '"')) = cur.peek() {
        if let Some(len) = cur.rest().get(1..).and_then(|r| r.find(quote)) {
            let token = cur.rest().get(..len + 2).unwrap_or("");
            return match eval_py_string(token) {
                Ok(value) => {
                    cur.pos += token.len();
                    Ok(MarkerValue::Literal(value))
                }
                Err(why) => syntax(cur, why),
            };
        }
    }
    syntax(cur, "expected a marker variable or quoted string")
}

fn parse_op(cur: &mut Cursor) -> Parsed<MarkerOp> {
    if cur.word_here("in") {
        cur.pos += 2;
        return Ok(MarkerOp::In);
    }
    if cur.word_here("not") {
        cur.pos += 3;
        if !cur.ws() {
            return syntax(cur, "expected whitespace after 'not'");
        }
        if !cur.word_here("in") {
            return syntax(cur, "expected 'in' after 'not'");
        }
        cur.pos += 2;
        return Ok(MarkerOp::NotIn);
    }
    const OPS: [(&str, MarkerOp); 8] = [
        ("===", MarkerOp::Arbitrary),
        ("==", MarkerOp::Equal),
        ("~=", MarkerOp::Compatible),
        ("!=", MarkerOp::NotEqual),
        ("<=", MarkerOp::LessEqual),
        (">=", MarkerOp::GreaterEqual),
        ("<", MarkerOp::Less),
        (">", MarkerOp::Greater),
    ];
    for (text, op) in OPS {
        if cur.rest().starts_with(text) {
            cur.pos += text.len();
            return Ok(op);
        }
    }
    syntax(cur, "expected a marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in")
}

impl FromStr for MarkerTree {
    type Err = String;

    /// Parses a marker expression as `packaging.markers.Marker`.
    fn from_str(input: &str) -> Result<MarkerTree, String> {
        let mut cur = Cursor::new(input);
        let tree = parse_marker(&mut cur, 0).map_err(|e| describe("marker", input, e))?;
        if !cur.at_end() {
            return Err(describe(
                "marker",
                input,
                SyntaxError {
                    message: "expected 'and', 'or' or the end of the marker".to_string(),
                    pos: cur.pos,
                },
            ));
        }
        Ok(tree)
    }
}

/// Why a marker cannot be evaluated (`packaging` raises for these).
fn undefined(op: MarkerOp, lhs: &str, rhs: &str) -> String {
    format!(
        "cannot evaluate marker: '{}' is not defined between {:?} and {:?}",
        op.as_str(),
        lhs,
        rhs
    )
}

impl MarkerTree {
    /// Parses a marker (same as `str::parse`).
    pub fn parse(s: &str) -> Result<MarkerTree, String> {
        s.parse()
    }

    /// Whether the marker holds in `env` with the requested `extras` (names in any spelling).
    /// A comparison `packaging` cannot evaluate (e.g. `os_name ~= "x"`, a variable it does not
    /// know in requirement metadata such as `extras`) makes the whole marker false here; use
    /// [`try_evaluate`](Self::try_evaluate) to get the error instead.
    pub fn evaluate(&self, env: &MarkerEnvironment, extras: &[String]) -> bool {
        self.try_evaluate(env, extras).unwrap_or(false)
    }

    /// Evaluates exactly as `packaging`'s `Marker.evaluate(env | {"extra": e})`, with an error
    /// where it raises. With several extras, `extra == "x"` holds when any of them is `x` and
    /// `extra != "x"` when none is; with none, `extra` is the empty string (as in `packaging`).
    pub fn try_evaluate(&self, env: &MarkerEnvironment, extras: &[String]) -> Result<bool, String> {
        let extras: Vec<String> = if extras.is_empty() {
            vec![String::new()]
        } else {
            extras.iter().map(|e| normalize_name(e)).collect()
        };
        eval_list(&self.0, env, &extras)
    }
}

fn eval_list(list: &List, env: &MarkerEnvironment, extras: &[String]) -> Result<bool, String> {
    // Every comparison is evaluated (no short circuit), as `packaging` does, so errors surface.
    let mut any = false;
    let mut all = true;
    for (i, atom) in list.atoms.iter().enumerate() {
        if i > 0 && list.ops.get(i - 1) == Some(&BoolOp::Or) {
            any |= all;
            all = true;
        }
        let value = match atom {
            Atom::Item(item) => eval_item(item, env, extras)?,
            Atom::Group(inner) => eval_list(inner, env, extras)?,
        };
        all &= value;
    }
    Ok(any || all)
}

/// The values of an environment name: one, or the requested extras for `extra`.
fn lookup(env: &MarkerEnvironment, extras: &[String], name: &str) -> Result<Vec<String>, String> {
    if name == "extra" {
        return Ok(extras.to_vec());
    }
    match env.get(name) {
        // `packaging` repairs `platform.python_version()` of untagged builds ("3.13.0+").
        Some(value) if name == "python_full_version" && value.ends_with('+') => {
            Ok(vec![format!("{}local", value)])
        }
        Some(value) => Ok(vec![value.to_string()]),
        None => {
            Err(format!("cannot evaluate marker: '{}' is not a variable of the environment", name))
        }
    }
}

fn eval_item(
    item: &MarkerItem,
    env: &MarkerEnvironment,
    extras: &[String],
) -> Result<bool, String> {
    // As `packaging`: the environment name is the left side when it is a variable, else the
    // right side's text (so `"3.8" < python_version` compares versions the other way round).
    let (key, env_on_left) = match &item.lhs {
        MarkerValue::Variable(name) => (name.as_str(), true),
        MarkerValue::Literal(_) => (item.rhs.text(), false),
    };
    let values = lookup(env, extras, key)?;
    let negative = matches!(item.op, MarkerOp::NotEqual | MarkerOp::NotIn);
    let mut result = negative;
    for value in &values {
        let (lhs, rhs) = if env_on_left {
            (value.as_str(), item.rhs.text())
        } else {
            (item.lhs.text(), value.as_str())
        };
        let r = compare(lhs, item.op, rhs, key)?;
        result = if negative { result && r } else { result || r };
    }
    Ok(result)
}

fn compare(lhs: &str, op: MarkerOp, rhs: &str, key: &str) -> Result<bool, String> {
    if VERSION_VARIABLES.contains(&key) {
        if let Ok(spec) = format!("{}{}", op.as_str(), rhs).parse::<VersionSpecifier>() {
            return Ok(VersionSpecifiers::from(spec).contains_str(lhs, Some(true)));
        }
    }
    Ok(match op {
        MarkerOp::In => rhs.contains(lhs),
        MarkerOp::NotIn => !rhs.contains(lhs),
        MarkerOp::Less | MarkerOp::Greater => false,
        MarkerOp::LessEqual | MarkerOp::Equal | MarkerOp::GreaterEqual => lhs == rhs,
        MarkerOp::NotEqual => lhs != rhs,
        MarkerOp::Compatible | MarkerOp::Arbitrary => return Err(undefined(op, lhs, rhs)),
    })
}

fn write_value(f: &mut fmt::Formatter<'_>, v: &MarkerValue) -> fmt::Result {
    match v {
        MarkerValue::Variable(name) => f.write_str(name),
        // `packaging` always uses double quotes, which garbles a value holding one; single
        // quotes keep such a value readable when it has no single quote itself.
        MarkerValue::Literal(text) if text.contains('"') && !text.contains('\'') => {
            write!(f, "'{}'", text)
        }
        MarkerValue::Literal(text) => write!(f, "\"{}\"", text),
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, list: &List, top: bool) -> fmt::Result {
    if let [only] = list.atoms.as_slice() {
        // `((a or b))` prints like `(a or b)`. (`packaging` also drops the parentheses of a
        // doubly parenthesized group inside a larger expression, which changes its meaning;
        // here they are kept.)
        return match only {
            Atom::Item(item) => write!(f, "{}", item),
            Atom::Group(inner) => write_list(f, inner, top),
        };
    }
    if !top {
        f.write_str("(")?;
    }
    for (i, atom) in list.atoms.iter().enumerate() {
        if i > 0 {
            f.write_str(if list.ops.get(i - 1) == Some(&BoolOp::Or) { " or " } else { " and " })?;
        }
        match atom {
            Atom::Item(item) => write!(f, "{}", item)?,
            Atom::Group(inner) => write_list(f, inner, false)?,
        }
    }
    if !top {
        f.write_str(")")?;
    }
    Ok(())
}

impl fmt::Display for MarkerItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_value(f, &self.lhs)?;
        write!(f, " {} ", self.op.as_str())?;
        write_value(f, &self.rhs)
    }
}

impl fmt::Display for MarkerTree {
    /// `packaging`'s `str(Marker)`: single spaces, double quotes, canonical variable names,
    /// normalized extra names, parentheses only around nested groups.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_list(f, &self.0, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> MarkerEnvironment {
        MarkerEnvironment {
            implementation_name: "cpython".into(),
            implementation_version: "3.11.7".into(),
            os_name: "posix".into(),
            platform_machine: "x86_64".into(),
            platform_python_implementation: "CPython".into(),
            platform_release: "6.1.0-18-amd64".into(),
            platform_system: "Linux".into(),
            platform_version: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1".into(),
            python_full_version: "3.11.7".into(),
            python_version: "3.11".into(),
            sys_platform: "linux".into(),
        }
    }

    fn eval(marker: &str, extras: &[&str]) -> Result<bool, String> {
        let extras: Vec<String> = extras.iter().map(|s| s.to_string()).collect();
        marker.parse::<MarkerTree>()?.try_evaluate(&env(), &extras)
    }

    #[test]
    fn evaluates_like_packaging() {
        let cases = [
            ("python_version >= '3.8'", true),
            ("python_version < \"3.8\"", false),
            ("python_version == '3.11.*'", true),
            ("python_version ~= '3.9'", true),
            ("python_full_version >= '3.11.7'", true),
            ("\"3.8\" < python_version", true),
            ("'3.12' <= python_version", false),
            ("sys_platform == 'linux' and os_name == 'posix'", true),
            ("sys_platform == 'win32' or os_name == 'posix'", true),
            (
                "sys_platform == 'win32' or os_name == 'posix' and platform_machine == 'arm64'",
                false,
            ),
            (
                "(sys_platform == 'win32' or os_name == 'posix') and platform_machine == 'x86_64'",
                true,
            ),
            ("'linux' in sys_platform", true),
            ("'lin' in sys_platform", true),
            ("sys_platform not in 'win32 cygwin'", true),
            ("platform_machine in 'x86_64 aarch64'", true),
            ("os.name == 'posix' and python_implementation == 'CPython'", true),
            ("platform_release >= '6'", false),
            ("platform_system > 'Apple'", false),
            ("platform_system <= 'Linux'", true),
            ("python_version === '3.11'", true),
            ("python_version < '3.11a-1'", false),
            ("python_version > '3'", true),
            ("python_version != '3.11.0'", false),
            ("python_version == '3.11.0+local'", false),
            ("'posix' == \"os_name\"", true),
        ];
        for (marker, expected) in cases {
            assert_eq!(eval(marker, &[]), Ok(expected), "{}", marker);
        }
        for marker in [
            "os_name ~= 'posix'",
            "'a' == 'b'",
            "'x' in extras",
            "dependency_groups == 'x'",
            "os_name === 'posix'",
            "implementation_name === 'cpython'",
            "\"os_name\" == 'posix'",
        ] {
            assert!(eval(marker, &[]).is_err(), "{}", marker);
        }
    }

    #[test]
    fn extras_are_normalized_and_combine_as_sets() {
        assert_eq!(eval("extra == 'Foo_Bar'", &["foo.bar"]), Ok(true));
        assert_eq!(eval("extra == 'test'", &[]), Ok(false));
        assert_eq!(eval("extra != 'test'", &[]), Ok(true));
        assert_eq!(eval("extra == ''", &[]), Ok(true));
        assert_eq!(eval("extra == 'a' and extra == 'b'", &["a", "b"]), Ok(true));
        assert_eq!(eval("extra != 'a'", &["a", "b"]), Ok(false));
        assert_eq!(eval("extra != 'c'", &["a", "b"]), Ok(true));
        assert_eq!(eval("'Test' == extra", &["TEST"]), Ok(true));
        assert_eq!(eval("extra > 'a'", &["b"]), Ok(false));
        assert!(eval("extra ~= 'a'", &["a"]).is_err());
    }

    #[test]
    fn displays_like_packaging() {
        let cases = [
            ("python_version>='3.8'", "python_version >= \"3.8\""),
            ("os.name=='posix'  and(sys.platform=='linux'or\tsys_platform=='darwin')", "os_name == \"posix\" and (sys_platform == \"linux\" or sys_platform == \"darwin\")"),
            ("((os_name == 'a'))", "os_name == \"a\""),
            ("(os_name == 'a') and os_name == 'b'", "os_name == \"a\" and os_name == \"b\""),
            ("((os_name == 'a' or os_name == 'b')) and os_name == 'c'", "(os_name == \"a\" or os_name == \"b\") and os_name == \"c\""),
            ("extra == 'Foo_Bar.baz'", "extra == \"foo-bar-baz\""),
            ("os_name == extra", "\"os-name\" == extra"),
            ("python_implementation not   in 'x'", "platform_python_implementation not in \"x\""),
            ("os_name == 'a\"b'", "os_name == 'a\"b'"),
            ("os_name == 'a'\n", "os_name == \"a\""),
        ];
        for (input, shown) in cases {
            assert_eq!(
                input.parse::<MarkerTree>().map(|m| m.to_string()).as_deref(),
                Ok(shown),
                "{:?}",
                input
            );
        }
    }

    #[test]
    fn refuses_bad_markers() {
        for bad in [
            "",
            "os_name",
            "os_name ==",
            "os_name == posix",
            "os_name = 'a'",
            "os_name == 'a' and",
            "(os_name == 'a'",
            "os_name == 'a')",
            "os_name notin 'a'",
            "os_name not  'a'",
            "os_namex == 'a'",
            "os_name == 'a' or or",
            "os_name == 'a\\'",
            "extra == 'a'\n\n",
            "os_name == 'a' andos_name == 'b'",
            "python_version >= 3.8",
        ] {
            assert!(bad.parse::<MarkerTree>().is_err(), "{:?}", bad);
        }
        let err = "os_name === ".parse::<MarkerTree>().unwrap_err();
        assert_eq!(err, "invalid marker 'os_name === ': expected a marker variable or quoted string, found the end (column 13)");
        let deep = format!("{}os_name == 'a'{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(deep.parse::<MarkerTree>().unwrap_err().contains("nest at most"));
        let ok = format!(
            "{}os_name == 'a'{}",
            "(".repeat(MAX_MARKER_DEPTH),
            ")".repeat(MAX_MARKER_DEPTH)
        );
        assert!(ok.parse::<MarkerTree>().is_ok());
    }
}
