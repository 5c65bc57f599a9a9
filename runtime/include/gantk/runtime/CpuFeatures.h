//===- CpuFeatures.h - Whether this CPU runs an artifact's code --*- C++ -*-===//
//
// CPU code is compiled for a CPU (`gantk compile --target-cpu`, "native" by
// default) and may use its x86 extensions; the artifact records which
// (CodeObject.features). A CPU that lacks one would die on SIGILL in the
// middle of a step: the runtime refuses the code before loading it.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_CPUFEATURES_H
#define GANTK_RUNTIME_CPUFEATURES_H

#include "gantk/runtime/Result.h"

#include "artifact_generated.h"

#include <optional>
#include <string>

namespace gantk {

/// Whether this CPU has the x86 extension `name` ("avx2", "avx512f", ...:
/// the names compiled code records); nullopt for a name the runtime cannot
/// test. GANTK_TEST_CPU_LACKS=avx2,avx512f makes it answer no for those
/// (tests of the refusal on any machine).
std::optional<bool> cpuHasFeature(const std::string &name);

/// Fails naming the extensions `code` uses that this CPU lacks, the CPU it
/// was compiled for, and how to get code this CPU runs.
Status checkCpuFeatures(const schema::CodeObject &code,
                        const std::string &artifactName);

} // namespace gantk

#endif // GANTK_RUNTIME_CPUFEATURES_H
