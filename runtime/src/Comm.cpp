//===- Comm.cpp - The ranks of an MPI job, or one process -----------------===//

#include "gantk/runtime/Comm.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <iostream>

#ifdef GANTK_HAVE_MPI
// The C API only: Open MPI's deprecated C++ bindings would need libmpi_cxx.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace gantk {

namespace {

/// The world size mpirun announces (Open MPI sets OMPI_COMM_WORLD_SIZE in
/// every process it starts), 0 when not launched by it.
int launchedSize() {
  const char *size = std::getenv("OMPI_COMM_WORLD_SIZE");
  return size ? std::max(0, std::atoi(size)) : 0;
}

#ifdef GANTK_HAVE_MPI
/// MPI counts are int: larger transfers go in chunks of this many elements.
constexpr int64_t kChunk = int64_t(1) << 30;

Status mpiError(int code, const char *what) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  return makeError(ErrorCode::Internal,
                   std::string("MPI ") + what +
                       " failed: " + std::string(text, size_t(length)));
}

template <typename T> MPI_Datatype mpiType();
template <> MPI_Datatype mpiType<double>() { return MPI_DOUBLE; }
template <> MPI_Datatype mpiType<float>() { return MPI_FLOAT; }

/// Reduce to rank 0 and broadcast: every rank ends with rank 0's bits.
template <typename T> Status sumAtRoot(T *data, int64_t count, bool root) {
  for (int64_t at = 0; at < count; at += kChunk) {
    int n = int(std::min(kChunk, count - at));
    // Only rank 0 may pass MPI_IN_PLACE to MPI_Reduce.
    int code = root ? MPI_Reduce(MPI_IN_PLACE, data + at, n, mpiType<T>(),
                                 MPI_SUM, 0, MPI_COMM_WORLD)
                    : MPI_Reduce(data + at, nullptr, n, mpiType<T>(), MPI_SUM,
                                 0, MPI_COMM_WORLD);
    if (code != MPI_SUCCESS)
      return mpiError(code, "reduce");
    if ((code = MPI_Bcast(data + at, n, mpiType<T>(), 0, MPI_COMM_WORLD)) !=
        MPI_SUCCESS)
      return mpiError(code, "broadcast");
  }
  return {};
}
#endif

} // namespace

Result<Communicator *> Communicator::world() {
  static Communicator *world = nullptr;
  if (world)
    return world;
  int size = launchedSize();
  auto *c = new Communicator();
#ifdef GANTK_HAVE_MPI
  if (size > 0) {
    int provided = 0;
    // Only the main thread calls MPI; the thread pool's workers never do.
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) !=
        MPI_SUCCESS) {
      delete c;
      return makeError(ErrorCode::FailedPrecondition,
                       "MPI_Init failed (launched by mpirun with " +
                           std::to_string(size) + " processes)");
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &c->rankIndex);
    MPI_Comm_size(MPI_COMM_WORLD, &c->worldSize);
    c->mpi = true;
    std::atexit([] {
      int finalized = 0;
      MPI_Finalized(&finalized);
      if (!finalized)
        MPI_Finalize();
    });
  }
#else
  if (size > 1) {
    delete c;
    return makeError(ErrorCode::FailedPrecondition,
                     "mpirun started " + std::to_string(size) +
                         " processes, but this gantk was built without MPI "
                         "(install libopenmpi-dev, e.g. by scripts/setup, and "
                         "rebuild)");
  }
#endif
  world = c;
  return world;
}

std::string Communicator::who() const {
  if (!distributed())
    return "";
  return "rank " + std::to_string(rankIndex) + " of " +
         std::to_string(worldSize) + ": ";
}

template <typename T>
Status Communicator::sumOverRanks(T *data, int64_t count) {
  if (!distributed())
    return {};
  sent += uint64_t(count) * sizeof(T);
#ifdef GANTK_HAVE_MPI
  return sumAtRoot(data, count, root());
#else
  return {};
#endif
}

Status Communicator::sum(double *data, int64_t count) {
  return sumOverRanks(data, count);
}

Status Communicator::sum(float *data, int64_t count) {
  return sumOverRanks(data, count);
}

Status Communicator::broadcast(void *data, int64_t bytes, int from) {
  if (!distributed())
    return {};
  if (rankIndex == from)
    sent += uint64_t(bytes);
#ifdef GANTK_HAVE_MPI
  auto *p = static_cast<char *>(data);
  for (int64_t at = 0; at < bytes; at += kChunk) {
    int n = int(std::min(kChunk, bytes - at));
    if (int code = MPI_Bcast(p + at, n, MPI_BYTE, from, MPI_COMM_WORLD);
        code != MPI_SUCCESS)
      return mpiError(code, "broadcast");
  }
#endif
  return {};
}

Status Communicator::gather(const void *data, int64_t bytes,
                            std::vector<uint8_t> *all) {
  if (!distributed()) {
    const auto *p = static_cast<const uint8_t *>(data);
    if (all)
      all->assign(p, p + bytes);
    return {};
  }
  sent += uint64_t(bytes);
#ifdef GANTK_HAVE_MPI
  if (bytes > INT_MAX)
    return makeError(ErrorCode::ResourceExhausted,
                     who() + "cannot gather " + std::to_string(bytes) +
                         " bytes from one rank (at most 2 GiB)");
  int mine = int(bytes);
  std::vector<int> sizes(static_cast<size_t>(worldSize)),
      offsets(static_cast<size_t>(worldSize));
  if (int code = MPI_Gather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0,
                            MPI_COMM_WORLD);
      code != MPI_SUCCESS)
    return mpiError(code, "gather");
  int64_t total = 0;
  if (root()) {
    for (int r = 0; r < worldSize; ++r) {
      offsets[size_t(r)] = int(total);
      total += sizes[size_t(r)];
    }
    if (total > INT_MAX)
      return makeError(ErrorCode::ResourceExhausted,
                       "cannot gather " + std::to_string(total) +
                           " bytes at rank 0 (at most 2 GiB)");
    all->assign(size_t(total), 0);
  }
  if (int code = MPI_Gatherv(data, mine, MPI_BYTE,
                             root() ? all->data() : nullptr, sizes.data(),
                             offsets.data(), MPI_BYTE, 0, MPI_COMM_WORLD);
      code != MPI_SUCCESS)
    return mpiError(code, "gather");
#endif
  return {};
}

Status Communicator::barrier() {
#ifdef GANTK_HAVE_MPI
  if (mpi)
    if (int code = MPI_Barrier(MPI_COMM_WORLD); code != MPI_SUCCESS)
      return mpiError(code, "barrier");
#endif
  return {};
}

void Communicator::abort(int code) {
  std::cout.flush();
  std::cerr.flush();
#ifdef GANTK_HAVE_MPI
  if (mpi && distributed())
    MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::exit(code);
}

} // namespace gantk
