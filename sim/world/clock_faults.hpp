// Clock faults: each simulated node's clock (runtime/node_clock.hpp) skewed and drifting.
//
//   at 0s   clock-skew n1 -40s      the clock steps: reads 40 s earlier from now on
//   at 0s   clock-drift n2 1.0073   the clock runs 0.73% fast from now on (no step)
//
// Faults at time 0 set a node's clock before the node starts, so a skew there is a constant
// offset: nothing in Craton compares readings of two nodes' clocks, so offsets alone must not
// matter. A skew later in the run is a step of a clock that should be monotonic (a VM resumed,
// a clock set by hand): outside what the store promises (docs/store.md, "Leases"), so random
// schedules never draw one; fault files may, to show what breaks.
//
// Drift is what the store's lease bound is stated against: rates within 1 +- kClockDriftMax.
// Quartz clocks without NTP drift by well under 100 ppm; 1% is a hundred times that, large
// enough that a drift bug shows within a 2 s lease. Files may set rates up to NodeClock's
// range (0.5..2), beyond the bound, to show that the lease checker catches a broken promise.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "runtime/result.hpp"
#include "sim/world/fault_schedule.hpp"

namespace craton::sim {

/// The drift the store's guarantees assume, and random schedules stay within: every node
/// clock runs at a rate in [1 - kClockDriftMax, 1 + kClockDriftMax].
inline constexpr double kClockDriftMax = 0.01;

/// Largest step a fault may give a clock (random schedules: initial offsets up to a minute).
inline constexpr std::int64_t kClockSkewMsMax = 24LL * 3600 * 1000;

/// True for clock-skew and clock-drift.
bool is_clock_fault(Fault::Kind kind);

/// Reads the arguments of clock-skew (NODE [+-]DURATION) or clock-drift (NODE RATE) into `f`.
Status parse_clock_fault(Fault::Kind kind, const std::vector<std::string>& args,
                         const std::set<std::string>& known, Fault& f);

/// The arguments as the fault file writes them, e.g. " n1 -40000ms" or " n2 1.0073".
std::string describe_clock_fault(const Fault& f);

/// The clock faults random_faults adds, from their own stream (derive_seed(seed, "clock")):
/// at time 0 every node gets an offset within +-60 s and a rate within the drift bound (in
/// steps of 100 ppm, so the trace prints it exactly); every 2-8 s before the settle point one
/// node's rate changes within the bound. No steps after time 0.
std::vector<Fault> random_clock_faults(std::uint64_t seed, const std::vector<std::string>& nodes,
                                       std::int64_t settle_ms);

}  // namespace craton::sim
