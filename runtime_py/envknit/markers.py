"""PEP 508 environment markers, evaluated as ``packaging`` 26 evaluates them, with the stdlib only.

A lock made for several targets (``targets:`` in envknit.yaml, project/LOCK_FORMAT.md) marks the
entries and dependencies that apply to some targets only with a marker
(``python_version == "3.12" and sys_platform == "win32"``); the runtime keeps the entries whose
marker holds for the interpreter it runs in. The tool writes simple markers, but a lock is
untrusted input, so every PEP 508 marker is read the way ``packaging.markers.Marker`` reads it:

* the grammar and tokens of ``packaging._parser`` / ``_tokenizer`` (``and`` binds tighter than
  ``or``, parentheses, ``in``/``not in``, the dotted aliases ``os.name``, ``sys.platform``,
  ``platform.version``, ``platform.machine``, ``platform.python_implementation``,
  ``python_implementation``);
* ``python_version``, ``python_full_version``, ``implementation_version`` and
  ``platform_release`` are compared as PEP 440 versions when the other side makes a valid
  specifier (``Specifier(op + value).contains(lhs, prereleases=True)``), else as strings;
* strings: ``==``, ``!=``, ``in``, ``not in``; ``<=`` and ``>=`` mean equality and ``<``, ``>``
  are false (packaging 26); ``~=`` and ``===`` between strings are an :class:`UndefinedComparison`;
* ``extra`` names are PEP 503-normalized on both sides, at every level of the marker (packaging
  normalizes them at the top level only, so its ``(extra == "Foo_Bar")`` never matches the extra
  ``foo-bar``; envknit's resolver normalizes them everywhere too).

``runtime_py/tests/test_markers.py`` compares it with ``packaging.markers`` on generated markers.
"""

from __future__ import annotations

import ast
import functools
import os
import platform
import re
import sys
import warnings

__all__ = [
    "InvalidMarker",
    "UndefinedComparison",
    "UndefinedEnvironmentName",
    "default_environment",
    "evaluate",
    "parse",
]


class InvalidMarker(ValueError):
    """A marker that does not follow PEP 508."""


class UndefinedComparison(ValueError):
    """A comparison packaging cannot evaluate (``~=`` between strings)."""


class UndefinedEnvironmentName(ValueError):
    """A marker naming a variable the environment does not have."""


# --------------------------------------------------------------------------------------------
# PEP 440 versions and single specifiers, as packaging.version / packaging.specifiers.
# --------------------------------------------------------------------------------------------

_VERSION = re.compile(
    r"""\s*v?
    (?a:
    (?:(?P<epoch>[0-9]+)!)?
    (?P<release>[0-9]+(?:\.[0-9]+)*)
    (?P<pre>[._-]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[._-]?(?P<pre_n>[0-9]+)?)?
    (?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[._-]?(?P<post_l>post|rev|r)[._-]?(?P<post_n2>[0-9]+)?))?
    (?P<dev>[._-]?(?P<dev_l>dev)[._-]?(?P<dev_n>[0-9]+)?)?
    )
    (?a:\+(?P<local>[a-z0-9]+(?:[._-][a-z0-9]+)*))?
    \s*""",
    re.VERBOSE | re.IGNORECASE,
)
_PRE = {"alpha": "a", "a": "a", "beta": "b", "b": "b", "c": "rc", "pre": "rc", "preview": "rc",
        "rc": "rc"}


class _Version:
    __slots__ = ("epoch", "release", "pre", "post", "dev", "local", "key")

    def __init__(self, epoch, release, pre, post, dev, local):
        self.epoch, self.release, self.pre, self.post, self.dev, self.local = (
            epoch, release, pre, post, dev, local)
        trimmed = list(release)
        while len(trimmed) > 1 and trimmed[-1] == 0:
            trimmed.pop()
        # packaging's _cmpkey: a dev release sorts before its pre-releases, final, post-releases.
        if pre is None and post is None and dev is not None:
            k_pre = (0,)
        elif pre is None:
            k_pre = (2,)
        else:
            k_pre = (1, pre[0], pre[1])
        k_post = (0,) if post is None else (1, post)
        k_dev = (1,) if dev is None else (0, dev)
        if local is None:
            k_local = (0,)
        else:
            k_local = (1, tuple((1, p, "") if isinstance(p, int) else (0, 0, p) for p in local))
        self.key = (epoch, tuple(trimmed), k_pre, k_post, k_dev, k_local)

    @property
    def is_prerelease(self) -> bool:
        return self.pre is not None or self.dev is not None

    @property
    def is_postrelease(self) -> bool:
        return self.post is not None

    def replace(self, **changes) -> "_Version":
        fields = {k: getattr(self, k) for k in ("epoch", "release", "pre", "post", "dev", "local")}
        fields.update(changes)
        return _Version(**fields)

    def public(self) -> "_Version":
        return self if self.local is None else self.replace(local=None)

    def __str__(self) -> str:
        out = (f"{self.epoch}!" if self.epoch else "") + ".".join(map(str, self.release))
        if self.pre is not None:
            out += f"{self.pre[0]}{self.pre[1]}"
        if self.post is not None:
            out += f".post{self.post}"
        if self.dev is not None:
            out += f".dev{self.dev}"
        if self.local is not None:
            out += "+" + ".".join(map(str, self.local))
        return out

    def __eq__(self, other):
        return self.key == other.key

    def __lt__(self, other):
        return self.key < other.key

    def __le__(self, other):
        return self.key <= other.key

    def __gt__(self, other):
        return self.key > other.key

    def __ge__(self, other):
        return self.key >= other.key

    __hash__ = None


@functools.lru_cache(maxsize=1024)
def _version(text: str) -> _Version | None:
    m = _VERSION.fullmatch(text)
    if m is None:
        return None
    pre = None
    if m.group("pre_l"):
        pre = (_PRE[m.group("pre_l").lower()], int(m.group("pre_n") or 0))
    post = None
    if m.group("post_n1") is not None:
        post = int(m.group("post_n1"))
    elif m.group("post_l"):
        post = int(m.group("post_n2") or 0)
    dev = int(m.group("dev_n") or 0) if m.group("dev_l") else None
    local = None
    if m.group("local"):
        local = tuple(int(p) if p.isdigit() else p.lower()
                      for p in re.split(r"[._-]", m.group("local")))
    release = tuple(int(p) for p in m.group("release").split("."))
    return _Version(int(m.group("epoch") or 0), release, pre, post, dev, local)


_PRE_PART = r"(?a:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?"
_POST_PART = r"(?a:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?"
_DEV_PART = r"(?a:[-_.]?dev[-_.]?[0-9]*)?"
_SPECIFIER = re.compile(
    r"\s*(?:"
    r"(?:===\s*[^\s;)]*)"
    r"|(?:(?:==|!=)\s*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:\.\*|" + _PRE_PART + _POST_PART
    + _DEV_PART + r"(?a:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?)?)"
    r"|(?:~=\s*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)+" + _PRE_PART + _POST_PART + _DEV_PART + r")"
    r"|(?:(?:<=|>=|<|>)\s*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*" + _PRE_PART + _POST_PART
    + _DEV_PART + r")"
    r")\s*",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"([0-9]+)((?:a|b|c|rc)[0-9]+)")


def _split(version: str) -> list[str]:
    """packaging.specifiers._version_split."""
    epoch, _, rest = version.rpartition("!")
    out = [epoch or "0"]
    for item in rest.split("."):
        m = _PREFIX.fullmatch(item)
        out.extend(m.groups() if m else [item])
    return out


def _numeric_len(split: list[str]) -> int:
    n = 0
    for s in split:
        if not s.isdigit():
            break
        n += 1
    return n


def _is_not_suffix(segment: str) -> bool:
    return not segment.startswith(("dev", "a", "b", "rc", "post"))


def _equal(item: _Version, spec: str) -> bool:
    if spec.endswith(".*"):
        spec_split = _split(str(_version(spec[:-2])))
        target = _numeric_len(spec_split)
        split = _split(str(item.public()))
        n = _numeric_len(split)
        if n < target:
            split = split[:n] + ["0"] * (target - n) + split[n:]
        return split[: len(spec_split)] == spec_split
    spec_v = _version(spec)
    return (item if spec_v.local is not None else item.public()) == spec_v


def _specifier_contains(op: str, spec: str, text: str) -> bool:
    """``Specifier(op + spec).contains(text, prereleases=True)``; ``spec`` is valid for ``op``."""
    if op == "===":
        return text.lower() == spec.lower()
    item = _version(text)
    if item is None:
        return False
    if op == "==":
        return _equal(item, spec)
    if op == "!=":
        return not _equal(item, spec)
    if op == "~=":
        prefix_parts = []
        for part in _split(spec):
            if not _is_not_suffix(part):
                break
            prefix_parts.append(part)
        prefix_parts = prefix_parts[:-1]
        prefix = f"{prefix_parts[0]}!{'.'.join(prefix_parts[1:])}.*"
        return item.public() >= _version(spec) and _equal(item, prefix)
    spec_v = _version(spec)
    if op == "<=":
        return item.public() <= spec_v
    if op == ">=":
        return item.public() >= spec_v
    if op == "<":
        if not item < spec_v:
            return False
        earliest = spec_v.replace(dev=0, local=None)
        return not (not spec_v.is_prerelease and item.is_prerelease and item >= earliest)
    # op == ">"
    if not item > spec_v:
        return False
    if not spec_v.is_postrelease and item.is_postrelease and \
            item.replace(post=None, dev=None, local=None) == spec_v:
        return False
    return not (item.local is not None and item.public() == spec_v)


# --------------------------------------------------------------------------------------------
# Markers: packaging._tokenizer's tokens and packaging._parser's grammar.
# --------------------------------------------------------------------------------------------

_TOKENS = [
    ("LP", re.compile(r"\(")),
    ("RP", re.compile(r"\)")),
    ("STR", re.compile(r"""('[^']*')|("[^"]*")""")),
    ("OP", re.compile(r"(===|==|~=|!=|<=|>=|<|>)")),
    ("BOOLOP", re.compile(r"\b(or|and)\b")),
    ("IN", re.compile(r"\bin\b")),
    ("NOT", re.compile(r"\bnot\b")),
    ("VAR", re.compile(
        r"\b(python_version|python_full_version|os[._]name|sys[._]platform|platform_(release|system)"
        r"|platform[._](version|machine|python_implementation)|python_implementation"
        r"|implementation_(name|version)|extras?|dependency_groups)\b")),
    ("WS", re.compile(r"[ \t]+")),
]
_RULES = dict(_TOKENS)
_VERSION_KEYS = frozenset(
    {"implementation_version", "platform_release", "python_full_version", "python_version"})


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.pos = 0

    def fail(self, message: str):
        raise InvalidMarker(f"{message} at position {self.pos} of {self.source!r}")

    def match(self, name: str):
        m = _RULES[name].match(self.source, self.pos)
        return m

    def ws(self):
        m = self.match("WS")
        if m:
            self.pos = m.end()

    def marker(self) -> list:
        out = [self.atom()]
        while True:
            m = self.match("BOOLOP")
            if not m:
                return out
            self.pos = m.end()
            out.extend((m.group(0), self.atom()))

    def atom(self):
        self.ws()
        if self.match("LP"):
            self.pos += 1
            self.ws()
            inner = self.marker()
            self.ws()
            if not self.match("RP"):
                self.fail("expected ')' to close the marker expression")
            self.pos += 1
        else:
            inner = self.item()
        self.ws()
        return inner

    def item(self):
        self.ws()
        left = self.var()
        self.ws()
        op = self.op()
        self.ws()
        right = self.var()
        self.ws()
        if left[0] == "var" and left[1] == "extra" and right[0] == "str":
            right = ("str", _canonical(right[1]))
        elif right[0] == "var" and right[1] == "extra" and left[0] == "str":
            left = ("str", _canonical(left[1]))
        return (left, op, right)

    def var(self):
        m = self.match("VAR")
        if m:
            self.pos = m.end()
            name = m.group(0).replace(".", "_")
            if name == "python_implementation":
                name = "platform_python_implementation"
            return ("var", name)
        m = self.match("STR")
        if m:
            self.pos = m.end()
            # packaging reads the quoted text with ast.literal_eval: escapes are interpreted.
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    value = str(ast.literal_eval(m.group(0)))
            except (SyntaxError, ValueError) as e:
                self.fail(f"invalid string {m.group(0)} ({e})")
            return ("str", value)
        self.fail("expected a marker variable or quoted string")

    def op(self) -> str:
        if self.match("IN"):
            self.pos += 2
            return "in"
        if self.match("NOT"):
            self.pos += 3
            if not self.match("WS"):
                self.fail("expected whitespace after 'not'")
            self.ws()
            if not self.match("IN"):
                self.fail("expected 'in' after 'not'")
            self.pos += 2
            return "not in"
        m = self.match("OP")
        if m:
            self.pos = m.end()
            return m.group(0)
        self.fail("expected a marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in")


_SEPARATORS = re.compile(r"[-_.]+")


def _canonical(name: str) -> str:
    return _SEPARATORS.sub("-", name).lower()


@functools.lru_cache(maxsize=1024)
def parse(marker: str) -> list:
    """The parsed form of a marker (cached: a lock repeats its markers).

    :raises InvalidMarker: when it is not a PEP 508 marker
    """
    if not isinstance(marker, str):
        raise InvalidMarker(f"a marker must be a string, not {type(marker).__name__}")
    p = _Parser(marker)
    tree = p.marker()
    # packaging's end of input is the regular expression `$`: before a final newline too.
    if p.pos != len(marker) and not (p.pos == len(marker) - 1 and marker.endswith("\n")):
        p.fail("expected the end of the marker expression")
    return tree


def _compare(lhs: str, op: str, rhs: str, key: str) -> bool:
    if key in _VERSION_KEYS and _SPECIFIER.fullmatch(op + rhs):
        spec = (op + rhs).strip()[len(op):].strip()
        return _specifier_contains(op, spec, lhs)
    if op == "in":
        return lhs in rhs
    if op == "not in":
        return lhs not in rhs
    if op in ("==", "<=", ">="):
        return lhs == rhs
    if op == "!=":
        return lhs != rhs
    if op in ("<", ">"):
        return False
    raise UndefinedComparison(f"undefined comparison {op!r} on {lhs!r} and {rhs!r}")


def _evaluate(tree: list, env: dict) -> bool:
    groups: list[list[bool]] = [[]]
    for node in tree:
        if isinstance(node, list):
            groups[-1].append(_evaluate(node, env))
        elif isinstance(node, tuple):
            (lk, lv), op, (rk, rv) = node
            if lk == "var":
                key = lv
                if key not in env:
                    raise UndefinedEnvironmentName(f"{key!r} is not in the marker environment")
                lhs, rhs = env[key], rv
            else:
                key = rv
                if key not in env:
                    raise UndefinedEnvironmentName(f"{key!r} is not in the marker environment")
                lhs, rhs = lv, env[key]
            groups[-1].append(_compare(lhs, op, rhs, key))
        elif node == "or":
            groups.append([])
    return any(all(g) for g in groups)


def _full_version(info) -> str:
    version = f"{info.major}.{info.minor}.{info.micro}"
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return version


@functools.lru_cache(maxsize=1)
def default_environment() -> dict:
    """This interpreter's marker environment (``packaging.markers.default_environment()``)."""
    full = platform.python_version()
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": _full_version(sys.implementation.version),
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": full + "local" if full.endswith("+") else full,
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


def evaluate(marker: str, environment: dict | None = None, extra: str = "") -> bool:
    """Whether ``marker`` holds in ``environment`` (default: this interpreter's), with ``extra``.

    :raises InvalidMarker: when it is not a PEP 508 marker
    :raises UndefinedComparison: for a comparison packaging cannot evaluate
    """
    env = dict(default_environment())
    if environment is not None:
        env.update(environment)
    env["extra"] = _canonical(extra) if extra else ""
    if env["python_full_version"].endswith("+"):
        env["python_full_version"] += "local"
    return _evaluate(parse(marker), env)
