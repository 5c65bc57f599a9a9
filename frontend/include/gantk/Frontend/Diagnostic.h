//===- Diagnostic.h - gantk DSL error reporting -----------------*- C++ -*-===//
//
// Errors in a spec are printed clang-style: `file:line:col: error: message`,
// then the offending source line and a caret under the column.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_FRONTEND_DIAGNOSTIC_H
#define GANTK_FRONTEND_DIAGNOSTIC_H

#include <ostream>
#include <string>
#include <string_view>

namespace gantk {

/// Reports errors against one spec buffer. The buffer must outlive it.
class DiagnosticEmitter {
public:
  /// Reports against `source`, naming it `fileName` in each message.
  DiagnosticEmitter(std::string_view source, std::string fileName,
                    std::ostream &os)
      : source(source), fileName(std::move(fileName)), os(os) {}

  /// Prints an error at 1-based `line`:`col` with the source line and caret.
  void error(int line, int col, const std::string &message);

  /// Returns whether any error has been reported.
  bool hadError() const { return errorCount != 0; }

private:
  /// Returns the text of 1-based `line` without its line terminator.
  std::string_view getLine(int line) const;

  std::string_view source;
  std::string fileName;
  std::ostream &os;
  unsigned errorCount = 0;
};

} // namespace gantk

#endif // GANTK_FRONTEND_DIAGNOSTIC_H
