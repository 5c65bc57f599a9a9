//===- ASTDump.h - Textual dump of the gantk AST ----------------*- C++ -*-===//
//
// A readable, stable, indented dump of a checked spec (`gantk compile
// --emit=ast`), used by the front-end lit tests.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_FRONTEND_ASTDUMP_H
#define GANTK_FRONTEND_ASTDUMP_H

#include "gantk/Frontend/AST.h"

#include <ostream>

namespace gantk {

/// Writes `module` to `os`, one node per line with its `@line:col` location,
/// children indented by two spaces. Numbers print in the shortest %g form
/// that reads back to the same value.
void dumpAST(const ast::Module &module, std::ostream &os);

} // namespace gantk

#endif // GANTK_FRONTEND_ASTDUMP_H
