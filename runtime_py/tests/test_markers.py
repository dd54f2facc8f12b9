"""envknit.markers against packaging.markers: thousands of generated markers (valid and broken),
evaluated in several environments, must give the same answer or fail the same way.

One documented difference (the tool's resolver has it too, resolver/testdata/pep_oracle.py):
packaging normalizes the names compared with ``extra`` (PEP 685) only at the top level of a
marker, so ``(extra == "Foo_Bar")`` never matches the extra ``foo-bar``; envknit normalizes them
at every level. The oracle here applies packaging's own normalization at every level."""

from __future__ import annotations

import random

import pytest

from envknit import markers

packaging_markers = pytest.importorskip("packaging.markers")

VARIABLES = [
    "python_version", "python_full_version", "os_name", "os.name", "sys_platform", "sys.platform",
    "platform_release", "platform_system", "platform_version", "platform.version",
    "platform_machine", "platform.machine", "platform_python_implementation",
    "platform.python_implementation", "python_implementation", "implementation_name",
    "implementation_version", "extra",
]
# ~= and === between strings are errors (for the whole marker): rarer, so most markers evaluate.
OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "in", "not in"] * 4 + ["~=", "==="]
VALUES = [
    "3.8", "3.11", "3.12", "3.12.0", "3.12.1", "3", "3.10", "3.9b1", "3.13.0rc1", "3.11.*",
    "3.1*", "2!1.0", "1.0.post1", "1.0.dev0", "1.0+local", "1.0a1", "7.3.13", "6.1.0-18-amd64",
    "10", "NT", "linux", "win32", "darwin", "posix", "nt", "Linux", "Windows", "Darwin",
    "x86_64", "AMD64", "arm64", "aarch64", "cpython", "pypy", "CPython", "PyPy", "", " ",
    " 3.8 ", "v3.8", "3.8.*", "lin", "Foo_Bar", "foo-bar", "FOO.bar", "a'b", "1.0.c1", "3.12.0+",
]
ENVIRONMENTS = [
    {"implementation_name": "cpython", "implementation_version": "3.11.7", "os_name": "posix",
     "platform_machine": "x86_64", "platform_python_implementation": "CPython",
     "platform_release": "6.1.0-18-amd64", "platform_system": "Linux",
     "platform_version": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1",
     "python_full_version": "3.11.7", "python_version": "3.11", "sys_platform": "linux"},
    {"implementation_name": "cpython", "implementation_version": "3.8.10", "os_name": "nt",
     "platform_machine": "AMD64", "platform_python_implementation": "CPython",
     "platform_release": "10", "platform_system": "Windows", "platform_version": "10.0.19045",
     "python_full_version": "3.8.10", "python_version": "3.8", "sys_platform": "win32"},
    {"implementation_name": "cpython", "implementation_version": "3.12.0rc1", "os_name": "posix",
     "platform_machine": "arm64", "platform_python_implementation": "CPython",
     "platform_release": "23.1.0", "platform_system": "Darwin",
     "platform_version": "Darwin Kernel Version 23.1.0", "python_full_version": "3.12.0rc1",
     "python_version": "3.12", "sys_platform": "darwin"},
    {"implementation_name": "pypy", "implementation_version": "7.3.13", "os_name": "posix",
     "platform_machine": "aarch64", "platform_python_implementation": "PyPy",
     "platform_release": "", "platform_system": "Linux", "platform_version": "",
     "python_full_version": "3.10.13+", "python_version": "3.10", "sys_platform": "linux"},
    # As envknit describes a lock target: no kernel release or version.
    {"implementation_name": "cpython", "implementation_version": "3.12.0", "os_name": "nt",
     "platform_machine": "AMD64", "platform_python_implementation": "CPython",
     "platform_release": "", "platform_system": "Windows", "platform_version": "",
     "python_full_version": "3.12.0", "python_version": "3.12", "sys_platform": "win32"},
]


def quote(value: str, rng: random.Random) -> str:
    if "'" in value:
        return f'"{value}"'
    return f"'{value}'" if rng.random() < 0.5 else f'"{value}"'


def atom(rng: random.Random) -> str:
    var = rng.choice(VARIABLES)
    op = rng.choice(OPERATORS)
    value = quote(rng.choice(VALUES), rng)
    ws = rng.choice(["", " ", "  ", "\t"]) if op not in ("in", "not in") else " "
    if rng.random() < 0.2:
        return f"{value}{ws}{op}{ws}{var}"
    return f"{var}{ws}{op}{ws}{value}"


def expression(rng: random.Random, depth: int = 0) -> str:
    if depth > 2 or rng.random() < 0.4:
        return atom(rng)
    parts = [expression(rng, depth + 1) for _ in range(rng.randint(2, 3))]
    out = parts[0]
    for p in parts[1:]:
        out += f" {rng.choice(['and', 'or'])} {p}"
    return f"({out})" if rng.random() < 0.5 else out


def mutate(text: str, rng: random.Random) -> str:
    """Breaks a marker a little: a character dropped, doubled or swapped in."""
    i = rng.randrange(len(text) + 1)
    kind = rng.random()
    if kind < 0.3:
        return text[:i] + text[i + 1:]
    if kind < 0.6:
        return text[:i] + rng.choice("()'\" =<>!~andorin\\\n") + text[i:]
    return text[:i] + text[i:i + 1] * 2 + text[i + 1:]


def outcome(fn):
    try:
        return ("value", fn())
    except Exception as e:  # noqa: BLE001 - the kind of failure is what is compared
        name = type(e).__name__
        if name in ("InvalidMarker", "SyntaxError", "ValueError") and "Undefined" not in name:
            return ("invalid",)
        return ("error", name)


def _normalize_extras(tree):
    return [_normalize_extras(n) if isinstance(n, list) else packaging_markers._normalize_extras(n)
            for n in tree]


def theirs(text: str, env: dict, extra: str):
    def run():
        m = packaging_markers.Marker(text)
        m._markers = _normalize_extras(m._markers)
        return m.evaluate({**env, "extra": extra})
    return outcome(run)


def ours(text: str, env: dict, extra: str):
    return outcome(lambda: markers.evaluate(text, env, extra))


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::SyntaxWarning")
def test_generated_markers_agree_with_packaging():
    rng = random.Random(17)
    mismatches = []
    checked = 0
    for i in range(4000):
        text = expression(rng)
        if i % 4 == 3:
            text = mutate(text, rng)
        for env in ENVIRONMENTS:
            for extra in ("", "foo-bar", "Foo.Bar"):
                if extra and "extra" not in text:
                    continue
                a, b = theirs(text, env, extra), ours(text, env, extra)
                checked += 1
                if a != b:
                    mismatches.append((text, env["sys_platform"], env["python_full_version"],
                                       extra, a, b))
    assert checked > 20000
    assert mismatches[:20] == []
    # Most of them evaluate, both ways.
    values = [ours(expression(rng), env, "") for env in ENVIRONMENTS for _ in range(200)]
    assert sum(v == ("value", True) for v in values) > 150
    assert sum(v == ("value", False) for v in values) > 150


@pytest.mark.parametrize("text", [
    'python_version == "3.12" and sys_platform == "win32"',
    'sys_platform == "linux" and (python_version == "3.11" or python_version == "3.13")',
    '(python_version == "3.11" and sys_platform == "linux") or '
    '(python_version == "3.12" and sys_platform == "win32")',
    'platform_machine == "x86_64"',
    "python_full_version >= '3.12.1'",
    "python_version ~= '3.11'",
    "'3.10' < python_version",
    "python_version == '3.*'",
    "platform_release >= '6'",
    "extra == 'Foo_Bar'",
    "os_name in 'posix nt'",
    "sys_platform not in 'win32 cygwin'",
    "implementation_name=='cpython'and(python_version<'3.12'or os_name=='nt')",
])
def test_markers_of_the_tool_and_the_usual_ones(text):
    for env in ENVIRONMENTS:
        for extra in ("", "foo-bar"):
            assert ours(text, env, extra) == theirs(text, env, extra), (text, env, extra)


def test_invalid_markers_are_invalid_marker_errors():
    for text in ["", "python_version", "python_version ==", "foo == 'x'", "os_name == 'x' and",
                 "(os_name == 'x'", "os_name == 'x')", "os_name not  'x'", "os_name notin 'x'",
                 "'a' == 'b' 'c'", "os_name == \"x\\\""]:
        with pytest.raises(markers.InvalidMarker):
            markers.evaluate(text, ENVIRONMENTS[0])


def test_string_comparisons_packaging_cannot_make():
    with pytest.raises(markers.UndefinedComparison):
        markers.evaluate("os_name ~= 'posix'", ENVIRONMENTS[0])
    # Ordered comparisons between strings: <= and >= mean equality, < and > are false.
    assert markers.evaluate("os_name >= 'posix'", ENVIRONMENTS[0])
    assert not markers.evaluate("os_name > 'nt'", ENVIRONMENTS[0])


def test_this_interpreter():
    assert markers.default_environment() == {
        k: v for k, v in packaging_markers.default_environment().items()}
    assert markers.evaluate("python_version >= '3.10'")
