//===- InitAll.h - what gantk tools register --------------------*- C++ -*-===//

#ifndef GANTK_COMPILER_INITALL_H
#define GANTK_COMPILER_INITALL_H

#include "mlir/IR/DialectRegistry.h"

namespace gantk {

/// The dialects gantk produces and consumes, with their LLVM translations.
void registerAllDialects(mlir::DialectRegistry &registry);

/// gantk's passes and pipelines, and the upstream ones our pipelines use.
void registerAllPasses();

} // namespace gantk

#endif // GANTK_COMPILER_INITALL_H
