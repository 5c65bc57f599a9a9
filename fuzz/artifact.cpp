//===- artifact.cpp - libFuzzer target: the artifact verifier -------------===//
//
// Bytes -> Artifact::loadBytes: the identifier, the FlatBuffers verifier,
// the format version and the semantic checks, which is all of loading up to
// (not including) mapping the code object: that happens when a Session is
// created, which this target never does. On an accepted artifact, what the
// tools then read without further checks: describe (every command), the
// code objects, the matrix-free test and train()'s image-grid check.
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/Artifact.h"
#include "gantk/runtime/Describe.h"
#include "gantk/runtime/Png.h"

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  gantk::Result<gantk::Artifact> artifact = gantk::Artifact::loadBytes(
      std::vector<uint8_t>(data, data + size), "in.gantk-bin");
  if (!artifact.ok())
    return 0;
  std::ostringstream os;
  gantk::describeArtifact(*artifact, os);
  (void)artifact->cpuCode();
  (void)artifact->hasPtx();
  (void)artifact->ptxFor(90);
  (void)artifact->matrixFree();
  // train() checks an image grid's shape before its first step.
  const gantk::schema::Artifact &root = artifact->root();
  if (root.output()->plot() == gantk::schema::PlotKind::Grid)
    (void)gantk::checkImageGrid("in", root.dim(), root.data()->image_h(),
                                root.data()->image_w(),
                                root.data()->image_c());
  return 0;
}
