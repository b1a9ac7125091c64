// Operation: one client operation of a history, its invocation paired with its completion. This
// is what the checker searches over. Pairing validates the history's shape: every completion
// follows an invocation from the same process with the same `f`, and a process has at most one
// outstanding invocation (after `info` the process may invoke again: its old operation stays
// open forever, but the process is no longer waiting on it).
//
// Operations that constrain nothing are dropped here: `fail`ed ones (they certainly did not take
// effect) and reads whose result is unknown.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "runtime/result.hpp"
#include "sim/linearizability/history.hpp"

namespace craton::linearizability {

inline constexpr std::size_t kNeverCompleted = std::numeric_limits<std::size_t>::max();

struct Operation {
  std::string process;
  OpKind f = OpKind::read;
  std::optional<std::string> key;
  Value value;     ///< see Event::value: written/appended/new value, or the value read
  Value expected;  ///< cas only
  /// true: completed `ok`, so it took effect between invocation and completion. false: the
  /// outcome is unknown (`info` or no completion): it took effect once after its invocation,
  /// or never.
  bool completed = false;
  std::size_t invoke_pos = 0;                  ///< index of the invocation in History::events
  std::size_t complete_pos = kNeverCompleted;  ///< index of the `ok`; kNeverCompleted if unknown
  std::size_t invoke_line = 0;                 ///< source lines, for reports (0: in memory)
  std::size_t complete_line = 0;
};

/// Pairs each invocation with its completion, in invocation order. Errors (code "malformed")
/// name the offending line (or event index, for in-memory histories).
Result<std::vector<Operation>> collect_operations(const History& history);

/// Describes an operation for people, e.g. `p3 read -> 5 (lines 10-14)` or
/// `p1 cas 1 -> 2 (line 7, outcome unknown)`; in-memory histories show event indices instead.
std::string describe(const Operation& op);

}  // namespace craton::linearizability
