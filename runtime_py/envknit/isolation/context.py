"""``use()``, ``import_version()``, ``set_default()``: choosing versions in-process.

``use(name, version)`` returns a :class:`VersionContext`; entering it activates that version and
the versions of its dependencies the lock recorded beside it, in a ContextVar (nested blocks
stack, exceptions restore, asyncio tasks and :mod:`envknit.isolation.threads` helpers keep their
own), and returns the package's module.  The modules live in the environment's cache, never in
``sys.modules`` (see :mod:`envknit.isolation.import_hook`).
"""

from __future__ import annotations

from types import ModuleType

from ..errors import CExtensionError
from ..registry import PackageEntry, get_registry
from .import_hook import (
    _active_env,
    activate,
    add_alias,
    c_extension_blocker,
    evict_process_wide,
    import_in,
    is_enabled,
)
from .import_hook import _c_ext_message as c_ext_message

__all__ = ["VersionContext", "use", "import_version", "set_default", "active_versions"]

_lookups: dict[tuple[str, str], tuple[int, PackageEntry, PackageEntry | None]] = {}


def _lookup(name: str, version: str) -> tuple[PackageEntry, PackageEntry | None]:
    """The registered entry for (name, version) and what blocks loading it in-process (memoised)."""
    registry = get_registry()
    hit = _lookups.get((name, version))
    if hit is not None and hit[0] == registry.generation:
        return hit[1], hit[2]
    entry = registry.get(name, version)
    blocker = c_extension_blocker(entry)
    _lookups[(name, version)] = (registry.generation, entry, blocker)
    return entry, blocker


def _require_hook(what: str) -> None:
    if not is_enabled():
        raise RuntimeError(
            f"envknit: {what} needs the import hook: call envknit.enable() "
            "(configure_from_lock() does it unless auto_install=False)"
        )


class VersionContext:
    """Activates one version (and its locked dependencies) for a ``with`` block.

    ``__enter__`` returns the package's module (``yaml`` for PyYAML), imported in the block's
    environment, or None for a distribution without importable modules.
    """

    __slots__ = ("entry", "_tokens")

    def __init__(self, entry: PackageEntry):
        self.entry = entry
        self._tokens: list = []

    @property
    def name(self) -> str:
        return self.entry.display_name

    @property
    def version(self) -> str:
        return self.entry.version

    def __enter__(self) -> ModuleType | None:
        state = activate(_active_env.get(), self.entry)
        token = _active_env.set(state)
        try:
            module = import_in(state, self.entry.primary_module) if self.entry.primary_module else None
        except BaseException:
            _active_env.reset(token)
            raise
        self._tokens.append(token)
        return module

    def __exit__(self, exc_type, exc, tb) -> bool:
        _active_env.reset(self._tokens.pop())
        return False

    def __repr__(self) -> str:
        return f"<VersionContext {self.name} {self.version}>"


def use(name: str, version: str, auto_worker: bool = False):
    """Activate ``name`` at ``version`` for a ``with`` block (the module is the ``as`` target).

    ``name`` is a distribution name (``"PyYAML"``) or one of its import names (``"yaml"``).
    Raises VersionNotFoundError when that version is not registered, and CExtensionError when the
    package (or a dependency locked beside it) has C extensions and is not the process-wide
    version, which would load a second copy of them; the process-wide version itself is shared
    (the ``with`` target is the module plain imports give).  With ``auto_worker=True`` a package
    that would raise gets a :class:`~envknit.isolation.workers.WorkerContext` instead, whose
    ``with`` target is a ModuleProxy to a worker process.
    """
    _require_hook("use()")
    entry, blocker = _lookup(name, version)
    if blocker is not None:
        if auto_worker:
            from .workers import worker  # noqa: PLC0415 - the worker machinery loads on demand

            return worker(name, version)
        raise CExtensionError(c_ext_message(entry, blocker), name=blocker.primary_module)
    return VersionContext(entry)


def import_version(name: str, version: str, alias: str | None = None) -> ModuleType:
    """Import ``version`` of ``name`` (with its locked dependencies) and return its module.

    The module is not put in ``sys.modules`` under its own name; with ``alias`` it is importable
    as ``import <alias>`` (and ``import <alias>.<submodule>``).
    """
    _require_hook("import_version()")
    entry, blocker = _lookup(name, version)
    if blocker is not None:
        raise CExtensionError(c_ext_message(entry, blocker), name=blocker.primary_module)
    if entry.primary_module is None:
        raise ImportError(f"envknit: {entry.display_name} {entry.version} has no importable module", name=name)
    state = activate(None, entry)
    module = import_in(state, entry.primary_module)
    if alias:
        add_alias(alias, state, entry.primary_module, module)
    return module


def set_default(name: str, version: str) -> None:
    """Make ``version`` what ``import name`` gives outside ``use()`` blocks, together with the
    versions of its dependencies locked beside it (as ``use()`` activates them): ``requests``
    2.32 must not run against the ``urllib3`` that was locked with 2.28, a pair no lock holds.

    Modules of the previous defaults that were imported process-wide are dropped from
    ``sys.modules``, so the next ``import`` loads the new defaults.
    """
    registry = get_registry()
    for entry in registry.closure(registry.get(name, version)):
        previous = registry.default(entry.name)
        registry.set_default(entry.name, entry.version)
        if previous is not None and previous is not entry:
            evict_process_wide(previous)


def active_versions() -> dict[str, str]:
    """The versions the current context activates: ``{distribution: version}`` (empty outside ``use()``)."""
    env = _active_env.get()
    return dict(env.versions) if env is not None else {}
