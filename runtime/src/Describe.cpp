//===- Describe.cpp - What an artifact holds, as text ---------------------===//

#include "gantk/runtime/Describe.h"
#include "gantk/runtime/Commands.h"

#include <sstream>

using namespace gantk;
namespace fbs = gantk::schema;

std::string gantk::describeCommand(const fbs::Artifact &root,
                                   const fbs::CommandEntry &entry,
                                   const std::string &indent) {
  // `os` is the command's line, `more` the lines under it.
  std::ostringstream os, more;
  visitCommand(
      entry,
      Overloaded{[&](const fbs::Gemm &g) {
                   os << "gemm " << g.m() << "x" << g.n() << "x" << g.k()
                      << (g.trans_a() ? " A^T" : "")
                      << (g.trans_b() ? " B^T" : "") << " alpha " << g.alpha()
                      << (g.live_k_from() >= 0
                              ? " (k: the live columns of command " +
                                    std::to_string(g.live_k_from()) + ")"
                              : "")
                      << (g.a_symmetric_from() >= 0
                              ? " (A's columns from " +
                                    std::to_string(g.a_symmetric_from()) +
                                    ": a symmetric block, upper triangle)"
                              : "")
                      << (g.c_upper_only()
                              ? " (C's last columns: a symmetric block, upper "
                                "triangle only)"
                              : "");
                 },
                 [&](const fbs::Syevd &e) { os << "syevd n " << e.n(); },
                 [&](const fbs::Dispatch &d) {
                   const fbs::Kernel &k = *root.kernels()->Get(d.kernel());
                   os << "dispatch " << k.name()->str() << " range "
                      << d.range() << (k.parallel() ? "" : " (serial)");
                 },
                 [&](const fbs::Krylov &k) {
                   os << "krylov "
                      << (k.mode() == fbs::KrylovMode::Gradient ? "gradient"
                          : k.mode() == fbs::KrylovMode::ValueGradient
                              ? "value and gradient"
                              : "action")
                      << " n " << k.n() << " columns " << k.columns()
                      << " lambda " << k.lambda() << " tol " << k.tol()
                      << " max_blocks " << k.max_blocks();
                   if (const fbs::KernelOperator *op = k.operator_()) {
                     more << "\n"
                          << indent << "matrix-free: tiles of "
                          << op->tile_rows() << " rows, recursion "
                          << root.kernels()->Get(op->recursion())->name()->str();
                     if (op->gram())
                       more << ", gram alpha " << op->gram_alpha();
                     else
                       more << ", maps from the points";
                     more << ", trace scale " << op->trace_scale();
                   }
                 },
                 [&](const fbs::RowTiles &r) {
                   os << "row tiles rows " << r.rows() << " tile_rows "
                      << r.tile_rows() << " tiles " << r.tiles()->size();
                   for (uint32_t j = 0; j < r.body()->size(); ++j)
                     more << "\n"
                          << indent << j << " "
                          << describeCommand(root, *r.body()->Get(j),
                                             indent + "    ");
                 },
                 [&](const fbs::DenseRanks &d) {
                   static const char *modes[] = {"factor", "action",
                                                 "gradient rows"};
                   os << "dense over ranks " << modes[int(d.mode()) % 3]
                      << " n " << d.n() << " tile_rows " << d.tile_rows();
                   if (d.mode() != fbs::DenseRanksMode::Factor)
                     os << " columns " << d.columns() << " lambda "
                        << d.lambda();
                   if (d.mode() == fbs::DenseRanksMode::GradientRows)
                     os << " rows [" << d.row_offset() << ", "
                        << d.row_offset() + d.rows() << ") in tiles of "
                        << d.out_tile_rows();
                 },
                 [&](UnknownCommand) { os << "?"; }});
  if (entry.label())
    os << "  [" << entry.label()->str() << "]";
  if (entry.once())
    os << "  once (X only)";
  return os.str() + more.str();
}

void gantk::describeArtifact(const Artifact &artifact, std::ostream &os) {
  const fbs::Artifact &root = artifact.root();
  bool step = root.entry() == fbs::EntryKind::Step;
  os << "artifact " << artifact.name() << ": "
     << (root.spec_name() ? root.spec_name()->str() : "") << ", "
     << (step ? "step" : "kernel") << ", "
     << (root.precision() == fbs::Precision::F64 ? "f64" : "f32") << ", n_real "
     << root.n_real() << ", n_fake " << root.n_fake() << ", dim " << root.dim();
  if (root.lambda() > 0)
    os << ", lambda " << root.lambda();
  os << "\n";
  if (root.generator())
    if (Result<GeneratorShape> g = generatorShape(root); g.ok()) {
      os << "generator (GA-NTKg): latent " << g->latent();
      for (size_t k = 0; k + 1 < g->widths.size(); ++k)
        os << " -> " << g->widths[k + 1] << " " << g->activations[k];
      os << "; theta " << g->paramCount() << " values, " << root.n_fake()
         << " latent rows drawn each step\n";
    }
  // A generator makes each step's generated rows: only X's are drawn.
  if (const fbs::TrainSpec *train = root.train(); train && train->real_rows()) {
    os << "batch-wise: each step takes " << root.n_real() << " of "
       << train->real_rows() << " real";
    if (!root.generator())
      os << " and " << root.n_fake() << " of " << train->fake_rows()
         << " generated";
    os << " rows"
       << (train->epoch() ? ", in shuffled passes (epochs)"
                          : ", drawn afresh each step")
       << "\n";
  }
  os << "sha256: " << artifact.digest() << "\n";
  os << "memory plan: " << root.arena_bytes() << " bytes, peak at "
     << (root.peak_op() ? root.peak_op()->str() : "?") << "\n";
  // The verifier requires neither list: an absent one is empty.
  os << "code objects:\n";
  if (root.code())
    for (const fbs::CodeObject *code : *root.code()) {
      os << "  " << (code->target() ? code->target()->str() : "?") << " "
         << (code->blob() ? code->blob()->size() : 0) << " bytes";
      if (code->cpu() && code->cpu()->size()) {
        os << ", for " << code->cpu()->str() << " (uses";
        if (code->features() && code->features()->size())
          for (const flatbuffers::String *f : *code->features())
            os << ' ' << f->str();
        else
          os << " no x86 extensions beyond x86-64";
        os << ")";
      }
      os << "\n";
    }
  os << "kernels:\n";
  if (root.kernels())
    for (const fbs::Kernel *k : *root.kernels())
      os << "  " << k->name()->str()
         << (k->parallel() ? " parallel" : " serial") << " gpu_block "
         << k->gpu_block() << "\n";
  os << "commands:\n";
  for (uint32_t i = 0; i < root.commands()->size(); ++i)
    os << "  " << i << " " << describeCommand(root, *root.commands()->Get(i))
       << "\n";
}
