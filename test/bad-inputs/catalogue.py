#!/usr/bin/env python3
"""The bad-input catalogue of gantk and gantk-run (test/bad-inputs/README.md).

    catalogue.py --gantk PATH --gantk-run PATH --work DIR [--list]
                 [--only SUBSTRING] [--timeout SECONDS]

Builds every malformed input itself under DIR (specs, .npy, IDX, gzip and
PNG bytes, artifacts compiled once from a toy spec and then cut, flipped or
edited and resealed), runs each case of the table in `cases()` and checks
what docs/runtime.md ("Exit codes") and docs/dsl.md ("Errors") promise:

  (a) no crash, no hang, and the documented exit status (1 bad input,
      2 bad command line, 3 the run failed);
  (b) the first line of stderr starts with "gantk: error: " or
      "gantk-run: error: " (a spec error may instead be
      "FILE:LINE:COL: error: ") and names the file or option and what is
      wrong (the case's substrings);
  (c) that line is all there is for status 1 and 3 (a spec error may add
      its source line and caret, a usage error its usage text);
  (d) nothing is written, nothing partial: the case's directory (its
      working directory, where its outputs would go) and any output path it
      names are the same before and after (names, kinds, sizes, SHA-256),
      and no temporary file (".tmp" in the name, or a new dot file) is left.

Prints "PASS cat/id" or "FAIL cat/id: reasons" per case and a summary;
exits 1 when a case fails or when there are fewer than 60 cases. Standard
library and numpy only.
"""

import argparse
import dataclasses
import gzip
import hashlib
import io
import os
import re
import resource
import shutil
import signal
import stat
import struct
import subprocess
import sys
import time
import zlib
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FUZZ = os.path.join(os.path.dirname(HERE), "fuzz-regressions")
CATEGORIES = ["spec", "npy", "idx", "png", "artifact", "cli", "output"]
MIN_CASES = 60
# The address space a case may use (None with --sanitized).
MEMORY_LIMIT = 16 << 30

# The first line of stderr: the tools' own prefix, or a spec error's
# "FILE:LINE:COL: error: " (or "FILE: error: " for a spec that cannot be
# read at all; docs/dsl.md "Errors").
TOOL_ERROR = re.compile(r"^(gantk|gantk-run): error: ")
SPEC_ERROR = re.compile(r"^[^\s:][^:]*(:\d+:\d+)?: error: ")


# ---------------------------------------------------------------------------
# A case
# ---------------------------------------------------------------------------

@dataclasses.dataclass
class Case:
    """One bad input and what the tool must do with it.

    argv[0] is "gantk" or "gantk-run"; relative paths are in the case's
    directory d (WORK/run/CAT/ID, fresh for every case, the working
    directory unless `cwd` names a folder below it); the rest are shared
    inputs (WORK/in) or test/fuzz-regressions. `setup(d)` makes the case's
    own fixtures before the "before" snapshot of d."""
    cat: str
    id: str
    why: str
    argv: List[str]
    status: int
    expect: tuple                      # in the first stderr line; a tuple
                                       # item: any one of its strings
    absent: Tuple[str, ...] = ()       # must not be in the first line
    setup: Optional[Callable[[str], None]] = None
    watch: Tuple[str, ...] = ()        # output paths outside d
    cwd: str = ""                      # working directory below d
    timeout: float = 0                 # seconds; 0: the catalogue's (60)
    env: Optional[Dict[str, str]] = None
    fsize: int = 0                     # RLIMIT_FSIZE in bytes (SIGXFSZ ignored)
    ns: Optional[str] = None           # run inside `unshare -rm`: tmpfs:SIZE | ro
    ns_dir: str = "m"                  # the mount point, below d
    ns_populate: str = ""              # sh, run in the mount before the snapshot

    @property
    def name(self):
        return f"{self.cat}/{self.id}"


# ---------------------------------------------------------------------------
# Crafting helpers
# ---------------------------------------------------------------------------

class Inputs:
    """The shared inputs under WORK/in, written once."""

    def __init__(self, work, gantk):
        self.root = os.path.join(work, "in")
        self.gantk = gantk
        os.makedirs(self.root, exist_ok=True)

    def path(self, *parts):
        p = os.path.join(self.root, *parts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def dir(self, *parts):
        p = os.path.join(self.root, *parts)
        os.makedirs(p, exist_ok=True)
        return p

    def write(self, rel, data):
        return write(self.path(rel), data)

    def compile(self, spec_rel, out_rel):
        """gantk compile of a shared spec (inputs the cases only read)."""
        spec, out = self.path(spec_rel), self.path(out_rel)
        r = subprocess.run([self.gantk, "compile", spec, "-o", out],
                           cwd=os.path.dirname(spec), capture_output=True,
                           text=True)
        if r.returncode != 0:
            raise RuntimeError(f"cannot build {out_rel}: {r.stderr.strip()}")
        return out


# The toy spec of test/Driver (3x3 Gaussians, N = 300, dense, f64).
TOY = """data {
  real = gaussian_grid(size: 3, spacing: 1.0, std: 0.05)
  n = 150
}
discriminator {
  dense(w_std: 1.2, b_std: 0.3)
  relu
  dense(w_std: 1.2, b_std: 0.3)
}
objective {
  lambda = 100 normalized
}
train {
  optimizer = adam(lr: 0.01, clip: [0, 1])
  steps = 2
}
"""

# A spec around a data source (`data_spec` fills in the source and n).
DATA_SPEC = """data {{
  real = {source}
  n = {n}
}}
discriminator {{
  dense
  relu
  dense
}}
train {{
  steps = 1
}}
"""


def data_spec(source, n=8):
    return DATA_SPEC.format(source=source, n=n)


def grid_spec(body_after_data="discriminator {\n  dense\n}\n", n="5"):
    return ("data {\n  real = gaussian_grid(size: 3)\n  n = " + n + "\n}\n" +
            body_after_data)


def write(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    return path


# --- .npy ------------------------------------------------------------------

RNG = np.random.default_rng(0)
GOOD_ROWS = RNG.uniform(0, 1, (16, 3))


def npy_bytes(array, **kw):
    """What np.save writes for `array`."""
    buf = io.BytesIO()
    np.save(buf, array, **kw)
    return buf.getvalue()


def npy_raw(header, data=b"", major=1):
    """An .npy file from a header text of our choosing."""
    h = header.encode("latin1")
    if major == 1:
        pre = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h))
    else:
        pre = b"\x93NUMPY" + bytes([major, 0]) + struct.pack("<I", len(h))
    return pre + h + data


def npy_header(shape):
    """A float64 C-order header for the shape text `shape`."""
    return f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}\n"


GOOD_NPY = npy_bytes(GOOD_ROWS)


def with_value(r, c, v):
    a = GOOD_ROWS.copy()
    a[r, c] = v
    return npy_bytes(a)


# --- IDX and gzip ------------------------------------------------------------

IDX_IMAGES = RNG.integers(0, 256, (16, 2, 2), dtype=np.uint8)
IDX_LABELS = (np.arange(16) % 3).astype(np.uint8)


def idx_bytes(shape, data, code=0x08):
    return (bytes([0, 0, code, len(shape)]) +
            b"".join(struct.pack(">I", d) for d in shape) + data)


GOOD_IDX = idx_bytes((16, 2, 2), IDX_IMAGES.tobytes())
GOOD_LABELS = idx_bytes((16,), IDX_LABELS.tobytes())


def corrupt_gzip(data):
    """A gzip stream with bytes of its deflate data changed."""
    g = bytearray(gzip.compress(data, mtime=0))
    for at in (12, 13, 14):
        g[at] ^= 0xA5
    return bytes(g)


# --- PNG -------------------------------------------------------------------

def png_chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data)))


def png_bytes(w, h, color=0, seed=0):
    """An 8-bit grey (0) or RGB (2) PNG with pixel values from `seed`."""
    ch = {0: 1, 2: 3}[color]
    rows = b"".join(b"\0" + bytes((seed * 7 + i * 13 + y * 31) % 256
                                  for i in range(w * ch)) for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" +
            png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0)) +
            png_chunk(b"IDAT", zlib.compress(rows)) + png_chunk(b"IEND", b""))


def png_folder(path, replace=None, count=8, w=2, h=2):
    """`count` w x h grey PNGs 00.png, 01.png, ...; `replace` maps a file
    name to other bytes."""
    os.makedirs(path, exist_ok=True)
    for i in range(count):
        write(os.path.join(path, f"{i:02d}.png"), png_bytes(w, h, seed=i))
    for name, data in (replace or {}).items():
        write(os.path.join(path, name), data)
    return path


# --- Artifacts -------------------------------------------------------------

TRAILER = 40  # b"GNTK-SHA" + SHA-256 of the buffer (sealArtifact)


def seal(body):
    body = bytes(body)
    return body + b"GNTK-SHA" + hashlib.sha256(body).digest()


class FlatBuffer:
    """Just enough of FlatBuffers to find a field of the artifact
    (runtime/schema/artifact.fbs; a field's slot is its index in the table,
    a union taking two) and change it in place."""

    def __init__(self, buf):
        self.b = buf

    def u16(self, at):
        return struct.unpack_from("<H", self.b, at)[0]

    def u32(self, at):
        return struct.unpack_from("<I", self.b, at)[0]

    def root(self):
        return self.u32(0)

    def field(self, table, slot):
        """The position of field `slot` of `table`, or None if absent."""
        vt = table - struct.unpack_from("<i", self.b, table)[0]
        if 4 + 2 * slot >= self.u16(vt):
            return None
        off = self.u16(vt + 4 + 2 * slot)
        return table + off if off else None

    def deref(self, at):
        return at + self.u32(at)

    def table(self, table, slot):
        at = self.field(table, slot)
        return None if at is None else self.deref(at)

    def vector(self, table, slot):
        """(position of element 0, length) of a vector field."""
        v = self.table(table, slot)
        return v + 4, self.u32(v)

    def tables(self, table, slot):
        base, n = self.vector(table, slot)
        return [self.deref(base + 4 * i) for i in range(n)]

    def put(self, fmt, at, value):
        struct.pack_into(fmt, self.b, at, value)


# Slots of the tables used below (artifact.fbs order).
ART = dict(format_version=0, precision=1, n_real=2, dim=4, arena_bytes=5,
           real=6, commands=10, kernels=11, code=12, output=15)
ENTRY = dict(type=0, command=1, results=3)      # CommandEntry
GEMM = dict(m=2, lda=8)
SYEVD = dict(lwork=4)
DISPATCH = dict(kernel=0, range=2)
CODE = dict(target=0, blob=1)
KERNEL = dict(name=0)
OUTPUT = dict(dir=0)
COMMAND_TYPE = dict(gemm=1, syevd=2, dispatch=3)


def command(fb, kind, need_slot=None):
    """The first command table of `kind` (and its entry), with `need_slot`
    present when given."""
    root = fb.root()
    for entry in fb.tables(root, ART["commands"]):
        at = fb.field(entry, ENTRY["type"])
        if at is None or fb.b[at] != COMMAND_TYPE[kind]:
            continue
        cmd = fb.table(entry, ENTRY["command"])
        if need_slot is None or fb.field(cmd, need_slot) is not None:
            return entry, cmd
    raise RuntimeError(f"no {kind} command in the artifact")


def cpu_code(fb):
    for code in fb.tables(fb.root(), ART["code"]):
        s = fb.table(code, CODE["target"])
        if bytes(fb.b[s + 4:s + 4 + fb.u32(s)]) == b"x86_64-linux-cpu":
            return code
    raise RuntimeError("no CPU code object")


def edit_artifact(good, change):
    """The good artifact with `change(fb)` applied to its buffer, resealed
    (so that only the verifier or the loader can tell)."""
    fb = FlatBuffer(bytearray(good[:-TRAILER]))
    change(fb)
    return seal(fb.b)


def set_string_last(fb, s, char):
    """Changes the last character of the string at `s` (same length)."""
    fb.b[s + 4 + fb.u32(s) - 1] = ord(char)


def blob_of(fb):
    """(start, length) of the CPU code object's bytes."""
    base, n = fb.vector(cpu_code(fb), CODE["blob"])
    return base, n


def small_shared_object(limit):
    """A small shared object of the system (not gantk's), no larger than
    `limit` bytes: glibc's stub libraries are about 14 KiB."""
    dirs = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64",
            "/usr/lib64"]
    for name in ["libanl.so.1", "libutil.so.1", "libdl.so.2", "librt.so.1",
                 "libpthread.so.0"]:
        for d in dirs:
            p = os.path.join(d, name)
            if os.path.isfile(p) and os.path.getsize(p) <= limit:
                with open(p, "rb") as f:
                    data = f.read()
                if data[:4] == b"\x7fELF":
                    return p, data
    return None, None


def foreign_code(fb):
    """Replaces the CPU code object by another, valid, shared object: a
    small system library, or (where none fits) gantk's own with its kernel
    symbols renamed."""
    base, n = blob_of(fb)
    path, so = small_shared_object(n)
    if so is None:
        blob = bytes(fb.b[base:base + n])
        for k in fb.tables(fb.root(), ART["kernels"]):
            s = fb.table(k, KERNEL["name"])
            name = bytes(fb.b[s + 4:s + 4 + fb.u32(s)])
            blob = blob.replace(name, name[:-1] + b"Z")
        so = blob
    fb.b[base:base + len(so)] = so
    fb.put("<I", base - 4, len(so))


def junk_elf(fb):
    base, _ = blob_of(fb)
    fb.b[base:base + 4] = b"JUNK"


def half_elf(fb):
    base, n = blob_of(fb)
    fb.put("<I", base - 4, n // 2)


# --- Fixtures made per case (in the case's directory) -----------------------

def run_ok(argv, cwd):
    r = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"setup: {' '.join(argv)}: {r.stderr.strip()}")


class Fixtures:
    """setup(d) functions: what a case needs in its own directory."""

    def __init__(self, gantk, gantk_run, inputs):
        self.gantk, self.gantk_run, self.inputs = gantk, gantk_run, inputs

    def outdir(self, name="o", previous=True):
        """An existing output directory, holding the samples of an earlier
        run when `previous` (which a failed run must leave as they were)."""
        def make(d):
            o = os.path.join(d, name)
            os.makedirs(o, exist_ok=True)
            if previous:
                shutil.copy(self.inputs.path("previous-samples.npy"),
                            os.path.join(o, "samples.npy"))
        return make

    def compiled(self, spec_text, files, swap=None, out=True):
        """Writes `files` and s.gantk into the case's directory, compiles
        a.bin there, then applies `swap` (name -> bytes, a folder
        (callable), or None to remove): the data changes after compiling."""
        def make(d):
            for name, data in files.items():
                if callable(data):
                    data(os.path.join(d, name))
                else:
                    write(os.path.join(d, name), data)
            write(os.path.join(d, "s.gantk"), spec_text)
            run_ok([self.gantk, "compile", "s.gantk", "-o", "a.bin"], d)
            for name, data in (swap or {}).items():
                p = os.path.join(d, name)
                if os.path.isdir(p) and not os.path.islink(p):
                    shutil.rmtree(p)
                elif os.path.lexists(p):
                    os.remove(p)
                if callable(data):
                    data(p)
                elif data is not None:
                    write(p, data)
            if out:
                self.outdir()(d)
        return make

    @staticmethod
    def each(*fns):
        def make(d):
            for f in fns:
                f(d)
        return make

    @staticmethod
    def files(named):
        """{relative name: what}: bytes or text, a folder (None), a FIFO
        ("fifo") or a symbolic link ("->TARGET")."""
        def make(d):
            for name, what in named.items():
                p = os.path.join(d, name)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                if what is None:
                    os.makedirs(p, exist_ok=True)
                elif what == "fifo":
                    os.mkfifo(p)
                elif isinstance(what, str) and what.startswith("->"):
                    os.symlink(what[2:], p)
                else:
                    write(p, what)
        return make


# ---------------------------------------------------------------------------
# The shared inputs
# ---------------------------------------------------------------------------

def build_inputs(work, gantk, gantk_run):
    """Writes the shared inputs; returns (Inputs, notes)."""
    k = Inputs(work, gantk)
    notes = []
    k.write("toy.gantk", TOY)
    toy = k.compile("toy.gantk", "toy.bin")
    # The samples of an earlier run, for output directories that must keep
    # them (any bytes do: only their survival is checked).
    k.write("previous-samples.npy", npy_bytes(np.arange(12.0).reshape(6, 2)))
    # Another run's checkpoint, and a spec that differs only in its seed.
    run_ok([gantk_run, toy, "--out", k.dir("ck"),
            "--checkpoint-every", "1", "--steps", "2"], k.root)
    k.write("seed4.gantk", TOY.replace("steps = 2", "steps = 2\n  seed = 4"))
    k.compile("seed4.gantk", "seed4.bin")
    # Data that runs: 150 rows of 64 values (samples.npy of 77 KB, larger
    # than the probe write, for the full-disk cases).
    k.write("wide/x.npy", npy_bytes(RNG.uniform(0, 1, (150, 64))))
    k.write("wide/s.gantk", data_spec('npy("x.npy")', n=150))
    k.compile("wide/s.gantk", "wide/a.bin")
    k.write("wide/previous-samples.npy",
            npy_bytes(RNG.uniform(0, 1, (150, 64))))
    with open(toy, "rb") as f:
        good = f.read()
    fb = FlatBuffer(bytearray(good[:-TRAILER]))
    path, _ = small_shared_object(blob_of(fb)[1])
    notes.append("foreign code object: " + (path or "gantk's own code with "
                                             "its kernel symbols renamed"))
    return k, good, notes


# ---------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------

def cases(k, good, fx):
    """Every case, by category. Each group says why its class of input
    exists; each case's `why` says what it is."""
    C, files, each = Case, Fixtures.files, Fixtures.each
    out = fx.outdir()
    toy, toy_spec = k.path("toy.bin"), k.path("toy.gantk")

    def compile_case(cat, id, why, spec_rel, text, status, expect, **kw):
        """`gantk compile` of a spec written to in/SPEC_REL."""
        return C(cat, id, why, ["gantk", "compile", k.write(spec_rel, text),
                                "-o", "a.bin"], status, expect, **kw)

    def spec_case(id, why, text, expect, **kw):
        return compile_case("spec", id, why, f"spec/{id}.gantk", text, 1,
                            expect, **kw)

    def npy_case(id, why, data, expect, absent=(), n=8):
        """An .npy file whose header `gantk compile` reads (the shape)."""
        k.write(f"npy/{id}.npy", data)
        return compile_case("npy", id, why, f"npy/{id}.gantk",
                            data_spec(f'npy("{id}.npy")', n), 1,
                            (f"{id}.npy",) + expect, absent=absent)

    def npy_run(id, why, swap, expect, tool="gantk-run", compiled=GOOD_NPY):
        """An .npy file swapped in after compiling: read as the run starts."""
        argv = ["gantk-run", "a.bin", "--out", "o"] if tool == "gantk-run" \
            else ["gantk", "run", "a.bin", "--out", "o"]
        return C("npy", id, why, argv, 1, ("x.npy",) + expect,
                 setup=fx.compiled(data_spec('npy("x.npy")'),
                                   {"x.npy": compiled}, {"x.npy": swap}))

    def idx_case(id, why, data, expect, source=None, name=None, n=4):
        """IDX data read by `gantk compile`: `data` is written to in/idx/NAME
        (NAME defaults to the id) unless None; `source` overrides idx("NAME")."""
        name = name or id
        if data is not None:
            k.write(f"idx/{name}", data)
        return compile_case("idx", id, why, f"idx/{id}.gantk",
                            data_spec(source or f'idx("{name}")', n), 1,
                            expect)

    def png_case(id, why, make, expect, n=8):
        """An images() folder, in/png/ID, made by make(path)."""
        make(os.path.join(k.root, "png", id))
        return compile_case("png", id, why, f"png/{id}.gantk",
                            data_spec(f'images("{id}")', n), 1, expect)

    def art_case(id, why, data, expect, tool="gantk-run", status=1,
                 extra=(), path=None):
        """An artifact (bytes written to in/art/ID.gantk-bin, or `path`)
        given to gantk-run, gantk run or gantk describe."""
        f = path or k.write(f"art/{id}.gantk-bin", data)
        argv = {"gantk-run": ["gantk-run", f, "--out", "o"],
                "run": ["gantk", "run", f, "--out", "o"],
                "describe": ["gantk", "describe", f]}[tool] + list(extra)
        return C("artifact", id, why, argv, status, expect,
                 setup=None if tool == "describe" else out)

    L = []

    # --- spec: the front end stops at the first error and names
    # FILE:LINE:COL (docs/dsl.md "Errors"): lexical, syntax, names, types,
    # ranges, structure, the discriminator's rules; then files that are no
    # spec at all, and the data file a spec names.
    discr = "discriminator {\n  dense\n}\n"
    L += [
        spec_case("unclosed-call", "a call left open runs into the next statement",
                  "data {\n  real = gaussian_grid(size: 3\n  n = 5\n}\n",
                  ("unclosed-call.gantk:3:3", "expected ',' or ')'")),
        spec_case("unterminated-string", "a string without its closing quote",
                  'data {\n  real = npy("x.npy\n}\n',
                  ("unterminated-string.gantk:2:", "unterminated string")),
        spec_case("unknown-layer", "a misspelt layer (the message lists the valid ones)",
                  grid_spec("discriminator {\n  rleu\n}\n"),
                  ("unknown-layer.gantk:6:3", "unknown layer 'rleu'")),
        spec_case("unknown-argument", "an option the layer does not take",
                  grid_spec("discriminator {\n  dense(foo: 1)\n}\n"),
                  ("unknown-argument.gantk:6:", "unknown argument 'foo'")),
        spec_case("unknown-block", "a block the language does not have",
                  grid_spec(discr + "frobnicate {\n}\n"),
                  ("unknown-block.gantk:8:1", "unknown block 'frobnicate'")),
        spec_case("unknown-statement", "a statement the data block does not have",
                  "data {\n  real = gaussian_grid(size: 3)\n  n = 5\n  colour = 3\n}\n" + discr,
                  ("unknown-statement.gantk:4:", "'colour'")),
        spec_case("duplicate-block", "two data blocks",
                  grid_spec() + grid_spec(""),
                  ("duplicate-block.gantk:8:1", "duplicate 'data' block")),
        spec_case("steps-not-integer", "an int parameter given a real",
                  grid_spec(discr + "train {\n  steps = 1.5\n}\n"),
                  ("steps-not-integer.gantk:9:", "integer for 'steps'")),
        spec_case("lambda-string", "a number parameter given a string",
                  grid_spec(discr + 'objective {\n  lambda = "big"\n}\n'),
                  ("lambda-string.gantk:9:", "number for 'lambda'")),
        spec_case("lambda-negative", "lambda must be > 0",
                  grid_spec(discr + "objective {\n  lambda = -1\n}\n"),
                  ("lambda-negative.gantk:9:", "'lambda' must be > 0")),
        spec_case("n-zero", "n must be >= 1", grid_spec(n="0"),
                  ("n-zero.gantk:3:", "'n' must be >= 1")),
        spec_case("n-10e12", "an N x N kernel no machine holds is refused before planning",
                  grid_spec(n="1000000000000"), ("n-10e12.gantk:", "lower n")),
        spec_case("grid-size-cap", "gaussian_grid size is capped at 1000",
                  "data {\n  real = gaussian_grid(size: 1001)\n  n = 5\n}\n" + discr,
                  ("grid-size-cap.gantk:2:", "'size' must be in [1, 1000]")),
        spec_case("ring-modes-cap", "gaussian_ring modes are capped at 10^6",
                  "data {\n  real = gaussian_ring(modes: 1000001)\n  n = 5\n}\n" + discr,
                  ("ring-modes-cap.gantk:2:", "'modes' must be in [1, 1000000]")),
        spec_case("integer-overflow", "an integer past 64 bits",
                  grid_spec(discr + "train {\n  steps = 99999999999999999999\n}\n"),
                  ("integer-overflow.gantk:9:", "out of range")),
        spec_case("real-overflow", "a real past double",
                  grid_spec(discr + "objective {\n  tol = 1e400\n}\n"),
                  ("real-overflow.gantk:9:", "out of range")),
        spec_case("clip-reversed", "clip bounds must be lo < hi",
                  grid_spec(discr + "train {\n  optimizer = adam(clip: [1, 0])\n}\n"),
                  ("clip-reversed.gantk:9:", "lo < hi")),
        spec_case("relu-first", "an elementwise layer needs a Gaussian input",
                  grid_spec("discriminator {\n  relu\n  dense\n}\n"),
                  ("relu-first.gantk:6:3", "'relu' must directly follow")),
        spec_case("dir-absolute", "a spec may only name an output dir below the working directory",
                  grid_spec(discr + 'output {\n  dir = "/etc"\n}\n'),
                  ("dir-absolute.gantk:9:", "'dir' must name a directory below")),
        spec_case("memory-budget-too-small", "a budget no plan fits is an error at the spec",
                  TOY.replace("train {", "train {\n  memory_budget = 1e5"),
                  ("memory-budget-too-small.gantk:", "memory_budget of 100000 bytes cannot hold")),
        spec_case("grid-plot-flat-data", "plot = grid needs image data",
                  grid_spec(discr + "output {\n  plot = grid\n}\n"),
                  ("grid-plot-flat-data.gantk", "plot = grid needs image data")),
        C("spec", "deep-lists", "lists nested 100000 deep once overflowed the parser's stack",
          ["gantk", "compile", k.write("spec/deep-lists.gantk", "data {\n  real = " + "[" * 100000 + "\n}\n"), "--emit=ast"],
          1, ("deep-lists.gantk:2:", "nest more than 64 deep")),
        spec_case("deep-repeat", "repeat blocks nest at most 16 deep",
                  grid_spec("discriminator {\n  dense\n" + "  repeat(1) {\n" * 17 + "  dense\n" + "  }\n" * 17 + "}\n"),
                  ("deep-repeat.gantk:", "nest more than 16 deep")),
        spec_case("empty", "an empty file has no data block", "",
                  ("empty.gantk:1:1", "missing required 'data' block")),
        spec_case("binary-garbage", "300 random bytes stop at the first character",
                  bytes(np.random.default_rng(7).integers(128, 256, 300, dtype=np.uint8)),
                  ("binary-garbage.gantk:1:1", "unexpected character")),
        spec_case("nul-byte", "a NUL inside a statement",
                  b"data {\n  real = gaussian_grid(size: 3)\x00\n}\n",
                  ("nul-byte.gantk:2:", "unexpected character")),
        C("spec", "directory", "a directory where the spec goes",
          ["gantk", "compile", k.dir("spec", "dir.gantk"), "-o", "a.bin"],
          1, ("dir.gantk", "directory")),
        C("spec", "dev-zero", "an endless file is not read to its end",
          ["gantk", "compile", "/dev/zero", "-o", "a.bin"], 1, ("/dev/zero",)),
        C("spec", "fifo", "a FIFO where the spec goes is refused, not opened (which blocks until a writer comes)",
          ["gantk", "compile", "spec.gantk", "-o", "a.bin"], 1, ("spec.gantk", "FIFO"),
          setup=files({"spec.gantk": "fifo"}), timeout=5),
        C("spec", "missing", "a spec that does not exist",
          ["gantk", "compile", "nothere.gantk", "-o", "a.bin"],
          1, ("nothere.gantk", "No such file")),
        spec_case("missing-data-file", "the data file the spec names is missing at compile time",
                  data_spec('npy("nothere.npy")'), ("nothere.npy", "data file not found")),
        C("spec", "run-unknown-layer", "gantk run of a spec stops at the same kind of error, before any output",
          ["gantk", "run", k.write("spec/run-unknown-layer.gantk", grid_spec("discriminator {\n  dense\n  sigmoid\n}\n"))],
          1, ("run-unknown-layer.gantk:7:3", "unknown layer 'sigmoid'")),
    ]

    # --- npy: `gantk compile` reads the header (the data's shape), the run
    # reads the values; both name the file. Formats NumPy writes that gantk
    # does not take, headers that lie, shapes that are no rows, values that
    # are not finite, data changed after compiling, and no file at all.
    big_header = npy_raw(npy_header("(16, 3)")[:-1] + " " * 100000 + "\n",
                         GOOD_ROWS.tobytes(), major=2)
    k.dir("npy", "dir.npy")
    L += [
        npy_case("bad-magic", "not a NumPy file", b"\x93NUMPX" + GOOD_NPY[6:], ("bad magic",)),
        npy_case("version-9", "a format version NumPy never wrote", GOOD_NPY[:6] + b"\x09" + GOOD_NPY[7:], ("format version 9",)),
        npy_case("header-past-file", "a header length past the end of the file",
                 GOOD_NPY[:8] + struct.pack("<H", 60000) + GOOD_NPY[10:100], ("header",)),
        npy_case("header-len-4g", "a version-2 header length of 4 GiB - 1 (not to be allocated)",
                 GOOD_NPY[:6] + b"\x02\x00" + struct.pack("<I", 0xFFFFFFFF) + GOOD_NPY[10:], ("header",)),
        npy_case("header-100k", "a whole, valid 100 KB header (NumPy refuses > 10000 bytes): an error about its size, not 'truncated'",
                 big_header, ("header",), absent=("truncated",)),
        npy_case("header-not-dict", "a header that is not a dict", npy_raw("[1, 2, 3]\n", GOOD_ROWS.tobytes()), ("descr",)),
        npy_case("no-shape", "a header without 'shape'",
                 npy_raw("{'descr': '<f8', 'fortran_order': False, }\n", GOOD_ROWS.tobytes()), ("'shape'",)),
        npy_case("no-fortran-order", "a header without 'fortran_order'",
                 npy_raw("{'descr': '<f8', 'shape': (16, 3), }\n", GOOD_ROWS.tobytes()), ("fortran_order",)),
        npy_case("fortran-order", "column-major data would be read transposed", npy_bytes(np.asfortranarray(GOOD_ROWS)), ("Fortran-order",)),
        npy_case("complex", "complex128 is not a supported dtype", npy_bytes(GOOD_ROWS.astype(np.complex128)), ("unsupported dtype '<c16'",)),
        npy_case("int16", "int16 is not a supported dtype", npy_bytes((GOOD_ROWS * 100).astype(np.int16)), ("unsupported dtype '<i2'",)),
        npy_case("object", "a pickled object array is never unpickled",
                 npy_bytes(np.array([[1, "a", None]] * 16, dtype=object), allow_pickle=True), ("unsupported dtype '|O'",)),
        npy_case("unicode", "strings are not data", npy_bytes(np.array([["abc"] * 3] * 16)), ("unsupported dtype '<U3'",)),
        npy_case("big-endian", "big-endian float64 would be read byte-swapped", npy_bytes(GOOD_ROWS.astype(">f8")), ("unsupported dtype '>f8'",)),
        npy_case("rank-1", "a vector has no rows", npy_bytes(GOOD_ROWS.ravel()), ("shape (48,)",)),
        npy_case("rank-5", "rank 5 is neither rows nor images", npy_bytes(GOOD_ROWS.reshape(16, 3, 1, 1, 1)), ("shape (16, 3, 1, 1, 1)",)),
        npy_case("zero-rows", "an empty array", npy_bytes(np.zeros((0, 3))), ("(0, 3)", "empty")),
        npy_case("zero-columns", "rows of no values", npy_bytes(np.zeros((16, 0))), ("(16, 0)", "empty")),
        npy_case("truncated", "the data stops 50 bytes short", GOOD_NPY[:-50], ("truncated", "384 bytes")),
        npy_case("trailing-bytes", "64 bytes after the data its header implies (bytes after IDX data are an error too)",
                 GOOD_NPY + b"\0" * 64, ("bytes after",)),
        npy_case("dimension-10e20", "a dimension of 10^20 is not parsed into a wrapped integer",
                 npy_raw(npy_header("(99999999999999999999, 3)"), GOOD_ROWS.tobytes()), ("implausible dimension",)),
        npy_case("size-2^44", "2^44 elements are refused before allocating",
                 npy_raw(npy_header("(1048576, 1048576, 16)"), GOOD_ROWS.tobytes()), ("implausible size",)),
        npy_case("negative-dimension", "a negative dimension", npy_raw(npy_header("(-16, 3)"), GOOD_ROWS.tobytes()), ("malformed 'shape'",)),
        npy_case("too-few-rows", "n larger than the rows there are", npy_bytes(GOOD_ROWS[:4]), ("4 rows", "n = 8")),
        compile_case("npy", "fuzz-zero-dim-cols-overflow", "a 0 in the shape once left the other dimensions unbounded (fuzz_npy)",
                     "npy/fuzz-zero-dim.gantk", data_spec(f'npy("{FUZZ}/npy/zero-dim-cols-overflow.npy")'), 1,
                     ("zero-dim-cols-overflow.npy", "implausible")),
        compile_case("npy", "directory", "a directory where the data file goes",
                     "npy/directory.gantk", data_spec('npy("dir.npy")'), 1, ("dir.npy", "directory")),
        compile_case("npy", "dev-zero", "an endless device where the data file goes",
                     "npy/dev-zero.gantk", data_spec('npy("/dev/zero")'), 1, ("/dev/zero", "device")),
        C("npy", "fifo", "a FIFO where the data file goes",
          ["gantk", "compile", "s.gantk", "-o", "a.bin"], 1, ("fifo.npy", "FIFO"),
          setup=files({"fifo.npy": "fifo", "s.gantk": data_spec('npy("fifo.npy")')}), timeout=5),
        npy_run("nan", "a NaN is refused as the run loads the data, naming row and column", with_value(5, 2, np.nan), ("row 5, column 2", "NaN")),
        npy_run("inf", "an infinity too", with_value(2, 0, np.inf), ("row 2, column 0", "infinity"), tool="run"),
        npy_run("dim-mismatch", "rows of 4 values for an artifact compiled for 3", npy_bytes(RNG.uniform(0, 1, (16, 4))), ("4 values", "dim is 3")),
        npy_run("image-shape-mismatch", "images of 3x1x1 for an artifact compiled for 1x3x1 (same size)",
                npy_bytes(RNG.uniform(0, 1, (16, 3, 1))), ("images of 3x1x1", "1x3x1"),
                compiled=npy_bytes(RNG.uniform(0, 1, (16, 1, 3)))),
        npy_run("truncated-after-compile", "the file was cut after compiling", GOOD_NPY[:-50], ("truncated",)),
        npy_run("header-100k-at-run", "the 100 KB header the compiler refuses is refused by the run as well", big_header, ("header",)),
        npy_run("directory-at-run", "a directory swapped in after compiling", lambda p: os.makedirs(p), ("directory",), tool="run"),
        npy_run("dev-zero-at-run", "a link to /dev/zero swapped in after compiling", lambda p: os.symlink("/dev/zero", p), ("device",)),
        C("npy", "nan-via-spec", "gantk run of a spec refuses NaN data before the first step",
          ["gantk", "run", "s.gantk", "--out", "o"], 1, ("nan.npy", "row 5, column 2 is NaN"),
          setup=each(files({"nan.npy": with_value(5, 2, np.nan), "s.gantk": data_spec('npy("nan.npy")')}), out)),
        C("npy", "kernel-input-rank-1", "gantk kernel --input of the wrong rank",
          ["gantk", "kernel", toy_spec, "--input", k.write("npy/v.npy", npy_bytes(np.arange(6.0))), "--out", "k.npy"],
          1, ("v.npy", "shape (6,)")),
    ]

    # --- idx: MNIST's layout, optionally gzip, the labels beside the images.
    # Headers that lie about the size, element types other than bytes,
    # compressed streams that are corrupt, cut, padded or a bomb, and the
    # labels file that a label filter needs.
    k.dir("idx", "adir-images-idx3-ubyte")
    k.write("idx/lab2-labels-idx1-ubyte", idx_bytes((16,), IDX_LABELS.astype(">f4").tobytes(), code=0x0D))
    k.write("idx/l7-labels-idx1-ubyte", GOOD_LABELS)
    fuzz_idx = lambda name: f'idx("{FUZZ}/idx/{name}")'
    L += [
        idx_case("truncated-data", "the pixels stop 5 bytes short", GOOD_IDX[:-5], ("truncated-data", "truncated IDX data")),
        idx_case("truncated-header", "the file ends inside its dimensions", GOOD_IDX[:10], ("truncated-header", "truncated IDX header")),
        idx_case("bad-magic", "not an IDX file", b"\x01\x02" + GOOD_IDX[2:], ("bad-magic", "bad magic")),
        idx_case("float-type", "IDX floats (type 0x0d) are not supported",
                 idx_bytes((16, 2, 2), IDX_IMAGES.astype(">f4").tobytes(), code=0x0D), ("float-type", "element type 0x0d")),
        idx_case("no-dimensions", "a header of 0 dimensions", bytes([0, 0, 8, 0]), ("no-dimensions", "no dimensions")),
        idx_case("bytes-after", "more data than the dimensions say", GOOD_IDX + b"\0" * 7, ("bytes-after", "7 bytes after")),
        idx_case("dims-past-size", "dimensions claiming 64 MB in a 80-byte file",
                 idx_bytes((16, 2000, 2000), IDX_IMAGES.tobytes()), ("dims-past-size", "truncated IDX data")),
        idx_case("corrupt.gz", "deflate data with bytes changed", corrupt_gzip(GOOD_IDX), ("corrupt.gz", "corrupt compressed data")),
        idx_case("bomb.gz", "50 MB of zeros behind a header of 4 values: inflated only as far as the header implies",
                 gzip.compress(idx_bytes((1, 2, 2), b"\0" * 4) + b"\0" * (50 << 20), mtime=0), ("bomb.gz", "inflates past")),
        idx_case("fuzz-gzip-truncated", "the gzip stream stops early", None, ("gzip-truncated.idx.gz", "truncated"),
                 source=fuzz_idx("gzip-truncated.idx.gz")),
        idx_case("fuzz-gzip-trailing", "junk after the gzip stream", None, ("gzip-trailing.idx.gz", "after the end of the gzip stream"),
                 source=fuzz_idx("gzip-trailing.idx.gz")),
        idx_case("fuzz-gzip-bomb", "the committed gzip bomb", None, ("gzip-bomb.idx.gz", "inflates past"),
                 source=fuzz_idx("gzip-bomb.idx.gz")),
        idx_case("fuzz-dims-overflow", "four dimensions of 2^16 once wrapped the byte count to 0", None,
                 ("dims-overflow.idx", "implausible IDX dimensions"), source=fuzz_idx("dims-overflow.idx")),
        idx_case("fuzz-zero-dim-overflow", "a 0 dimension before three of 2^16", None,
                 ("zero-dim-overflow.idx", "implausible IDX dimensions"), source=fuzz_idx("zero-dim-overflow.idx")),
        idx_case("dev-zero", "an endless device where the IDX file goes", None, ("/dev/zero", "device"), source='idx("/dev/zero")'),
        idx_case("directory", "a directory where the IDX file goes", None, ("adir-images-idx3-ubyte", "directory"),
                 name="adir-images-idx3-ubyte"),
        idx_case("labels-missing", "label: needs the labels file beside the images", GOOD_IDX,
                 ("nolab-labels-idx1-ubyte", "not found"), source='idx("nolab-images-idx3-ubyte", label: 1)', name="nolab-images-idx3-ubyte"),
        idx_case("labels-float", "a labels file of another element type", GOOD_IDX,
                 ("lab2-labels-idx1-ubyte", "element type"), source='idx("lab2-images-idx3-ubyte", label: 1)', name="lab2-images-idx3-ubyte"),
        idx_case("label-without-images-idx3", "a label filter on a file whose name does not lead to its labels file", GOOD_IDX,
                 ("plain.idx", "labels"), source='idx("plain.idx", label: 1)', name="plain.idx"),
        idx_case("label-no-rows", "a class without images (16 rows, none of label 7)", GOOD_IDX,
                 ("l7-images-idx3-ubyte", "label"), source='idx("l7-images-idx3-ubyte", label: 7)', name="l7-images-idx3-ubyte"),
        C("idx", "labels-count-mismatch", "15 labels for 16 images, found as the run reads them",
          ["gantk", "run", "s.gantk", "--out", "o"], 1, ("lab-labels-idx1-ubyte", "16 labels"),
          setup=each(files({"lab-images-idx3-ubyte": GOOD_IDX,
                            "lab-labels-idx1-ubyte": idx_bytes((15,), IDX_LABELS[:15].tobytes()),
                            "s.gantk": data_spec('idx("lab-images-idx3-ubyte", label: 1)', 4)}), out)),
        C("idx", "image-shape-mismatch", "images of 1x4 swapped in for the 2x2 the artifact was compiled for",
          ["gantk-run", "a.bin", "--out", "o"], 1, ("x-images-idx3-ubyte", "images of 1x4x1", "2x2x1"),
          setup=fx.compiled(data_spec('idx("x-images-idx3-ubyte")', 4), {"x-images-idx3-ubyte": GOOD_IDX},
                            {"x-images-idx3-ubyte": idx_bytes((16, 1, 4), IDX_IMAGES.tobytes())})),
    ]

    # --- png: images("dir") reads every *.png's header at compile time and
    # decodes the chosen ones as the run starts: folders that are empty,
    # missing or files, files that are no PNG or are cut, images that
    # disagree with each other or with the artifact.
    fuzz_png = lambda name: open(f"{FUZZ}/png/{name}", "rb").read()

    def fifo_folder(p):
        png_folder(p)
        os.remove(os.path.join(p, "03.png"))
        os.mkfifo(os.path.join(p, "03.png"))

    crc = png_bytes(2, 2)
    crc = crc[:29] + bytes([crc[29] ^ 1]) + crc[30:]
    png_folder(k.dir("png", "cut-pixels"), {"03.png": png_bytes(2, 2)[:-20]})
    k.write("png/afile.png", png_bytes(2, 2))
    L += [
        png_case("empty-folder", "a folder without PNG files", lambda p: write(os.path.join(p, "readme.txt"), "no images"),
                 ("empty-folder", "no PNG files")),
        png_case("missing-folder", "a folder that does not exist", lambda p: None, ("missing-folder", "not found")),
        png_case("not-png", "a GIF named .png", lambda p: png_folder(p, {"03.png": b"GIF89a" + b"\0" * 40}), ("03.png", "not a PNG file")),
        png_case("truncated-header", "a PNG that ends inside IHDR", lambda p: png_folder(p, {"03.png": png_bytes(2, 2)[:20]}), ("03.png", "truncated PNG")),
        png_case("ihdr-crc", "one bit of IHDR flipped", lambda p: png_folder(p, {"03.png": crc}), ("03.png", "CRC")),
        png_case("shapes-differ", "one image of 2x3 among 2x2 ones", lambda p: png_folder(p, {"03.png": png_bytes(3, 2)}),
                 ("03.png", "image of 2x3x1", "00.png is 2x2x1")),
        png_case("channels-differ", "one RGB image among grey ones", lambda p: png_folder(p, {"03.png": png_bytes(2, 2, color=2)}),
                 ("03.png", "2x2x3")),
        png_case("too-few", "n = 8 from a folder of 1", lambda p: png_folder(p, count=1), ("too-few", "n = 8")),
        png_case("fifo-named-png", "a FIFO named 03.png must not block the scan", fifo_folder, ("fifo-named-png", "n = 8")),
        png_case("fuzz-huge-ihdr", "2147483647 x 2147483647 RGB once overflowed the dim",
                 lambda p: png_folder(p, {"03.png": fuzz_png("huge-ihdr.png")}), ("03.png", "image too large")),
        png_case("fuzz-chunk-before-ihdr", "an iHDR chunk before IHDR",
                 lambda p: png_folder(p, {"03.png": fuzz_png("chunk-before-ihdr.png")}), ("03.png", "corrupt PNG")),
        png_case("fuzz-huge-header-tiny-file", "43 bytes claiming 1789 x 457984 pixels",
                 lambda p: png_folder(p, {"03.png": fuzz_png("huge-header-tiny-file.png")}), ("03.png", "457984x1789")),
        compile_case("png", "not-a-folder", "images() of a file", "png/not-a-folder.gantk",
                     data_spec('images("afile.png")'), 1, ("afile.png", "not a folder")),
        C("png", "truncated-pixels", "a PNG cut inside its image data, found when the run decodes it",
          ["gantk", "run", k.write("png/cut-pixels.gantk", data_spec('images("cut-pixels")')), "--out", "o"],
          1, ("03.png", "corrupt PNG"), setup=out),
        C("png", "shape-mismatch", "images of 1x4 swapped in for the 2x2 the artifact was compiled for",
          ["gantk-run", "a.bin", "--out", "o"], 1, ("imgs", "1x4x1", "2x2x1"),
          setup=fx.compiled(data_spec('images("imgs")'), {"imgs": png_folder},
                            {"imgs": lambda p: png_folder(p, w=4, h=1)})),
    ]

    # --- artifact: the digest is checked first (so cuts and flips anywhere
    # are refused before anything is read), then the verifier (resealed
    # edits: offsets, sizes, enums, code), then the loader (the code
    # object); gantk-run, gantk run and gantk describe take turns.
    fb = FlatBuffer(bytearray(good[:-TRAILER]))
    elf_at, elf_len = blob_of(fb)
    arena = struct.unpack_from("<Q", fb.b, fb.field(fb.root(), ART["arena_bytes"]))[0]
    flip = lambda at: good[:at] + bytes([good[at] ^ 0x10]) + good[at + 1:]
    fb_middle = elf_at + elf_len + (len(good) - TRAILER - elf_at - elf_len) // 2
    zeros = "0" * 64
    root_put = lambda slot, fmt, v: lambda f: f.put(fmt, f.field(f.root(), ART[slot]), v)
    cmd_put = lambda kind, slots, slot, fmt, v: lambda f: f.put(
        fmt, f.field(command(f, kind, slots[slot])[1], slots[slot]), v)
    fuzz_art = lambda name: f"{FUZZ}/artifact/{name}.gantk-bin"

    def climb(f):
        s = f.table(f.table(f.root(), ART["output"]), OUTPUT["dir"])
        f.b[s + 4:s + 4 + 3] = b"../"   # "out" -> "../"
    L += [
        art_case("empty", "an empty file", b"", ("empty.gantk-bin", "not a gantk artifact")),
        art_case("text", "a text file", b"not an artifact at all\n", ("text.gantk-bin", "not a gantk artifact"), tool="run"),
        art_case("truncated-in-header", "8 bytes: the identifier and nothing else", good[:8], ("truncated-in-header", "truncated"), tool="describe"),
        art_case("truncated-in-flatbuffer", "cut before the code object", good[:elf_at - 100], ("truncated-in-flatbuffer", "truncated")),
        art_case("truncated-in-code", "cut in the middle of the code object", good[:elf_at + elf_len // 2], ("truncated-in-code", "truncated"), tool="run"),
        art_case("truncated-in-trailer", "cut inside the SHA-256", good[:-10], ("truncated-in-trailer", "truncated"), tool="describe"),
        art_case("no-trailer", "the buffer without its trailer (as an older gantk wrote it)", good[:-TRAILER], ("no-trailer", "no SHA-256 trailer")),
        art_case("flip-start", "one bit of the root offset", flip(0), ("flip-start", "does not match its SHA-256")),
        art_case("flip-identifier", "one bit of the GNTK identifier", flip(5), ("flip-identifier", "does not match its SHA-256"), tool="describe"),
        art_case("flip-flatbuffer", "one bit among the commands", flip(fb_middle), ("flip-flatbuffer", "does not match its SHA-256"), tool="run"),
        art_case("flip-code", "one bit in the code object", flip(elf_at + elf_len // 2), ("flip-code", "does not match its SHA-256")),
        art_case("flip-trailer-tag", "one bit of GNTK-SHA", flip(len(good) - TRAILER + 2), ("flip-trailer-tag", "SHA-256 trailer"), tool="describe"),
        art_case("flip-digest", "one bit of the digest", flip(len(good) - 1), ("flip-digest", "does not match its SHA-256")),
        art_case("wrong-trailer-magic", "a trailer tag other than GNTK-SHA", good[:-TRAILER] + b"GNTK-MD5" + good[-32:],
                 ("wrong-trailer-magic", "SHA-256 trailer"), tool="run"),
        art_case("expect-digest-mismatch", "a file other than the one the digest pins", good,
                 ("expect-digest-mismatch", "not the expected " + zeros), extra=("--expect-digest", zeros)),
        art_case("expect-digest-malformed", "a digest in capitals", good, ("--expect-digest", "64 lowercase hex digits"),
                 tool="describe", status=2, extra=("--expect-digest", "A" * 64)),
        art_case("directory", "a directory where the artifact goes", None, ("adir.gantk-bin", "directory"), tool="run",
                 path=k.dir("art", "adir.gantk-bin")),
        art_case("dev-zero", "an endless device", None, ("/dev/zero", "device"), path="/dev/zero"),
        C("artifact", "fifo", "a FIFO where the artifact goes",
          ["gantk-run", "fifo.gantk-bin", "--out", "o"], 1, ("fifo.gantk-bin", "FIFO"),
          setup=each(out, files({"fifo.gantk-bin": "fifo"})), timeout=5),
        art_case("missing", "no such file", None, ("nothere.gantk-bin", "cannot open"), tool="describe", path="nothere.gantk-bin"),
        # Resealed: the digest matches; the verifier or the loader must find it.
        art_case("resealed-identifier", "GNTX instead of GNTK", edit_artifact(good, lambda f: f.b.__setitem__(7, ord("X"))),
                 ("resealed-identifier", "not a gantk artifact")),
        art_case("format-version-2", "a newer format", edit_artifact(good, root_put("format_version", "<I", 2)),
                 ("format-version-2", "format_version 2"), tool="describe"),
        art_case("precision-enum", "an enum value past the schema", edit_artifact(good, root_put("precision", "<b", 7)),
                 ("precision-enum", "invalid artifact", "precision 7")),
        art_case("arena-zero", "arena_bytes = 0", edit_artifact(good, root_put("arena_bytes", "<Q", 0)),
                 ("arena-zero", "invalid artifact", "arena_bytes"), tool="run"),
        art_case("view-past-arena", "X starts at the end of the arena", edit_artifact(good, root_put("real", "<Q", arena)),
                 ("view-past-arena", "invalid artifact", "real view", "outside the arena")),
        art_case("view-offset-wraps", "X at 2^64 - 8: offset + size wraps", edit_artifact(good, root_put("real", "<Q", 2**64 - 8)),
                 ("view-offset-wraps", "invalid artifact", "real view", "outside the arena"), tool="describe"),
        art_case("n-real-overflows", "n_real = 2^62: n_real * dim overflows", edit_artifact(good, root_put("n_real", "<q", 2**62)),
                 ("n-real-overflows", "invalid artifact", "n_real", "overflow")),
        art_case("gemm-negative-m", "a GEMM of -5 rows", edit_artifact(good, cmd_put("gemm", GEMM, "m", "<q", -5)),
                 ("gemm-negative-m", "invalid artifact", "command 0", "m=-5"), tool="run"),
        art_case("gemm-small-lda", "a leading dimension of 1", edit_artifact(good, cmd_put("gemm", GEMM, "lda", "<q", 1)),
                 ("gemm-small-lda", "invalid artifact", "command 0", "leading dimension 1")),
        art_case("syevd-small-lwork", "lwork = 1", edit_artifact(good, cmd_put("syevd", SYEVD, "lwork", "<q", 1)),
                 ("syevd-small-lwork", "invalid artifact", "syevd lwork 1"), tool="describe"),
        art_case("dispatch-kernel-index", "a dispatch of kernel 1000 (there are 9)",
                 edit_artifact(good, cmd_put("dispatch", DISPATCH, "kernel", "<I", 1000)), ("dispatch-kernel-index", "invalid artifact", "kernel 1000")),
        art_case("dispatch-negative-range", "a dispatch over [0, -1)",
                 edit_artifact(good, cmd_put("dispatch", DISPATCH, "range", "<q", -1)), ("dispatch-negative-range", "invalid artifact", "range -1"), tool="run"),
        art_case("command-type-unknown", "a command type newer than this runtime",
                 edit_artifact(good, lambda f: f.b.__setitem__(f.field(command(f, "gemm")[0], ENTRY["type"]), 99)),
                 ("command-type-unknown", "command 0", "unknown or missing command type")),
        art_case("results-past-arena", "a command's results view outside the arena",
                 edit_artifact(good, lambda f: f.put("<Q", f.vector(command(f, "gemm")[0], ENTRY["results"])[0], 2**63)),
                 ("results-past-arena", "invalid artifact", "result 0 view", "outside the arena"), tool="describe"),
        art_case("no-cpu-code", "the code object's target renamed: kernels without CPU code",
                 edit_artifact(good, lambda f: set_string_last(f, f.table(cpu_code(f), CODE["target"]), "X")),
                 ("no-cpu-code", "x86_64-linux-cpu")),
        art_case("code-truncated", "the code object's length halved (its ELF cut short)", edit_artifact(good, half_elf),
                 ("code-truncated", "invalid CPU code object"), tool="run"),
        art_case("code-not-elf", "a code object that is not ELF", edit_artifact(good, junk_elf),
                 ("code-not-elf", "not an x86-64 ELF shared object")),
        art_case("foreign-code-object", "another valid shared object in place of the code, resealed: it loads, and lacks the kernels",
                 edit_artifact(good, foreign_code), ("foreign-code-object", "is not exported by the code object")),
        art_case("kernel-renamed", "a kernel name the code object does not export",
                 edit_artifact(good, lambda f: set_string_last(f, f.table(f.tables(f.root(), ART["kernels"])[0], KERNEL["name"]), "X")),
                 ("kernel-renamed", "kernel '", "_entrX' is not exported")),
        C("artifact", "output-dir-climbs", "an artifact may not name an output dir ('../') out of the working directory",
          ["gantk", "run", k.write("art/output-dir-climbs.gantk-bin", edit_artifact(good, climb)), "--steps", "1"], 1,
          ("output-dir-climbs", "not below the working directory"), cwd="work", setup=files({"work": None})),
        art_case("fuzz-krylov-size-wraps", "Krylov sizes past the BLAS int range (fuzz_artifact)", None,
                 ("krylov-size-wraps", "Krylov sizes"), tool="describe", path=fuzz_art("krylov-size-wraps")),
        art_case("fuzz-krylov-basis-overflows", "a Krylov basis of 2^72 elements", None,
                 ("krylov-basis-overflows", "overflows 64 bits"), path=fuzz_art("krylov-basis-overflows")),
        art_case("fuzz-misaligned-dispatch-args", "a [ulong] vector 4 bytes off alignment", None,
                 ("misaligned-dispatch-args", "not 8-byte aligned"), tool="run", path=fuzz_art("misaligned-dispatch-args")),
        art_case("fuzz-image-shape-wraps", "an image shape whose product wraps to the dim", None,
                 ("image-shape-wraps", "overflows 64 bits"), path=fuzz_art("image-shape-wraps")),
        C("artifact", "cpu-lacks-features", "code for extensions this CPU lacks is refused before loading (GANTK_TEST_CPU_LACKS)",
          ["gantk-run", toy, "--out", "o"], 1, ("toy.bin", "which this CPU lacks"), setup=out,
          env={"GANTK_TEST_CPU_LACKS": ",".join(["sse4.2", "popcnt", "avx", "avx2", "fma", "bmi", "bmi2", "avx512f",
                                                 "avx512bw", "avx512dq", "avx512vl", "avx512cd", "avx512vnni"])}),
        C("artifact", "cuda-without-ptx", "--device=cuda for an artifact with CPU code only",
          ["gantk-run", toy, "--out", "o", "--device", "cuda"], 1, ("cuda",), setup=out),
    ]

    # --- cli: a bad command line is 2, whichever tool and however written;
    # a file an option names (--resume) is input (1) and is named.
    ck = k.dir("ck")
    L += [
        C("cli", "no-command", "gantk alone", ["gantk"], 2, ("gantk",)),
        C("cli", "unknown-command", "a command gantk does not have", ["gantk", "frob"], 2, ("unknown command 'frob'",)),
        C("cli", "unknown-option", "an option run does not take", ["gantk", "run", toy, "--bogus", "--out", "o"], 2, ("--bogus",)),
        C("cli", "missing-value", "--out without its value", ["gantk", "run", toy, "--out"], 2, ("--out",)),
        C("cli", "emit-unknown", "an --emit value that does not exist", ["gantk", "compile", toy_spec, "--emit=bogus"], 2, ("--emit", "bogus")),
        C("cli", "profile-not-boolean", "--profile takes 0 or 1", ["gantk", "bench", toy_spec, "-n", "5", "--profile", "7"], 2, ("--profile", "7")),
        C("cli", "too-many-positionals", "two artifacts", ["gantk", "run", toy, toy, "--out", "o"], 2, ("positional",)),
        C("cli", "no-input", "run without its input", ["gantk", "run"], 2, ("run takes one",)),
        C("cli", "compile-without-o", "an artifact needs -o", ["gantk", "compile", toy_spec], 2, ("-o FILE",)),
        C("cli", "steps-10e20", "--steps past int64", ["gantk", "run", toy, "--out", "o", "--steps", "99999999999999999999"], 2, ("--steps", "99999999999999999999")),
        C("cli", "steps-negative", "--steps -1", ["gantk-run", toy, "--out", "o", "--steps", "-1"], 2, ("--steps", "'-1'")),
        C("cli", "threads-zero", "--threads 0", ["gantk", "run", toy, "--out", "o", "--threads", "0"], 2, ("--threads", "[1, 1024]", "'0'")),
        C("cli", "threads-20000", "--threads past 1024", ["gantk-run", toy, "--out", "o", "--threads", "20000"], 2, ("--threads", "'20000'")),
        C("cli", "threads-2^31", "--threads past int", ["gantk", "grad", toy_spec, "--real", "x.npy", "--fake", "z.npy", "--threads", "2147483648"], 2, ("--threads", "'2147483648'")),
        C("cli", "memory-budget-1e400", "a budget past double", ["gantk", "compile", toy_spec, "-o", "a.bin", "--memory-budget", "1e400"], 2, ("--memory-budget", "'1e400'")),
        C("cli", "memory-budget-negative", "a negative budget", ["gantk", "run", toy_spec, "--memory-budget=-1", "--out", "o"], 2, ("--memory-budget", "'-1'")),
        C("cli", "memory-budget-text", "a budget that is no number", ["gantk", "bench", toy_spec, "-n", "5", "--memory-budget", "lots"], 2, ("--memory-budget", "'lots'")),
        C("cli", "checkpoint-every-zero", "--checkpoint-every 0", ["gantk", "run", toy, "--out", "o", "--checkpoint-every", "0"], 2, ("--checkpoint-every", "'0'")),
        C("cli", "bench-n-zero", "-n 0", ["gantk", "bench", toy_spec, "-n", "0"], 2, ("--n", "'0'")),
        C("cli", "bench-warmup-negative", "--warmup -1", ["gantk", "bench", toy_spec, "-n", "5", "--warmup=-1"], 2, ("--warmup", "'-1'")),
        C("cli", "device-tpu", "--device nonsense", ["gantk", "run", toy, "--out", "o", "--device", "tpu"], 2, ("--device", "'tpu'")),
        C("cli", "target-cpu-unknown", "--target-cpu nonsense", ["gantk", "compile", toy_spec, "-o", "a.bin", "--target-cpu=pentium9000"], 2, ("--target-cpu", "pentium9000")),
        C("cli", "target-unknown", "--target arm", ["gantk", "compile", toy_spec, "-o", "a.bin", "--target=arm"], 2, ("--target", "'arm'")),
        C("cli", "expect-digest-with-spec", "--expect-digest checks an artifact, not a spec", ["gantk", "run", toy_spec, "--expect-digest", zeros], 2, ("--expect-digest", "not a spec")),
        C("cli", "describe-code-without-o", "--code needs -o", ["gantk", "describe", toy, "--code", "x86_64-linux-cpu"], 2, ("describe needs",)),
        C("cli", "grad-without-fake", "grad needs --real and --fake", ["gantk", "grad", toy_spec, "--real", "x.npy"], 2, ("grad needs",)),
        C("cli", "run-no-artifact", "gantk-run alone", ["gantk-run"], 2, ("no artifact given",)),
        C("cli", "run-unknown-option", "gantk-run --bogus", ["gantk-run", toy, "--out", "o", "--bogus"], 2, ("unknown option '--bogus'",)),
        C("cli", "run-two-artifacts", "two artifacts", ["gantk-run", toy, toy, "--out", "o"], 2, ("more than one artifact",)),
        C("cli", "run-no-out", "gantk-run needs --out", ["gantk-run", toy], 2, ("--out DIR is required",)),
        C("cli", "run-out-empty", "--out= with no value", ["gantk-run", toy, "--out="], 2, ("--out needs a value",)),
        C("cli", "run-steps-text", "--steps=2x", ["gantk-run", toy, "--out", "o", "--steps=2x"], 2, ("--steps", "'2x'")),
        C("cli", "run-out-twice", "two different --out directories: one of them silently loses", ["gantk-run", toy, "--out", "o", "--out", "p"], 2, ("--out",)),
        C("cli", "resume-missing", "--resume of a directory that does not exist", ["gantk-run", toy, "--out", "o", "--resume", "nowhere"], 1, ("nowhere", "checkpoint")),
        C("cli", "resume-empty-dir", "--resume of a directory without a checkpoint", ["gantk-run", toy, "--out", "o", "--resume", "emptyd"], 1,
          ("emptyd/checkpoint.gantk",), setup=each(out, files({"emptyd": None}))),
        C("cli", "resume-not-checkpoint", "--resume of a spec file", ["gantk", "run", toy, "--out", "o", "--resume", toy_spec], 1, ("toy.gantk", "not a valid gantk checkpoint")),
        C("cli", "resume-truncated", "--resume of a checkpoint cut to 100 bytes", ["gantk-run", toy, "--out", "o", "--resume", "cut.gantk"], 1,
          ("cut.gantk", "not a valid gantk checkpoint"),
          setup=each(out, files({"cut.gantk": open(os.path.join(ck, "checkpoint.gantk"), "rb").read()[:100]}))),
        C("cli", "resume-dev-zero", "--resume of an endless device", ["gantk-run", toy, "--out", "o", "--resume", "/dev/zero"], 1, ("/dev/zero", "device")),
        C("cli", "resume-fifo", "--resume of a FIFO", ["gantk", "run", toy, "--out", "o", "--resume", "ck.fifo"], 1, ("ck.fifo", "FIFO"),
          setup=each(out, files({"ck.fifo": "fifo"})), timeout=5),
        C("cli", "resume-other-spec", "a checkpoint of a run with another seed", ["gantk-run", k.path("seed4.bin"), "--out", "o", "--resume", ck], 1,
          ("checkpoint.gantk", "differs", "seed 0 (checkpoint) vs 4")),
        C("cli", "resume-past-steps", "a checkpoint of step 2 resumed for 1 step", ["gantk-run", toy, "--out", "o", "--resume", ck, "--steps", "1"], 1,
          ("step 2", "past the run's 1 steps")),
    ]
    for c in L:
        if c.cat == "cli" and c.setup is None and "o" in c.argv:
            c.setup = out

    # --- output: refused before the first step, never written through a
    # link or over a FIFO or directory, nothing partial when the disk fills,
    # nothing left behind by a refused run.
    wide = k.dir("wide")
    wide_bin, prev = os.path.join(wide, "a.bin"), os.path.join(wide, "previous-samples.npy")
    victim = files({"victim": "keep\n"})
    rows150 = npy_bytes(RNG.uniform(0, 1, (150, 2)))
    L += [
        C("output", "out-is-file", "--out names a regular file", ["gantk-run", toy, "--out", "afile", "--steps", "1"], 1,
          ("afile", "cannot create the output directory"), setup=files({"afile": "data\n"})),
        C("output", "out-dangling-symlink", "--out is a link to nothing", ["gantk-run", toy, "--out", "dangling", "--steps", "1"], 1,
          ("dangling", "output directory"), setup=files({"dangling": "->nowhere"})),
        C("output", "out-symlink-to-file", "--out is a link to a file", ["gantk", "run", toy, "--out", "lfile", "--steps", "1"], 1,
          ("lfile", "output directory"), setup=each(victim, files({"lfile": "->victim"}))),
        C("output", "out-below-file", "a file in the way of --out's parent", ["gantk-run", toy, "--out", "afile/sub", "--steps", "1"], 1,
          ("afile/sub", "output directory"), setup=files({"afile": "data\n"})),
        C("output", "out-in-proc", "--out where no directory can be made (as root, chmod cannot make one read-only)",
          ["gantk-run", toy, "--out", "/proc/gantk-bad-inputs", "--steps", "1"], 1,
          ("/proc/gantk-bad-inputs", "output directory"), watch=("/proc/gantk-bad-inputs",)),
        C("output", "out-read-only", "a read-only bind mount (read-only for root too): refused before the first step, as a setup error (1)",
          ["gantk-run", toy, "--out", "m", "--steps", "1"], 1, ("m", "cannot write outputs here"),
          ns="ro", ns_populate="true", setup=files({"m/samples.npy": open(prev, "rb").read()})),
        C("output", "samples-is-directory", "a directory where samples.npy goes", ["gantk-run", toy, "--out", "o", "--steps", "1"], 1,
          ("o/samples.npy", "is a directory"), setup=files({"o/samples.npy": None})),
        C("output", "samples-link-in-linked-out", "--out is a link to a directory whose samples.npy links to a victim",
          ["gantk", "run", toy, "--out", "lo", "--steps", "1"], 1, ("samples.npy", "symbolic link"),
          setup=each(victim, files({"realdir/samples.npy": "->../victim", "lo": "->realdir"}))),
        C("output", "checkpoint-is-fifo", "a FIFO where checkpoint.gantk goes is refused, not opened (which would block)",
          ["gantk-run", toy, "--out", "o", "--steps", "1", "--checkpoint-every", "1"], 1, ("checkpoint.gantk", "FIFO"),
          setup=files({"o/checkpoint.gantk": "fifo"})),
        C("output", "png-is-symlink", "a link where samples.png goes (a spec with a scatter plot)",
          ["gantk", "run", "s.gantk", "--out", "o", "--steps", "1"], 1, ("samples.png", "symbolic link"),
          setup=each(victim, files({"s.gantk": TOY + "output {\n  plot = scatter\n}\n", "o/samples.png": "->../victim"}))),
        C("output", "compile-o-symlink", "-o onto a symbolic link: never written through", ["gantk", "compile", toy_spec, "-o", "link.bin"], 1,
          ("link.bin", "symbolic link"), setup=each(victim, files({"link.bin": "->victim"}))),
        C("output", "compile-o-fifo", "-o onto a FIFO", ["gantk", "compile", toy_spec, "-o", "fifo.bin"], 1,
          ("fifo.bin", "FIFO"), setup=files({"fifo.bin": "fifo"})),
        C("output", "compile-o-directory", "-o onto a directory", ["gantk", "compile", toy_spec, "-o", "adir"], 1,
          ("adir", "directory"), setup=files({"adir": None})),
        C("output", "compile-o-missing-dir", "-o into a directory that does not exist", ["gantk", "compile", toy_spec, "-o", "nodir/a.bin"], 1,
          ("nodir/a.bin", "No such file")),
        C("output", "describe-code-fifo", "describe --code -o onto a FIFO", ["gantk", "describe", toy, "--code", "x86_64-linux-cpu", "-o", "ff"], 1,
          ("ff", "FIFO"), setup=files({"ff": "fifo"})),
        C("output", "grad-out-symlink", "grad --out onto a link", ["gantk", "grad", toy_spec, "--real", "x.npy", "--fake", "x.npy", "--out", "g.npy"], 1,
          ("g.npy", "symbolic link"), setup=each(victim, files({"g.npy": "->victim", "x.npy": rows150}))),
        C("output", "kernel-out-directory", "kernel --out onto a directory", ["gantk", "kernel", toy_spec, "--input", "x.npy", "--out", "k.npy"], 1,
          ("k.npy", "directory"), setup=files({"k.npy": None, "x.npy": rows150})),
        C("output", "bad-data-no-new-dir", "a run refused for its data leaves no new, empty --out directory behind",
          ["gantk-run", "a.bin", "--out", "fresh"], 1, ("x.npy", "NaN"),
          setup=fx.compiled(data_spec('npy("x.npy")'), {"x.npy": GOOD_NPY}, {"x.npy": with_value(5, 2, np.nan)}, out=False)),
        C("output", "bad-resume-no-new-dir", "a refused --resume leaves no new, empty --out directory behind",
          ["gantk-run", toy, "--out", "fresh", "--resume", "nowhere"], 1, ("nowhere",)),
        C("output", "disk-full", "a full file system (16 KiB tmpfs): refused before the first step; disk exhausted is 3",
          ["gantk-run", wide_bin, "--out", "m/o", "--steps", "1"], 3, ("m/o", "No space left"),
          ns="tmpfs:16k", ns_populate="mkdir o; dd if=/dev/zero of=fill bs=1k 2>/dev/null; true", setup=files({"m": None})),
        C("output", "disk-too-small", "room for the probe, not for the 77 KB samples: refused before the first step or failing in the write, "
          "3 either way, the earlier samples kept, no temporary left",
          ["gantk-run", wide_bin, "--out", "m/o", "--steps", "1"], 3, ("samples.npy", ("No space left", "free space")),
          ns="tmpfs:128k", ns_populate=f"mkdir o && cp {prev} o/samples.npy && dd if=/dev/zero of=fill bs=4k count=10 2>/dev/null",
          setup=files({"m": None})),
        C("output", "file-size-limit", "RLIMIT_FSIZE below the samples (SIGXFSZ ignored): refused before the first step or failing "
          "in the write, 3 either way, the earlier samples kept",
          ["gantk-run", wide_bin, "--out", "o", "--steps", "1"], 3,
          (("o/samples.npy", "o: "), ("File too large", "file size limit")), fsize=50000,
          setup=files({"o/samples.npy": open(prev, "rb").read()})),
    ]
    return L


# ---------------------------------------------------------------------------
# Running and checking
# ---------------------------------------------------------------------------

def snapshot(path):
    """{relative name: (kind, size, sha256 or link target)} below `path`,
    not following links and never opening anything but regular files."""
    out = {}
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return {".": ("absent",)}
    except OSError as e:
        return {".": ("error", str(e))}

    def entry(p, st):
        if stat.S_ISREG(st.st_mode):
            h = hashlib.sha256()
            with open(p, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            return ("file", st.st_size, h.hexdigest())
        if stat.S_ISLNK(st.st_mode):
            return ("link", os.readlink(p))
        if stat.S_ISDIR(st.st_mode):
            return ("dir",)
        if stat.S_ISFIFO(st.st_mode):
            return ("fifo",)
        return ("other", stat.S_IFMT(st.st_mode))

    out["."] = entry(path, st)
    if stat.S_ISDIR(st.st_mode):
        for root, dirs, files in os.walk(path):
            for name in dirs + files:
                p = os.path.join(root, name)
                out[os.path.relpath(p, path)] = entry(p, os.lstat(p))
    return out


def diff(before, after):
    """What changed between two snapshots, in words."""
    changes = []
    for name in sorted(set(before) | set(after)):
        b, a = before.get(name), after.get(name)
        if b == a:
            continue
        if b is None:
            changes.append(f"new {a[0]} {name}")
        elif a is None:
            changes.append(f"removed {b[0]} {name}")
        else:
            changes.append(f"changed {name} ({b[0]} -> {a[0]})")
    return changes


def temporaries(before, after):
    new = [n for n in after if n not in before]
    return [n for n in new
            if ".tmp" in os.path.basename(n) or os.path.basename(n).startswith(".")]


WRAPPER = r"""#!/bin/sh
# Runs a command inside a private mount namespace (unshare -rm): MODE is
# tmpfs:SIZE (a small file system at MNT) or ro (MNT bind-mounted
# read-only). POPULATE runs in MNT first; MNT's listing goes to LIST.before
# and LIST.after (the runner compares them: the mount is gone afterwards).
mode=$1 mnt=$2 list=$3 populate=$4
shift 4
case $mode in
  tmpfs:*) mount -t tmpfs -o size="${mode#tmpfs:}" tmpfs "$mnt" || exit 97 ;;
  ro) mount --bind "$mnt" "$mnt" || exit 97 ;;
esac
(cd "$mnt" && sh -c "$populate") || exit 98
if [ "$mode" = ro ]; then mount -o remount,ro,bind "$mnt" || exit 97; fi
listing() { (cd "$mnt" && find . | LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort); }
listing > "$list.before"
"$@"
rc=$?
listing > "$list.after"
exit $rc
"""


def namespace_support(work):
    """None when `unshare -rm` can mount a tmpfs and a read-only bind
    mount here, else the reason."""
    if not shutil.which("unshare"):
        return "no unshare(1)"
    d = os.path.join(work, "ns-probe")
    os.makedirs(d, exist_ok=True)
    r = subprocess.run(["unshare", "-rm", "sh", "-c",
                        f"mount -t tmpfs -o size=16k tmpfs {d} && "
                        f"mount --bind {d} {d} && mount -o remount,ro,bind {d}"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return "unshare -rm cannot mount here: " + (r.stderr.strip() or f"status {r.returncode}")
    return None


def run_case(c, tools, work, timeout, ns_reason):
    timeout = c.timeout or timeout
    """Runs one case; returns (status, reasons) with status PASS, FAIL or
    SKIP."""
    if c.ns and ns_reason:
        return "SKIP", [ns_reason]
    d = os.path.join(work, "run", c.cat, c.id)
    if os.path.lexists(d):
        shutil.rmtree(d)
    os.makedirs(d)
    try:
        if c.setup:
            c.setup(d)
    except Exception as e:  # a broken fixture is a failure of the case
        return "FAIL", [f"setup failed: {e}"]
    argv = [tools[c.argv[0]]] + list(c.argv[1:])
    watched = [d] + [w for w in c.watch]
    before = {w: snapshot(w) for w in watched}
    listing = os.path.join(work, "ns", f"{c.cat}-{c.id}")
    if c.ns:
        os.makedirs(os.path.dirname(listing), exist_ok=True)
        argv = (["unshare", "-rm", "sh", os.path.join(work, "wrap.sh"), c.ns,
                 os.path.join(d, c.ns_dir), listing, c.ns_populate] + argv)
    env = dict(os.environ, GANTK_NUM_THREADS="2")
    env.update(c.env or {})

    def limits():
        # Guard the machine against a runaway allocation (it shows as a
        # crash instead), and apply the case's file size limit.
        if MEMORY_LIMIT:
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        if c.fsize:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (c.fsize, c.fsize))

    reasons = []
    # Its own process group, so that a hang is ended with all it started.
    p = subprocess.Popen(argv, cwd=os.path.join(d, c.cwd), env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, preexec_fn=limits,
                         start_new_session=True)
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        _, err = p.communicate()
        return "FAIL", [f"hang: no exit within {timeout} s",
                        "stderr: " + err.decode("utf-8", "replace")[-500:]]
    rc, err = p.returncode, err.decode("utf-8", "replace")
    if c.ns and rc in (97, 98):
        return "SKIP", [f"the namespace wrapper failed ({rc}): {err.strip()}"]
    lines = [l for l in err.split("\n") if l.strip()]
    first = lines[0] if lines else ""

    # (a) no crash, the documented status.
    if rc < 0:
        reasons.append(f"crash: killed by signal {-rc} ({signal.Signals(-rc).name})")
    elif rc >= 128:
        reasons.append(f"crash: status {rc} (a signal's)")
    elif rc != c.status:
        reasons.append(f"status {rc}, expected {c.status}")
    # (b) the first line: prefix, file or option, what is wrong.
    spec_form = c.cat == "spec" and SPEC_ERROR.match(first)
    if not first:
        reasons.append("nothing on stderr")
    elif not (TOOL_ERROR.match(first) or spec_form):
        reasons.append("first line does not start with 'gantk: error: ' / "
                       "'gantk-run: error: '" +
                       (" or 'FILE[:LINE:COL]: error: '" if c.cat == "spec" else ""))
    for s in c.expect:
        alternatives = s if isinstance(s, tuple) else (s,)
        if not any(a in first for a in alternatives):
            reasons.append("first line lacks " +
                           " or ".join(repr(a) for a in alternatives))
    for s in c.absent:
        if s in first:
            reasons.append(f"first line says {s!r}")
    # (c) one line (a spec error: its source line and caret; usage: text).
    if c.status in (1, 3):
        allowed = 3 if spec_form else 1
        if len(lines) > allowed:
            reasons.append(f"{len(lines)} lines on stderr, expected {allowed}")
    # (d) nothing written, nothing partial, no temporary left.
    for w in watched:
        after = snapshot(w)
        changes = diff(before[w], after)
        if changes:
            where = "" if w == d else f" {w}:"
            reasons.append("wrote" + where + " " + "; ".join(changes[:6]))
        tmp = temporaries(before[w], after)
        if tmp:
            reasons.append("temporary files left: " + ", ".join(tmp))
    if c.ns:
        try:
            with open(listing + ".before") as f:
                b = f.read()
            with open(listing + ".after") as f:
                a = f.read()
        except OSError as e:
            reasons.append(f"no listing of the mount: {e}")
        else:
            if a != b:
                gone = sorted(set(b.splitlines()) - set(a.splitlines()))
                new = sorted(set(a.splitlines()) - set(b.splitlines()))
                reasons.append(f"the mount changed: removed {gone[:4]}, new {new[:4]}")
    if reasons:
        reasons.append(f"status {rc}; stderr: " + (err.strip()[:1500] or "(empty)"))
        return "FAIL", reasons
    return "PASS", []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gantk", required=True)
    ap.add_argument("--gantk-run", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--list", action="store_true",
                    help="print the cases (category, id, status, why) and exit")
    ap.add_argument("--only", default="",
                    help="run the cases whose cat/id contains this")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--sanitized", action="store_true",
                    help="the tools are built with AddressSanitizer, which "
                         "reserves terabytes of address space: no RLIMIT_AS")
    args = ap.parse_args()
    global MEMORY_LIMIT
    if args.sanitized:
        MEMORY_LIMIT = None

    tools = {"gantk": os.path.abspath(args.gantk),
             "gantk-run": os.path.abspath(args.gantk_run)}
    work = os.path.abspath(args.work)
    if os.path.lexists(work):
        shutil.rmtree(work)
    os.makedirs(work)
    write(os.path.join(work, "wrap.sh"), WRAPPER)

    k, good, notes = build_inputs(work, tools["gantk"], tools["gantk-run"])
    fx = Fixtures(tools["gantk"], tools["gantk-run"], k)
    table = cases(k, good, fx)
    names = [c.name for c in table]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        sys.exit(f"duplicate case ids: {sorted(dupes)}")
    if args.list:
        for c in table:
            print(f"{c.name:48} {c.status}  {c.why}")
        print(f"{len(table)} cases: " + ", ".join(
            f"{cat} {sum(c.cat == cat for c in table)}" for cat in CATEGORIES))
        return 0

    ns_reason = namespace_support(work)
    for n in notes:
        print("note: " + n)
    if ns_reason:
        print("note: the full-disk and read-only cases are skipped: " + ns_reason)
    selected = [c for c in table if args.only in c.name]
    start = time.time()
    failures = {cat: 0 for cat in CATEGORIES}
    skipped, ran, recap = [], 0, []
    for c in selected:
        status, reasons = run_case(c, tools, work, args.timeout, ns_reason)
        if status == "SKIP":
            skipped.append(c.name)
            print(f"SKIP {c.name}: {reasons[0]}")
            continue
        ran += 1
        if status == "PASS":
            print(f"PASS {c.name}")
        else:
            failures[c.cat] += 1
            line = f"FAIL {c.name}: " + "\n    ".join(reasons)
            print(line)
            recap.append(line + "\n    command: " + " ".join(c.argv) +
                         f"\n    expected: status {c.status}, first line with " +
                         ", ".join(repr(e) for e in c.expect))
        sys.stdout.flush()
    total_failed = sum(failures.values())
    if recap:  # again on stderr, which lit shows when the test fails
        print("\n".join(recap), file=sys.stderr)
    if skipped:
        print(f"bad-input catalogue: {len(skipped)} skipped ({', '.join(skipped)})")
    print(f"bad-input catalogue: {ran} cases, {total_failed} failures (" +
          ", ".join(f"{cat} {failures[cat]}" for cat in CATEGORIES) +
          f") in {time.time() - start:.0f} s")
    if total_failed or (not args.only and ran < MIN_CASES):
        if not args.only and ran < MIN_CASES:
            print(f"bad-input catalogue: fewer than {MIN_CASES} cases ran")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
