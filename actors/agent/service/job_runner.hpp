// JobRunner: one thread that runs the agent's blocking work (PodDriver calls, reading the
// host) off the actor threads, in submission order, and hands each job's result back to its
// owner's thread. A job runs on the worker and returns a continuation; the continuation runs
// on the owner's thread when the owner calls drain(), which it does when `notify` (called from
// the worker after each job) tells it to (the agent's actor: a message to itself).
//
// Bounds: at most queue_max jobs wait; submit() refuses more ("busy"). Destruction stops the
// worker after the job it runs now and drops the jobs not started and the continuations not
// drained. No CAF: the actor shell (agent_actor.hpp) binds notify to a message.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "runtime/result.hpp"

namespace craton::agent {

class JobRunner {
 public:
  using Continuation = std::function<void()>;
  /// Runs on the worker thread; what it returns runs on the owner's (may be empty).
  using Job = std::function<Continuation()>;

  /// `notify` runs on the worker thread after a job finished; it must be cheap and must not
  /// call back into the runner.
  JobRunner(std::size_t queue_max, std::function<void()> notify);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  /// Errors "busy": queue_max jobs are waiting already.
  Status submit(Job job);
  /// Runs the continuations of the jobs that finished, in order; returns how many ran.
  std::size_t drain();
  /// Jobs submitted and not yet drained (waiting, running or finished).
  std::size_t pending() const;

 private:
  void work();

  const std::size_t queue_max_;
  std::function<void()> notify_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  std::deque<Continuation> done_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::thread worker_;  // last: started once everything above is ready
};

}  // namespace craton::agent
