//===- MapKernelsToGPU.cpp - outlined kernels as GPU kernels --------------===//
//
// Each kernel k(buffers..., begin, end) runs the rows [begin, end) of its
// outer loop. On a GPU one thread takes one iteration of that loop:
// i = begin + (blockIdx.x * blockDim.x + threadIdx.x) * step, guarded by
// i < end, so the runtime launches ceil((end - begin) / blockDim.x) blocks.
// A kernel with anything else around its rows (the serial reductions, e.g.
// the loss and the trace shift) runs whole in the first thread.
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_MAPKERNELSTOGPUPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

namespace {

/// The loop over [begin, end) that makes up the kernel's work, if the body
/// is that loop and side-effect-free values it uses (or per-pair scratch:
/// an alloca, which on a GPU is each thread's own local memory).
scf::ForOp findRowLoop(Block &body, Value begin, Value end) {
  scf::ForOp rows;
  for (Operation &op : body.without_terminator()) {
    auto loop = dyn_cast<scf::ForOp>(op);
    if (loop && !rows && loop.getLowerBound() == begin &&
        loop.getUpperBound() == end && loop.getNumResults() == 0) {
      rows = loop;
      continue;
    }
    if (!isMemoryEffectFree(&op) && !isa<memref::AllocaOp>(op))
      return nullptr;
  }
  return rows;
}

/// blockIdx.x * blockDim.x + threadIdx.x, the thread's global x index.
Value globalThreadIndex(OpBuilder &b, Location loc) {
  Value block = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value size = gpu::BlockDimOp::create(b, loc, gpu::Dimension::x);
  Value thread = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  return arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, block, size), thread);
}

LogicalResult mapKernel(func::FuncOp fn, gpu::GPUModuleOp gpuModule) {
  FunctionType type = fn.getFunctionType();
  unsigned n = type.getNumInputs();
  if (n < 2 || !type.getInput(n - 2).isIndex() ||
      !type.getInput(n - 1).isIndex() || type.getNumResults() != 0 ||
      !fn.getBody().hasOneBlock())
    return fn.emitOpError("kernel must be one block ending in the (index "
                          "begin, index end) row range, with no results");

  IRRewriter rewriter(fn.getContext());
  rewriter.setInsertionPointToEnd(gpuModule.getBody());
  Location loc = fn.getLoc();
  auto kernel = gpu::GPUFuncOp::create(rewriter, loc,
                                       (fn.getName() + "_entry").str(), type);
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                  rewriter.getUnitAttr());
  rewriter.eraseBlock(&kernel.getBody().front());
  kernel.getBody().takeBody(fn.getBody());
  Block &body = kernel.getBody().front();
  Operation *ret = body.getTerminator();
  rewriter.setInsertionPoint(ret);
  rewriter.replaceOpWithNewOp<gpu::ReturnOp>(ret);

  Value begin = body.getArgument(n - 2), end = body.getArgument(n - 1);
  if (scf::ForOp rows = findRowLoop(body, begin, end)) {
    rewriter.setInsertionPoint(rows);
    Value offset = arith::MulIOp::create(
        rewriter, loc, globalThreadIndex(rewriter, loc), rows.getStep());
    Value i = arith::AddIOp::create(rewriter, loc, begin, offset);
    Value inRange =
        arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::slt, i, end);
    auto guard =
        scf::IfOp::create(rewriter, loc, inRange, /*withElseRegion=*/false);
    Block *loopBody = rows.getBody();
    rewriter.eraseOp(loopBody->getTerminator());
    rewriter.inlineBlockBefore(loopBody, guard.thenBlock()->getTerminator(),
                               ValueRange{i});
    rewriter.eraseOp(rows);
  } else {
    rewriter.setInsertionPointToStart(&body);
    Value thread = globalThreadIndex(rewriter, loc);
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value first = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                        thread, zero);
    // Everything after the test moves into `scf.if first`.
    auto rest = std::next(Block::iterator(first.getDefiningOp()));
    rewriter.setInsertionPoint(body.getTerminator());
    auto guard =
        scf::IfOp::create(rewriter, loc, first, /*withElseRegion=*/false);
    Block *then = guard.thenBlock();
    then->getOperations().splice(then->begin(), body.getOperations(), rest,
                                 Block::iterator(guard));
  }
  rewriter.eraseOp(fn);
  return success();
}

struct MapKernelsToGPUPass
    : public gantk::impl::MapKernelsToGPUPassBase<MapKernelsToGPUPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> kernels;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn->hasAttr(gantk::kKernelAttrName))
        kernels.push_back(fn);
    if (kernels.empty())
      return;
    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToEnd(module.getBody());
    auto gpuModule =
        gpu::GPUModuleOp::create(b, module.getLoc(), "gantk_kernels");
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    b.getUnitAttr());
    for (func::FuncOp fn : kernels)
      if (failed(mapKernel(fn, gpuModule)))
        return signalPassFailure();
  }
};

} // namespace
