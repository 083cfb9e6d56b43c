"""``python -m partition`` behaves as the ``partition`` command (it once did nothing and exited 0)."""

from __future__ import annotations

import subprocess
import sys


def test_python_dash_m_partition_runs_the_cli():
    done = subprocess.run([sys.executable, "-m", "partition", "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "plan" in done.stdout


def test_python_dash_m_partition_exits_2_on_bad_options():
    done = subprocess.run(
        [sys.executable, "-m", "partition", "plan", "--k", "0"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
