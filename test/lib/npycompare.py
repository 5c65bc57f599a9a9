#!/usr/bin/env python3
"""Compare numerical results with reference fixtures (for lit tests).

Runs with Debian's /usr/bin/python3 and python3-numpy (no venv needed).

Arrays:
    npycompare.py ACTUAL.npy EXPECTED.npy --rtol R [--norm max|fro]
  --norm max (default): max_ij |A - E| / max_ij |E|
  --norm fro          : ||A - E||_F / ||E||_F
  Prints "max relative error <e>" (or "frobenius relative error <e>") and
  exits 1 if e > R, if the shapes differ or if ACTUAL has a NaN/Inf.

Scalars (a `loss <value>` line printed by `gantk grad`):
    npycompare.py --loss ACTUAL.txt EXPECTED.txt --rtol R
  (`--scalar-file` is a synonym.)  ACTUAL.txt: the last line of the form
  `loss <value>` is used. EXPECTED.txt: a file holding one float (repr).
  Prints "loss relative error <e>" = |a - e| / |e| and exits 1 if e > R.

Exit status: 0 pass, 1 mismatch, 2 usage/IO error.
"""

import argparse
import math
import re
import sys

import numpy as np


def fail(msg, code=1):
    print(f"npycompare: error: {msg}", file=sys.stderr)
    sys.exit(code)


def load_npy(path):
    try:
        return np.load(path, allow_pickle=False)
    except Exception as e:  # noqa: BLE001 - report any load failure the same way
        fail(f"cannot read {path}: {e}", 2)


def read_loss(path):
    try:
        text = open(path).read()
    except OSError as e:
        fail(f"cannot read {path}: {e}", 2)
    found = re.findall(r"^\s*loss[\s:=]+(\S+)\s*$", text, re.MULTILINE)
    if not found:
        fail(f"no 'loss <value>' line in {path}", 1)
    try:
        return float(found[-1])
    except ValueError:
        fail(f"cannot parse loss value {found[-1]!r} in {path}", 1)


def read_scalar(path):
    try:
        text = open(path).read().split()
    except OSError as e:
        fail(f"cannot read {path}: {e}", 2)
    if not text:
        fail(f"{path} is empty", 2)
    try:
        return float(text[-1])
    except ValueError:
        fail(f"cannot parse a float from {path}", 2)


def compare_arrays(args):
    a = load_npy(args.actual)
    e = load_npy(args.expected)
    if a.shape != e.shape:
        fail(f"shape mismatch: actual {a.shape}, expected {e.shape}")
    a = a.astype(np.float64)
    e = e.astype(np.float64)
    if not np.all(np.isfinite(a)):
        fail(f"actual has {int(np.sum(~np.isfinite(a)))} non-finite entries")
    if args.norm == "fro":
        denom = float(np.linalg.norm(e))
        err = float(np.linalg.norm(a - e)) / denom if denom > 0 else float(np.linalg.norm(a))
        label = "frobenius relative error"
    else:
        denom = float(np.max(np.abs(e))) if e.size else 0.0
        diff = float(np.max(np.abs(a - e))) if e.size else 0.0
        err = diff / denom if denom > 0 else diff
        label = "max relative error"
    print(f"{label} {err:.3e}")
    if not err <= args.rtol:
        if args.norm == "max" and e.size:
            idx = np.unravel_index(int(np.argmax(np.abs(a - e))), e.shape)
            print(f"worst entry {tuple(int(i) for i in idx)}: actual {a[idx]!r} "
                  f"expected {e[idx]!r}", file=sys.stderr)
        fail(f"{label} {err:.3e} exceeds rtol {args.rtol:g}")


def compare_loss(args):
    a = read_loss(args.actual)
    e = read_scalar(args.expected)
    if not math.isfinite(a):
        fail(f"actual loss is {a}")
    err = abs(a - e) / abs(e) if e != 0 else abs(a)
    print(f"loss relative error {err:.3e} (actual {a!r}, expected {e!r})")
    if not err <= args.rtol:
        fail(f"loss relative error {err:.3e} exceeds rtol {args.rtol:g}")


def main():
    ap = argparse.ArgumentParser(description="Compare results with fixtures.")
    ap.add_argument("actual")
    ap.add_argument("expected")
    ap.add_argument("--rtol", type=float, required=True)
    ap.add_argument("--norm", choices=("max", "fro"), default="max")
    ap.add_argument("--loss", "--scalar-file", dest="loss", action="store_true",
                    help="compare the `loss <value>` line of ACTUAL (text) "
                         "with the float in EXPECTED")
    args = ap.parse_args()
    if args.loss:
        compare_loss(args)
    else:
        compare_arrays(args)


if __name__ == "__main__":
    main()
