//===- Sha256.h - SHA-256 digests of artifacts and checkpoints --*- C++ -*-===//
//
// FIPS 180-4 SHA-256, for the identity of an artifact (a checkpoint names
// the artifact that wrote it) and the integrity of a checkpoint.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_SHA256_H
#define GANTK_RUNTIME_SHA256_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace gantk {

using Digest = std::array<uint8_t, 32>;

/// Incremental SHA-256.
class Sha256 {
public:
  Sha256();
  void update(const void *data, size_t size);
  /// The digest of everything updated so far (the object is spent).
  Digest finish();

private:
  void compress(const uint8_t *block);

  std::array<uint32_t, 8> state;
  std::array<uint8_t, 64> buffer;
  size_t buffered = 0;
  uint64_t length = 0;
};

/// The SHA-256 of `size` bytes.
Digest sha256(const void *data, size_t size);

/// A digest as 64 lowercase hex digits.
std::string toHex(const Digest &digest);

} // namespace gantk

#endif // GANTK_RUNTIME_SHA256_H
