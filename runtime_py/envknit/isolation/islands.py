"""Islands: several versions of a pure package in one process, each seen by the code locked with it.

An environment with islands (project/LOCK_FORMAT.md, "Islands") holds, say, ``tabular`` 1.4 for
island 0 (``dep_a`` and the application) and ``tabular`` 2.1 for island 1 (``dep_b``).  This module
routes the imports of each island's code to that island's versions.

- **Module instances.**  An entry seen by several islands is one module object (the islands agree on
  its whole closure), unless it is ``per_island``: then each island has its own instance of it, the
  same files.  Each instance has a *home* island: its own for a per-island instance, else the lowest
  island that sees the entry.
- **Names.**  The instance the application sees keeps its plain name: island 0's, or for a name
  island 0 does not have, the lowest island's (``dep_b``).  Any other instance of a name gets a
  mangled one under a synthetic package, ``_envknit_islands.i<home>.<name>`` (``_envknit_islands.i1.
  tabular``): its submodules, relative imports, ``importlib`` machinery, pickling and
  ``sys.modules[__name__]`` all work natively, and ``sys.modules["tabular"]`` stays island 0's.
- **Routing.**  Island 0's modules run exactly as plain Python ones (plain builtins: the C fast path
  of ``import``).  Every module whose home island has names to map is executed with that island's
  own ``__builtins__`` dict, a copy of the real one whose ``__import__`` rewrites the absolute names
  of the island's mapped packages (``tabular`` → ``_envknit_islands.i1.tabular``) and hands out a
  per-island ``importlib`` (``import_module``, ``importlib.metadata``, ``importlib.resources``).
  ``IMPORT_NAME`` reads ``__import__`` from the executing frame's builtins, which a function takes
  from its module when it is defined, so imports inside functions that run later, ``exec`` in island
  code and ``__import__()`` calls route too, and nothing else pays: calling island functions costs
  what calling any function costs.  Routing is decided by the module that executes the import,
  never by walking the stack.
- **Cost.**  A repeated ``import x`` (no ``from``, absolute) in island code is answered from a
  per-island dict of what it returned before (modules fully initialised only); anything else takes
  the slow path (the real ``__import__``).  :meth:`Islands.forget` (and
  ``importlib.invalidate_caches()``) empties those dicts.

Caveats (README, "Islands"): classes of one island's ``tabular`` are not those of another's
(``isinstance`` is False across islands); a mangled module's ``__name__`` (so ``__module__``,
``repr``, ``logging.getLogger(__name__)``, warnings filters) is the mangled one, so pickles made by
island code name ``_envknit_islands.i1.tabular`` and load back into island 1 (in a process
configured from the same lock; anywhere else they fail to import); island code that reads
``sys.modules["tabular"]`` gets island 0's; a module removed from ``sys.modules`` stays cached by
the islands that imported it until :meth:`Islands.forget`.
"""

from __future__ import annotations

# Standard library only, and nothing slow to import (no importlib.abc/util, dataclasses, typing,
# re): a view whose environment has islands imports this file at start-up, as the top-level module
# ``_envknit_islands`` (see the end of the file), without the rest of envknit.
import builtins as _builtins_module
import importlib
import importlib.machinery
import os
import sys
import threading
from importlib._bootstrap import _gcd_import, _handle_fromlist  # type: ignore[attr-defined]
from importlib._bootstrap_external import spec_from_file_location  # type: ignore[attr-defined]
from types import ModuleType

__all__ = ["PREFIX", "IslandEntry", "Islands", "install_islands", "current", "normalize", "boot_view"]

#: The synthetic package that holds the modules of non-default instances.
PREFIX = "_envknit_islands"
_PREFIX_DOT = PREFIX + "."
_IMPORTLIB = "importlib"
_STDLIB = frozenset(sys.stdlib_module_names) | frozenset(sys.builtin_module_names)
_PathFinder = importlib.machinery.PathFinder
_ModuleSpec = importlib.machinery.ModuleSpec
_SourceFileLoader = importlib.machinery.SourceFileLoader
_SourcelessFileLoader = importlib.machinery.SourcelessFileLoader
_ExtensionFileLoader = importlib.machinery.ExtensionFileLoader


def normalize(name: str) -> str:
    """PEP 503 normal form (runs of ``-_.`` become one ``-``, lower case)."""
    return "-".join(p for p in name.lower().replace("_", "-").replace(".", "-").split("-") if p)


class IslandEntry:
    """One store entry of an environment with islands (a lock entry, its folder found).

    ``import_names``, ``dist_info`` and ``compiled`` are read from the folder when not given (the
    tool gives them to a view, which then needs nothing of envknit but this file)."""

    __slots__ = ("name", "version", "path", "islands", "per_island", "import_names", "dist_info",
                 "compiled")

    def __init__(self, name: str, version: str, path: str, islands=None, per_island: bool = False, *,
                 import_names=None, dist_info: str | None = None, compiled: bool | None = None):
        self.name = name
        self.version = version
        self.path = str(path)
        #: the islands whose code sees it (sorted), or None for every island
        self.islands = tuple(islands) if islands is not None else None
        #: one module instance per island of ``islands``
        self.per_island = bool(per_island)
        self.import_names = tuple(import_names) if import_names is not None else None
        self.dist_info = dist_info
        self.compiled = compiled

    def facts(self) -> tuple[tuple[str, ...], str | None]:
        """Its top-level import names (the standard library's left out) and its dist-info."""
        if self.import_names is None:
            from envknit.store import DistInfo  # noqa: PLC0415 - only when the caller did not say

            dist = DistInfo(self.path, self.name)
            self.import_names = tuple(dist.import_names())
            if self.dist_info is None and dist.dist_info is not None:
                self.dist_info = str(dist.dist_info)
        names = tuple(n for n in self.import_names if n.isidentifier() and n not in _STDLIB)
        return names, self.dist_info

    def has_compiled_code(self) -> bool:
        if self.compiled is None:
            from envknit.store import DistInfo  # noqa: PLC0415

            self.compiled = DistInfo(self.path, self.name).has_c_extensions()
        return self.compiled

    def __repr__(self) -> str:
        return (f"IslandEntry({self.name!r}, {self.version!r}, {self.path!r}, islands={self.islands!r}, "
                f"per_island={self.per_island!r})")


class _Instance:
    __slots__ = ("entry", "home", "import_names", "dist_info")

    def __init__(self, entry: IslandEntry, home: int, import_names: tuple[str, ...], dist_info: str | None):
        self.entry = entry
        self.home = home
        self.import_names = import_names
        self.dist_info = dist_info


def _initializing(module) -> bool:
    spec = getattr(module, "__spec__", None)
    return bool(getattr(spec, "_initializing", False))


class _IslandSourceLoader(_SourceFileLoader):
    """A source file loader that executes the module with its island's builtins."""

    def __init__(self, fullname, path, island_builtins):
        super().__init__(fullname, path)
        self._envknit_builtins = island_builtins

    def exec_module(self, module):
        module.__dict__["__builtins__"] = self._envknit_builtins
        super().exec_module(module)


class _IslandSourcelessLoader(_SourcelessFileLoader):
    """The same for a module shipped as bytecode only."""

    def __init__(self, fullname, path, island_builtins):
        super().__init__(fullname, path)
        self._envknit_builtins = island_builtins

    def exec_module(self, module):
        module.__dict__["__builtins__"] = self._envknit_builtins
        super().exec_module(module)


class _SyntheticLoader:
    """Creates ``_envknit_islands`` and ``_envknit_islands.i<k>``: empty packages."""

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__path__ = []


_SYNTHETIC = _SyntheticLoader()


class _Island:
    """One island's routing: its table of mapped names and its builtins."""

    def __init__(self, owner: "Islands", index: int, table: dict[str, str], dists: dict[str, str]):
        self.owner = owner
        self.index = index
        #: top-level import name -> the module name it maps to in this island
        self.table = table
        #: normalised distribution name -> dist-info folder, for the distributions the table maps
        self.dists = dists
        #: import name -> what ``import name`` returned (fully initialised modules only)
        self.tops: dict[str, ModuleType] = {}
        #: import name (mapped) -> the module it names, for ``from name import ...``
        self.targets: dict[str, ModuleType] = {}
        self._importlib: ModuleType | None = None
        self._submodules: dict[str, ModuleType] = {}
        self.builtins: dict = dict(_builtins_module.__dict__)
        self.builtins["__import__"] = self._make_import()
        self._synced = len(_builtins_module.__dict__)

    def _make_import(self):
        tops = self.tops
        targets = self.targets
        slow = self._slow_import
        handle = _handle_fromlist
        gcd = _gcd_import

        def __import__(name, globals=None, locals=None, fromlist=(), level=0):
            if not level:
                if not fromlist:
                    try:
                        return tops[name]
                    except KeyError:
                        pass
                else:
                    try:
                        module = targets[name]
                    except KeyError:
                        pass
                    else:
                        if hasattr(module, "__path__"):
                            return handle(module, fromlist, gcd)
                        return module
            return slow(name, globals, locals, fromlist, level)

        __import__.__qualname__ = f"island{self.index}.__import__"
        return __import__

    def _sync_builtins(self) -> None:
        """Names added to ``builtins`` since (``gettext.install``'s ``_``) reach island code too."""
        real = _builtins_module.__dict__
        if len(real) != self._synced:
            for key, value in real.items():
                if key != "__import__" and key not in self.builtins:
                    self.builtins[key] = value
            self._synced = len(real)

    def _slow_import(self, name, globals, locals, fromlist, level):
        if len(_builtins_module.__dict__) != self._synced:
            self._sync_builtins()
        real = _builtins_module.__import__
        if level:
            return real(name, globals, locals, fromlist, level)
        top, dot, rest = name.partition(".")
        target = self.table.get(top)
        if target is None:
            module = real(name, globals, locals, fromlist, level)
            if not fromlist and not _initializing(module) and self.owner._cache_unmapped:
                self.tops[name] = module
            return module
        if target is _IMPORTLIB:
            return self._import_importlib(name, fromlist)
        full = target + dot + rest
        module = _gcd_import(full)
        if fromlist:
            if not _initializing(module):
                self.targets[name] = module
            if hasattr(module, "__path__"):
                return _handle_fromlist(module, fromlist, _gcd_import)
            return module
        top_module = sys.modules[target]
        if not _initializing(top_module) and not _initializing(module):
            self.tops[name] = top_module
        return top_module

    # -- the island's importlib ---------------------------------------------------------------
    def import_module(self, name, package=None):
        """``importlib.import_module`` as this island sees it."""
        if not name.startswith("."):
            top, dot, rest = name.partition(".")
            target = self.table.get(top)
            if target is _IMPORTLIB:
                self._import_importlib(name, ())
                return self._submodules.get(name) or (self.importlib if name == "importlib" else
                                                      sys.modules[name])
            if target is not None:
                return _gcd_import(target + dot + rest)
        return importlib.import_module(name, package)

    @property
    def importlib(self) -> ModuleType:
        """This island's ``importlib``: the real one with ``import_module`` (and ``metadata``,
        ``resources``) seeing the island's versions."""
        if self._importlib is None:
            proxy = ModuleType("importlib", importlib.__doc__)
            real = importlib
            island = self

            def __getattr__(attr):
                sub = island._submodule(f"importlib.{attr}")
                if sub is not None:
                    return sub
                try:
                    return getattr(real, attr)
                except AttributeError:
                    pass
                try:
                    return importlib.import_module(f"importlib.{attr}")
                except ImportError:
                    raise AttributeError(f"module 'importlib' has no attribute {attr!r}") from None

            proxy.__dict__.update({
                "__getattr__": __getattr__, "__path__": real.__path__, "__spec__": real.__spec__,
                "__file__": getattr(real, "__file__", None), "import_module": self.import_module,
            })
            self._importlib = proxy
        return self._importlib

    def _import_importlib(self, name, fromlist):
        if name != "importlib":
            importlib.import_module(name)
        if fromlist:
            return self._submodule(name) or (self.importlib if name == "importlib" else sys.modules[name])
        self.tops[name] = self.importlib
        return self.importlib

    def _submodule(self, name: str) -> ModuleType | None:
        """The island's wrapper of ``importlib.metadata``, ``importlib.resources`` or
        ``importlib.util`` (``find_spec``), else None."""
        if name not in ("importlib.metadata", "importlib.resources", "importlib.util"):
            return None
        wrapper = self._submodules.get(name)
        if wrapper is None:
            real = importlib.import_module(name)
            wrapper = ModuleType(name, real.__doc__)
            wrapper.__dict__["__getattr__"] = lambda attr, _real=real: getattr(_real, attr)
            wrapper.__dict__["__spec__"] = real.__spec__
            overrides = (self._metadata_overrides(real) if name.endswith("metadata") else
                         self._util_overrides(real) if name.endswith("util") else
                         self._resources_overrides(real))
            wrapper.__dict__.update(overrides)
            self._submodules[name] = wrapper
        return wrapper

    def _metadata_overrides(self, real) -> dict:
        dists = self.dists

        def distribution(distribution_name):
            folder = dists.get(normalize(distribution_name))
            if folder is not None:
                from pathlib import Path  # noqa: PLC0415

                return real.PathDistribution(Path(folder))
            return real.distribution(distribution_name)

        return {
            "distribution": distribution,
            "version": lambda name: distribution(name).version,
            "metadata": lambda name: distribution(name).metadata,
            "files": lambda name: distribution(name).files,
            "requires": lambda name: distribution(name).requires,
        }

    def _util_overrides(self, real) -> dict:
        table = self.table

        def find_spec(name, package=None):
            """``importlib.util.find_spec`` as this island's ``import`` sees names."""
            if isinstance(name, str) and not name.startswith("."):
                top, dot, rest = name.partition(".")
                target = table.get(top)
                if target is not None and target is not _IMPORTLIB:
                    return real.find_spec(target + dot + rest, package)
            return real.find_spec(name, package)

        find_spec.__doc__ = real.find_spec.__doc__
        return {"find_spec": find_spec}

    def _resources_overrides(self, real) -> dict:
        table = self.table

        def mapped(anchor):
            if isinstance(anchor, str):
                top, dot, rest = anchor.partition(".")
                target = table.get(top)
                if target is not None and target is not _IMPORTLIB:
                    return target + dot + rest
            return anchor

        def wrap(fn):
            def call(anchor=None, *args, **kwargs):
                if anchor is None:
                    return fn(*args, **kwargs) if not args and not kwargs else fn(anchor, *args, **kwargs)
                return fn(mapped(anchor), *args, **kwargs)

            call.__name__ = fn.__name__
            call.__doc__ = fn.__doc__
            return call

        names = ("files", "read_text", "read_binary", "open_text", "open_binary", "path", "contents",
                 "is_resource")
        return {n: wrap(getattr(real, n)) for n in names if hasattr(real, n)}

    def forget(self) -> None:
        self.tops.clear()
        self.targets.clear()


class Islands:
    """The islands of one environment, as a finder first in ``sys.meta_path``."""

    def __init__(self, entries, count: int, *, route_plain: bool = True,
                 cache_unmapped: bool = True):
        if count < 1:
            raise ValueError("an environment with islands has at least one island")
        self.count = count
        self.entries = tuple(entries)
        self._cache_unmapped = cache_unmapped
        self._lock = threading.Lock()
        instances: dict[tuple[int, int], _Instance] = {}
        #: island -> import name -> instance key (entry index, home)
        visible: list[dict[str, tuple[int, int]]] = [{} for _ in range(count)]
        for i, entry in enumerate(self.entries):
            where = entry.islands if entry.islands is not None else tuple(range(count))
            where = tuple(k for k in where if 0 <= k < count)
            if not where:
                continue
            names, info = entry.facts()
            for k in where:
                home = k if entry.per_island else where[0]
                key = (i, home)
                if key not in instances:
                    instances[key] = _Instance(entry, home, names, info)
                for n in names:
                    visible[k].setdefault(n, key)
        #: import name -> the instance the application sees (plain name)
        plain: dict[str, tuple[int, int]] = {}
        for k in range(count):
            for n, key in visible[k].items():
                plain.setdefault(n, key)
        self._instances = instances
        self._plain = plain
        tables: list[dict[str, str]] = [{} for _ in range(count)]
        dists: list[dict[str, str]] = [{} for _ in range(count)]
        for k in range(count):
            for n, key in visible[k].items():
                if plain[n] != key:
                    tables[k][n] = f"{PREFIX}.i{key[1]}.{n}"
                    inst = instances[key]
                    if inst.dist_info:
                        dists[k][normalize(inst.entry.name)] = inst.dist_info
            if tables[k]:
                tables[k][_IMPORTLIB] = _IMPORTLIB
        self._islands = [_Island(self, k, tables[k], dists[k]) if tables[k] else None for k in range(count)]
        #: mangled top-level module name -> (folder, home island)
        self._mangled: dict[str, tuple[str, int]] = {}
        for k in range(count):
            for n, target in tables[k].items():
                if target is not _IMPORTLIB:
                    key = visible[k][n]
                    self._mangled[target] = (instances[key].entry.path, key[1])
        #: plain top-level name -> (folder, home island)
        self._plain_routes: dict[str, tuple[str, int]] = {}
        shared_names: dict[str, int] = {}
        for inst in instances.values():
            for n in inst.import_names:
                shared_names[n] = shared_names.get(n, 0) + 1
        for n, key in plain.items():
            home = key[1]
            # Without route_plain, a name with one instance loaded plainly is left to sys.path (a
            # view's site-packages links it): one module object either way.
            if route_plain or self._islands[home] is not None or shared_names[n] > 1:
                self._plain_routes[n] = (instances[key].entry.path, home)
        #: normalised distribution name -> dist-info of the instance the application sees
        self._plain_dists: dict[str, str] = {}
        for k in range(count):
            for key in visible[k].values():
                inst = instances[key]
                if inst.dist_info and self._plain.get(inst.import_names[0] if inst.import_names else "") == key:
                    self._plain_dists.setdefault(normalize(inst.entry.name), inst.dist_info)
        self._compiled_memo: dict[str, bool] = {}
        self._installed = False

    # -- queries ---------------------------------------------------------------------------------
    def module_name(self, island: int, import_name: str) -> str:
        """The module name island ``island``'s ``import <import_name>`` gives."""
        isl = self._islands[island]
        top, dot, rest = import_name.partition(".")
        target = isl.table.get(top) if isl is not None else None
        return (target + dot + rest) if target not in (None, _IMPORTLIB) else import_name

    def island_of(self, module: ModuleType) -> int:
        """The island whose imports ``module``'s code sees (0 for anything not routed)."""
        b = getattr(module, "__dict__", {}).get("__builtins__")
        for isl in self._islands:
            if isl is not None and b is isl.builtins:
                return isl.index
        return 0

    def builtins_of(self, island: int) -> dict | None:
        """The builtins island ``island``'s code runs with (None: the real ones)."""
        isl = self._islands[island]
        return isl.builtins if isl is not None else None

    def tables(self) -> list[dict[str, str]]:
        """Per island, the names it maps and where to (``importlib`` maps to its wrapper)."""
        return [dict(isl.table) if isl is not None else {} for isl in self._islands]

    # -- the finder ------------------------------------------------------------------------------
    #: ``defer(top)``: True leaves a plain import to the finders after this one (configure_from_lock
    #: sets it so a ``use()`` block's own versions win inside the block)
    defer = None

    def find_spec(self, fullname, path=None, target=None):
        if fullname.startswith(PREFIX):
            return self._mangled_spec(fullname, path)
        top = fullname.partition(".")[0]
        route = self._plain_routes.get(top)
        if route is None:
            return None
        if self.defer is not None and self.defer(top):
            return None
        folder, home = route
        island = self._islands[home]
        if "." in fullname:
            if island is None:
                return None  # found through the parent's __path__ as usual
            spec = _PathFinder.find_spec(fullname, path)
        else:
            spec = _PathFinder.find_spec(fullname, [folder])
        if spec is None:
            return None
        if island is not None:
            self._route(spec, island, mangled=False)
        return spec

    def _mangled_spec(self, fullname, path):
        parts = fullname.split(".", 3)
        if len(parts) < 3:
            if len(parts) == 1 or (parts[1][:1] == "i" and parts[1][1:].isdigit()
                                   and int(parts[1][1:]) < self.count):
                return _ModuleSpec(fullname, _SYNTHETIC, is_package=True)
            return None
        if parts[0] != PREFIX:
            return None
        top = ".".join(parts[:3])
        route = self._mangled.get(top)
        if route is None:
            return None
        folder, home = route
        island = self._islands[home]
        if fullname == top:
            plain = parts[2]
            if self._compiled(folder, plain):
                raise ImportError(
                    f"envknit: {plain} ({folder}) has compiled code, which cannot have one instance per "
                    f"island; run the code that needs it in envknit.worker()", name=fullname)
            found = _PathFinder.find_spec(plain, [folder])
            if found is None:
                return None
            if found.origin in (None, "namespace") and found.submodule_search_locations is not None:
                spec = _ModuleSpec(fullname, None, is_package=True)
                spec.submodule_search_locations = list(found.submodule_search_locations)
                return spec
            loader = self._loader(fullname, found, island)
            return spec_from_file_location(
                fullname, found.origin, loader=loader,
                submodule_search_locations=(list(found.submodule_search_locations)
                                            if found.submodule_search_locations is not None else None))
        spec = _PathFinder.find_spec(fullname, path)
        if spec is not None:
            self._route(spec, island, mangled=True)
        return spec

    def _compiled(self, folder: str, import_name: str) -> bool:
        hit = self._compiled_memo.get(folder)
        if hit is None:
            entry = next(e for e in self.entries if e.path == folder)
            hit = self._compiled_memo[folder] = entry.has_compiled_code()
        return hit

    @staticmethod
    def _loader(fullname, spec, island: _Island):
        loader = spec.loader
        if isinstance(loader, _SourceFileLoader):
            return _IslandSourceLoader(fullname, spec.origin, island.builtins)
        if isinstance(loader, _SourcelessFileLoader):
            return _IslandSourcelessLoader(fullname, spec.origin, island.builtins)
        if isinstance(loader, _ExtensionFileLoader):
            raise ImportError(
                f"envknit: {fullname} is compiled code ({spec.origin}), which cannot have one instance "
                f"per island; run the code that needs it in envknit.worker()", name=fullname)
        return loader

    def _route(self, spec, island: _Island, *, mangled: bool) -> None:
        loader = spec.loader
        if isinstance(loader, (_SourceFileLoader, _SourcelessFileLoader)):
            spec.loader = self._loader(spec.name, spec, island)
        elif mangled and isinstance(loader, _ExtensionFileLoader):
            self._loader(spec.name, spec, island)  # raises

    def find_distributions(self, context=None):
        """The metadata of the version the application sees (``importlib.metadata.version()``)."""
        name = getattr(context, "name", None)
        folder = self._plain_dists.get(normalize(name)) if name else None
        if folder is None:
            return iter(())
        import importlib.metadata  # noqa: PLC0415 - only when metadata is asked for
        from pathlib import Path  # noqa: PLC0415

        return iter([importlib.metadata.PathDistribution(Path(folder))])

    def invalidate_caches(self):
        self.forget()

    def forget(self) -> None:
        """Empty every island's cache of what its imports returned."""
        for isl in self._islands:
            if isl is not None:
                isl.forget()

    # -- installing ------------------------------------------------------------------------------
    def install(self) -> "Islands":
        """Put the finder first in ``sys.meta_path`` (once); returns self."""
        global _current
        with self._lock:
            if not any(f is self for f in sys.meta_path):
                sys.meta_path.insert(0, self)
            self._installed = True
            _current = self
        return self

    def uninstall(self) -> None:
        """Remove the finder and every module of a non-default instance from ``sys.modules``."""
        global _current
        with self._lock:
            sys.meta_path[:] = [f for f in sys.meta_path if f is not self]
            for name in [n for n in list(sys.modules) if n == PREFIX or n.startswith(_PREFIX_DOT)]:
                if name == PREFIX and getattr(sys.modules.get(name), "Islands", None) is not None:
                    continue  # this very module, booted by a view
                sys.modules.pop(name, None)
            self.forget()
            self._installed = False
            if _current is self:
                _current = None


_current: Islands | None = None


def current() -> Islands | None:
    """The installed islands, if any."""
    return _current


def install_islands(entries, count: int, **options) -> Islands:
    """Route the imports of an environment's islands (see the module documentation)."""
    if _current is not None:
        _current.uninstall()
    return Islands(list(entries), count, **options).install()


def _read_spec(path: str):
    """The islands of a ``view.json`` (its ``islands`` member): (entries, count), or None."""
    import json  # noqa: PLC0415

    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        spec = data.get("islands") if isinstance(data, dict) else None
        if not spec or "entries" not in spec:
            return None
        entries = [
            IslandEntry(str(e["name"]), str(e["version"]), str(e["path"]), e.get("islands"),
                        bool(e.get("per_island", False)), import_names=e.get("import_names"),
                        dist_info=e.get("dist_info"), compiled=e.get("compiled"))
            for e in spec["entries"]
        ]
        return entries, int(spec["count"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def boot_view(prefix: str | None = None) -> Islands | None:
    """Route the islands a view's ``view.json`` describes (its ``islands`` member), if any.

    ``view.json``'s ``islands``: ``{"count": N, "entries": [{"name", "version", "path", "islands"
    (list or null), "per_island", "import_names", "dist_info" (path or null), "compiled"}]}``,
    written by the tool for an environment with islands (DEVELOPERS.md, "Environment views")."""
    found = _read_spec(os.path.join(prefix or sys.prefix, "view.json"))
    if found is None:
        return None
    return Islands(found[0], found[1], route_plain=False).install()


if __name__ == PREFIX:
    # Imported by a view's ``_envknit_islands.pth`` at start-up, as the top-level module that is
    # also the parent package of the non-default instances (``_envknit_islands.i1.tabular``).
    __path__: list[str] = []
    boot_view()
elif getattr(sys.modules.get(PREFIX), "Islands", None) is not None:
    # A view booted this file as ``_envknit_islands``: envknit.isolation.islands is that module,
    # with its state (the installed islands), not a second copy.
    sys.modules[__name__] = sys.modules[PREFIX]
