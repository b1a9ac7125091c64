// RunHistory: what a checker sees of a finished simulated run (plain data, no CAF).
//
// The world fills it: every observation an actor reported (a typed record,
// sim/world/observation.hpp, stamped with simulated time, the node and the node's incarnation at
// the time), every crash and restart, and each node's final state. Checkers are pure functions of a
// RunHistory, so a test can fabricate a history and show that a checker fails on a bad one.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/world/fault_schedule.hpp"
#include "sim/world/observation.hpp"

namespace craton::sim {

struct Observation {
  std::int64_t time_ms = 0;
  std::string node;
  std::uint64_t incarnation = 0;
  ObservedEvent event;
  /// The event as the trace prints it (format_event).
  std::string text() const { return format_event(event); }
};

struct NodeFinalState {
  bool up = true;  ///< false: crashed and not restarted
  std::uint64_t incarnation = 0;
};

struct RunHistory {
  std::vector<std::string> nodes;  ///< in ring order
  std::vector<Observation> observations;
  std::map<std::string, NodeFinalState> final_state;
  std::int64_t settle_ms = 0;  ///< faults stopped here; the network was healed
  std::int64_t end_ms = 0;
  /// The longest a message or a node's step could be held up in the run: the network's
  /// largest latency plus the slowest disk sync (checkers' bounds are stated in it).
  std::int64_t delay_max_ms = 0;
  /// The schedule the world applied (crashes, restarts, partitions ... with their times), for
  /// checkers whose bounds start at a fault.
  std::vector<Fault> faults;
};

struct CheckResult {
  bool ok = true;
  std::vector<std::string> failures;            ///< one line each; bounded by the checker
  std::map<std::string, std::uint64_t> counts;  ///< what the checker saw, by name (reports)
  void fail(std::string why) {
    ok = false;
    if (failures.size() < 100) failures.push_back(std::move(why));
  }
};

}  // namespace craton::sim
