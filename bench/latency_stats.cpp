#include "bench/latency_stats.hpp"

#include <algorithm>
#include <cmath>

namespace craton::bench {
namespace {

// Nearest rank: the smallest sample with at least p of all samples at or below it.
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = std::size_t(std::ceil(p * double(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

LatencyStats summarize_latencies(std::vector<double> latencies_us, double seconds,
                                 const std::map<std::string, std::uint64_t>& error_counts) {
  LatencyStats s;
  s.error_counts = error_counts;
  for (const auto& [code, n] : error_counts) s.errors += n;
  s.requests = latencies_us.size();
  s.seconds = seconds;
  if (seconds > 0) s.per_second = double(s.requests) / seconds;
  if (latencies_us.empty()) return s;
  std::sort(latencies_us.begin(), latencies_us.end());
  double sum = 0;
  for (double v : latencies_us) sum += v;
  s.mean_us = sum / double(s.requests);
  double squares = 0;
  for (double v : latencies_us) squares += (v - s.mean_us) * (v - s.mean_us);
  s.stddev_us = std::sqrt(squares / double(s.requests));
  s.p50_us = percentile(latencies_us, 0.50);
  s.p90_us = percentile(latencies_us, 0.90);
  s.p99_us = percentile(latencies_us, 0.99);
  s.p999_us = percentile(latencies_us, 0.999);
  s.max_us = latencies_us.back();
  return s;
}

}  // namespace craton::bench
