//===- Npy.h - NumPy .npy reading and writing -------------------*- C++ -*-===//

#ifndef GANTK_RUNTIME_NPY_H
#define GANTK_RUNTIME_NPY_H

#include "gantk/runtime/Result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gantk {

/// Element types the runtime reads (little-endian); it writes F32 and F64.
enum class NpyDType { U8, F32, F64 };

/// A C-order array with its values widened to double.
struct NpyArray {
  NpyDType dtype = NpyDType::F64;
  std::vector<int64_t> shape;
  std::vector<double> values;

  /// The first dimension (1 for a 0-d array).
  int64_t rows() const { return shape.empty() ? 1 : shape[0]; }
  /// The product of the remaining dimensions.
  int64_t cols() const;
};

/// Parses .npy bytes; `name` is used in error messages.
Result<NpyArray> parseNpy(const std::vector<uint8_t> &bytes,
                          const std::string &name);
/// Reads a .npy file (format 1.0, 2.0 or 3.0, dtype |u1, <f4 or <f8, C order).
Result<NpyArray> readNpy(const std::string &path);
/// The dtype and shape of a .npy file (no values) from its header, after
/// checking that the file holds that much data.
Result<NpyArray> readNpyShape(const std::string &path);
/// readNpyShape on bytes: `prefix` is the start of a file of `fileSize`
/// bytes (at least its header); `name` is used in error messages.
Result<NpyArray> parseNpyShape(const std::vector<uint8_t> &prefix,
                               uint64_t fileSize, const std::string &name);

/// Encodes values of the given shape as .npy 1.0 bytes (F32 or F64).
std::vector<uint8_t> encodeNpy(const std::vector<int64_t> &shape,
                               const double *values, NpyDType dtype);
/// Writes a .npy file atomically (F32 or F64).
Status writeNpy(const std::string &path, const std::vector<int64_t> &shape,
                const double *values, NpyDType dtype);

/// Fails naming the first row and column (0-based) that holds a NaN or an
/// infinity: data must be finite ("x.npy: row 3, column 1 is NaN; data must
/// be finite numbers").
Status checkFinite(const NpyArray &array, const std::string &path);

} // namespace gantk

#endif // GANTK_RUNTIME_NPY_H
