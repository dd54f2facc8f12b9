"""Import routing: the ``sys.meta_path`` finder, the ``__import__`` wrapper, per-environment module caches.

An *environment* (:class:`EnvState`) is a set of activated package versions, such as
``requests 2.28.1`` plus the ``urllib3``/``idna``/... locked beside it.  The ContextVar
``_active_env`` holds the environment of the current ``use()`` block (None outside any block), so
asyncio tasks and threads each see their own.

Python looks in ``sys.modules`` before asking any finder, and ``sys.modules`` is one dict per
process.  So the modules of an environment never stay there: they live in the environment's own
cache (``EnvState.modules``).  ``enable()`` wraps ``builtins.__import__`` and
``importlib.import_module``; an import whose top-level name the active environment routes is
answered from that cache, and on a miss the modules of the environment are put into
``sys.modules`` for the duration of that one import (under a lock, so no other thread sees them),
the real import runs - relative imports, ``sys.modules[__name__]`` tricks, dataclasses and pickle
all work as usual - and the environment's modules are moved back out to its cache afterwards.

Because the swap changes ``sys.modules`` for the whole process, an import of a registered
distribution's name made process-wide also runs under that lock (taken when the import starts,
before CPython takes its per-module locks, so the two kinds of locks cannot wait on each other);
other imports never wait for it.

Each module loaded this way is tagged with its environment (``__envknit_env__`` in its globals),
and imports made from a tagged module later resolve in that same environment, even after the
``use()`` block ended: ``requests`` 2.28.1 keeps using the ``urllib3`` it was locked with.
Modules of registered distributions loaded process-wide keep resolving process-wide.

``VersionedFinder`` (first in ``sys.meta_path``) finds the active environment's version of a
top-level name, else the registry's default version, and in strict mode refuses third-party
imports from site-packages that no registered distribution provides.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import threading
from contextvars import ContextVar
from pathlib import Path
from types import MappingProxyType, ModuleType

from ..errors import CExtensionError, SchemaVersionError, VersionNotFoundError
from ..registry import PackageEntry, VersionRegistry, get_registry
from ..versions import normalize_name

__all__ = [
    "CExtensionError", "SchemaVersionError", "VersionNotFoundError", "VersionRegistry",
    "VersionedFinder", "EnvState", "enable", "disable", "is_enabled", "activate",
    "c_extension_blocker", "import_in", "clear_module_cache", "add_alias",
]

_TAG = "__envknit_env__"
_PathFinder = importlib.machinery.PathFinder
_get_ident = threading.get_ident


class EnvState:
    """One set of activated versions and the modules loaded under it."""

    __slots__ = ("entries", "versions", "routes", "modules", "_prefixes", "_children", "_generation", "__weakref__")

    def __init__(self, entries: tuple[PackageEntry, ...]):
        #: normalised distribution name -> activated entry
        self.entries = {e.name: e for e in entries}
        #: distribution name -> version (read-only)
        self.versions = MappingProxyType({e.name: e.version for e in entries})
        routes: dict[str, list[str]] = {}
        for e in reversed(entries):  # the latest activation wins a shared import name
            for mod in e.import_names:
                routes.setdefault(mod, []).append(e.path)
        #: top-level import name -> install folders to search, best first
        self.routes = routes
        self._prefixes = tuple(f"{name}." for name in routes)
        #: module name -> module, for every module of the routed names loaded in this environment
        self.modules: dict[str, ModuleType] = {}
        self._children: dict[PackageEntry, EnvState] = {}
        self._generation = -1

    def owns(self, module_name: str) -> bool:
        """True when ``module_name`` belongs to a top-level name this environment routes."""
        return module_name in self.routes or module_name.startswith(self._prefixes)

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}=={v}" for n, v in self.versions.items())
        return f"<EnvState {inner}>"


_active_env: ContextVar[EnvState | None] = ContextVar("envknit_active_env", default=None)
_registry = get_registry()
_states: dict[frozenset, EnvState] = {}
_states_lock = threading.Lock()  # never held across an import
_ROOT = EnvState(())
_c_ext_memo: dict[PackageEntry, tuple[int, PackageEntry | None]] = {}

# The swap: _lock is held while an environment's modules are in sys.modules; _swap_stack lists the
# [environment, stashed process-wide modules] pairs of the thread holding it, innermost last.
_lock = threading.RLock()
_swap_stack: list[list] = []
_swap_owner: int | None = None


def c_extension_blocker(entry: PackageEntry) -> PackageEntry | None:
    """The entry that keeps ``entry`` from loading in-process: itself or a locked dependency with
    C extensions that is not the process-wide default version.  The default version (``entry``
    itself included) is shared with the rest of the process, so using it loads nothing twice."""
    registry = _registry
    memo = _c_ext_memo.get(entry)
    if memo is not None and memo[0] == registry.generation:
        return memo[1]
    blocker = None
    for dep in registry.closure(entry):
        if dep.has_c_extensions and registry.default(dep.name) is not dep:
            blocker = dep
            break
    _c_ext_memo[entry] = (registry.generation, blocker)
    return blocker


def activate(parent: EnvState | None, entry: PackageEntry) -> EnvState:
    """The environment with ``entry`` and its locked dependencies activated on top of ``parent``.

    Raises CExtensionError when ``entry`` or a dependency that would need its own copy has C
    extensions.  Results are memoised, so entering a ``use()`` block is a dictionary lookup.
    """
    owner = parent if parent is not None else _ROOT
    registry = _registry
    if owner._generation != registry.generation:
        owner._children.clear()
        owner._generation = registry.generation
    state = owner._children.get(entry)
    if state is not None:
        return state
    blocker = c_extension_blocker(entry)
    if blocker is not None:
        raise CExtensionError(_c_ext_message(entry, blocker), name=blocker.primary_module)
    merged = dict(owner.entries)
    for dep in registry.closure(entry):
        if dep.has_c_extensions:
            continue  # the process-wide default version, shared (see c_extension_blocker)
        merged.pop(dep.name, None)
        merged[dep.name] = dep
    key = frozenset(merged.values())
    with _states_lock:
        state = _states.get(key)
        if state is None:
            state = _states[key] = EnvState(tuple(merged.values()))
    owner._children[entry] = state
    return state


def _c_ext_message(entry: PackageEntry, blocker: PackageEntry) -> str:
    default = _registry.default(blocker.name)
    process_wide = f"the process-wide version is {default.version}" if default else "none is process-wide"
    if blocker is entry:
        what = f"{entry.display_name} {entry.version} contains C extensions and {process_wide}"
    else:
        what = (f"{entry.display_name} {entry.version} was locked with {blocker.display_name} "
                f"{blocker.version}, which contains C extensions ({process_wide})")
    return (f"envknit: {what}; a C extension cannot be loaded twice in one process. Use "
            f"envknit.worker({entry.display_name!r}, {entry.version!r}) or use(..., auto_worker=True)")


# -- the swap ------------------------------------------------------------------------------------
# Other threads import modules no environment routes without taking _lock, so sys.modules may grow
# or shrink at any bytecode boundary: the swap goes over a snapshot of its keys (list() of a dict
# runs in C, with no thread switch in between), and a name gone meanwhile is skipped.
_GONE = object()


def _take_owned(env: EnvState) -> dict:
    """Remove from ``sys.modules`` and return the modules whose names ``env`` routes."""
    modules = sys.modules
    taken = {}
    for name in [n for n in list(modules) if env.owns(n)]:
        mod = modules.pop(name, _GONE)
        if mod is not _GONE:
            taken[name] = mod
    return taken


def _swap_in(env: EnvState) -> dict:
    stash = _take_owned(env)
    sys.modules.update(env.modules)
    return stash


def _swap_out(env: EnvState, stash: dict) -> None:
    modules = sys.modules
    loaded = _take_owned(env)
    for mod in loaded.values():
        d = getattr(mod, "__dict__", None)
        if type(d) is dict and _TAG not in d and env.owns(str(d.get("__name__", ""))):
            d[_TAG] = env
    env.modules = loaded
    modules.update(stash)


def _run_swapped(env: EnvState | None, fn, *args):
    """Call ``fn(*args)`` with ``env``'s modules in ``sys.modules`` and ``env`` active.

    ``env`` None is the process-wide view: inside another environment's swap (a package of that
    environment importing one it was not locked with), that environment's modules are moved back
    out for the call, and no environment is active, so what loads lands process-wide with the
    process-wide versions of its own imports.
    """
    global _swap_owner
    with _lock:
        outer = _swap_stack[-1] if _swap_stack else None
        if outer is not None:
            if outer[0] is env:
                return fn(*args)
            if outer[0] is not None:
                _swap_out(outer[0], outer[1])
        _swap_stack.append([env, _swap_in(env) if env is not None else None])
        _swap_owner = _get_ident()
        token = _active_env.set(env)
        try:
            return fn(*args)
        finally:
            _active_env.reset(token)
            # the stash as it is now: a nested call moved this environment out and in again, and
            # what loaded process-wide meanwhile is in the new stash
            stash = _swap_stack.pop()[1]
            if env is not None:
                _swap_out(env, stash)
            if outer is not None and outer[0] is not None:
                outer[1] = _swap_in(outer[0])
            _swap_owner = _get_ident() if _swap_stack else None


def import_in(env: EnvState, name: str) -> ModuleType:
    """Import the absolute module ``name`` in ``env`` and return it (not the top-level package)."""
    mod = env.modules.get(name)
    if mod is not None:
        return mod
    if not env.owns(name):
        # a package shared with the whole process (a C extension's default version): imported
        # outside the swap, so it never holds on to this environment's modules
        return _process_wide(name.partition(".")[0], _real_import_module, name)
    return _run_swapped(env, _real_import_module, name)


def clear_module_cache() -> None:
    """Forget the modules every environment loaded; the next import in a ``use()`` block re-executes them."""
    with _lock, _states_lock:
        for state in _states.values():
            state.modules = {}


def swapping_route(top: str) -> bool:
    """Whether this thread is importing ``top`` for a ``use()`` environment that routes it (the
    islands then leave the import to that environment)."""
    if _swap_owner != _get_ident() or not _swap_stack:
        return False
    env = _swap_stack[-1][0]
    return env is not None and top in env.routes


# -- the __import__ and import_module wrappers ------------------------------------------------------
_real_import = builtins.__import__
_real_import_module = importlib.import_module
_enabled = False
#: alias -> (environment, real top-level name), from import_version(..., alias=...)
_aliases: dict[str, tuple[EnvState, str]] = {}


def add_alias(alias: str, env: EnvState, real: str, module: ModuleType) -> None:
    """Make ``import alias`` and ``import alias.sub`` give ``real`` and ``real.sub`` as loaded in ``env``."""
    _aliases[alias] = (env, real)
    sys.modules[alias] = module


def _unalias(name: str) -> tuple[EnvState, str] | None:
    """``(environment, real name)`` when ``name`` starts with an alias."""
    top, dot, rest = name.partition(".")
    hit = _aliases.get(top)
    return (hit[0], hit[1] + dot + rest) if hit is not None else None


def _routing_env(g: dict | None) -> EnvState | None:
    """The environment an import from a module with globals ``g`` resolves in; None for the
    process-wide view (including while this thread has that environment swapped in)."""
    env = g.get(_TAG) if g is not None else None
    if _swap_owner == _get_ident() and (env is None or env is _swap_stack[-1][0]):
        return None  # sys.modules already shows the environment this thread is loading
    if env is None:
        if g is not None:
            modname = g.get("__name__")
            if type(modname) is str and modname.partition(".")[0] in _registry.import_names:
                return None  # a registered distribution loaded process-wide
        env = _active_env.get()
    return env


def _package_of(g: dict) -> str:
    package = g.get("__package__")
    if package is None:
        spec = g.get("__spec__")
        if spec is not None:
            return spec.parent
        name = g.get("__name__", "")
        package = name if "__path__" in g else name.rpartition(".")[0]
    return package


def _top_of(name: str, g: dict | None, level: int) -> str:
    if not level:
        return name.partition(".")[0]
    try:
        return _package_of(g or {}).partition(".")[0]
    except (AttributeError, TypeError):
        return ""


def _process_wide(top: str, call, *args):
    """Run a process-wide import: what it loads lands in ``sys.modules`` for the whole process, so
    it runs with no environment active (a ``use()`` block's versions must not end up bound inside
    a process-wide module: ``import fastcalc`` in a greeter 1.0 block loads fastcalc with the
    process-wide wordlib, not the block's).

    When ``top`` is a registered distribution's name, it runs under ``_lock``, so it never sees
    (nor leaves a module in) another thread's environment swap.  The lock is taken before the
    import machinery takes any per-module lock, so a thread never waits for it while holding one
    (which could deadlock with the swapping thread).  When this thread has an environment swapped
    in and ``top`` is a registered name that environment does not route, the environment's
    modules are moved out for the call (see :func:`_run_swapped`)."""
    if _swap_owner == _get_ident():
        env = _swap_stack[-1][0]
        if env is not None and top not in env.routes and top in _registry.import_names:
            return _run_swapped(None, call, *args)
        return call(*args)  # sys.modules already shows what this import should see
    token = _active_env.set(None) if _active_env.get() is not None else None
    try:
        if top in _registry.import_names:
            with _lock:
                return call(*args)
        return call(*args)
    finally:
        if token is not None:
            _active_env.reset(token)


def _envknit_import(name, globals=None, locals=None, fromlist=(), level=0):
    if not _enabled:
        return _real_import(name, globals, locals, fromlist, level)
    if _aliases and not level:
        hit = _unalias(name)
        if hit is not None:
            env, real = hit
            mod = env.modules.get(real)
            if mod is not None and not fromlist and "." not in real:
                return mod
            return _run_swapped(env, _real_import, real, globals, locals, fromlist, 0)
    env = _routing_env(globals)
    if env is None:
        return _process_wide(_top_of(name, globals, level), _real_import, name, globals, locals, fromlist, level)
    if level:
        try:
            absname = importlib.util.resolve_name("." * level + name, _package_of(globals))
        except (ImportError, ValueError, AttributeError):
            return _real_import(name, globals, locals, fromlist, level)
    else:
        absname = name
    top = absname.partition(".")[0]
    if top not in env.routes:
        return _process_wide(top, _real_import, name, globals, locals, fromlist, level)
    mod = env.modules.get(absname)
    if mod is not None:
        if fromlist:
            if all(f != "*" and hasattr(mod, f) for f in fromlist):
                return mod
        else:
            top_mod = env.modules.get(top)
            if top_mod is not None:
                return top_mod
    return _run_swapped(env, _real_import, name, globals, locals, fromlist, level)


def _envknit_import_module(name, package=None):
    if not _enabled:
        return _real_import_module(name, package)
    absname = importlib.util.resolve_name(name, package) if name.startswith(".") else name
    if _aliases:
        hit = _unalias(absname)
        if hit is not None:
            return import_in(*hit)
    env = _routing_env(sys._getframe(1).f_globals)
    top = absname.partition(".")[0]
    if env is None or top not in env.routes:
        return _process_wide(top, _real_import_module, absname)
    return import_in(env, absname)


# -- the finder ----------------------------------------------------------------------------------
def _is_namespace(spec) -> bool:
    return spec.origin in (None, "namespace") and spec.submodule_search_locations is not None


def _in_site_dir(path: str) -> bool:
    parts = Path(path).parts
    return "site-packages" in parts or "dist-packages" in parts


class VersionedFinder(importlib.abc.MetaPathFinder):
    """Finds registered packages: the active ``use()`` version, else the default version.

    In an environment view (:mod:`envknit.view`), a default version that is the one the view
    links is left to ``sys.path``, where the view's site-packages gives it as in any virtual
    environment: after the script's folder and the standard library, and as the same module
    objects whether they were imported before ``configure_from_lock()`` or after.
    """

    def __init__(self, registry: VersionRegistry | None = None, strict: bool = False):
        self.registry = registry or _registry
        self.strict = strict
        #: entry folders the environment view this interpreter runs in links (see enable())
        self.view_paths: frozenset[str] = frozenset()

    def find_spec(self, fullname, path=None, target=None):
        if "." in fullname:
            return None  # a submodule: its parent's __path__ already points at the right version
        env = _active_env.get()
        if env is not None:
            folders = env.routes.get(fullname)
            if folders is not None:
                spec = self._spec_in(fullname, folders)
                if spec is None:
                    raise ModuleNotFoundError(
                        f"envknit: {fullname} is not in {', '.join(folders)}", name=fullname)
                return spec
        entry = self.registry.default_for_import(fullname)
        if entry is not None:
            if entry.path in self.view_paths:
                return None  # the view's site-packages links it (after the script's folder and the stdlib)
            return self._spec_in(fullname, [entry.path])
        if self.strict:
            self._refuse_unlocked(fullname)
        return None

    def _spec_in(self, fullname: str, folders: list[str]):
        spec = _PathFinder.find_spec(fullname, folders)
        if spec is not None and _is_namespace(spec):
            # a namespace package: its other portions may come from other registered packages
            # or from sys.path, after the routed folders
            others = [e.path for e in (self.registry.default(d) for d in self.registry.providers(fullname)) if e]
            wider = _PathFinder.find_spec(fullname, list(folders) + others + sys.path)
            if wider is not None:
                return wider
        return spec

    def _refuse_unlocked(self, fullname: str) -> None:
        if fullname in sys.builtin_module_names or fullname in getattr(sys, "stdlib_module_names", ()):
            return
        spec = _PathFinder.find_spec(fullname)
        if spec is None:
            return
        where = spec.origin if spec.has_location else next(iter(spec.submodule_search_locations or []), None)
        if where and _in_site_dir(where):
            raise ModuleNotFoundError(
                f"envknit strict mode: {fullname} is not provided by any package of the lock "
                f"(it would come from {os.path.dirname(where)}); add it to envknit.yaml and lock again",
                name=fullname,
            )

    def find_distributions(self, context=None):
        """Metadata of the active (else default) version, so ``importlib.metadata.version()`` agrees."""
        if context is None or not getattr(context, "name", None):
            return iter(())
        import importlib.metadata  # noqa: PLC0415 - only when metadata is asked for (slow to import)

        key = normalize_name(context.name)
        env = _active_env.get()
        entry = env.entries.get(key) if env is not None else None
        if entry is None and self.registry.resolve_name(key) == key:
            entry = self.registry.default(key)
        if entry is None or entry.dist_info is None:
            return iter(())
        return iter([importlib.metadata.PathDistribution(Path(entry.dist_info))])


_finder: VersionedFinder | None = None


def enable(strict: bool = False) -> None:
    """Install the finder first in ``sys.meta_path`` and the import wrappers; idempotent.

    With ``strict=True`` a top-level import that no registered distribution provides and that
    would come from a site-packages folder raises ImportError; the standard library and the
    program's own modules still import.
    """
    global _finder, _enabled, _real_import, _real_import_module
    from ..view import current_view  # noqa: PLC0415 - read once, when the hook is enabled

    view = current_view()
    with _lock:
        if _finder is None:
            _finder = VersionedFinder(_registry)
        _finder.strict = bool(strict)
        _finder.view_paths = view.entry_paths() if view is not None else frozenset()
        if not any(f is _finder for f in sys.meta_path):
            sys.meta_path.insert(0, _finder)
        if builtins.__import__ is not _envknit_import:
            _real_import = builtins.__import__
            builtins.__import__ = _envknit_import
        if importlib.import_module is not _envknit_import_module:
            _real_import_module = importlib.import_module
            importlib.import_module = _envknit_import_module
        _enabled = True


def disable() -> None:
    """Remove the finder and the wrappers: imports behave as in plain Python again."""
    global _enabled
    with _lock:
        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, VersionedFinder)]
        if builtins.__import__ is _envknit_import:
            builtins.__import__ = _real_import
        if importlib.import_module is _envknit_import_module:
            importlib.import_module = _real_import_module
        _enabled = False


def is_enabled() -> bool:
    """True between ``enable()`` and ``disable()``."""
    return _enabled


def finder() -> VersionedFinder:
    """The finder ``enable()`` installs (created on first use)."""
    global _finder
    if _finder is None:
        _finder = VersionedFinder(_registry)
    return _finder


def evict_process_wide(entry: PackageEntry) -> None:
    """Drop from ``sys.modules`` the modules loaded process-wide from ``entry``'s folder, so the
    next import picks up a new default version.  Modules an environment view's links gave count
    too (their paths lead into the folder once symlinks are resolved)."""
    prefix = entry.path + os.sep
    names = entry.import_names
    modules = sys.modules
    with _lock:
        # Other threads import modules no environment routes without taking _lock: go over a
        # snapshot of the names (list() of a dict runs in C) and skip a module gone meanwhile.
        for name in [n for n in list(modules) if n.partition(".")[0] in names]:
            mod = modules.get(name)
            if mod is None:
                continue
            places = [getattr(mod, "__file__", None) or ""] + [str(p) for p in getattr(mod, "__path__", None) or []]
            if any(p.startswith(prefix) or (p and os.path.realpath(p).startswith(prefix)) for p in places):
                modules.pop(name, None)
