"""The VersionRegistry: every registered (distribution, version), where it is installed, and defaults.

``configure_from_lock()`` fills the process-wide registry (:func:`get_registry`); the import hook,
``use()``, ``worker()`` and ``import_version()`` read it.  Each :class:`PackageEntry` knows its
top-level import names, whether it ships C extensions, and the versions of its dependencies that
the lock recorded beside it in the same environment, so activating ``requests 2.28.1`` can also
activate the ``urllib3`` it was locked with.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from .errors import VersionNotFoundError
from .store import DistInfo
from .versions import normalize_name, version_key

__all__ = ["PackageEntry", "VersionRegistry", "get_registry", "STDLIB_NAMES"]

#: Top-level names of the standard library of this interpreter (never routed to a package).
STDLIB_NAMES: frozenset[str] = frozenset(sys.stdlib_module_names) | frozenset(sys.builtin_module_names)


class PackageEntry:
    """One installed version of one distribution."""

    __slots__ = (
        "name", "display_name", "version", "path", "environment", "dependencies",
        "import_names", "primary_module", "dist_info", "_c_ext", "__weakref__",
    )

    def __init__(
        self,
        name: str,
        version: str,
        path: str | os.PathLike,
        *,
        environment: str | None = None,
        dependencies: dict[str, str] | None = None,
    ):
        self.display_name = name
        self.name = normalize_name(name)
        self.version = str(version)
        self.path = str(Path(path).resolve())
        self.environment = environment
        #: normalised dependency name -> the version locked beside this package
        self.dependencies = dict(dependencies or {})
        dist = DistInfo(self.path, name)
        #: top-level import names, the standard library's left out: a backport (enum34's ``enum``)
        #: never shadows the standard library, as in a virtual environment, where it comes first
        self.import_names: tuple[str, ...] = tuple(n for n in dist.import_names() if n not in STDLIB_NAMES)
        self.primary_module: str | None = dist.primary_module()
        #: the ``.dist-info`` folder, or None when the folder has none
        self.dist_info: str | None = str(dist.dist_info) if dist.dist_info else None
        self._c_ext: bool | None = None

    @property
    def has_c_extensions(self) -> bool:
        """True when the installed files include compiled extension modules."""
        if self._c_ext is None:
            self._c_ext = DistInfo(self.path, self.name).has_c_extensions()
        return self._c_ext

    def __repr__(self) -> str:
        return f"<PackageEntry {self.display_name} {self.version} at {self.path}>"


class VersionRegistry:
    """Registered versions by distribution; the first registered version of each is its default."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._versions: dict[str, dict[tuple, PackageEntry]] = {}
        self._defaults: dict[str, PackageEntry] = {}
        self._providers: dict[str, list[str]] = {}
        #: bumped on every change, so that caches derived from the registry know to refresh
        self.generation = 0
        #: top-level import names of every registered distribution
        self.import_names: frozenset[str] = frozenset()

    def register(self, entry: PackageEntry) -> PackageEntry:
        """Add ``entry`` unless that (name, version) is registered; returns the registered entry."""
        with self._lock:
            versions = self._versions.setdefault(entry.name, {})
            key = version_key(entry.version)
            if key in versions:
                return versions[key]
            versions[key] = entry
            self._defaults.setdefault(entry.name, entry)
            for mod in entry.import_names:
                providers = self._providers.setdefault(mod, [])
                if entry.name not in providers:
                    providers.append(entry.name)
            self.import_names = frozenset(self._providers)
            self.generation += 1
            return entry

    def clear(self) -> None:
        """Forget every registration."""
        with self._lock:
            self._versions.clear()
            self._defaults.clear()
            self._providers.clear()
            self.import_names = frozenset()
            self.generation += 1

    def resolve_name(self, name: str) -> str | None:
        """The registered distribution ``name`` refers to: a distribution name, or an import name."""
        key = normalize_name(name)
        if key in self._versions:
            return key
        providers = self._providers.get(name)
        return providers[0] if providers else None

    def find(self, name: str, version: str) -> PackageEntry | None:
        """The entry for ``name`` (distribution or import name) at ``version``, or None."""
        dist = self.resolve_name(name)
        if dist is None:
            return None
        return self._versions[dist].get(version_key(version))

    def get(self, name: str, version: str) -> PackageEntry:
        """Like :meth:`find`, but raises VersionNotFoundError saying what is registered."""
        entry = self.find(name, version)
        if entry is not None:
            return entry
        dist = self.resolve_name(name)
        if dist is None:
            raise VersionNotFoundError(
                f"envknit: {name} is not registered; configure_from_lock() registers a lock's packages"
                " (run `envknit install` first)",
                name=name,
            )
        have = ", ".join(self.versions(dist))
        raise VersionNotFoundError(f"envknit: {name} {version} is not registered (registered: {have})", name=name)

    def versions(self, name: str) -> list[str]:
        """Registered versions of ``name``, in registration order."""
        dist = self.resolve_name(name)
        return [e.version for e in self._versions.get(dist, {}).values()] if dist else []

    def entries(self) -> list[PackageEntry]:
        """Every registered entry, in registration order per distribution."""
        return [e for versions in self._versions.values() for e in versions.values()]

    def default(self, name: str) -> PackageEntry | None:
        """The default entry of ``name``: the first registered, or the one :meth:`set_default` chose."""
        dist = self.resolve_name(name)
        return self._defaults.get(dist) if dist else None

    def set_default(self, name: str, version: str) -> PackageEntry:
        """Make ``version`` the default of ``name``; returns its entry."""
        with self._lock:
            entry = self.get(name, version)
            self._defaults[entry.name] = entry
            self.generation += 1
            return entry

    def providers(self, module: str) -> list[str]:
        """Registered distributions providing top-level ``module``, in registration order."""
        return list(self._providers.get(module, ()))

    def default_for_import(self, module: str) -> PackageEntry | None:
        """The default entry of the first registered distribution providing top-level ``module``."""
        providers = self._providers.get(module)
        return self._defaults.get(providers[0]) if providers else None

    def closure(self, entry: PackageEntry) -> list[PackageEntry]:
        """``entry`` and, transitively, the registered versions of the dependencies locked beside it."""
        result = [entry]
        seen = {entry.name}
        i = 0
        while i < len(result):
            for dep_name, dep_version in result[i].dependencies.items():
                if dep_name in seen:
                    continue
                dep = self.find(dep_name, dep_version)
                if dep is not None:
                    seen.add(dep_name)
                    result.append(dep)
            i += 1
        return result


_registry = VersionRegistry()


def get_registry() -> VersionRegistry:
    """The process-wide registry that ``configure_from_lock()`` fills."""
    return _registry
