"""Arrays cross without copies where the layout allows."""

import numpy as np

import gantk
from gantk import _gantk
from conftest import FIXTURES


def test_float64_c_contiguous_inputs_are_read_in_place():
    S = np.load(FIXTURES / "relu1.inputs.npy")
    assert S.dtype == np.float64 and S.flags.c_contiguous
    assert np.shares_memory(_gantk._as_input(S), S)
    # A read-only array (a memory map, say) is read in place too.
    S.flags.writeable = False
    assert np.shares_memory(_gantk._as_input(S), S)


def test_other_layouts_are_converted_once():
    S = np.load(FIXTURES / "relu1.inputs.npy")
    for other in (S.astype(np.float32), np.asfortranarray(S), S[:, ::2]):
        converted = _gantk._as_input(other)
        assert not np.shares_memory(converted, other)
        assert converted.dtype == np.float64
        assert converted.flags.c_contiguous
    # Converted inputs give the same kernel (the values are the same:
    # the fixtures' inputs are multiples of 1/16).
    spec = FIXTURES / "relu1.gantk"
    assert np.array_equal(gantk.kernel(spec, S.astype(np.float32)).ntk,
                          gantk.kernel(spec, np.asfortranarray(S)).ntk)


def test_results_own_the_cpp_buffers():
    S = np.load(FIXTURES / "relu1.inputs.npy")
    ntk, nngp = gantk.kernel(FIXTURES / "relu1.gantk", S)
    for k in (ntk, nngp):
        # A view of the C++ vector the session filled (its capsule keeps
        # it alive), not a copy NumPy owns.
        assert not k.flags.owndata
        assert type(k.base).__name__ == "PyCapsule"
        assert k.dtype == np.float64 and k.flags.c_contiguous
    del nngp
    assert np.isfinite(ntk).all()  # still valid after the other is freed
    X = np.load(FIXTURES / "ganntk.real.npy")
    Z = np.load(FIXTURES / "ganntk.fake.npy")
    _, g = gantk.grad(FIXTURES / "ganntk_squared.gantk", X, Z)
    assert type(g.base).__name__ == "PyCapsule"
