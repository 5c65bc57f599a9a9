//===- idx.cpp - libFuzzer target: the IDX reader (plain and gzip) --------===//
//
// Bytes -> parseIdx, which inflates gzip input in memory (bounded by the
// size its IDX header implies) and parses the header and data. The seeds
// hold plain and gzip files; libFuzzer's mutations of a gzip seed mostly
// break its CRC, so the plain ones reach the header checks.
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/Data.h"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  gantk::Result<gantk::IdxArray> array = gantk::parseIdx(bytes, "in.idx");
  if (!array.ok())
    return 0;
  // What the loader and `gantk compile` compute from an accepted file.
  int64_t count = 1;
  for (int64_t d : array->shape)
    count *= d;
  if (array->shape.empty() || uint64_t(count) != array->values.size())
    __builtin_trap();
  return 0;
}
