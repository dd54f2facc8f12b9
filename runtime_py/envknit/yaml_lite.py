"""A small YAML reader, enough for every lock file the envknit tool writes, with no dependency.

It reads block mappings and sequences (including ``- key: value`` entries), flow collections
(``{file: a.whl, size: 1}``, ``["a<2", "b"]``) over one or several lines, plain, single- and
double-quoted scalars (escapes and line folding), literal and folded block scalars, comments,
``---``/``...`` markers, anchors and aliases.  Plain scalars resolve with YAML 1.2's core schema
(null, booleans, integers, floats, otherwise strings).

Valid YAML outside that subset (tags, ``? `` complex keys, merge keys, several documents) raises
:class:`UnsupportedYaml`, so a caller can hand the text to PyYAML when it is installed.  Malformed
input raises :class:`YamlError` with a line number; the reader never hangs and bounds nesting.
"""

from __future__ import annotations

import re

__all__ = ["YamlError", "UnsupportedYaml", "loads"]

MAX_DEPTH = 200

_ANCHOR = re.compile(r"&([^\s,\[\]{}]+)")
_ALIAS = re.compile(r"\*([^\s,\[\]{}]+)")
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_BLOCK_HEADER = re.compile(r"([|>])([1-9][+-]?|[+-][1-9]?)?[ \t]*(?:#.*)?\Z")
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
    "L": "\u2028", "P": "\u2029",
}
_HEX_WIDTH = {"x": 2, "u": 4, "U": 8}


class YamlError(ValueError):
    """Malformed YAML; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


class UnsupportedYaml(YamlError):
    """Valid YAML that this reader does not handle."""


def loads(text: str) -> object:
    """Parse one YAML document and return plain Python data (dict, list, str, int, float, bool, None)."""
    return _Parser(text).document()


def resolve_plain(text: str) -> object:
    """The value of a one-line plain scalar under YAML 1.2's core schema."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.match(text):
        return int(text)
    if text[:2] == "0o" and len(text) > 2 and all(c in "01234567" for c in text[2:]):
        return int(text[2:], 8)
    if text[:2] == "0x" and len(text) > 2 and all(c in "0123456789abcdefABCDEF" for c in text[2:]):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    lowered = text.lstrip("+-")
    if lowered in (".inf", ".Inf", ".INF"):
        return float("-inf") if text[0] == "-" else float("inf")
    if text in (".nan", ".NaN", ".NAN"):
        return float("nan")
    return text


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_blank(line: str) -> bool:
    s = line.strip(" \t")
    return not s or s[0] == "#"


def _is_seq_entry(content: str) -> bool:
    return content == "-" or content[:2] in ("- ", "-\t")


def _plain_colon(s: str) -> int:
    """Index of the ``:`` that ends an implicit plain key in ``s``, or -1 (a comment stops the search)."""
    n = len(s)
    for j, ch in enumerate(s):
        if ch == "#" and j > 0 and s[j - 1] in " \t":
            return -1
        if ch == ":" and (j + 1 == n or s[j + 1] in " \t"):
            return j
    return -1


def _strip_comment(s: str) -> str:
    for j, ch in enumerate(s):
        if ch == "#" and (j == 0 or s[j - 1] in " \t"):
            return s[:j].rstrip(" \t")
    return s.rstrip(" \t")


def _quoted_end(s: str, start: int) -> int:
    """Index just after the quoted scalar opening at ``s[start]``, or -1 when it is not closed."""
    q = s[start]
    j = start + 1
    n = len(s)
    while j < n:
        c = s[j]
        if q == '"' and c == "\\":
            j += 2
            continue
        if c == q:
            if q == "'" and j + 1 < n and s[j + 1] == "'":
                j += 2
                continue
            return j + 1
        j += 1
    return -1


def _decode_quoted(raw: str, line: int) -> str:
    """The value of a quoted scalar ``raw`` (quotes included), with escapes and line folding."""
    double = raw[0] == '"'
    inner = raw[1:-1]
    out: list[str] = []
    protected = 0  # out[:protected] came from escapes and survives trailing-space trimming
    i, n = 0, len(inner)
    while i < n:
        ch = inner[i]
        if double and ch == "\\":
            if i + 1 >= n:
                raise YamlError("a backslash ends the quoted scalar", line)
            e = inner[i + 1]
            if e == "\n":
                i += 2
                while i < n and inner[i] in " \t":
                    i += 1
                protected = len(out)
                continue
            if e in _ESCAPES:
                out.append(_ESCAPES[e])
                i += 2
            elif e in _HEX_WIDTH:
                width = _HEX_WIDTH[e]
                digits = inner[i + 2:i + 2 + width]
                if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                    raise YamlError(f"bad escape \\{e}{digits}", line)
                code = int(digits, 16)
                if code > 0x10FFFF:
                    raise YamlError(f"escape \\{e}{digits} is not a character", line)
                out.append(chr(code))
                i += 2 + width
            else:
                raise YamlError(f"unknown escape \\{e}", line)
            protected = len(out)
            continue
        if not double and ch == "'":
            out.append("'")  # the second quote of '' (the scanner guaranteed the pair)
            i += 2
            protected = len(out)
            continue
        if ch == "\n":
            while len(out) > protected and out[-1] in (" ", "\t"):
                out.pop()
            breaks, j = 0, i + 1
            while True:
                while j < n and inner[j] in " \t":
                    j += 1
                if j < n and inner[j] == "\n":
                    breaks += 1
                    j += 1
                    continue
                break
            out.append("\n" * breaks if breaks else " ")
            protected = len(out)
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _flow_end(s: str) -> int:
    """Index just after the flow collection that opens ``s``, or -1 when it is not closed yet."""
    depth, i, n = 0, 0, len(s)
    prev = "["
    while i < n:
        c = s[i]
        if c in "\"'" and prev in "[{,:":
            e = _quoted_end(s, i)
            if e < 0:
                return -1
            i, prev = e, "x"
            continue
        if c == "#" and i > 0 and s[i - 1] in " \t\n":
            nl = s.find("\n", i)
            if nl < 0:
                return -1
            i = nl
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
        if c not in " \t\n":
            prev = c
        i += 1
    return -1


class _Flow:
    """Parser of one flow collection held in ``s`` (possibly several lines joined by newlines)."""

    def __init__(self, s: str, line: int, parser: "_Parser"):
        self.s, self.pos, self.line, self.parser = s, 0, line, parser

    def error(self, message: str) -> YamlError:
        return YamlError(message, self.line + self.s.count("\n", 0, self.pos) + 1)

    def ws(self) -> None:
        s, n = self.s, len(self.s)
        while self.pos < n:
            c = s[self.pos]
            if c in " \t\n\r":
                self.pos += 1
            elif c == "#" and (self.pos == 0 or s[self.pos - 1] in " \t\n"):
                nl = s.find("\n", self.pos)
                self.pos = n if nl < 0 else nl
            else:
                break

    def peek(self) -> str:
        self.ws()
        if self.pos >= len(self.s):
            raise self.error("unterminated flow collection")
        return self.s[self.pos]

    def value(self) -> object:
        c = self.peek()
        anchor = None
        while c in "&!":
            if c == "!":
                raise UnsupportedYaml("tags ('!') are not supported", self.line + 1)
            m = _ANCHOR.match(self.s, self.pos)
            if not m:
                raise self.error("bad anchor")
            anchor, self.pos = m.group(1), m.end()
            c = self.peek()
        if c in "[{":
            self.parser.enter(self.line)
            try:
                v = self.seq() if c == "[" else self.mapping()
            finally:
                self.parser.depth -= 1
        elif c in "\"'":
            end = _quoted_end(self.s, self.pos)
            if end < 0:
                raise self.error("unterminated quoted scalar")
            v = _decode_quoted(self.s[self.pos:end], self.line + 1)
            self.pos = end
        elif c == "*":
            m = _ALIAS.match(self.s, self.pos)
            if not m:
                raise self.error("bad alias")
            self.pos = m.end()
            v = self.parser.alias(m.group(1), self.line)
        elif c in ",]}":
            raise self.error(f"expected a value before {c!r}")
        else:
            v = self.plain()
        if anchor is not None:
            self.parser.anchors[anchor] = v
        return v

    def plain(self) -> object:
        s, n = self.s, len(self.s)
        start = self.pos
        while self.pos < n:
            c = s[self.pos]
            if c in ",[]{}":
                break
            if c == ":" and (self.pos + 1 == n or s[self.pos + 1] in " \t\n\r,[]{}"):
                break
            if c == "#" and s[self.pos - 1] in " \t\n":
                break
            self.pos += 1
        lines = [ln.strip(" \t\r") for ln in s[start:self.pos].split("\n")]
        while lines and not lines[-1]:
            lines.pop()
        if not lines or not lines[0]:
            raise self.error("expected a value")
        if len(lines) == 1:
            return resolve_plain(lines[0])
        parts, breaks = [lines[0]], 0
        for ln in lines[1:]:
            if not ln:
                breaks += 1
                continue
            parts.append("\n" * breaks if breaks else " ")
            parts.append(ln)
            breaks = 0
        return "".join(parts)

    def seq(self) -> list:
        self.pos += 1
        items: list = []
        while True:
            if self.peek() == "]":
                self.pos += 1
                return items
            item = self.value()
            if self.peek() == ":":  # a single-pair mapping inside a sequence: [a: 1]
                self.pos += 1
                item = {self.hashable(item): None if self.peek() in ",]" else self.value()}
            items.append(item)
            c = self.peek()
            if c == ",":
                self.pos += 1
            elif c != "]":
                raise self.error(f"expected ',' or ']' but found {c!r}")

    def mapping(self) -> dict:
        self.pos += 1
        result: dict = {}
        while True:
            c = self.peek()
            if c == "}":
                self.pos += 1
                return result
            if c == "?":
                raise UnsupportedYaml("complex mapping keys ('?') are not supported", self.line + 1)
            key = self.hashable(self.value())
            value = None
            if self.peek() == ":":
                self.pos += 1
                if self.peek() not in ",}":
                    value = self.value()
            if key in result:
                raise self.error(f"duplicate key {key!r}")
            result[key] = value
            c = self.peek()
            if c == ",":
                self.pos += 1
            elif c != "}":
                raise self.error(f"expected ',' or '}}' but found {c!r}")

    def hashable(self, key: object) -> object:
        if isinstance(key, (list, dict)):
            raise UnsupportedYaml("collections as mapping keys are not supported", self.line + 1)
        return key


class _Parser:
    def __init__(self, text: str):
        if text.startswith("\ufeff"):
            text = text[1:]
        self.lines = [ln[:-1] if ln.endswith("\r") else ln for ln in text.split("\n")]
        self.n = len(self.lines)
        self.i = 0
        self.depth = 0
        self.anchors: dict[str, object] = {}

    # -- helpers -------------------------------------------------------------------------------
    def error(self, message: str, line: int | None = None) -> YamlError:
        return YamlError(message, (self.i if line is None else line) + 1)

    def enter(self, line: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", line + 1)

    def alias(self, name: str, line: int) -> object:
        if name not in self.anchors:
            raise YamlError(f"unknown alias *{name}", line + 1)
        return self.anchors[name]

    def skip_blank(self) -> None:
        while self.i < self.n and _is_blank(self.lines[self.i]):
            self.i += 1

    def at_marker(self, marker: str) -> bool:
        if self.i >= self.n:
            return False
        line = self.lines[self.i]
        return line.startswith(marker) and (len(line) == 3 or line[3] in " \t")

    def check_tab(self, line: str, ind: int) -> None:
        if line[ind:ind + 1] == "\t":
            raise self.error("a tab character in indentation")

    def at_end(self) -> bool:
        """No more lines of this document (end of text, or a ``---``/``...`` marker)."""
        return self.i >= self.n or self.at_marker("---") or self.at_marker("...")

    def block_line(self, ind: int, what: str) -> str | None:
        """The next line of a block indented ``ind`` (without the indentation), or None at its end."""
        self.skip_blank()
        if self.at_end():
            return None
        line = self.lines[self.i]
        li = _indent(line)
        if li < ind:
            return None
        if li > ind:
            raise self.error(f"bad indentation of a {what}")
        self.check_tab(line, ind)
        return line[ind:]

    # -- structure -----------------------------------------------------------------------------
    def document(self) -> object:
        self.skip_blank()
        if self.i < self.n and self.lines[self.i].startswith("%"):
            raise UnsupportedYaml("directives ('%') are not supported", self.i + 1)
        if self.at_marker("---"):
            rest = self.lines[self.i][3:]
            if _is_blank(rest):
                self.i += 1
            else:
                self.lines[self.i] = " " * 4 + rest.lstrip(" \t")
        value = self.node(-1)
        self.skip_blank()
        if self.at_marker("..."):
            self.i += 1
            self.skip_blank()
        if self.i < self.n:
            if self.at_marker("---"):
                raise UnsupportedYaml("several documents in one file are not supported", self.i + 1)
            raise self.error("unexpected text (is the indentation right?)")
        return value

    def node(self, parent: int) -> object:
        """The block node on the next non-blank line when it is indented more than ``parent``."""
        self.skip_blank()
        if self.at_end():
            return None
        line = self.lines[self.i]
        ind = _indent(line)
        if ind <= parent:
            return None
        self.check_tab(line, ind)
        self.enter(self.i)
        try:
            content = line[ind:]
            if _is_seq_entry(content):
                return self.block_seq(ind)
            if self.mapping_key(content, self.i) is not None:
                return self.block_map(ind)
            self.i += 1
            return self.inline(content, parent, self.i - 1)
        finally:
            self.depth -= 1

    def nested(self, ind: int) -> object:
        """The value of ``key:`` with nothing after it: a deeper node, or a sequence at ``ind``."""
        self.skip_blank()
        if not self.at_end():
            line = self.lines[self.i]
            if _indent(line) == ind and _is_seq_entry(line[ind:]):
                self.enter(self.i)
                try:
                    return self.block_seq(ind)
                finally:
                    self.depth -= 1
        return self.node(ind)

    def mapping_key(self, content: str, lineno: int) -> tuple[object, str] | None:
        """``(key, rest of line)`` when ``content`` starts with an implicit key, else None."""
        c = content[0]
        if c in "\"'":
            end = _quoted_end(content, 0)
            if end < 0:
                return None
            after = content[end:].lstrip(" \t")
            if after[:1] == ":" and (len(after) == 1 or after[1] in " \t"):
                return _decode_quoted(content[:end], lineno + 1), after[1:]
            return None
        if c == "?" and (len(content) == 1 or content[1] in " \t"):
            raise UnsupportedYaml("complex mapping keys ('? ') are not supported", lineno + 1)
        j = _plain_colon(content)
        if j < 0:
            return None
        if c in "[{":
            end = _flow_end(content)
            if 0 < end <= j:
                raise UnsupportedYaml("collections as mapping keys are not supported", lineno + 1)
            return None
        if c in "&!*":
            raise UnsupportedYaml("anchors, aliases or tags on mapping keys are not supported", lineno + 1)
        key = content[:j].rstrip(" \t")
        if not key:
            raise UnsupportedYaml("empty mapping keys are not supported", lineno + 1)
        return resolve_plain(key), content[j + 1:]

    def block_map(self, ind: int) -> dict:
        result: dict = {}
        while True:
            content = self.block_line(ind, "mapping entry")
            if content is None:
                return result
            kv = self.mapping_key(content, self.i)
            if kv is None:
                if _is_seq_entry(content):
                    raise self.error("a sequence entry where a mapping key was expected")
                raise self.error("expected 'key: value'")
            key, rest = kv
            if key == "<<":
                raise UnsupportedYaml("merge keys ('<<') are not supported", self.i + 1)
            if key in result:
                raise self.error(f"duplicate key {key!r}")
            lineno = self.i
            self.i += 1
            body = rest.strip(" \t")
            result[key] = self.nested(ind) if _is_blank(body) else self.inline(body, ind, lineno)

    def block_seq(self, ind: int) -> list:
        items: list = []
        while True:
            content = self.block_line(ind, "sequence entry")
            if content is None or not _is_seq_entry(content):
                return items
            rest = content[1:]
            body = rest.lstrip(" \t")
            if _is_blank(body):
                self.i += 1
                items.append(self.node(ind))
            else:
                # "- key: value" and "- - x": the entry's node starts at the column after "- ".
                self.lines[self.i] = " " * (ind + 1 + len(rest) - len(body)) + body
                items.append(self.node(ind))

    # -- scalars and flow collections -------------------------------------------------------------
    def inline(self, text: str, parent: int, lineno: int) -> object:
        """The node written from ``text`` on line ``lineno``; continuation lines are indented > parent."""
        anchor = None
        while text[:1] in ("&", "!"):
            if text[0] == "!":
                raise UnsupportedYaml("tags ('!') are not supported", lineno + 1)
            m = _ANCHOR.match(text)
            if not m:
                raise self.error("bad anchor", lineno)
            anchor = m.group(1)
            text = text[m.end():].lstrip(" \t")
        if _is_blank(text):
            value = self.nested(parent) if anchor is not None else None
        else:
            value = self.scalar_or_flow(text, parent, lineno)
        if anchor is not None:
            self.anchors[anchor] = value
        return value

    def scalar_or_flow(self, text: str, parent: int, lineno: int) -> object:
        c = text[0]
        if c == "*":
            m = _ALIAS.match(text)
            if not m or not _is_blank(text[m.end():]):
                raise self.error("bad alias", lineno)
            return self.alias(m.group(1), lineno)
        if c in "[{":
            return self.flow(text, lineno)
        if c in "\"'":
            return self.quoted(text, lineno)
        if c in "|>":
            return self.block_scalar(text, parent, lineno)
        if c in "@`":
            raise self.error(f"a plain scalar cannot start with {c!r}", lineno)
        return self.plain(text, parent, lineno)

    def plain(self, text: str, parent: int, lineno: int) -> object:
        first = _strip_comment(text)
        if _plain_colon(first) >= 0:
            raise self.error("a 'key: value' pair where a single value was expected", lineno)
        if first != text.rstrip(" \t"):  # a comment ends the scalar
            return resolve_plain(first)
        parts, breaks, j = [first], 0, self.i
        while j < self.n:
            line = self.lines[j]
            if not line.strip(" \t"):
                breaks += 1
                j += 1
                continue
            li = _indent(line)
            if li <= parent or line.lstrip(" \t")[0] == "#" or (li == 0 and line[:3] in ("---", "...")):
                break
            cont = _strip_comment(line[li:].lstrip("\t"))
            if _plain_colon(cont) >= 0:
                raise self.error("a 'key: value' pair inside a multi-line plain scalar", j)
            parts.append("\n" * breaks if breaks else " ")
            parts.append(cont)
            breaks = 0
            j += 1
            self.i = j
            if cont != line[li:].lstrip("\t").rstrip(" \t"):
                break
        return resolve_plain(first) if len(parts) == 1 else "".join(parts)

    def quoted(self, text: str, lineno: int) -> str:
        buf = text
        end = _quoted_end(buf, 0)
        while end < 0:
            if self.i >= self.n:
                raise YamlError("unterminated quoted scalar", lineno + 1)
            buf += "\n" + self.lines[self.i]
            self.i += 1
            end = _quoted_end(buf, 0)
        if not _is_blank(buf[end:]):
            raise self.error("unexpected text after a quoted scalar", self.i - 1)
        return _decode_quoted(buf[:end], lineno + 1)

    def flow(self, text: str, lineno: int) -> object:
        buf = text
        end = _flow_end(buf)
        while end < 0:
            if self.i >= self.n:
                raise YamlError("unterminated flow collection", lineno + 1)
            buf += "\n" + self.lines[self.i]
            self.i += 1
            end = _flow_end(buf)
        parser = _Flow(buf, lineno, self)
        value = parser.value()
        if parser.pos != end or not _is_blank(buf[end:]):
            raise self.error("unexpected text after a flow collection", self.i - 1)
        return value

    def block_scalar(self, header: str, parent: int, lineno: int) -> str:
        m = _BLOCK_HEADER.match(header)
        if not m:
            raise self.error("bad block scalar header", lineno)
        style, indicators = m.group(1), m.group(2) or ""
        chomp = "keep" if "+" in indicators else "strip" if "-" in indicators else "clip"
        digits = [c for c in indicators if c.isdigit()]
        indent = max(parent, 0) + int(digits[0]) if digits else None
        lines: list[str] = []
        while self.i < self.n:
            line = self.lines[self.i]
            if not line.strip(" "):
                lines.append(line[indent:] if indent is not None else "")
                self.i += 1
                continue
            li = _indent(line)
            if indent is None:
                if li <= parent:
                    break
                indent = li
            if li < indent:
                break
            lines.append(line[indent:])
            self.i += 1
        trailing = 0
        while lines and not lines[-1].strip(" "):
            lines.pop()
            trailing += 1
        if not lines:
            return "\n" * trailing if chomp == "keep" else ""
        body = "\n".join(lines) if style == "|" else _fold_block(lines)
        if chomp == "strip":
            return body
        if chomp == "clip":
            return body + "\n"
        return body + "\n" * (trailing + 1)


def _fold_block(lines: list[str]) -> str:
    """Folding of a ``>`` block scalar: lines join with spaces, empty lines become newlines."""
    out: list[str] = []
    prev: str | None = None
    pending = 0
    for ln in lines:
        if not ln:
            pending += 1
            continue
        if prev is None:
            out.append("\n" * pending)
        elif prev[0] in " \t" or ln[0] in " \t":
            out.append("\n" * (pending + 1))
        else:
            out.append("\n" * pending if pending else " ")
        out.append(ln)
        prev, pending = ln, 0
    return "".join(out)
