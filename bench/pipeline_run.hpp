// PipelineRun: the bookkeeping of one benchmark run, apart from any transport.
//
// A driver sends `count` request messages numbered 0..count-1, keeping at most `window`
// outstanding, and reports each reply by its number. PipelineRun says what to send next and
// collects the throughput and the round-trip percentiles. Replies must be unique; an unknown
// or repeated number is counted as `unexpected` and otherwise ignored. Times are given by the
// caller (steady_clock in the benchmarks). Pure: no CAF.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace craton::bench {

using BenchClock = std::chrono::steady_clock;

struct RunFigures {
  double per_second = 0;  ///< replies per second over the whole run
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  std::uint64_t unexpected = 0;
  /// CPU time both processes used per message, filled in by the driver's caller (0: unknown).
  double cpu_us_per_msg = 0;
};

class PipelineRun {
 public:
  /// Preconditions: count >= 1, window >= 1.
  PipelineRun(std::uint64_t count, std::uint64_t window);

  /// The numbers to send at the start (min(window, count) of them); starts the clock at `now`.
  std::vector<std::uint64_t> start(BenchClock::time_point now);
  /// Call right before sending number `seq` (stamps its send time).
  void sent(std::uint64_t seq, BenchClock::time_point now);
  /// A reply for `seq` arrived; returns the next number to send, if any.
  std::optional<std::uint64_t> on_reply(std::uint64_t seq, BenchClock::time_point now);

  bool done() const { return received_ == count_; }
  RunFigures figures() const;

 private:
  std::uint64_t count_;
  std::uint64_t window_;
  std::uint64_t next_ = 0;
  std::uint64_t received_ = 0;
  std::uint64_t unexpected_ = 0;
  BenchClock::time_point started_{};
  BenchClock::time_point finished_{};
  std::vector<BenchClock::time_point> sent_at_;
  std::vector<double> rtt_us_;
  std::vector<bool> answered_;
};

}  // namespace craton::bench
