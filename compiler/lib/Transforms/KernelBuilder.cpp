//===- KernelBuilder.cpp - building outlined loop-nest kernels ------------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

using namespace mlir;
using namespace gantk;

Attribute gantk::keepLoopAsWritten(MLIRContext *ctx) {
  ctx->getOrLoadDialect<LLVM::LLVMDialect>();
  BoolAttr yes = BoolAttr::get(ctx, true);
  auto vectorize = LLVM::LoopVectorizeAttr::get(ctx, yes, {}, {}, {}, {}, {}, {});
  auto unroll = LLVM::LoopUnrollAttr::get(ctx, yes, {}, {}, {}, {}, {}, {});
  return LLVM::LoopAnnotationAttr::get(ctx, {}, vectorize, {}, unroll, {}, {},
                                       {}, {}, {}, {}, {}, {}, {}, {}, {});
}

func::FuncOp KernelFactory::create(StringRef name, Location loc,
                                   FloatType element, TypeRange types,
                                   const BodyFn &body) {
  MLIRContext *ctx = element.getContext();
  SmallVector<Type> argTypes;
  for (Type t : types) {
    auto shaped = cast<RankedTensorType>(t);
    argTypes.push_back(
        MemRefType::get(shaped.getShape(), shaped.getElementType()));
  }
  IndexType index = IndexType::get(ctx);
  argTypes.push_back(index);
  argTypes.push_back(index);

  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module.getBody());
  auto fn =
      func::FuncOp::create(b, loc, name, FunctionType::get(ctx, argTypes, {}));
  symbols.insert(fn); // uniques the name
  fn.setPrivate();
  fn->setAttr(kKernelAttrName, UnitAttr::get(ctx));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);
  ValueRange all = entry->getArguments();
  KernelBody k{b,   loc, element, all.drop_back(2), all[all.size() - 2],
               all.back(), entry};
  ScalarBuilder s(b, loc, element);
  body(k, s);
  func::ReturnOp::create(b, loc);
  return fn;
}

DispatchOp KernelFactory::dispatch(Operation *op, StringRef name,
                                   FloatType element, ValueRange operands,
                                   TypeRange resultTypes, int64_t range,
                                   bool parallel, const BodyFn &body,
                                   ArrayRef<int64_t> tied, bool inPlace) {
  func::FuncOp fn = create(
      (name + "_kernel").str(), op->getLoc(), element,
      llvm::to_vector(llvm::concat<Type>(operands.getTypes(), resultTypes)),
      body);
  OpBuilder at(op);
  SmallVector<int64_t> ties(tied);
  if (ties.empty())
    ties.assign(resultTypes.size(), -1);
  return DispatchOp::create(
      at, op->getLoc(), resultTypes, SymbolRefAttr::get(fn), operands,
      at.getI64IntegerAttr(range), at.getBoolAttr(parallel),
      at.getDenseI64ArrayAttr(ties), inPlace ? at.getUnitAttr() : UnitAttr());
}

/// The output positions [begin, end) of a window axis whose source
/// s·h + tap − lo lies in [0, in): all of them for a circular border.
static std::pair<Value, Value> windowOutputRange(KernelBody &k,
                                                 const WindowAxis &axis,
                                                 Value tap) {
  if (axis.wrap)
    return {k.index(0), k.index(axis.out)};
  OpBuilder &b = k.b;
  Location loc = k.loc;
  auto maxs = [&](Value x, Value y) {
    return arith::MaxSIOp::create(b, loc, x, y).getResult();
  };
  auto sub = [&](int64_t c, Value x) {
    return arith::SubIOp::create(b, loc, k.index(c), x).getResult();
  };
  auto divu = [&](Value x, int64_t d) {
    return arith::DivUIOp::create(b, loc, x, k.index(d)).getResult();
  };
  // begin = ⌈max(lo − tap, 0) / s⌉; end = min(out, ⌊(in − 1 + lo − tap +
  // s) / s⌋), which is 0 when the tap never lands inside.
  Value before = maxs(sub(axis.lo, tap), k.index(0));
  Value begin = divu(k.addIndex(before, axis.s - 1), axis.s);
  Value last = maxs(sub(axis.in - 1 + axis.lo + axis.s, tap), k.index(0));
  Value end = k.min(divu(last, axis.s), k.index(axis.out));
  return {begin, end};
}

/// The input position that output position `h` reads through `tap`
/// (wrapped once for a circular border).
static Value windowSource(KernelBody &k, const WindowAxis &axis, Value h,
                          Value tap) {
  OpBuilder &b = k.b;
  Location loc = k.loc;
  Value at = arith::SubIOp::create(
      b, loc, k.addIndex(k.mulIndex(h, axis.s), tap), k.index(axis.lo));
  if (!axis.wrap)
    return at;
  // One wrap at most: the window is no larger than the map.
  Value low =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, at, k.index(0));
  Value high = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, at,
                                     k.index(axis.in));
  at = arith::SelectOp::create(b, loc, low, k.addIndex(at, axis.in), at);
  return arith::SelectOp::create(b, loc, high, k.addIndex(at, -axis.in), at);
}

void gantk::forWindowTaps(
    KernelBody &k, const WindowGeometry &g,
    function_ref<void(Value h, Value w, Value sh, Value sw)> body) {
  k.positionLoop(k.index(0), k.index(g.rows.k), [&](Value a) {
    auto [h0, h1] = windowOutputRange(k, g.rows, a);
    k.positionLoop(k.index(0), k.index(g.cols.k), [&](Value c) {
      auto [w0, w1] = windowOutputRange(k, g.cols, c);
      k.positionLoop(h0, h1, [&](Value h) {
        Value sh = windowSource(k, g.rows, h, a);
        k.positionLoop(w0, w1, [&](Value w) {
          body(h, w, sh, windowSource(k, g.cols, w, c));
        });
      });
    });
  });
}
