//===- Comm.h - The ranks of an MPI job, or one process ---------*- C++ -*-===//
//
// gantk runs over several processes with MPI (Open MPI, `mpirun -n P`):
// either P independent problems (each rank its own generated points) or one
// problem whose kernel K is split by row tiles over the ranks (an artifact
// compiled with `--ranks P`). This is the one place that calls MPI; the
// rest of the runtime sees a Communicator. Without mpirun (or in a build
// without MPI) the world is one rank and every collective is a no-op.
//
// Collectives whose results feed arithmetic that every rank repeats (the
// Lanczos process) must give every rank the same bits: sums are reduced at
// rank 0 and broadcast, never left to an allreduce algorithm that may round
// differently on different ranks.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_COMM_H
#define GANTK_RUNTIME_COMM_H

#include "gantk/runtime/Result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gantk {

class Communicator {
public:
  /// The job this process belongs to. Under mpirun (Open MPI's environment
  /// names a world of more than one process) MPI is initialised once, the
  /// first time; otherwise, or in a build without MPI when the world has
  /// one process, the world is this process alone. An error when mpirun
  /// launched more than one process and this build has no MPI.
  static Result<Communicator *> world();

  int rank() const { return rankIndex; }
  int size() const { return worldSize; }
  /// More than one rank.
  bool distributed() const { return worldSize > 1; }
  /// Rank 0: the one that prints and writes the run's outputs.
  bool root() const { return rankIndex == 0; }

  /// data[0:count] = the sum over ranks of every rank's data[0:count], the
  /// same bits on every rank (reduced at rank 0, then broadcast).
  Status sum(double *data, int64_t count);
  Status sum(float *data, int64_t count);
  /// data[0:bytes] = rank `from`'s data[0:bytes] on every rank.
  Status broadcast(void *data, int64_t bytes, int from = 0);
  /// Rank 0 receives every rank's `bytes` (of any length) in rank order,
  /// concatenated; other ranks receive nothing.
  Status gather(const void *data, int64_t bytes, std::vector<uint8_t> *all);
  /// Returns when every rank has reached it.
  Status barrier();

  /// Ends the whole job with `code` after this rank's message has been
  /// printed: mpirun stops the other ranks (never left waiting in a
  /// collective). In a world of one it is std::exit.
  [[noreturn]] void abort(int code);

  /// The bytes this rank has handed to collectives (its contribution to
  /// each: `count` elements to a sum, `bytes` to a broadcast from it or a
  /// gather): what docs/distributed.md's per-step volume counts.
  uint64_t bytesSent() const { return sent; }

  /// "rank R of P: " in a distributed world, "" otherwise: the prefix of a
  /// message that only one rank may have.
  std::string who() const;

private:
  Communicator() = default;
  template <typename T> Status sumOverRanks(T *data, int64_t count);
  int rankIndex = 0;
  int worldSize = 1;
  bool mpi = false;
  uint64_t sent = 0;
};

} // namespace gantk

#endif // GANTK_RUNTIME_COMM_H
