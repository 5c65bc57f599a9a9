//===- Describe.h - What an artifact holds, as text -------------*- C++ -*-===//
//
// The text of `gantk describe ARTIFACT`: the shapes, the memory plan, the
// code objects, the kernels and the command list, one line each. It reads
// a verified artifact only, so it needs nothing of the compiler.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_DESCRIBE_H
#define GANTK_RUNTIME_DESCRIBE_H

#include "gantk/runtime/Artifact.h"

#include <ostream>
#include <string>

namespace gantk {

/// Writes what `artifact` holds to `os`:
///
///   artifact NAME: SPEC, step|kernel, f64|f32, n_real R, n_fake F, dim D
///   memory plan: B bytes, peak at OP
///   code objects:
///     TARGET SIZE bytes
///   kernels:
///     NAME parallel|serial gpu_block G
///   commands:
///     I describeCommand(...)
void describeArtifact(const Artifact &artifact, std::ostream &os);

/// One command in one line, without a newline at its end: what it is, its
/// sizes and its label ("gemm 300x300x2 B^T alpha 0.5  [gantk.gemm]"). A
/// matrix-free Krylov adds a line for its operator, a RowTiles one line per
/// body command (numbered, described the same way `indent` + 4 spaces
/// deep), each after a newline and `indent`. `root` must be verified.
std::string describeCommand(const schema::Artifact &root,
                            const schema::CommandEntry &entry,
                            const std::string &indent = "    ");

} // namespace gantk

#endif // GANTK_RUNTIME_DESCRIBE_H
