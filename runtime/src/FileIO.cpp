//===- FileIO.cpp - Whole-file reads and atomic writes -------------------===//

#include "gantk/runtime/FileIO.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

using namespace gantk;

Status gantk::writeFileAtomic(const std::string &path, const void *data,
                              size_t size) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return makeError(ErrorCode::NotFound,
                     path + ": cannot create: " + std::strerror(errno));
  const auto *p = static_cast<const uint8_t *>(data);
  size_t left = size;
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return makeError(ErrorCode::ResourceExhausted,
                       path + ": write failed: " + std::strerror(err));
    }
    p += n;
    left -= size_t(n);
  }
  if (::close(fd) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return makeError(ErrorCode::Internal,
                     path + ": cannot finish writing: " + std::strerror(err));
  }
  return {};
}

Result<std::vector<uint8_t>> gantk::readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return makeError(ErrorCode::NotFound,
                     path + ": cannot open: " + std::strerror(errno));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad())
    return makeError(ErrorCode::DataLoss, path + ": read error");
  return bytes;
}

Result<std::pair<std::vector<uint8_t>, uint64_t>>
gantk::readFilePrefix(const std::string &path, size_t limit) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in)
    return makeError(ErrorCode::NotFound,
                     path + ": cannot open: " + std::strerror(errno));
  uint64_t size = uint64_t(in.tellg());
  in.seekg(0);
  std::vector<uint8_t> bytes(std::min<uint64_t>(size, limit));
  in.read(reinterpret_cast<char *>(bytes.data()), std::streamsize(bytes.size()));
  if (!in)
    return makeError(ErrorCode::DataLoss, path + ": read error");
  return std::make_pair(std::move(bytes), size);
}
