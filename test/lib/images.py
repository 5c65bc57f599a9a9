#!/usr/bin/env python3
"""Image fixtures for the lit tests, made on the fly (no binary blobs).

Runs with Debian's /usr/bin/python3 and python3-numpy.

    images.py png DIR --count N --size HxW [--type grey|rgb|grey_alpha|rgba|palette]
                  [--bits 8|16] [--first K]
        writes DIR/img<K..K+N-1>.png (zlib + struct, no PIL; DIR is made); sample c of
        pixel p of image k is (37 k + 11 p + 5 c) mod 256 (times 257 at 16
        bits); palette images index a 256-colour palette.
    images.py pnginfo FILE
        prints "png WxH <type> <bits>-bit" from the file's IHDR.
    images.py npy FILE --shape N,H,W[,C] [--dtype float32|float64|uint8]
        writes an array of that shape: values in [0, 1) (uint8: 0..255) from
        numpy's default_rng(0).
    images.py reshape IN OUT --shape S
        writes IN's values with shape S (-1 allowed).
    images.py shape FILE
        prints the .npy's shape, e.g. "(4, 2, 2, 3)".
"""

import argparse
import os
import struct
import sys
import zlib

import numpy as np

COLOR_TYPES = {"grey": (0, 1), "rgb": (2, 3), "palette": (3, 1),
               "grey_alpha": (4, 2), "rgba": (6, 4)}
TYPE_NAMES = {code: name for name, (code, _) in COLOR_TYPES.items()}


def chunk(kind, data):
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def write_png(path, width, height, kind, bits, sample):
    color_type, stored = COLOR_TYPES[kind]
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            for c in range(stored):
                v = sample(y * width + x, c)
                row += struct.pack(">H", v) if bits == 16 else bytes([v])
        rows.append(bytes(row))
    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bits,
                                      color_type, 0, 0, 0))
    if kind == "palette":
        png += chunk(b"PLTE", bytes((7 * i + j * 85) % 256
                                    for i in range(256) for j in range(3)))
    png += chunk(b"IDAT", zlib.compress(b"".join(rows)))
    png += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def cmd_png(args):
    h, w = (int(s) for s in args.size.split("x"))
    os.makedirs(args.dir, exist_ok=True)
    for k in range(args.first, args.first + args.count):
        def sample(p, c, k=k):
            v = (37 * k + 11 * p + 5 * c) % 256
            return v * 257 if args.bits == 16 else v
        write_png(f"{args.dir}/img{k:03d}.png", w, h, args.type, args.bits,
                  sample)


def cmd_pnginfo(args):
    with open(args.file, "rb") as f:
        head = f.read(33)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        sys.exit(f"{args.file}: not a PNG")
    width, height, bits, color_type = struct.unpack(">IIBB", head[16:26])
    print(f"png {width}x{height} {TYPE_NAMES[color_type]} {bits}-bit")


def cmd_npy(args):
    shape = tuple(int(s) for s in args.shape.split(","))
    rng = np.random.default_rng(0)
    if args.dtype == "uint8":
        a = rng.integers(0, 256, size=shape, dtype=np.uint8)
    else:
        a = rng.random(shape).astype(args.dtype)
    np.save(args.file, a)


def cmd_reshape(args):
    shape = tuple(int(s) for s in args.shape.split(","))
    np.save(args.out, np.load(args.input).reshape(shape))


def cmd_shape(args):
    print(np.load(args.file).shape)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("png")
    q.add_argument("dir")
    q.add_argument("--count", type=int, required=True)
    q.add_argument("--size", required=True)
    q.add_argument("--type", choices=sorted(COLOR_TYPES), default="grey")
    q.add_argument("--bits", type=int, choices=[8, 16], default=8)
    q.add_argument("--first", type=int, default=0)
    q.set_defaults(fn=cmd_png)
    q = sub.add_parser("pnginfo")
    q.add_argument("file")
    q.set_defaults(fn=cmd_pnginfo)
    q = sub.add_parser("npy")
    q.add_argument("file")
    q.add_argument("--shape", required=True)
    q.add_argument("--dtype", choices=["float32", "float64", "uint8"],
                   default="float32")
    q.set_defaults(fn=cmd_npy)
    q = sub.add_parser("reshape")
    q.add_argument("input")
    q.add_argument("out")
    q.add_argument("--shape", required=True)
    q.set_defaults(fn=cmd_reshape)
    q = sub.add_parser("shape")
    q.add_argument("file")
    q.set_defaults(fn=cmd_shape)
    args = p.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
