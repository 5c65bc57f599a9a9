"""Artifact.run against gantk run: its callback sees every step with the
losses the tool prints, can stop the run, and raises what it raises."""

import os
import re
import signal

import numpy as np
import pytest

import gantk
from conftest import run_tool

STEPS = 6


@pytest.fixture
def every_step(toy_spec):
    """The toy spec with a progress line (and outputs) at every step."""
    toy_spec.write_text(toy_spec.read_text() + "output {\n  every = 1\n}\n")
    return toy_spec


def test_callback_sees_every_step_with_the_tools_losses(every_step,
                                                        tmp_path):
    done = run_tool("run", every_step, "--steps", STEPS, "--out",
                    tmp_path / "cli")
    assert done.returncode == 0, done.stderr
    printed = re.findall(r"^step (\d+)/%d  loss (\S+)" % STEPS, done.stdout,
                         re.M)
    assert [int(s) for s, _ in printed] == list(range(1, STEPS + 1))

    seen = []

    def callback(step, loss, Z):
        seen.append((step, loss, Z))

    art = gantk.compile(every_step)
    samples = art.run(steps=STEPS, out_dir=tmp_path / "py", callback=callback)
    assert [s for s, _, _ in seen] == list(range(1, STEPS + 1))
    assert ["%.6e" % loss for _, loss, _ in seen] == [l for _, l in printed]
    assert samples.shape == (150, 2)
    # The last Z is the result, which is what both runs wrote.
    assert np.array_equal(seen[-1][2], samples)
    assert np.array_equal(samples, np.load(tmp_path / "py" / "samples.npy"))
    assert np.array_equal(samples, np.load(tmp_path / "cli" / "samples.npy"))
    # Each step's Z is its own array.
    assert not np.shares_memory(seen[0][2], seen[1][2])


def test_returning_false_stops_the_run(toy_spec, tmp_path):
    calls = []

    def callback(step, loss, Z):
        calls.append(step)
        return step < 3

    art = gantk.compile(toy_spec)
    samples = art.run(steps=STEPS, out_dir=tmp_path, callback=callback)
    assert calls == [1, 2, 3]
    # The run ended as if step 3 were its last: its samples are written.
    assert np.array_equal(samples, np.load(tmp_path / "samples.npy"))
    three = art.run(steps=3, out_dir=tmp_path / "three")
    assert np.array_equal(samples, three)


def test_an_exception_in_the_callback_propagates(toy_spec, tmp_path):
    calls = []

    def callback(step, loss, Z):
        calls.append(step)
        if step == 2:
            raise KeyError("stop here")

    art = gantk.compile(toy_spec)
    with pytest.raises(KeyError, match="stop here"):
        art.run(steps=STEPS, out_dir=tmp_path, callback=callback)
    assert calls == [1, 2]


def test_ctrl_c_stops_the_run(toy_spec, tmp_path):
    calls = []

    def callback(step, loss, Z):
        calls.append(step)
        if step == 2:
            os.kill(os.getpid(), signal.SIGINT)

    art = gantk.compile(toy_spec)
    with pytest.raises(KeyboardInterrupt):
        art.run(steps=STEPS, out_dir=tmp_path, callback=callback)
    assert calls in ([1, 2], [1, 2, 3])


def test_an_artifact_runs_again_and_from_a_file(toy_spec, tmp_path):
    art = gantk.compile(toy_spec)
    first = art.run(out_dir=tmp_path / "a")
    art.save(tmp_path / "toy.bin")
    again = gantk.load(tmp_path / "toy.bin").run(out_dir=tmp_path / "b")
    assert np.array_equal(first, again)


def test_image_samples_come_as_images(tmp_path):
    rng = np.random.default_rng(0)
    np.save(tmp_path / "faces.npy", rng.random((8, 4, 3, 1)))
    spec = tmp_path / "faces.gantk"
    spec.write_text("""data {
  real = npy("faces.npy")
}
discriminator {
  dense(w_std: 1.2, b_std: 0.3)
  relu
  dense(w_std: 1.2, b_std: 0.3)
}
train {
  optimizer = adam(lr: 0.01, clip: [0, 1])
  steps = 2
}
""")
    shapes = []
    samples = gantk.compile(spec).run(
        out_dir=tmp_path / "out",
        callback=lambda step, loss, Z: shapes.append(Z.shape))
    assert samples.shape == (8, 4, 3, 1)
    assert shapes == [(8, 4, 3, 1)] * 2
    flat = np.load(tmp_path / "out" / "samples.npy")
    assert np.array_equal(samples.reshape(8, -1), flat.reshape(8, -1))


def test_bad_steps_is_the_tools_usage_error(toy_spec):
    art = gantk.compile(toy_spec)
    done = run_tool("run", toy_spec, "--steps", "-1")
    with pytest.raises(gantk.UsageError) as e:
        art.run(steps=-1)
    assert done.stderr == "gantk: error: %s\n" % e.value
    assert done.returncode == e.value.exit_code == 2
