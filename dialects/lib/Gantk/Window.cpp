//===- Window.cpp - the geometry of a convolution window ------------------===//

#include "gantk/Dialect/Gantk/Window.h"

using namespace gantk;

std::optional<WindowAxis> WindowAxis::get(int64_t in, int64_t k, int64_t s,
                                          Padding padding, std::string &error) {
  if (in < 1 || k < 1 || s < 1) {
    error = "window sizes must be positive";
    return std::nullopt;
  }
  WindowAxis axis;
  axis.in = in;
  axis.k = k;
  axis.s = s;
  if (padding == Padding::Valid) {
    if (k > in) {
      error = "a " + std::to_string(k) + "-wide valid window does not fit in " +
              std::to_string(in) + " positions";
      return std::nullopt;
    }
    axis.out = (in - k) / s + 1;
    return axis;
  }
  // SAME (and CIRCULAR, which wrap-pads to the SAME size): out = ⌈n/s⌉,
  // P = max((out − 1)s + k − n, 0) split ⌊P/2⌋ before, the rest after.
  axis.out = (in + s - 1) / s;
  int64_t total = std::max<int64_t>((axis.out - 1) * s + k - in, 0);
  axis.lo = total / 2;
  axis.wrap = padding == Padding::Circular;
  // Wrapping once is enough while the window fits in the map.
  if (axis.wrap && k > in) {
    error = "a " + std::to_string(k) + "-wide circular window wraps more than "
            "once around " + std::to_string(in) + " positions";
    return std::nullopt;
  }
  return axis;
}

llvm::SmallVector<WindowAxis::Span, 3> WindowAxis::spans(int64_t tap) const {
  llvm::SmallVector<Span, 3> out;
  for (int64_t h = 0; h < this->out; ++h) {
    int64_t source = s * h + tap - lo;
    // The wrap that brings the source into [0, in): zero without one.
    int64_t offset = 0;
    if (source < 0 || source >= in) {
      if (!wrap)
        continue;
      int64_t wrapped = ((source % in) + in) % in;
      offset = wrapped - source;
    }
    if (!out.empty() && out.back().end == h && out.back().offset == offset)
      out.back().end = h + 1;
    else
      out.push_back({h, h + 1, offset});
  }
  return out;
}

std::optional<WindowGeometry>
WindowGeometry::get(llvm::ArrayRef<int64_t> inShape,
                    llvm::ArrayRef<int64_t> kernel,
                    llvm::ArrayRef<int64_t> stride, Padding padding,
                    std::string &error) {
  if (inShape.size() != 2 || kernel.size() != 2 || stride.size() != 2) {
    error = "windows are two-dimensional: a [H, W] map, [kh, kw] and [sh, sw]";
    return std::nullopt;
  }
  std::optional<WindowAxis> rows =
      WindowAxis::get(inShape[0], kernel[0], stride[0], padding, error);
  if (!rows)
    return std::nullopt;
  std::optional<WindowAxis> cols =
      WindowAxis::get(inShape[1], kernel[1], stride[1], padding, error);
  if (!cols)
    return std::nullopt;
  return WindowGeometry{*rows, *cols};
}
