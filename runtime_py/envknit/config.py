"""``configure_from_lock()``: read a lock, register its installed packages, install the import hook."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from .lock import Lock, LockPackage, read_lock
from .registry import PackageEntry, get_registry
from .store import envknit_home, find_installed
from .versions import version_key

__all__ = ["configure_from_lock", "find_lock", "require_environment", "warn_not_installed", "NotInstalledWarning"]

LOCK_NAME = "envknit.lock.yaml"


class NotInstalledWarning(UserWarning):
    """A locked package has no installed wheel for this interpreter in the store."""


def find_lock(lock_path: str | os.PathLike | None = None) -> Path:
    """``lock_path``, else ``$ENVKNIT_LOCK`` (set by ``envknit run``), else envknit.lock.yaml upward from the cwd."""
    if lock_path is not None:
        return Path(lock_path)
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


def _environment_order(lock: Lock, env: str | None) -> list[str]:
    if env is not None:
        require_environment(lock, env)
        return [env]
    # The first registered version of a package is its default: prefer the environment `envknit
    # run` put on PYTHONPATH, then "default", then the lock's order.
    first = [e for e in (os.environ.get("ENVKNIT_ENV"), "default") if e in lock.environments]
    return list(dict.fromkeys(first + list(lock.environments)))


def _locked_beside(pkg: LockPackage, env_packages: dict[str, str]) -> dict[str, str]:
    return {name: env_packages[name] for name in pkg.dependency_names() if name in env_packages}


def configure_from_lock(
    lock_path: str | os.PathLike | None = None,
    env: str | None = None,
    auto_install: bool = True,
) -> int:
    """Register the lock's installed packages in the VersionRegistry and (by default) enable the hook.

    ``env`` selects one environment; None loads them all, merged by (name, version).  The first
    registered version of each package becomes its default.  Returns how many (name, version)
    pairs of the lock are registered.  Raises FileNotFoundError when there is no lock,
    SchemaVersionError for a newer lock schema, LockFileError for a malformed lock, and ValueError
    for an unknown ``env``.  Packages with no installed wheel for this interpreter are skipped with
    a :class:`NotInstalledWarning`.
    """
    lock = read_lock(find_lock(lock_path))
    registry = get_registry()
    home = envknit_home()
    registered: set[tuple] = set()
    for env_name in _environment_order(lock, env):
        packages = lock.environments[env_name]
        versions_here = {p.key: p.version for p in packages}
        for pkg in packages:
            ident = (pkg.key, version_key(pkg.version))
            if ident in registered:
                continue
            existing = registry.find(pkg.key, pkg.version)
            if existing is None:
                path = find_installed(pkg, home, lock.directory)
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
    return len(registered)
