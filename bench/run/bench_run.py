"""Start-up of the interpreter `envknit run` gives, by environment size (issue #15), as a table:

    python3 bench/run/bench_run.py [--python PATH] [--rounds N] [--quick]

Builds a temporary store of small wheels (one package each, with its dist-info), locks
environments of 10, 100 and 300 of them, and builds each one's environment view the way the tool
does (runtime_py/tests/support/view_factory.py, DEVELOPERS.md "Environment views").  Then it
runs each of these ``--rounds`` times, interleaved, with an empty environment, and prints the
minimum and median wall time and the median CPU time (user + system) of the process:

- ``python -c pass``: the base interpreter itself (its own site-packages and their .pth files
  included), then ``-I -S`` (no site at all: the floor);
- ``view -c pass``: ``<view>/bin/python`` for each size;
- ``view -c "import <last package>"``: one import through the view's site-packages;
- the old ``envknit run`` (``PYTHONPATH`` = the runtime and every entry folder) doing the same.

The view's lookup is one directory of links, so its cost must not grow with the environment:
targets are "under 35 ms added at 100 packages" (against the bare interpreter) and "300 packages
within 5 ms of 10".  Deno's own start-up for `envknit run` comes on top (the tool's bench).  The
numbers are printed with ``ok`` flags; nothing here fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "runtime_py" / "tests"))

from support.store_factory import build_wheel, install_wheel, lock_entry, lock_yaml  # noqa: E402
from support.view_factory import Entry, build_view, probe_interpreter  # noqa: E402

SIZES = (10, 100, 300)


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) time of one run of ``argv``, in ms."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv} failed: {proc.stderr.read().decode()}")
    proc.stderr.close()
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def measure(commands: dict[str, tuple[list[str], dict[str, str]]], rounds: int) -> dict[str, dict[str, float]]:
    """Each command ``rounds`` times, interleaved (one round runs every command once), so load
    from elsewhere on the machine falls on all of them alike; min and median wall, median CPU."""
    walls: dict[str, list[float]] = {k: [] for k in commands}
    cpus: dict[str, list[float]] = {k: [] for k in commands}
    for argv, env in commands.values():
        run_once(argv, env)  # warm-up: byte code, page cache
    for _ in range(rounds):
        for key, (argv, env) in commands.items():
            wall, cpu = run_once(argv, env)
            walls[key].append(wall)
            cpus[key].append(cpu)
    return {k: {"min": min(walls[k]), "median": statistics.median(walls[k]), "cpu": statistics.median(cpus[k])}
            for k in commands}


def build_store(root: Path, count: int) -> tuple[Path, list]:
    home = root / "home"
    wheels = []
    for i in range(count):
        name = f"benchpkg{i:03d}"
        wheels.append(build_wheel(root / "wheels", name, "1.0", {
            f"{name}/__init__.py": f'__version__ = "1.0"\nNAME = "{name}"\n',
            f"{name}/util.py": "def f():\n    return 1\n",
        }))
    entries = [install_wheel(home, w) for w in wheels]
    return home, list(zip(wheels, entries))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default=sys.executable, help="the base interpreter (default: this one)")
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--quick", action="store_true", help="5 rounds: a smoke run")
    args = parser.parse_args()
    rounds = 5 if args.quick else args.rounds
    probe = probe_interpreter(args.python)
    base = probe.target
    root = Path(tempfile.mkdtemp(prefix="envknit-bench-run-"))
    try:
        home, installed = build_store(root, max(SIZES))
        runtime = ROOT / "runtime_py" / "envknit"
        env: dict[str, str] = {}
        commands: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass": ([base, "-c", "pass"], env),
            "python -I -S -c pass (no site)": ([base, "-I", "-S", "-c", "pass"], env),
        }
        for size in SIZES:
            chosen = installed[:size]
            lock = root / f"project{size}" / "envknit.lock.yaml"
            lock.parent.mkdir()
            lock.write_text(lock_yaml({"default": [lock_entry([w]) for w, _ in chosen]}))
            entries = [Entry(w.name, w.version, str(path.resolve())) for w, path in chosen]
            python = str(build_view(home, lock, "default", entries, probe, runtime) / "bin" / "python")
            last = chosen[-1][0].name
            old_env = {"PYTHONPATH": ":".join([str(runtime.parent)] + [str(p) for _, p in chosen])}
            commands[f"view {size:>3}: -c pass"] = ([python, "-c", "pass"], env)
            commands[f"view {size:>3}: -c 'import {last}'"] = ([python, "-c", f"import {last}"], env)
            commands[f"PYTHONPATH {size:>3}: -c pass"] = ([base, "-c", "pass"], old_env)
            commands[f"PYTHONPATH {size:>3}: -c 'import {last}'"] = ([base, "-c", f"import {last}"], old_env)
        print(f"base interpreter: {base} (Python {probe.version}); {rounds} rounds, empty environment; "
              "PYTHONPATH is the old `envknit run`\n")
        results = measure(commands, rounds)
        print(f"{'':44}{'min ms':>9}{'median ms':>11}{'cpu ms':>9}")
        for key, r in results.items():
            print(f"{key:44}{r['min']:9.1f}{r['median']:11.1f}{r['cpu']:9.1f}")

        def view(size: int, what: str = "pass") -> dict[str, float]:
            return next(r for k, r in results.items() if k.startswith(f"view {size:>3}:") and what in k)

        bare = results["python -c pass"]
        print("\n(targets on the min wall time, the steadiest figure on a shared machine; median beside)")
        for label, a, b, target in (
            ("added at 100 packages (view - bare python)", view(100), bare, 35),
            ("view of 100 - python -I -S (no site)", view(100), results["python -I -S -c pass (no site)"], 35),
            ("300 packages - 10 packages, -c pass", view(300), view(10), 5),
            ("300 packages - 10 packages, one import", view(300, "import"), view(10, "import"), 5),
        ):
            delta = a["min"] - b["min"]
            print(f"{label:44}{delta:+8.1f} ms (median {a['median'] - b['median']:+.1f})  target < {target} ms: "
                  f"{'ok' if delta < target else 'MISSED'}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
