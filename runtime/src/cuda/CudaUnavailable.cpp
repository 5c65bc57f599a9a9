//===- CudaUnavailable.cpp - The CUDA device of a runtime built without it ===//
//
// Compiled instead of the CUDA device when GANTK_ENABLE_CUDA is OFF (no
// toolkit headers at configure time).
//
//===----------------------------------------------------------------------===//

#include "../DeviceSession.h"

using namespace gantk;

bool gantk::runtimeHasCuda() { return false; }

Result<std::unique_ptr<DeviceSession>>
gantk::createCudaSession(const Artifact &) {
  return makeError(ErrorCode::FailedPrecondition,
                   "--device=cuda: this runtime was built without CUDA "
                   "support (configure with -DGANTK_ENABLE_CUDA=ON where the "
                   "CUDA toolkit's headers are installed)");
}
