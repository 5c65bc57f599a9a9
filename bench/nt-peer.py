#!/usr/bin/env python3
"""The peer: one GA-NTK step with Neural Tangents + JAX, timed.

The same step as `gantk bench`: S = [X; Z] (X: the first n Fashion-MNIST
training images, Z: uniform in [0, 1]), K = the discriminator's NTK from
NT's closed-form `kernel_fn`, K' = K + eig_reg·(tr K / N)·I,
U = exp(−λK')y through the symmetric eigendecomposition with eigenvalues
clamped at 0 (as the public GA-NTK code does), the squared loss
½‖(1 − y) + U‖² and its gradient in Z by `jax.jit(jax.value_and_grad)`.
λ = 1000 normalised (1000 / N), eig_reg = 1e-5, as bench/*.gantk.

Prints one line per n: median seconds per step over the timed steps (after
one warm-up step, which also compiles), like `gantk bench`.

Run with the fixtures' virtual environment (not needed by CI):
    .venv-fixtures/bin/python bench/nt-peer.py --arch mnist --n 256 512
"""

import argparse
import gzip
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from neural_tangents import stax  # noqa: E402

W_STD, B_STD = 1.2089, 0.3162
IMAGES = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"


def architecture(name):
    if name == "mnist":  # the paper's MNIST GA-CNTK
        return stax.serial(
            stax.Conv(64, (4, 4), (2, 2), "SAME", W_std=W_STD, b_std=B_STD),
            stax.Relu(),
            stax.Conv(128, (4, 4), (2, 2), "SAME", W_std=W_STD, b_std=B_STD),
            stax.Relu(),
            stax.Flatten(),
            stax.Dense(1, W_std=W_STD, b_std=B_STD),
            stax.Relu(),
            stax.Dense(1, W_std=W_STD, b_std=B_STD),
        )
    if name == "fntk":  # 3 × [dense, relu] → dense on flattened images
        layers = []
        for _ in range(3):
            layers += [stax.Dense(1, W_std=W_STD, b_std=B_STD), stax.Relu()]
        return stax.serial(stax.Flatten(), *layers,
                           stax.Dense(1, W_std=W_STD, b_std=B_STD))
    raise SystemExit(f"unknown architecture {name}")


def images(n):
    if not os.path.exists(IMAGES):
        raise SystemExit(f"{IMAGES} not found: apt-get install dataset-fashion-mnist")
    with gzip.open(IMAGES) as f:
        f.read(16)
        raw = np.frombuffer(f.read(n * 784), dtype=np.uint8)
    return raw.reshape(n, 28, 28, 1) / 255.0


def step_fn(kernel_fn, n, dtype):
    total = 2 * n
    lam = 1000.0 / total
    y = jnp.concatenate([jnp.ones((n, 1)), jnp.zeros((n, 1))]).astype(dtype)

    def loss(z, x):
        s = jnp.concatenate([x, z])
        k = kernel_fn(s, None, "ntk")
        k = k + 1e-5 * jnp.trace(k) / total * jnp.eye(total, dtype=dtype)
        mu, q = jnp.linalg.eigh(k)
        e = jnp.exp(-lam * jnp.maximum(mu, 0))
        u = q @ (e[:, None] * (q.T @ y))
        r = (1 - y) + u
        return 0.5 * jnp.sum(r * r)

    return jax.jit(jax.value_and_grad(loss))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--arch", default="mnist", choices=["mnist", "fntk"])
    p.add_argument("--n", type=int, nargs="+", default=[256])
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--precision", default="f32", choices=["f32", "f64"])
    args = p.parse_args()
    if args.precision == "f64":
        jax.config.update("jax_enable_x64", True)
    dtype = jnp.float32 if args.precision == "f32" else jnp.float64
    _, _, kernel_fn = architecture(args.arch)
    for n in args.n:
        x = jnp.asarray(images(n), dtype=dtype)
        z = jnp.asarray(np.random.default_rng(0).uniform(0, 1, x.shape), dtype=dtype)
        fn = step_fn(kernel_fn, n, dtype)
        t0 = time.perf_counter()
        jax.block_until_ready(fn(z, x))  # compiles
        warm = time.perf_counter() - t0
        times = []
        for _ in range(args.steps):
            t0 = time.perf_counter()
            value, grad = fn(z, x)
            jax.block_until_ready(grad)
            times.append(time.perf_counter() - t0)
        print(f"nt n={n} N={2 * n} {args.arch} {args.precision} "
              f"cores={os.cpu_count()}: median {statistics.median(times):.4g} "
              f"s/step over {args.steps} steps (first step with jit: "
              f"{warm:.3g} s), loss {float(value):.6e}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
