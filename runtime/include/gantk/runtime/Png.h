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

/// Encodes an image as PNG bytes.
Result<std::vector<uint8_t>> encodePng(const Image &image);
/// Writes an image as a PNG file, atomically.
Status writePng(const std::string &path, const Image &image);

/// A 512x512 scatter plot of 2-D points: `real` (nReal x 2) in grey,
/// `fake` (nFake x 2) in red on top, bounds from both sets plus a margin.
Image scatterPlot(const double *real, int64_t nReal, const double *fake,
                  int64_t nFake);

/// A grid of `count` images of h x w x c values in [0, 1] (c is 1 or 3,
/// channels interleaved), ceil(sqrt(count)) columns, 1-pixel white gaps.
Image imageGrid(const double *images, int64_t count, int64_t h, int64_t w,
                int64_t c);

} // namespace gantk

#endif // GANTK_RUNTIME_PNG_H
