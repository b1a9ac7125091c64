// The linearizability checker: decides whether a history of register or key-value operations
// could have come from one copy of the data applying each operation atomically at some instant
// between its invocation and its completion.
//
// The history is split by key and each key is checked alone (linearizability is compositional,
// so the history is linearizable iff every key's sub-history is). Each key is searched with the
// Wing–Gong–Lowe algorithm as porcupine implements it: the invocations and completions form a
// doubly linked list; the search repeatedly lifts out an operation whose invocation comes before
// every remaining completion and that the model accepts, and backtracks when a completion is
// reached first. A cache of visited configurations (which operations are linearized, model state)
// prunes revisits. Operations of unknown outcome have no completion: they may be linearized at any
// point after their invocation or never; the search tries them last and a configuration that used
// a superset of another's unknown operations, from the same state, is pruned as dominated.
//
// The search is bounded (`CheckLimits`); a key whose search exceeds the bounds gets the verdict
// `unknown` rather than running forever. One key proven not linearizable decides the whole
// history, so by default (`KeyScope::until_first_violation`) the keys after it are validated
// but not searched; `KeyScope::all_keys` searches every key, for a report of all failing keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/result.hpp"
#include "sim/linearizability/history.hpp"
#include "sim/linearizability/operation.hpp"
#include "sim/linearizability/state_space.hpp"

namespace craton::linearizability {

enum class Verdict { linearizable, not_linearizable, unknown };
const char* to_string(Verdict verdict);

struct CheckLimits {
  std::uint64_t steps_max = 200'000'000;       ///< search steps per key
  std::size_t cache_entries_max = 10'000'000;  ///< visited configurations kept per key
  std::size_t report_tail_ops = 6;             ///< linearized ops shown before the stuck point
  std::size_t report_pending_ops = 16;         ///< completed candidates shown at the stuck point
  std::size_t report_unknown_ops = 4;          ///< unknown-outcome candidates shown (latest)
};

/// Where the search of a non-linearizable key got furthest before it had to give up: the last
/// operations of the longest linearizable prefix it found, and the operations it could not place
/// after them. When the key has unknown-outcome operations and no appends, this comes from the
/// relaxed search (see linearization_search.hpp), whose prefix may use one such operation twice.
struct StuckPoint {
  std::size_t linearized = 0;  ///< completed operations in the longest linearizable prefix
  std::size_t completed = 0;   ///< completed operations on the key
  /// The prefix's last operations, in linearization order, each with the state after it.
  std::vector<Operation> prefix_tail;
  std::vector<Value> states_after;
  Value state;  ///< the state at the end of the prefix
  /// The operation whose completion came before it could be linearized (none when the search
  /// ran out of candidates otherwise).
  std::optional<Operation> blocked;
  /// Completed operations invoked before that completion and not yet linearized: every one of
  /// them was tried at this point; none led to a linearization.
  std::vector<Operation> pending;
  /// The latest unknown-outcome operations that could also have been placed there, and how many
  /// older ones there were besides.
  std::vector<Operation> pending_unknown;
  std::size_t more_unknown = 0;
};

/// Which keys check_history searches.
enum class KeyScope {
  until_first_violation,  ///< stop at the first key proven not linearizable (the verdict is set)
  all_keys,               ///< search every key, to report each failing one
};

struct KeyResult {
  std::string key;  ///< "" for the keyless register
  Verdict verdict = Verdict::linearizable;
  std::size_t operations = 0;       ///< operations checked (fails and unknown reads excluded)
  std::uint64_t steps = 0;          ///< search steps taken
  std::optional<StuckPoint> stuck;  ///< set unless linearizable
};

struct CheckResult {
  Verdict verdict = Verdict::linearizable;  ///< not_linearizable if any key is; else unknown if any
  std::size_t operations = 0;
  std::vector<KeyResult> keys;  ///< keys searched, in order of each key's first invocation
  /// Keys not searched because an earlier key was proven not linearizable (empty with
  /// KeyScope::all_keys); their operations were validated but are not counted in `operations`.
  std::vector<std::string> unchecked_keys;
};

/// Checks a whole history against `model`, searching the keys `scope` says. Errors (code
/// "malformed") are input errors: unpaired events, or operations the model does not have; they
/// name the line and are found on every key, searched or not.
Result<CheckResult> check_history(const History& history, Model model,
                                  const CheckLimits& limits = {},
                                  KeyScope scope = KeyScope::all_keys);

/// Checks one key's operations (as `collect_operations` returns them, all with this key).
Result<KeyResult> check_key(const std::string& key, const std::vector<Operation>& ops, Model model,
                            const CheckLimits& limits = {});

}  // namespace craton::linearizability
