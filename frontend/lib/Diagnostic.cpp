//===- Diagnostic.cpp - gantk DSL error reporting -------------------------===//

#include "gantk/Frontend/Diagnostic.h"

using namespace gantk;

std::string_view DiagnosticEmitter::getLine(int line) const {
  size_t begin = 0;
  for (int l = 1; l < line; ++l) {
    size_t nl = source.find('\n', begin);
    if (nl == std::string_view::npos)
      return {};
    begin = nl + 1;
  }
  size_t end = source.find('\n', begin);
  std::string_view text = source.substr(begin, end == std::string_view::npos
                                                   ? std::string_view::npos
                                                   : end - begin);
  if (!text.empty() && text.back() == '\r')
    text.remove_suffix(1);
  return text;
}

void DiagnosticEmitter::error(int line, int col, const std::string &message) {
  ++errorCount;
  os << fileName << ':' << line << ':' << col << ": error: " << message << '\n';
  std::string_view text = getLine(line);
  os << "  " << text << "\n  ";
  // Keep tabs so the caret lines up however the terminal expands them.
  for (int i = 0; i + 1 < col; ++i)
    os << (static_cast<size_t>(i) < text.size() && text[i] == '\t' ? '\t'
                                                                   : ' ');
  os << "^\n";
}
