//===- npy.cpp - libFuzzer target: the .npy reader ------------------------===//
//
// Bytes -> parseNpy (header and data) and parseNpyShape (the header of a
// file of that size, as `gantk compile` probes data), then what the loader
// asks of an accepted array: npyDataShape, rows and cols.
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/Data.h"
#include "gantk/runtime/Npy.h"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  gantk::Result<gantk::NpyArray> array = gantk::parseNpy(bytes, "in.npy");
  gantk::Result<gantk::NpyArray> header =
      gantk::parseNpyShape(bytes, size, "in.npy");
  // The header alone accepts whatever the whole reader accepts.
  if (array.ok() != header.ok())
    __builtin_trap();
  if (!array.ok())
    return 0;
  if (array->shape != header->shape || array->dtype != header->dtype)
    __builtin_trap();
  int64_t count = 1;
  for (int64_t d : array->shape)
    count *= d;
  if (uint64_t(count) != array->values.size())
    __builtin_trap();
  (void)array->rows();
  (void)array->cols();
  gantk::Result<gantk::DataShape> shape =
      gantk::npyDataShape(array->shape, "in.npy");
  if (shape.ok() && shape->rows * shape->dim != count)
    __builtin_trap();
  return 0;
}
