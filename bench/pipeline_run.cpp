#include "bench/pipeline_run.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace craton::bench {

PipelineRun::PipelineRun(std::uint64_t count, std::uint64_t window)
    : count_(count), window_(window), sent_at_(count), answered_(count, false) {
  if (count == 0 || window == 0) throw std::invalid_argument("count and window must be >= 1");
  rtt_us_.reserve(count);
}

std::vector<std::uint64_t> PipelineRun::start(BenchClock::time_point now) {
  started_ = now;
  std::vector<std::uint64_t> first;
  while (next_ < std::min(window_, count_)) first.push_back(next_++);
  return first;
}

void PipelineRun::sent(std::uint64_t seq, BenchClock::time_point now) {
  if (seq < count_) sent_at_[seq] = now;
}

std::optional<std::uint64_t> PipelineRun::on_reply(std::uint64_t seq, BenchClock::time_point now) {
  if (seq >= count_ || answered_[seq]) {
    ++unexpected_;
    return std::nullopt;
  }
  answered_[seq] = true;
  ++received_;
  rtt_us_.push_back(std::chrono::duration<double, std::micro>(now - sent_at_[seq]).count());
  if (done()) finished_ = now;
  if (next_ < count_) return next_++;
  return std::nullopt;
}

RunFigures PipelineRun::figures() const {
  RunFigures f;
  f.unexpected = unexpected_;
  auto seconds = std::chrono::duration<double>(finished_ - started_).count();
  if (seconds > 0) f.per_second = double(received_) / seconds;
  auto sorted = rtt_us_;
  std::sort(sorted.begin(), sorted.end());
  auto pct = [&](double p) {
    if (sorted.empty()) return 0.0;
    auto i = std::size_t(std::ceil(p * double(sorted.size()))) - 1;
    return sorted[std::min(i, sorted.size() - 1)];
  };
  f.p50_us = pct(0.50);
  f.p90_us = pct(0.90);
  f.p99_us = pct(0.99);
  return f;
}

}  // namespace craton::bench
