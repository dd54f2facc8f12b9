"""Reading ``envknit.lock.yaml`` (schema 1.x, see DESIGN.md) into a small immutable model.

Two readers, no YAML parser of our own:

- a lock in the layout the tool writes (``project/lock.ts``) is read by :mod:`envknit.lock_text`,
  an exact reader of that layout: fast, and nothing in it a hostile lock could abuse;
- anything else (a lock EnvKnit made, or one edited by hand) is read by PyYAML's safe loader when
  PyYAML is installed, after a streaming pass over its events has refused aliases that expand the
  document beyond :data:`MAX_YAML_NODES` nodes (a "billion laughs" lock) and nesting deeper than
  :data:`MAX_YAML_DEPTH`.  PyYAML is imported only then, and removed from ``sys.modules`` again,
  so the program's own ``import yaml`` still resolves to the version its lock chose.  Without
  PyYAML such a lock is a :class:`LockFileError` naming the first line outside the layout.

A lock is untrusted input (it may come from anyone's pull request), so the fields that become
parts of paths are validated as the tool validates them: package names are PEP 508 names,
versions PEP 440 versions, environment names the tool's.  ``install_path`` is only read here;
:func:`envknit.store.honoured_install_path` decides whether to honour it.

Fields this reader does not know are ignored (a 1.0 reader reads 1.x).  A newer major
``schema_version`` raises :class:`SchemaVersionError`; anything else wrong raises
:class:`LockFileError` naming the file and the field.
"""

from __future__ import annotations

import dataclasses
import importlib.machinery
import importlib.util
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .errors import LockFileError, SchemaVersionError
from .lock_text import NotCanonical, read_canonical_lock
from .versions import is_valid_name, is_valid_version, normalize_name, requirement_name

__all__ = [
    "SUPPORTED_SCHEMA_MAJOR", "MAX_LOCK_BYTES", "MAX_YAML_NODES", "MAX_YAML_DEPTH",
    "Lock", "LockPackage", "LockWheel", "read_lock", "parse_lock",
]

SUPPORTED_SCHEMA_MAJOR = 1
#: Largest lock read, as in the tool (core/yaml.ts): real locks are far smaller.
MAX_LOCK_BYTES = 64 * 1024 * 1024
#: Most YAML nodes a lock read through PyYAML may have, aliases expanded: about a thousand
#: packages.  It bounds the pure-Python loader's time (seconds) and memory, and what the validation
#: walks; a lock in the tool's layout is read without PyYAML and has no such limit.
MAX_YAML_NODES = 100_000
#: Deepest nesting of YAML collections accepted (a lock needs 5).
MAX_YAML_DEPTH = 100
_ENV_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")


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
    #: PEP 508 marker of a multi-target lock's entry (it applies where the marker holds).
    marker: str | None = None
    #: islands (project/LOCK_FORMAT.md): the islands whose code sees this entry; None: every island
    island: tuple[int, ...] | None = None
    #: islands: one module instance per island (its dependency closure holds a split package)
    per_island: bool = False

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
    #: A multi-target lock's targets, as ``{"python", "platform", "marker"}`` (empty otherwise).
    targets: tuple[dict, ...] = ()
    #: environment -> its islands' roots (island 0 first), for the environments that have islands
    islands: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)

    @property
    def directory(self) -> Path:
        """The folder relative ``install_path`` values are resolved against."""
        return self.path.parent if self.path is not None else Path.cwd()


def read_lock(path: str | os.PathLike, marker_environment: dict | None = None) -> Lock:
    """Read and validate the lock at ``path`` (``marker_environment`` as in :func:`parse_lock`).

    Raises FileNotFoundError when it does not exist, SchemaVersionError for a newer major schema,
    and LockFileError for anything malformed.
    """
    p = Path(path)
    try:
        with open(p, "rb") as f:
            data = f.read(MAX_LOCK_BYTES + 1)
    except FileNotFoundError:
        raise FileNotFoundError(2, "envknit lock file not found", str(p)) from None
    except IsADirectoryError:
        raise LockFileError(f"{p}: is a directory, not a lock file") from None
    if len(data) > MAX_LOCK_BYTES:
        raise LockFileError(f"{p}: larger than {MAX_LOCK_BYTES} bytes, too large to be an envknit lock")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise LockFileError(f"{p}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    del data
    return parse_lock(text, p, marker_environment)


def parse_lock(text: str, path: Path | None = None, marker_environment: dict | None = None) -> Lock:
    """Parse lock text; ``path`` is used in messages and for relative ``install_path`` values.

    A multi-target lock (schema 1.2, ``targets``) holds entries and dependencies with PEP 508
    markers: only those whose marker holds in ``marker_environment`` (default: this interpreter's,
    as ``packaging.markers.default_environment()``) are kept, so ``environments`` lists what this
    interpreter uses.  A lock none of whose targets this interpreter is raises LockFileError.
    """
    where = str(path) if path is not None else "<lock>"
    if len(text) > MAX_LOCK_BYTES:
        raise LockFileError(f"{where}: larger than {MAX_LOCK_BYTES} bytes, too large to be an envknit lock")
    try:
        doc = read_canonical_lock(text)
        outside = 0
    except NotCanonical as e:
        outside = e.line  # PyYAML runs after the handler, which would keep the reader's lines alive
    if outside:
        doc = _load_yaml(text, where, outside)
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
        if not isinstance(env_name, str) or not _ENV_NAME.match(env_name):
            raise LockFileError(f"{where}: environments.{env_name}: invalid environment name")
        if entries is None:
            entries = []
        if not isinstance(entries, list):
            raise LockFileError(f"{where}: environments.{env_name} must be a list of packages")
        environments[env_name] = tuple(
            _package(raw, env_name, i, where) for i, raw in enumerate(entries)
        )
    islands = _islands(doc.get("islands"), environments, where)
    targets = _targets(doc.get("targets"), where)
    if targets or any(p.marker or any(";" in d for d in p.dependencies)
                      for entries in environments.values() for p in entries):
        environments = _applicable(environments, targets, where, marker_environment)
    return Lock(path=path, schema_version=version, environments=environments, targets=targets,
                islands=islands)


def _islands(raw: object, environments: dict, where: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    """``islands``: environment -> ``[{roots: [names]}, ...]``; every entry's ``island`` must name
    one of its environment's islands."""
    out: dict[str, tuple[tuple[str, ...], ...]] = {}
    if raw is not None:
        if not isinstance(raw, dict):
            raise LockFileError(f"{where}: islands: expected a mapping of environment names")
        for env, items in raw.items():
            if env not in environments:
                raise LockFileError(f"{where}: islands.{env}: no such environment in the lock")
            if not isinstance(items, list) or not items:
                raise LockFileError(f"{where}: islands.{env}: expected a list of islands")
            roots = []
            for i, item in enumerate(items):
                names = item.get("roots") if isinstance(item, dict) else None
                if not isinstance(names, list) or not all(isinstance(n, str) and is_valid_name(n) for n in names):
                    raise LockFileError(f"{where}: islands.{env}[{i}].roots: expected a list of package names")
                roots.append(tuple(names))
            out[env] = tuple(roots)
    for env, packages in environments.items():
        count = len(out.get(env, ()))
        for i, p in enumerate(packages):
            if p.island is not None and any(k >= count for k in p.island):
                raise LockFileError(
                    f"{where}: environments.{env}[{i}] ({p.name}).island: {list(p.island)} names an island "
                    f"the environment does not have ({count})")
    return out


def _targets(raw: object, where: str) -> tuple[dict, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise LockFileError(f"{where}: targets: expected a list of targets")
    out = []
    for i, t in enumerate(raw):
        if not isinstance(t, dict):
            raise LockFileError(f"{where}: targets[{i}]: expected a mapping with python, platform and marker")
        out.append({k: _text(t.get(k), f"{where}: targets[{i}].{k}") for k in ("python", "platform", "marker")})
    return tuple(out)


def _applicable(environments: dict, targets: tuple, where: str, marker_environment: dict | None) -> dict:
    """The entries (and their dependencies) whose marker holds for this interpreter."""
    from . import markers  # only locks with markers pay for it

    results: dict[str, bool] = {}

    def holds(marker: str, at: str) -> bool:
        known = results.get(marker)
        if known is None:
            try:
                known = markers.evaluate(marker, marker_environment)
            except ValueError as e:
                raise LockFileError(f"{at}: {marker[:200]!r} is not a valid PEP 508 marker ({e})") from None
            results[marker] = known
        return known

    if targets and not any(holds(t["marker"], f"{where}: targets[{i}].marker") for i, t in enumerate(targets)):
        env = dict(markers.default_environment(), **(marker_environment or {}))
        listed = "; ".join(f"Python {t['python']} on {t['platform']}" for t in targets)
        raise LockFileError(
            f"{where}: this interpreter (Python {env['python_version']}, {env['sys_platform']} "
            f"{env['platform_machine']}) is none of the lock's targets ({listed}); add it to "
            "targets in envknit.yaml and run `envknit lock`")
    out = {}
    for env_name, entries in environments.items():
        kept = []
        for i, pkg in enumerate(entries):
            at = f"{where}: environments.{env_name}[{i}] ({pkg.name})"
            if pkg.marker and not holds(pkg.marker, f"{at}.marker"):
                continue
            deps = tuple(d for d in pkg.dependencies
                         if ";" not in d or holds(d.split(";", 1)[1].strip(), f"{at}.dependencies"))
            if deps != pkg.dependencies:
                pkg = dataclasses.replace(pkg, dependencies=deps)
            kept.append(pkg)
        out[env_name] = tuple(kept)
    return out


def _schema_version(raw: object, where: str) -> str:
    if raw is None:
        return "1.0"  # EnvKnit's earliest locks had no schema_version
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise LockFileError(f"{where}: schema_version must be a string like \"1.1\"")
    text = str(raw).strip()
    major_text = text.split(".", 1)[0]
    if not (major_text.isascii() and major_text.isdigit()) or len(major_text) > 9:
        raise LockFileError(f"{where}: schema_version {text[:40]!r} is not a version like \"1.1\"")
    if int(major_text) > SUPPORTED_SCHEMA_MAJOR:
        raise SchemaVersionError(
            f"{where}: schema_version {text} is newer than this envknit runtime reads "
            f"({SUPPORTED_SCHEMA_MAJOR}.x); upgrade the envknit Python package"
        )
    return text


def _text(raw: object, at: str) -> str:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)) or str(raw) == "":
        raise LockFileError(f"{at}: expected a non-empty string")
    return str(raw)  # `version: 1.0` written by hand is a float


def _package(raw: object, env: str, index: int, where: str) -> LockPackage:
    at = f"{where}: environments.{env}[{index}]"
    if not isinstance(raw, dict):
        raise LockFileError(f"{at} must be a mapping with name and version")
    name = _text(raw.get("name"), f"{at}.name")
    if not is_valid_name(name):
        raise LockFileError(f"{at}.name: {name[:200]!r} is not a package name (PEP 508)")
    version = _text(raw.get("version"), f"{at}.version")
    if not is_valid_version(version):
        raise LockFileError(f"{at}.version: {version[:200]!r} is not a PEP 440 version")
    at = f"{at} ({name})"
    deps = raw.get("dependencies") or []
    if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
        raise LockFileError(f"{at}.dependencies: expected a list of requirement strings")
    wheels_raw = raw.get("wheels") or []
    if not isinstance(wheels_raw, list):
        raise LockFileError(f"{at}.wheels: expected a list")
    wheels = []
    for i, w in enumerate(wheels_raw):
        if not isinstance(w, dict) or not isinstance(w.get("file"), str):
            raise LockFileError(f"{at}.wheels[{i}]: expected a mapping with a 'file'")
        sha = w.get("sha256")
        if sha is not None and (not isinstance(sha, str) or len(sha) < 16):
            raise LockFileError(f"{at}.wheels[{i}].sha256: expected a hex digest")
        size = w.get("size")
        wheels.append(LockWheel(
            file=w["file"],
            sha256=sha.lower() if sha else None,
            url=w.get("url") if isinstance(w.get("url"), str) else None,
            size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        ))
    install_path = raw.get("install_path")
    if install_path is not None and not isinstance(install_path, str):
        raise LockFileError(f"{at}.install_path: expected a string")
    marker = raw.get("marker")
    if marker is not None and (not isinstance(marker, str) or not marker.strip()):
        raise LockFileError(f"{at}.marker: expected a PEP 508 marker string")
    island = raw.get("island")
    if island is not None:
        if (not isinstance(island, list) or not island
                or not all(isinstance(k, int) and not isinstance(k, bool) and k >= 0 for k in island)
                or any(b <= a for a, b in zip(island, island[1:]))):
            raise LockFileError(f"{at}.island: expected a sorted list of island numbers")
        island = tuple(island)
    per_island = raw.get("per_island", False)
    if not isinstance(per_island, bool):
        raise LockFileError(f"{at}.per_island: expected true or false")
    return LockPackage(
        name=name,
        version=version,
        environment=env,
        dependencies=tuple(deps),
        wheels=tuple(wheels),
        install_path=install_path or None,
        dev=raw.get("dev") is True,
        marker=marker or None,
        island=island,
        per_island=per_island,
    )


def _load_yaml(text: str, where: str, line: int) -> object:
    """A lock outside the tool's layout, through PyYAML when it is installed."""
    pyyaml = _pyyaml()
    if pyyaml is None:
        raise LockFileError(
            f"{where}:{line}: not in the layout the envknit tool writes, and reading other YAML "
            "needs PyYAML; install PyYAML, or rewrite the lock with `envknit lock`"
        )
    loader = _bounded_loader(pyyaml, where)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(pyyaml, node, where)
        return loader.construct_document(node)
    except LockFileError:
        raise
    except RecursionError:
        raise LockFileError(f"{where}: YAML aliases nested too deeply") from None
    except MemoryError:
        raise
    except Exception as e:  # YAMLError, and ValueError for impossible dates or huge integers
        message = " ".join(str(e).split())[:300]
        raise LockFileError(f"{where}: not valid YAML: {message}") from None
    finally:
        loader.dispose()


_PYYAML = "_envknit_pyyaml"
_pyyaml_lock = threading.Lock()


def _pyyaml():
    """PyYAML's pure-Python modules, loaded from wherever ``import yaml`` would find them on
    ``sys.path`` but as the private package ``_envknit_pyyaml``; None when PyYAML is not there.

    So reading a lock never decides which ``yaml`` the program gets (the hook routes that name to
    the version the lock chose), and never loads PyYAML's libyaml binding: a C extension is
    initialised once per process, and one loaded here and dropped from ``sys.modules`` would be
    handed, stale, to the program's own ``import yaml`` later.  The pure loader is slower, but
    only locks the tool did not write come here.
    """
    with _pyyaml_lock:
        module = sys.modules.get(_PYYAML)
        if module is not None:
            return module
        try:
            spec = importlib.machinery.PathFinder.find_spec("yaml")
            if spec is None or spec.origin is None or not spec.submodule_search_locations:
                return None
            private = importlib.util.spec_from_file_location(
                _PYYAML, spec.origin, submodule_search_locations=list(spec.submodule_search_locations))
            module = importlib.util.module_from_spec(private)
            sys.modules[_PYYAML] = module
            sys.modules[_PYYAML + ".cyaml"] = None  # libyaml's binding imports `yaml` by name
            private.loader.exec_module(module)
            if not all(hasattr(module, n) for n in ("SafeLoader", "ScalarNode", "CollectionNode")):
                raise ImportError("not PyYAML")
        except Exception:
            for name in [n for n in list(sys.modules) if n.partition(".")[0] == _PYYAML]:
                sys.modules.pop(name, None)
            return None
        return module


_TOO_BIG = (", too many for a lock outside the tool's layout (`envknit lock` rewrites it in that "
            "layout, which has no such limit)")


def _bounded_loader(pyyaml, where: str):
    """PyYAML's safe loader, refusing documents nested deeper than MAX_YAML_DEPTH or with more
    than MAX_YAML_NODES nodes as written, before composing further."""

    class BoundedLoader(pyyaml.SafeLoader):
        _nodes = 0
        _depth = 0

        def compose_node(self, parent, index):
            self._nodes += 1
            if self._nodes > MAX_YAML_NODES:
                raise LockFileError(f"{where}: more than {MAX_YAML_NODES} YAML nodes{_TOO_BIG}")
            self._depth += 1
            try:
                if self._depth > MAX_YAML_DEPTH:
                    raise LockFileError(f"{where}: YAML nested deeper than {MAX_YAML_DEPTH} levels")
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

        def compose_mapping_node(self, anchor):
            node = super().compose_mapping_node(anchor)
            seen = set()
            for key, _ in node.value:  # a key twice is an error, as in the tool (merge keys aside)
                if isinstance(key, pyyaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    if (key.tag, key.value) in seen:
                        raise LockFileError(f"{where}:{key.start_mark.line + 1}: duplicate key {key.value[:100]!r}")
                    seen.add((key.tag, key.value))
            return node

    return BoundedLoader


def _check_expansion(pyyaml, root, where: str) -> None:
    """Refuse a composed document whose aliases (and merge keys, which copy through aliases)
    expand it beyond MAX_YAML_NODES nodes (a "billion laughs" lock), or make it a cycle: the
    composed graph shares aliased nodes, but building and validating the data walks it expanded."""
    collection = pyyaml.CollectionNode
    sizes: dict[int, int] = {}  # id(node) -> expanded size, once known
    open_nodes: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            size = 1
            for child in _children(node, collection):
                size += sizes[id(child)]
            if size > MAX_YAML_NODES:
                raise LockFileError(f"{where}: YAML aliases expand to more than {MAX_YAML_NODES} nodes{_TOO_BIG}")
            sizes[key] = size
            open_nodes.discard(key)
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise LockFileError(f"{where}: a YAML alias inside the node it names")
        if not isinstance(node, collection):
            sizes[key] = 1
            continue
        open_nodes.add(key)
        stack.append((node, True))
        for child in _children(node, collection):
            if id(child) not in sizes:
                stack.append((child, False))


def _children(node, collection) -> list:
    if not isinstance(node, collection):
        return []
    if node.value and isinstance(node.value[0], tuple):  # a mapping: (key, value) pairs
        return [n for pair in node.value for n in pair]
    return list(node.value)
