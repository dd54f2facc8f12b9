"""Finding a locked package in the global store, and reading what an installed wheel provides.

Store layout (DEVELOPERS.md, "Store entries")::

    $ENVKNIT_HOME/packages/<name>/<version>/<first 16 hex of the wheel's sha256>/
        <modules and packages>   <dist>-<version>.dist-info/   .envknit-entry.json  bin/ ...

A lock entry lists every wheel of its version; the entries of those wheels that are installed are
the candidates, and the one whose tags rank best for this interpreter (:mod:`envknit.tags`) is
used.  An ``install_path`` in the lock (EnvKnit's field) is honoured first, but only inside the
package's own folder of the store, ``packages/<its normalised name>/`` (real path, symlinks
resolved), unless the caller trusts the lock (:func:`honoured_install_path`).

:class:`DistInfo` reads an installed distribution's ``RECORD`` (else ``top_level.txt``, else the
folder itself) to learn its top-level import names (``PyYAML`` provides ``yaml``,
``beautifulsoup4`` provides ``bs4``) and whether it ships C extensions (files ending in
``importlib.machinery.EXTENSION_SUFFIXES``).
"""

from __future__ import annotations

import csv
import importlib.machinery
import io
import json
import os
from pathlib import Path

from .errors import LockFileError
from .lock import LockPackage
from .tags import best_rank, wheel_filename_tags
from .versions import normalize_name, same_version

__all__ = [
    "envknit_home", "find_installed", "honoured_install_path", "best_entry_in", "is_installed_wheel", "entry_tags",
    "DistInfo",
]

ENTRY_FILE = ".envknit-entry.json"


def envknit_home() -> Path:
    """``$ENVKNIT_HOME``; else, in an environment view, the store the view was built from; else ``~/.envknit``."""
    home = os.environ.get("ENVKNIT_HOME")
    if home:
        return Path(home).expanduser()
    from .view import current_view  # noqa: PLC0415 - read only when no ENVKNIT_HOME says where

    view = current_view()
    return Path(view.home) if view is not None else Path.home() / ".envknit"


def entry_tags(entry: Path, wheel_file: str | None = None) -> list[str]:
    """The wheel tags of a store entry: from ``.envknit-entry.json``, else the wheel's name or WHEEL."""
    try:
        meta = json.loads((entry / ENTRY_FILE).read_text(encoding="utf-8"))
        tags = meta.get("tags") if isinstance(meta, dict) else None
        if isinstance(tags, list) and all(isinstance(t, str) for t in tags):
            return tags
        if isinstance(meta, dict) and isinstance(meta.get("wheel"), str):
            return wheel_filename_tags(meta["wheel"])
    except (OSError, ValueError):
        pass
    if wheel_file:
        return wheel_filename_tags(wheel_file)
    for info in _dist_info_dirs(entry):
        try:
            lines = (info / "WHEEL").read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        return [ln.split(":", 1)[1].strip() for ln in lines if ln.lower().startswith("tag:")]
    return []


def _dist_info_dirs(path: Path) -> list[Path]:
    try:
        return sorted(p for p in path.iterdir() if p.name.endswith(".dist-info") and p.is_dir())
    except OSError:
        return []


def _version_dir(base: Path, version: str) -> Path | None:
    exact = base / version
    if exact.is_dir():
        return exact
    try:
        for d in sorted(base.iterdir()):
            if d.is_dir() and same_version(d.name, version):
                return d
    except OSError:
        pass
    return None


def _marker_sha256(entry: Path) -> str | None:
    """The full sha256 an entry's marker records, or None when it records none."""
    try:
        meta = json.loads((entry / ENTRY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    sha = meta.get("sha256") if isinstance(meta, dict) else None
    return sha.lower() if isinstance(sha, str) else None


def best_entry_in(folder: Path, wheels: dict[str, str] | None = None,
                  sha256s: dict[str, str] | None = None) -> Path | None:
    """The entry among ``folder``'s ``<hash16>`` subfolders this interpreter prefers, or None.

    ``wheels`` (hash16 -> wheel file name), when given and not empty, limits the candidates to
    those wheels; otherwise every subfolder with an entry marker is a candidate.  ``sha256s``
    (hash16 -> the lock's full sha256) drops an entry whose marker records another full sha256:
    the folder name holds only 16 hex digits of it, so a lock whose sha256 differs past them (or a
    wheel sharing the prefix) must not pass for the entry.
    """
    try:
        subdirs = sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith("."))
    except OSError:
        return None
    if wheels:
        candidates = [(d, wheels[d.name]) for d in subdirs if d.name in wheels]
        if sha256s:
            candidates = [(d, w) for d, w in candidates
                          if _marker_sha256(d) in (None, sha256s.get(d.name, "").lower())]
    else:
        candidates = [(d, None) for d in subdirs if (d / ENTRY_FILE).is_file()]
    best: tuple[int, int, Path] | None = None
    for order, (entry, wheel_file) in enumerate(candidates):
        rank = best_rank(entry_tags(entry, wheel_file))
        if rank is not None and (best is None or (rank, order) < best[:2]):
            best = (rank, order, entry)
    return best[2] if best else None


def is_installed_wheel(folder: Path) -> bool:
    """True when ``folder`` holds an installed distribution (a ``.dist-info`` folder)."""
    return bool(_dist_info_dirs(folder))


def honoured_install_path(raw: str, name: str, home: Path, base_dir: Path | None = None, *,
                          trust: bool = False, where: str = "install_path") -> Path:
    """The real path of a lock's ``install_path`` ``raw`` for package ``name``, if it may be honoured.

    The store is content-addressed: an entry is found by the hashes the lock pins, while an
    ``install_path`` names a folder without any hash.  So it is honoured only when its real path
    (symlinks resolved; relative paths taken from ``base_dir``, the lock's folder) is inside
    ``$ENVKNIT_HOME/packages/<name normalised>/``: a lock from a pull request must neither make the
    program import from an arbitrary folder nor point package A at package B's entries.  With
    ``trust`` (a lock the program trusts) any folder is.  Anything else raises LockFileError,
    whose message starts with ``where`` and names ``raw``.
    """
    try:
        path = Path(os.path.expanduser(raw))
        if not path.is_absolute():
            path = (base_dir or Path.cwd()) / path
        real = Path(os.path.realpath(path))
        store = Path(os.path.realpath(home / "packages"))
    except (OSError, ValueError) as e:
        raise LockFileError(f"{where}: {raw[:200]!r} is not a usable path ({e})") from None
    if trust:
        return real
    own = store / normalize_name(name)
    if real == own or own in real.parents:
        return real
    trust_hint = ("unless configure_from_lock(..., trust_install_path=True) says the lock is trusted")
    if store in real.parents:
        raise LockFileError(
            f"{where}: {raw[:200]!r} is not in {name}'s folder of the store ({own}); a lock's install_path "
            f"is honoured only under packages/<its package's name>/, {trust_hint}"
        )
    raise LockFileError(
        f"{where}: {raw[:200]!r} is outside the store ({store}); the runtime imports from a lock's "
        f"install_path only inside the store, {trust_hint}"
    )


def find_installed(pkg: LockPackage, home: Path | None = None, lock_dir: Path | None = None, *,
                   trust_install_path: bool = False, where: str | None = None) -> Path | None:
    """The folder holding ``pkg``'s installed wheel for this interpreter, or None if there is none.

    ``install_path``, when :func:`honoured_install_path` allows it (else LockFileError; ``where``
    names the field in the message), wins when it exists; it may name the installed wheel itself
    or a folder of ``<hash16>`` entries.  Otherwise the lock's wheels are looked up by hash under
    ``$ENVKNIT_HOME/packages/<name>/<version>/``.
    """
    home = home or envknit_home()
    if pkg.install_path:
        p = honoured_install_path(pkg.install_path, pkg.name, home, lock_dir, trust=trust_install_path,
                                  where=where or f"{pkg.name} {pkg.version}: install_path")
        if p.is_dir():
            if is_installed_wheel(p):
                return p
            found = best_entry_in(p, _lock_wheels(pkg), _lock_sha256s(pkg))
            if found is not None:
                return found
    version_dir = _version_dir(home / "packages" / normalize_name(pkg.name), pkg.version)
    if version_dir is None:
        return None
    return best_entry_in(version_dir, _lock_wheels(pkg), _lock_sha256s(pkg))


def _lock_wheels(pkg: LockPackage) -> dict[str, str]:
    return {w.sha256[:16]: w.file for w in pkg.wheels if w.sha256}


def _lock_sha256s(pkg: LockPackage) -> dict[str, str]:
    return {w.sha256[:16]: w.sha256 for w in pkg.wheels if w.sha256}


class DistInfo:
    """What one installed distribution provides, read from its ``.dist-info`` folder."""

    def __init__(self, path: str | os.PathLike, name: str):
        self.path = Path(path)
        self.name = normalize_name(name)
        self.dist_info = self._find_dist_info()
        self.files = self._record_files()

    def _find_dist_info(self) -> Path | None:
        infos = _dist_info_dirs(self.path)
        for info in infos:
            if normalize_name(info.name[: -len(".dist-info")].rsplit("-", 1)[0]) == self.name:
                return info
        return infos[0] if len(infos) == 1 else None

    def _record_files(self) -> list[str] | None:
        if self.dist_info is None:
            return None
        try:
            text = (self.dist_info / "RECORD").read_text(encoding="utf-8")
        except OSError:
            return None
        return [row[0].replace("\\", "/") for row in csv.reader(io.StringIO(text)) if row and row[0]]

    def import_names(self) -> list[str]:
        """Top-level importable names, in a stable order (from RECORD, else top_level.txt, else the folder)."""
        # A RECORD can be empty or list only the dist-info (a truncated or hand-made install):
        # a package whose names come out empty would silently never be routed, so fall back.
        return (_names_from_files(self.files or []) or self._top_level_names()
                or _names_from_files(self._listing()))

    def _top_level_names(self) -> list[str]:
        if self.dist_info is None:
            return []
        try:
            lines = (self.dist_info / "top_level.txt").read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        names = sorted({ln.strip().split("/")[0] for ln in lines if ln.strip()})
        return [n for n in names if n.isidentifier()]

    def _listing(self) -> list[str]:
        """The entry's top level as RECORD-like paths (a folder counts as holding Python code)."""
        try:
            return [p.name + ("/x.py" if p.is_dir() else "") for p in self.path.iterdir()]
        except OSError:
            return []

    def primary_module(self) -> str | None:
        """The import name that stands for the distribution (``yaml`` for PyYAML, ``bs4`` for beautifulsoup4)."""
        names = self.import_names()
        wanted = self.name.replace("-", "_")
        for n in names:
            if n.lower() == wanted:
                return n
        public = [n for n in names if not n.startswith("_")]
        if len(public) == 1:
            return public[0]
        return public[0] if public else (names[0] if names else None)

    def has_c_extensions(self) -> bool:
        """True when the installed files include a compiled extension module."""
        suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
        if self.files and any(f.endswith(suffixes) for f in self.files if not _outside(f)):
            return True
        # RECORD alone is not trusted to say "no": it may be empty or incomplete.  When it lists
        # the modules and the wheel was built for no ABI (py3-none-any), it agrees with the tags;
        # otherwise the folder is the truth (walking it costs tens of ms for thousands of files).
        if self.files and _names_from_files(self.files) and _abi_free(entry_tags(self.path)):
            return False
        for _root, dirs, files in os.walk(self.path):
            dirs[:] = [d for d in dirs if not d.endswith(".dist-info")]
            if any(f.endswith(suffixes) for f in files):
                return True
        return False


def _abi_free(tags: list[str]) -> bool:
    """True when ``tags`` are known and none names an ABI (``py3-none-any``, not ``cp311-abi3-...``)."""
    return bool(tags) and all(t.count("-") == 2 and t.split("-")[1] == "none" for t in tags)


def _outside(path: str) -> bool:
    return path.startswith(("../", "/")) or ".dist-info/" in path.split("/", 1)[0] + "/"


def _names_from_files(files: list[str]) -> list[str]:
    suffixes = tuple(importlib.machinery.all_suffixes())
    names: set[str] = set()
    packages: set[str] = set()
    for f in files:
        if _outside(f):
            continue
        first, sep, rest = f.partition("/")
        if sep:
            # a folder counts when it holds Python code: a package, or a namespace package portion
            if first.isidentifier() and first != "__pycache__" and f.endswith(suffixes):
                names.add(first)
                if rest.startswith("__init__."):
                    packages.add(first)
        elif f.endswith(suffixes):
            stem = first.split(".", 1)[0]
            if stem.isidentifier() and stem != "__init__":
                names.add(stem)
                packages.add(stem)
    # the store's own folders (scripts, headers, data) are not namespace packages
    return sorted(n for n in names if n in packages or n not in _STORE_FOLDERS)


_STORE_FOLDERS = {"bin", "include", "data"}
