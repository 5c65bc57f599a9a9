//===- MapKernels.cpp - kernels for pairs that carry maps -----------------===//
//
// A per-pair body on maps (tensor<H×W> values: windows, elementwise rules,
// means) becomes loops over positions on per-pair scratch maps:
//  * consecutive elementwise ops on maps of one shape run in one loop over
//    the positions; only values read after the loop get a scratch map;
//  * splat maps (constants, the adjoint of a mean) stay numbers;
//  * a window is a sum over its taps, each tap a branch-free loop over the
//    output positions its source covers (WindowGeometry), and its 1/(kh·kw)
//    is folded into the next reader as a scale;
//  * a mean is a sum over positions.
// Scratch is allocated once per kernel; each pair overwrites it, and
// gantk-vectorize-pairs gives each lane of a vector of pairs its own.
//
//===----------------------------------------------------------------------===//

#include "MapKernels.h"

#include "gantk/Dialect/Gantk/Window.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace gantk;

namespace {

/// Where one value of a per-pair body lives in a kernel: a number (also the
/// value of a splat map), or a map read as memref[lead..., h, w, trail...]
/// times `scale`.
struct MapRef {
  Value scalar;
  Value memref;
  SmallVector<Value, 1> lead, trail;
  double scale = 1;

  bool isMap() const { return bool(memref); }
};

bool isMapType(Type t) {
  auto shaped = dyn_cast<RankedTensorType>(t);
  return shaped && shaped.getRank() == 2;
}

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// An elementwise arith/math op on maps (the rules of layers on maps).
bool isElementwiseMapOp(Operation &op) {
  return op.getNumResults() == 1 && isMapType(op.getResult(0).getType()) &&
         isa<arith::ArithDialect, math::MathDialect>(op.getDialect()) &&
         !isa<arith::ConstantOp>(op);
}

class MapLowering {
public:
  explicit MapLowering(KernelBody &k) : k(k), b(k.b), loc(k.loc) {}

  /// Lowers `body` at the builder with its arguments bound to `inputs`;
  /// returns where its yielded values are.
  FailureOr<SmallVector<MapRef>> lower(Block &body, ArrayRef<MapRef> inputs) {
    env.clear();
    for (auto [arg, in] : llvm::zip(body.getArguments(), inputs))
      env[arg] = in;
    SmallVector<Operation *> run; // the elementwise ops of the open loop
    auto flush = [&]() {
      if (!run.empty())
        emitElementwise(run);
      run.clear();
    };
    for (Operation &op : body.without_terminator()) {
      if (isElementwiseMapOp(op)) {
        if (!run.empty() && shapeOf(run.front()->getResult(0)) !=
                                shapeOf(op.getResult(0)))
          flush();
        run.push_back(&op);
        continue;
      }
      // Splats and numbers never need a loop: they go before the open one
      // (which cannot feed them: its values are maps).
      if (auto cst = dyn_cast<arith::ConstantOp>(op)) {
        if (isMapType(cst.getType())) {
          auto dense = dyn_cast<DenseElementsAttr>(cst.getValue());
          if (!dense || !dense.isSplat())
            return op.emitOpError("a constant map must be a splat"), failure();
          env[cst.getResult()] = MapRef{
              arith::ConstantOp::create(b, loc, dense.getSplatValue<TypedAttr>()),
              {}, {}, {}, 1};
        } else {
          env[cst.getResult()] = MapRef{b.clone(op)->getResult(0), {}, {}, {}, 1};
        }
        continue;
      }
      if (auto splat = dyn_cast<tensor::SplatOp>(op)) {
        env[splat.getResult()] = MapRef{scalar(splat.getInput()), {}, {}, {}, 1};
        continue;
      }
      // Scratch of the body (a loop's tape): once per kernel, not per pair.
      if (isa<memref::AllocaOp>(op)) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(k.entry);
        env[op.getResult(0)] = MapRef{b.clone(op)->getResult(0), {}, {}, {}, 1};
        continue;
      }
      bool touchesMaps =
          llvm::any_of(op.getOperandTypes(), isMapType) ||
          llvm::any_of(op.getResultTypes(), isMapType);
      if (!touchesMaps) {
        // Numbers (the layers after flatten), with whatever the op's regions
        // read from the body.
        IRMapping map;
        for (Value v : op.getOperands())
          map.map(v, scalar(v));
        llvm::SetVector<Value> captured;
        getUsedValuesDefinedAbove(op.getRegions(), captured);
        for (Value v : captured)
          if (env.count(v))
            map.map(v, scalar(v));
        Operation *clone = b.clone(op, map);
        for (auto [from, to] : llvm::zip(op.getResults(), clone->getResults()))
          env[from] = MapRef{to, {}, {}, {}, 1};
        continue;
      }
      flush();
      if (auto window = dyn_cast<WindowOp>(op)) {
        emitWindow(window.getInput(), window.getResult(), window.getKernel(),
                   window.getStride(), window.getPadding(), /*transpose=*/false);
        continue;
      }
      if (auto window = dyn_cast<WindowTransposeOp>(op)) {
        emitWindow(window.getInput(), window.getResult(), window.getKernel(),
                   window.getStride(), window.getPadding(), /*transpose=*/true);
        continue;
      }
      if (auto mean = dyn_cast<SpatialMeanOp>(op)) {
        emitMean(mean);
        continue;
      }
      return op.emitOpError("has no lowering on maps over positions"),
             failure();
    }
    flush();
    SmallVector<MapRef> out;
    for (Value v : body.getTerminator()->getOperands())
      out.push_back(env.lookup(v));
    return out;
  }

  /// `m` at position (h, w), scale applied.
  Value load(const MapRef &m, Value h, Value w) {
    if (!m.isMap())
      return m.scalar;
    Value raw = loadRaw(m, h, w);
    if (m.scale == 1)
      return raw;
    return arith::MulFOp::create(b, loc, raw, constant(m.scale));
  }

  /// A number of the kernel's precision.
  Value constant(double v) {
    return arith::ConstantOp::create(b, loc, k.element,
                                     b.getFloatAttr(k.element, v));
  }

  /// for h < rows, w < cols: fn(h, w).
  void forPositions(ArrayRef<int64_t> shape,
                    function_ref<void(Value, Value)> fn) {
    k.positionLoop(k.index(0), k.index(shape[0]), [&](Value h) {
      k.positionLoop(k.index(0), k.index(shape[1]), [&](Value w) { fn(h, w); });
    });
  }

private:
  Value scalar(Value v) {
    MapRef m = env.lookup(v);
    assert(!m.isMap() && "a number was expected");
    return m.scalar;
  }

  Value loadRaw(const MapRef &m, Value h, Value w) {
    SmallVector<Value> idx(m.lead.begin(), m.lead.end());
    idx.append({h, w});
    idx.append(m.trail);
    return k.load(m.memref, idx);
  }

  /// A fresh map of `shape` in scratch.
  MapRef scratchMap(ArrayRef<int64_t> shape) {
    return MapRef{{}, k.scratch(shape), {}, {}, 1};
  }

  /// One loop over the positions for `ops` (elementwise, one shape).
  void emitElementwise(ArrayRef<Operation *> ops) {
    llvm::SmallPtrSet<Operation *, 16> inRun(ops.begin(), ops.end());
    // Values read after the loop get a scratch map.
    SmallVector<std::pair<Value, MapRef>> kept;
    for (Operation *op : ops) {
      Value r = op->getResult(0);
      bool needed = llvm::any_of(r.getUsers(), [&](Operation *user) {
        return !inRun.contains(user);
      });
      if (needed)
        kept.emplace_back(r, scratchMap(shapeOf(r)));
    }
    forPositions(shapeOf(ops.front()->getResult(0)), [&](Value h, Value w) {
      llvm::DenseMap<Value, Value> local;
      for (Operation *op : ops) {
        OperationState state(loc, op->getName());
        for (Value v : op->getOperands()) {
          auto it = local.find(v);
          state.addOperands(it != local.end() ? it->second
                                              : load(env.lookup(v), h, w));
        }
        state.addAttributes(op->getAttrs());
        state.addTypes(getElementTypeOrSelf(op->getResult(0).getType()));
        local[op->getResult(0)] = b.create(state)->getResult(0);
      }
      for (auto &[v, m] : kept)
        k.store(local[v], m.memref, {h, w});
    });
    for (auto &[v, m] : kept)
      env[v] = m;
  }

  /// out = A(in) (or Aᵀ(in), spreading back over the input positions), by
  /// forWindowTaps.
  void emitWindow(Value input, Value result, ArrayRef<int64_t> kernel,
                  ArrayRef<int64_t> stride, Padding padding, bool transpose) {
    ArrayRef<int64_t> big = transpose ? shapeOf(result) : shapeOf(input);
    std::string error;
    WindowGeometry g = *WindowGeometry::get(big, kernel, stride, padding, error);
    MapRef in = env.lookup(input);
    MapRef out = scratchMap(shapeOf(result));
    forPositions(shapeOf(result), [&](Value h, Value w) {
      k.store(constant(0), out.memref, {h, w});
    });
    forWindowTaps(k, g, [&](Value h, Value w, Value sh, Value sw) {
      // Window: out(h, w) += in(source). Transpose: the reverse.
      Value from =
          transpose ? rawOrScalar(in, h, w) : rawOrScalar(in, sh, sw);
      Value toH = transpose ? sh : h, toW = transpose ? sw : w;
      Value sum = arith::AddFOp::create(b, loc, k.load(out.memref, {toH, toW}),
                                        from);
      k.store(sum, out.memref, {toH, toW});
    });
    out.scale = (in.isMap() ? in.scale : 1) / double(g.taps());
    env[result] = out;
  }

  Value rawOrScalar(const MapRef &m, Value h, Value w) {
    return m.isMap() ? loadRaw(m, h, w) : m.scalar;
  }

  void emitMean(SpatialMeanOp mean) {
    MapRef in = env.lookup(mean.getInput());
    ArrayRef<int64_t> shape = shapeOf(mean.getInput());
    int64_t positions = shape[0] * shape[1];
    if (!in.isMap()) {
      env[mean.getResult()] = in; // the mean of a splat is its value
      return;
    }
    Attribute asWritten = keepLoopAsWritten(b.getContext());
    scf::ForOp rows = k.reduceLoop(
        k.index(0), k.index(shape[0]), constant(0), [&](Value h, Value acc) {
          scf::ForOp cols = k.reduceLoop(
              k.index(0), k.index(shape[1]), acc,
              [&](Value w, Value acc2) -> Value {
                return arith::AddFOp::create(b, loc, acc2, loadRaw(in, h, w));
              });
          cols->setAttr("llvm.loop_annotation", asWritten);
          return cols.getResult(0);
        });
    rows->setAttr("llvm.loop_annotation", asWritten);
    Value sum = rows.getResult(0);
    env[mean.getResult()] = MapRef{
        arith::MulFOp::create(b, loc, sum, constant(in.scale / positions)),
        {}, {}, {}, 1};
  }

  KernelBody &k;
  OpBuilder &b;
  Location loc;
  llvm::DenseMap<Value, MapRef> env;
};

//===----------------------------------------------------------------------===//
// The kernels
//===----------------------------------------------------------------------===//

/// The images of a map Gram: S is N × (H·W·C).
struct Images {
  int64_t h, w, c;
  int64_t dim() const { return h * w * c; }
};

Images imagesOf(GramOp gram) {
  auto shape = gram.getType().getShape();
  int64_t d = cast<RankedTensorType>(gram.getPoints().getType()).getDimSize(1);
  return Images{shape[2], shape[3], d / (shape[2] * shape[3])};
}

/// Element (h, w, c) of image row `row` of S, or of column `col` of Sᵀ.
Value pixel(KernelBody &k, const Images &im, Value points, Value row, Value h,
            Value w, int64_t c, bool transposed) {
  Value base = k.mulIndex(k.addIndex(k.mulIndex(h, im.w), w), im.c);
  Value at = k.addIndex(base, c);
  return transposed ? k.load(points, {at, row}) : k.load(points, {row, at});
}

/// Σ_c x(c)·y(c)/C, in the one order that the pair maps and the diagonal
/// both use: for j = i the pair's map is then bit for bit v_i, so that the
/// rules see q11·q22 − q12² = 0 exactly on the diagonal (NTK_SPEC; a
/// rounding difference there becomes ~1e-8 through the square root).
Value channelMean(KernelBody &k, const Images &im,
                  function_ref<Value(int64_t)> product) {
  Value sum = arith::ConstantOp::create(k.b, k.loc, k.element,
                                        k.b.getFloatAttr(k.element, 0));
  for (int64_t c = 0; c < im.c; ++c)
    sum = arith::AddFOp::create(k.b, k.loc, sum, product(c));
  Value inverse = arith::ConstantOp::create(
      k.b, k.loc, k.element, k.b.getFloatAttr(k.element, 1.0 / double(im.c)));
  return arith::MulFOp::create(k.b, k.loc, sum, inverse);
}

/// The input map of pair (i, j): G_ij(p) = Σ_c s_i(p, c) s_j(p, c) / C.
/// s_j comes from Sᵀ, so that a vector of pairs (consecutive j) reads
/// consecutive memory.
MapRef pairInputMap(KernelBody &k, MapLowering &maps, const Images &im,
                    Value s, Value st, Value i, Value j) {
  MapRef out{{}, k.scratch({im.h, im.w}), {}, {}, 1};
  maps.forPositions({im.h, im.w}, [&](Value h, Value w) {
    Value g = channelMean(k, im, [&](int64_t c) -> Value {
      return arith::MulFOp::create(k.b, k.loc,
                                   pixel(k, im, s, i, h, w, c, false),
                                   pixel(k, im, st, j, h, w, c, true));
    });
    k.store(g, out.memref, {h, w});
  });
  return out;
}

/// v_i as a map: the diagonal's column i (diagᵀ is H × W × N).
MapRef diagMap(Value diagT, Value i) {
  return MapRef{{}, diagT, {}, {i}, 1};
}

class MapOutliner {
public:
  MapOutliner(KernelFactory &kernels, SmallVectorImpl<DispatchOp> &symmetric)
      : kernels(kernels), symmetric(symmetric) {}

  LogicalResult run(GramOp gram) {
    element = cast<FloatType>(gram.getType().getElementType());
    im = imagesOf(gram);
    Value s = gram.getPoints();
    int64_t n = gram.getType().getDimSize(0);
    OpBuilder at(gram);
    // Sᵀ and diag(G)ᵀ, once per step: O(N·d).
    auto points = cast<RankedTensorType>(s.getType());
    auto transposedType = RankedTensorType::get({im.dim(), n}, element);
    st = kernels
             .dispatch(gram, "transpose", element, s, transposedType, n,
                       true,
                       [&](KernelBody &k, ScalarBuilder &) {
                         Value in = k.args[0], out = k.args[1];
                         k.loop(k.begin, k.end, [&](Value i) {
                           k.loop(k.index(0), k.index(points.getDimSize(1)),
                                  [&](Value c) {
                                    k.store(k.load(in, {i, c}), out, {c, i});
                                  });
                         });
                       })
             .getResult(0);
    auto diagType = RankedTensorType::get({im.h, im.w, n}, element);
    Images images = im;
    diagT = kernels
                .dispatch(gram, "map_diag", element, s, diagType, n, true,
                          [images](KernelBody &k, ScalarBuilder &sb) {
                            Value in = k.args[0], out = k.args[1];
                            MapLowering maps(k);
                            k.loop(k.begin, k.end, [&](Value i) {
                              maps.forPositions(
                                  {images.h, images.w}, [&](Value h, Value w) {
                                    Value v = channelMean(
                                        k, images, [&](int64_t c) {
                                          Value x = pixel(k, images, in, i, h,
                                                          w, c, false);
                                          return sb.mul(x, x);
                                        });
                                    k.store(v, out, {h, w, i});
                                  });
                            });
                          })
                .getResult(0);

    SmallVector<Operation *> users(gram->getUsers());
    for (Operation *user : users) {
      if (auto diag = dyn_cast<DiagOp>(user)) {
        diags.push_back(diag);
        continue;
      }
      if (auto pairwise = dyn_cast<PairwiseOp>(user)) {
        if (failed(outlinePairwise(pairwise)))
          return failure();
        continue;
      }
      if (auto grad = dyn_cast<PairwiseGradOp>(user)) {
        if (failed(outlineBackward(grad)))
          return failure();
        continue;
      }
      return user->emitOpError("reads the maps of every pair, which are "
                               "never stored; no kernel for it yet"),
             failure();
    }
    for (DiagOp diag : diags) {
      for (Operation *user : llvm::to_vector(diag->getUsers()))
        if (auto op = dyn_cast<KernelOperatorOp>(user))
          if (failed(outlineOperator(op)))
            return failure();
      if (!diag->use_empty())
        return (*diag->getUsers().begin())->emitOpError(
                   "reads the per-point maps in an unsupported way"),
               failure();
      diag->erase();
    }
    gram->erase();
    return success();
  }

private:
  /// The per-point maps operand of a pairwise op must be the gram's diag.
  LogicalResult checkDiag(Operation *op, Value diag) {
    auto d = diag.getDefiningOp<DiagOp>();
    if (!d || !d.getInput().getDefiningOp<GramOp>())
      return op->emitOpError("needs the diagonal of its map Gram"), failure();
    return success();
  }

  /// The loop nest shared by the stored and the matrix-free K: for rows
  /// [begin, end) and j ≥ i, out[i, j] = body(q12 from the points s / sT,
  /// the diagonal maps of i and j in dT).
  LogicalResult upperTrianglePairs(KernelBody &k, Block &body,
                                   const Images &images, Value s, Value stv,
                                   Value dT, Value out, int64_t n) {
    LogicalResult status = success();
    MapLowering maps(k);
    k.loop(k.begin, k.end, [&](Value i) {
      k.markPairs(k.loop(i, k.index(n), [&](Value j) {
        MapRef q12 = pairInputMap(k, maps, images, s, stv, i, j);
        FailureOr<SmallVector<MapRef>> r =
            maps.lower(body, {q12, diagMap(dT, i), diagMap(dT, j)});
        if (failed(r)) {
          status = failure();
          return;
        }
        k.store((*r)[0].scalar, out, {i, j});
      }));
    });
    return status;
  }

  /// K[i, j] = body(G_ij, v_i, v_j) for j ≥ i.
  LogicalResult outlinePairwise(PairwiseOp pairwise) {
    if (failed(checkDiag(pairwise, pairwise.getDiag())))
      return failure();
    Block *body = &pairwise.getBody().front();
    Images images = im;
    LogicalResult status = success();
    auto n = pairwise.getType().getDimSize(0);
    DispatchOp dispatch = kernels.dispatch(
        pairwise, "map_pairwise", element,
        ValueRange{pairwiseGram(pairwise), st, diagT}, pairwise.getType(), n,
        true, [&](KernelBody &k, ScalarBuilder &) {
          status = upperTrianglePairs(k, *body, images, k.args[0],
                                      k.args[1], k.args[2], k.args[3], n);
        });
    if (failed(status))
      return failure();
    pairwise.getResult().replaceAllUsesWith(dispatch.getResult(0));
    pairwise->erase();
    symmetric.push_back(dispatch);
    return success();
  }

  /// A matrix-free operator's recursion: rows [begin, end) of K, j ≥ i,
  /// into the tile the runtime passes (rebased so that rows stay global),
  /// from the points; no Gram GEMM.
  LogicalResult outlineOperator(KernelOperatorOp op) {
    Block *body = &op.getBody().front();
    int64_t n = op.getType().getSize();
    Value points = op.getPoints();
    auto matrix = RankedTensorType::get({n, n}, element);
    Images images = im;
    LogicalResult status = success();
    func::FuncOp fn = kernels.create(
        "map_recursion_kernel", op.getLoc(), element,
        {matrix, diagT.getType(), points.getType(), st.getType()},
        [&](KernelBody &k, ScalarBuilder &) {
          status = upperTrianglePairs(k, *body, images, k.args[2],
                                      k.args[3], k.args[1], k.args[0], n);
        });
    if (failed(status))
      return failure();
    op.setRecursionAttr(FlatSymbolRefAttr::get(fn));
    op.getDiagMutable().assign(diagT);
    op.getMapsMutable().assign(ValueRange{points, st});
    op.getBody().getBlocks().clear();
    return success();
  }

  Value pairwiseGram(PairwiseOp op) {
    return op.getGram().getDefiningOp<GramOp>().getPoints();
  }

  /// pairwise_grad → add_diag → gram_grad as one kernel over the rows of
  /// dL/dS: for row i, every pair (i, j) runs the adjoint body and adds its
  /// dG_ij(p)·s_j(p) and ∂/∂v_i into row accumulators; then
  /// dS_i(p, c) = 2/C (Σ_j dG_ij(p) s_j(p, c) + 2 Σ_j ∂_v_i(p) · s_i(p, c)).
  LogicalResult outlineBackward(PairwiseGradOp grad) {
    if (failed(checkDiag(grad, grad.getDiag())))
      return failure();
    auto single = [](Value v) -> Operation * {
      return v.hasOneUse() ? *v.getUsers().begin() : nullptr;
    };
    auto addDiag = dyn_cast_or_null<AddDiagOp>(single(grad.getGramGrad()));
    auto gramGrad = addDiag ? dyn_cast_or_null<GramGradOp>(single(addDiag.getResult()))
                            : GramGradOp();
    if (!addDiag || !gramGrad || addDiag.getDiag() != grad.getDiagGrad() ||
        !grad.getDiagGrad().hasOneUse() ||
        addDiag.getRowOffset() != grad.getRowOffset() ||
        gramGrad.getRowOffset() != grad.getRowOffset() ||
        gramGrad.getType().getDimSize(0) != grad.getGramGrad().getType().getDimSize(0))
      return grad.emitOpError("on maps needs its rows consumed by add_diag "
                              "and gram_grad (the generated points' "
                              "gradient)"),
             failure();
    Block *body = &grad.getBody().front();
    Images images = im;
    int64_t offset = grad.getRowOffset();
    int64_t rows = gramGrad.getType().getDimSize(0);
    int64_t n = cast<RankedTensorType>(grad.getCotangent().getType()).getDimSize(1);
    bool rowBlock =
        cast<RankedTensorType>(grad.getCotangent().getType()).getDimSize(0) ==
            rows &&
        rows != n;
    Value s = gramGrad.getPoints();
    LogicalResult status = success();
    DispatchOp dispatch = kernels.dispatch(
        gramGrad, "map_backward", element,
        ValueRange{s, st, diagT, grad.getCotangent()}, gramGrad.getType(),
        rows, true, [&](KernelBody &k, ScalarBuilder &sb) {
          Value sv = k.args[0], stv = k.args[1], dT = k.args[2],
                cot = k.args[3], out = k.args[4];
          MapLowering maps(k);
          Value acc = k.scratch({images.dim()});
          Value accV = k.scratch({images.h, images.w});
          k.loop(k.begin, k.end, [&](Value i) {
            Value gi = k.addIndex(i, offset);
            Value row = rowBlock ? i : gi;
            k.positionLoop(k.index(0), k.index(images.dim()), [&](Value p) {
              k.store(sb.c(0), acc, p);
            });
            maps.forPositions({images.h, images.w}, [&](Value h, Value w) {
              k.store(sb.c(0), accV, {h, w});
            });
            k.markPairs(k.loop(k.index(0), k.index(n), [&](Value j) {
              MapRef q12 = pairInputMap(k, maps, images, sv, stv, gi, j);
              MapRef c{k.load(cot, {row, j}), {}, {}, {}, 1};
              FailureOr<SmallVector<MapRef>> d = maps.lower(
                  *body, {q12, diagMap(dT, gi), diagMap(dT, j), c});
              if (failed(d)) {
                status = failure();
                return;
              }
              MapRef dq12 = (*d)[0], dq11 = (*d)[1];
              maps.forPositions({images.h, images.w}, [&](Value h, Value w) {
                Value g = maps.load(dq12, h, w);
                for (int64_t ch = 0; ch < images.c; ++ch) {
                  Value at = k.addIndex(
                      k.mulIndex(k.addIndex(k.mulIndex(h, images.w), w),
                                 images.c),
                      ch);
                  Value term =
                      sb.mul(g, pixel(k, images, stv, j, h, w, ch, true));
                  k.store(sb.add(k.load(acc, at), term), acc, at);
                }
                k.store(sb.add(k.load(accV, {h, w}), maps.load(dq11, h, w)),
                        accV, {h, w});
              });
            }));
            double scale = 2.0 / double(images.c);
            maps.forPositions({images.h, images.w}, [&](Value h, Value w) {
              Value dv = sb.mul(sb.c(2), k.load(accV, {h, w}));
              for (int64_t ch = 0; ch < images.c; ++ch) {
                Value at = k.addIndex(
                    k.mulIndex(k.addIndex(k.mulIndex(h, images.w), w),
                               images.c),
                    ch);
                Value self = pixel(k, images, sv, gi, h, w, ch, false);
                Value total = sb.add(k.load(acc, at), sb.mul(dv, self));
                k.store(sb.mul(sb.c(scale), total), out, {i, at});
              }
            });
          });
        });
    if (failed(status))
      return failure();
    gramGrad.getResult().replaceAllUsesWith(dispatch.getResult(0));
    gramGrad->erase();
    addDiag->erase();
    grad->erase();
    return success();
  }

  KernelFactory &kernels;
  SmallVectorImpl<DispatchOp> &symmetric;
  FloatType element;
  Images im;
  Value st, diagT;
  SmallVector<DiagOp> diags;
};

} // namespace

LogicalResult gantk::outlineMapKernels(KernelFactory &kernels, func::FuncOp fn,
                                       SmallVectorImpl<DispatchOp> &symmetric) {
  SmallVector<GramOp> grams;
  fn.walk([&](GramOp gram) {
    if (gram.getType().getRank() == 4)
      grams.push_back(gram);
  });
  for (GramOp gram : grams)
    if (failed(MapOutliner(kernels, symmetric).run(gram)))
      return failure();
  return success();
}
