//===- Window.h - the geometry of a convolution window ----------*- C++ -*-===//
//
// NTK_SPEC "Convolutions": the window operator A averages a map over the
// kh × kw window at stride s. Everything about its border is static (image
// size, window, stride, padding), so the kernels never test bounds: each
// tap of the window covers a contiguous range of output positions, and a
// circular border splits that range into at most three pieces with a fixed
// wrap offset each. The verifiers, the type inference and the lowering all
// read the geometry from here.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_DIALECT_GANTK_WINDOW_H
#define GANTK_DIALECT_GANTK_WINDOW_H

#include "gantk/Dialect/Gantk/GantkDialect.h"

#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace gantk {

/// One axis of a window: `in` positions in, `out` out, window `k`, stride
/// `s`, `lo` padded cells before the first input position.
struct WindowAxis {
  int64_t in = 0, k = 0, s = 0, out = 0, lo = 0;
  bool wrap = false; // circular: padded cells repeat the opposite border

  /// Output positions [begin, end) that read input position
  /// s·h + tap − lo + offset for tap `tap`.
  struct Span {
    int64_t begin, end, offset;
  };

  /// The axis for `padding`, or nullopt with `error` set (a VALID window
  /// larger than the input).
  static std::optional<WindowAxis> get(int64_t in, int64_t k, int64_t s,
                                       Padding padding, std::string &error);

  /// The spans of tap `tap` (0 ≤ tap < k): positions whose source lies in
  /// the padding are left out (zeros), or wrapped (circular).
  llvm::SmallVector<Span, 3> spans(int64_t tap) const;
};

/// Both axes of a window over an H × W map.
struct WindowGeometry {
  WindowAxis rows, cols;

  static std::optional<WindowGeometry>
  get(llvm::ArrayRef<int64_t> inShape, llvm::ArrayRef<int64_t> kernel,
      llvm::ArrayRef<int64_t> stride, Padding padding, std::string &error);

  llvm::SmallVector<int64_t, 2> outShape() const { return {rows.out, cols.out}; }
  int64_t taps() const { return rows.k * cols.k; }
};

} // namespace gantk

#endif // GANTK_DIALECT_GANTK_WINDOW_H
