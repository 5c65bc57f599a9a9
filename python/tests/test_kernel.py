"""gantk.kernel against Neural Tangents' closed-form kernels (the committed
fixtures of scripts/gen-fixtures.py and gen-cnn-fixtures.py) and against
the gantk tool."""

import numpy as np
import pytest

import gantk
from conftest import FIXTURES, relative_error, run_tool

# test/e2e/ntk_*.test: both sides evaluate the same closed form in
# binary64, so anything above ~1e-13 is a real discrepancy; 1e-10 leaves
# room for summation order and libm only.
RTOL = 1e-10

DENSE = ["relu1", "fntk", "leaky", "erf", "gelu", "sin", "deep"]
CNN = ["cnn_small", "cnn_mnist", "cnn_valid", "cnn_circular", "cnn_pool"]


@pytest.mark.parametrize("arch", DENSE)
def test_kernel_equals_neural_tangents(arch):
    S = np.load(FIXTURES / ("%s.inputs.npy" % arch))
    ntk, nngp = gantk.kernel(FIXTURES / ("%s.gantk" % arch), S)
    assert relative_error(ntk, np.load(FIXTURES / ("%s.ntk.npy" % arch))) \
        < RTOL
    assert relative_error(nngp, np.load(FIXTURES / ("%s.nngp.npy" % arch))) \
        < RTOL


@pytest.mark.parametrize("arch", CNN)
def test_cnn_kernel_equals_neural_tangents(arch):
    cnn = FIXTURES / "cnn"
    S = np.load(cnn / ("%s.inputs.npy" % arch))
    assert S.ndim == 4  # images (N, H, W, C)
    k = gantk.kernel(cnn / ("%s.gantk" % arch), S)
    assert relative_error(k.ntk, np.load(cnn / ("%s.ntk.npy" % arch))) < RTOL
    assert relative_error(k.nngp, np.load(cnn / ("%s.nngp.npy" % arch))) \
        < RTOL


def test_kernel_equals_the_tool(tmp_path):
    S = np.load(FIXTURES / "erf.inputs.npy")
    done = run_tool("kernel", FIXTURES / "erf.gantk", "--input",
                    FIXTURES / "erf.inputs.npy", "--out", tmp_path / "k.npy",
                    "--nngp", tmp_path / "p.npy")
    assert done.returncode == 0, done.stderr
    ntk, nngp = gantk.kernel(str(FIXTURES / "erf.gantk"), S)
    # One computation, one artifact: the same bits.
    assert np.array_equal(ntk, np.load(tmp_path / "k.npy"))
    assert np.array_equal(nngp, np.load(tmp_path / "p.npy"))


def test_kernel_of_spec_text():
    text = (FIXTURES / "relu1.gantk").read_text()
    # A relative data path resolves against the name's directory.
    spec = gantk.Spec(text, name=str(FIXTURES / "relu1.gantk"))
    S = np.load(FIXTURES / "relu1.inputs.npy")
    assert relative_error(gantk.kernel(spec, S).ntk,
                          np.load(FIXTURES / "relu1.ntk.npy")) < RTOL


MULTI = """
data {
  real = gaussian_grid(size: 2, spacing: 1.0, std: 0.1)
  n = 4
}
discriminator wide { dense(w_std: 1.5, b_std: 0.2); relu; dense(w_std: 1.5, b_std: 0.2) }
discriminator other { dense(w_std: 1.2, b_std: 0.1); erf; dense(w_std: 1, b_std: 0) }
"""


def test_kernel_names_a_discriminator():
    S = np.load(FIXTURES / "relu1.inputs.npy")[:, :2]
    wide = gantk.kernel(MULTI, S, discriminator="wide")
    alone = gantk.kernel(MULTI.replace("discriminator other", "# "), S)
    assert np.array_equal(wide.ntk, alone.ntk)
    with pytest.raises(gantk.UsageError) as e:
        gantk.kernel(MULTI, S)
    assert str(e.value) == ("<spec> has 2 discriminators: give "
                            "--discriminator NAME (wide, other)")
    assert e.value.exit_code == 2
    with pytest.raises(gantk.UsageError, match="no discriminator 'x' in "
                       "<spec> \\(it has wide, other\\)"):
        gantk.kernel(MULTI, S, discriminator="x")
