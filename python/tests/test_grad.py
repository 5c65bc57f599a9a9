"""gantk.grad against the gantk tool, JAX's autodiff through expm (the
committed fixtures) and central finite differences of its own loss."""

import numpy as np
import pytest

import gantk
from conftest import FIXTURES, relative_error, run_tool

SPEC = FIXTURES / "ganntk_squared.gantk"


@pytest.fixture(scope="module")
def points():
    return (np.load(FIXTURES / "ganntk.real.npy"),
            np.load(FIXTURES / "ganntk.fake.npy"))


def test_grad_equals_the_tool(points, tmp_path):
    X, Z = points
    done = run_tool("grad", SPEC, "--real", FIXTURES / "ganntk.real.npy",
                    "--fake", FIXTURES / "ganntk.fake.npy", "--out",
                    tmp_path / "g.npy")
    assert done.returncode == 0, done.stderr
    loss, g = gantk.grad(SPEC, X, Z)
    # The tool prints the loss with 17 significant digits: exact.
    assert done.stdout == "loss %.17g\n" % loss
    assert g.shape == Z.shape
    assert np.array_equal(g, np.load(tmp_path / "g.npy"))


def test_grad_equals_jax(points):
    # test/e2e/ganntk_squared.test: 1e-8 relative, far above both
    # references' rounding (~1e-13), far below any modelling error.
    loss, g = gantk.grad(SPEC, *points)
    expected = float((FIXTURES / "ganntk_squared.loss.txt").read_text())
    assert abs(loss - expected) / abs(expected) < 1e-8
    assert relative_error(g, np.load(FIXTURES / "ganntk_squared.grad.npy")) \
        < 1e-8


def test_grad_equals_central_differences(points):
    X, Z = points
    _, g = gantk.grad(SPEC, X, Z)
    h = 1e-5
    fd = np.empty_like(Z)
    for i in np.ndindex(Z.shape):
        plus, minus = Z.copy(), Z.copy()
        plus[i] += h
        minus[i] -= h
        fd[i] = (gantk.grad(SPEC, X, plus)[0] -
                 gantk.grad(SPEC, X, minus)[0]) / (2 * h)
    # Truncation O(h^2 L''') and rounding O(eps L / h) are both ~1e-10 of
    # max |dL/dZ| here; 1e-6 as test/unit's finite-difference checks.
    assert relative_error(g, fd) < 1e-6


def test_grad_of_images_keeps_their_shape():
    cnn = FIXTURES / "cnn"
    X = np.load(cnn / "ganntk_cnn.real.npy")
    Z = np.load(cnn / "ganntk_cnn.fake.npy")
    loss, g = gantk.grad(cnn / "ganntk_cnn_squared.gantk", X, Z)
    assert g.shape == Z.shape
    expected = float((cnn / "ganntk_cnn_squared.loss.txt").read_text())
    assert abs(loss - expected) / abs(expected) < 1e-8
    assert relative_error(g, np.load(cnn / "ganntk_cnn_squared.grad.npy")) \
        < 1e-8


def test_grad_refuses_mismatched_rows(points):
    X, Z = points
    with pytest.raises(gantk.InputError) as e:
        gantk.grad(SPEC, X, Z[:, :2])
    assert str(e.value) == "X has 3 columns, Z has 2"
    assert e.value.exit_code == 1
