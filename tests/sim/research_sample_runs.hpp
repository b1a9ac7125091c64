// Hand-made research runs (sim/research/run_result.hpp) for the report's tests: two policies on
// a small cluster, with figures that differ by policy and seed, and a pod name that needs CSV
// quoting. Deterministic: the same arguments give equal runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/research/run_result.hpp"

namespace craton::research::testing {

/// One run of `policy` with `seed`: 10 samples (t = 0, 10, ..., 90 s) and 6 pods submitted at
/// 0, 10, ..., 50 s; the last pod is never bound; pod 2 was preempted.
inline RunResult sample_run(const std::string& policy, std::uint64_t seed, double gpu_bias) {
  RunResult r;
  r.run = {policy,
           "sim/policies/" + policy + ".yaml",
           "kind: KubeSchedulerConfiguration # <&>\n",
           seed,
           "sha256:00ff",
           "0.1.0-test"};
  for (int i = 0; i < 10; ++i) {
    double t = 10.0 * i;
    double fill = std::min(1.0, 0.1 * i + gpu_bias + 0.01 * double(seed));
    r.samples.push_back({t, fill / 2, fill / 3, fill, 4.0 * (1 - fill), 5 - i / 2, i / 2, i / 3});
  }
  for (int i = 0; i < 6; ++i) {
    PodOutcome p;
    p.name = i == 3 ? "pod,\"three\"" : "pod-" + std::to_string(i);
    p.submit_s = 10.0 * i;
    if (i < 5) {
      p.bound_s = p.submit_s + 1.0 + i + double(seed);
      p.running_s = *p.bound_s + 0.5;
      p.finished_s = *p.running_s + 20;
      p.node = "node-" + std::to_string(i % 2);
    } else {
      p.unschedulable = true;
    }
    p.preempted = i == 2;
    r.pods.push_back(p);
  }
  r.end_s = 100;
  r.trace_hash = 42 + seed;
  return r;
}

/// fgd and best-fit, each on `seeds` seeds (1, 2, ...), runs in policy-major order.
inline std::vector<RunResult> sample_runs(int seeds) {
  std::vector<RunResult> runs;
  for (const char* policy : {"fgd", "best-fit"})
    for (int s = 1; s <= seeds; ++s)
      runs.push_back(sample_run(policy, std::uint64_t(s), policy[0] == 'f' ? 0.05 : 0.0));
  return runs;
}

}  // namespace craton::research::testing
