"""Build real wheels, install them into a store laid out as the envknit tool does, and write locks.

Used by the tests and by ``bench/runtime``.  A wheel is a zip with ``<dist>-<version>.dist-info/``
(METADATA, WHEEL, RECORD with sha256 hashes, optionally top_level.txt).  Installing it follows
DEVELOPERS.md ("Store entries") and store/install: members are unpacked into
``packages/.tmp/<random>/`` with ``.data/`` placed by category (scripts in ``bin/``, headers in
``include/``, data in ``data/``), INSTALLER is added, RECORD is rewritten to list what was
written, ``.envknit-entry.json`` is written, and the folder is renamed to
``packages/<name>/<version>/<first 16 hex of the wheel's sha256>/``.  A wheel built without
RECORD is installed without one (as another installer's folder named by ``install_path`` may be).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import sysconfig
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def expand_tags(tag: str) -> list[str]:
    py, abi, plat = tag.split("-")
    return [f"{i}-{a}-{p}" for i in py.split(".") for a in abi.split(".") for p in plat.split(".")]


@dataclass
class Wheel:
    """A built wheel file and what a lock records about it."""

    name: str
    version: str
    path: Path
    sha256: str
    tag: str
    requires: list[str] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.path.name

    def lock_wheel(self) -> dict:
        return {"file": self.file, "url": f"https://files.example/{self.file}", "sha256": self.sha256,
                "size": self.path.stat().st_size}


def build_wheel(out_dir: Path, name: str, version: str, files: dict[str, str | bytes], *,
                tag: str = "py3-none-any", requires: list[str] | None = None,
                top_level: list[str] | None = None, record: bool = True) -> Wheel:
    """A wheel of ``files`` (path -> text or bytes) with full dist-info."""
    out_dir.mkdir(parents=True, exist_ok=True)
    dist = re.sub(r"[-_.]+", "_", name)
    info = f"{dist}-{version}.dist-info"
    requires = list(requires or [])
    contents: dict[str, bytes] = {p: (c.encode() if isinstance(c, str) else c) for p, c in files.items()}
    meta = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    meta += [f"Requires-Dist: {r}" for r in requires]
    contents[f"{info}/METADATA"] = ("\n".join(meta) + "\n").encode()
    purelib = "true" if tag.endswith("-none-any") else "false"
    wheel_lines = ["Wheel-Version: 1.0", "Generator: envknit-tests", f"Root-Is-Purelib: {purelib}"]
    wheel_lines += [f"Tag: {t}" for t in expand_tags(tag)]
    contents[f"{info}/WHEEL"] = ("\n".join(wheel_lines) + "\n").encode()
    if top_level is not None:
        contents[f"{info}/top_level.txt"] = ("\n".join(top_level) + "\n").encode()
    if record:
        rows = [f"{p},{_record_hash(d)},{len(d)}" for p, d in contents.items()]
        rows.append(f"{info}/RECORD,,")
        contents[f"{info}/RECORD"] = ("\n".join(rows) + "\n").encode()
    path = out_dir / f"{dist}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for p, d in contents.items():
            zf.writestr(p, d)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return Wheel(name, version, path, sha, tag, requires)


def install_wheel(home: Path, wheel: Wheel) -> Path:
    """Install ``wheel`` into the store at ``home`` the way the tool does; returns the entry folder."""
    final = home / "packages" / normalize(wheel.name) / wheel.version / wheel.sha256[:16]
    if final.is_dir():
        return final
    tmp = home / "packages" / ".tmp" / uuid.uuid4().hex
    tmp.mkdir(parents=True)
    written: dict[str, bytes] = {}
    with zipfile.ZipFile(wheel.path) as zf:
        has_record = any(m.endswith(".dist-info/RECORD") for m in zf.namelist())
        for member in zf.namelist():
            first, _, rest = member.partition("/")
            if first.endswith(".dist-info") and rest == "RECORD":
                continue
            if first.endswith(".data"):  # .data/<category>/... is placed by category
                category, _, sub = rest.partition("/")
                target = {"purelib": sub, "platlib": sub, "scripts": f"bin/{sub}",
                          "headers": f"include/{sub}", "data": f"data/{sub}"}[category]
            else:
                target = member
            written[target] = zf.read(member)
    info = next(p for p in written if p.split("/")[0].endswith(".dist-info")).split("/")[0]
    written[f"{info}/INSTALLER"] = b"envknit\n"
    for path, data in written.items():
        (tmp / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp / path).write_bytes(data)
        if path.startswith("bin/"):
            (tmp / path).chmod(0o755)  # like the tool, scripts are executable
    # like the tool, RECORD lists what was written (installed paths), then itself
    if has_record:
        rows = [f"{p},{_record_hash(d)},{len(d)}" for p, d in written.items()] + [f"{info}/RECORD,,"]
        (tmp / info / "RECORD").write_text("\n".join(rows) + "\n")
    (tmp / ".envknit-entry.json").write_text(json.dumps({
        "name": normalize(wheel.name), "version": wheel.version, "wheel": wheel.file,
        "sha256": wheel.sha256, "tags": expand_tags(wheel.tag),
    }))
    final.parent.mkdir(parents=True, exist_ok=True)
    os.rename(tmp, final)
    return final


def lock_entry(wheels: list[Wheel], *, dependencies: list[str] | None = None, **extra) -> dict:
    """The lock entry of one version whose index lists ``wheels``."""
    first = wheels[0]
    entry = {"name": first.name, "version": first.version,
             "dependencies": dependencies if dependencies is not None else list(first.requires),
             "requires_python": ">=3.8", "index": "https://pypi.org/simple",
             "wheels": [w.lock_wheel() for w in wheels]}
    entry.update(extra)
    return entry


def _q(value: object) -> str:
    return json.dumps(value)


def lock_yaml(environments: dict[str, list[dict]], schema_version: str = "1.1") -> str:
    """Lock text in the layout the tool's writer uses (``serializeLock`` in project/lock.ts), so the
    runtime reads it with its exact reader, with or without PyYAML."""
    out = [
        "# envknit.lock.yaml: written by `envknit lock`. Do not edit by hand.",
        f"schema_version: {_q(schema_version)}",
        'lock_generated_at: "2026-11-21T10:30:00Z"',
        'resolver_version: "envknit/0.1.0"',
        'config_hash: "0000000000000000000000000000000000000000000000000000000000000000"',
        'target: {python: "3.11", platform: "manylinux_2_36_x86_64"}',
        "environments:" if environments else "environments: {}",
    ]
    for env, entries in sorted(environments.items()):
        out.append(f"  {env}:" if entries else f"  {env}: []")
        for e in sorted(entries, key=lambda e: (e["name"], e["version"])):
            out.append(f"    - name: {_q(e['name'])}")
            out.append(f"      version: {_q(e['version'])}")
            out.append(f"      dependencies: [{', '.join(_q(d) for d in e.get('dependencies') or [])}]")
            if e.get("extras"):
                out.append(f"      extras: [{', '.join(_q(x) for x in sorted(e['extras']))}]")
            if e.get("dev"):
                out.append("      dev: true")
            for key in ("requires_python", "index", "install_path"):
                if e.get(key):
                    out.append(f"      {key}: {_q(e[key])}")
            wheels = sorted(e.get("wheels") or [], key=lambda w: w["file"])
            out.append("      wheels:" if wheels else "      wheels: []")
            for w in wheels:
                size = f", size: {w['size']}" if "size" in w else ""
                out.append(f"        - {{file: {_q(w['file'])}, url: {_q(w['url'])}, sha256: {_q(w['sha256'])}{size}}}")
    return "\n".join(out) + "\n"


def python_module(version: str, body: str = "") -> str:
    return f'__version__ = "{version}"\n{body}'


C_EXTENSION_SOURCE = r"""
#define Py_LIMITED_API 0x030A0000
#include <Python.h>
#include <unistd.h>

static PyObject *add(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;
    return PyLong_FromLong(a + b);
}

static PyObject *pid(PyObject *self, PyObject *unused) {
    return PyLong_FromLong((long)getpid());
}

static PyMethodDef methods[] = {
    {"add", add, METH_VARARGS, "add two integers"},
    {"pid", pid, METH_NOARGS, "the process id"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speedups", NULL, -1, methods};

PyMODINIT_FUNC PyInit__speedups(void) {
    PyObject *m = PyModule_Create(&module);
    if (m != NULL) PyModule_AddStringConstant(m, "BUILD", BUILD);
    return m;
}
"""


def compile_extension(out_dir: Path, build: str) -> bytes:
    """A real single-phase-init C extension (limited API 3.10, so one .abi3.so serves 3.10+)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    src = out_dir / "_speedups.c"
    src.write_text(C_EXTENSION_SOURCE)
    so = out_dir / "_speedups.abi3.so"
    include = sysconfig.get_paths()["include"]
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-O1", f"-I{include}", f'-DBUILD="{build}"', str(src), "-o", str(so)],
        check=True, capture_output=True,
    )
    return so.read_bytes()


def abi3_platform_tag() -> str:
    return f"cp310-abi3-{sysconfig.get_platform().replace('-', '_').replace('.', '_')}"


def python_exe() -> str:
    return sys.executable
