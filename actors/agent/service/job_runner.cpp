// JobRunner: the workers, the keys they hold and the two queues (see the header).
#include "actors/agent/service/job_runner.hpp"

#include <utility>

namespace craton::agent {

JobRunner::JobRunner(JobRunnerConfig config, std::function<void()> notify)
    : config_(config), notify_(std::move(notify)) {
  for (std::size_t i = 0; i < config_.workers; ++i) workers_.emplace_back([this] { work(); });
}

JobRunner::~JobRunner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

Status JobRunner::submit(Job job, std::string key) {
  if (config_.workers == 0) {
    // Inline: a job with a key never overlaps another of its key here, as nothing runs at once.
    auto next = job();
    {
      std::lock_guard lock(mutex_);
      done_.push_back(std::move(next));
    }
    if (notify_) notify_();
    return Ok{};
  }
  {
    std::lock_guard lock(mutex_);
    if (jobs_.size() >= config_.queue_max)
      return Error{"busy", "the agent's workers have " + std::to_string(jobs_.size()) +
                               " jobs waiting already"};
    jobs_.push_back({std::move(key), std::move(job)});
  }
  wake_.notify_one();
  return Ok{};
}

std::size_t JobRunner::drain() {
  std::deque<Continuation> ready;
  {
    std::lock_guard lock(mutex_);
    ready.swap(done_);
  }
  for (auto& c : ready)
    if (c) c();
  return ready.size();
}

std::size_t JobRunner::pending() const {
  std::lock_guard lock(mutex_);
  return jobs_.size() + running_ + done_.size();
}

std::deque<JobRunner::Waiting>::iterator JobRunner::next_runnable() {
  for (auto it = jobs_.begin(); it != jobs_.end(); ++it)
    if (it->key.empty() || !running_keys_.contains(it->key)) return it;
  return jobs_.end();
}

void JobRunner::work() {
  for (;;) {
    Waiting job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || next_runnable() != jobs_.end(); });
      if (stopping_) return;
      auto it = next_runnable();
      job = std::move(*it);
      jobs_.erase(it);
      if (!job.key.empty()) running_keys_.insert(job.key);
      ++running_;
    }
    // Jobs report errors as values (the driver's Results); an exception is a broken
    // invariant and ends the process, as anywhere else.
    Continuation next = job.job();
    {
      // The key is released with the continuation queued, in one step: the key's next job
      // cannot finish first and overtake this continuation.
      std::lock_guard lock(mutex_);
      if (!job.key.empty()) running_keys_.erase(job.key);
      --running_;
      done_.push_back(std::move(next));
    }
    wake_.notify_all();  // a job of this key may wait behind the one that just ended
    if (notify_) notify_();
  }
}

}  // namespace craton::agent
