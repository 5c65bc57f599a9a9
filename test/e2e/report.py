"""Checks of test/e2e/report.test on a run's outputs.

  report.py units DATA.npy UNIT.npy   samples in the data's coordinates are
                                      one affine map (the same for every
                                      value) of the unit ones, and that map
                                      is not the identity
"""
import sys

import numpy as np


def units(data_path, unit_path):
    data = np.load(data_path)
    unit = np.load(unit_path)
    assert data.shape == unit.shape, (data.shape, unit.shape)
    assert unit.min() >= 0 and unit.max() <= 1, (unit.min(), unit.max())
    # data = offset + scale * unit, fitted over every value.
    a = np.stack([np.ones(unit.size), unit.ravel()], axis=1)
    (offset, scale), *_ = np.linalg.lstsq(a, data.ravel(), rcond=None)
    residual = np.abs(a @ np.array([offset, scale]) - data.ravel()).max()
    print("offset %.6f scale %.6f residual %.1e" % (offset, scale, residual))
    assert residual < 1e-9, residual
    # The 3x3 grid's data reach about -1.2 .. 1.2: a range of about 2.4.
    assert 2.0 < scale < 3.0 and -1.5 < offset < -1.0, (offset, scale)
    print("units: ok")


if __name__ == "__main__":
    {"units": units}[sys.argv[1]](*sys.argv[2:])
