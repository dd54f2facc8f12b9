"""``configure_from_lock()``: read a lock, register its installed packages, install the import hook."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from .lock import Lock, LockPackage, read_lock
from .registry import PackageEntry, get_registry
from .store import envknit_home, find_installed, honoured_install_path
from .versions import version_key
from .view import View, current_view

__all__ = [
    "configure_from_lock", "find_lock", "require_environment", "warn_not_installed", "installed_folder",
    "environment_folders", "NotInstalledWarning", "StaleViewWarning",
]

LOCK_NAME = "envknit.lock.yaml"


class NotInstalledWarning(UserWarning):
    """A locked package has no installed wheel for this interpreter in the store."""


class StaleViewWarning(UserWarning):
    """The environment view this interpreter runs in was built from another version of its lock."""


def find_lock(lock_path: str | os.PathLike | None = None) -> Path:
    """``lock_path``; else, in an environment view, the view's lock; else ``$ENVKNIT_LOCK`` (set by
    ``envknit run``); else envknit.lock.yaml upward from the cwd.

    The view comes before the variable: the interpreter is that environment, even when started
    from a program that runs another project's environment (whose ``ENVKNIT_LOCK`` it inherits).
    """
    if lock_path is not None:
        return Path(lock_path)
    view = current_view()
    if view is not None:
        return Path(view.lock)
    env = os.environ.get("ENVKNIT_LOCK")
    if env:
        return Path(env)
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / LOCK_NAME).is_file():
            return folder / LOCK_NAME
    raise FileNotFoundError(
        2, f"no lock file: pass lock_path, set ENVKNIT_LOCK (envknit run does), or run below a folder with {LOCK_NAME}",
        str(here / LOCK_NAME),
    )


def require_environment(lock: Lock, env: str) -> None:
    """ValueError naming the lock's environments when it has no ``env``."""
    if env not in lock.environments:
        have = ", ".join(lock.environments) or "none"
        raise ValueError(f"environment {env!r} is not in {lock.path} (environments: {have})")


def warn_not_installed(pkg: LockPackage, home: Path) -> None:
    """The NotInstalledWarning for a locked package with no installed wheel for this interpreter."""
    warnings.warn(
        f"envknit: {pkg.name} {pkg.version} (environment {pkg.environment}) has no installed wheel "
        f"for this interpreter under {home}; run `envknit install`",
        NotInstalledWarning,
        stacklevel=3,
    )


def installed_folder(pkg: LockPackage, lock: Lock, home: Path, trust_install_path: bool = False) -> Path | None:
    """The folder of ``pkg``'s installed wheel for this interpreter, or None (see ``find_installed``).

    The store is content-addressed: an entry is found by the hashes the lock pins.  A lock's
    ``install_path`` (EnvKnit's field) would name a folder without any hash, so it is honoured
    only when its real path (symlinks resolved) is inside the package's own folder of the store,
    ``$ENVKNIT_HOME/packages/<name>/``, or for a lock the caller trusts (``trust_install_path``).
    Anywhere else is a LockFileError naming the field: a lock from a pull request must not make the
    program import from an arbitrary folder, nor give package A the files of package B.
    """
    return find_installed(pkg, home, lock.directory, trust_install_path=trust_install_path,
                          where=_field(pkg, lock) if pkg.install_path else None)


def _checked_install_path(pkg: LockPackage, lock: Lock, home: Path, trust: bool) -> Path:
    return honoured_install_path(pkg.install_path or "", pkg.name, home, lock.directory, trust=trust,
                                 where=_field(pkg, lock))


def _field(pkg: LockPackage, lock: Lock) -> str:
    """Where ``pkg``'s install_path is in the lock, for a message."""
    index = next(i for i, p in enumerate(lock.environments[pkg.environment]) if p is pkg)
    return f"{lock.path or '<lock>'}: environments.{pkg.environment}[{index}] ({pkg.name}).install_path"


def _lock_view(lock: Lock) -> View | None:
    """The view this interpreter runs in, when ``lock`` is the lock it was built from."""
    view = current_view()
    if view is None or lock.path is None:
        return None
    try:
        same = os.path.samefile(view.lock, lock.path)
    except OSError:
        same = False
    return view if same else None


def _environment_order(lock: Lock, env: str | None) -> list[str]:
    if env is not None:
        require_environment(lock, env)
        return [env]
    # The first registered version of a package is its default: prefer the environment of the
    # view this interpreter runs in (else the one `envknit run` names), then "default", then the
    # lock's order.
    view = _lock_view(lock)
    preferred = view.environment if view is not None else os.environ.get("ENVKNIT_ENV")
    first = [e for e in (preferred, "default") if e in lock.environments]
    return list(dict.fromkeys(first + list(lock.environments)))


def environment_folders(lock: Lock, env: str, home: Path,
                        trust_install_path: bool = False) -> list[tuple[LockPackage, Path | None]]:
    """Each package of ``lock``'s environment ``env`` with its installed folder (or None).

    In the environment view built from that lock and environment, a package gets the entry the
    view links (what plain imports give), not one chosen again here.  A view built from another
    version of the lock is reported with a :class:`StaleViewWarning`; its entries are still used
    for the versions it has, the store is searched for the others.
    """
    packages = lock.environments[env]
    view = _lock_view(lock)
    linked = {}
    if view is not None and view.environment == env:
        linked = {(e.name, version_key(e.version)): e.path for e in view.entries}
    found: list[tuple[LockPackage, Path | None]] = []
    used = 0
    for pkg in packages:
        path = linked.get((pkg.key, version_key(pkg.version)))
        if path is not None and os.path.isdir(path):
            used += 1
            found.append((pkg, Path(path)))
        else:
            found.append((pkg, installed_folder(pkg, lock, home, trust_install_path)))
    if linked and (used != len(packages) or used != len(linked)):
        warnings.warn(
            f"envknit: the environment view {view.path} was built from another version of {lock.path} "
            f"(environment {env}): the lock's versions are registered, but modules imported before "
            "and the view's site-packages are the view's; `envknit run` or `envknit env python` "
            "builds the view again",
            StaleViewWarning,
            stacklevel=3,
        )
    return found


def _locked_beside(pkg: LockPackage, env_packages: dict[str, str]) -> dict[str, str]:
    return {name: env_packages[name] for name in pkg.dependency_names() if name in env_packages}


def configure_from_lock(
    lock_path: str | os.PathLike | None = None,
    env: str | None = None,
    auto_install: bool = True,
    *,
    trust_install_path: bool = False,
) -> int:
    """Register the lock's installed packages in the VersionRegistry and (by default) enable the hook.

    The lock is ``lock_path``; else, in an environment view (``envknit env python``, ``envknit
    run``), the view's lock; else ``$ENVKNIT_LOCK``; else envknit.lock.yaml upward from the cwd.
    ``env`` selects one environment; None loads them all, merged by (name, version).  The first
    registered version of each package becomes its default: the view's environment's first (with
    the store entries the view links, so the defaults are what plain imports give), else
    ``$ENVKNIT_ENV``'s, else ``default``'s.  Returns how many (name, version)
    pairs of the lock are registered.  Raises FileNotFoundError when there is no lock,
    SchemaVersionError for a newer lock schema, LockFileError for a malformed lock, and ValueError
    for an unknown ``env``.  Packages with no installed wheel for this interpreter are skipped with
    a :class:`NotInstalledWarning`.

    A lock's ``install_path`` is honoured only inside its package's folder of the store,
    ``$ENVKNIT_HOME/packages/<name>/`` (elsewhere it is a LockFileError), unless
    ``trust_install_path=True``: only for a lock you trust, such as one EnvKnit made for this
    machine, since a folder named that way is imported without any hash check.
    """
    lock = read_lock(find_lock(lock_path))
    registry = get_registry()
    home = envknit_home()
    registered: set[tuple] = set()
    order = _environment_order(lock, env)
    for env_name in order:  # a refused install_path stops everything before anything is registered
        for pkg in lock.environments[env_name]:
            if pkg.install_path:
                _checked_install_path(pkg, lock, home, trust_install_path)
    routed_islands = None
    for env_name in order:
        packages = lock.environments[env_name]
        versions_here = {p.key: p.version for p in packages}
        folders = environment_folders(lock, env_name, home, trust_install_path)
        if env_name in lock.islands:
            # Island 0's versions first: they are the defaults (what the application's code sees).
            folders.sort(key=lambda item: item[0].island is not None and 0 not in item[0].island)
            versions_here = {p.key: p.version for p, _ in reversed(folders)}
            if routed_islands is None and env_name == order[0]:
                routed_islands = (env_name, folders)
        for pkg, path in folders:
            ident = (pkg.key, version_key(pkg.version))
            if ident in registered:
                continue
            existing = registry.find(pkg.key, pkg.version)
            if existing is None:
                if path is None:
                    warn_not_installed(pkg, home)
                    continue
                registry.register(PackageEntry(
                    pkg.name, pkg.version, path,
                    environment=env_name,
                    dependencies=_locked_beside(pkg, versions_here),
                ))
            registered.add(ident)
    if auto_install:
        from .isolation.import_hook import enable  # noqa: PLC0415 - config does not need the hook otherwise

        enable()
    if routed_islands is not None:
        _route_islands(lock, *routed_islands)
    return len(registered)


def _route_islands(lock: Lock, env_name: str, folders) -> None:
    """Route the islands of the defaults' environment (project/LOCK_FORMAT.md, "Islands"): each
    island's code imports the versions it was locked with; the application's, island 0's.  A view
    that booted them already (``_envknit_islands``) is left as it is."""
    from .isolation import islands  # noqa: PLC0415 - only for a lock with islands
    from .isolation.import_hook import swapping_route  # noqa: PLC0415

    if islands.current() is not None:
        return
    entries = [islands.IslandEntry(pkg.name, pkg.version, str(path), pkg.island, pkg.per_island)
               for pkg, path in folders if path is not None]
    routed = islands.install_islands(entries, len(lock.islands[env_name]), route_plain=False)
    routed.defer = swapping_route
