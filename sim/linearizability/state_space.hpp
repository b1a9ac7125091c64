// StateSpace: the sequential specification of one key (a register or a kv string value) with its
// states interned as small integers, so the checker can store and compare states cheaply.
//
// Models:
// - register: starts at null; read returns the current value; write sets it; cas [expected,
//   new] succeeds iff the current value equals expected. Values are null, strings or integers.
// - kv: a missing key reads as the empty string (a null read or cas expected means ""); put and
//   write set; get and read read; append appends a string; cas as above. Values are strings.
//
// States are hash-consed: a state is (whole value) or (earlier state, appended piece), so an
// append costs the piece, not a copy of the string. Equal ids always mean equal contents; equal
// contents reached by different appends may have different ids, which only costs the checker
// some pruning, never correctness.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/result.hpp"
#include "sim/linearizability/operation.hpp"

namespace craton::linearizability {

enum class Model { register_model, kv };

/// "register" or "kv"; an error names the choices.
Result<Model> parse_model(std::string_view name);
const char* to_string(Model model);

class StateSpace {
 public:
  using StateId = std::uint32_t;

  /// An operation with its values interned; built by `prepare`.
  struct Step {
    OpKind f = OpKind::read;
    std::uint32_t value = 0;     ///< interned Operation::value
    std::uint32_t expected = 0;  ///< interned Operation::expected (cas)
  };

  explicit StateSpace(Model model);

  /// Checks that `op` fits the model (register has no append; kv values are strings) and interns
  /// its values. Errors (code "malformed") name the operation's line.
  Result<Step> prepare(const Operation& op);

  StateId initial() const { return initial_; }

  /// The state after `step` from `state`, or nullopt if the step cannot take effect there (a
  /// read of another value, a cas whose expected value is not current).
  std::optional<StateId> apply(StateId state, const Step& step);

  /// The value the state holds.
  Value value_of(StateId state) const;

  std::size_t state_count() const { return nodes_.size(); }

 private:
  static constexpr StateId kWhole = UINT32_MAX;  // Node::parent of a state that is one value

  struct Node {
    StateId parent = kWhole;
    std::uint32_t piece = 0;   // interned value: the whole value, or the appended piece
    std::uint64_t length = 0;  // total string length (kv)
  };

  std::uint32_t intern_value(const Value& value);
  StateId intern_node(StateId parent, std::uint32_t piece);
  bool holds(StateId state, std::uint32_t value) const;
  std::string contents(StateId state) const;

  Model model_;
  std::vector<Value> values_;
  std::unordered_map<std::string, std::uint32_t> value_ids_;  // kind tag + text -> id
  std::vector<Node> nodes_;
  std::unordered_map<std::uint64_t, StateId> node_ids_;  // (parent, piece) -> id
  StateId initial_ = 0;
};

}  // namespace craton::linearizability
