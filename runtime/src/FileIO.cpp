//===- FileIO.cpp - Whole-file reads and atomic writes -------------------===//

#include "gantk/runtime/FileIO.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

using namespace gantk;

namespace {

/// What a path that exists but is not a regular file is, for messages.
const char *nonRegularKind(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISLNK(mode))
    return "a symbolic link";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISCHR(mode) || S_ISBLK(mode))
    return "a device";
  if (S_ISSOCK(mode))
    return "a socket";
  return "not a regular file";
}

/// A full disk is a run failure; a missing path, or one this user may not
/// write (permissions, a read-only file system), is the user's to fix.
ErrorCode codeFor(int err) {
  switch (err) {
  case ENOSPC:
  case EDQUOT:
  case EFBIG:
    return ErrorCode::ResourceExhausted;
  case ENOENT:
  case ENOTDIR:
    return ErrorCode::NotFound;
  case EACCES:
  case EPERM:
  case EROFS:
    return ErrorCode::InvalidArgument;
  default:
    return ErrorCode::FailedPrecondition;
  }
}

/// Test hook (docs/runtime.md "Fault injection"): GANTK_FAULT_KILL_IN_WRITE=N
/// kills the process with SIGKILL halfway through its N-th atomic write,
/// after half the bytes reached the temporary file.
bool killInThisWrite() {
  static std::atomic<long> writes{0};
  static const long target = [] {
    const char *v = std::getenv("GANTK_FAULT_KILL_IN_WRITE");
    return v ? std::atol(v) : 0L;
  }();
  return target > 0 && ++writes == target;
}

Status writeAll(int fd, const uint8_t *p, size_t size, const std::string &path) {
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int err = n < 0 ? errno : ENOSPC;
      return makeError(codeFor(err),
                       path + ": write failed: " + std::strerror(err));
    }
    p += n;
    size -= size_t(n);
  }
  return {};
}

} // namespace

Status gantk::checkWritableTarget(const std::string &path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    return makeError(ErrorCode::InvalidArgument,
                     path + ": is " + nonRegularKind(st.st_mode) +
                         "; not replacing it with a file");
  return {};
}

void gantk::removeStaleTemporaries(const std::string &path) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path dir = target.parent_path().empty() ? "." : target.parent_path();
  std::string prefix = target.filename().string() + ".tmp.";
  std::error_code ec;
  for (const fs::directory_entry &e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0)
      continue;
    // NAME.tmp.PID.SERIAL, from writeFileAtomic.
    long pid = std::atol(name.c_str() + prefix.size());
    if (pid > 0 && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH)
      fs::remove(e.path(), ec);
  }
}

Status gantk::writeFileAtomic(const std::string &path, const void *data,
                              size_t size) {
  return writeFileAtomic(path, {{data, size}});
}

namespace {

/// Test hook (docs/runtime.md "Fault injection"):
/// GANTK_FAULT_KILL_IN_GROUP_COMMIT=N kills the process with SIGKILL in its
/// N-th group write, after the first file's rename and before the others'.
bool killInThisGroupCommit() {
  static std::atomic<long> groups{0};
  static const long target = [] {
    const char *v = std::getenv("GANTK_FAULT_KILL_IN_GROUP_COMMIT");
    return v ? std::atol(v) : 0L;
  }();
  return target > 0 && ++groups == target;
}

std::string directoryOf(const std::string &path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

/// Makes renames and unlinks in `dir` reach the disk.
void syncDirectory(const std::string &dir) {
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

/// Writes the parts to a fresh temporary beside `path` (same file system,
/// so a rename is atomic; never following or reusing what is there) and
/// syncs it: the bytes reach the disk before any name does. Returns the
/// temporary's path.
Result<std::string> writeTemporary(const std::string &path,
                                   std::initializer_list<FilePart> parts) {
  if (Status s = checkWritableTarget(path); !s.ok())
    return s.error();
  static std::atomic<unsigned> serial{0};
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." +
                    std::to_string(serial++);
  int fd = ::open(tmp.c_str(),
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    int err = errno;
    return makeError(codeFor(err),
                     path + ": cannot create: " + std::strerror(err));
  }
  Status written;
  if (killInThisWrite()) {
    size_t total = 0;
    for (const FilePart &part : parts)
      total += part.size;
    size_t left = total / 2;
    for (const FilePart &part : parts) {
      size_t take = std::min(left, part.size);
      written = writeAll(fd, static_cast<const uint8_t *>(part.data), take,
                         path);
      left -= take;
    }
    ::fsync(fd);
    std::raise(SIGKILL);
  }
  for (const FilePart &part : parts)
    if (written.ok())
      written = writeAll(fd, static_cast<const uint8_t *>(part.data),
                         part.size, path);
  if (written.ok() && ::fsync(fd) != 0)
    written = makeError(codeFor(errno),
                        path + ": write failed: " + std::strerror(errno));
  if (::close(fd) != 0 && written.ok())
    written = makeError(codeFor(errno),
                        path + ": write failed: " + std::strerror(errno));
  if (!written.ok()) {
    ::unlink(tmp.c_str());
    return written.error();
  }
  return tmp;
}

/// Gives the finished temporary its name (a crash leaves the old file or
/// the new one, never a torn one).
Status renameTemporary(const std::string &tmp, const std::string &path) {
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return makeError(codeFor(err),
                     path + ": cannot finish writing: " + std::strerror(err));
  }
  return {};
}

constexpr const char *kGroupRecord = ".gantk-group-write";

} // namespace

Status gantk::writeFileAtomic(const std::string &path,
                              std::initializer_list<FilePart> parts) {
  Result<std::string> tmp = writeTemporary(path, parts);
  if (!tmp.ok())
    return tmp.error();
  if (Status s = renameTemporary(*tmp, path); !s.ok())
    return s;
  syncDirectory(directoryOf(path));
  return {};
}

Status gantk::writeFilesAtomic(const std::string &dir,
                               const std::vector<FileWrite> &files) {
  // One rename is atomic by itself: no record to write and remove.
  if (files.size() == 1)
    return writeFileAtomic(
        (std::filesystem::path(dir) / files[0].name).string(),
        {{files[0].data, files[0].size}});
  // Every file complete on disk before any name changes.
  std::vector<std::string> temporaries;
  auto discard = [&] {
    for (const std::string &tmp : temporaries)
      ::unlink(tmp.c_str());
  };
  std::string record;
  for (const FileWrite &file : files) {
    std::string path = (std::filesystem::path(dir) / file.name).string();
    Result<std::string> tmp =
        writeTemporary(path, {{file.data, file.size}});
    if (!tmp.ok()) {
      discard();
      return tmp.error();
    }
    temporaries.push_back(*tmp);
    record += std::filesystem::path(*tmp).filename().string() + "\t" +
              file.name + "\n";
  }
  // The record of the renames to come, so that a kill between two of them
  // is finished by the next run here (completeGroupWrite).
  std::string recordPath = (std::filesystem::path(dir) / kGroupRecord).string();
  if (Status s = writeFileAtomic(recordPath, record.data(), record.size());
      !s.ok()) {
    discard();
    return s;
  }
  for (size_t i = 0; i < files.size(); ++i) {
    std::string path = (std::filesystem::path(dir) / files[i].name).string();
    if (Status s = renameTemporary(temporaries[i], path); !s.ok())
      return s; // the record finishes the others on the next run
    if (i == 0 && files.size() > 1 && killInThisGroupCommit())
      std::raise(SIGKILL);
  }
  syncDirectory(dir);
  ::unlink(recordPath.c_str());
  syncDirectory(dir);
  return {};
}

void gantk::completeGroupWrite(const std::string &dir) {
  namespace fs = std::filesystem;
  std::string recordPath = (fs::path(dir) / kGroupRecord).string();
  removeStaleTemporaries(recordPath);
  struct stat st;
  if (::lstat(recordPath.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return;
  Result<std::vector<uint8_t>> bytes = readFile(recordPath);
  if (bytes.ok()) {
    std::string text(bytes->begin(), bytes->end());
    size_t at = 0;
    while (at < text.size()) {
      size_t end = text.find('\n', at), tab = text.find('\t', at);
      if (end == std::string::npos || tab == std::string::npos || tab > end)
        break;
      std::string tmp = text.substr(at, tab - at),
                  name = text.substr(tab + 1, end - tab - 1);
      at = end + 1;
      // Only our own temporaries of a file in this directory: NAME.tmp.*
      if (name.empty() || name.find('/') != std::string::npos ||
          tmp.find('/') != std::string::npos ||
          tmp.rfind(name + ".tmp.", 0) != 0)
        continue;
      std::string from = (fs::path(dir) / tmp).string(),
                  to = (fs::path(dir) / name).string();
      if (::lstat(from.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
          checkWritableTarget(to).ok())
        std::rename(from.c_str(), to.c_str());
    }
  }
  syncDirectory(dir);
  ::unlink(recordPath.c_str());
  syncDirectory(dir);
}

namespace {
std::string mebibytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MiB", double(bytes) / (1 << 20));
  return text;
}
} // namespace

Status gantk::checkSpace(const std::string &dir, uint64_t bytes,
                         uint64_t largest, const std::string &what) {
  struct statvfs fs;
  if (::statvfs(dir.c_str(), &fs) == 0) {
    uint64_t free = uint64_t(fs.f_bavail) * uint64_t(fs.f_frsize);
    if (free < bytes)
      return makeError(ErrorCode::ResourceExhausted,
                       dir + ": not enough free space for the run's outputs: " +
                           what + " need about " + mebibytes(bytes) +
                           ", and the file system has " + mebibytes(free) +
                           " free");
  }
  struct rlimit limit;
  if (::getrlimit(RLIMIT_FSIZE, &limit) == 0 &&
      limit.rlim_cur != RLIM_INFINITY && uint64_t(limit.rlim_cur) < largest)
    return makeError(ErrorCode::ResourceExhausted,
                     dir + ": the run's largest output (" +
                         mebibytes(largest) +
                         ") is over this process's file size limit (" +
                         mebibytes(uint64_t(limit.rlim_cur)) +
                         ", ulimit -f)");
  return {};
}

namespace {

/// Opens a regular file for reading; its size in `size`.
Result<int> openRegular(const std::string &path, uint64_t &size) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused
  // below); a regular file reads the same either way.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return makeError(codeFor(err),
                     path + ": cannot open: " + std::strerror(err));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    int err = errno;
    ::close(fd);
    return makeError(ErrorCode::InvalidArgument,
                     path + ": " +
                         (S_ISREG(st.st_mode) ? std::strerror(err)
                                              : std::string("is ") +
                                                    nonRegularKind(st.st_mode) +
                                                    ", not a file"));
  }
  size = uint64_t(st.st_size);
  return fd;
}

/// Reads exactly `size` bytes (a file that shrank is an error).
Status readExactly(int fd, uint8_t *p, size_t size, const std::string &path) {
  while (size > 0) {
    ssize_t n = ::read(fd, p, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return makeError(ErrorCode::DataLoss,
                       path + ": read error: " + std::strerror(errno));
    if (n == 0)
      return makeError(ErrorCode::DataLoss,
                       path + ": the file shrank while it was read");
    p += n;
    size -= size_t(n);
  }
  return {};
}

} // namespace

Result<std::vector<uint8_t>> gantk::readFile(const std::string &path) {
  uint64_t size = 0;
  Result<int> fd = openRegular(path, size);
  if (!fd.ok())
    return fd.error();
  std::vector<uint8_t> bytes;
  try {
    bytes.resize(size);
  } catch (const std::bad_alloc &) {
    ::close(*fd);
    return makeError(ErrorCode::ResourceExhausted,
                     path + ": " + std::to_string(size) +
                         " bytes do not fit in memory");
  }
  Status s = readExactly(*fd, bytes.data(), bytes.size(), path);
  ::close(*fd);
  if (!s.ok())
    return s.error();
  return bytes;
}

Result<std::pair<std::vector<uint8_t>, uint64_t>>
gantk::readFilePrefix(const std::string &path, size_t limit) {
  uint64_t size = 0;
  Result<int> fd = openRegular(path, size);
  if (!fd.ok())
    return fd.error();
  std::vector<uint8_t> bytes(std::min<uint64_t>(size, limit));
  Status s = readExactly(*fd, bytes.data(), bytes.size(), path);
  ::close(*fd);
  if (!s.ok())
    return s.error();
  return std::make_pair(std::move(bytes), size);
}
