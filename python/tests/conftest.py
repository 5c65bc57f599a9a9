"""Shared fixtures of the gantk package's tests: the repository, the gantk
tool they compare against (GANTK_TOOL, else build/bin/gantk) and the
committed reference fixtures (test/fixtures)."""

import os
import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "test" / "fixtures"
TOOL = os.environ.get("GANTK_TOOL", str(ROOT / "build" / "bin" / "gantk"))


def tool_blas_core():
    """The OpenBLAS core the tool runs on ("SkylakeX"), from its --version."""
    try:
        text = subprocess.run([TOOL, "--version"], capture_output=True,
                              text=True).stdout
    except OSError:
        return None
    match = re.search(r" (\w+) MAX_THREADS=", text)
    return match.group(1) if match else None


# The tool starts again on the OpenBLAS kernels of the CPU's widest vectors
# (docs/runtime.md, "OpenBLAS's kernels"), and the tests compare its bits
# with this process's: OpenBLAS must load here on the same core, so the
# variable is set before numpy (which loads it too) and gantk are imported.
if "OPENBLAS_CORETYPE" not in os.environ:
    CORE = tool_blas_core()
    if CORE:
        os.environ["OPENBLAS_CORETYPE"] = CORE

import numpy as np  # noqa: E402 (after OPENBLAS_CORETYPE)
import pytest  # noqa: E402

# As the lit suite runs: two threads, no busy-waiting BLAS.
os.environ.setdefault("GANTK_NUM_THREADS", "2")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def run_tool(*args, cwd=None):
    """Runs the gantk tool; the CompletedProcess (text output)."""
    return subprocess.run([TOOL, *map(str, args)], capture_output=True,
                          text=True, cwd=cwd)


def relative_error(actual, expected):
    """max |A - E| / max |E|, test/lib/npycompare.py's default norm."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    assert np.all(np.isfinite(actual))
    return np.max(np.abs(actual - expected)) / np.max(np.abs(expected))


@pytest.fixture
def toy_spec(tmp_path):
    """A small 2-D run (test/Driver/toy.gantk.in): 150 points of a 3 x 3
    grid, FNTK-like discriminator, Adam, 2 steps."""
    path = tmp_path / "toy.gantk"
    path.write_text((ROOT / "test" / "Driver" / "toy.gantk.in").read_text())
    return path
