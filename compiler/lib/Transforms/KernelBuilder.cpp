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
                                   bool parallel, const BodyFn &body) {
  func::FuncOp fn = create(
      (name + "_kernel").str(), op->getLoc(), element,
      llvm::to_vector(llvm::concat<Type>(operands.getTypes(), resultTypes)),
      body);
  OpBuilder at(op);
  return DispatchOp::create(
      at, op->getLoc(), resultTypes, SymbolRefAttr::get(fn), operands,
      at.getI64IntegerAttr(range), at.getBoolAttr(parallel),
      at.getDenseI64ArrayAttr(SmallVector<int64_t>(resultTypes.size(), -1)),
      UnitAttr());
}
