// WorkQueue: de-duplicated keys, processing exclusion and per-key exponential back-off.
#include "actors/controllers/work_queue.hpp"

#include <algorithm>

namespace craton::controllers {

WorkQueue::WorkQueue(WorkQueueConfig config) : config_(config) {}

bool WorkQueue::add(const std::string& key) {
  if (dirty_.count(key)) return true;
  if (dirty_.size() + delayed_by_key_.size() >= config_.keys_max) return false;
  dirty_.insert(key);
  if (!processing_.count(key)) queue_.push_back(key);
  return true;
}

std::optional<std::string> WorkQueue::next() {
  if (queue_.empty()) return std::nullopt;
  auto key = std::move(queue_.front());
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  return key;
}

void WorkQueue::done(const std::string& key) {
  processing_.erase(key);
  if (dirty_.count(key)) queue_.push_back(key);  // changed while it was processed
}

std::int64_t WorkQueue::retry_delay_ms(std::uint32_t failures) const {
  // Doubling without overflow: past the cap every further failure waits the cap.
  std::int64_t delay = config_.base_delay_ms;
  for (std::uint32_t i = 0; i < failures && delay < config_.delay_max_ms; ++i) delay *= 2;
  return std::min(delay, config_.delay_max_ms);
}

bool WorkQueue::retry(const std::string& key, std::int64_t now_ms) {
  return add_after(key, now_ms + retry_delay_ms(failures_[key]++));
}

bool WorkQueue::add_after(const std::string& key, std::int64_t due) {
  if (auto it = delayed_by_key_.find(key); it != delayed_by_key_.end()) {
    if (it->second <= due) return true;  // already due sooner
    auto range = delayed_.equal_range(it->second);
    for (auto d = range.first; d != range.second; ++d)
      if (d->second == key) {
        delayed_.erase(d);
        break;
      }
    delayed_by_key_.erase(it);
  } else if (dirty_.size() + delayed_by_key_.size() >= config_.keys_max) {
    return false;
  }
  delayed_.emplace(due, key);
  delayed_by_key_[key] = due;
  return true;
}

void WorkQueue::forget(const std::string& key) {
  failures_.erase(key);
}

void WorkQueue::tick(std::int64_t now_ms) {
  while (!delayed_.empty() && delayed_.begin()->first <= now_ms) {
    auto key = std::move(delayed_.begin()->second);
    delayed_.erase(delayed_.begin());
    delayed_by_key_.erase(key);
    add(key);
  }
}

std::uint32_t WorkQueue::failures(const std::string& key) const {
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

std::optional<std::int64_t> WorkQueue::next_due_ms() const {
  if (delayed_.empty()) return std::nullopt;
  return delayed_.begin()->first;
}

}  // namespace craton::controllers
