#!/usr/bin/env python3
"""multi_resolution.test's check: the multi-resolution loss and dL/dZ are
the weighted sums of the single discriminators'.

  multi_resolution.py DIR W0 W1 ...

DIR holds loss.txt and g.npy (all discriminators in one step) and lossK.txt,
gK.npy (discriminator K alone, `gantk grad`). Writes DIR/loss.value (the
one-step loss, for later comparisons). Exit 1 on a relative error > 1e-12.
"""
import re
import sys

import numpy as np


def loss(path):
    return float(re.findall(r"^loss (\S+)$", open(path).read(), re.M)[-1])


def main(argv):
    d, weights = argv[1], [float(w) for w in argv[2:]]
    want_loss = sum(w * loss(f"{d}/loss{k}.txt") for k, w in enumerate(weights))
    want_grad = sum(w * np.load(f"{d}/g{k}.npy") for k, w in enumerate(weights))
    got_loss, got_grad = loss(f"{d}/loss.txt"), np.load(f"{d}/g.npy")
    open(f"{d}/loss.value", "w").write(repr(got_loss))
    loss_err = abs(got_loss - want_loss) / abs(want_loss)
    grad_err = np.abs(got_grad - want_grad).max() / np.abs(want_grad).max()
    print(f"loss {got_loss!r} vs {want_loss!r}: relative {loss_err:.1e}")
    print(f"dL/dZ: max relative {grad_err:.1e}")
    return 0 if loss_err <= 1e-12 and grad_err <= 1e-12 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
