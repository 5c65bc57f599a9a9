//===- ScalarBuilder.h - arith/math emission helpers ------------*- C++ -*-===//
//
// Pair rules, per-pair bodies and kernels are straight-line arith/math code;
// this keeps their construction readable. The values are of one type: a
// float, or a shaped value of floats (a spatial field per pair), on which
// every op acts elementwise and constants are splats.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_DIALECT_GANTK_SCALARBUILDER_H
#define GANTK_DIALECT_GANTK_SCALARBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace gantk {

class ScalarBuilder {
public:
  ScalarBuilder(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type)
      : b(b), loc(loc), type(type) {}

  /// The type of the values built: a float or a shaped value of floats.
  mlir::Type getType() const { return type; }
  mlir::OpBuilder &builder() { return b; }
  mlir::Location getLoc() const { return loc; }
  mlir::Value c(double v) {
    if (auto shaped = llvm::dyn_cast<mlir::ShapedType>(type))
      return mlir::arith::ConstantOp::create(
          b, loc, shaped,
          mlir::DenseElementsAttr::get(
              shaped, b.getFloatAttr(shaped.getElementType(), v)));
    return mlir::arith::ConstantOp::create(b, loc, type,
                                           b.getFloatAttr(type, v));
  }
  mlir::Value add(mlir::Value x, mlir::Value y) {
    return mlir::arith::AddFOp::create(b, loc, x, y);
  }
  /// An addition the optimiser may reassociate: the accumulator of a
  /// reduction loop, which LLVM then vectorises.
  mlir::Value addReassoc(mlir::Value x, mlir::Value y) {
    return mlir::arith::AddFOp::create(
        b, loc, x, y,
        mlir::arith::FastMathFlagsAttr::get(b.getContext(),
                                            mlir::arith::FastMathFlags::reassoc));
  }
  mlir::Value sub(mlir::Value x, mlir::Value y) {
    return mlir::arith::SubFOp::create(b, loc, x, y);
  }
  mlir::Value mul(mlir::Value x, mlir::Value y) {
    return mlir::arith::MulFOp::create(b, loc, x, y);
  }
  mlir::Value div(mlir::Value x, mlir::Value y) {
    return mlir::arith::DivFOp::create(b, loc, x, y);
  }
  mlir::Value neg(mlir::Value x) {
    return mlir::arith::NegFOp::create(b, loc, x);
  }
  mlir::Value max(mlir::Value x, mlir::Value y) {
    return mlir::arith::MaximumFOp::create(b, loc, x, y);
  }
  mlir::Value min(mlir::Value x, mlir::Value y) {
    return mlir::arith::MinimumFOp::create(b, loc, x, y);
  }
  mlir::Value sqrt(mlir::Value x) { return mlir::math::SqrtOp::create(b, loc, x); }
  mlir::Value exp(mlir::Value x) { return mlir::math::ExpOp::create(b, loc, x); }
  mlir::Value expm1(mlir::Value x) {
    return mlir::math::ExpM1Op::create(b, loc, x);
  }
  mlir::Value log1p(mlir::Value x) {
    return mlir::math::Log1pOp::create(b, loc, x);
  }
  mlir::Value erf(mlir::Value x) { return mlir::math::ErfOp::create(b, loc, x); }
  mlir::Value atan2(mlir::Value y, mlir::Value x) {
    return mlir::math::Atan2Op::create(b, loc, y, x);
  }
  mlir::Value abs(mlir::Value x) {
    return mlir::math::AbsFOp::create(b, loc, x);
  }
  mlir::Value cmp(mlir::arith::CmpFPredicate p, mlir::Value x, mlir::Value y) {
    return mlir::arith::CmpFOp::create(b, loc, p, x, y);
  }
  mlir::Value select(mlir::Value cond, mlir::Value x, mlir::Value y) {
    return mlir::arith::SelectOp::create(b, loc, cond, x, y);
  }

private:
  mlir::OpBuilder &b;
  mlir::Location loc;
  mlir::Type type;
};

} // namespace gantk

#endif // GANTK_DIALECT_GANTK_SCALARBUILDER_H
