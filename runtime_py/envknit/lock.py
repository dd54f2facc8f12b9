"""Reading ``envknit.lock.yaml`` (schema 1.x, see DESIGN.md) into a small immutable model.

The built-in :mod:`envknit.yaml_lite` reads every lock the tool writes.  When it cannot (YAML
features outside its subset, or a construct it gets wrong) and PyYAML is installed, PyYAML's safe
loader reads the file instead; PyYAML is imported only then, and removed from ``sys.modules``
again, so the program's own ``import yaml`` still resolves to the version its lock chose.

Fields this reader does not know are ignored (a 1.0 reader reads 1.x).  A newer major
``schema_version`` raises :class:`SchemaVersionError`; anything else wrong raises
:class:`LockFileError` naming the file and the place.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import yaml_lite
from .errors import LockFileError, SchemaVersionError
from .versions import normalize_name, requirement_name

__all__ = ["SUPPORTED_SCHEMA_MAJOR", "Lock", "LockPackage", "LockWheel", "read_lock", "parse_lock"]

SUPPORTED_SCHEMA_MAJOR = 1


@dataclass(frozen=True)
class LockWheel:
    """One wheel file the index listed for a locked version."""

    file: str
    sha256: str | None = None
    url: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class LockPackage:
    """One entry of ``environments.<env>``."""

    name: str
    version: str
    environment: str
    dependencies: tuple[str, ...] = ()
    wheels: tuple[LockWheel, ...] = ()
    install_path: str | None = None
    dev: bool = False

    @property
    def key(self) -> str:
        """The PEP 503-normalised name."""
        return normalize_name(self.name)

    def dependency_names(self) -> list[str]:
        """Normalised names of the locked ``dependencies`` requirements."""
        names = (requirement_name(r) for r in self.dependencies)
        return [n for n in names if n]


@dataclass(frozen=True)
class Lock:
    """A parsed lock file: its path, schema version and packages by environment (in file order)."""

    path: Path | None
    schema_version: str
    environments: dict[str, tuple[LockPackage, ...]] = field(default_factory=dict)

    @property
    def directory(self) -> Path:
        """The folder relative ``install_path`` values are resolved against."""
        return self.path.parent if self.path is not None else Path.cwd()


def read_lock(path: str | os.PathLike) -> Lock:
    """Read and validate the lock at ``path``.

    Raises FileNotFoundError when it does not exist, SchemaVersionError for a newer major schema,
    and LockFileError for anything malformed.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(2, "envknit lock file not found", str(p)) from None
    except IsADirectoryError:
        raise LockFileError(f"{p}: is a directory, not a lock file") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise LockFileError(f"{p}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    return parse_lock(text, p)


def parse_lock(text: str, path: Path | None = None) -> Lock:
    """Parse lock text; ``path`` is used in messages and for relative ``install_path`` values."""
    where = str(path) if path is not None else "<lock>"
    doc = _load_yaml(text, where)
    if not isinstance(doc, dict):
        raise LockFileError(f"{where}: a lock file is a YAML mapping with 'environments'")
    version = _schema_version(doc.get("schema_version"), where)
    envs_raw = doc.get("environments")
    if envs_raw is None:
        envs_raw = {}
    if not isinstance(envs_raw, dict):
        raise LockFileError(f"{where}: 'environments' must map environment names to package lists")
    environments: dict[str, tuple[LockPackage, ...]] = {}
    for env_name, entries in envs_raw.items():
        if entries is None:
            entries = []
        if not isinstance(entries, list):
            raise LockFileError(f"{where}: environments.{env_name} must be a list of packages")
        environments[str(env_name)] = tuple(
            _package(raw, str(env_name), i, where) for i, raw in enumerate(entries)
        )
    return Lock(path=path, schema_version=version, environments=environments)


def _schema_version(raw: object, where: str) -> str:
    if raw is None:
        return "1.0"  # EnvKnit's earliest locks had no schema_version
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise LockFileError(f"{where}: schema_version must be a string like \"1.1\"")
    text = str(raw).strip()
    major_text = text.split(".", 1)[0]
    if not major_text.isdigit():
        raise LockFileError(f"{where}: schema_version {text!r} is not a version like \"1.1\"")
    if int(major_text) > SUPPORTED_SCHEMA_MAJOR:
        raise SchemaVersionError(
            f"{where}: schema_version {text} is newer than this envknit runtime reads "
            f"({SUPPORTED_SCHEMA_MAJOR}.x); upgrade the envknit Python package"
        )
    return text


def _text(raw: object, what: str, where: str) -> str:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)) or str(raw).strip() == "":
        raise LockFileError(f"{where}: {what} must be a non-empty string")
    return str(raw).strip()


def _package(raw: object, env: str, index: int, where: str) -> LockPackage:
    at = f"{where}: environments.{env}[{index}]"
    if not isinstance(raw, dict):
        raise LockFileError(f"{at} must be a mapping with name and version")
    name = _text(raw.get("name"), "name", at)
    at = f"{where}: environments.{env} package {name!r}"
    version = _text(raw.get("version"), "version", at)
    deps = raw.get("dependencies") or []
    if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
        raise LockFileError(f"{at}: dependencies must be a list of requirement strings")
    wheels_raw = raw.get("wheels") or []
    if not isinstance(wheels_raw, list):
        raise LockFileError(f"{at}: wheels must be a list")
    wheels = []
    for w in wheels_raw:
        if not isinstance(w, dict) or not isinstance(w.get("file"), str):
            raise LockFileError(f"{at}: each wheel must be a mapping with a 'file'")
        sha = w.get("sha256")
        if sha is not None and (not isinstance(sha, str) or len(sha) < 16):
            raise LockFileError(f"{at}: wheel {w['file']}: sha256 must be a hex digest")
        size = w.get("size")
        wheels.append(LockWheel(
            file=w["file"],
            sha256=sha.lower() if sha else None,
            url=w.get("url") if isinstance(w.get("url"), str) else None,
            size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        ))
    install_path = raw.get("install_path")
    if install_path is not None and not isinstance(install_path, str):
        raise LockFileError(f"{at}: install_path must be a string")
    return LockPackage(
        name=name,
        version=version,
        environment=env,
        dependencies=tuple(deps),
        wheels=tuple(wheels),
        install_path=install_path or None,
        dev=raw.get("dev") is True,
    )


def _load_yaml(text: str, where: str) -> object:
    try:
        return yaml_lite.loads(text)
    except yaml_lite.YamlError as own_error:
        loaded = _load_with_pyyaml(text)
        if loaded is _NO_PYYAML:
            hint = ""
            if isinstance(own_error, yaml_lite.UnsupportedYaml):
                hint = " (install PyYAML to read YAML beyond what envknit writes)"
            raise LockFileError(f"{where}: {own_error}{hint}") from None
        if isinstance(loaded, Exception):
            raise LockFileError(f"{where}: not valid YAML: {loaded}") from None
        return loaded


_NO_PYYAML = object()


def _load_with_pyyaml(text: str) -> object:
    """PyYAML's ``safe_load`` of ``text``, the parse error itself, or ``_NO_PYYAML``.

    Modules PyYAML brings into ``sys.modules`` are taken out again, so that importing it here does
    not decide which ``yaml`` the program imports later.
    """
    before = set(sys.modules)
    try:
        import yaml  # noqa: PLC0415 - optional, only for YAML beyond yaml_lite
    except Exception:
        return _NO_PYYAML
    try:
        loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except Exception as e:  # PyYAML's errors all derive from yaml.YAMLError
        return e
    finally:
        for name in set(sys.modules) - before:
            if name in ("yaml", "_yaml") or name.startswith(("yaml.", "_yaml.")):
                del sys.modules[name]
