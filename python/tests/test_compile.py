"""gantk.compile, Artifact.plan/.save and gantk.load against gantk compile
and gantk describe."""

import re

import pytest

import gantk
from conftest import FIXTURES, run_tool


def test_plan_equals_what_compile_prints(toy_spec, tmp_path):
    done = run_tool("compile", toy_spec, "-o", tmp_path / "cli.bin")
    assert done.returncode == 0, done.stderr
    art = gantk.compile(toy_spec)
    peak = int(re.search(r"peak (\d+) bytes", done.stdout).group(1))
    assert art.plan.peak_bytes == peak
    assert (art.plan.points, art.plan.dim) == (300, 2)
    # Everything compile prints but its last line ("wrote FILE (...)").
    lines = done.stdout.splitlines(keepends=True)
    assert art.plan.report + art.plan.layout == "".join(lines[:-1])
    assert lines[0].startswith("memory plan (%s): peak %d bytes"
                               % (art.plan.name, art.plan.peak_bytes))
    # One spec, one compiler: the same artifact.
    assert lines[-1].endswith("sha256 %s)\n" % art.digest)


def test_n_and_memory_budget_are_the_options(toy_spec, tmp_path):
    done = run_tool("compile", toy_spec, "--n", "40", "--memory-budget",
                    "200000", "-o", tmp_path / "cli.bin")
    assert done.returncode == 0, done.stderr
    art = gantk.compile(toy_spec, n=40, memory_budget=200000)
    assert art.plan.points == 80
    assert art.plan.report == done.stdout[:len(art.plan.report)]


def test_save_writes_what_describe_reads(toy_spec, tmp_path):
    art = gantk.compile(str(toy_spec))
    path = tmp_path / "toy.bin"
    size = art.save(path)
    assert path.stat().st_size == size
    done = run_tool("describe", path)
    assert done.returncode == 0, done.stderr
    assert ("\nsha256: %s\n" % art.digest) in done.stdout
    assert ("memory plan: %d bytes" % art.plan.peak_bytes) in done.stdout
    loaded = gantk.load(path)
    assert loaded.digest == art.digest and loaded.plan is None
    # --expect-digest accepts the digest the package reports.
    assert run_tool("describe", path, "--expect-digest",
                    art.digest).returncode == 0


def test_save_reports_an_unwritable_path(toy_spec, tmp_path):
    art = gantk.compile(toy_spec)
    target = tmp_path / "missing" / "toy.bin"
    cli = run_tool("compile", toy_spec, "-o", target)
    with pytest.raises(gantk.Error) as e:
        art.save(target)
    assert cli.stderr == "gantk: error: %s\n" % e.value
    assert cli.returncode == e.value.exit_code


def test_lambda_search_trace_goes_to_log(tmp_path):
    import io
    spec = (FIXTURES.parent.parent / "examples" / "toy25_search.gantk")
    done = run_tool("tune-lambda", spec)
    assert done.returncode == 0, done.stderr
    log = io.StringIO()
    found = gantk.tune_lambda(spec, log=log)
    assert log.getvalue() == done.stdout
    assert done.stdout.endswith("lambda = %g\n" % found)
