//===- SplitGram.cpp - the Gram of X ⊕ Z as its real block and Z rows -----===//
//
// The real rows X never move, so of G = α S Sᵀ (S = X ⊕ Z) only the rows
// and columns of Z change from step to step. G = α S Sᵀ becomes
// gram_blocks(α X Xᵀ, α Z Sᵀ): the n × n block depends on X alone (and is
// computed once, gantk-hoist-invariants), and each step multiplies
// m × N × d instead of N × N × d.
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/Passes.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_SPLITGRAMPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

using namespace gantk;

namespace {
struct SplitGramPass : public gantk::impl::SplitGramPassBase<SplitGramPass> {
  void runOnOperation() override {
    SmallVector<GemmOp> grams;
    getOperation().walk([&](GemmOp gemm) {
      auto stack = gemm.getA().getDefiningOp<StackOp>();
      if (stack && gemm.isGram())
        grams.push_back(gemm);
    });
    for (GemmOp gemm : grams) {
      auto stack = gemm.getA().getDefiningOp<StackOp>();
      Value x = stack.getReal(), z = stack.getFake(), s = stack.getResult();
      auto type = cast<RankedTensorType>(gemm.getType());
      int64_t n = cast<ShapedType>(x.getType()).getDimSize(0);
      int64_t m = cast<ShapedType>(z.getType()).getDimSize(0);
      int64_t total = type.getDimSize(0);
      OpBuilder b(gemm);
      Location loc = gemm.getLoc();
      auto matrix = [&](int64_t r, int64_t c) {
        return RankedTensorType::get({r, c}, type.getElementType());
      };
      FloatAttr alpha = gemm.getAlphaAttr();
      // A Bᵀ, no symmetric block.
      auto product = [&](Type type, Value a, Value bt) -> Value {
        return GemmOp::create(b, loc, type, a, bt, alpha, b.getBoolAttr(false),
                              b.getBoolAttr(true), IntegerAttr());
      };
      Value corner = product(matrix(n, n), x, x);
      Value rows = product(matrix(m, total), z, s);
      Value gram = GramBlocksOp::create(b, loc, type, corner, rows);
      gemm.replaceAllUsesWith(gram);
      gemm.erase();
    }
  }
};
} // namespace
