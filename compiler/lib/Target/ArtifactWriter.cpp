//===- ArtifactWriter.cpp - planned module to a FlatBuffers artifact ------===//

#include "gantk/Compiler/ArtifactWriter.h"
#include "gantk/Compiler/MemoryPlan.h"
#include "gantk/Compiler/Passes.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "artifact_generated.h"

#include "llvm/ADT/StringMap.h"

using namespace mlir;
namespace fb = gantk::schema;

namespace gantk {

namespace {
class Writer {
public:
  Writer(ModuleOp module, func::FuncOp fn) : module(module), fn(fn) {}

  int64_t offsetOf(Value v) {
    if (auto arg = dyn_cast<BlockArgument>(v))
      return fn->getAttrOfType<DenseI64ArrayAttr>("gantk.arg_offsets")
          [arg.getArgNumber()];
    auto res = cast<OpResult>(v);
    return res.getOwner()->getAttrOfType<DenseI64ArrayAttr>("gantk.offsets")
        [res.getResultNumber()];
  }
  fb::View view(Value v) {
    int64_t elements = cast<ShapedType>(v.getType()).getNumElements();
    // Over ranks each rank holds only its row tiles of these.
    if (auto eigh = v.getDefiningOp<EighRanksOp>();
        eigh && v == eigh.getVectors())
      elements = eigh.getVectorsElements();
    if (auto rows = v.getDefiningOp<ExpmGradRowsRanksOp>())
      elements = rows.getLocalElements();
    if (auto tiles = dyn_cast<RowTilesOp>(v.getParentBlock()->getParentOp()))
      elements = tiles.bufferElements(v);
    return fb::View(offsetOf(v), elements);
  }

  /// The index of each Krylov command, for the products of its factors.
  llvm::DenseMap<Operation *, int64_t> krylovCommands;

  using Commands = std::vector<flatbuffers::Offset<fb::CommandEntry>>;
  using Kernels = std::vector<flatbuffers::Offset<fb::Kernel>>;

  LogicalResult commands(flatbuffers::FlatBufferBuilder &fbb, Commands &out,
                         Kernels &kernels) {
    for (Operation &op : fn.getBody().front()) {
      if (isa<StackOp, tensor::ExtractSliceOp, ParamViewOp, ConcatOp,
              func::ReturnOp, KernelOperatorOp>(op))
        continue;
      if (failed(command(fbb, op, out, kernels)))
        return failure();
    }
    return success();
  }

  /// The index of kernel `name` in the artifact's kernel table.
  uint32_t kernelIndexOf(flatbuffers::FlatBufferBuilder &fbb, StringRef name,
                         bool parallel, Kernels &kernels) {
    auto [it, inserted] = kernelIndex.try_emplace(name, kernels.size());
    if (inserted)
      kernels.push_back(fb::CreateKernel(
          fbb, fbb.CreateString((name + "_entry").str()), parallel,
          kGPUBlock));
    return it->second;
  }

  /// A gantk.row_tiles: its R-row body values are tiles (see
  /// gantk-plan-memory), the rest whole.
  flatbuffers::Offset<fb::RowTiles> rowTiles(flatbuffers::FlatBufferBuilder &fbb,
                                             RowTilesOp tiles,
                                             Kernels &kernels) {
    Block &body = tiles.getBody().front();
    std::vector<fb::View> tileViews;
    for (Operation &inner : body.without_terminator())
      for (Value result : inner.getResults())
        if (tiles.isTiled(result)) {
          fb::View v = view(result);
          if (llvm::none_of(tileViews, [&](const fb::View &t) {
                return t.offset() == v.offset();
              }))
            tileViews.push_back(v);
        }
    Commands bodyCommands;
    for (Operation &inner : body.without_terminator())
      if (failed(command(fbb, inner, bodyCommands, kernels)))
        return {};
    // Rows of dL/dK that each rank holds for its own tiles only.
    std::vector<fb::View> rankTiled;
    for (Operation &inner : body.without_terminator())
      for (Value operand : inner.getOperands())
        if (operand.getDefiningOp<ExpmGradRowsRanksOp>() &&
            llvm::none_of(rankTiled, [&](const fb::View &t) {
              return int64_t(t.offset()) == offsetOf(operand);
            }))
          rankTiled.push_back(view(operand));
    return fb::CreateRowTiles(
        fbb, tiles.getRows(), tiles.getTileRows(),
        fbb.CreateVectorOfStructs(tileViews), fbb.CreateVector(bodyCommands),
        tileRanks(fbb, tiles.getTileRanks()),
        rankTiled.empty() ? 0 : fbb.CreateVectorOfStructs(rankTiled));
  }

  LogicalResult command(flatbuffers::FlatBufferBuilder &fbb, Operation &op,
                        Commands &out, Kernels &kernels) {
    if (!op.hasAttr("gantk.offsets"))
      return op.emitOpError("has no memory plan; run gantk-plan-memory");
    auto label = fbb.CreateString(op.getName().getStringRef().str());
    std::vector<fb::View> resultViews;
    for (Value r : op.getResults())
      resultViews.push_back(view(r));
    auto results = fbb.CreateVectorOfStructs(resultViews);
    // Depends on X only (gantk-hoist-invariants): the runtime runs it once.
    bool once = op.hasAttr(kInvariantAttrName);
    if (auto tiles = dyn_cast<RowTilesOp>(op)) {
      auto cmd = rowTiles(fbb, tiles, kernels);
      if (cmd.IsNull())
        return failure();
      out.push_back(fb::CreateCommandEntry(fbb, fb::Command::RowTiles,
                                           cmd.Union(), label, results, once));
    } else if (auto gemm = dyn_cast<GemmOp>(op)) {
      auto a = cast<RankedTensorType>(gemm.getA().getType());
      auto b = cast<RankedTensorType>(gemm.getB().getType());
      auto c = gemm.getType();
      int64_t k = gemm.getTransA() ? a.getDimSize(0) : a.getDimSize(1);
      fb::View va = view(gemm.getA()), vb = view(gemm.getB()),
               vc = view(gemm.getResult());
      // A Krylov factor along the inner dimension: its columns past the
      // projected dimension are zero, and the runtime skips them.
      Operation *krylov =
          gemm.getTransA() ? nullptr : krylovFactorOf(gemm.getA());
      if (!krylov && gemm.getTransB())
        krylov = krylovFactorOf(gemm.getB());
      auto from = krylovCommands.find(krylov);
      auto cmd = fb::CreateGemm(
          fbb, gemm.getTransA(), gemm.getTransB(), c.getDimSize(0),
          c.getDimSize(1), k, gemm.getAlpha().convertToDouble(), 0.0, &va,
          a.getDimSize(1), &vb, b.getDimSize(1), &vc, c.getDimSize(1),
          from == krylovCommands.end() ? -1 : from->second,
          gemm.getASymmetricFrom().value_or(-1), gemm.getUpperOnly());
      out.push_back(fb::CreateCommandEntry(fbb, fb::Command::Gemm,
                                           cmd.Union(), label, results, once));
    } else if (auto eigh = dyn_cast<EighOp>(op)) {
      auto scratch = op.getAttrOfType<DenseI64ArrayAttr>("gantk.scratch");
      int64_t n = eigh.getInput().getType().getDimSize(0);
      fb::View a = view(eigh.getVectors()), w = view(eigh.getValues());
      fb::View work(scratch[0], syevdWorkElements(n)),
          iwork(scratch[1], syevdIWorkElements(n));
      auto cmd = fb::CreateSyevd(fbb, n, &a, &w, &work, syevdWorkElements(n),
                                 &iwork, syevdIWorkElements(n));
      out.push_back(fb::CreateCommandEntry(fbb, fb::Command::Syevd,
                                           cmd.Union(), label, results, once));
    } else if (isa<KrylovExpmOp, KrylovExpmGradOp, KrylovExpmValueGradOp>(op)) {
      krylovCommands[&op] = int64_t(out.size()); // only ever top level
      out.push_back(fb::CreateCommandEntry(
          fbb, fb::Command::Krylov, krylov(fbb, op, kernels).Union(), label,
          results, once));
    } else if (isa<EighRanksOp, ExpmRanksOp, ExpmGradRowsRanksOp>(op)) {
      out.push_back(fb::CreateCommandEntry(fbb, fb::Command::DenseRanks,
                                           denseRanks(fbb, op, kernels).Union(),
                                           label, results, once));
    } else if (auto dispatch = dyn_cast<DispatchOp>(op)) {
      StringRef name = dispatch.getKernel();
      uint32_t index =
          kernelIndexOf(fbb, name, dispatch.getParallel(), kernels);
      std::vector<uint64_t> args;
      for (Value v : llvm::concat<Value>(dispatch.getArgs(),
                                        dispatch.getResults()))
        args.push_back(offsetOf(v));
      auto cmd = fb::CreateDispatch(fbb, index, fbb.CreateVector(args),
                                    dispatch.getRange());
      out.push_back(fb::CreateCommandEntry(
          fbb, fb::Command::Dispatch, cmd.Union(),
          fbb.CreateString(name.str()), results, once));
    } else {
      return op.emitOpError("cannot be serialised: lower it first");
    }
    return success();
  }

  /// The Krylov op whose factor (factor_a or factor_b) `v` is, whole or
  /// some of its rows with every column; else null.
  static Operation *krylovFactorOf(Value v) {
    while (auto slice = v.getDefiningOp<tensor::ExtractSliceOp>()) {
      auto source = cast<RankedTensorType>(slice.getSourceType());
      if (slice.getStaticOffsets()[1] != 0 ||
          slice.getStaticSizes()[1] != source.getDimSize(1))
        return nullptr;
      v = slice.getSource();
    }
    auto result = dyn_cast<OpResult>(v);
    if (!result)
      return nullptr;
    Operation *op = result.getOwner();
    // Results: [factor_a, factor_b], or [U, factor_a, factor_b].
    if (isa<KrylovExpmGradOp>(op))
      return op;
    if (isa<KrylovExpmValueGradOp>(op) && result.getResultNumber() > 0)
      return op;
    return nullptr;
  }

  /// Krylov commands: workspaces from `gantk.scratch` = [basis, block,
  /// stats] (see gantk-plan-memory).
  flatbuffers::Offset<fb::Krylov> krylov(flatbuffers::FlatBufferBuilder &fbb,
                                         Operation &op, Kernels &kernels) {
    auto scratch = op.getAttrOfType<DenseI64ArrayAttr>("gantk.scratch");
    Value kernel = op.getOperand(0), rhs = op.getOperand(1);
    auto rt = cast<RankedTensorType>(rhs.getType());
    int64_t n = kernelSize(kernel), c = rt.getDimSize(1);
    flatbuffers::Offset<fb::KernelOperator> kernelOperator;
    fb::View vk(0, 0);
    if (auto matrixFree = kernel.getDefiningOp<KernelOperatorOp>())
      kernelOperator = operatorTable(fbb, matrixFree, kernels);
    else
      vk = view(kernel);
    bool value = !isa<KrylovExpmGradOp>(op);
    bool gradient = !isa<KrylovExpmOp>(op);
    int64_t width = gradient ? 2 * c : c;
    auto lambda = op.getAttrOfType<FloatAttr>("lambda").getValueAsDouble();
    auto tol = op.getAttrOfType<FloatAttr>("tol").getValueAsDouble();
    int64_t maxBlocks = op.getAttrOfType<IntegerAttr>("max_iter").getInt();
    fb::View vr = view(rhs), none(0, 0);
    fb::View basis(scratch[0], krylovBasisElements(n, width, maxBlocks));
    fb::View block(scratch[1], n * width), stats(scratch[2], 2);
    // Results: [U], then [factor_a, factor_b].
    int64_t factors = value ? 1 : 0;
    fb::View cot = gradient ? view(op.getOperand(2)) : none;
    fb::View out = value ? view(op.getResult(0)) : none;
    fb::View fa = gradient ? view(op.getResult(factors)) : none;
    fb::View fbv = gradient ? view(op.getResult(factors + 1)) : none;
    int64_t rank =
        gradient
            ? cast<ShapedType>(op.getResult(factors).getType()).getDimSize(1)
            : 0;
    fb::KrylovMode mode = !gradient ? fb::KrylovMode::Action
                          : value   ? fb::KrylovMode::ValueGradient
                                    : fb::KrylovMode::Gradient;
    double cotangentScale = 0;
    if (auto shared = dyn_cast<KrylovExpmValueGradOp>(op))
      cotangentScale = shared.getCotangentScale().convertToDouble();
    return fb::CreateKrylov(fbb, mode, n, c, lambda, tol, maxBlocks, &vk, &vr,
                            &cot, &basis, &block, &out, &fa, &fbv, rank, &stats,
                            kernelOperator, cotangentScale);
  }

  /// The dense plan over ranks: one command per op, workspaces from
  /// `gantk.scratch` (see gantk-plan-memory).
  flatbuffers::Offset<fb::DenseRanks>
  denseRanks(flatbuffers::FlatBufferBuilder &fbb, Operation &op,
             Kernels &kernels) {
    auto scratch = op.getAttrOfType<DenseI64ArrayAttr>("gantk.scratch");
    fb::View none(0, 0), work = none, iwork = none, rhs = none,
                         cotangent = none, out = none;
    flatbuffers::Offset<fb::KernelOperator> kernelOperator;
    EighRanksOp eigh;
    fb::DenseRanksMode mode = fb::DenseRanksMode::Factor;
    double lambda = 0, traceScale = 0;
    int64_t columns = 0, rowOffset = 0, rows = 0, outTileRows = 0;
    if ((eigh = dyn_cast<EighRanksOp>(op))) {
      KernelOperatorOp k = eigh.getOperator();
      kernelOperator = operatorTable(fbb, k, kernels);
      traceScale = k.getTraceScale().convertToDouble();
      auto ranks = module->getAttrOfType<IntegerAttr>(kRanksAttrName).getInt();
      iwork = fb::View(scratch[1],
                       denseRanksIWorkElements(k.getType().getSize(), ranks));
    } else if (auto action = dyn_cast<ExpmRanksOp>(op)) {
      mode = fb::DenseRanksMode::Action;
      eigh = action.getVectors().getDefiningOp<EighRanksOp>();
      lambda = action.getLambda().convertToDouble();
      columns = cast<ShapedType>(action.getRhs().getType()).getDimSize(1);
      rhs = view(action.getRhs());
      out = view(action.getResult());
    } else {
      auto grad = cast<ExpmGradRowsRanksOp>(op);
      mode = fb::DenseRanksMode::GradientRows;
      eigh = grad.getVectors().getDefiningOp<EighRanksOp>();
      lambda = grad.getLambda().convertToDouble();
      traceScale = grad.getTraceScale().convertToDouble();
      columns = cast<ShapedType>(grad.getRhs().getType()).getDimSize(1);
      rhs = view(grad.getRhs());
      cotangent = view(grad.getCotangent());
      out = view(grad.getResult());
      rowOffset = grad.getRowOffset();
      rows = cast<ShapedType>(grad.getType()).getDimSize(0);
      outTileRows = grad.getTileRows();
    }
    KernelOperatorOp k = eigh.getOperator();
    // Factor and GradientRows: gantk-plan-memory's one workspace size.
    if (mode != fb::DenseRanksMode::Action)
      work = fb::View(scratch[0], denseRanksWorkElements(k.getType().getSize(),
                                                         k.getTileRows(),
                                                         k.getKeptTiles()));
    fb::View vectors = view(eigh.getVectors());
    fb::View values = view(eigh.getValues());
    return fb::CreateDenseRanks(
        fbb, mode, k.getType().getSize(), k.getTileRows(), columns, lambda,
        traceScale, kernelOperator, &vectors, &values, &rhs, &cotangent, &out,
        rowOffset, rows, outTileRows, &work, &iwork);
  }

  /// The matrix-free K of a Krylov command: the tile is the operator's
  /// buffer, the recursion kernel reads it and the Gram diagonal.
  flatbuffers::Offset<fb::KernelOperator>
  operatorTable(flatbuffers::FlatBufferBuilder &fbb, KernelOperatorOp op,
                Kernels &kernels) {
    fb::View points = view(op.getPoints());
    fb::View tile(offsetOf(op.getResult()), op.getTileElements());
    uint32_t recursion = kernelIndexOf(fbb, *op.getRecursion(), true, kernels);
    // The recursion kernel's arguments: the tile, the diagonal, the maps.
    std::vector<uint64_t> args{tile.offset(), uint64_t(offsetOf(op.getDiag()))};
    for (Value map : op.getMaps())
      args.push_back(uint64_t(offsetOf(map)));
    return fb::CreateKernelOperator(
        fbb, &points, cast<ShapedType>(op.getPoints().getType()).getDimSize(1),
        op.getGramAlpha().convertToDouble(), recursion, fbb.CreateVector(args),
        op.getTileRows(), &tile, op.getTraceScale().convertToDouble(),
        op.formsGram(), tileRanks(fbb, op.getTileRanks()), op.getKeepTiles());
  }

  /// The rank of each row tile, when the step is split over ranks.
  static flatbuffers::Offset<flatbuffers::Vector<int32_t>>
  tileRanks(flatbuffers::FlatBufferBuilder &fbb,
            std::optional<ArrayRef<int32_t>> ranks) {
    if (!ranks)
      return 0;
    return fbb.CreateVector(ranks->data(), ranks->size());
  }

  ModuleOp module;
  func::FuncOp fn;
  llvm::StringMap<uint32_t> kernelIndex;
};

fb::DataKind dataKind(DataSource source) {
  switch (source) {
  case DataSource::GaussianGrid:
    return fb::DataKind::GaussianGrid;
  case DataSource::GaussianRing:
    return fb::DataKind::GaussianRing;
  case DataSource::Npy:
    return fb::DataKind::Npy;
  case DataSource::Idx:
    return fb::DataKind::Idx;
  case DataSource::Images:
    return fb::DataKind::Images;
  }
  return fb::DataKind::Npy;
}

fb::PlotKind plotKind(Plot plot) {
  switch (plot) {
  case Plot::None:
    return fb::PlotKind::None;
  case Plot::Scatter:
    return fb::PlotKind::Scatter;
  case Plot::Grid:
    return fb::PlotKind::Grid;
  }
  return fb::PlotKind::None;
}

/// The module's run configuration attribute `name`, or an error saying the
/// artifact needs it.
template <typename AttrT>
FailureOr<AttrT> configAttr(ModuleOp module, StringRef name) {
  if (auto attr = module->getAttrOfType<AttrT>(name))
    return attr;
  return module.emitError("the module has no '")
         << name << "' attribute, which the artifact needs (the front end "
         << "sets it from the spec)";
}
} // namespace

FailureOr<std::vector<uint8_t>> writeArtifact(ModuleOp planned,
                                               llvm::ArrayRef<CodeObject> code) {
  auto entryName = planned->getAttrOfType<StringAttr>("gantk.entry");
  auto fn = entryName ? planned.lookupSymbol<func::FuncOp>(entryName) : nullptr;
  if (!fn)
    return planned.emitError("module has no planned entry function"),
           failure();
  auto data = configAttr<DataAttr>(planned, GantkDialect::getDataAttrName());
  auto train = configAttr<TrainAttr>(planned, GantkDialect::getTrainAttrName());
  auto out = configAttr<OutputAttr>(planned, GantkDialect::getOutputAttrName());
  if (failed(data) || failed(train) || failed(out))
    return failure();
  Writer writer(planned, fn);
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::CommandEntry>> commands;
  std::vector<flatbuffers::Offset<fb::Kernel>> kernels;
  if (failed(writer.commands(fbb, commands, kernels)))
    return failure();

  // A step returns (loss, dL/dZ), the loss a 0-d tensor; the kernel entry
  // (NTK, NNGP) of the rows of its one argument.
  auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
  Block &block = fn.getBody().front();
  bool step = cast<ShapedType>(ret.getOperand(0).getType()).getRank() == 0;
  auto realType = cast<RankedTensorType>(block.getArgument(0).getType());
  int64_t numReal = realType.getDimSize(0), dim = realType.getDimSize(1);
  int64_t numFake =
      step ? cast<RankedTensorType>(block.getArgument(1).getType()).getDimSize(0)
           : 0;
  if (train->getRealRows() &&
      (!step || train->getRealRows() < numReal ||
       train->getFakeRows() < numFake))
    return planned.emitError("batch-wise rows (real_rows = ")
               << train->getRealRows() << ", fake_rows = "
               << train->getFakeRows() << ") must hold a training step's "
               << numReal << " real and " << numFake << " generated rows",
           failure();
  fb::View real = writer.view(block.getArgument(0));
  fb::View fake, loss, grad, ntk, nngp;
  // GA-NTKg: @step(X, E, θ); Z is made by the step, inside its stack.
  auto generatorAttr = planned->getAttrOfType<DictionaryAttr>(
      GantkDialect::getGeneratorAttrName());
  flatbuffers::Offset<fb::Generator> generator;
  if (step && generatorAttr) {
    auto widths = generatorAttr.getAs<DenseI64ArrayAttr>("widths");
    auto activations = generatorAttr.getAs<ArrayAttr>("activations");
    StackOp stack;
    for (auto s : block.getOps<StackOp>())
      stack = s;
    if (block.getNumArguments() != 3 || !stack ||
        stack.getFake().getDefiningOp() == nullptr)
      return planned.emitError("a step with a generator takes (X, E, θ) and "
                               "stacks the rows its generator makes"),
             failure();
    std::vector<fb::Activation> acts;
    for (Attribute a : activations) {
      StringRef name = cast<StringAttr>(a).getValue();
      acts.push_back(name == "relu"      ? fb::Activation::Relu
                     : name == "tanh"    ? fb::Activation::Tanh
                     : name == "sigmoid" ? fb::Activation::Sigmoid
                                         : fb::Activation::Identity);
    }
    fb::View latent = writer.view(block.getArgument(1));
    fb::View params = writer.view(block.getArgument(2));
    generator =
        fb::CreateGenerator(fbb, fbb.CreateVector(widths.asArrayRef().vec()),
                            fbb.CreateVector(acts), &latent, &params);
    fake = writer.view(stack.getFake());
    numFake = cast<RankedTensorType>(stack.getFake().getType()).getDimSize(0);
    loss = writer.view(ret.getOperand(0));
    grad = writer.view(ret.getOperand(1));
  } else if (step) {
    fake = writer.view(block.getArgument(1));
    loss = writer.view(ret.getOperand(0));
    grad = writer.view(ret.getOperand(1));
  } else {
    fake = fb::View(real.offset(), 0);
    ntk = writer.view(ret.getOperand(0));
    nngp = writer.view(ret.getOperand(1));
  }

  std::vector<flatbuffers::Offset<fb::CodeObject>> objects;
  for (const CodeObject &object : code)
    objects.push_back(fb::CreateCodeObject(
        fbb, fbb.CreateString(object.target), fbb.CreateVector(object.blob),
        fbb.CreateString(object.cpu),
        fbb.CreateVectorOfStrings(object.features)));
  ArrayRef<int64_t> image = data->getImage();
  auto dataSpec = fb::CreateDataSpec(
      fbb, dataKind(data->getSource()), fbb.CreateString(data->getPath().str()),
      data->getLabel(), data->getSize(), data->getSpacing().convertToDouble(),
      data->getStd().convertToDouble(),
      data->getScale() == Scale::Unit ? fb::Scale::Unit : fb::Scale::None,
      image.empty() ? 0 : image[0], image.empty() ? 0 : image[1],
      image.empty() ? 0 : image[2]);
  auto trainSpec = fb::CreateTrainSpec(
      fbb,
      train->getOptimizer() == Optimizer::GD ? fb::OptimizerKind::GD
                                             : fb::OptimizerKind::Adam,
      train->getLr().convertToDouble(), train->getClip(),
      train->getClipLo().convertToDouble(), train->getClipHi().convertToDouble(),
      train->getBeta1().convertToDouble(), train->getBeta2().convertToDouble(),
      train->getEps().convertToDouble(), train->getSteps(), train->getSeed(),
      train->getInit() == Init::Uniform ? fb::InitKind::Uniform
                                        : fb::InitKind::Normal,
      train->getRealRows(), train->getFakeRows(), train->getEpoch());
  auto output = fb::CreateOutputSpec(fbb, fbb.CreateString(out->getDir().str()),
                                     plotKind(out->getPlot()), out->getEvery(),
                                     out->getCheckpointEvery());

  auto arena = planned->getAttrOfType<IntegerAttr>("gantk.arena_bytes");
  auto peakOp = planned->getAttrOfType<StringAttr>("gantk.peak_op");
  auto commandsVec = fbb.CreateVector(commands);
  auto kernelsVec = fbb.CreateVector(kernels);
  auto codeVec = fbb.CreateVector(objects);
  // The source the module was built from: the spec, or a .mlir file.
  std::string source;
  if (auto file = dyn_cast<FileLineColLoc>(planned.getLoc()))
    source = file.getFilename().str();
  auto specName = fbb.CreateString(source);
  auto peak = fbb.CreateString(peakOp ? peakOp.str() : "");
  fb::ArtifactBuilder ab(fbb);
  if (!generator.IsNull())
    ab.add_generator(generator);
  ab.add_format_version(1);
  ab.add_precision(realType.getElementType().isF32() ? fb::Precision::F32
                                                     : fb::Precision::F64);
  ab.add_n_real(numReal);
  ab.add_n_fake(numFake);
  ab.add_dim(dim);
  ab.add_arena_bytes(arena ? arena.getInt() : 0);
  ab.add_real(&real);
  ab.add_fake(&fake);
  ab.add_loss(&loss);
  ab.add_grad(&grad);
  ab.add_commands(commandsVec);
  ab.add_kernels(kernelsVec);
  ab.add_code(codeVec);
  ab.add_data(dataSpec);
  ab.add_train(trainSpec);
  ab.add_output(output);
  ab.add_spec_name(specName);
  ab.add_entry(step ? fb::EntryKind::Step : fb::EntryKind::Kernel);
  ab.add_ntk(&ntk);
  ab.add_nngp(&nngp);
  ab.add_peak_op(peak);
  if (auto lambda = planned->getAttrOfType<FloatAttr>(
          GantkDialect::getLambdaAttrName()))
    ab.add_lambda(lambda.getValueAsDouble());
  if (auto ranks = planned->getAttrOfType<IntegerAttr>(kRanksAttrName))
    ab.add_ranks(int32_t(ranks.getInt()));
  fbb.Finish(ab.Finish(), fb::ArtifactIdentifier());
  return std::vector<uint8_t>(fbb.GetBufferPointer(),
                              fbb.GetBufferPointer() + fbb.GetSize());
}

} // namespace gantk
