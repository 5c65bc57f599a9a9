//===- gantk-opt.cpp - runs gantk passes on MLIR files --------------------===//

#include "gantk/Compiler/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  gantk::registerAllDialects(registry);
  gantk::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "gantk optimizer driver\n", registry));
}
