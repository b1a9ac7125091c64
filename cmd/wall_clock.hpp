// The wall clock's seconds at the actor clock's zero, for actors that keep time by their
// node's clock (steady, since boot in a process) but write wall-clock times into objects
// (creationTimestamp, a Ready condition's lastTransitionTime). Process code: the simulator
// gives those actors a fixed date instead.
#pragma once

#include <chrono>
#include <cstdint>

namespace craton::cmd {

inline std::int64_t wall_clock_base_s() {
  using namespace std::chrono;
  auto wall = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  auto steady = duration_cast<seconds>(steady_clock::now().time_since_epoch()).count();
  return wall - steady;
}

/// The wall clock now, in ms since the epoch (what drivers stamp and log queries compare).
inline std::int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace craton::cmd
