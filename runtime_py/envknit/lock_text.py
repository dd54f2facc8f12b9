"""A strict reader for the one layout the tool's lock writer writes (``serializeLock`` in
``project/lock.ts``), the Python twin of ``project/lock_text.ts``.

Every line is a known key with a JSON string, a flow list of JSON strings, ``true``, or a flow
mapping of JSON strings and integers, at a fixed indentation::

    # envknit.lock.yaml: written by `envknit lock`. Do not edit by hand.
    schema_version: "1.1"
    target: {python: "3.11", platform: "manylinux_2_36_x86_64"}
    environments:
      default:
        - name: "requests"
          version: "2.31.0"
          dependencies: ["idna<4,>=2.5"]
          wheels:
            - {file: "requests-2.31.0-py3-none-any.whl", url: "https://…", sha256: "…", size: 62574}

So reading a lock envknit wrote needs no YAML parser, and has nothing a hostile lock could abuse:
no aliases, no tags, no nesting beyond those lines; time and memory are linear in the text.  A
line outside the layout raises :class:`NotCanonical` (never a guess), and the caller hands the
text to a YAML parser; both give the same data for every lock the writer writes (the tests check
the reader against the writer's output).  As in ``lock_text.ts``, a string whose JSON and YAML
readings might differ (a lone surrogate escape) is declined too.  The one liberty taken over the
TypeScript reader: Windows line ends (a checkout with ``core.autocrlf``) are read as ``\\n``.
"""

from __future__ import annotations

import json
import re

__all__ = ["NotCanonical", "read_canonical_lock"]

_TOP_KEYS = frozenset({"schema_version", "lock_generated_at", "resolver_version", "config_hash"})
_PACKAGE_KEYS = frozenset({"version", "marker", "requires_python", "index", "install_path"})
_LIST_KEYS = frozenset({"dependencies", "extras"})
_ENV_LINE = re.compile(r"  ([A-Za-z0-9_][A-Za-z0-9_.-]*):( \[\])?\Z")
_ISLANDS_ENV_LINE = re.compile(r"  ([A-Za-z0-9_][A-Za-z0-9_.-]*):\Z")
_INT_LIST = re.compile(r"\[(?:0|[1-9][0-9]{0,5})(?:, (?:0|[1-9][0-9]{0,5}))*\]\Z")
# A JSON string literal: its alternatives never start alike, so matching is linear (no backtracking).
_STRING = r'"(?:[^"\\\x00-\x1f]|\\.)*"'
_STRING_RE = re.compile(_STRING)
_INTEGER = r"(0|[1-9][0-9]{0,14})"
_FLOW_ITEM = re.compile(r"([a-z_0-9]+): (?:(" + _STRING + r")|" + _INTEGER + r")(, |\}\Z)")
# The wheel line as the writer writes it, in one match (a third of a lock's lines); other key
# orders go through the general flow mapping below, with the same result.
_WHEEL = re.compile(
    r"\{file: (" + _STRING + r"), url: (" + _STRING + r"), sha256: (" + _STRING + r")(?:, size: " + _INTEGER + r")?\}\Z")


class NotCanonical(Exception):
    """The text is not in the writer's layout; ``line`` (1-based) is the first line that is not."""

    def __init__(self, line: int):
        super().__init__(f"line {line} is not in the layout the envknit tool writes")
        self.line = line


def read_canonical_lock(text: str) -> dict:
    """The plain data of lock text in the writer's layout; NotCanonical when it is not in it."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")  # a lone \r is left, and is not in the layout
    if not text.endswith("\n"):
        raise NotCanonical(text.count("\n") + 1)
    lines = text.split("\n")  # not splitlines(): U+2028 and friends are not line breaks here
    lines.pop()  # the empty string after the last line break
    count = len(lines)
    data: dict = {}
    i = 0
    while i < count and lines[i].startswith("#"):
        i += 1
    while i < count:
        line = lines[i]
        if line == "environments:" or line == "environments: {}":
            break
        if line == "targets:" and "targets" not in data:
            # A multi-target lock (schema 1.2): one flow mapping per target.
            targets: list = []
            data["targets"] = targets
            while i + 1 < count and lines[i + 1].startswith("  - "):
                i += 1
                target = _flow_mapping(lines[i][4:])
                if target is None:
                    raise NotCanonical(i + 1)
                targets.append(target)
            if not targets:
                raise NotCanonical(i + 1)
            i += 1
            continue
        key, sep, value = line.partition(": ")
        if not sep or key in data:
            raise NotCanonical(i + 1)
        if key in _TOP_KEYS:
            parsed = _json_string(value)
        elif key == "target":
            parsed = _flow_mapping(value)
        else:
            parsed = None
        if parsed is None:
            raise NotCanonical(i + 1)
        data[key] = parsed
        i += 1
    if i >= count:
        raise NotCanonical(count + 1)
    environments: dict[str, list] = {}
    data["environments"] = environments
    if lines[i] == "environments: {}":
        if i + 1 != count:
            raise NotCanonical(i + 2)
        return data

    packages: list | None = None
    pkg: dict | None = None
    wheels: list | None = None
    for i in range(i + 1, count):
        line = lines[i]
        # The branches exclude each other (by indentation and state), so their order, most frequent
        # first, is that of lock_text.ts only in effect.
        if wheels is not None and line.startswith("        - "):
            wheel = _wheel(line[10:])
            if wheel is None:
                raise NotCanonical(i + 1)
            wheels.append(wheel)
        elif pkg is not None and wheels is None and line.startswith("      "):
            colon = line.find(":", 6)
            key = line[6:colon]
            if colon < 0 or key in pkg:
                raise NotCanonical(i + 1)
            value = line[colon + 1:]
            if key == "wheels" and (value == "" or value == " []"):
                pkg["wheels"] = []
                if value == "":
                    wheels = pkg["wheels"]
                continue
            parsed: object = None
            if value.startswith(" "):
                if key in _PACKAGE_KEYS:
                    parsed = _json_string(value[1:])
                elif key in _LIST_KEYS:
                    parsed = _string_list(value[1:])
                elif (key == "dev" or key == "per_island") and value == " true":
                    parsed = True
                elif key == "island" and _INT_LIST.match(value, 1):
                    parsed = [int(k) for k in value[2:-1].split(", ")]
            if parsed is None:
                raise NotCanonical(i + 1)
            pkg[key] = parsed
        elif packages is not None and line.startswith("    - name: "):
            name = _json_string(line[12:])
            if name is None:
                raise NotCanonical(i + 1)
            pkg = {"name": name}
            packages.append(pkg)
            wheels = None
        elif line == "islands:":
            _read_islands(lines, i + 1, data)
            return data
        else:
            env = _ENV_LINE.match(line)
            if env is None or env.group(1) in environments:
                raise NotCanonical(i + 1)
            packages = []
            environments[env.group(1)] = packages
            if env.group(2):
                packages = None  # `name: []`: no entries may follow
            pkg = wheels = None
    return data


def _read_islands(lines: list[str], start: int, data: dict) -> None:
    """The ``islands:`` section after the environments: ``  <env>:`` lines, each followed by
    ``    - {roots: [...]}`` lines (islands, project/LOCK_FORMAT.md)."""
    islands: dict[str, list] = {}
    data["islands"] = islands
    current: list | None = None
    for i in range(start, len(lines)):
        line = lines[i]
        env = _ISLANDS_ENV_LINE.match(line)
        if env is not None:
            if env.group(1) in islands:
                raise NotCanonical(i + 1)
            current = islands[env.group(1)] = []
        elif current is not None and line.startswith("    - {roots: ") and line.endswith("}"):
            roots = _string_list(line[14:-1])
            if roots is None:
                raise NotCanonical(i + 1)
            current.append({"roots": roots})
        else:
            raise NotCanonical(i + 1)
    if not all(islands.values()):
        raise NotCanonical(len(lines) + 1)


def _decode(literal: str) -> str | None:
    """The value of a JSON string literal (already matched by ``_STRING``), or None."""
    if "\\" not in literal:
        return literal[1:-1]
    try:
        value = json.loads(literal)
        value.encode("utf-8")  # a lone surrogate escape: YAML may read it differently
    except (ValueError, UnicodeEncodeError):
        return None
    return value


def _json_string(text: str) -> str | None:
    """A JSON string literal filling all of ``text``, or None."""
    match = _STRING_RE.match(text)
    return _decode(text) if match is not None and match.end() == len(text) else None


def _string_list(text: str) -> list[str] | None:
    """``["a", "b"]`` (JSON strings joined by ", "), or None."""
    if text == "[]":
        return []
    if not (text.startswith("[") and text.endswith("]")):
        return None
    out: list[str] = []
    pos = 1
    last = len(text) - 1
    while True:
        match = _STRING_RE.match(text, pos)
        value = _decode(match.group()) if match is not None else None
        if value is None:
            return None
        out.append(value)
        end = match.end()
        if end == last:
            return out
        if text.startswith(", ", end):
            pos = end + 2
        else:
            return None


def _wheel(text: str) -> dict | None:
    """A wheel's flow mapping, by the fast path when it is in the writer's key order."""
    match = _WHEEL.match(text)
    if match is None:
        return _flow_mapping(text)
    file, url, sha256 = _decode(match.group(1)), _decode(match.group(2)), _decode(match.group(3))
    if file is None or url is None or sha256 is None:
        return None
    wheel = {"file": file, "url": url, "sha256": sha256}
    if match.group(4) is not None:
        wheel["size"] = int(match.group(4))
    return wheel


def _flow_mapping(text: str) -> dict | None:
    """``{key: "string", key: 123}`` with plain lower-case keys, or None."""
    if not text.startswith("{"):
        return None
    out: dict = {}
    pos = 1
    while True:
        match = _FLOW_ITEM.match(text, pos)
        if match is None or match.group(1) in out:
            return None
        if match.group(2) is not None:
            value = _decode(match.group(2))
            if value is None:
                return None
        else:
            value = int(match.group(3))
        out[match.group(1)] = value
        if match.group(4) == "}":
            return out
        pos = match.end()
