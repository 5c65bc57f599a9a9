//===- KernelBuilder.h - building outlined loop-nest kernels ----*- C++ -*-===//
//
// Shared by gantk-outline-kernels and its kernels on maps: a kernel is a
// private function on memrefs
//   @k(operands..., results..., %begin: index, %end: index)
// whose outer loop runs over rows [begin, end): the runtime spreads rows
// over threads on the CPU (and the same loop nest maps to GPU blocks).
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_COMPILER_TRANSFORMS_KERNELBUILDER_H
#define GANTK_COMPILER_TRANSFORMS_KERNELBUILDER_H

#include "gantk/Compiler/Passes.h"
#include "gantk/Dialect/Gantk/GantkOps.h"
#include "gantk/Dialect/Gantk/ScalarBuilder.h"
#include "gantk/Dialect/Gantk/Window.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

#include <functional>

namespace gantk {

/// LLVM loop metadata: no vectorisation, no unrolling.
mlir::Attribute keepLoopAsWritten(mlir::MLIRContext *ctx);

/// Emission context of one kernel body.
struct KernelBody {
  mlir::OpBuilder &b;
  mlir::Location loc;
  mlir::FloatType element;
  mlir::ValueRange args; // operands then results, as memrefs
  mlir::Value begin, end;
  mlir::Block *entry; // the kernel function's entry block

  mlir::Value index(int64_t v) {
    return mlir::arith::ConstantIndexOp::create(b, loc, v);
  }
  mlir::Value load(mlir::Value mem, mlir::ValueRange idx) {
    return mlir::memref::LoadOp::create(b, loc, mem, idx);
  }
  void store(mlir::Value v, mlir::Value mem, mlir::ValueRange idx) {
    mlir::memref::StoreOp::create(b, loc, v, mem, idx);
  }
  /// for iv in [lb, ub) step `step`: fn(iv)
  mlir::scf::ForOp loop(mlir::Value lb, mlir::Value ub,
                        llvm::function_ref<void(mlir::Value)> fn,
                        int64_t step = 1) {
    auto forOp = mlir::scf::ForOp::create(b, loc, lb, ub, index(step));
    mlir::OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forOp.getBody());
    fn(forOp.getInductionVar());
    return forOp;
  }
  /// acc = init; for iv in [lb, ub): acc = fn(iv, acc); returns acc.
  mlir::Value reduce(mlir::Value lb, mlir::Value ub, mlir::Value init,
                     llvm::function_ref<mlir::Value(mlir::Value, mlir::Value)> fn) {
    return reduceLoop(lb, ub, init, fn).getResult(0);
  }
  /// reduce, returning the loop.
  mlir::scf::ForOp
  reduceLoop(mlir::Value lb, mlir::Value ub, mlir::Value init,
             llvm::function_ref<mlir::Value(mlir::Value, mlir::Value)> fn) {
    auto forOp = mlir::scf::ForOp::create(b, loc, lb, ub, index(1),
                                          mlir::ValueRange{init});
    {
      mlir::OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(forOp.getBody());
      mlir::Value next =
          fn(forOp.getInductionVar(), forOp.getRegionIterArgs()[0]);
      mlir::scf::YieldOp::create(b, loc, next);
    }
    return forOp;
  }
  /// A loop over the positions of a map: one pair's work, already run on
  /// vectors of pairs (gantk-vectorize-pairs), which LLVM should neither
  /// vectorise again (gathers across pairs) nor unroll (code size and
  /// compile time grow with every tap of every window).
  mlir::scf::ForOp positionLoop(mlir::Value lb, mlir::Value ub,
                                llvm::function_ref<void(mlir::Value)> fn) {
    mlir::scf::ForOp forOp = loop(lb, ub, fn);
    forOp->setAttr("llvm.loop_annotation", keepLoopAsWritten(b.getContext()));
    return forOp;
  }
  /// Marks the loop over the pairs of a row (see kPairLoopAttrName).
  void markPairs(mlir::scf::ForOp loop) {
    loop->setAttr(kPairLoopAttrName, b.getUnitAttr());
  }
  /// Row i of `out` = row i of `a` (nothing to copy when they are the same
  /// buffer), then out[i, col] = a[i, col] + delta: the shape of every
  /// diagonal update.
  void addAtColumn(mlir::Value a, mlir::Value out, mlir::Value i,
                   mlir::Value col, mlir::Value delta) {
    if (out != a)
      loop(index(0), index(dim(a, 1)), [&](mlir::Value j) {
        store(load(a, {i, j}), out, {i, j});
      });
    mlir::Value sum =
        mlir::arith::AddFOp::create(b, loc, load(a, {i, col}), delta);
    store(sum, out, {i, col});
  }
  mlir::Value min(mlir::Value x, mlir::Value y) {
    return mlir::arith::MinSIOp::create(b, loc, x, y);
  }
  mlir::Value max(mlir::Value x, mlir::Value y) {
    return mlir::arith::MaxSIOp::create(b, loc, x, y);
  }
  mlir::Value addIndex(mlir::Value x, int64_t c) {
    return mlir::arith::AddIOp::create(b, loc, x, index(c));
  }
  mlir::Value addIndex(mlir::Value x, mlir::Value y) {
    return mlir::arith::AddIOp::create(b, loc, x, y);
  }
  mlir::Value mulIndex(mlir::Value x, int64_t c) {
    return mlir::arith::MulIOp::create(b, loc, x, index(c));
  }
  int64_t dim(mlir::Value mem, unsigned d) {
    return llvm::cast<mlir::MemRefType>(mem.getType()).getDimSize(d);
  }
  /// A scratch buffer of `shape` elements, allocated once at the kernel's
  /// entry (each pair, and each thread running the kernel, reuses it).
  mlir::Value scratch(llvm::ArrayRef<int64_t> shape) {
    mlir::OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(entry);
    return mlir::memref::AllocaOp::create(
        b, loc, mlir::MemRefType::get(shape, element));
  }
};

using BodyFn = std::function<void(KernelBody &, ScalarBuilder &)>;

/// Every (output position (h, w), input position (sh, sw)) pair a window
/// connects: a loop over the taps around a loop over the output positions
/// whose source lies inside the map (computed per tap, so no bounds tests;
/// a circular border wraps the source instead).
void forWindowTaps(
    KernelBody &k, const WindowGeometry &g,
    llvm::function_ref<void(mlir::Value h, mlir::Value w, mlir::Value sh,
                            mlir::Value sw)>
        body);

/// Makes kernels in one module (names are uniqued in its symbol table).
class KernelFactory {
public:
  explicit KernelFactory(mlir::ModuleOp module)
      : module(module), symbols(module) {}

  /// A private kernel on memrefs of `types` followed by (begin, end).
  mlir::func::FuncOp create(llvm::StringRef name, mlir::Location loc,
                            mlir::FloatType element, mlir::TypeRange types,
                            const BodyFn &body);

  /// A gantk.dispatch, before `op`, of a new kernel `name`_kernel over
  /// [0, range) on `operands` with results of `resultTypes`; `tied` gives
  /// each result's operand (none when empty) and `inPlace` marks a kernel
  /// that writes through it.
  DispatchOp dispatch(mlir::Operation *op, llvm::StringRef name,
                      mlir::FloatType element, mlir::ValueRange operands,
                      mlir::TypeRange resultTypes, int64_t range, bool parallel,
                      const BodyFn &body, llvm::ArrayRef<int64_t> tied = {},
                      bool inPlace = false);

  mlir::ModuleOp getModule() { return module; }

private:
  mlir::ModuleOp module;
  mlir::SymbolTable symbols;
};

} // namespace gantk

#endif // GANTK_COMPILER_TRANSFORMS_KERNELBUILDER_H
