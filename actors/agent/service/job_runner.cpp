// JobRunner: the worker thread and its two queues (see the header).
#include "actors/agent/service/job_runner.hpp"

#include <utility>

namespace craton::agent {

JobRunner::JobRunner(std::size_t queue_max, std::function<void()> notify)
    : queue_max_(queue_max), notify_(std::move(notify)), worker_([this] { work(); }) {}

JobRunner::~JobRunner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

Status JobRunner::submit(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (jobs_.size() >= queue_max_)
      return Error{"busy", "the agent's worker has " + std::to_string(jobs_.size()) +
                               " jobs waiting already"};
    jobs_.push_back(std::move(job));
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

void JobRunner::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
      ++running_;
    }
    // Jobs report errors as values (the driver's Results); an exception is a broken
    // invariant and ends the process, as anywhere else.
    Continuation next = job();
    {
      std::lock_guard lock(mutex_);
      --running_;
      done_.push_back(std::move(next));
    }
    if (notify_) notify_();
  }
}

}  // namespace craton::agent
