//===- TempDir.h - A scratch directory for runtime tests --------*- C++ -*-===//

#ifndef GANTK_TEST_RUNTIME_TEMPDIR_H
#define GANTK_TEST_RUNTIME_TEMPDIR_H

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace gantk::test {

/// A fresh directory under /tmp, removed with its contents at scope exit.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char name[] = "/tmp/gantk-test-XXXXXX";
    path = mkdtemp(name);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  /// The path of `name` inside the directory.
  std::string file(const std::string &name) const {
    return (path / name).string();
  }
};

} // namespace gantk::test

#endif // GANTK_TEST_RUNTIME_TEMPDIR_H
