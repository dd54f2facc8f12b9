"""envknit: several versions of one Python package in one program (the runtime).

Reads the lock the envknit tool writes and routes imports to its global store::

    import envknit
    envknit.configure_from_lock("envknit.lock.yaml")      # or ENVKNIT_LOCK, set by `envknit run`
    with envknit.use("requests", "2.28.1"):
        import requests                                   # 2.28.1, with the urllib3 locked beside it
    with envknit.worker("numpy", "1.26.4") as np:         # C extensions: in a worker process
        total = np.zeros(3).sum()

Modules: :mod:`.lock_text` and :mod:`.lock` (reading locks), :mod:`.tags` (wheel tags of this
interpreter), :mod:`.store` (finding installed wheels), :mod:`.registry` (VersionRegistry),
:mod:`.config` (``configure_from_lock``), :mod:`.errors`, and :mod:`.isolation` (the hook,
``use()``, workers, sub-interpreters, thread helpers).  Standard library only; Python 3.10+.
"""

__version__ = "0.1.0"

from .config import NotInstalledWarning, StaleViewWarning, configure_from_lock
from .errors import (
    CExtIncompatibleError,
    CExtensionError,
    LockFileError,
    RemoteError,
    SchemaVersionError,
    UnsupportedPlatformError,
    VersionNotFoundError,
    WorkerCrashedError,
)
from . import isolation
from .isolation.context import VersionContext, active_versions, import_version, set_default, use
from .isolation.import_hook import VersionedFinder, clear_module_cache, disable, enable
from .registry import PackageEntry, VersionRegistry, get_registry

__all__ = [
    "configure_from_lock", "use", "worker", "import_version", "set_default", "enable", "disable",
    "active_versions", "clear_module_cache",
    "VersionContext", "WorkerContext", "ModuleProxy", "RemoteObject", "ProcessPool", "SubInterpreterEnv",
    "ContextThread", "ContextExecutor", "context_wrap", "VersionRegistry", "VersionedFinder",
    "PackageEntry", "get_registry",
    "SchemaVersionError", "LockFileError", "CExtensionError", "CExtIncompatibleError",
    "UnsupportedPlatformError", "VersionNotFoundError", "WorkerCrashedError", "RemoteError",
    "NotInstalledWarning", "StaleViewWarning",
]


def __getattr__(name: str):
    # worker(), SubInterpreterEnv and the thread helpers load on first use (see envknit.isolation)
    if name not in isolation._LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(isolation, name)
    globals()[name] = value
    return value
