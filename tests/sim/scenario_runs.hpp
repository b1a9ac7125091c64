// What the scenario tests share: one run of a scenario under a seed's random faults, as
// `craton sim --faults random` runs it; a run's failures as text; and how many seeds to run,
// from an environment variable (CI's count when it is unset).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

#include "runtime/rng.hpp"
#include "sim/world/fault_schedule.hpp"
#include "sim/world/world.hpp"

namespace craton::sim::testing {

template <class ScenarioType>
RunReport run_seed(std::uint64_t seed, std::size_t nodes, std::int64_t duration_ms) {
  WorldConfig config;
  config.seed = seed;
  config.nodes = nodes;
  config.duration_ms = duration_ms;
  auto ids = node_ids(nodes);
  config.faults = random_faults(derive_seed(seed, "faults"), ids, settle_ms(config));
  ScenarioType scenario(ids);
  return run_world(config, scenario);
}

inline std::string failures_of(const RunReport& report) {
  std::string why;
  for (const auto& f : report.check.failures) why += "\n  " + f;
  return why;
}

/// The number in `variable`, or `fallback` when it is unset.
inline std::uint64_t seeds_from_env(const char* variable, std::uint64_t fallback) {
  if (const char* env = std::getenv(variable)) return std::strtoull(env, nullptr, 10);
  return fallback;
}

}  // namespace craton::sim::testing
