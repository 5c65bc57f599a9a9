//===- spec.cpp - libFuzzer target: the spec lexer, parser and checker ----===//
//
// Bytes -> parseSpec (lex, parse, check) -> on success the AST dump. The
// front end reads no file here: parseSpec takes the text, and a data
// source's path is only resolved (lexically) against the spec's name, never
// opened; data files are read by the driver (driver/lib/DataShape.cpp),
// which this target does not link.
//
//===----------------------------------------------------------------------===//

#include "gantk/Frontend/ASTDump.h"
#include "gantk/Frontend/Parser.h"

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  std::ostringstream errs;
  std::optional<gantk::ast::Module> module =
      gantk::parseSpec(text, "fuzz/in.gantk", errs);
  // Every rejected spec says why, at a location.
  if (!module && errs.str().find(": error: ") == std::string::npos)
    __builtin_trap();
  if (module) {
    std::ostringstream dump;
    gantk::dumpAST(*module, dump);
  }
  return 0;
}
