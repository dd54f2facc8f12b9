"""The sys.modules swap of use() while other threads import (issue #13.5)."""

from __future__ import annotations

import importlib
import sys
import threading
import time

import envknit


def test_swap_survives_a_thread_importing_in_a_loop(configured, tmp_path, monkeypatch):
    """use() moves an environment's modules in and out of sys.modules while another thread keeps
    importing modules no lock routes (so it never waits for the swap): the swap must not trip over
    sys.modules changing size under it, nor leave the environment's modules behind."""
    for i in range(20):
        (tmp_path / f"swap_noise_{i}.py").write_text(f"VALUE = {i}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: the race shows at once
    stop = threading.Event()
    noise_errors: list[BaseException] = []

    def import_in_a_loop() -> None:
        try:
            while not stop.is_set():
                for i in range(20):
                    name = f"swap_noise_{i}"
                    assert importlib.import_module(name).VALUE == i
                    sys.modules.pop(name, None)
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            noise_errors.append(e)

    noise = threading.Thread(target=import_in_a_loop, daemon=True)
    noise.start()
    failures: list[BaseException] = []
    swaps = 0
    try:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            envknit.clear_module_cache()  # every block imports again, so every block swaps
            try:
                with envknit.use("greeter", "1.0") as greeter:
                    assert greeter.hello() == "hello old"
                swaps += 1
            except BaseException as e:  # noqa: BLE001 - the assertion below shows it
                failures.append(e)
                break
    finally:
        stop.set()
        noise.join(10)
        sys.setswitchinterval(old_interval)
    assert failures == [] and noise_errors == [], (failures, noise_errors)
    assert swaps > 10
    left = [n for n in list(sys.modules) if n.partition(".")[0] in ("greeter", "wordlib")]
    assert left == [], f"modules of the environment left in sys.modules: {left}"


def test_set_default_survives_a_thread_importing_in_a_loop(configured, tmp_path, monkeypatch):
    """set_default() drops the previous default's modules from sys.modules while another thread
    keeps importing modules no lock routes: the walk over sys.modules must not trip over it
    changing size, nor over a module gone meanwhile."""
    for i in range(20):
        (tmp_path / f"evict_noise_{i}.py").write_text(f"VALUE = {i}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    stop = threading.Event()
    noise_errors: list[BaseException] = []

    def import_in_a_loop() -> None:
        try:
            while not stop.is_set():
                for i in range(20):
                    name = f"evict_noise_{i}"
                    assert importlib.import_module(name).VALUE == i
                    sys.modules.pop(name, None)
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            noise_errors.append(e)

    noise = threading.Thread(target=import_in_a_loop, daemon=True)
    noise.start()
    failures: list[BaseException] = []
    flips = 0
    try:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            version = ("5.4.1", "6.0.1")[flips % 2]
            try:
                envknit.set_default("PyYAML", version)
                import yaml

                assert yaml.__version__ == version
            except BaseException as e:  # noqa: BLE001 - the assertion below shows it
                failures.append(e)
                break
            flips += 1
    finally:
        stop.set()
        noise.join(10)
        sys.setswitchinterval(old_interval)
    assert failures == [] and noise_errors == [], (failures, noise_errors)
    assert flips > 10
