//===- Session.cpp - Executing a gantk artifact on the CPU ---------------===//
//
// The CPU path; a session on another device routes its steps and copies to
// a DeviceSession (DeviceSession.h).
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/Session.h"
#include "Blas.h"
#include "DenseOverRanks.h"
#include "DeviceSession.h"
#include "gantk/runtime/BlasThreads.h"
#include "gantk/runtime/Commands.h"
#include "gantk/runtime/CpuFeatures.h"
#include "gantk/runtime/Krylov.h"
#include "gantk/runtime/Stats.h"

#include <chrono>

#include <lapacke.h>

#include <dlfcn.h>
#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <type_traits>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace gantk;
namespace fbs = gantk::schema;

namespace {

template <typename T>
void convertIn(void *dst, const double *src, size_t count) {
  T *out = static_cast<T *>(dst);
  for (size_t i = 0; i < count; ++i)
    out[i] = T(src[i]);
}

template <typename T>
void convertOut(double *dst, const void *src, size_t count) {
  const T *in = static_cast<const T *>(src);
  for (size_t i = 0; i < count; ++i)
    dst[i] = double(in[i]);
}

/// Writes `size` bytes fully, retrying short writes.
bool writeAll(int fd, const uint8_t *data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data += n;
    size -= size_t(n);
  }
  return true;
}

} // namespace

Session::Session(Artifact artifact, int threads)
    : art(std::move(artifact)), pool(threads) {}

Session::~Session() {
  // Kernels may only go once no thread can call them: the pool is idle here.
  if (library)
    dlclose(library);
  // The fd stays open while the library is loaded: glibc matches dlopen
  // paths by name, so a reused /proc/self/fd/N must not alias a live object.
  if (codeFd >= 0)
    ::close(codeFd);
  if (arenaBase)
    munmap(arenaBase, mappedBytes);
}

std::optional<DeviceKind> gantk::parseDeviceKind(const std::string &name) {
  if (name == "cpu")
    return DeviceKind::Cpu;
  if (name == "cuda")
    return DeviceKind::Cuda;
  return std::nullopt;
}

Result<std::unique_ptr<Session>>
Session::create(Artifact artifact, const SessionOptions &options) {
  if (options.device == DeviceKind::Cuda) {
    // No host arena, code or worker threads: the device has its own.
    std::unique_ptr<Session> session(new Session(std::move(artifact), 1));
    Result<std::unique_ptr<DeviceSession>> device =
        createCudaSession(session->art);
    if (!device.ok())
      return device.error();
    session->accelerator = device.take();
    session->arenaSize = session->root().arena_bytes();
    return session;
  }
  int threads = options.threads > 0 ? options.threads : defaultThreadCount();
  std::unique_ptr<Session> session(new Session(std::move(artifact), threads));

  // Anonymous pages come zeroed, page aligned (so 64-byte aligned), and are
  // only committed when touched.
  session->arenaSize = session->root().arena_bytes();
  // The plan is exact: refuse now rather than be killed mid-step.
  if (int64_t available = availableMemoryBytes();
      available >= 0 && session->arenaSize > uint64_t(available))
    return makeError(ErrorCode::ResourceExhausted,
                     session->art.name() + ": the memory plan needs " +
                         std::to_string(session->arenaSize) +
                         " bytes but only " + std::to_string(available) +
                         " are available (MemAvailable); compile with a "
                         "smaller --memory-budget or a smaller n");
  session->mappedBytes = size_t((session->arenaSize + 63) / 64 * 64);
  void *base = mmap(nullptr, session->mappedBytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED)
    return makeError(ErrorCode::ResourceExhausted,
                     session->art.name() + ": cannot allocate the " +
                         std::to_string(session->arenaSize) +
                         "-byte arena: " + std::strerror(errno));
  session->arenaBase = static_cast<uint8_t *>(base);
  // 2 MiB pages where the kernel has them (transparent huge pages in
  // "madvise" mode, Debian's default, give none unasked).
  madvise(base, session->mappedBytes, MADV_HUGEPAGE);

  if (Status s = session->loadCode(); !s.ok())
    return s.error();
  return session;
}

/// Checks that `blob` is a whole x86-64 ELF shared object before the system
/// loader maps it: every program header and every loaded segment's bytes lie
/// inside the blob (a truncated object would be mapped past its end and
/// fault with SIGBUS on first use).
static Status checkElfObject(const uint8_t *blob, size_t size,
                      const std::string &name) {
  auto bad = [&](const std::string &why) {
    return makeError(ErrorCode::DataLoss,
                     name + ": invalid CPU code object: " + why);
  };
  if (size < sizeof(Elf64_Ehdr))
    return bad("shorter than an ELF header");
  Elf64_Ehdr header;
  std::memcpy(&header, blob, sizeof(header));
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64 ||
      header.e_ident[EI_DATA] != ELFDATA2LSB || header.e_type != ET_DYN ||
      header.e_machine != EM_X86_64)
    return bad("not an x86-64 ELF shared object");
  if (header.e_phentsize != sizeof(Elf64_Phdr) || header.e_phnum == 0 ||
      header.e_phoff > size ||
      uint64_t(header.e_phnum) * sizeof(Elf64_Phdr) > size - header.e_phoff)
    return bad("its program headers lie outside the object");
  for (uint16_t i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, blob + header.e_phoff + i * sizeof(Elf64_Phdr),
                sizeof(ph));
    if (ph.p_type == PT_LOAD &&
        (ph.p_offset > size || ph.p_filesz > size - ph.p_offset))
      return bad("segment " + std::to_string(i) + " [" +
                 std::to_string(ph.p_offset) + ", +" +
                 std::to_string(ph.p_filesz) + ") lies past its end (" +
                 std::to_string(size) + " bytes): truncated");
  }
  return {};
}

Status Session::loadCode() {
  const auto *kernelList = root().kernels();
  if (!kernelList || kernelList->size() == 0)
    return {};
  const fbs::CodeObject *code = art.cpuCode();
  const std::string &name = art.name();
  if (Status s = checkCpuFeatures(*code, name); !s.ok())
    return s;
  if (Status s = checkElfObject(code->blob()->data(), code->blob()->size(),
                                name);
      !s.ok())
    return s;
  // An anonymous in-memory file avoids leaving a named temporary behind.
  codeFd = memfd_create("gantk-kernels", MFD_CLOEXEC);
  if (codeFd < 0)
    return makeError(ErrorCode::Internal,
                     name + ": memfd_create failed: " + std::strerror(errno));
  if (!writeAll(codeFd, code->blob()->data(), code->blob()->size()))
    return makeError(
        ErrorCode::Internal,
        name + ": cannot stage the code object: " + std::strerror(errno));
  // glibc matches dlopen paths by name: if an object that was closed but
  // not unloaded still holds this /proc/self/fd/N name, dlopen would hand it
  // back instead of our code. Move to a fresh descriptor number until the
  // name is unused (the old descriptors stay open until then).
  std::vector<int> shadowed;
  std::string path = "/proc/self/fd/" + std::to_string(codeFd);
  while (void *stale = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD)) {
    dlclose(stale);
    int fresh = ::dup(codeFd);
    if (fresh < 0 || shadowed.size() > 64)
      break;
    shadowed.push_back(codeFd);
    codeFd = fresh;
    path = "/proc/self/fd/" + std::to_string(codeFd);
  }
  library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  for (int fd : shadowed)
    ::close(fd);
  if (!library) {
    const char *why = dlerror();
    return makeError(ErrorCode::DataLoss,
                     name + ": cannot load the " + kCpuTarget +
                         " code object: " + (why ? why : "unknown error"));
  }
  for (const fbs::Kernel *k : *kernelList) {
    void *sym = dlsym(library, k->name()->c_str());
    if (!sym)
      return makeError(ErrorCode::DataLoss,
                       name + ": kernel '" + k->name()->str() +
                           "' is not exported by the code object");
    kernels.push_back(reinterpret_cast<KernelFn>(sym));
  }
  return {};
}

namespace {
/// C = alpha A Aᵀ: the upper triangle by ?syrk, then the lower one copied
/// in 64 × 64 tiles so that the transposed reads stay in cache, unless
/// nothing reads it (c_upper_only).
template <typename T>
void symmetricProduct(const T *a, const fbs::Gemm &g, int64_t k, T *c,
                      ThreadPool &pool) {
  int64_t n = g.m(), ldc = g.ldc();
  blas::syrk(&pool, n, k, g.alpha(), a, g.lda(), c, ldc);
  if (g.c_upper_only())
    return;
  constexpr int64_t tile = 64;
  // A tile row writes only its own rows' lower part, and reads the upper
  // part, which no tile row writes.
  pool.parallelFor((n + tile - 1) / tile, [&](int64_t begin, int64_t end) {
    for (int64_t bi = begin * tile; bi < std::min(n, end * tile); bi += tile)
      for (int64_t bj = 0; bj <= bi; bj += tile)
        for (int64_t i = bi; i < std::min(n, bi + tile); ++i)
          for (int64_t j = bj; j < std::min(i, bj + tile); ++j)
            c[i * ldc + j] = c[j * ldc + i];
  });
}

/// r0 when C = alpha A Bᵀ (beta 0) has A = rows [r0, n) of B, the last
/// ones, with r0 > 0; else 0.
int64_t trailingRowsOf(const fbs::Gemm &g, uint64_t elementBytes) {
  if (g.trans_a() || !g.trans_b() || g.beta() != 0 || g.lda() != g.ldb() ||
      g.a()->offset() <= g.b()->offset())
    return 0;
  uint64_t rowBytes = uint64_t(g.ldb()) * elementBytes;
  uint64_t gap = g.a()->offset() - g.b()->offset();
  if (gap % rowBytes != 0)
    return 0;
  int64_t r0 = int64_t(gap / rowBytes);
  return r0 + g.m() == g.n() ? r0 : 0;
}
} // namespace

/// One row tile [t, t + m) of a RowTiles command.
struct Session::RowTile {
  int64_t t = 0, m = 0;
  const fbs::RowTiles *rows = nullptr;

  /// Over ranks: this tile's place among this rank's tiles, and the most
  /// tiles one rank owns (the slots of a rank-tiled value).
  int64_t slot = 0, slots = 1;

  /// The tile buffer at `offset`, or null when `offset` is a whole value.
  const fbs::View *tileAt(uint64_t offset) const {
    return rowTileBuffer(*rows, offset);
  }
  /// A buffer at `offset` that holds only some rows of its value: `rows`
  /// of them, the first being the value's row `first`. A tile buffer holds
  /// this tile's rows; a rank-tiled value this rank's tiles one after
  /// another, this one at slot `slot`. No view: a whole value.
  struct Held {
    const fbs::View *view = nullptr;
    int64_t rows = 0, first = 0;
  };
  Held heldAt(uint64_t offset) const {
    int64_t tileRows = rows->tile_rows();
    if (const fbs::View *v = tileAt(offset))
      return {v, tileRows, t};
    if (rows->rank_tiled())
      for (const fbs::View *v : *rows->rank_tiled())
        if (v->offset() == offset)
          return {v, slots * tileRows, t - slot * tileRows};
    return {};
  }
};

Status Session::runCommand(uint32_t index) {
  // BLAS runs single-threaded in the session's threads, which split the
  // large products themselves (BlasThreads.h says why); the process's
  // count is back when the command returns.
  ScopedBlasThreads blasThreads(1);
  return runEntry(*root().commands()->Get(index), index, nullptr);
}

Status Session::runEntry(const fbs::CommandEntry &entry, uint32_t index,
                         const RowTile *tile) {
  // The verifier rejected every other command type, and in a RowTiles body
  // every command but Gemm and Dispatch, on load.
  auto unreachable = []() -> Status {
    return makeError(ErrorCode::Internal, "unreachable command type");
  };
  return visitCommand(
      entry,
      Overloaded{[&](const fbs::Gemm &g) { return runGemm(g, tile); },
                 [&](const fbs::Syevd &e) { return runSyevd(e, entry, index); },
                 [&](const fbs::Dispatch &d) { return runDispatch(d, tile); },
                 [&](const fbs::Krylov &k) {
                   return tile ? unreachable() : runKrylovCommand(k, index);
                 },
                 [&](const fbs::RowTiles &r) {
                   return tile ? unreachable() : runRowTiles(r, index);
                 },
                 [&](const fbs::DenseRanks &d) {
                   return tile ? unreachable() : runDenseRanks(d, index);
                 },
                 [&](UnknownCommand) { return unreachable(); }});
}

Status Session::runGemm(const fbs::Gemm &g, const RowTile *tile) {
  bool f64 = root().precision() == fbs::Precision::F64;
  uint64_t elementBytes = art.elementSize();
  uint8_t *base = arenaBase;
  uint64_t aOffset = g.a()->offset(), cOffset = g.c()->offset();
  // The terms worth summing: a Krylov command's factors are zero past its
  // projected dimension.
  int64_t k = g.k(), from = g.live_k_from();
  if (from >= 0 && size_t(from) < lastKrylov.size() &&
      lastKrylov[size_t(from)].dimension >= 1)
    k = std::min(k, lastKrylov[size_t(from)].dimension);
  int64_t m = g.m();
  if (tile) {
    // A and C are row-indexed: a tile buffer holds just this tile's rows,
    // a whole value is entered at row t (trans_a is false: verified).
    m = tile->m;
    if (!tile->tileAt(aOffset))
      aOffset += uint64_t(tile->t) * uint64_t(g.lda()) * elementBytes;
    if (!tile->tileAt(cOffset))
      cOffset += uint64_t(tile->t) * uint64_t(g.ldc()) * elementBytes;
  }
  // A Aᵀ (the Gram matrix) is symmetric: ?syrk does half the work. Not in
  // a tile body, where A is a row slice and B is whole.
  if (!tile && !g.trans_a() && g.trans_b() &&
      g.a()->offset() == g.b()->offset() && g.lda() == g.ldb() &&
      g.m() == g.n() && g.beta() == 0) {
    if (f64)
      symmetricProduct(reinterpret_cast<double *>(base + aOffset), g, k,
                       reinterpret_cast<double *>(base + cOffset), pool);
    else
      symmetricProduct(reinterpret_cast<float *>(base + aOffset), g, k,
                       reinterpret_cast<float *>(base + cOffset), pool);
    return {};
  }
  // A = rows [r0, r0 + m) of B, the last ones (a step's generated rows
  // against all its points, S[n:N] Sᵀ): C's columns [0, r0) by ?gemm, its
  // m × m block A Aᵀ, symmetric, by ?syrk, which does half that block's
  // work — a quarter of the product when m = r0.
  int64_t r0 = trailingRowsOf(g, elementBytes);
  if (!tile && r0 > 0) {
    auto split = [&](auto *arena) {
      using T = std::remove_pointer_t<decltype(arena)>;
      const T *a = reinterpret_cast<const T *>(base + aOffset);
      const T *b = reinterpret_cast<const T *>(base + g.b()->offset());
      T *c = reinterpret_cast<T *>(base + cOffset);
      blas::gemm(&pool, false, true, m, r0, k, g.alpha(), a, g.lda(), b,
                 g.ldb(), 0.0, c, g.ldc());
      symmetricProduct(a, g, k, c + r0, pool);
    };
    if (f64)
      split(reinterpret_cast<double *>(base));
    else
      split(reinterpret_cast<float *>(base));
    return {};
  }
  // A's last m columns a symmetric block, its upper triangle stored (the
  // backward's m generated rows): ?gemm over the first ones, then ?symm
  // (neither operand transposed: verified).
  if (int64_t o = g.a_symmetric_from(); o >= 0) {
    auto split = [&](auto *arena) {
      using T = std::remove_pointer_t<decltype(arena)>;
      const T *a = reinterpret_cast<const T *>(base + aOffset);
      const T *b = reinterpret_cast<const T *>(base + g.b()->offset());
      T *c = reinterpret_cast<T *>(base + cOffset);
      if (o > 0)
        blas::gemm(&pool, false, false, m, g.n(), o, g.alpha(), a, g.lda(), b,
                   g.ldb(), g.beta(), c, g.ldc());
      blas::symm(&pool, m, g.n(), g.alpha(), a + o, g.lda(), b + o * g.ldb(),
                 g.ldb(), o > 0 ? 1.0 : g.beta(), c, g.ldc());
    };
    if (f64)
      split(reinterpret_cast<double *>(base));
    else
      split(reinterpret_cast<float *>(base));
    return {};
  }
  auto run = [&](auto *arena) {
    using T = std::remove_pointer_t<decltype(arena)>;
    blas::gemm(&pool, g.trans_a(), g.trans_b(), m, g.n(), k, g.alpha(),
               reinterpret_cast<const T *>(base + aOffset), g.lda(),
               reinterpret_cast<const T *>(base + g.b()->offset()), g.ldb(),
               g.beta(), reinterpret_cast<T *>(base + cOffset), g.ldc());
  };
  if (f64)
    run(reinterpret_cast<double *>(base));
  else
    run(reinterpret_cast<float *>(base));
  return {};
}

Status Session::runSyevd(const fbs::Syevd &e, const fbs::CommandEntry &entry,
                         uint32_t index) {
  bool f64 = root().precision() == fbs::Precision::F64;
  uint8_t *base = arenaBase;
  lapack_int n = lapack_int(e.n());
  auto *iwork = reinterpret_cast<lapack_int *>(base + e.iwork()->offset());
  ScopedBlasThreads threads(pool.size());
  lapack_int info =
      f64 ? LAPACKE_dsyevd_work(
                LAPACK_COL_MAJOR, 'V', 'L', n,
                reinterpret_cast<double *>(base + e.a()->offset()), n,
                reinterpret_cast<double *>(base + e.w()->offset()),
                reinterpret_cast<double *>(base + e.work()->offset()),
                lapack_int(e.lwork()), iwork, lapack_int(e.liwork()))
          : LAPACKE_ssyevd_work(
                LAPACK_COL_MAJOR, 'V', 'L', n,
                reinterpret_cast<float *>(base + e.a()->offset()), n,
                reinterpret_cast<float *>(base + e.w()->offset()),
                reinterpret_cast<float *>(base + e.work()->offset()),
                lapack_int(e.lwork()), iwork, lapack_int(e.liwork()));
  if (info != 0) {
    std::string label =
        entry.label() ? " (" + entry.label()->str() + ")" : std::string();
    return makeError(
        ErrorCode::Internal,
        art.name() + ": command " + std::to_string(index) + label +
            ": ?syevd failed (info = " + std::to_string(info) +
            (info > 0 ? ", the eigensolver did not converge; the kernel "
                        "matrix may contain NaN or Inf)"
                      : ")"));
  }
  return {};
}

Status Session::runDispatch(const fbs::Dispatch &d, const RowTile *tile) {
  uint64_t elementBytes = art.elementSize();
  uint8_t *base = arenaBase;
  int64_t begin = tile ? tile->t : 0;
  int64_t end = tile ? tile->t + tile->m : d.range();
  size_t numArgs = d.args() ? d.args()->size() : 0;
  argScratch.resize(numArgs);
  for (size_t i = 0; i < numArgs; ++i) {
    uint64_t offset = d.args()->Get(uint32_t(i));
    argScratch[i] = base + offset;
    // A buffer holding some rows of a value is passed as many rows before
    // its start as precede its first one, so that the kernel keeps the
    // whole value's row indices; the address may lie outside the arena,
    // hence integer arithmetic.
    if (RowTile::Held held = tile ? tile->heldAt(offset) : RowTile::Held();
        held.view) {
      uintptr_t rowBytes =
          uintptr_t(held.view->elements() * elementBytes / uint64_t(held.rows));
      argScratch[i] = reinterpret_cast<void *>(
          uintptr_t(base + offset) - uintptr_t(held.first) * rowBytes);
    }
  }
  KernelFn fn = kernels[d.kernel()];
  void **args = argScratch.data();
  if (root().kernels()->Get(d.kernel())->parallel())
    pool.parallelFor(end - begin, [&](int64_t b, int64_t e) {
      fn(args, begin + b, begin + e);
    });
  else if (end > begin)
    fn(args, begin, end);
  return {};
}

Status Session::runRowTiles(const fbs::RowTiles &r, uint32_t index) {
  // Over ranks each rank runs its own tiles; the rows the region yields
  // (the entry's results) start at zero and are summed over the ranks.
  const flatbuffers::Vector<int32_t> *owners = comm ? r.tile_ranks() : nullptr;
  const auto *yielded = root().commands()->Get(index)->results();
  bool f64 = root().precision() == fbs::Precision::F64;
  size_t elementBytes = f64 ? sizeof(double) : sizeof(float);
  if (owners && yielded)
    for (const fbs::View *v : *yielded)
      std::memset(arenaBase + v->offset(), 0, v->elements() * elementBytes);
  RowTile at;
  at.rows = &r;
  if (comm) {
    int64_t tiles = (r.rows() + r.tile_rows() - 1) / r.tile_rows();
    at.slots = (tiles + comm->size() - 1) / comm->size();
  }
  uint32_t tile = 0;
  for (at.t = 0; at.t < r.rows(); at.t += r.tile_rows(), ++tile) {
    if (owners && owners->Get(tile) != comm->rank())
      continue;
    at.m = std::min(r.tile_rows(), r.rows() - at.t);
    for (const fbs::CommandEntry *body : *r.body())
      if (Status s = runEntry(*body, index, &at); !s.ok())
        return s;
    ++at.slot;
  }
  if (owners && yielded)
    for (const fbs::View *v : *yielded) {
      uint8_t *p = arenaBase + v->offset();
      int64_t count = int64_t(v->elements());
      Status s = f64 ? comm->sum(reinterpret_cast<double *>(p), count)
                     : comm->sum(reinterpret_cast<float *>(p), count);
      if (!s.ok())
        return s;
    }
  return {};
}

template <typename T>
KernelOperatorPlan<T> Session::operatorPlan(const fbs::KernelOperator &op,
                                            int64_t n,
                                            std::vector<void *> &args) {
  uint8_t *base = arenaBase;
  KernelOperatorPlan<T> plan = kernelOperatorPlan<T>(op, uintptr_t(base));
  KernelFn fn = kernels[op.recursion()];
  bool parallel = root().kernels()->Get(op.recursion())->parallel();
  args.assign(op.args() ? op.args()->size() : 0, nullptr);
  uint64_t tileOffset = op.tile()->offset();
  uintptr_t rowBytes = uintptr_t(n) * sizeof(T);
  // The recursion kernel indexes global rows: the tile (rows r0..r1 of K)
  // is passed r0 rows before its start, computed as an integer since it
  // may lie outside the arena.
  plan.recursion = [this, &op, &args, base, fn, parallel, tileOffset,
                    rowBytes](T *rows, int64_t r0, int64_t r1) {
    for (size_t i = 0; i < args.size(); ++i) {
      uint64_t offset = op.args()->Get(uint32_t(i));
      args[i] = base + offset;
      if (offset == tileOffset)
        args[i] = reinterpret_cast<void *>(uintptr_t(rows) -
                                           uintptr_t(r0) * rowBytes);
    }
    void **a = args.data();
    if (parallel)
      pool.parallelFor(r1 - r0,
                       [&](int64_t b, int64_t e) { fn(a, r0 + b, r0 + e); });
    else
      fn(a, r0, r1);
  };
  plan.pool = &pool;
  if (comm && op.tile_ranks()) {
    plan.tileRanks = op.tile_ranks()->data();
    plan.rank = comm->rank();
  }
  return plan;
}

Status Session::runDenseRanks(const fbs::DenseRanks &d, uint32_t index) {
  uint8_t *base = arenaBase;
  RankRows layout{d.n(), d.tile_rows(), comm->rank(), comm->size()};
  auto at = [&](auto *type, const fbs::View *v) {
    return reinterpret_cast<std::remove_pointer_t<decltype(type)> *>(
        base + v->offset());
  };
  // ScaLAPACK's eigensolver and products are not split by the session:
  // they get BLAS's threads.
  ScopedBlasThreads threads(pool.size());
  auto run = [&](auto *type) -> Status {
    using T = std::remove_pointer_t<decltype(type)>;
    T *vectors = at(type, d.vectors()), *values = at(type, d.values());
    switch (d.mode()) {
    case fbs::DenseRanksMode::Factor: {
      const fbs::KernelOperator &op = *d.operator_();
      std::vector<void *> args;
      KernelOperatorPlan<T> plan = operatorPlan<T>(op, d.n(), args);
      makeOwnedKernelRows(plan, d.n());
      return eighOverRanks(*comm, layout, op.trace_scale(), plan.tile, vectors,
                           values, at(type, d.work()),
                           int64_t(d.work()->elements()),
                           reinterpret_cast<int *>(base + d.iwork()->offset()),
                           int64_t(d.iwork()->elements()));
    }
    case fbs::DenseRanksMode::Action:
      return expActionOverRanks(*comm, layout, vectors, values, d.lambda(),
                                at(type, d.rhs()), d.columns(),
                                at(type, d.out()));
    case fbs::DenseRanksMode::GradientRows:
      return expActionGradRowsOverRanks(
          *comm, layout, vectors, values, d.lambda(), at(type, d.rhs()),
          at(type, d.cotangent()), d.columns(), d.trace_scale(), d.row_offset(),
          d.rows(), d.out_tile_rows(), at(type, d.out()), at(type, d.work()),
          int64_t(d.work()->elements()));
    }
    return makeError(ErrorCode::Internal, "unknown dense-over-ranks mode");
  };
  Status s = root().precision() == fbs::Precision::F64
                 ? run(static_cast<double *>(nullptr))
                 : run(static_cast<float *>(nullptr));
  if (!s.ok())
    return makeError(s.error().code, art.name() + ": command " +
                                         std::to_string(index) + ": " +
                                         s.message());
  return {};
}

Status Session::runKrylovCommand(const fbs::Krylov &k, uint32_t index) {
  uint8_t *base = arenaBase;
  KrylovProblem problem = krylovProblem(k);
  auto run = [&](auto *type) -> Status {
    using T = std::remove_pointer_t<decltype(type)>;
    KrylovBuffers<T> buffers = krylovBuffers<T>(k, uintptr_t(base));
    Result<KrylovStats> stats = KrylovStats{};
    if (const fbs::KernelOperator *op = k.operator_()) {
      std::vector<void *> args;
      KernelOperatorPlan<T> plan = operatorPlan<T>(*op, k.n(), args);
      if (comm && op->tile_ranks()) {
        plan.keep = op->keep_tiles();
        plan.made = &keptTilesMade;
        plan.sumOverRanks = [&](T *product, int64_t count, double &trace) {
          if (Status s = comm->sum(product, count); !s.ok())
            return s;
          return comm->sum(&trace, 1);
        };
      }
      stats = runKrylov(problem, buffers, plan);
    } else {
      stats = runKrylov(problem, buffers, &pool);
    }
    if (!stats.ok())
      return makeError(stats.error().code, art.name() + ": command " +
                                               std::to_string(index) + ": " +
                                               stats.message());
    T *out = reinterpret_cast<T *>(base + k.stats()->offset());
    out[0] = T(stats->dimension);
    out[1] = T(stats->estimate);
    lastKrylov.resize(root().commands()->size());
    lastKrylov[index] = *stats;
    return {};
  };
  return root().precision() == fbs::Precision::F64
             ? run(static_cast<double *>(nullptr))
             : run(static_cast<float *>(nullptr));
}

Status Session::distribute(Communicator &world) {
  if (ranks() <= 1)
    return makeError(ErrorCode::FailedPrecondition,
                     art.name() +
                         " is compiled for one process; compile it "
                         "with --ranks " +
                         std::to_string(world.size()) +
                         " to split one problem over the ranks");
  if (world.size() != ranks())
    return makeError(ErrorCode::FailedPrecondition,
                     art.name() + " is compiled for " +
                         std::to_string(ranks()) + " ranks, and this job has " +
                         std::to_string(world.size()) +
                         " (run it with "
                         "mpirun -n " +
                         std::to_string(ranks()) + ")");
  if (accelerator)
    return makeError(ErrorCode::FailedPrecondition,
                     art.name() + ": a step split over ranks runs on the "
                                  "CPU only (--device=cpu)");
  comm = &world;
  return {};
}

Status Session::step() {
  using Clock = std::chrono::steady_clock;
  uint32_t count = root().commands()->size();
  if (profiling && commandSeconds.size() != count)
    commandSeconds.assign(count, 0.0);
  if (ranks() > 1 && !comm)
    return makeError(
        ErrorCode::FailedPrecondition,
        art.name() + " is compiled for " + std::to_string(ranks()) +
            " ranks: run it with mpirun -n " + std::to_string(ranks()));
  // A step makes its kept row tiles of K anew (Z moved).
  keptTilesMade = false;
  // The `once` commands (on X only) run at the first step after X is set.
  bool skipOnce = !invariantsStale;
  if (accelerator) {
    Status s = accelerator->step(profiling ? &commandSeconds : nullptr,
                                 skipOnce);
    invariantsStale &= !s.ok();
    return s;
  }
  for (uint32_t i = 0; i < count; ++i) {
    if (skipOnce && root().commands()->Get(i)->once())
      continue;
    Clock::time_point start;
    if (profiling)
      start = Clock::now();
    if (Status s = runCommand(i); !s.ok())
      return s;
    if (profiling)
      commandSeconds[i] +=
          std::chrono::duration<double>(Clock::now() - start).count();
  }
  invariantsStale = false;
  return {};
}

namespace {

template <typename T> bool allFinite(const void *data, uint64_t count) {
  const T *p = static_cast<const T *>(data);
  for (uint64_t i = 0; i < count; ++i)
    if (!std::isfinite(p[i]))
      return false;
  return true;
}

/// "command I (what it is)" for messages.
std::string describeCommand(const fbs::CommandEntry &entry, uint32_t index) {
  std::string label = entry.label() ? entry.label()->str() : "";
  std::string kind = visitCommand(
      entry,
      Overloaded{
          [](const fbs::Gemm &) { return std::string("GEMM"); },
          [](const fbs::Syevd &) { return std::string("eigendecomposition"); },
          [&](const fbs::Dispatch &) { return "kernel " + label; },
          [&](const fbs::Krylov &k) {
            return std::string(k.mode() == fbs::KrylovMode::Action
                                   ? "Krylov exp action"
                               : k.mode() == fbs::KrylovMode::Gradient
                                   ? "Krylov gradient"
                                   : "Krylov value and gradient");
          },
          [](const fbs::RowTiles &) { return std::string("row tiles"); },
          [](const fbs::DenseRanks &d) {
            return std::string(d.mode() == fbs::DenseRanksMode::Factor
                                   ? "eigendecomposition over ranks"
                               : d.mode() == fbs::DenseRanksMode::Action
                                   ? "exp action over ranks"
                                   : "gradient rows over ranks");
          },
          [](UnknownCommand) { return std::string("command"); }});
  return "command " + std::to_string(index) + " (" + kind + ")";
}

} // namespace

std::string Session::firstNonFiniteCommand() {
  if (accelerator)
    return {};
  bool f64 = root().precision() == fbs::Precision::F64;
  uint32_t count = root().commands()->size();
  for (uint32_t i = 0; i < count; ++i) {
    const fbs::CommandEntry &entry = *root().commands()->Get(i);
    if (!runCommand(i).ok())
      return describeCommand(entry, i);
    if (!entry.results())
      continue;
    for (const fbs::View *v : *entry.results()) {
      const void *data = arenaBase + v->offset();
      if (!(f64 ? allFinite<double>(data, v->elements())
                : allFinite<float>(data, v->elements())))
        return describeCommand(entry, i);
    }
  }
  return {};
}

std::optional<Session::Spectrum> Session::kernelSpectrum() const {
  std::optional<Spectrum> range;
  auto widen = [&](double lo, double hi) {
    if (!range)
      range = Spectrum{lo, hi};
    range->smallest = std::min(range->smallest, lo);
    range->largest = std::max(range->largest, hi);
  };
  uint32_t count = root().commands()->size();
  for (uint32_t i = 0; i < count; ++i) {
    const fbs::CommandEntry &entry = *root().commands()->Get(i);
    const fbs::DenseRanks *dense = entry.command_as_DenseRanks();
    if (const fbs::Syevd *e = entry.command_as_Syevd();
        e || (dense && dense->mode() == fbs::DenseRanksMode::Factor)) {
      // ?syevd and p?syevd leave the eigenvalues in ascending order.
      std::vector<double> w = readView(e ? *e->w() : *dense->values());
      if (!w.empty())
        widen(w.front(), w.back());
    } else if (entry.command_as_Krylov() && i < lastKrylov.size() &&
               lastKrylov[i].dimension > 0) {
      widen(lastKrylov[i].smallest, lastKrylov[i].largest);
    }
  }
  return range;
}

Status Session::writeView(const fbs::View &view, const double *values,
                          size_t count) {
  if (count != view.elements())
    return makeError(ErrorCode::InvalidArgument,
                     "expected " + std::to_string(view.elements()) +
                         " values, got " + std::to_string(count));
  if (accelerator)
    return accelerator->writeView(view, values);
  void *dst = arenaBase + view.offset();
  if (root().precision() == fbs::Precision::F64)
    convertIn<double>(dst, values, count);
  else
    convertIn<float>(dst, values, count);
  return {};
}

std::vector<double> Session::readView(const fbs::View &view) const {
  std::vector<double> out(view.elements());
  if (accelerator) {
    // A failed copy leaves NaN, which the optimiser loop stops on; the
    // step before it has already reported any device error.
    if (!accelerator->readView(view, out.data()).ok())
      std::fill(out.begin(), out.end(), std::nan(""));
    return out;
  }
  const void *src = arenaBase + view.offset();
  if (root().precision() == fbs::Precision::F64)
    convertOut<double>(out.data(), src, out.size());
  else
    convertOut<float>(out.data(), src, out.size());
  return out;
}

Status Session::setReal(const double *values, size_t count) {
  invariantsStale = true;
  return writeView(*root().real(), values, count);
}

Status Session::setFake(const double *values, size_t count) {
  return writeView(*root().fake(), values, count);
}

double Session::loss() const { return readView(*root().loss())[0]; }

std::vector<double> Session::grad() const { return readView(*root().grad()); }

Status Session::getGrad(double *out, size_t count) const {
  const fbs::View &view = *root().grad();
  if (count != view.elements())
    return makeError(ErrorCode::InvalidArgument,
                     "expected room for " + std::to_string(view.elements()) +
                         " gradient values, got " + std::to_string(count));
  if (accelerator)
    return accelerator->readView(view, out);
  const void *src = arenaBase + view.offset();
  if (root().precision() == fbs::Precision::F64)
    convertOut<double>(out, src, count);
  else
    convertOut<float>(out, src, count);
  return {};
}

DeviceMemory Session::deviceMemory() const {
  return accelerator ? accelerator->memory() : DeviceMemory();
}
