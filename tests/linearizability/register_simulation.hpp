// RegisterSimulation: generates histories that are linearizable by construction, by running
// concurrent clients against one real, atomic copy of the data. Each step either invokes an
// operation, applies a pending one atomically (its linearization point), or completes one; some
// completions are lost (`info`), and some lost operations take effect later or never. Tests use
// these histories as must-pass inputs and corrupt them into must-fail ones.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/rng.hpp"
#include "sim/linearizability/history.hpp"

namespace craton::linearizability::testing {

struct SimulationConfig {
  std::uint64_t seed = 1;
  std::size_t clients = 5;
  std::size_t operations = 1000;
  std::size_t keys = 1;               ///< keys "k0".."k<n-1>"
  bool kv = false;                    ///< kv: get/put/append/cas on strings; else register on ints
  double unknown_chance = 0.02;       ///< chance that an operation's outcome is lost (info)
  std::uint64_t distinct_values = 0;  ///< written values drawn from this many; 0: all unique
};

History simulate_history(const SimulationConfig& config);

/// Replaces the result of one completed read, chosen by `rng` from the middle half of the
/// history, with a value no operation ever wrote. Returns false if the history has no such read.
bool corrupt_one_read(History& history, Rng& rng);

}  // namespace craton::linearizability::testing
