"""Errors raise with the messages the gantk tool prints, and its exit
statuses as exit_code."""

import numpy as np
import pytest

import gantk
from conftest import FIXTURES, run_tool

GOOD = (FIXTURES / "relu1.gantk").read_text()


def test_syntax_error_is_the_parsers_diagnostic(tmp_path):
    spec = tmp_path / "bad.gantk"
    spec.write_text(GOOD.replace("relu\n", "rleu\n"))
    done = run_tool("compile", spec, "-o", tmp_path / "x.bin")
    assert done.returncode == 1
    with pytest.raises(gantk.InputError) as e:
        gantk.compile(spec)
    # FILE:LINE:COL: error: MESSAGE, the source line and the caret.
    assert str(e.value) + "\n" == done.stderr
    assert str(e.value).startswith("%s:10:3: error: unknown layer 'rleu'"
                                   % spec)
    assert e.value.exit_code == 1
    with pytest.raises(gantk.InputError) as e:
        gantk.kernel(spec, np.zeros((2, 5)))
    assert str(e.value) + "\n" == done.stderr


def test_spec_text_is_named_in_diagnostics():
    with pytest.raises(gantk.InputError) as e:
        gantk.compile(gantk.Spec("data {\n  real = nope\n}\n", "mine.gantk"))
    assert str(e.value).startswith("mine.gantk:2:10: error: ")


def test_missing_data_file_names_its_path(tmp_path):
    spec = tmp_path / "nodata.gantk"
    spec.write_text(GOOD.replace("relu1.inputs.npy", "absent.npy"))
    done = run_tool("compile", spec, "-o", tmp_path / "x.bin")
    assert done.returncode == 1
    with pytest.raises(gantk.InputError) as e:
        gantk.compile(spec)
    assert done.stderr == "gantk: error: %s\n" % e.value
    assert str(tmp_path / "absent.npy") in str(e.value)


def test_missing_spec(tmp_path):
    with pytest.raises(gantk.InputError) as e:
        gantk.compile(tmp_path / "none.gantk")
    assert str(e.value) == ("%s: error: cannot open the spec: No such file "
                            "or directory" % (tmp_path / "none.gantk"))


def test_compile_errors_are_mlirs_diagnostics(tmp_path):
    spec = tmp_path / "budget.gantk"
    spec.write_text(GOOD.replace("precision = f64",
                                 "precision = f64\n  memory_budget = 100")
                    .replace("relu1.inputs.npy",
                             str(FIXTURES / "relu1.inputs.npy")))
    done = run_tool("compile", spec, "-o", tmp_path / "x.bin")
    assert done.returncode == 1
    with pytest.raises(gantk.InputError) as e:
        gantk.compile(spec)
    assert str(e.value) + "\n" == done.stderr
    assert "memory_budget of 100 bytes cannot hold one step" in str(e.value)


@pytest.mark.parametrize("kwargs,option", [
    ({"n": 0}, ["--n", "0"]),
    ({"memory_budget": -5}, ["--memory-budget", "-5"]),
    ({"target": "tpu"}, ["--target=tpu"]),
])
def test_bad_arguments_are_the_tools_usage_errors(kwargs, option, tmp_path):
    spec = FIXTURES / "relu1.gantk"
    done = run_tool("compile", spec, *option, "-o", tmp_path / "x.bin")
    assert done.returncode == 2
    with pytest.raises(gantk.UsageError) as e:
        gantk.compile(spec, **kwargs)
    assert done.stderr == "gantk: error: %s\n" % e.value
    assert isinstance(e.value, ValueError) and e.value.exit_code == 2


def test_non_finite_points_name_the_row():
    S = np.load(FIXTURES / "relu1.inputs.npy")
    S[3, 1] = np.nan
    with pytest.raises(gantk.InputError,
                       match=r"^S: row 3, column 1 is NaN"):
        gantk.kernel(FIXTURES / "relu1.gantk", S)


def test_a_spec_is_a_path_text_or_spec():
    with pytest.raises(TypeError):
        gantk.kernel(42, np.zeros((2, 5)))
