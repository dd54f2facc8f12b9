"""Carrying the ``use()`` context into threads.

``threading.Thread`` starts with an empty ``contextvars`` context, so a thread started inside a
``use()`` block would not see the block's versions.  These wrappers copy the context explicitly:

=================  ===============  ===============================
API                context taken    based on
=================  ===============  ===============================
``ContextThread``  at ``__init__``  ``threading.Thread``
``ContextExecutor``  at ``submit``  ``concurrent.futures.ThreadPoolExecutor``
``context_wrap``   when called      a closure
=================  ===============  ===============================
"""

from __future__ import annotations

import contextvars
import functools
import threading
from concurrent.futures import Future, ThreadPoolExecutor

__all__ = ["ContextThread", "ContextExecutor", "context_wrap"]


class ContextThread(threading.Thread):
    """A Thread that runs in a copy of the context current when it was created."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._envknit_context = contextvars.copy_context()

    def run(self) -> None:
        self._envknit_context.run(super().run)


class ContextExecutor(ThreadPoolExecutor):
    """A ThreadPoolExecutor whose tasks run in a copy of the context current at ``submit()``."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return super().submit(contextvars.copy_context().run, fn, *args, **kwargs)


def context_wrap(fn):
    """``fn`` bound to a copy of the current context: every call runs in (a copy of) that context."""
    captured = contextvars.copy_context()

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return captured.copy().run(fn, *args, **kwargs)

    return wrapper
