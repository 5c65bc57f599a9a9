//===- FileIOTest.cpp - Atomic and group writes, space checks ------------===//
//
// A step's outputs are written as one group (writeFilesAtomic): a failed
// write keeps the older files whole and leaves no temporaries; a record
// left by a process killed between two renames is finished by the next run
// (completeGroupWrite); a full disk or a file size limit is found before a
// run (checkSpace). The file size limit (RLIMIT_FSIZE, with SIGXFSZ
// ignored so that write(2) fails with EFBIG as on a full disk) is set in a
// forked child so that it never limits the test process itself.
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/FileIO.h"

#include "TempDir.h"
#include "TestText.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <iterator>

using namespace gantk;
using gantk::test::contents;
using gantk::test::TempDir;

namespace {

void put(const std::string &path, const std::string &text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::string> names(const TempDir &dir) {
  std::vector<std::string> out;
  for (const auto &e : std::filesystem::directory_iterator(dir.path))
    out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

/// Runs `body` in a child whose files may not grow past `limitBytes`;
/// returns the child's exit status (body's result: 0 passed).
int withFileSizeLimit(rlim_t limitBytes, const std::function<int()> &body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit{limitBytes, limitBytes};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    ::_exit(body());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace

TEST(FileIOTest, GroupWriteReplacesEveryFileAndLeavesNoRecord) {
  TempDir dir;
  put(dir.file("a.npy"), "old a");
  put(dir.file("b.png"), "old b");
  std::string a = "new a", b = "new b, longer";
  ASSERT_TRUE(writeFilesAtomic(dir.path.string(),
                               {{"a.npy", a.data(), a.size()},
                                {"b.png", b.data(), b.size()}})
                  .ok());
  EXPECT_EQ(contents(dir.file("a.npy")), a);
  EXPECT_EQ(contents(dir.file("b.png")), b);
  EXPECT_EQ(names(dir), (std::vector<std::string>{"a.npy", "b.png"}));
}

TEST(FileIOTest, FailedGroupWriteKeepsTheOlderFilesWhole) {
  TempDir dir;
  put(dir.file("a.npy"), "old a");
  put(dir.file("b.png"), "old b");
  // The second file passes the limit: neither file changes.
  int status = withFileSizeLimit(4096, [&] {
    std::string a(100, 'a'), b(10000, 'b');
    Status s = writeFilesAtomic(dir.path.string(),
                                {{"a.npy", a.data(), a.size()},
                                 {"b.png", b.data(), b.size()}});
    if (s.ok())
      return 1;
    // The message names the file and the reason.
    return s.message().find("b.png: write failed: File too large") !=
                   std::string::npos
               ? 0
               : 2;
  });
  EXPECT_EQ(status, 0);
  EXPECT_EQ(contents(dir.file("a.npy")), "old a");
  EXPECT_EQ(contents(dir.file("b.png")), "old b");
  EXPECT_EQ(names(dir), (std::vector<std::string>{"a.npy", "b.png"}));
}

TEST(FileIOTest, AtomicWriteOverTheLimitKeepsTheOldFile) {
  TempDir dir;
  put(dir.file("c.gantk"), "old checkpoint");
  int status = withFileSizeLimit(4096, [&] {
    std::string big(10000, 'c');
    return writeFileAtomic(dir.file("c.gantk"), big.data(), big.size()).ok()
               ? 1
               : 0;
  });
  EXPECT_EQ(status, 0);
  EXPECT_EQ(contents(dir.file("c.gantk")), "old checkpoint");
  EXPECT_EQ(names(dir), (std::vector<std::string>{"c.gantk"}));
}

TEST(FileIOTest, InterruptedGroupIsFinishedByTheNextRun) {
  TempDir dir;
  // As a process killed after renaming a.npy leaves it: b's temporary and
  // the record of both renames.
  put(dir.file("a.npy"), "step 10 a");
  put(dir.file("b.png"), "step 5 b");
  put(dir.file("b.png.tmp.999999999.1"), "step 10 b");
  put(dir.file(".gantk-group-write"),
      "a.npy.tmp.999999999.0\ta.npy\nb.png.tmp.999999999.1\tb.png\n");
  completeGroupWrite(dir.path.string());
  EXPECT_EQ(contents(dir.file("a.npy")), "step 10 a");
  EXPECT_EQ(contents(dir.file("b.png")), "step 10 b");
  EXPECT_EQ(names(dir), (std::vector<std::string>{"a.npy", "b.png"}));
}

TEST(FileIOTest, GroupRecordRenamesOnlyOwnTemporaries) {
  TempDir dir;
  put(dir.file("keep.txt"), "keep");
  put(dir.file("victim"), "victim");
  // A record naming files that are not temporaries of its targets, or
  // paths outside the directory, is dropped without renaming anything.
  put(dir.file(".gantk-group-write"),
      "keep.txt\tvictim\n../x.tmp.1.0\tx\nnot-a-line");
  completeGroupWrite(dir.path.string());
  EXPECT_EQ(contents(dir.file("keep.txt")), "keep");
  EXPECT_EQ(contents(dir.file("victim")), "victim");
  EXPECT_EQ(names(dir), (std::vector<std::string>{"keep.txt", "victim"}));
}

TEST(FileIOTest, SpaceCheckNamesTheShortfall) {
  TempDir dir;
  EXPECT_TRUE(checkSpace(dir.path.string(), 1 << 20, 1 << 20, "x").ok());
  Status s = checkSpace(dir.path.string(), uint64_t(1) << 62, 1, "a.npy");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(": not enough free space for the run's "
                             "outputs: a.npy need about 4398046511104.0 MiB"),
            std::string::npos)
      << s.message();
  int status = withFileSizeLimit(1 << 20, [&] {
    Status s = checkSpace(dir.path.string(), 1, 2 << 20, "x");
    return !s.ok() && s.message().find("is over this process's file size "
                                       "limit (1.0 MiB, ulimit -f)") !=
                          std::string::npos
               ? 0
               : 1;
  });
  EXPECT_EQ(status, 0);
}
