#include "sim/linearizability/checker.hpp"

#include <algorithm>
#include <unordered_map>

#include "sim/linearizability/config_cache.hpp"

namespace craton::linearizability {
namespace {

using StateId = StateSpace::StateId;

// Fixed-size bitset over small integers.
class Bits {
 public:
  explicit Bits(std::size_t n) : words_((n + 63) / 64, 0) {}
  bool test(std::size_t i) const { return (words_[i / 64] >> (i % 64)) & 1; }
  void set(std::size_t i) { words_[i / 64] |= std::uint64_t{1} << (i % 64); }
  void reset(std::size_t i) { words_[i / 64] &= ~(std::uint64_t{1} << (i % 64)); }
  const std::vector<std::uint64_t>& words() const { return words_; }

  /// Appends the set bits in [from, to] to `out`, in order.
  void collect(std::size_t from, std::size_t to, std::vector<std::uint32_t>& out) const {
    for (std::size_t w = from / 64; w <= to / 64 && w < words_.size(); ++w) {
      std::uint64_t bits = words_[w];
      while (bits != 0) {
        const std::size_t i = w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
        bits &= bits - 1;
        if (i >= from && i <= to) out.push_back(static_cast<std::uint32_t>(i));
      }
    }
  }

 private:
  std::vector<std::uint64_t> words_;
};

// The best (deepest) dead end seen, as ids, turned into a StuckPoint at the end.
struct DeadEnd {
  std::size_t linearized = 0;
  std::vector<std::uint32_t> tail_ops;
  std::vector<StateId> tail_states;
  StateId state = 0;
  std::optional<std::uint32_t> blocked;
  std::vector<std::uint32_t> pending;
};

// One key's Wing–Gong–Lowe search. Node 0 of the linked list is the head sentinel and node
// `tail_` the tail sentinel; the nodes between are invocations and completions in history order.
// Operations of unknown outcome have an invocation node only.
class Search {
 public:
  Search(const std::vector<Operation>& ops, std::vector<StateSpace::Step> steps,
         StateSpace& space, const CheckLimits& limits);

  Verdict run();
  std::uint64_t steps() const { return steps_taken_; }
  std::optional<DeadEnd> dead_end() const { return dead_end_; }

 private:
  struct Frame {
    std::uint32_t op;
    StateId state_before;
    std::size_t frontier_before;
  };

  void build_list(const std::vector<Operation>& ops);
  void build_ranks(const std::vector<Operation>& ops);
  std::size_t mark(std::uint32_t op);
  void unmark(std::uint32_t op, std::size_t frontier_before);
  ConfigKey config_key(StateId state) const;
  void lift(std::uint32_t op);
  void unlift(std::uint32_t op);
  bool at_completion(std::size_t node) const { return node == tail_ || !is_call_[node]; }
  void note_dead_end(StateId state, std::size_t node);

  StateSpace& space_;
  const CheckLimits& limits_;
  std::vector<StateSpace::Step> steps_;

  // The list. call_node_/return_node_ per operation (return_node_ 0 when unknown outcome).
  std::vector<std::size_t> next_, prev_, op_of_;
  std::vector<bool> is_call_;
  std::vector<std::size_t> call_node_, return_node_;
  std::size_t tail_ = 0;

  // Completed operations by rank; unknown-outcome operations by their own rank.
  std::vector<bool> definite_;
  std::vector<std::uint32_t> definite_ops_;  // op ids of completed operations, ascending
  std::vector<std::uint32_t> rank_;          // per op: rank among its kind
  // horizon_[r]: the last op invoked before completed op definite_ops_[r] completed. While that
  // op is pending, only ops up to its horizon can have been linearized past it.
  std::vector<std::uint32_t> horizon_;
  std::size_t unknown_total_ = 0;

  // Search state: which ops are linearized, the first completed op that is not.
  Bits linearized_definite_;
  Bits linearized_unknown_;
  std::size_t frontier_ = 0;
  std::size_t definite_done_ = 0;
  std::vector<Frame> stack_;
  ConfigCache cache_;
  std::uint64_t steps_taken_ = 0;
  std::optional<DeadEnd> dead_end_;
};

Search::Search(const std::vector<Operation>& ops, std::vector<StateSpace::Step> steps,
               StateSpace& space, const CheckLimits& limits)
    : space_(space),
      limits_(limits),
      steps_(std::move(steps)),
      linearized_definite_(ops.size()),
      linearized_unknown_(ops.size()),
      cache_(0) {
  build_ranks(ops);
  build_list(ops);
  linearized_unknown_ = Bits(unknown_total_);
  cache_ = ConfigCache((unknown_total_ + 63) / 64);
}

void Search::build_ranks(const std::vector<Operation>& ops) {
  definite_.resize(ops.size());
  rank_.resize(ops.size());
  for (std::uint32_t i = 0; i < ops.size(); ++i) {
    definite_[i] = ops[i].completed;
    if (ops[i].completed) {
      rank_[i] = static_cast<std::uint32_t>(definite_ops_.size());
      definite_ops_.push_back(i);
    } else {
      rank_[i] = static_cast<std::uint32_t>(unknown_total_++);
    }
  }
  for (std::uint32_t op : definite_ops_) {
    auto after = std::upper_bound(ops.begin(), ops.end(), ops[op].complete_pos,
                                  [](std::size_t pos, const Operation& o) {
                                    return pos < o.invoke_pos;
                                  });
    horizon_.push_back(static_cast<std::uint32_t>(after - ops.begin() - 1));
  }
}

void Search::build_list(const std::vector<Operation>& ops) {
  struct Point {
    std::size_t pos;
    std::uint32_t op;
    bool call;
  };
  std::vector<Point> points;
  for (std::uint32_t i = 0; i < ops.size(); ++i) {
    points.push_back({ops[i].invoke_pos, i, true});
    if (ops[i].completed) points.push_back({ops[i].complete_pos, i, false});
  }
  std::sort(points.begin(), points.end(),
            [](const Point& a, const Point& b) { return a.pos < b.pos; });
  const std::size_t nodes = points.size() + 2;
  tail_ = nodes - 1;
  next_.resize(nodes);
  prev_.resize(nodes);
  op_of_.assign(nodes, 0);
  is_call_.assign(nodes, false);
  call_node_.assign(ops.size(), 0);
  return_node_.assign(ops.size(), 0);
  for (std::size_t n = 0; n < nodes; ++n) {
    next_[n] = n + 1 < nodes ? n + 1 : n;
    prev_[n] = n > 0 ? n - 1 : 0;
  }
  for (std::size_t k = 0; k < points.size(); ++k) {
    const std::size_t node = k + 1;
    op_of_[node] = points[k].op;
    is_call_[node] = points[k].call;
    (points[k].call ? call_node_ : return_node_)[points[k].op] = node;
  }
}

// Marks `op` linearized; returns the frontier before, for unmark.
std::size_t Search::mark(std::uint32_t op) {
  const std::size_t before = frontier_;
  if (!definite_[op]) {
    linearized_unknown_.set(rank_[op]);
    return before;
  }
  linearized_definite_.set(op);
  ++definite_done_;
  while (frontier_ < definite_ops_.size() && linearized_definite_.test(definite_ops_[frontier_]))
    ++frontier_;
  return before;
}

void Search::unmark(std::uint32_t op, std::size_t frontier_before) {
  if (!definite_[op]) {
    linearized_unknown_.reset(rank_[op]);
    return;
  }
  linearized_definite_.reset(op);
  --definite_done_;
  frontier_ = frontier_before;
}

// The set of linearized completed ops is "all before the frontier" plus the few after it, which
// keeps keys small on long, mostly sequential histories.
ConfigKey Search::config_key(StateId state) const {
  ConfigKey key{state, static_cast<std::uint32_t>(frontier_), {}};
  if (frontier_ < definite_ops_.size()) {
    linearized_definite_.collect(definite_ops_[frontier_] + 1, horizon_[frontier_], key.above);
  }
  return key;
}

void Search::lift(std::uint32_t op) {
  for (std::size_t node : {call_node_[op], return_node_[op]}) {
    if (node == 0) continue;
    next_[prev_[node]] = next_[node];
    prev_[next_[node]] = prev_[node];
  }
}

void Search::unlift(std::uint32_t op) {
  for (std::size_t node : {return_node_[op], call_node_[op]}) {
    if (node == 0) continue;
    next_[prev_[node]] = node;
    prev_[next_[node]] = node;
  }
}

Verdict Search::run() {
  StateId state = space_.initial();
  std::size_t node = next_[0];
  bool unknown_phase = false;  // completed ops are tried first, unknown-outcome ops after
  for (;;) {
    if (definite_done_ == definite_ops_.size()) return Verdict::linearizable;
    if (++steps_taken_ > limits_.steps_max || cache_.size() > limits_.cache_entries_max)
      return Verdict::unknown;
    if (at_completion(node)) {
      if (!unknown_phase && unknown_total_ > 0) {
        unknown_phase = true;
        node = next_[0];
        continue;
      }
      note_dead_end(state, node);
      if (stack_.empty()) return Verdict::not_linearizable;
      const Frame frame = stack_.back();
      stack_.pop_back();
      unlift(frame.op);
      unmark(frame.op, frame.frontier_before);
      state = frame.state_before;
      node = next_[call_node_[frame.op]];
      unknown_phase = !definite_[frame.op];
      continue;
    }
    const std::uint32_t op = static_cast<std::uint32_t>(op_of_[node]);
    if (definite_[op] != unknown_phase) {
      if (auto after = space_.apply(state, steps_[op])) {
        const std::size_t frontier_before = mark(op);
        if (cache_.insert(config_key(*after), linearized_unknown_.words())) {
          stack_.push_back({op, state, frontier_before});
          lift(op);
          state = *after;
          node = next_[0];
          unknown_phase = false;
          continue;
        }
        unmark(op, frontier_before);
      }
    }
    node = next_[node];
  }
}

void Search::note_dead_end(StateId state, std::size_t node) {
  if (dead_end_ && definite_done_ <= dead_end_->linearized) return;
  DeadEnd d;
  d.linearized = definite_done_;
  const std::size_t shown = std::min(limits_.report_tail_ops, stack_.size());
  for (std::size_t k = stack_.size() - shown; k < stack_.size(); ++k) {
    d.tail_ops.push_back(stack_[k].op);
    d.tail_states.push_back(k + 1 < stack_.size() ? stack_[k + 1].state_before : state);
  }
  d.state = state;
  if (node != tail_) d.blocked = static_cast<std::uint32_t>(op_of_[node]);
  for (std::size_t n = next_[0]; !at_completion(n); n = next_[n]) {
    if (d.pending.size() == limits_.report_pending_ops) break;
    d.pending.push_back(static_cast<std::uint32_t>(op_of_[n]));
  }
  dead_end_ = std::move(d);
}

StuckPoint to_stuck_point(const DeadEnd& d, const std::vector<Operation>& ops,
                          const StateSpace& space) {
  StuckPoint p;
  p.linearized = d.linearized;
  for (std::size_t k = 0; k < d.tail_ops.size(); ++k) {
    p.prefix_tail.push_back(ops[d.tail_ops[k]]);
    p.states_after.push_back(space.value_of(d.tail_states[k]));
  }
  p.state = space.value_of(d.state);
  if (d.blocked) p.blocked = ops[*d.blocked];
  for (std::uint32_t op : d.pending)
    if (!d.blocked || op != *d.blocked) p.pending.push_back(ops[op]);
  return p;
}

}  // namespace

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::linearizable: return "linearizable";
    case Verdict::not_linearizable: return "not linearizable";
    case Verdict::unknown: return "unknown";
  }
  return "?";
}

Result<KeyResult> check_key(const std::string& key, const std::vector<Operation>& ops, Model model,
                            const CheckLimits& limits) {
  StateSpace space(model);
  std::vector<StateSpace::Step> steps;
  steps.reserve(ops.size());
  for (const Operation& op : ops) {
    auto step = space.prepare(op);
    if (!step) return step.error();
    steps.push_back(step.value());
  }
  Search search(ops, std::move(steps), space, limits);
  KeyResult result;
  result.key = key;
  result.operations = ops.size();
  result.verdict = search.run();
  result.steps = search.steps();
  if (result.verdict != Verdict::linearizable && search.dead_end())
    result.stuck = to_stuck_point(*search.dead_end(), ops, space);
  return result;
}

Result<CheckResult> check_history(const History& history, Model model, const CheckLimits& limits) {
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
