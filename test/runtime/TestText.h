//===- TestText.h - Reading files and counting text in tests ----*- C++ -*-===//

#ifndef GANTK_TEST_RUNTIME_TESTTEXT_H
#define GANTK_TEST_RUNTIME_TESTTEXT_H

#include <fstream>
#include <iterator>
#include <string>

namespace gantk::test {

/// A file's bytes as a string (empty when it cannot be read).
inline std::string contents(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// How often `what` occurs in `text`, without overlaps.
inline size_t count(const std::string &text, const std::string &what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + what.size()))
    ++n;
  return n;
}

} // namespace gantk::test

#endif // GANTK_TEST_RUNTIME_TESTTEXT_H
