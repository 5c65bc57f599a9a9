"""Discriminators in Neural Tangents' vocabulary, written out as gantk specs.

``serial`` chains layers named as in ``neural_tangents.stax`` (with its
parameter names, ``W_std`` and ``b_std``), and ``.spec(...)`` writes the
spec (docs/dsl.md) that gantk compiles::

    from gantk import stax
    net = stax.serial(stax.Dense(512, W_std=1.5, b_std=0.2), stax.Relu(),
                      stax.Dense(1, W_std=1.5, b_std=0.2))
    spec = net.spec(data=stax.npy("x.npy"), n=256,
                    objective={"lambda": "1000 normalized"},
                    train={"optimizer": stax.adam(lr=0.003, clip=(0, 1))})
    ntk, nngp = gantk.kernel(net.spec(), S)

The layers are those gantk's discriminators have: ``Dense``, ``Conv``,
``Flatten``, ``AvgPool`` (as the first layer), ``Relu``, ``LeakyRelu``,
``Abs``, ``Erf``, ``Gelu`` (exact), ``Sin``, and ``repeat``. Widths
(``out_dim``, ``out_chan``) are accepted and ignored: every layer is
infinitely wide. Neural Tangents layers gantk has not (``Tanh``,
``GlobalAvgPool``, ``parallel``, ...) raise AttributeError naming the
ones it has; arguments it cannot honour raise ValueError.
"""

import math
import os
from typing import Mapping, Optional, Sequence, Union

from . import Spec

__all__ = [
    "Abs", "AvgPool", "Conv", "Dense", "Erf", "Flatten", "Gelu", "LeakyRelu",
    "Network", "Relu", "Sin", "adam", "call", "gaussian_grid",
    "gaussian_ring", "gd", "idx", "images", "npy", "repeat", "serial",
]

# ---------------------------------------------------------------------------
# Values in the spec language
# ---------------------------------------------------------------------------


def _number(value, what: str) -> str:
    """A number as the spec language writes it (floats exactly)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("%s must be a number, got %r" % (what, value))
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("%s must be finite, got %r" % (what, value))
    return str(value) if isinstance(value, int) else repr(value)


def _string(text: str) -> str:
    """A string literal of the spec language."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"')
               .replace("\n", "\\n").replace("\t", "\\t"))
    return '"%s"' % escaped


def _value(value, what: str) -> str:
    """A statement's or argument's value: a str is spec text as it is,
    numbers are written exactly, sequences become lists ``[a, b]``."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "[%s]" % ", ".join(_value(v, what) for v in value)
    if isinstance(value, (os.PathLike,)):
        return _string(os.fspath(value))
    return _number(value, what)


def call(name: str, *args, **kwargs) -> str:
    """The call ``name(args, key: value, ...)`` in the spec language."""
    parts = [_value(a, name) for a in args]
    parts += ["%s: %s" % (k, _value(v, "%s's %s" % (name, k)))
              for k, v in kwargs.items() if v is not None]
    return "%s(%s)" % (name, ", ".join(parts)) if parts else name


# Data sources and optimisers (docs/dsl.md, "Data sources" and "train").

def npy(path: Union[str, os.PathLike]) -> str:
    """``npy(path)``: (N, d) rows or (N, H, W[, C]) images."""
    return call("npy", _string(os.fspath(path)))


def idx(path: Union[str, os.PathLike], label: Optional[int] = None) -> str:
    """``idx(path, label:)``: IDX images (MNIST layout)."""
    return call("idx", _string(os.fspath(path)), label=label)


def images(path: Union[str, os.PathLike]) -> str:
    """``images(path)``: every PNG of a folder."""
    return call("images", _string(os.fspath(path)))


def gaussian_grid(size: int = 5, spacing: float = 1.0,
                  std: float = 0.05) -> str:
    """``gaussian_grid(size:, spacing:, std:)``: a size x size grid of 2-D
    Gaussians."""
    return call("gaussian_grid", size=size, spacing=spacing, std=std)


def gaussian_ring(modes: int = 5, radius: float = 1.0,
                  std: float = 0.05) -> str:
    """``gaussian_ring(modes:, radius:, std:)``: Gaussians on a circle."""
    return call("gaussian_ring", modes=modes, radius=radius, std=std)


def gd(lr: float = 1, clip: Optional[Sequence[float]] = None) -> str:
    """``gd(lr:, clip:)``: gradient descent."""
    return call("gd", lr=lr, clip=clip)


def adam(lr: float = 1, clip: Optional[Sequence[float]] = None,
         beta1: Optional[float] = None, beta2: Optional[float] = None,
         eps: Optional[float] = None) -> str:
    """``adam(lr:, clip:, beta1:, beta2:, eps:)``."""
    return call("adam", lr=lr, clip=clip, beta1=beta1, beta2=beta2, eps=eps)


# ---------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------


class Layer:
    """One layer of a discriminator: the spec statements it writes."""

    def __init__(self, text: str):
        self._text = text

    def lines(self):
        return [self._text]

    def __repr__(self) -> str:
        return "<gantk.stax layer %s>" % " ".join(self.lines())


def _check_ntk(parameterization: str) -> None:
    if parameterization != "ntk":
        raise ValueError("gantk computes the NTK parameterisation only, not "
                         "parameterization=%r" % (parameterization,))


def _pair(value, what: str):
    if isinstance(value, int):
        return [value, value]
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return list(value)
    raise ValueError("%s must be two integers (height, width), got %r"
                     % (what, value))


def _padding(padding: str, allowed) -> str:
    name = str(padding).lower()
    if name not in allowed:
        raise ValueError("padding %r is not one gantk has (%s)"
                         % (padding, ", ".join(p.upper() for p in allowed)))
    return name


def Dense(out_dim: Optional[int] = None, W_std: float = 1.0,
          b_std: Optional[float] = None,
          parameterization: str = "ntk") -> Layer:
    """``stax.Dense``: a fully connected layer, weights N(0, W_std²/fan_in),
    biases N(0, b_std²) (``b_std=None``: none)."""
    _check_ntk(parameterization)
    args = [out_dim] if out_dim is not None else []
    return Layer(call("dense", *args, w_std=W_std, b_std=b_std or 0))


def Conv(out_chan: Optional[int], filter_shape: Sequence[int],
         strides: Optional[Sequence[int]] = None, padding: str = "VALID",
         W_std: float = 1.0, b_std: Optional[float] = None,
         parameterization: str = "ntk") -> Layer:
    """``stax.Conv``: a convolution over H x W with shared weights."""
    _check_ntk(parameterization)
    args = [out_chan] if out_chan is not None else []
    return Layer(call("conv", *args,
                      kernel=_pair(filter_shape, "filter_shape"),
                      stride=_pair(strides or (1, 1), "strides"),
                      padding=_padding(padding, ("same", "valid",
                                                 "circular")),
                      w_std=W_std, b_std=b_std or 0))


def AvgPool(window_shape: Sequence[int],
            strides: Optional[Sequence[int]] = None, padding: str = "VALID",
            normalize_edges: bool = False) -> Layer:
    """``stax.AvgPool`` on the input images (gantk's only place for it)."""
    if normalize_edges:
        raise ValueError("gantk's avg_pool is Neural Tangents' with "
                         "normalize_edges=False")
    return Layer(call("avg_pool", window=_pair(window_shape, "window_shape"),
                      stride=(_pair(strides, "strides") if strides else None),
                      padding=_padding(padding, ("same", "valid"))))


def Flatten() -> Layer:
    """``stax.Flatten``: the maps become one vector per image."""
    return Layer("flatten")


def Relu() -> Layer:
    """``stax.Relu``: max(x, 0)."""
    return Layer("relu")


def LeakyRelu(alpha: float) -> Layer:
    """``stax.LeakyRelu``: x if x > 0, else alpha·x."""
    return Layer(call("leaky_relu", alpha=alpha))


def Abs() -> Layer:
    """``stax.Abs``: |x|."""
    return Layer("abs")


def Erf(a: float = 1.0, b: float = 1.0, c: float = 0.0) -> Layer:
    """``stax.Erf``: a·erf(b·x) + c."""
    return Layer(call("erf", a=a, b=b, c=c))


def Gelu(approximate: bool = False) -> Layer:
    """``stax.Gelu``: x·Φ(x), the exact GeLU."""
    if approximate:
        raise ValueError("gantk's gelu is the exact x·Φ(x) "
                         "(Gelu(approximate=False))")
    return Layer("gelu")


def Sin(a: float = 1.0, b: float = 1.0, c: float = 0.0) -> Layer:
    """``stax.Sin``: a·sin(b·x + c)."""
    return Layer(call("sin", a=a, b=b, c=c))


class Network(Layer):
    """Layers in order (``serial``); ``.spec(...)`` writes the spec."""

    def __init__(self, layers):
        for layer in layers:
            if not isinstance(layer, Layer):
                raise TypeError("serial takes gantk.stax layers, got %r"
                                % (layer,))
        self.layers = list(layers)

    def lines(self):
        return [line for layer in self.layers for line in layer.lines()]

    def spec(self, data: Optional[str] = None, *, n: Optional[int] = None,
             m: Optional[int] = None, scale: Optional[str] = None,
             objective: Optional[Mapping] = None,
             train: Optional[Mapping] = None,
             output: Optional[Mapping] = None,
             name: str = "<stax>") -> Spec:
        """The spec with this network as its discriminator.

        ``data`` is a data source (``npy(...)``, ``gaussian_grid(...)``, ...
        or its spec text); without it the spec has a placeholder one-point
        source, enough for ``gantk.kernel`` and ``gantk.grad``, whose
        points are given. ``n``, ``m`` and ``scale`` are the data block's
        statements; ``objective``, ``train`` and ``output`` map statement
        names to values: a str is spec text as it is (``"1000
        normalized"``, ``adam(...)``) except ``dir``'s, a path; a path
        (os.PathLike) is a string; numbers are written exactly; a tuple or
        list is a list ``[a, b]``.
        """
        if data is None:
            data, n = gaussian_grid(size=1, spacing=1.0, std=1.0), n or 1
        text = "data {\n  real = %s\n" % data
        for key, value in (("n", n), ("m", m), ("scale", scale)):
            if value is not None:
                text += "  %s = %s\n" % (key, _value(value, key))
        text += "}\ndiscriminator {\n"
        text += "".join("  %s\n" % line for line in self.lines())
        text += "}\n"
        for block, statements in (("objective", objective), ("train", train),
                                  ("output", output)):
            if statements:
                text += "%s {\n" % block
                for key, value in statements.items():
                    if key == "dir" and isinstance(value, str):
                        value = _string(value)  # a path, not spec text
                    text += "  %s = %s\n" % (key, _value(value, key))
                text += "}\n"
        return Spec(text, name)


def serial(*layers: Layer) -> Network:
    """``stax.serial``: the layers in order (serials inside are flattened)."""
    flat = []
    for layer in layers:
        flat += layer.layers if isinstance(layer, Network) else [layer]
    return Network(flat)


class _Repeat(Layer):
    def __init__(self, layer: Layer, count: int):
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError("repeat needs a count >= 1, got %r" % (count,))
        self.layer, self.count = layer, count

    def lines(self):
        body = ["  " + line for line in self.layer.lines()]
        return ["repeat(%d) {" % self.count] + body + ["}"]


def repeat(layer: Layer, n: int) -> Layer:
    """``stax.repeat``: ``layer`` n times over (compiled as one loop)."""
    if not isinstance(layer, Layer):
        raise TypeError("repeat takes a gantk.stax layer, got %r" % (layer,))
    return _Repeat(layer, n)


_LAYERS = ("Dense, Conv, Flatten, AvgPool, Relu, LeakyRelu, Abs, Erf, Gelu, "
           "Sin, serial, repeat")


def __getattr__(name: str):
    # Neural Tangents names gantk has no layer for.
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(
        "gantk.stax has no layer %r: gantk's discriminators are built from "
        "%s (docs/dsl.md lists the layers)" % (name, _LAYERS))
