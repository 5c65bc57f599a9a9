//===- png.cpp - libFuzzer target: the PNG reader -------------------------===//
//
// Bytes -> parsePngShape (the signature and IHDR that scanImageFolder reads
// of every file of an images() folder) and decodePng (libpng, as the loader
// decodes the chosen files). The folder reader only loops over files with
// these two, so one PNG per input covers it. Each input is decoded as
// given and again with its chunks' CRCs made right.
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/Png.h"

#include <cstddef>
#include <cstdint>
#include <vector>

#include <zlib.h>

namespace {

uint32_t bigEndian32(const uint8_t *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         uint32_t(p[3]);
}

/// Rewrites the CRC of every whole chunk after the signature: a mutated
/// chunk then reaches the checks behind its CRC (IHDR's fields, libpng's
/// decoding) instead of stopping at the CRC mismatch. Returns whether
/// anything changed.
bool fixChunkCrcs(std::vector<uint8_t> &b) {
  bool changed = false;
  size_t at = 8;
  while (b.size() >= 12 && at <= b.size() - 12) {
    uint32_t length = bigEndian32(&b[at]);
    if (length > b.size() - at - 12)
      break;
    uint32_t crc = uint32_t(
        crc32(crc32(0, nullptr, 0), &b[at + 4], uInt(length) + 4));
    uint8_t *out = &b[at + 8 + length];
    if (bigEndian32(out) != crc) {
      changed = true;
      for (int i = 0; i < 4; ++i)
        out[i] = uint8_t(crc >> (24 - 8 * i));
    }
    at += 12 + size_t(length);
  }
  return changed;
}

void decode(const std::vector<uint8_t> &bytes) {
  gantk::Result<gantk::PngShape> shape =
      gantk::parsePngShape(bytes.data(), bytes.size(), "in.png");
  gantk::Result<gantk::PngPixels> pixels = gantk::decodePng(bytes, "in.png");
  if (!pixels.ok())
    return;
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
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  decode(bytes);
  if (fixChunkCrcs(bytes))
    decode(bytes);
  return 0;
}
