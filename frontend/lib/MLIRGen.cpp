//===- MLIRGen.cpp - AST to the gantk dialect -----------------------------===//
//
// The one bridge from the front end's AST to MLIR. Layers are built from
// the names the parser's layer table gives them (op name and attributes),
// so a new layer needs nothing here.
//
//===----------------------------------------------------------------------===//

#include "gantk/Frontend/MLIRGen.h"
#include "gantk/Dialect/Gantk/GantkOps.h"
#include "gantk/Dialect/Gantk/Window.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

using namespace mlir;

namespace gantk {

double effectiveLambda(const ast::Objective &objective, int64_t numPoints) {
  if (!objective.normalized)
    return objective.lambda;
  int64_t columns = objective.loss == ast::Objective::Loss::Squared ? 1 : 2;
  return objective.lambda / double(numPoints * columns);
}

namespace {

//===----------------------------------------------------------------------===//
// The spec's choices as the dialect's enums
//===----------------------------------------------------------------------===//

Solver solverOf(ast::Objective::Solver s) {
  switch (s) {
  case ast::Objective::Solver::Auto:
    return Solver::Auto;
  case ast::Objective::Solver::Dense:
    return Solver::Dense;
  case ast::Objective::Solver::Krylov:
    return Solver::Krylov;
  }
  return Solver::Auto;
}

Loss lossOf(ast::Objective::Loss l) {
  return l == ast::Objective::Loss::Squared ? Loss::Squared
                                            : Loss::CrossEntropy;
}

DataSource sourceOf(ast::DataSource::Kind k) {
  switch (k) {
  case ast::DataSource::Kind::GaussianGrid:
    return DataSource::GaussianGrid;
  case ast::DataSource::Kind::GaussianRing:
    return DataSource::GaussianRing;
  case ast::DataSource::Kind::Npy:
    return DataSource::Npy;
  case ast::DataSource::Kind::Idx:
    return DataSource::Idx;
  case ast::DataSource::Kind::Images:
    return DataSource::Images;
  }
  return DataSource::Npy;
}

Plot plotOf(ast::Output::Plot p) {
  switch (p) {
  case ast::Output::Plot::None:
    return Plot::None;
  case ast::Output::Plot::Scatter:
    return Plot::Scatter;
  case ast::Output::Plot::Grid:
    return Plot::Grid;
  }
  return Plot::None;
}

class Generator {
public:
  Generator(MLIRContext &ctx, const ast::Module &spec) : b(&ctx), spec(spec) {}

  Location loc(const ast::Location &l) {
    return FileLineColLoc::get(b.getStringAttr(l.file), l.line, l.col);
  }

  /// One layer of the table (or a repeat block) on `state`.
  FailureOr<Value> layer(const ast::Layer &layer, Value state) {
    Location l = loc(layer.loc);
    if (layer.count) {
      auto repeat = RepeatOp::create(b, l, state, b.getI64IntegerAttr(layer.count));
      OpBuilder::InsertionGuard guard(b);
      Block *body = b.createBlock(&repeat.getBody(), {}, {state.getType()}, {l});
      FailureOr<Value> out = layers(layer.body, body->getArgument(0));
      if (failed(out))
        return failure();
      YieldOp::create(b, l, ValueRange{*out});
      return Value(repeat.getResult());
    }
    OperationName name(layer.op, b.getContext());
    if (!name.isRegistered())
      return emitError(l, "layer '") << layer.name << "' builds '" << layer.op
                                     << "', which the gantk dialect lacks";
    OperationState op(l, name);
    op.addOperands(state);
    op.addTypes(state.getType());
    for (const auto &[attr, value] : layer.attrs) {
      FailureOr<Attribute> a = attribute(l, attr, value);
      if (failed(a))
        return failure();
      op.addAttribute(attr, *a);
    }
    Operation *created = b.create(op);
    // A layer that changes the maps (conv, flatten) infers its result; when
    // it cannot, its verifier says why. (The other layers are verified with
    // the module: inside a repeat body they read a block argument whose
    // yield is not built yet.)
    if (auto infer = dyn_cast<InferTypeOpInterface>(created)) {
      SmallVector<Type> types;
      if (succeeded(infer.inferReturnTypes(
              b.getContext(), l, created->getOperands(),
              created->getAttrDictionary(), created->getPropertiesStorage(),
              created->getRegions(), types)))
        created->getResult(0).setType(types[0]);
      else if (failed(verifyLayer(layer, created)))
        return failure();
    }
    return created->getResult(0);
  }

  /// The op's verifier, reported at the layer in the spec's words ('conv':
  /// …), not the dialect's ('gantk.conv' op …).
  LogicalResult verifyLayer(const ast::Layer &layer, Operation *op) {
    std::string message;
    LogicalResult verified = success();
    {
      ScopedDiagnosticHandler capture(b.getContext(), [&](Diagnostic &d) {
        if (message.empty())
          message = d.str();
        return success();
      });
      verified = verify(op, /*verifyRecursively=*/false);
    }
    if (succeeded(verified))
      return success();
    StringRef text = message;
    text.consume_front(("'" + op->getName().getStringRef() + "' op ").str());
    return emitError(op->getLoc(), "'") << layer.name << "': " << text;
  }

  /// A layer argument as its op attribute: f64, i64 array or the dialect's
  /// enum attribute named like the argument (padding → #gantk.padding<…>).
  FailureOr<Attribute> attribute(Location l, const std::string &name,
                                 const ast::LayerValue &value) {
    switch (value.kind) {
    case ast::LayerValue::Kind::Number:
      return Attribute(b.getF64FloatAttr(value.number));
    case ast::LayerValue::Kind::Integers:
      return Attribute(b.getDenseI64ArrayAttr(value.integers));
    case ast::LayerValue::Kind::Keyword:
      break;
    }
    std::string text = "#gantk." + name + "<" + value.keyword + ">";
    Attribute parsed = parseAttribute(text, b.getContext());
    if (!parsed)
      return emitError(l, "no attribute ") << text << " in the gantk dialect";
    return parsed;
  }

  /// Whether the network works on maps over positions: it has a flatten
  /// (the parser has checked that every conv comes before it).
  static bool onMaps(const std::vector<ast::Layer> &layers) {
    return llvm::any_of(layers, [](const ast::Layer &layer) {
      return layer.name == "flatten";
    });
  }

  /// The input layers (avg_pool) on the image rows; `image` follows them.
  FailureOr<Value> inputLayers(const std::vector<ast::Layer> &layers,
                               Value points, std::vector<int64_t> &image) {
    for (const ast::Layer &layer : layers) {
      if (!layer.onInput)
        continue;
      Location l = loc(layer.loc);
      auto get = [&](StringRef name) -> const ast::LayerValue & {
        for (const auto &[attr, value] : layer.attrs)
          if (attr == name)
            return value;
        llvm_unreachable("the layer table gives every pooling argument");
      };
      FailureOr<Attribute> padding = attribute(l, "padding", get("padding"));
      if (failed(padding))
        return failure();
      auto pool = AvgPoolOp::create(
          b, l, points.getType(), points, b.getDenseI64ArrayAttr(image),
          b.getDenseI64ArrayAttr(get("window").integers),
          b.getDenseI64ArrayAttr(get("stride").integers),
          cast<PaddingAttr>(*padding));
      SmallVector<int64_t, 3> pooled = pool.getPooledImage();
      if (pooled.empty()) {
        std::string error;
        WindowGeometry::get({image[0], image[1]}, get("window").integers,
                            get("stride").integers,
                            cast<PaddingAttr>(*padding).getValue(), error);
        return emitError(l, "'avg_pool': ")
               << error << " (images of " << image[0] << "x" << image[1]
               << ")";
      }
      auto rowsType = cast<RankedTensorType>(points.getType());
      pool.getResult().setType(RankedTensorType::get(
          {rowsType.getDimSize(0), pooled[0] * pooled[1] * pooled[2]},
          rowsType.getElementType()));
      image.assign(pooled.begin(), pooled.end());
      points = pool.getResult();
    }
    return points;
  }

  FailureOr<Value> layers(const std::vector<ast::Layer> &list, Value state) {
    for (const ast::Layer &l : list) {
      FailureOr<Value> next = layer(l, state);
      if (failed(next))
        return failure();
      state = *next;
    }
    return state;
  }

  /// input → layers; returns the final kernel state. Images (`image`:
  /// H, W, C) enter as maps over positions when the network has a flatten.
  FailureOr<Value> network(const std::vector<ast::Layer> &net, Value points,
                           FloatType element, std::vector<int64_t> image) {
    int64_t n = cast<RankedTensorType>(points.getType()).getDimSize(0);
    auto kernelType = KernelType::get(b.getContext(), n, element);
    if (onMaps(net)) {
      if (image.empty()) {
        const ast::Layer &first = net.front();
        int64_t d = cast<RankedTensorType>(points.getType()).getDimSize(1);
        return emitError(loc(first.loc), "'")
               << first.name
               << "' needs image data (idx, images, or an npy of shape "
                  "(N, H, W[, C])), but the rows are flat vectors of "
               << d << " values";
      }
      FailureOr<Value> pooled = inputLayers(net, points, image);
      if (failed(pooled))
        return failure();
      points = *pooled;
      kernelType = kernelType.withSpatial({image[0], image[1]});
    }
    Value state = InputOp::create(b, loc(spec.data.loc), kernelType, points);
    std::vector<ast::Layer> stateLayers;
    for (const ast::Layer &layer : net)
      if (!layer.onInput)
        stateLayers.push_back(layer);
    return layers(stateLayers, state);
  }

  /// The run configuration as module attributes.
  void configure(ModuleOp module, const GraphShape &shape) {
    MLIRContext *ctx = b.getContext();
    const ast::DataSource &src = spec.data.real;
    auto data = DataAttr::get(
        ctx, sourceOf(src.kind), src.path, src.label, src.size,
        APFloat(src.spacing), APFloat(src.std),
        spec.data.scale == ast::Data::Scale::Unit ? Scale::Unit : Scale::None,
        shape.image);
    const ast::Train &t = spec.train;
    const ast::Optimizer &o = t.optimizer;
    auto train = TrainAttr::get(
        ctx,
        o.kind == ast::Optimizer::Kind::GD ? Optimizer::GD : Optimizer::Adam,
        APFloat(o.lr), o.clip, APFloat(o.clipLo), APFloat(o.clipHi),
        APFloat(o.beta1), APFloat(o.beta2), APFloat(o.eps), t.steps, t.seed,
        t.init == ast::Train::Init::Uniform ? Init::Uniform : Init::Normal,
        APFloat(t.memoryBudget), shape.totalReal, shape.totalFake,
        spec.objective.epoch,
        t.loc.line ? LocationAttr(loc(t.loc)) : LocationAttr());
    const ast::Output &out = spec.output;
    auto output = OutputAttr::get(ctx, out.dir, plotOf(out.plot), out.every,
                                  out.checkpointEvery);
    module->setAttr(GantkDialect::getDataAttrName(), data);
    module->setAttr(GantkDialect::getTrainAttrName(), train);
    module->setAttr(GantkDialect::getOutputAttrName(), output);
  }

  OwningOpRef<ModuleOp> build(const GraphShape &shape, EntryKind entry) {
    Location fileLoc = FileLineColLoc::get(b.getStringAttr(spec.file), 1, 1);
    // Algorithm 1 needs the data and the kernel: the driver runs it first.
    if (entry == EntryKind::Step && spec.objective.lambdaSearch) {
      emitError(loc(spec.objective.loc),
                "lambda = search(...) is chosen from the data before the "
                "step is built (gantk run, compile, bench and tune-lambda do)");
      return nullptr;
    }
    OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
    configure(*module, shape);
    b.setInsertionPointToEnd(module->getBody());
    FloatType element = spec.train.precision == ast::Train::Precision::F32
                            ? FloatType(b.getF32Type())
                            : FloatType(b.getF64Type());
    int64_t n = shape.numReal, m = shape.numFake, d = shape.dim, total = n + m;
    auto matrix = [&](int64_t r, int64_t c) {
      return RankedTensorType::get({r, c}, element);
    };
    const std::vector<ast::Discriminator> &nets = spec.discriminators;

    if (entry == EntryKind::Kernel) {
      if (nets.size() > 1) {
        emitError(loc(nets[1].loc), "the kernel of one discriminator is "
                                    "computed, and this spec has ")
            << nets.size() << " (write a spec with the one you want)";
        return nullptr;
      }
      const std::vector<ast::Layer> &net = nets.front().layers;
      Location last = loc(net.back().loc);
      auto fn = func::FuncOp::create(
          b, fileLoc, "kernel",
          b.getFunctionType({matrix(n, d)}, {matrix(n, n), matrix(n, n)}));
      b.setInsertionPointToStart(fn.addEntryBlock());
      FailureOr<Value> state =
          network(net, fn.getArgument(0), element, shape.image);
      if (failed(state))
        return nullptr;
      Value ntk = NtkOp::create(b, last, matrix(n, n), *state);
      Value nngp = NngpOp::create(b, last, matrix(n, n), *state);
      func::ReturnOp::create(b, last, ValueRange{ntk, nngp});
      return module;
    }

    // The variable (the last argument) is Z, or with a generator its θ:
    // @step(X, E, θ) with Z = G(E; θ).
    SmallVector<Type> args{matrix(n, d)};
    SmallVector<int64_t> widths;
    SmallVector<Attribute> activations;
    if (const std::optional<ast::Generator> &g = spec.generator) {
      widths.push_back(g->latent);
      for (const ast::GeneratorLayer &layer : g->layers) {
        widths.push_back(layer.width);
        activations.push_back(
            b.getStringAttr(ast::activationName(layer.activation)));
      }
      if (widths.back() != d) {
        emitError(loc(g->layers.back().loc),
                  "the generator's last dense layer has width ")
            << widths.back() << ", but the data rows have " << d
            << " values (write dense(" << d << "))";
        return nullptr;
      }
      args.push_back(matrix(m, g->latent));
      args.push_back(
          RankedTensorType::get({generatorParamCount(widths)}, element));
      (*module)->setAttr(
          GantkDialect::getGeneratorAttrName(),
          b.getDictionaryAttr(
              {b.getNamedAttr("widths", b.getDenseI64ArrayAttr(widths)),
               b.getNamedAttr("activations", b.getArrayAttr(activations))}));
    } else {
      args.push_back(matrix(m, d));
    }
    auto fn = func::FuncOp::create(
        b, fileLoc, "step",
        b.getFunctionType(args, {RankedTensorType::get({}, element)}));
    fn->setAttr("gantk.differentiate", b.getUnitAttr());
    b.setInsertionPointToStart(fn.addEntryBlock());
    Value z = fn.getArgument(1);
    if (spec.generator)
      z = GeneratorOp::create(b, loc(spec.generator->loc), matrix(m, d),
                              fn.getArgument(1), fn.getArgument(2),
                              b.getDenseI64ArrayAttr(widths),
                              b.getArrayAttr(activations));
    Value s = StackOp::create(b, loc(spec.data.loc), matrix(total, d),
                              fn.getArgument(0), z);
    const ast::Objective &objective = spec.objective;
    Location objLoc = loc(objective.loc);
    Loss loss = lossOf(objective.loss);
    Value labels; // made after the first kernel, shared by all
    FloatAttr lambda = b.getF64FloatAttr(effectiveLambda(objective, total));
    (*module)->setAttr(GantkDialect::getLambdaAttrName(), lambda);
    auto scalar = RankedTensorType::get({}, element);
    // One loss per discriminator, on its own view of the rows; several are
    // summed with their weights (the multi-resolution objective).
    SmallVector<Value> losses;
    SmallVector<double> weights;
    for (const ast::Discriminator &net : nets) {
      FailureOr<Value> state = network(net.layers, s, element, shape.image);
      if (failed(state))
        return nullptr;
      Value kernel = NtkOp::create(b, loc(net.layers.back().loc),
                                   matrix(total, total), *state);
      if (!labels)
        labels = LabelsOp::create(
            b, objLoc, matrix(total, labelColumnsForLoss(loss)),
            b.getI64IntegerAttr(n));
      Value action = ExpmActionOp::create(
          b, objLoc, labels.getType(), kernel, labels, lambda,
          b.getF64FloatAttr(objective.eigReg),
          SolverAttr::get(b.getContext(), solverOf(objective.solver)),
          b.getF64FloatAttr(objective.tol),
          b.getI64IntegerAttr(objective.maxIter));
      losses.push_back(LossOp::create(b, objLoc, scalar, action, labels,
                                      LossAttr::get(b.getContext(), loss)));
      weights.push_back(net.weight);
    }
    Value value = losses.size() == 1 && weights.front() == 1
                      ? losses.front()
                      : LossSumOp::create(b, objLoc, scalar, losses,
                                          b.getDenseF64ArrayAttr(weights))
                            .getResult();
    func::ReturnOp::create(b, objLoc, value);
    return module;
  }

private:
  OpBuilder b;
  const ast::Module &spec;
};
} // namespace

OwningOpRef<ModuleOp> buildModule(MLIRContext &context,
                                  const ast::Module &spec,
                                  const GraphShape &shape, EntryKind entry) {
  context.loadDialect<GantkDialect, func::FuncDialect>();
  OwningOpRef<ModuleOp> module = Generator(context, spec).build(shape, entry);
  if (module && failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace gantk
