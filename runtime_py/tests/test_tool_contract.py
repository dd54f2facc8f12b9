"""The contract with the tool: its real `lock`, `install` and `run` against the runtime in this tree.

The envknit CLI (Deno) locks the test wheels from a find-links folder, installs them into a fresh
store, and runs a program under ``envknit run``; the program puts this checkout's runtime first on
``sys.path`` (``envknit run`` also provides the copy embedded in the tool, linked in the environment's
view) and reports what it sees.  ``python`` under ``envknit run`` is the view's interpreter, made from
``ENVKNIT_PYTHON`` (this interpreter).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

RUNTIME = Path(__file__).resolve().parents[1]
ROOT = RUNTIME.parent


def envknit_cli(args: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess:
    deno = shutil.which("deno")
    assert deno, "deno is part of this project's toolchain (deno task test runs this suite)"
    env = dict(os.environ, ENVKNIT_HOME=str(home), NO_COLOR="1", ENVKNIT_PYTHON=sys.executable)
    for name in ("ENVKNIT_LOCK", "ENVKNIT_ENV", "PYTHONPATH"):
        env.pop(name, None)
    return subprocess.run([deno, "run", "-A", "--quiet", "--config", str(ROOT / "deno.json"),
                           str(ROOT / "cli" / "main.ts"), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_runtime_reads_the_lock_and_store_the_tool_writes(built, tmp_path):
    wheels = built[("greeter", "1.0")][0].path.parent
    index = tmp_path / "empty-index"
    index.mkdir()
    home, project = tmp_path / "home", tmp_path / "project"
    project.mkdir()
    (project / "envknit.yaml").write_text(textwrap.dedent("""\
        envknit_version: "0.1.0"
        environments:
          default:
            packages: ["greeter==2.0", "PyYAML==6.0.1", "beautifulsoup4", "fastcalc==2.0", "multibuild==1.0"]
          legacy:
            packages: ["greeter==1.0", "fastcalc==1.0"]
        """))
    source = ["--index-url", index.as_uri(), "--find-links", str(wheels)]
    for command in (["lock"], ["install"]):
        done = envknit_cli([*source, *command], project, home)
        assert done.returncode == 0, done.stdout + done.stderr
    (project / "app.py").write_text(textwrap.dedent(f"""\
        import json, os, sys
        sys.path.insert(0, {str(RUNTIME)!r})
        import greeter  # before configure: the view's site-packages links the environment
        out = {{"before": greeter.__version__,
                "env": [os.environ.get(k) is not None for k in ("ENVKNIT_LOCK", "ENVKNIT_ENV", "ENVKNIT_HOME")]}}
        import envknit
        out["runtime"] = envknit.__file__
        out["registered"] = envknit.configure_from_lock()
        with envknit.use("greeter", "1.0") as g:
            out["use"] = [g.hello(), envknit.active_versions()]
        with envknit.use("PyYAML", "6.0.1") as yaml:
            out["yaml"] = yaml.dump(1)
        with envknit.use("beautifulsoup4", "4.12.3"):
            import bs4
            out["bs4"] = bs4.__version__
        import multibuild
        out["multibuild"] = multibuild.BUILD
        with envknit.worker("fastcalc", "1.0") as fc:
            out["worker"] = [fc.add(2, 3), fc.BUILD, fc.word_version()]
        print(json.dumps(out))
        """))
    done = envknit_cli(["run", "--", "python", "app.py"], project, home)
    assert done.returncode == 0, done.stdout + done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["runtime"].startswith(str(RUNTIME))
    assert out["before"] == "2.0" and out["env"] == [True, True, True]
    assert out["registered"] == 9  # 6 in default (wordlib comes with greeter 2.0), 3 more in legacy
    assert out["use"] == ["hello old", {"greeter": "1.0", "wordlib": "1.0"}]
    assert out["yaml"] == "fake-yaml 6.0.1: 1" and out["bs4"] == "4.12.3"
    expected_build = "cp311-cp311-linux_x86_64" if sys.version_info[:2] == (3, 11) else (
        "cp313-cp313-linux_x86_64" if sys.version_info[:2] == (3, 13) else "py3-none-any")
    assert out["multibuild"] == expected_build
    assert out["worker"] == [5, "1.0", "1.0"]
