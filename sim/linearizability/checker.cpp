#include "sim/linearizability/checker.hpp"

#include <algorithm>
#include <unordered_map>

#include "sim/linearizability/linearization_search.hpp"
#include "sim/linearizability/unobservable_filter.hpp"

namespace craton::linearizability {
namespace {

StuckPoint to_stuck_point(const DeadEnd& d, const std::vector<Operation>& ops,
                          const StateSpace& space) {
  StuckPoint p;
  p.linearized = d.linearized;
  p.completed = static_cast<std::size_t>(
      std::count_if(ops.begin(), ops.end(), [](const Operation& op) { return op.completed; }));
  for (std::size_t k = 0; k < d.tail_ops.size(); ++k) {
    p.prefix_tail.push_back(ops[d.tail_ops[k]]);
    p.states_after.push_back(space.value_of(d.tail_states[k]));
  }
  p.state = space.value_of(d.state);
  if (d.blocked) p.blocked = ops[*d.blocked];
  for (std::uint32_t op : d.pending)
    if (!d.blocked || op != *d.blocked) p.pending.push_back(ops[op]);
  for (std::uint32_t op : d.pending_unknown) p.pending_unknown.push_back(ops[op]);
  p.more_unknown = d.more_unknown;
  return p;
}

// The input check of check_key without the search: every operation must fit the model.
Status validate_key(const std::vector<Operation>& ops, Model model) {
  StateSpace space(model);
  for (const Operation& op : ops) {
    auto step = space.prepare(op);
    if (!step) return step.error();
  }
  return Ok{};
}

}  // namespace

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::linearizable:
      return "linearizable";
    case Verdict::not_linearizable:
      return "not linearizable";
    case Verdict::unknown:
      return "unknown";
  }
  return "?";
}

Result<KeyResult> check_key(const std::string& key, const std::vector<Operation>& ops, Model model,
                            const CheckLimits& limits) {
  StateSpace space(model);
  std::vector<StateSpace::Step> all_steps;
  all_steps.reserve(ops.size());
  for (const Operation& op : ops) {  // validates every operation, even those dropped next
    auto step = space.prepare(op);
    if (!step) return step.error();
    all_steps.push_back(step.value());
  }
  Observability observability = analyze_observability(ops, model);
  std::vector<Operation> kept;
  std::vector<StateSpace::Step> steps;
  for (std::size_t i : observability.kept) {
    kept.push_back(ops[i]);
    steps.push_back(all_steps[i]);
  }
  KeyResult result;
  result.key = key;
  result.operations = ops.size();
  auto search = [&](UnknownUse use) {
    LinearizationSearch s(kept, steps, observability.last_observer, space, limits, use);
    result.verdict = s.run();
    result.steps += s.steps_taken();
    if (result.verdict != Verdict::linearizable && s.dead_end())
      result.stuck = to_stuck_point(*s.dead_end(), kept, space);
  };
  // The relaxed search decides "not linearizable" without tracking which unknown operations were
  // used; only if it finds a linearization must the exact search confirm one.
  const bool unknowns =
      std::any_of(kept.begin(), kept.end(), [](const Operation& op) { return !op.completed; });
  const bool appends = std::any_of(kept.begin(), kept.end(),
                                   [](const Operation& op) { return op.f == OpKind::append; });
  if (unknowns && !appends) {
    search(UnknownUse::unlimited);
    if (result.verdict != Verdict::linearizable) return result;
  }
  search(UnknownUse::once);
  return result;
}

Result<CheckResult> check_history(const History& history, Model model, const CheckLimits& limits,
                                  KeyScope scope) {
  auto ops = collect_operations(history);
  if (!ops) return ops.error();
  // Partition by key, keeping keys in order of first invocation.
  std::vector<std::pair<std::string, std::vector<Operation>>> keys;
  std::unordered_map<std::string, std::size_t> key_index;
  for (Operation& op : ops.value()) {
    const std::string key = op.key.value_or("");
    auto [it, inserted] = key_index.try_emplace(key, keys.size());
    if (inserted) keys.emplace_back(key, std::vector<Operation>{});
    keys[it->second].second.push_back(std::move(op));
  }
  CheckResult result;
  bool any_unknown = false;
  for (const auto& [key, key_ops] : keys) {
    if (scope == KeyScope::until_first_violation && result.verdict == Verdict::not_linearizable) {
      auto valid = validate_key(key_ops, model);
      if (!valid) return valid.error();
      result.unchecked_keys.push_back(key);
      continue;
    }
    auto key_result = check_key(key, key_ops, model, limits);
    if (!key_result) return key_result.error();
    result.operations += key_result->operations;
    if (key_result->verdict == Verdict::not_linearizable)
      result.verdict = Verdict::not_linearizable;
    any_unknown = any_unknown || key_result->verdict == Verdict::unknown;
    result.keys.push_back(std::move(key_result.value()));
  }
  if (any_unknown && result.verdict == Verdict::linearizable) result.verdict = Verdict::unknown;
  return result;
}

}  // namespace craton::linearizability
