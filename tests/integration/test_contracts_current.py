"""The checked-in contract artifacts are what the pinned solc makes of the sources today."""

from __future__ import annotations

import subprocess

from ..conftest import REPO


def test_artifacts_match_a_fresh_compile() -> None:
    result = subprocess.run(["node", "scripts/build_contracts.mjs", "--check"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
