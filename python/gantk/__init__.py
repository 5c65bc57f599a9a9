"""gantk: GA-NTK data synthesis from Python.

The same work as the ``gantk`` tool, through the same driver library, with
the same error messages::

    import numpy as np, gantk
    art = gantk.compile("examples/toy25.gantk")        # a spec's path or text
    print(art.plan.peak_bytes)                          # the memory plan
    z = art.run(steps=100, out_dir="out/toy25")         # NumPy samples (m, d)
    ntk, nngp = gantk.kernel("examples/toy25.gantk", np.random.rand(8, 2))

Specs: every function takes a spec as a path (``str`` or ``os.PathLike``),
as spec text (a ``str`` holding a newline or a ``{``), or as a :class:`Spec`
(what :mod:`gantk.stax` builds).

Arrays: inputs are read in place when they are float64 and C-contiguous
(anything else is converted first); results are float64 NumPy arrays over
the C++ buffers that computed them (no copy).

Errors: :class:`Error` and its subclasses carry the message the tool prints
(without ``gantk: error:``) and the tool's exit status as ``exit_code``:
:class:`InputError` (1: a bad spec, data file, artifact, compile error),
:class:`UsageError` (2: a bad argument value; also a ``ValueError``),
:class:`RunError` (3: a run that started and failed).

docs/python.md has the whole reference.
"""

import os
import warnings
from typing import NamedTuple, Optional, Union

from . import _gantk
from ._gantk import Artifact, Error, InputError, Plan, RunError, UsageError

__version__ = _gantk.__version__

# OpenBLAS picked its kernels when it loaded; on a CPU newer than its table
# they are the oldest x86-64 ones. The gantk tools start again with the
# right ones (docs/runtime.md, "OpenBLAS's kernels"); Python cannot.
_better_core = _gantk._blas_core_to_force()
if _better_core:
    warnings.warn(
        "OpenBLAS chose its %s kernels for this CPU, which runs %s's (wider "
        "vectors, several times faster): start Python with "
        "OPENBLAS_CORETYPE=%s set"
        % (_gantk._blas_core(), _better_core, _better_core),
        RuntimeWarning, stacklevel=2)

__all__ = [
    "Artifact", "Error", "InputError", "Kernels", "Plan", "RunError", "Spec",
    "UsageError", "compile", "grad", "kernel", "load", "tune_lambda",
]


class Spec:
    """Spec text with the name it goes by in messages.

    A relative data path in the text resolves against the directory of
    ``name`` (against the working directory for the default ``"<spec>"``).
    """

    def __init__(self, text: str, name: str = "<spec>"):
        self.text = text
        self.name = name

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return "Spec(%r, name=%r)" % (self.text, self.name)

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Writes the spec text to ``path`` (for the ``gantk`` tool)."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.text)


SpecLike = Union[str, os.PathLike, Spec]


class Kernels(NamedTuple):
    """The discriminator's kernels on the rows S: both (N, N) float64."""
    ntk: "numpy.ndarray"
    nngp: "numpy.ndarray"


def _source(spec: SpecLike):
    """(is_text, path or text, name) of a spec argument."""
    if isinstance(spec, Spec):
        return (True, spec.text, spec.name)
    if isinstance(spec, os.PathLike):
        path = os.fspath(spec)
        return (False, path, path)
    if isinstance(spec, str):
        if "\n" in spec or "{" in spec:
            return (True, spec, "<spec>")
        return (False, spec, spec)
    raise TypeError("a spec is a path, spec text or gantk.Spec, not %s"
                    % type(spec).__name__)


def _number(value):
    """A number option as the tool's option text (exact for floats)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError("expected a number, got %s" % type(value).__name__)
    return value if isinstance(value, str) else repr(value)


def _path(value):
    return None if value is None else os.fspath(value)


def _write(log, text: str) -> None:
    if log is not None and text:
        log.write(text)


def compile(spec: SpecLike, n: Optional[int] = None,
            memory_budget: Union[int, float, str, None] = None, *,
            target: str = "cpu", log=None) -> Artifact:
    """Compiles a spec's step, as ``gantk compile SPEC``.

    ``n`` sets the real rows (and m = n), as ``--n``; ``memory_budget``
    bounds one step's bytes, as ``--memory-budget``; ``target`` is ``"cpu"``
    or ``"cuda"`` (CPU code and PTX, for ``run(device="cuda")``). A spec
    with ``lambda = search(...)`` searches first; its trace goes to ``log``
    (a text stream such as ``sys.stdout``) when given.

    Returns an :class:`Artifact`: ``.plan`` (:class:`Plan`), ``.save(path)``,
    ``.run(...)``, ``.digest``.
    """
    artifact, trace = _gantk.compile(_source(spec), n,
                                     _number(memory_budget), target)
    _write(log, trace)
    return artifact


def load(path: Union[str, os.PathLike]) -> Artifact:
    """An artifact file (``gantk compile -o`` or ``Artifact.save``), its
    SHA-256 and contents verified; its ``.plan`` is None."""
    return _gantk.load(os.fspath(path))


def kernel(spec: SpecLike, S, *, discriminator: Optional[str] = None,
           threads: Optional[int] = None, device: str = "cpu") -> Kernels:
    """The discriminator's NTK and NNGP on the rows of ``S``, as
    ``gantk kernel SPEC --input S.npy --out K.npy --nngp P.npy``.

    ``S`` is (N, d) rows or (N, H, W[, C]) images; a spec with several
    discriminators names one with ``discriminator``. Returns
    :class:`Kernels` ``(ntk, nngp)``, each (N, N) float64 (values of the
    spec's precision).
    """
    ntk, nngp = _gantk.kernel(_source(spec), S, discriminator, threads,
                              device)
    return Kernels(ntk, nngp)


def grad(spec: SpecLike, X, Z, *,
         memory_budget: Union[int, float, str, None] = None,
         threads: Optional[int] = None, device: str = "cpu", log=None):
    """The loss and dL/dZ of the spec's step at real rows ``X`` and
    generated rows ``Z``, as ``gantk grad SPEC --real X --fake Z``.

    ``X`` and ``Z`` are (N, d) rows or (N, H, W[, C]) images of one shape.
    Returns ``(loss, dLdZ)``: a float and a float64 array of Z's shape. A
    spec with ``lambda = search(...)`` searches on these rows first (trace
    to ``log``).
    """
    loss, g, trace = _gantk.grad(_source(spec), X, Z, _number(memory_budget),
                                 threads, device)
    _write(log, trace)
    return loss, g


def tune_lambda(spec: SpecLike, eps: Optional[float] = None,
                start: Optional[float] = None, *,
                threads: Optional[int] = None, device: str = "cpu",
                log=None) -> float:
    """The paper's Algorithm 1, as ``gantk tune-lambda SPEC``: the lambda
    found (the trace, one line per lambda tried, to ``log``)."""
    found, trace = _gantk.tune_lambda(_source(spec), eps, start, threads,
                                      device)
    _write(log, trace)
    return found
