"""Islands benchmark, printed as JSON (``python3 bench/islands/bench_islands.py``; ``--quick`` for a
smoke run).  Issue #16, point 5: what routing imports by island costs, beside plain imports.

Builds a temporary store with real wheels (the runtime tests' seed-004 factory, plus ``big``, a
package of 50 modules, in versions 1.0 for island 0 and 2.0 for island 1), routes them with
``envknit.isolation.islands``, and measures:

- ``import_50``: importing ``big`` (50 modules, from their .pyc files) through island 1 (it
  becomes ``_envknit_islands.i1.big``, every module executed with the island's builtins), against
  a plain import of the same folder on ``sys.path`` with no envknit at all; every module is
  executed each time.  Target: ratio < 1.3.
- ``hot_import``: ``import big`` re-executed inside a function of island code, against the same
  function in plain code; also ``from big import m1``, and ``import os`` (a name the island does
  not map).  Target: ratio < 1.5 for ``import big``.
- ``call``: calling functions and methods of island code (``big.m7.f7(1)``, ``C7().m()``) against
  the plain package's.  Target: ratio 1.0 (no per-call hooks; within timing noise).

Each ratio is of the minimums of interleaved runs (steadier on a busy machine), medians beside.
Nothing here fails a test run.
"""

from __future__ import annotations

import compileall
import json
import shutil
import statistics
import sys
import tempfile
import time
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "runtime_py"))
sys.path.insert(0, str(ROOT / "runtime_py" / "tests"))

from envknit.isolation.islands import IslandEntry, install_islands  # noqa: E402
from support.islands_factory import seed_store  # noqa: E402

QUICK = "--quick" in sys.argv
MODULES = 50


def drop(prefixes: tuple[str, ...]) -> None:
    for name in [n for n in sys.modules if n == "big" or n.startswith(prefixes)]:
        del sys.modules[name]


def stats(samples: list[float]) -> dict:
    return {"min": min(samples), "median": statistics.median(samples)}


def compare(plain: list[float], island: list[float], scale: float, unit: str) -> dict:
    p, i = stats(plain), stats(island)
    return {
        f"plain_{unit}": {k: round(v * scale, 3) for k, v in p.items()},
        f"island_{unit}": {k: round(v * scale, 3) for k, v in i.items()},
        "ratio": round(i["min"] / p["min"], 3),
        "ratio_median": round(i["median"] / p["median"], 3),
    }


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="envknit-bench-islands-"))
    try:
        run(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run(root: Path) -> None:
    seed = seed_store(root, big_modules=MODULES)
    for folder in seed.folders.values():
        compileall.compile_dir(str(folder), quiet=1)
    big1, big2 = seed["big-1.0"], seed["big-2.0"]
    entries = [
        IslandEntry("big", "1.0", big1, islands=(0,)),
        IslandEntry("big", "2.0", big2, islands=(1,)),
        IslandEntry("tabular", "1.4.0", seed["tabular-1.4.0"], islands=(0,)),
        IslandEntry("tabular", "2.1.0", seed["tabular-2.1.0"], islands=(1,)),
        IslandEntry("common", "1.0", seed["common-1.0"]),
    ]
    import os  # noqa: F401 - imported once, as any program has

    rounds = 5 if QUICK else 40
    number = 2000 if QUICK else 200_000

    # import_50: a fresh import of 50 modules, plain (folder on sys.path, no envknit) vs island 1.
    routed = install_islands(entries, 2)
    island_builtins = routed.builtins_of(1)
    routed.uninstall()
    plain_t: list[float] = []
    island_t: list[float] = []
    for _ in range(rounds):
        sys.path.insert(0, big2)
        drop(("big.",))
        t0 = time.perf_counter()
        __import__("big")
        plain_t.append(time.perf_counter() - t0)
        sys.path.remove(big2)
        drop(("big.",))
        routed = install_islands(entries, 2)
        island_builtins = routed.builtins_of(1)
        scope = {"__builtins__": island_builtins}
        t0 = time.perf_counter()
        exec("import big", scope)
        island_t.append(time.perf_counter() - t0)
        assert scope["big"].__name__ == "_envknit_islands.i1.big" and scope["big"].__version__ == "2.0"
        routed.uninstall()
        drop(("big.",))
    report = {"python": sys.version.split()[0], "modules": MODULES}
    report["import_50"] = compare(plain_t, island_t, 1e3, "ms")
    report["import_50"]["target"] = "ratio < 1.3"
    report["import_50"]["ok"] = report["import_50"]["ratio"] < 1.3

    # hot_import and call: the package loaded plainly (folder on sys.path) and through island 1.
    sys.path.insert(0, big2)
    import big as plain_big  # noqa: E402

    sys.path.remove(big2)
    del sys.modules["big"]
    routed = install_islands(entries, 2)
    island_builtins = routed.builtins_of(1)
    island_scope = {"__builtins__": island_builtins}
    exec("import big", island_scope)
    island_big = island_scope["big"]
    sys.modules["big"] = plain_big  # what a plain `import big` finds
    src = (
        "def hot_import():\n    import big\n    return big\n"
        "def hot_from():\n    from big import m1\n    return m1\n"
        "def hot_os():\n    import os\n    return os\n"
    )
    plain_code: dict = {}
    exec(src, plain_code)
    island_code: dict = {"__builtins__": island_builtins}
    exec(src, island_code)
    assert island_code["hot_import"]() is island_big and plain_code["hot_import"]() is plain_big
    assert island_code["hot_from"]() is island_big.m1

    def timed(pairs: dict) -> dict:
        samples = {k: ([], []) for k in pairs}
        for _ in range(max(3, rounds // 4)):
            for k, (p, i) in pairs.items():
                samples[k][0].append(timeit.timeit(p, number=number) / number)
                samples[k][1].append(timeit.timeit(i, number=number) / number)
        return {k: compare(p, i, 1e9, "ns") for k, (p, i) in samples.items()}

    hot = timed({
        "import big": (plain_code["hot_import"], island_code["hot_import"]),
        "from big import m1": (plain_code["hot_from"], island_code["hot_from"]),
        "import os": (plain_code["hot_os"], island_code["hot_os"]),
    })
    hot["target"] = "ratio < 1.5 for 'import big'"
    hot["ok"] = hot["import big"]["ratio"] < 1.5
    report["hot_import"] = hot

    pf, isf = plain_big.m7.f7, island_big.m7.f7
    pc, ic = plain_big.m7.C7(), island_big.m7.C7()
    assert isf.__globals__["__builtins__"] is island_builtins
    call = timed({
        "function": (lambda: pf(1), lambda: isf(1)),
        "method": (pc.m, ic.m),
    })
    call["target"] = "ratio 1.0 (no per-call hooks)"
    call["ok"] = all(call[k]["ratio"] < 1.1 for k in ("function", "method"))
    report["call"] = call
    routed.uninstall()
    del sys.modules["big"]
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
