// LinearizationSearch: the Wing–Gong–Lowe search for one key, as porcupine implements it, plus
// rules for operations of unknown outcome.
//
// Completed operations form a doubly linked list of invocations and completions in history order.
// The search lifts out an operation whose invocation precedes every remaining completion and that
// the model accepts, and backtracks when the first remaining completion is reached: that
// operation can no longer be placed. Each new configuration (linearized set, state) is recorded
// in a ConfigCache and never explored twice.
//
// Unknown-outcome operations have no completion and are optional. They sit in a second list, by
// invocation, and are tried only after every completed candidate: an unknown operation invoked
// before the first remaining completion may be linearized there. Two reductions keep them cheap:
// among identical pending unknown operations only the earliest is tried (they are
// interchangeable); an unknown write is never tried right after another unknown operation
// (the same write straight from the configuration before that one reaches the same state with
// fewer operations used, which dominates); and an unknown operation whose last observer (see
// unobservable_filter.hpp) is linearized is no longer tried. On keys without appends, an unknown
// write or cas is tried only if the value it leaves is needed next: read or expected by a
// completed candidate, or expected by some unknown cas (otherwise whatever follows it overwrites
// it or fails, and the same sequence without it is shorter).
//
// In the relaxed mode (`UnknownUse::unlimited`) an unknown-outcome operation may be used any number
// of times once an identical one was invoked. That admits more linearizations, so "not
// linearizable" in the relaxed mode is final; the checker runs it first on keys without appends
// because it never has to track which unknown operations were used, which is what makes failing
// histories with many repeated unknown values expensive in the exact mode.
//
// The search is bounded by CheckLimits and then answers Verdict::unknown.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/linearizability/checker.hpp"
#include "sim/linearizability/config_cache.hpp"
#include "sim/linearizability/state_space.hpp"
#include "sim/linearizability/unobservable_filter.hpp"

namespace craton::linearizability {

/// The deepest dead end the search met, as operation indices and state ids.
struct DeadEnd {
  std::size_t linearized = 0;                    ///< completed operations linearized before it
  std::vector<std::uint32_t> tail_ops;           ///< the last operations linearized
  std::vector<StateSpace::StateId> tail_states;  ///< the state after each of them
  StateSpace::StateId state = 0;
  std::optional<std::uint32_t> blocked;        ///< the operation whose completion was reached
  std::vector<std::uint32_t> pending;          ///< completed operations that could have been next
  std::vector<std::uint32_t> pending_unknown;  ///< the latest unknown ones that could have been
  std::size_t more_unknown = 0;                ///< older unknown ones not listed
};

/// How often an unknown-outcome operation may be linearized: at most once (exact), or any
/// number of times (a relaxation; see above).
enum class UnknownUse { once, unlimited };

class LinearizationSearch {
 public:
  /// `ops`, `space` and `limits` must outlive the search; `steps[i]` is
  /// `space.prepare(ops[i])`; `last_observer` comes from analyze_observability.
  LinearizationSearch(const std::vector<Operation>& ops, std::vector<StateSpace::Step> steps,
                      std::vector<std::uint32_t> last_observer, StateSpace& space,
                      const CheckLimits& limits, UnknownUse unknown_use = UnknownUse::once);

  Verdict run();
  std::uint64_t steps_taken() const { return steps_taken_; }
  const std::optional<DeadEnd>& dead_end() const { return dead_end_; }

 private:
  using StateId = StateSpace::StateId;
  static constexpr std::uint32_t kNone = UINT32_MAX;

  struct Frame {
    std::uint32_t op;
    StateId state_before;
    std::size_t frontier_before;
    std::size_t limit_node;  // the first remaining completion when `op` was chosen
  };

  void build_ranks();
  void build_lists();
  void build_twins();
  std::size_t mark(std::uint32_t op);
  void unmark(std::uint32_t op, std::size_t frontier_before);
  bool linearized(std::uint32_t op) const;
  ConfigKey config_key(StateId state);
  void lift(std::uint32_t op);
  void unlift(std::uint32_t op);
  bool at_completion(std::size_t node) const;
  bool skip_unknown(std::uint32_t op) const;
  void collect_needed(std::size_t limit_node);
  void note_dead_end(StateId state, std::size_t limit_node);

  const std::vector<Operation>& ops_;
  StateSpace& space_;
  const CheckLimits& limits_;
  const bool unlimited_;  // UnknownUse::unlimited
  std::vector<StateSpace::Step> steps_;
  std::vector<std::uint32_t> last_observer_;

  // Both lists share these arrays. Definite list: head 0, tail def_tail_. Unknown list: head
  // unk_head_, tail unk_tail_. pos_ is the event position (tails: the largest size_t).
  std::vector<std::size_t> next_, prev_, pos_;
  std::vector<std::uint32_t> op_of_;
  std::vector<bool> is_call_;
  std::vector<std::size_t> call_node_, return_node_;  // return_node_ 0: unknown outcome
  std::size_t def_tail_ = 0, unk_head_ = 0, unk_tail_ = 0;

  std::vector<bool> definite_;
  std::vector<std::uint32_t> definite_ops_;  // op indices of completed operations, ascending
  std::vector<std::uint32_t> rank_;          // per op: rank among completed or among unknown
  // horizon_[r]: the last op invoked before completed op definite_ops_[r] completed. While that
  // op is pending, no op past its horizon can have been linearized.
  std::vector<std::uint32_t> horizon_;
  std::vector<std::uint32_t> twin_prev_;             // per unknown op: the previous identical one
  bool appends_ = false;                             // the key has appends: values are not atomic
  std::vector<std::uint32_t> unknown_cas_expected_;  // sorted value ids
  std::vector<std::uint32_t> needed_;  // value ids the completed candidates read or expect
  std::size_t unknown_total_ = 0;

  std::vector<std::uint64_t> lin_definite_;  // bitset over op indices
  std::vector<std::uint64_t> lin_unknown_;   // bitset over unknown ranks
  std::size_t frontier_ = 0;                 // rank of the first completed op not linearized
  std::size_t definite_done_ = 0;
  std::vector<Frame> stack_;
  std::vector<std::uint32_t> above_;  // scratch for config_key
  ConfigCache cache_;
  std::uint64_t steps_taken_ = 0;
  std::optional<DeadEnd> dead_end_;
};

}  // namespace craton::linearizability
