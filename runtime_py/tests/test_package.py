import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import envknit  # noqa: E402


def test_version_matches_the_tool():
    ts = (Path(__file__).resolve().parents[2] / "core" / "version.ts").read_text()
    assert f'"{envknit.__version__}"' in ts
