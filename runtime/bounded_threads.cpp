#include "runtime/bounded_threads.hpp"

namespace craton {

bool BoundedThreads::try_run(std::function<void()> job) {
  std::lock_guard lock(mutex_);
  reap();
  if (closed_ || threads_.size() >= max_) return false;
  auto id = next_id_++;
  threads_.emplace(id, std::thread([this, id, job = std::move(job)] {
                     job();
                     std::lock_guard done(mutex_);
                     finished_.push_back(id);
                     idle_.notify_all();
                   }));
  return true;
}

void BoundedThreads::close() {
  std::unique_lock lock(mutex_);
  closed_ = true;
  idle_.wait(lock, [this] { return threads_.size() == finished_.size(); });
  reap();
}

std::size_t BoundedThreads::running() const {
  std::lock_guard lock(mutex_);
  return threads_.size() - finished_.size();
}

void BoundedThreads::reap() {
  for (auto id : finished_) {
    auto it = threads_.find(id);
    if (it == threads_.end()) continue;
    it->second.join();
    threads_.erase(it);
  }
  finished_.clear();
}

}  // namespace craton
