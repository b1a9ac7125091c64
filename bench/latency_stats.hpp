// LatencyStats: the summary of one load run, in the shape etcd's benchmark tools report it
// (throughput, mean, stddev, slowest, percentiles) so that figures stand beside etcd's.
//
// summarize_latencies() takes every successful request's latency and the run's wall time and
// returns the figures. Percentiles are nearest-rank over all samples (no histogram buckets),
// so p99.9 of 1,000 samples is the slowest one. Pure: no CAF, no clock.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace craton::bench {

struct LatencyStats {
  std::uint64_t requests = 0;                         ///< answered successfully
  std::uint64_t errors = 0;                           ///< failed or timed out (see error_counts)
  std::map<std::string, std::uint64_t> error_counts;  ///< by error code
  double seconds = 0;                                 ///< wall time of the run
  double per_second = 0;                              ///< requests / seconds
  double mean_us = 0;
  double stddev_us = 0;
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  double p999_us = 0;
  double max_us = 0;
};

/// Summarizes `latencies_us` (one entry per successful request, any order) over a run that
/// took `seconds`. Errors are copied into the result; they carry no latency.
LatencyStats summarize_latencies(std::vector<double> latencies_us, double seconds,
                                 const std::map<std::string, std::uint64_t>& error_counts);

}  // namespace craton::bench
