//===- Rows.h - Points given to grad and kernel -----------------*- C++ -*-===//
//
// gantk grad and gantk kernel take their points as arrays: (N, d) rows or
// (N, H, W[, C]) images, from .npy files (the tool) or from the caller's
// memory (the Python package, without a copy).
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_DRIVER_ROWS_H
#define GANTK_DRIVER_ROWS_H

#include "gantk/Driver/Spec.h"
#include "gantk/runtime/Data.h"
#include "gantk/runtime/Npy.h"
#include "gantk/runtime/Result.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gantk::driver {

/// Finite points in the caller's memory (not owned), with what their
/// array's shape means.
struct Rows {
  const double *values = nullptr;
  size_t count = 0;
  /// The array's own shape, (N, d) or (N, H, W[, C]).
  std::vector<int64_t> arrayShape;
  DataShape shape;
  /// The file or argument the rows came from (messages).
  std::string name;
};

/// `values` (row-major, of `arrayShape`) as rows; fails naming `name` when
/// the shape is none of points or images, or a value is not finite.
Result<Rows> rowsOf(const double *values, std::vector<int64_t> arrayShape,
                    const std::string &name);

/// Rows read from an .npy file: the array and its view.
struct NpyRows {
  NpyArray array;
  Rows rows;
};

/// Reads the .npy file at `path` as rows.
Result<NpyRows> readRows(const std::string &path);

/// X and Z of one step: as many columns, or images of one shape.
Status checkRealFake(const Rows &x, const Rows &z);

/// The image shape (H, W, C) of the given rows: the array's own
/// (N, H, W[, C]); for flat rows, the spec's data's images when they have
/// as many values per row; none otherwise.
std::vector<int64_t> rowsImage(const LoadedSpec &loaded, const DataShape &rows);

} // namespace gantk::driver

#endif // GANTK_DRIVER_ROWS_H
