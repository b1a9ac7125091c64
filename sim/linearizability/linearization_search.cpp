#include "sim/linearizability/linearization_search.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>

namespace craton::linearizability {
namespace {

constexpr std::size_t kEndPos = std::numeric_limits<std::size_t>::max();

bool test_bit(const std::vector<std::uint64_t>& bits, std::size_t i) {
  return (bits[i / 64] >> (i % 64)) & 1;
}
void set_bit(std::vector<std::uint64_t>& bits, std::size_t i) {
  bits[i / 64] |= std::uint64_t{1} << (i % 64);
}
void clear_bit(std::vector<std::uint64_t>& bits, std::size_t i) {
  bits[i / 64] &= ~(std::uint64_t{1} << (i % 64));
}

// Appends the set bits in [from, to] to `out`, in order.
void collect_bits(const std::vector<std::uint64_t>& bits, std::size_t from, std::size_t to,
                  std::vector<std::uint32_t>& out) {
  for (std::size_t w = from / 64; w <= to / 64 && w < bits.size(); ++w) {
    std::uint64_t word = bits[w];
    while (word != 0) {
      const std::size_t i = w * 64 + static_cast<std::size_t>(__builtin_ctzll(word));
      word &= word - 1;
      if (i >= from && i <= to) out.push_back(static_cast<std::uint32_t>(i));
    }
  }
}

}  // namespace

LinearizationSearch::LinearizationSearch(const std::vector<Operation>& ops,
                                         std::vector<StateSpace::Step> steps,
                                         std::vector<std::uint32_t> last_observer,
                                         StateSpace& space, const CheckLimits& limits,
                                         UnknownUse unknown_use)
    : ops_(ops),
      space_(space),
      limits_(limits),
      unlimited_(unknown_use == UnknownUse::unlimited),
      steps_(std::move(steps)),
      last_observer_(std::move(last_observer)),
      cache_(0) {
  build_ranks();
  build_lists();
  build_twins();
  lin_definite_.assign((ops.size() + 63) / 64, 0);
  // Unlimited unknown operations are never used up, so there is nothing to track.
  lin_unknown_.assign(unlimited_ ? 0 : (unknown_total_ + 63) / 64, 0);
  cache_ = ConfigCache(lin_unknown_.size());
}

void LinearizationSearch::build_ranks() {
  definite_.resize(ops_.size());
  rank_.resize(ops_.size());
  for (std::uint32_t i = 0; i < ops_.size(); ++i) {
    definite_[i] = ops_[i].completed;
    if (ops_[i].completed) {
      rank_[i] = static_cast<std::uint32_t>(definite_ops_.size());
      definite_ops_.push_back(i);
    } else {
      rank_[i] = static_cast<std::uint32_t>(unknown_total_++);
    }
  }
  for (std::uint32_t op : definite_ops_) {
    auto after =
        std::upper_bound(ops_.begin(), ops_.end(), ops_[op].complete_pos,
                         [](std::size_t pos, const Operation& o) { return pos < o.invoke_pos; });
    horizon_.push_back(static_cast<std::uint32_t>(after - ops_.begin() - 1));
  }
}

void LinearizationSearch::build_lists() {
  struct Point {
    std::size_t pos;
    std::uint32_t op;
    bool call;
  };
  std::vector<Point> definite, unknown;
  for (std::uint32_t i = 0; i < ops_.size(); ++i) {
    if (!ops_[i].completed) {
      unknown.push_back({ops_[i].invoke_pos, i, true});
      continue;
    }
    definite.push_back({ops_[i].invoke_pos, i, true});
    definite.push_back({ops_[i].complete_pos, i, false});
  }
  auto by_pos = [](const Point& a, const Point& b) { return a.pos < b.pos; };
  std::sort(definite.begin(), definite.end(), by_pos);
  def_tail_ = definite.size() + 1;
  unk_head_ = def_tail_ + 1;
  unk_tail_ = unk_head_ + unknown.size() + 1;
  const std::size_t nodes = unk_tail_ + 1;
  next_.resize(nodes);
  prev_.resize(nodes);
  pos_.assign(nodes, kEndPos);
  op_of_.assign(nodes, 0);
  is_call_.assign(nodes, false);
  call_node_.assign(ops_.size(), 0);
  return_node_.assign(ops_.size(), 0);
  auto lay_out = [&](std::size_t head, const std::vector<Point>& points) {
    const std::size_t tail = head + points.size() + 1;
    for (std::size_t n = head; n <= tail; ++n) {
      next_[n] = n < tail ? n + 1 : n;
      prev_[n] = n > head ? n - 1 : n;
    }
    for (std::size_t k = 0; k < points.size(); ++k) {
      const std::size_t node = head + 1 + k;
      pos_[node] = points[k].pos;
      op_of_[node] = points[k].op;
      is_call_[node] = points[k].call;
      (points[k].call ? call_node_ : return_node_)[points[k].op] = node;
    }
  };
  lay_out(0, definite);
  lay_out(unk_head_, unknown);  // already in invocation order
}

void LinearizationSearch::build_twins() {
  for (std::uint32_t i = 0; i < ops_.size(); ++i) {
    appends_ = appends_ || steps_[i].f == OpKind::append;
    if (!definite_[i] && steps_[i].f == OpKind::cas)
      unknown_cas_expected_.push_back(steps_[i].expected);
  }
  std::sort(unknown_cas_expected_.begin(), unknown_cas_expected_.end());
  twin_prev_.assign(ops_.size(), kNone);
  std::map<std::tuple<int, std::uint32_t, std::uint32_t>, std::uint32_t> last;
  for (std::uint32_t i = 0; i < ops_.size(); ++i) {
    if (definite_[i]) continue;
    const auto& s = steps_[i];
    auto [it, inserted] = last.try_emplace({static_cast<int>(s.f), s.value, s.expected}, i);
    if (!inserted) {
      twin_prev_[i] = it->second;
      it->second = i;
    }
  }
}

bool LinearizationSearch::linearized(std::uint32_t op) const {
  return definite_[op] ? test_bit(lin_definite_, op) : test_bit(lin_unknown_, rank_[op]);
}

// Marks `op` linearized; returns the frontier before, for unmark.
std::size_t LinearizationSearch::mark(std::uint32_t op) {
  const std::size_t before = frontier_;
  if (!definite_[op]) {
    if (!unlimited_) set_bit(lin_unknown_, rank_[op]);
    return before;
  }
  set_bit(lin_definite_, op);
  ++definite_done_;
  while (frontier_ < definite_ops_.size() && test_bit(lin_definite_, definite_ops_[frontier_]))
    ++frontier_;
  return before;
}

void LinearizationSearch::unmark(std::uint32_t op, std::size_t frontier_before) {
  if (!definite_[op]) {
    if (!unlimited_) clear_bit(lin_unknown_, rank_[op]);
    return;
  }
  clear_bit(lin_definite_, op);
  --definite_done_;
  frontier_ = frontier_before;
}

// The linearized completed ops are "all before the frontier" plus the few after it, which keeps
// keys small on long, mostly sequential histories.
ConfigKey LinearizationSearch::config_key(StateId state) {
  above_.clear();
  if (frontier_ < definite_ops_.size())
    collect_bits(lin_definite_, definite_ops_[frontier_] + 1, horizon_[frontier_], above_);
  return ConfigKey{state, static_cast<std::uint32_t>(frontier_), above_};
}

void LinearizationSearch::lift(std::uint32_t op) {
  if (unlimited_ && !definite_[op]) return;  // stays available
  for (std::size_t node : {call_node_[op], return_node_[op]}) {
    if (node == 0) continue;
    next_[prev_[node]] = next_[node];
    prev_[next_[node]] = prev_[node];
  }
}

void LinearizationSearch::unlift(std::uint32_t op) {
  if (unlimited_ && !definite_[op]) return;
  for (std::size_t node : {return_node_[op], call_node_[op]}) {
    if (node == 0) continue;
    next_[prev_[node]] = node;
    prev_[next_[node]] = node;
  }
}

bool LinearizationSearch::at_completion(std::size_t node) const {
  return node == def_tail_ || !is_call_[node];
}

bool LinearizationSearch::skip_unknown(std::uint32_t op) const {
  if (twin_prev_[op] != kNone && (unlimited_ || !linearized(twin_prev_[op]))) return true;
  // Every completed op before the frontier is linearized, observers included.
  const std::uint32_t observer = last_observer_[op];
  if (observer != Observability::kAlways && frontier_ < definite_ops_.size() &&
      observer < definite_ops_[frontier_])
    return true;
  const StateSpace::Step& step = steps_[op];
  if (step.f == OpKind::write && !stack_.empty() && !definite_[stack_.back().op]) return true;
  if (appends_ || (step.f != OpKind::write && step.f != OpKind::cas)) return false;
  const bool needed =
      std::find(needed_.begin(), needed_.end(), step.value) != needed_.end() ||
      std::binary_search(unknown_cas_expected_.begin(), unknown_cas_expected_.end(), step.value);
  return !needed;
}

// The values the completed candidates (invoked before `limit_node`) read or expect.
void LinearizationSearch::collect_needed(std::size_t limit_node) {
  needed_.clear();
  for (std::size_t n = next_[0]; n != limit_node; n = next_[n]) {
    const StateSpace::Step& step = steps_[op_of_[n]];
    if (step.f == OpKind::read) needed_.push_back(step.value);
    if (step.f == OpKind::cas) needed_.push_back(step.expected);
  }
}

Verdict LinearizationSearch::run() {
  StateId state = space_.initial();
  std::size_t node = next_[0];
  bool unknown_phase = false;  // completed candidates first, then unknown-outcome ones
  std::size_t limit_node = def_tail_;
  for (;;) {
    if (definite_done_ == definite_ops_.size()) return Verdict::linearizable;
    if (++steps_taken_ > limits_.steps_max || cache_.size() > limits_.cache_entries_max)
      return Verdict::unknown;
    std::optional<std::uint32_t> candidate;
    if (!unknown_phase) {
      if (at_completion(node)) {
        limit_node = node;
        unknown_phase = true;
        collect_needed(limit_node);
        node = next_[unk_head_];
        continue;
      }
      candidate = op_of_[node];
    } else if (node != unk_tail_ && pos_[node] < pos_[limit_node]) {
      if (!skip_unknown(op_of_[node])) candidate = op_of_[node];
    } else {
      note_dead_end(state, limit_node);
      if (stack_.empty()) return Verdict::not_linearizable;
      const Frame frame = stack_.back();
      stack_.pop_back();
      unlift(frame.op);
      unmark(frame.op, frame.frontier_before);
      state = frame.state_before;
      node = next_[call_node_[frame.op]];
      unknown_phase = !definite_[frame.op];
      limit_node = frame.limit_node;
      if (unknown_phase) collect_needed(limit_node);
      continue;
    }
    if (candidate) {
      if (auto after = space_.apply(state, steps_[*candidate])) {
        const std::size_t frontier_before = mark(*candidate);
        if (cache_.insert(config_key(*after), lin_unknown_)) {
          stack_.push_back({*candidate, state, frontier_before, limit_node});
          lift(*candidate);
          state = *after;
          node = next_[0];
          unknown_phase = false;
          continue;
        }
        unmark(*candidate, frontier_before);
      }
    }
    node = next_[node];
  }
}

void LinearizationSearch::note_dead_end(StateId state, std::size_t limit_node) {
  if (dead_end_ && definite_done_ <= dead_end_->linearized) return;
  DeadEnd d;
  d.linearized = definite_done_;
  const std::size_t shown = std::min(limits_.report_tail_ops, stack_.size());
  for (std::size_t k = stack_.size() - shown; k < stack_.size(); ++k) {
    d.tail_ops.push_back(stack_[k].op);
    d.tail_states.push_back(k + 1 < stack_.size() ? stack_[k + 1].state_before : state);
  }
  d.state = state;
  if (limit_node != def_tail_) d.blocked = op_of_[limit_node];
  const std::size_t max = limits_.report_pending_ops;
  for (std::size_t n = next_[0]; !at_completion(n) && d.pending.size() < max; n = next_[n])
    d.pending.push_back(op_of_[n]);
  // Old unknown operations are rarely the point: keep the latest few.
  for (std::size_t n = next_[unk_head_]; n != unk_tail_ && pos_[n] < pos_[limit_node];
       n = next_[n]) {
    if (skip_unknown(op_of_[n])) continue;
    d.pending_unknown.push_back(op_of_[n]);
    if (d.pending_unknown.size() > limits_.report_unknown_ops) {
      d.pending_unknown.erase(d.pending_unknown.begin());
      ++d.more_unknown;
    }
  }
  dead_end_ = std::move(d);
}

}  // namespace craton::linearizability
