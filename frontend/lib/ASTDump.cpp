//===- ASTDump.cpp - Textual dump of the gantk AST ------------------------===//

#include "gantk/Frontend/ASTDump.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

using namespace gantk;
using namespace gantk::ast;

/// %g, with more digits only where six do not read back as the same double,
/// so dumps are exact, stable and free of noise (1000, 0.1, 1e-05).
static std::string formatNumber(double v) {
  char buf[32];
  int precision = 6;
  for (; precision < 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v)
      break;
  }
  std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
  return buf;
}

/// A string as the spec would spell it, quotes included.
static std::string quote(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      out += c;
    }
  }
  return out + '"';
}

/// " @line:col", or " (default)" for a block the spec left out.
static std::string formatLoc(const Location &loc) {
  if (loc.line == 0)
    return " (default)";
  return " @" + std::to_string(loc.line) + ":" + std::to_string(loc.col);
}

static void dumpSource(const DataSource &src, std::ostream &os) {
  os << "    Source ";
  switch (src.kind) {
  case DataSource::Kind::GaussianGrid:
    os << "gaussian_grid" << formatLoc(src.loc) << " size=" << src.size
       << " spacing=" << formatNumber(src.spacing);
    break;
  case DataSource::Kind::GaussianRing:
    os << "gaussian_ring" << formatLoc(src.loc) << " modes=" << src.size
       << " radius=" << formatNumber(src.spacing);
    break;
  case DataSource::Kind::Npy:
    os << "npy" << formatLoc(src.loc) << " path=" << quote(src.path) << '\n';
    return;
  case DataSource::Kind::Images:
    os << "images" << formatLoc(src.loc) << " path=" << quote(src.path) << '\n';
    return;
  case DataSource::Kind::Idx:
    os << "idx" << formatLoc(src.loc) << " path=" << quote(src.path)
       << " label=";
    if (src.label < 0)
      os << "all";
    else
      os << src.label;
    os << '\n';
    return;
  }
  os << " std=" << formatNumber(src.std) << '\n';
}

/// A layer and its arguments; a repeat block's layers below it, indented.
static void dumpLayer(const Layer &layer, std::ostream &os,
                      const std::string &indent = "  ") {
  os << indent << "Layer " << layer.name << formatLoc(layer.loc);
  for (const auto &[name, value] : layer.args) {
    os << ' ' << name << '=';
    switch (value.kind) {
    case LayerValue::Kind::Number:
      os << formatNumber(value.number);
      break;
    case LayerValue::Kind::Integers:
      os << '[';
      for (size_t i = 0; i < value.integers.size(); ++i)
        os << (i ? ", " : "") << value.integers[i];
      os << ']';
      break;
    case LayerValue::Kind::Keyword:
      os << value.keyword;
      break;
    }
  }
  os << '\n';
  for (const Layer &inner : layer.body)
    dumpLayer(inner, os, indent + "  ");
}

static void dumpOptimizer(const Optimizer &opt, std::ostream &os) {
  os << "    Optimizer " << (opt.kind == Optimizer::Kind::GD ? "gd" : "adam")
     << formatLoc(opt.loc) << " lr=" << formatNumber(opt.lr);
  if (opt.kind == Optimizer::Kind::Adam)
    os << " beta1=" << formatNumber(opt.beta1)
       << " beta2=" << formatNumber(opt.beta2)
       << " eps=" << formatNumber(opt.eps);
  os << " clip=";
  if (opt.clip)
    os << '[' << formatNumber(opt.clipLo) << ", " << formatNumber(opt.clipHi)
       << ']';
  else
    os << "none";
  os << '\n';
}

void gantk::dumpAST(const Module &module, std::ostream &os) {
  // The base name keeps dumps independent of where the spec lives.
  os << "Module '" << std::filesystem::path(module.file).filename().string()
     << "'\n";

  const Data &data = module.data;
  os << "  Data" << formatLoc(data.loc) << " n=" << data.n << " m=" << data.m
     << " scale=" << (data.scale == Data::Scale::Unit ? "unit" : "none")
     << '\n';
  dumpSource(data.real, os);

  for (const Discriminator &d : module.discriminators) {
    if (!d.name.empty())
      os << "  Discriminator" << formatLoc(d.loc) << " " << d.name
         << " weight=" << formatNumber(d.weight) << '\n';
    for (const Layer &layer : d.layers)
      dumpLayer(layer, os);
  }

  if (const std::optional<Generator> &g = module.generator) {
    os << "  Generator" << formatLoc(g->loc) << " latent=" << g->latent << '\n';
    for (const GeneratorLayer &layer : g->layers)
      os << "    Dense" << formatLoc(layer.loc) << " width=" << layer.width
         << " activation=" << activationName(layer.activation) << '\n';
  }

  const Objective &obj = module.objective;
  os << "  Objective" << formatLoc(obj.loc)
     << " lambda="
     << (obj.lambdaSearch ? "search(eps: " + formatNumber(obj.searchEps) +
                                ", start: " + formatNumber(obj.searchStart) +
                                ")"
                          : formatNumber(obj.lambda))
     << " normalized=" << (obj.normalized ? "true" : "false") << " loss="
     << (obj.loss == Objective::Loss::Squared ? "squared" : "cross_entropy")
     << " eig_reg=" << formatNumber(obj.eigReg) << " solver="
     << (obj.solver == Objective::Solver::Auto    ? "auto"
         : obj.solver == Objective::Solver::Dense ? "dense"
                                                  : "krylov")
     << " tol=" << formatNumber(obj.tol) << " max_iter=" << obj.maxIter;
  if (obj.batch)
    os << " batch=" << obj.batch << (obj.epoch ? " epoch" : "");
  os << '\n';

  const Train &train = module.train;
  os << "  Train" << formatLoc(train.loc) << " steps=" << train.steps
     << " seed=" << train.seed << " precision="
     << (train.precision == Train::Precision::F32 ? "f32" : "f64")
     << " init=" << (train.init == Train::Init::Uniform ? "uniform" : "normal");
  if (train.memoryBudget > 0)
    os << " memory_budget=" << formatNumber(train.memoryBudget);
  os << '\n';
  dumpOptimizer(train.optimizer, os);

  const Output &out = module.output;
  const char *plot = out.plot == Output::Plot::Scatter ? "scatter"
                     : out.plot == Output::Plot::Grid  ? "grid"
                                                       : "none";
  os << "  Output" << formatLoc(out.loc) << " dir=" << quote(out.dir)
     << " plot=" << plot << " every=" << out.every
     << " checkpoint_every=" << out.checkpointEvery << '\n';
}
