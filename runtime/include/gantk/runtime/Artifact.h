//===- Artifact.h - Loading and verifying gantk artifacts -------*- C++ -*-===//
//
// An artifact is a FlatBuffers buffer (runtime/schema/artifact.fbs). The
// runtime owns the schema and verifies every artifact on load, structurally
// (FlatBuffers verifier, identifier, version) and semantically (every view
// inside the arena, command shapes consistent), so that a bad file gives a
// clear message instead of a crash.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_ARTIFACT_H
#define GANTK_RUNTIME_ARTIFACT_H

#include "gantk/runtime/Generator.h"
#include "gantk/runtime/Result.h"

#include "artifact_generated.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gantk {

/// The artifact format version this runtime reads.
constexpr uint32_t kArtifactFormatVersion = 1;

/// The code object target of native CPU kernels.
constexpr const char *kCpuTarget = "x86_64-linux-cpu";
/// GPU code object targets are this prefix and a compute capability
/// (major·10 + minor): "nvptx64-sm_80", "nvptx64-sm_90"; the blob is PTX.
constexpr const char *kPtxTargetPrefix = "nvptx64-sm_";

/// An artifact file is the FlatBuffers buffer followed by this 8-byte tag
/// and the buffer's SHA-256 (`sealArtifact`): the file's digest, which
/// `gantk describe` prints and `--expect-digest` pins.
constexpr char kDigestTag[9] = "GNTK-SHA";
constexpr size_t kDigestTrailerBytes = 8 + 32;

/// The bytes of an artifact file: `buffer`, the tag and its SHA-256.
std::vector<uint8_t> sealArtifact(std::vector<uint8_t> buffer);

/// A verified artifact that owns its bytes.
class Artifact {
public:
  /// Reads the artifact file at `path`, checks its SHA-256 trailer (and,
  /// when `expectDigest` is not empty, that the digest is that one: 64 hex
  /// digits) before anything else, and verifies it. Nothing of the file's
  /// code is loaded here.
  static Result<Artifact> loadFile(const std::string &path,
                                   const std::string &expectDigest = "");
  /// Verifies an in-memory artifact; `name` is used in error messages.
  static Result<Artifact> loadBytes(std::vector<uint8_t> bytes,
                                    std::string name);

  /// The root table (valid for the lifetime of this object).
  const schema::Artifact &root() const {
    return *schema::GetArtifact(bytes.data());
  }
  /// The file name or label the artifact was loaded from.
  const std::string &name() const { return sourceName; }
  /// The artifact's FlatBuffers buffer, as loaded.
  const std::vector<uint8_t> &data() const { return bytes; }
  /// SHA-256 of the buffer, as 64 hex digits: the file's digest.
  std::string digest() const;
  /// Size in bytes of one element (4 for F32, 8 for F64).
  size_t elementSize() const;
  /// The CPU code object, or null when the artifact has none.
  const schema::CodeObject *cpuCode() const;
  /// The newest PTX code object that a GPU of compute capability `sm`
  /// (major·10 + minor) can run, that is the largest XX <= sm. Fails naming
  /// the artifact's targets and the device when none fits, and asks for
  /// --target=cuda when the artifact has no PTX at all.
  Result<const schema::CodeObject *> ptxFor(int sm) const;
  /// True when at least one non-empty PTX code object is present.
  bool hasPtx() const;
  /// True when the plan recomputes K in row tiles instead of storing it
  /// (a RowTiles command or a Krylov with an operator): CPU only.
  bool matrixFree() const;

private:
  Artifact(std::vector<uint8_t> bytes, std::string name)
      : bytes(std::move(bytes)), sourceName(std::move(name)) {}

  std::vector<uint8_t> bytes;
  std::string sourceName;
};

/// The rows of the whole X and Z of a training run: a batch-wise
/// artifact's real_rows and fake_rows, else the step's n_real and n_fake.
inline int64_t wholeRealRows(const schema::Artifact &root) {
  return root.train()->real_rows() ? root.train()->real_rows()
                                   : root.n_real();
}
inline int64_t wholeFakeRows(const schema::Artifact &root) {
  return root.train()->fake_rows() ? root.train()->fake_rows()
                                   : root.n_fake();
}

/// GA-NTKg: the artifact's generator (its widths and activation names),
/// or an error when the artifact has none.
Result<GeneratorShape> generatorShape(const schema::Artifact &root);

/// How many values the optimiser moves: θ with a generator, else the whole
/// Z (wholeFakeRows × dim).
inline int64_t variableSize(const schema::Artifact &root) {
  if (const schema::Generator *g = root.generator())
    return int64_t(g->params()->elements());
  return wholeFakeRows(root) * root.dim();
}

/// The LAPACK ?syevd workspace minimum for order n with vectors:
/// lwork >= 1 + 6n + 2n^2 elements.
int64_t syevdMinWork(int64_t n);
/// The LAPACK ?syevd integer workspace minimum: liwork >= 3 + 5n.
int64_t syevdMinIWork(int64_t n);

/// The tile buffer of `tiles` at `offset`, or null: in a RowTiles body a
/// view is a tile exactly when its offset is a tile buffer's.
inline const schema::View *rowTileBuffer(const schema::RowTiles &tiles,
                                         uint64_t offset) {
  if (tiles.tiles())
    for (const schema::View *v : *tiles.tiles())
      if (v->offset() == offset)
        return v;
  return nullptr;
}

} // namespace gantk

#endif // GANTK_RUNTIME_ARTIFACT_H
