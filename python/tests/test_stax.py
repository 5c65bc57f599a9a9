"""gantk.stax: networks written in Neural Tangents' vocabulary compile, and
their kernels equal Neural Tangents' (the committed fixtures) for the same
architecture."""

import math

import numpy as np
import pytest

import gantk
from gantk import stax
from conftest import FIXTURES, relative_error

RTOL = 1e-10


def test_fntk_equals_neural_tangents():
    # The paper's FNTK as the fixtures' README writes it in NT:
    # 3 x [Dense(sqrt 1.4615, sqrt 0.1), Relu] -> Dense.
    W, b = math.sqrt(1.4615), math.sqrt(0.1)
    block = stax.serial(stax.Dense(512, W_std=W, b_std=b), stax.Relu())
    net = stax.serial(block, block, block, stax.Dense(1, W_std=W, b_std=b))
    S = np.load(FIXTURES / "fntk.inputs.npy")
    ntk, nngp = gantk.kernel(net.spec(), S)
    assert relative_error(ntk, np.load(FIXTURES / "fntk.ntk.npy")) < RTOL
    assert relative_error(nngp, np.load(FIXTURES / "fntk.nngp.npy")) < RTOL
    # Written as a repeat block: the same kernel.
    rolled = stax.serial(stax.repeat(block, 3),
                         stax.Dense(1, W_std=W, b_std=b))
    assert "repeat(3) {" in rolled.spec().text
    assert relative_error(gantk.kernel(rolled.spec(), S).ntk, ntk) < 1e-14


def test_activations_equal_neural_tangents():
    S = np.load(FIXTURES / "erf.inputs.npy")
    erf = stax.serial(stax.Dense(W_std=1.2, b_std=0.3), stax.Erf(1, 1, 0),
                      stax.Dense(W_std=1.1, b_std=0.1),
                      stax.Erf(a=0.7, b=1.3, c=0.2),
                      stax.Dense(W_std=1, b_std=0.05))
    assert relative_error(gantk.kernel(erf.spec(), S).ntk,
                          np.load(FIXTURES / "erf.ntk.npy")) < RTOL
    S = np.load(FIXTURES / "leaky.inputs.npy")
    leaky = stax.serial(stax.Dense(W_std=1.3, b_std=0.1),
                        stax.LeakyRelu(0.2), stax.Dense(W_std=1.3, b_std=0.1),
                        stax.Abs(), stax.Dense(W_std=1, b_std=0))
    assert relative_error(gantk.kernel(leaky.spec(), S).nngp,
                          np.load(FIXTURES / "leaky.nngp.npy")) < RTOL
    S = np.load(FIXTURES / "gelu.inputs.npy")
    gelu = stax.serial(stax.Dense(W_std=1.4, b_std=0.1), stax.Gelu(),
                       stax.Dense(W_std=1.2, b_std=0.2), stax.Gelu(),
                       stax.Dense(W_std=1, b_std=0.05))
    assert relative_error(gantk.kernel(gelu.spec(), S).ntk,
                          np.load(FIXTURES / "gelu.ntk.npy")) < RTOL


def test_cnn_equals_neural_tangents():
    # test/fixtures/cnn/cnn_small.gantk, in NT's words.
    net = stax.serial(
        stax.Conv(64, (3, 3), (1, 1), "SAME", W_std=1.4, b_std=0.1),
        stax.Relu(),
        stax.Conv(64, (3, 3), (2, 2), "SAME", W_std=1.3, b_std=0.1),
        stax.Relu(), stax.Flatten(), stax.Dense(1, W_std=1, b_std=0.05))
    cnn = FIXTURES / "cnn"
    S = np.load(cnn / "cnn_small.inputs.npy")
    k = gantk.kernel(net.spec(), S)
    assert relative_error(k.ntk, np.load(cnn / "cnn_small.ntk.npy")) < RTOL
    assert relative_error(k.nngp, np.load(cnn / "cnn_small.nngp.npy")) < RTOL


def test_a_built_spec_compiles_and_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    net = stax.serial(stax.Dense(W_std=1.2, b_std=0.3), stax.Relu(),
                      stax.Dense(W_std=1.2, b_std=0.3))
    spec = net.spec(stax.gaussian_grid(size=3, spacing=1.0, std=0.05), n=20,
                    objective={"lambda": "100 normalized"},
                    train={"optimizer": stax.adam(lr=0.01, clip=(0, 1)),
                           "steps": 2},
                    output={"dir": "built", "every": 1})
    art = gantk.compile(spec)
    assert art.plan.points == 40
    assert art.run().shape == (20, 2)
    assert (tmp_path / "built" / "samples.npy").exists()
    assert 'dir = "built"' in spec.text
    assert "optimizer = adam(lr: 0.01, clip: [0, 1])" in spec.text


def test_unknown_layers_raise():
    with pytest.raises(AttributeError, match="gantk.stax has no layer "
                       "'GlobalAvgPool'.*Dense, Conv"):
        stax.GlobalAvgPool()
    with pytest.raises(ValueError, match="exact"):
        stax.Gelu(approximate=True)
    with pytest.raises(ValueError, match="NTK parameterisation"):
        stax.Dense(1, parameterization="standard")
    with pytest.raises(ValueError, match="padding 'FULL'"):
        stax.Conv(1, (3, 3), padding="FULL")
    with pytest.raises(TypeError):
        stax.serial(stax.Relu(), "dense")


def test_layers_the_spec_refuses_raise_its_message():
    # NT accepts an activation first; gantk's rule needs a Gaussian input.
    net = stax.serial(stax.Relu(), stax.Dense(1))
    with pytest.raises(gantk.InputError, match="^<stax>:6:3: error: 'relu' must directly follow"):
        gantk.kernel(net.spec(), np.ones((2, 2)))
