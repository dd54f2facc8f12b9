"""Isolation strategies: ``use()`` (in-process, ContextVar-scoped), ``worker()`` (subprocess),
``SubInterpreterEnv`` (PEP 684 sub-interpreter, CPython 3.12+), and thread-context helpers.

Modules: :mod:`.import_hook` (finder, import wrappers, environments), :mod:`.context` (``use()``
and friends), :mod:`.threads`, :mod:`.wire` + :mod:`.workers` + :mod:`.worker_main` (subprocess
workers), :mod:`.subinterpreter`.  The worker and sub-interpreter modules load on first use.
"""

from .context import VersionContext, active_versions, import_version, set_default, use
from .import_hook import CExtensionError, SchemaVersionError, VersionedFinder, disable, enable
from ..errors import CExtIncompatibleError, RemoteError, UnsupportedPlatformError, WorkerCrashedError

_LAZY = {
    "worker": "workers", "WorkerContext": "workers", "ModuleProxy": "workers", "RemoteObject": "workers",
    "ProcessPool": "workers",
    "SubInterpreterEnv": "subinterpreter",
    "ContextThread": "threads", "ContextExecutor": "threads", "context_wrap": "threads",
}

__all__ = [
    "use", "VersionContext", "import_version", "set_default", "active_versions", "enable", "disable",
    "VersionedFinder", "CExtensionError", "SchemaVersionError", "CExtIncompatibleError",
    "UnsupportedPlatformError", "WorkerCrashedError", "RemoteError", *_LAZY,
]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
