// BoundedThreads: run blocking jobs (a log read that follows a file, a proxied HTTP stream) each
// on a thread of its own, at most `max` at once, refusing the next rather than queueing it, and
// joining them all on close(). For servers whose requests block for as long as a client
// listens: a pool would be starved by a few followers; a bound keeps a flood from becoming
// thousands of threads. Finished threads are joined when the next job starts or at close().
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace craton {

class BoundedThreads {
 public:
  explicit BoundedThreads(std::size_t max) : max_(max) {}
  ~BoundedThreads() { close(); }
  BoundedThreads(const BoundedThreads&) = delete;
  BoundedThreads& operator=(const BoundedThreads&) = delete;

  /// Starts `job` on a new thread; false (nothing started) when `max` run already or after
  /// close().
  bool try_run(std::function<void()> job);
  /// Refuses new jobs and waits for every running one to return (jobs that wait on a client
  /// must watch their own stop flag).
  void close();
  std::size_t running() const;

 private:
  void reap();  // mutex_ held

  const std::size_t max_;
  mutable std::mutex mutex_;
  std::condition_variable idle_;
  std::map<std::uint64_t, std::thread> threads_;
  std::vector<std::uint64_t> finished_;
  std::uint64_t next_id_ = 0;
  bool closed_ = false;
};

}  // namespace craton
