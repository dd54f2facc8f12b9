"""Build environment views exactly as DEVELOPERS.md ("Environment views") says the tool does.

This is the reference the TypeScript builder follows, and what the tests and ``bench/run`` use to
get a view without the tool::

    probe = probe_interpreter("/usr/bin/python3")            # what the view links, and where
    entries = choose_entries(probe.python, lock, "default", home)   # the tool's choice of entries
    view = build_view(home, lock, "default", entries, probe, runtime_dir)
    subprocess.run([view / "bin" / "python", "-c", "import requests"], env={})

A view is ``$ENVKNIT_HOME/views/<key>/``: ``pyvenv.cfg``, ``bin/python*`` links to the base
interpreter, ``bin/<script>`` launchers for the entries' scripts, ``lib/pythonX.Y/site-packages/``
of links into the store, and ``view.json``.  It is built in ``views/.tmp/<random>/`` and renamed
into place, so a folder at its final path is complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

VIEW_FORMAT = 1
VIEW_FILE = "view.json"

#: Run as ``<python> -I -S -c PROBE``: prints what a view of that interpreter needs (one JSON line).
PROBE = r"""
import json, os, sys, sysconfig
def script(path):
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return False
exe = os.path.realpath(sys.executable)
base = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)
# A wrapper script that starts the interpreter with its own path as argv[0] (sys.executable is
# then the script) is what the view links; otherwise the real binary of the base interpreter.
target = exe if script(exe) else base
abi_thread = "t" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""
xy = "%d.%d" % sys.version_info[:2]
print(json.dumps({
    "target": target,
    "home": os.path.dirname(base),
    "version": "%d.%d.%d" % sys.version_info[:3],
    "xy": xy,
    "site_packages": "lib/python%s%s/site-packages" % (xy, abi_thread),
    "base_prefix": sys.base_prefix,
    "implementation": sys.implementation.name,
}))
"""

#: Top-level names of an entry that are never linked: the entry's marker, byte code, and the
#: store's own folders (``bin``, ``include``, ``data``) unless one is a regular package.
SKIPPED = {".envknit-entry.json", "__pycache__"}
STORE_FOLDERS = {"bin", "include", "data"}
#: The runtime's package name: the view links it to the runtime, whatever the entries hold.
RUNTIME_NAME = "envknit"


@dataclass(frozen=True)
class Probe:
    """What :data:`PROBE` printed for one interpreter (``python`` is the path it was run as)."""

    python: str
    target: str
    home: str
    version: str
    xy: str
    site_packages: str
    base_prefix: str


@dataclass(frozen=True)
class Entry:
    """One chosen store entry (``path`` is its real path)."""

    name: str
    version: str
    path: str


def probe_interpreter(python: str | os.PathLike) -> Probe:
    out = subprocess.run([str(python), "-I", "-S", "-c", PROBE], capture_output=True, text=True, check=True,
                         env=_clean_env())
    data = json.loads(out.stdout)
    return Probe(str(python), data["target"], data["home"], data["version"], data["xy"], data["site_packages"],
                 data["base_prefix"])


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}


CHOOSE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from envknit.lock import read_lock
from envknit.store import find_installed
from pathlib import Path
lock = read_lock(sys.argv[2])
out = []
for pkg in lock.environments[sys.argv[3]]:
    path = find_installed(pkg, Path(sys.argv[4]), lock.directory)
    out.append(None if path is None else {"name": pkg.key, "version": pkg.version, "path": str(path.resolve())})
print(json.dumps(out))
"""


def choose_entries(python: str | os.PathLike, lock: Path, env: str, home: Path, runtime_root: Path) -> list[Entry]:
    """The entries the tool would choose for ``env`` of ``lock`` and interpreter ``python`` (in the
    lock's order), found by the runtime's own rules run under that interpreter."""
    out = subprocess.run([str(python), "-I", "-S", "-c", CHOOSE, str(runtime_root), str(lock), env, str(home)],
                         capture_output=True, text=True, check=True, env=_clean_env())
    chosen = json.loads(out.stdout)
    if any(c is None for c in chosen):
        raise RuntimeError(f"not every package of {env} is installed in {home}")
    return [Entry(c["name"], c["version"], c["path"]) for c in chosen]


def runtime_version(runtime_package: Path) -> str:
    """The ``__version__`` of the runtime package at ``runtime_package`` (the tool's ENVKNIT_VERSION)."""
    text = (runtime_package / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def view_key(lock: Path, env: str, dev: bool, probe: Probe, entries: list[Entry], version: str,
             islands: dict | None = None) -> str:
    """First 16 hex digits of the sha256 of the compact JSON array that names what the view is
    (followed by view.json's ``islands`` for an environment with islands)."""
    identity = ["envknit-view", VIEW_FORMAT, str(lock), env, dev, probe.target, probe.xy, version,
                [e.path for e in entries]]
    if islands:
        identity.append(islands)
    text = json.dumps(identity, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _sh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _linkable(entry: Path, name: str) -> bool:
    if name in SKIPPED or name.startswith("."):
        return False
    if name in STORE_FOLDERS:
        return (entry / name / "__init__.py").is_file()
    return True


def _place(target: Path, sources: list[Path]) -> None:
    """Link ``target`` to the first source; when the first is a folder and others are folders
    too (a namespace package spread over several entries), make ``target`` a real folder and place
    the union of their children the same way."""
    folders = [s for s in sources if s.is_dir()] if sources[0].is_dir() else []
    if len(folders) < 2:
        target.symlink_to(sources[0])
        return
    target.mkdir()
    children: dict[str, list[Path]] = {}
    for folder in folders:
        for child in sorted(os.listdir(folder)):
            if child != "__pycache__":
                children.setdefault(child, []).append(folder / child)
    for child, child_sources in sorted(children.items()):
        _place(target / child, child_sources)


def fill_site_packages(site: Path, entries: list[Entry], runtime_package: Path) -> None:
    """The links of a view's site-packages: every linkable top-level name of every entry (first
    entry wins a name; folders of the same name are merged), then ``envknit`` to the runtime."""
    names: dict[str, list[Path]] = {}
    for entry in entries:
        folder = Path(entry.path)
        for name in sorted(os.listdir(folder)):
            if _linkable(folder, name) and name != RUNTIME_NAME:
                names.setdefault(name, []).append(folder / name)
    names[RUNTIME_NAME] = [runtime_package]
    for name, sources in sorted(names.items()):
        _place(site / name, sources)


def launcher(view: Path, script: Path) -> str:
    """A view's ``bin/<name>``: the entry's script with ``ENVKNIT_PYTHON`` set to the view's python."""
    return (
        "#!/bin/sh\n"
        "# envknit view: runs a script of the environment with the view's python\n"
        f"ENVKNIT_PYTHON={_sh_quote(str(view / 'bin' / 'python'))}\n"
        "export ENVKNIT_PYTHON\n"
        f'exec {_sh_quote(str(script))} "$@"\n'
    )


def build_view(home: Path, lock: Path, env: str, entries: list[Entry], probe: Probe, runtime_package: Path, *,
               dev: bool = True, verify: bool = True, islands: dict | None = None) -> Path:
    """Build (or find) the view of ``entries`` for ``probe``'s interpreter; returns its folder.

    ``islands`` (an environment with islands, DEVELOPERS.md "Islands"): view.json's ``islands``
    member (``{"count", "entries": [...]}``, the tool's ``islandSpec``); the caller lists the entries
    island 0 sees first.  site-packages then also holds ``_envknit_islands.py`` (a link to the
    runtime's ``isolation/islands.py``) and ``_envknit_islands.pth`` (``import _envknit_islands``),
    which routes the islands at start-up."""
    home = Path(os.path.realpath(home))
    lock = Path(os.path.realpath(lock))
    key = view_key(lock, env, dev, probe, entries, runtime_version(runtime_package), islands)
    final = home / "views" / key
    if final.is_dir():
        return final
    tmp = home / "views" / ".tmp" / uuid.uuid4().hex
    (tmp / "bin").mkdir(parents=True)
    (tmp / "pyvenv.cfg").write_text(
        f"home = {probe.home}\ninclude-system-site-packages = false\nversion = {probe.version}\n"
        f"executable = {probe.target}\n"
    )
    pythons = ("python", "python3", f"python{probe.xy}")
    for name in pythons:
        (tmp / "bin" / name).symlink_to(probe.target)
    taken = set(pythons)
    for entry in entries:
        scripts = Path(entry.path) / "bin"
        if not scripts.is_dir():
            continue
        for script in sorted(scripts.iterdir()):
            if script.name in taken or not script.is_file():
                continue
            taken.add(script.name)
            out = tmp / "bin" / script.name
            out.write_text(launcher(final, script))
            out.chmod(0o755)
    site = tmp / probe.site_packages
    site.mkdir(parents=True)
    fill_site_packages(site, entries, runtime_package)
    if islands:
        (site / "_envknit_islands.py").symlink_to(runtime_package / "isolation" / "islands.py")
        (site / "_envknit_islands.pth").write_text("import _envknit_islands\n")
    (tmp / VIEW_FILE).write_text(json.dumps({
        "format": VIEW_FORMAT,
        "key": key,
        "lock": str(lock),
        "environment": env,
        "dev": dev,
        "envknit_home": str(home),
        "runtime": str(runtime_package),
        "interpreter": {"target": probe.target, "home": probe.home, "version": probe.version,
                        "site_packages": probe.site_packages},
        "entries": [{"name": e.name, "version": e.version, "path": e.path} for e in entries],
        **({"islands": islands} if islands else {}),
    }, indent=2) + "\n")
    try:
        os.rename(tmp, final)
    except OSError:
        if not final.is_dir():
            raise
        shutil.rmtree(tmp)  # another builder was first: same key, same contents
    if verify:
        try:
            check_view(final, probe)
        except BaseException:
            shutil.rmtree(final, ignore_errors=True)
            raise
    return final


def check_view(view: Path, probe: Probe) -> None:
    """The view's python is that environment: sys.prefix is the view, sys.base_prefix the base's."""
    out = subprocess.run([str(view / "bin" / "python"), "-I", "-c",
                          "import sys; print(sys.prefix); print(sys.base_prefix)"],
                         capture_output=True, text=True, check=True, env=_clean_env())
    prefix, base_prefix = out.stdout.splitlines()
    if prefix != str(view) or base_prefix != probe.base_prefix:
        raise RuntimeError(f"{view}/bin/python does not start as the view: {out.stdout!r} (is {probe.target} "
                           "a wrapper that does not pass its argv[0] on?)")


def view_for(python: str | os.PathLike, home: Path, lock: Path, env: str, runtime_package: Path, **kw) -> Path:
    """Probe ``python``, choose its entries, build the view: the whole tool half in one call."""
    probe = probe_interpreter(python)
    entries = choose_entries(probe.python, lock, env, home, runtime_package.parent)
    return build_view(home, lock, env, entries, probe, runtime_package, **kw)
