// JobRunner: the threads that run the agent's blocking work (PodDriver calls, reading the
// host) off the actor threads, and hand each job's result back to its owner's thread. A job
// runs on a worker and returns a continuation; the continuation runs on the owner's thread
// when the owner calls drain(), which it does when `notify` (called after each job) tells it
// to (the agent's actor: a message to itself).
//
// Order: jobs submitted with the same non-empty key (the agent: a pod's uid) run one at a
// time, in submission order, so a pod's calls never overlap; jobs of different keys run side
// by side on up to `workers` threads (one pod's slow image unpack does not hold up the next
// pod's start). Continuations are drained in the order jobs finished.
//
// workers == 0 runs every job inline, inside submit(), on the caller's thread: the simulator's
// way (no threads, so a seed replays exactly); the continuation still waits for drain().
//
// Bounds: at most queue_max jobs wait; submit() refuses more ("busy"). Destruction stops the
// workers after the jobs they run now and drops the jobs not started and the continuations
// not drained. No CAF: the actor shell (agent_actor.hpp) binds notify to a message.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/result.hpp"

namespace craton::agent {

struct JobRunnerConfig {
  std::size_t queue_max = 4096;
  /// Threads running jobs side by side; 0 runs them inline in submit(). Both drivers take
  /// several pods' calls at once (tests/agent/driver_concurrency_test.cpp). 16 by default, what
  /// `craton agent --workers` and `craton up` use: a worker spends most of a pod's start
  /// waiting (for its shim, the container's mounts and exec, netlink), not computing, so 4
  /// capped a node at ~25 pod starts a second whatever the cores had left, and 100 pods at once
  /// queued for the workers (p99 2.5-2.7 s at 30 pods/s, 0.9-1.3 s with 16, the same CPU per
  /// pod; docs/node-agent.md). The kubelet gives every pod a goroutine of its own.
  std::size_t workers = 16;
};

class JobRunner {
 public:
  using Continuation = std::function<void()>;
  /// Runs on a worker thread; what it returns runs on the owner's (may be empty).
  using Job = std::function<Continuation()>;

  /// `notify` runs after a job finished (on its worker's thread, or inside submit() when
  /// inline); it must be cheap and must not call back into the runner.
  JobRunner(JobRunnerConfig config, std::function<void()> notify);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  /// Errors "busy": queue_max jobs are waiting already. Jobs of one non-empty key run in
  /// order and never at once; an empty key orders nothing.
  Status submit(Job job, std::string key = {});
  /// Runs the continuations of the jobs that finished, in order; returns how many ran.
  std::size_t drain();
  /// Jobs submitted and not yet drained (waiting, running or finished).
  std::size_t pending() const;

 private:
  struct Waiting {
    std::string key;
    Job job;
  };
  void work();
  /// The first waiting job whose key is not running; jobs_.end() if none. Holds mutex_.
  std::deque<Waiting>::iterator next_runnable();

  const JobRunnerConfig config_;
  std::function<void()> notify_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Waiting> jobs_;
  std::set<std::string> running_keys_;
  std::deque<Continuation> done_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;  // last: started once everything above is ready
};

}  // namespace craton::agent
