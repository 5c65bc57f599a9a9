//===- Png.h - Plots of generated samples -----------------------*- C++ -*-===//

#ifndef GANTK_RUNTIME_PNG_H
#define GANTK_RUNTIME_PNG_H

#include "gantk/runtime/Result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gantk {

/// An 8-bit raster, row-major, `channels` (1 or 3) interleaved per pixel.
struct Image {
  int64_t width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;
};

/// The size of a PNG image as the data loader sees it: `channels` is 1 for
/// grey and grey+alpha, 3 for RGB, RGBA and palette images (alpha is
/// dropped, a palette expanded); `bitDepth` is the file's (1, 2, 4, 8, 16).
struct PngShape {
  int64_t height = 0, width = 0, channels = 0;
  int bitDepth = 0;
};

/// Reads a PNG file's signature and IHDR chunk only (33 bytes). Errors name
/// the file: not found, not a PNG, truncated, an invalid IHDR.
Result<PngShape> readPngShape(const std::string &path);
/// readPngShape on the first `size` bytes of a file (33 are read: more are
/// ignored); `name` is used in error messages.
Result<PngShape> parsePngShape(const uint8_t *bytes, size_t size,
                               const std::string &name);

/// A decoded PNG: height x width x channels values in [0, 1] (v / 255 for
/// 8-bit files and grey expanded from 1, 2 or 4 bits, v / 65535 for
/// 16-bit), row-major, channels interleaved, alpha dropped.
struct PngPixels {
  PngShape shape;
  std::vector<double> values;
};

/// Decodes a PNG file with libpng; a corrupt or truncated file is an error
/// naming it and what libpng found.
Result<PngPixels> readPng(const std::string &path);
/// readPng on the bytes of a file; `name` is used in error messages. An
/// image larger than 2^30 values, or than its compressed data could hold,
/// is refused before its pixels are allocated.
Result<PngPixels> decodePng(const std::vector<uint8_t> &bytes,
                            const std::string &name);

/// Encodes an image as PNG bytes.
Result<std::vector<uint8_t>> encodePng(const Image &image);
/// Writes an image as a PNG file, atomically.
Status writePng(const std::string &path, const Image &image);

/// Success when rows of `dim` values with image shape h x w x c (all 0 for
/// flat rows) can be drawn as an image grid; else the error says why,
/// naming `source` (a data file or folder, or a synthetic source's name).
Status checkImageGrid(const std::string &source, int64_t dim, int64_t h,
                      int64_t w, int64_t c);

} // namespace gantk

#endif // GANTK_RUNTIME_PNG_H
