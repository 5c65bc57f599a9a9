//===- png.cpp - libFuzzer target: the PNG reader -------------------------===//
//
// Bytes -> parsePngShape (the signature and IHDR that scanImageFolder reads
// of every file of an images() folder) and decodePng (libpng, as the loader
// decodes the chosen files). The folder reader only loops over files with
// these two, so one PNG per input covers it.
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/Png.h"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  gantk::Result<gantk::PngShape> shape =
      gantk::parsePngShape(data, size, "in.png");
  std::vector<uint8_t> bytes(data, data + size);
  gantk::Result<gantk::PngPixels> pixels = gantk::decodePng(bytes, "in.png");
  if (!pixels.ok())
    return 0;
  const gantk::PngShape &got = pixels->shape;
  if (uint64_t(got.height) * uint64_t(got.width) * uint64_t(got.channels) !=
      pixels->values.size())
    __builtin_trap();
  for (double v : pixels->values)
    if (!(v >= 0 && v <= 1))
      __builtin_trap();
  // The loader refuses a file whose decoded shape is not its header's; a
  // file libpng decodes has a header the scan accepts.
  if (!shape.ok() || shape->height != got.height ||
      shape->width != got.width || shape->channels != got.channels)
    __builtin_trap();
  return 0;
}
