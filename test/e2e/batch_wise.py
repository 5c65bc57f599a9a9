#!/usr/bin/env python3
"""Checks of batch_wise.test on the Z before and after gantk run's steps.

  batch_wise.py moved Z0.npy Z1.npy COUNT [--rows-out ROWS.npy]
      exactly COUNT rows of Z differ between Z0 and Z1 (the others are
      bit-identical); with --rows-out, writes those rows of Z0 (the step's
      generated rows, ascending) for `gantk grad`.
  batch_wise.py update Z0.npy Z1.npy GRAD.npy LR
      the rows that moved are Z0 - LR * GRAD to 1e-12 relative (GRAD is
      dL/dZ of those rows from `gantk grad`), and no other row moved.
"""
import sys

import numpy as np


def moved_rows(z0, z1):
    return np.flatnonzero(np.any(z0 != z1, axis=1))


def main(argv):
    if argv[1] == "moved":
        z0, z1, count = np.load(argv[2]), np.load(argv[3]), int(argv[4])
        rows = moved_rows(z0, z1)
        print(f"{len(rows)} of {len(z0)} rows moved")
        if len(rows) != count:
            return 1
        if len(argv) > 6 and argv[5] == "--rows-out":
            np.save(argv[6], z0[rows])
        return 0
    if argv[1] == "update":
        z0, z1, g, lr = (np.load(argv[2]), np.load(argv[3]), np.load(argv[4]),
                         float(argv[5]))
        rows = moved_rows(z0, z1)
        expected = z0[rows] - lr * g
        err = np.max(np.abs(z1[rows] - expected)) / np.max(np.abs(expected))
        print(f"update of {len(rows)} rows: max relative error {err:.2e}")
        return 0 if g.shape == z1[rows].shape and err <= 1e-12 else 1
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
