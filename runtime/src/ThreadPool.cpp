//===- ThreadPool.cpp - Persistent threads for kernel dispatch -----------===//

#include "gantk/runtime/ThreadPool.h"

#include <algorithm>
#include <cstdlib>

using namespace gantk;

int gantk::defaultThreadCount() {
  if (const char *env = std::getenv("GANTK_NUM_THREADS")) {
    char *end = nullptr;
    long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n > 0)
      return int(std::min<long>(n, 1024));
  }
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  // Under mpirun the ranks on this machine share its cores (Open MPI names
  // how many ranks it started here).
  if (const char *local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE")) {
    long ranks = std::strtol(local, nullptr, 10);
    if (ranks > 1)
      return int(std::max(1u, cores / unsigned(std::min<long>(ranks, cores))));
  }
  return int(cores);
}

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i)
    workers.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
    published.store(-1, std::memory_order_release); // ends the spins
  }
  wake.notify_all();
  for (std::thread &t : workers)
    t.join();
}

void ThreadPool::runChunks() {
  // Chunks are handed out one at a time so uneven chunk costs balance out.
  for (;;) {
    int64_t chunk;
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (nextChunk >= numChunks)
        return;
      chunk = nextChunk++;
    }
    int64_t begin = chunk * chunkSize;
    (*job)(begin, std::min(jobRange, begin + chunkSize));
  }
}

template <typename Ready> bool ThreadPool::spinUntil(Ready ready) {
  auto end = std::chrono::steady_clock::now() + spinWindow;
  for (unsigned i = 1;; ++i) {
    if (ready())
      return true;
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
    if (i % 64 == 0 && std::chrono::steady_clock::now() >= end)
      return ready();
  }
}

void ThreadPool::workerLoop() {
  int64_t seen = 0;
  for (;;) {
    spinUntil(
        [&] { return published.load(std::memory_order_acquire) != seen; });
    {
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [&] { return stopping || generation != seen; });
      if (stopping)
        return;
      seen = generation;
      ++busy;
    }
    runChunks();
    bool last;
    {
      std::lock_guard<std::mutex> lock(mutex);
      last = --busy == 0 && nextChunk >= numChunks;
      if (last)
        finished.store(true, std::memory_order_release);
    }
    if (last)
      done.notify_all();
  }
}

void ThreadPool::parallelFor(int64_t range,
                             const std::function<void(int64_t, int64_t)> &fn) {
  if (range <= 0)
    return;
  if (workers.empty() || range == 1) {
    fn(0, range);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    job = &fn;
    jobRange = range;
    // A few chunks per thread: enough to balance, few enough that the lock
    // per chunk costs nothing next to a kernel call.
    int64_t target = std::min<int64_t>(range, int64_t(size()) * 4);
    chunkSize = (range + target - 1) / target;
    numChunks = (range + chunkSize - 1) / chunkSize;
    nextChunk = 0;
    ++generation;
    finished.store(false, std::memory_order_relaxed);
    published.store(generation, std::memory_order_release);
  }
  // Cheap when every worker is still spinning: nobody waits on it.
  wake.notify_all();
  runChunks();
  auto complete = [&] { return busy == 0 && nextChunk >= numChunks; };
  std::unique_lock<std::mutex> lock(mutex);
  if (!complete()) {
    lock.unlock();
    spinUntil([&] { return finished.load(std::memory_order_acquire); });
    lock.lock();
    done.wait(lock, complete);
  }
  job = nullptr;
}

void gantk::runParts(ThreadPool *pool, int64_t parts,
                     const std::function<void(int64_t)> &part) {
  if (parts == 1 || !pool) {
    for (int64_t p = 0; p < parts; ++p)
      part(p);
    return;
  }
  pool->parallelFor(parts, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p)
      part(p);
  });
}
