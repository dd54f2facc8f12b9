"""Reading locks: the tool's own writer, the YAML library it uses, PyYAML fallback, and errors."""

from __future__ import annotations

import importlib.util
import json
import random
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import envknit
from envknit import yaml_lite
from envknit.lock import parse_lock, read_lock

ROOT = Path(__file__).resolve().parents[2]

TRICKY = [
    "", " leading space", "trailing space ", "tab\tinside", "line\nbreak", "two\n\nbreaks", "quote \" in",
    "back\\slash", "hash # in", "#start", "colon: in", "ends with colon:", "- dash", "* star", "& amp",
    "! bang", "% pct", "@ at", "` tick", "| pipe", "> gt", "? q", "null", "true", "False", "~", "1.10", "3.11",
    "0x1F", "1e3", ".inf", "[not a list]", "{not: map}", "naïve—✓ 😀", "control \u0001 char", "\u2028sep",
    "a long requirement string with many spaces that a YAML writer may fold across several lines " * 3,
]


def run_deno(script: str, payload: object) -> object:
    deno = shutil.which("deno")
    assert deno, "deno is part of this project's toolchain (deno task test runs this suite)"
    proc = subprocess.run(
        [deno, "eval", "--quiet", "--ext=ts", script], input=json.dumps(payload), text=True,
        capture_output=True, cwd=ROOT, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def tool_lock(environments: dict) -> dict:
    return {
        "schemaVersion": "1.1", "lockGeneratedAt": "2026-11-21T10:30:00Z",
        "resolverVersion": "envknit/0.1.0", "configHash": "ab" * 32,
        "target": {"python": "3.11", "platform": "manylinux_2_36_x86_64"},
        "environments": environments,
    }


def test_reads_what_the_tools_lock_writer_writes():
    rng = random.Random(7)
    packages = []
    for i, text in enumerate(TRICKY):
        packages.append({
            "name": f"pkg-{i}", "version": f"1.{i}.0",
            "dependencies": [text, f"dep-{i}<2,>=1"],
            "extras": ["socks", text] if i % 3 == 0 else [],
            "dev": i % 2 == 0,
            "requiresPython": text if i % 4 == 0 else ">=3.8, !=3.9.*",
            "index": "https://pypi.org/simple",
            "installPath": text if i % 5 == 0 else None,
            "wheels": [
                {"file": f"pkg_{i}-1.{i}.0-py3-none-any.whl", "url": f"https://files.example/{i}.whl?x=1#frag",
                 "sha256": f"{rng.getrandbits(256):064x}", "size": rng.randrange(1, 10**9)},
                {"file": f"pkg_{i}-1.{i}.0-cp311-cp311-manylinux_2_17_x86_64.whl", "url": "https://f.example/b",
                 "sha256": f"{rng.getrandbits(256):064x}"},
            ] if i % 6 else [],
        })
    lock = tool_lock({"default": packages, "empty": [], "legacy-env.1": packages[:3]})
    text = run_deno(
        f'import {{ serializeLock }} from "{ROOT.as_uri()}/project/lock.ts";\n'
        "const lock = JSON.parse(await new Response(Deno.stdin.readable).text());\n"
        "for (const ps of Object.values(lock.environments)) for (const p of ps) "
        "  if (p.installPath === null) delete p.installPath;\n"
        "console.log(JSON.stringify(serializeLock(lock)));",
        lock,
    )
    parsed = parse_lock(text)
    assert parsed.schema_version == "1.1"
    assert list(parsed.environments) == ["default", "empty", "legacy-env.1"]
    assert parsed.environments["empty"] == ()
    by_name = {p.name: p for p in parsed.environments["default"]}
    for want in packages:
        got = by_name[want["name"]]
        assert got.version == want["version"]
        assert list(got.dependencies) == want["dependencies"]
        assert got.dev == want["dev"]
        assert got.install_path == (want["installPath"] or None)
        assert [(w.file, w.url, w.sha256, w.size) for w in got.wheels] == sorted(
            (w["file"], w["url"], w["sha256"], w.get("size")) for w in want["wheels"])
    # the whole document, not just the fields the runtime uses
    doc = yaml_lite.loads(text)
    assert doc["target"] == {"python": "3.11", "platform": "manylinux_2_36_x86_64"}
    assert [p.get("requires_python") for p in doc["environments"]["default"]] == [
        p["requiresPython"] or None for p in sorted(packages, key=lambda p: p["name"])]


STRINGIFY_OPTIONS = [
    {}, {"lineWidth": 20, "minContentWidth": 0}, {"indentSeq": False}, {"collectionStyle": "flow"},
    {"collectionStyle": "flow", "lineWidth": 30, "minContentWidth": 0},
    {"defaultStringType": "QUOTE_DOUBLE"}, {"defaultStringType": "QUOTE_SINGLE"},
    {"defaultStringType": "QUOTE_DOUBLE", "doubleQuotedAsJSON": True},
    {"blockQuote": "literal"}, {"blockQuote": "folded", "lineWidth": 25, "minContentWidth": 0},
    {"defaultKeyType": "PLAIN", "indent": 4}, {"flowCollectionPadding": False, "collectionStyle": "flow"},
]


def test_reads_every_style_of_the_yaml_library_the_tool_uses():
    data = {
        "schema_version": "1.1",
        "strings": TRICKY,
        "numbers": [0, -7, 12345678901234, 1.5, -0.25, 6.02e23],
        "flags": [True, False, None],
        "nested": {"a": [{"b": {"c": [[], {}, [1, [2, [3]]]]}}], "empty": {}, "list": []},
        "keys": {text or "empty-key": i for i, text in enumerate(TRICKY[:30])},
        "environments": {"default": [{"name": "requests", "version": "2.31.0",
                                      "dependencies": ["charset-normalizer<4,>=2", "idna<4,>=2.5"],
                                      "wheels": [{"file": "requests-2.31.0-py3-none-any.whl", "size": 62574}]}]},
    }
    texts = run_deno(
        'import { stringify } from "npm:yaml@2.9.1";\n'
        "const { data, options } = JSON.parse(await new Response(Deno.stdin.readable).text());\n"
        "console.log(JSON.stringify(options.map((o) => stringify(data, o))));",
        {"data": data, "options": STRINGIFY_OPTIONS},
    )
    for options, text in zip(STRINGIFY_OPTIONS, texts):
        assert yaml_lite.loads(text) == data, (options, text)


YAML_CASES = [
    ("a: 1\nb: [x, 'y', \"z\"]\nc: {d: e, f: [1, 2]}\n", {"a": 1, "b": ["x", "y", "z"], "c": {"d": "e", "f": [1, 2]}}),
    ("- a\n- b: 1\n  c: 2\n- - nested\n  - seq\n-\n  deep: true\n",
     ["a", {"b": 1, "c": 2}, ["nested", "seq"], {"deep": True}]),
    ("key:\n- same indent seq\n- two\nnext: x\n", {"key": ["same indent seq", "two"], "next": "x"}),
    ("lit: |\n  one\n   two\n\n  three\nfold: >-\n  a\n  b\n\n  c\nkeep: |+\n  k\n\nend: 1\n",
     {"lit": "one\n two\n\nthree\n", "fold": "a b\nc", "keep": "k\n\n", "end": 1}),
    ("q: 'it''s'\nd: \"tab\\tnew\\nuni\\u00e9\\x41\"\nmulti: \"a\n  b\n\n  c\"\nplain: one\n  two\n",
     {"q": "it's", "d": "tab\tnew\nuni\u00e9A", "multi": "a b\nc", "plain": "one two"}),
    ("anchors: &a [1, 2]\nalias: *a\nmap: &m {k: v}\nagain: *m\n",
     {"anchors": [1, 2], "alias": [1, 2], "map": {"k": "v"}, "again": {"k": "v"}}),
    ("--- # doc\nx: ~\ny: null\nz:\n...\n", {"x": None, "y": None, "z": None}),
    ("url: http://host:80/p?q=1#f\nhash: a#b\ncomment: v # c\n'quoted key': 1\n\"dq key\": 2\n",
     {"url": "http://host:80/p?q=1#f", "hash": "a#b", "comment": "v", "quoted key": 1, "dq key": 2}),
    ("flow: [a, b,\n  c, {d: e,\n   f: g}]\nafter: 1\n", {"flow": ["a", "b", "c", {"d": "e", "f": "g"}], "after": 1}),
    ("n: [0o17, 0x1f, -3, +4, 1.5, -.5e1, .inf, -.Inf, true, False, NULL, ~, '1.10', 1.10]\n",
     {"n": [15, 31, -3, 4, 1.5, -5.0, float("inf"), float("-inf"), True, False, None, None, "1.10", 1.1]}),
    ("", None),
    ("# only a comment\n", None),
]


@pytest.mark.parametrize("text,expected", YAML_CASES)
def test_yaml_subset(text, expected):
    assert yaml_lite.loads(text) == expected


def test_pyyaml_reads_yaml_beyond_the_subset_and_is_not_left_imported(monkeypatch):
    if importlib.util.find_spec("yaml") is None:  # checked without importing it
        pytest.skip("PyYAML is not installed for this Python (the fallback needs it)")
    text = textwrap.dedent("""\
        schema_version: !!str 1.1
        environments:
          default:
            - {name: a, version: !!str 1.0}
        """)
    with pytest.raises(yaml_lite.UnsupportedYaml):
        yaml_lite.loads(text)
    had_yaml = "yaml" in sys.modules
    lock = parse_lock(text)
    assert lock.schema_version == "1.1"
    assert lock.environments["default"][0].version == "1.0"
    assert ("yaml" in sys.modules) == had_yaml


def _block_pyyaml(monkeypatch):
    for name in [n for n in sys.modules if n == "yaml" or n.startswith(("yaml.", "_yaml"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "yaml", None)  # `import yaml` now raises ImportError


def test_without_pyyaml_the_own_reader_reads_locks(monkeypatch, store):
    _block_pyyaml(monkeypatch)
    store.write()
    lock = read_lock(store.lock)
    assert {p.name for p in lock.environments["legacy"]} == {"greeter", "wordlib", "PyYAML", "fastcalc"}
    assert envknit.configure_from_lock(store.lock) == 11


def test_without_pyyaml_unsupported_yaml_says_to_install_it(monkeypatch):
    _block_pyyaml(monkeypatch)
    with pytest.raises(envknit.LockFileError, match="PyYAML"):
        parse_lock("schema_version: !!str 1.1\nenvironments: {}\n")


def test_newer_major_schema_is_refused(tmp_path):
    path = tmp_path / "envknit.lock.yaml"
    path.write_text('schema_version: "2.0"\nenvironments: {default: []}\n')
    with pytest.raises(envknit.SchemaVersionError, match="upgrade"):
        read_lock(path)
    with pytest.raises(envknit.SchemaVersionError):
        envknit.configure_from_lock(path)
    assert issubclass(envknit.SchemaVersionError, ValueError)


def test_newer_minor_schema_with_unknown_fields_is_read(tmp_path):
    path = tmp_path / "envknit.lock.yaml"
    path.write_text(textwrap.dedent("""\
        schema_version: "1.9"
        future_top_level: {anything: [1, 2]}
        environments:
          default:
            - name: "a"
              version: "1.0"
              future_field: {x: y}
              wheels: [{file: "a-1.0-py3-none-any.whl", sha256: "%s", future: 1}]
        """ % ("0" * 64)))
    lock = read_lock(path)
    assert lock.environments["default"][0].wheels[0].sha256 == "0" * 64


def test_missing_lock_is_file_not_found(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError) as info:
        read_lock(tmp_path / "nope.yaml")
    assert info.value.filename == str(tmp_path / "nope.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ENVKNIT_LOCK", raising=False)
    with pytest.raises(FileNotFoundError):
        envknit.configure_from_lock()


CORRUPT = {
    "tab indentation": "environments:\n\tdefault: []\n",
    "bad indentation": "environments:\n  default:\n    - name: a\n   version: 1\n",
    "unterminated quote": 'schema_version: "1.1\nenvironments: {}\n',
    "unterminated flow": "environments: {default: [\n",
    "environments is a string": "environments: nope\n",
    "package without version": "environments:\n  default:\n    - name: a\n",
    "package is a list": "environments:\n  default:\n    - [a, b]\n",
    "wheel without file": "environments:\n  default:\n    - {name: a, version: '1', wheels: [{url: x}]}\n",
    "not a mapping": "- just\n- a list\n",
    "duplicate key": "schema_version: '1.0'\nschema_version: '1.1'\n",
    "bad schema": "schema_version: banana\n",
    "text after value": "a: 'x' y\n",
    "deep nesting": "x: " + "[" * 500 + "]" * 500 + "\n",
}


@pytest.mark.parametrize("name", list(CORRUPT))
def test_corrupt_lock_is_a_clear_error(name, tmp_path, monkeypatch):
    _block_pyyaml(monkeypatch)
    path = tmp_path / "envknit.lock.yaml"
    path.write_text(CORRUPT[name])
    with pytest.raises(envknit.LockFileError) as info:
        read_lock(path)
    assert str(path) in str(info.value)


def test_binary_garbage_is_a_clear_error(tmp_path):
    path = tmp_path / "envknit.lock.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage\x9c")
    with pytest.raises(envknit.LockFileError, match="UTF-8"):
        read_lock(path)


def test_mutated_locks_never_crash_or_hang(store, monkeypatch):
    """Random edits of a real lock give a lock, or LockFileError/SchemaVersionError: nothing else."""
    _block_pyyaml(monkeypatch)
    store.write()
    base = store.lock.read_text()
    rng = random.Random(1234)
    alphabet = list("-:[]{}'\"#&*!|>?,\n\t \\%@`") + ["  ", "\n  - ", ": ", "x"]
    started = time.monotonic()
    for _ in range(400):
        chars = list(base)
        for _ in range(rng.randrange(1, 6)):
            i = rng.randrange(len(chars))
            op = rng.randrange(3)
            if op == 0:
                del chars[i]
            elif op == 1:
                chars.insert(i, rng.choice(alphabet))
            else:
                chars[i] = rng.choice(alphabet)
        try:
            parse_lock("".join(chars))
        except (envknit.LockFileError, envknit.SchemaVersionError):
            pass
    assert time.monotonic() - started < 60
