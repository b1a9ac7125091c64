// The synthetic workload generator, for quick experiments without a trace: `nodes` identical
// nodes (optionally with GPUs), `pods` pods arriving as a Poisson process at `arrivals_per_s`,
// with exponentially distributed run times of mean `duration_mean_s`, CPU requests drawn from a
// fixed menu and memory proportional to CPU; a share of the pods asks for GPUs (whole or
// shared) when the nodes have them. Deterministic: the same options (seed included) give the
// same records, hence the same file bytes and hash.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/result.hpp"
#include "sim/workload/workload_sink.hpp"

namespace craton::workload {

struct SyntheticOptions {
  std::int64_t nodes = 10;
  std::int64_t pods = 100;
  std::uint64_t seed = 1;
  double arrivals_per_s = 1.0;
  double duration_mean_s = 600;
  std::int64_t node_cpu_milli = 32000;
  std::int64_t node_memory_bytes = 128LL << 30;
  std::int32_t node_gpus = 0;          ///< GPUs per node; 0 = none
  std::string gpu_model = "T4";        ///< the model of those GPUs
  double gpu_pod_fraction = 0.5;       ///< of pods, when nodes have GPUs
  std::int64_t pods_max = 10'000'000;  ///< refuse bigger asks (a typo, not an experiment)
  std::int64_t nodes_max = 100'000;
};

/// Checks the options and writes the workload to `sink`.
Status generate_synthetic_workload(const SyntheticOptions& options, WorkloadSink& sink);

}  // namespace craton::workload
