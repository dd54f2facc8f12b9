"""Runtime benchmark, printed as JSON (``python3 bench/runtime/bench_runtime.py``; ``--quick`` for a smoke run).

Builds a temporary store with real wheels (the test suite's store factory), then measures:

- ``use_enter_exit``: ``with envknit.use("benchpkg", "1.0"): pass`` on a warm environment, in
  batches; the median per block.  Target: < 10 us.
- ``import_in_use``: importing a 50-module package (from its .pyc files) inside ``use()``,
  against the same import done plainly with envknit disabled and the package's folder on
  sys.path; medians and their ratio (and the ratio of the minimums, steadier on a busy machine).  The environment's module cache is cleared before each
  ``use()`` import, so both sides execute all 50 modules every time.  The process first imports
  a few hundred stdlib modules, as a real program would (``sys.modules`` size is reported).
  Target: ratio < 1.3.
- ``worker_round_trip``: one request and answer between the caller and a ``worker()`` process,
  calling a function handle with two ints; also the module attribute call ``wk.add(1, 2)``,
  which is two round trips (read the attribute, then call it).  Target: < 100 us median.

Targets are printed beside the numbers with ``ok`` flags; nothing here fails a test run.
"""

from __future__ import annotations

import compileall
import importlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "runtime_py"))
sys.path.insert(0, str(ROOT / "runtime_py" / "tests"))

import envknit  # noqa: E402
from support.store_factory import build_wheel, install_wheel, lock_entry, lock_yaml  # noqa: E402

QUICK = "--quick" in sys.argv
STDLIB_LOAD = [
    "asyncio", "email.mime.multipart", "http.client", "http.server", "json", "xml.dom.minidom", "xml.etree.ElementTree",
    "unittest", "logging.handlers", "argparse", "decimal", "fractions", "statistics", "csv", "sqlite3", "urllib.request",
    "concurrent.futures", "multiprocessing", "subprocess", "tarfile", "zipfile", "gzip", "lzma", "bz2", "shutil",
    "pathlib", "dataclasses", "typing", "inspect", "pdb", "pydoc", "difflib", "textwrap", "string", "secrets",
    "hashlib", "hmac", "uuid", "ssl", "socketserver", "smtplib", "imaplib", "ftplib", "mailbox", "calendar", "locale",
    "gettext", "cmd", "code", "codeop", "doctest", "trace", "timeit", "cProfile", "pstats", "tracemalloc",
    "ipaddress", "html.parser", "configparser", "tomllib", "plistlib", "wave", "colorsys", "pickletools", "shelve",
    "dbm", "queue", "sched", "selectors", "contextvars", "graphlib", "heapq", "bisect", "array", "weakref", "copy",
    "pprint", "reprlib", "enum", "numbers", "cmath", "random", "operator", "functools", "itertools",
]


def build_store(root: Path) -> Path:
    home = root / "home"
    wheels = root / "wheels"
    files = {"benchpkg/__init__.py": '__version__ = "1.0"\n'}
    big = {"bigpkg/__init__.py": '__version__ = "1.0"\n' + "".join(f"from . import m{i:02d}\n" for i in range(1, 50))}
    for i in range(1, 50):
        big[f"bigpkg/m{i:02d}.py"] = (
            "import dataclasses, functools\n"
            f"from . import m{max(i - 1, 1):02d} as previous\n"
            f"CONSTANT = {i}\n"
            + "".join(f"def f{j}(x):\n    return x * {j} + CONSTANT\n\n" for j in range(20))
            + "@dataclasses.dataclass\nclass Record:\n    name: str\n    value: int = 0\n\n"
            + "    @functools.cached_property\n    def doubled(self):\n        return self.value * 2\n"
        )
    worker_files = {"workerpkg/__init__.py": '__version__ = "1.0"\ndef add(a, b):\n    return a + b\n'}
    built = [
        build_wheel(wheels, "benchpkg", "1.0", files),
        build_wheel(wheels, "bigpkg", "1.0", big),
        build_wheel(wheels, "workerpkg", "1.0", worker_files),
    ]
    for w in built:
        entry = install_wheel(home, w)
        compileall.compile_dir(str(entry), quiet=1)  # both sides of the import comparison use .pyc files
    lock = root / "envknit.lock.yaml"
    lock.write_text(lock_yaml({"default": [lock_entry([w]) for w in built]}))
    return lock


def per_call(fn, batches: int, per_batch: int) -> list[float]:
    """Seconds per call of ``fn``, one value per batch."""
    out = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(per_batch):
            fn()
        out.append((time.perf_counter() - start) / per_batch)
    return out


def us(seconds: float) -> float:
    return round(seconds * 1e6, 2)


def bench_use() -> dict:
    def block():
        with envknit.use("benchpkg", "1.0"):
            pass

    block()
    samples = per_call(block, 30 if QUICK else 200, 100)
    median = statistics.median(samples)
    return {"median_us": us(median), "p90_us": us(sorted(samples)[int(len(samples) * 0.9)]),
            "target_us": 10, "ok": median < 10e-6}


def drop(prefix: str) -> None:
    for name in [n for n in sys.modules if n == prefix or n.startswith(prefix + ".")]:
        del sys.modules[name]


def bench_import(entry_path: str) -> dict:
    rounds = 15 if QUICK else 41

    def plain() -> float:
        drop("bigpkg")
        start = time.perf_counter()
        importlib.import_module("bigpkg")
        elapsed = time.perf_counter() - start
        drop("bigpkg")
        return elapsed

    def in_use() -> float:
        envknit.clear_module_cache()
        start = time.perf_counter()
        with envknit.use("bigpkg", "1.0") as mod:
            assert len([n for n in dir(mod) if n.startswith("m")]) == 49
        return time.perf_counter() - start

    plain_times, use_times = [], []
    for i in range(rounds):  # interleaved, so drift affects both sides alike
        envknit.disable()
        sys.path.insert(0, entry_path)
        try:
            plain_times.append(plain())
        finally:
            sys.path.remove(entry_path)
            sys.path_importer_cache.pop(entry_path, None)
        envknit.enable()
        use_times.append(in_use())
    assert "bigpkg" not in sys.modules
    p, u = statistics.median(plain_times), statistics.median(use_times)
    return {"modules": 50, "plain_median_ms": round(p * 1e3, 3), "use_median_ms": round(u * 1e3, 3),
            "ratio": round(u / p, 3), "ratio_of_minimums": round(min(use_times) / min(plain_times), 3),
            "sys_modules": len(sys.modules), "target_ratio": 1.3, "ok": u / p < 1.3}


def bench_worker() -> dict:
    with envknit.worker("workerpkg", "1.0") as wk:
        add = wk.add  # a handle to the function in the worker
        assert add(1, 2) == 3
        n = 300 if QUICK else 3000
        one = []
        for _ in range(n):
            start = time.perf_counter()
            add(1, 2)
            one.append(time.perf_counter() - start)
        two = []
        for _ in range(n // 3):
            start = time.perf_counter()
            wk.add(1, 2)
            two.append(time.perf_counter() - start)
    m1 = statistics.median(one)
    return {"call_median_us": us(m1), "call_p90_us": us(sorted(one)[int(n * 0.9)]),
            "attribute_call_median_us": us(statistics.median(two)), "target_us": 100, "ok": m1 < 100e-6}


def main() -> int:
    for name in STDLIB_LOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    root = Path(tempfile.mkdtemp(prefix="envknit-bench-runtime-"))
    os.environ["ENVKNIT_HOME"] = str(root / "home")
    try:
        lock = build_store(root)
        envknit.configure_from_lock(lock)
        big_entry = envknit.get_registry().find("bigpkg", "1.0").path
        result = {
            "python": sys.version.split()[0],
            "use_enter_exit": bench_use(),
            "import_in_use": bench_import(big_entry),
            "worker_round_trip": bench_worker(),
        }
    finally:
        envknit.ProcessPool.instance().shutdown()
        envknit.disable()
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
