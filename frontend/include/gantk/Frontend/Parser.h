//===- Parser.h - gantk DSL parser and checker ------------------*- C++ -*-===//
//
// Entry points of the front end: text in, a checked AST out (or diagnostics).
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_FRONTEND_PARSER_H
#define GANTK_FRONTEND_PARSER_H

#include "gantk/Frontend/AST.h"

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace gantk {

/// Parses and checks the spec file at `path`. On error writes diagnostics to
/// `errs` and returns std::nullopt. Relative data paths in the spec are
/// resolved against the directory of `path`.
std::optional<ast::Module> parseSpecFile(const std::string &path,
                                         std::ostream &errs);

/// Parses and checks spec `text`, naming it `fileName` in locations and
/// diagnostics (relative data paths resolve against its directory). On error
/// writes diagnostics to `errs` and returns std::nullopt.
std::optional<ast::Module> parseSpec(std::string_view text,
                                     const std::string &fileName,
                                     std::ostream &errs);

} // namespace gantk

#endif // GANTK_FRONTEND_PARSER_H
