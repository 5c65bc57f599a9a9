//===- ThreadPool.h - Persistent threads for kernel dispatch ----*- C++ -*-===//
//
// Dispatches are short and frequent (several per optimiser step, and two
// per Krylov product), so the threads are created once per session, and
// between dispatches a worker first spins for a short while (spinWindow)
// watching for the next one before it sleeps on a condition variable: a
// futex wake-up costs 50–80 µs on the 2-core machines we measure on, which
// made a parallelFor of two 100 µs chunks take 175 µs. The caller waits for
// the last chunk the same way.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_THREADPOOL_H
#define GANTK_RUNTIME_THREADPOOL_H

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gantk {

/// The default thread count: GANTK_NUM_THREADS when set to a positive
/// integer, else std::thread::hardware_concurrency() (at least 1), divided
/// among the ranks mpirun started on this machine
/// (OMPI_COMM_WORLD_LOCAL_SIZE, at least 1 each).
int defaultThreadCount();

/// A fixed set of worker threads; the calling thread takes part in the work.
class ThreadPool {
public:
  /// Creates `threads - 1` workers (`threads` >= 1 counts the caller).
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  /// Threads that take part in parallelFor, the caller included.
  int size() const { return int(workers.size()) + 1; }

  /// Calls fn(begin, end) on disjoint chunks that together cover
  /// [0, range), and returns when all calls have returned. Not reentrant.
  void parallelFor(int64_t range,
                   const std::function<void(int64_t, int64_t)> &fn);

  /// How long a thread spins for the next dispatch (a worker) or for the
  /// last chunk (the caller) before it sleeps.
  static constexpr std::chrono::microseconds spinWindow{500};

private:
  void workerLoop();
  void runChunks();
  /// Spins until `ready()` or spinWindow has passed; true if ready.
  template <typename Ready> static bool spinUntil(Ready ready);

  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake, done;
  // The current job, published under `mutex` with a new generation number.
  const std::function<void(int64_t, int64_t)> *job = nullptr;
  int64_t jobRange = 0, chunkSize = 1, numChunks = 0;
  int64_t nextChunk = 0;
  int64_t generation = 0;
  int busy = 0;
  bool stopping = false;
  // Copies of `generation` and of "all chunks handed out and done", for the
  // spinning threads to watch without the lock; the lock still orders
  // everything they then read.
  std::atomic<int64_t> published{0};
  std::atomic<bool> finished{true};
};

/// Calls part(p) for every p in [0, parts), one part per chunk of `pool`'s
/// threads; in the caller alone when there is one part or no pool.
void runParts(ThreadPool *pool, int64_t parts,
              const std::function<void(int64_t)> &part);

} // namespace gantk

#endif // GANTK_RUNTIME_THREADPOOL_H
