#include "tests/store/raft/raft_cluster.hpp"

#include <algorithm>
#include <sstream>

namespace craton::raft::test {

namespace {
[[noreturn]] void violation(const std::string& what) {
  throw std::runtime_error("raft safety violation: " + what);
}
}  // namespace

std::string StateMachine::encode() const {
  std::string out;
  for (const auto& v : values) out += std::to_string(v.size()) + ":" + v;
  return out;
}

StateMachine StateMachine::decode(std::uint64_t index, const std::string& data) {
  StateMachine sm;
  sm.applied = index;
  std::size_t pos = 0;
  while (pos < data.size()) {
    std::size_t colon = data.find(':', pos);
    std::size_t len = std::stoul(data.substr(pos, colon - pos));
    sm.values.push_back(data.substr(colon + 1, len));
    pos = colon + 1 + len;
  }
  return sm;
}

// ---- RaftChecker ----

void RaftChecker::on_role(const Raft& r) {
  if (r.role() != Role::leader) return;
  auto [it, fresh] = leader_of_term_.emplace(r.term(), r.id());
  if (!fresh && it->second != r.id()) {
    violation("two leaders in term " + std::to_string(r.term()) + ": " +
              std::to_string(it->second) + " and " + std::to_string(r.id()));
  }
  if (!completeness_checked_.insert({r.id(), r.term()}).second) return;
  // Leader completeness: every entry seen committed in an earlier term is in this log.
  for (const auto& [index, c] : committed_) {
    if (c.seen_term >= r.term() || index <= r.log().snapshot_index()) continue;
    if (r.log().term(index) != c.entry.term) {
      violation("leader " + std::to_string(r.id()) + " of term " + std::to_string(r.term()) +
                " lacks committed entry " + std::to_string(index));
    }
  }
}

void RaftChecker::on_persist(const Raft& r, const std::vector<Entry>& entries) {
  // Log matching: (index, term) identifies an entry and, through its predecessor's term,
  // the whole prefix.
  for (const auto& e : entries) {
    Known k{e.term, e.type, e.data};
    auto [it, fresh] = entries_.emplace(std::pair{e.index, e.term}, k);
    if (!fresh && (it->second.data != e.data || it->second.type != e.type)) {
      violation("two different entries at index " + std::to_string(e.index) + " term " +
                std::to_string(e.term));
    }
    auto prev = r.log().term(e.index - 1);
    if (!prev) continue;
    auto [pit, pfresh] = prev_.emplace(std::pair{e.index, e.term}, *prev);
    if (!pfresh && pit->second != *prev) {
      violation("log matching: entry " + std::to_string(e.index) + "/" + std::to_string(e.term) +
                " follows different terms");
    }
  }
}

void RaftChecker::on_commit_seen(const Raft& r) {
  auto& seen = commit_seen_[r.id()];
  const auto& log = r.log();
  for (auto i = std::max(seen + 1, log.first_index()); i <= log.committed(); ++i) {
    const Entry& e = log.at(i);
    auto [it, fresh] = committed_.emplace(i, Committed{{e.term, e.type, e.data}, r.term()});
    if (!fresh && (it->second.entry.term != e.term || it->second.entry.data != e.data)) {
      violation("node " + std::to_string(r.id()) + " committed a different entry at " +
                std::to_string(i));
    }
    if (!fresh) it->second.seen_term = std::min(it->second.seen_term, r.term());
  }
  seen = std::max(seen, log.committed());
}

void RaftChecker::on_apply(NodeId node, const Entry& e) {
  auto [it, fresh] = applied_.emplace(e.index, Known{e.term, e.type, e.data});
  if (!fresh && (it->second.term != e.term || it->second.data != e.data)) {
    violation("state machine safety: node " + std::to_string(node) +
              " applied a different entry at " + std::to_string(e.index));
  }
}

void RaftChecker::on_snapshot_apply(NodeId node, const SnapshotMeta& meta) {
  auto it = applied_.find(meta.index);
  if (it != applied_.end() && it->second.term != meta.term) {
    violation("node " + std::to_string(node) + " installed a snapshot that disagrees at " +
              std::to_string(meta.index));
  }
}

// ---- RaftCluster ----

RaftCluster::RaftCluster(std::vector<NodeId> voters, std::uint64_t seed, Tweak tweak,
                         std::map<NodeId, PersistentState> disks)
    : initial_voters_(std::move(voters)), seed_(seed), tweak_(std::move(tweak)) {
  for (NodeId id : initial_voters_) {
    disks_[id] = disks.count(id) ? disks.at(id) : PersistentState{};
    restart(id);
  }
}

std::vector<NodeId> RaftCluster::ids() const {
  std::vector<NodeId> out;
  for (const auto& [id, n] : nodes_) out.push_back(id);
  return out;
}

RaftConfig RaftCluster::config_for(NodeId id) const {
  RaftConfig cfg;
  cfg.id = id;
  if (!fresh_.count(id)) cfg.voters = initial_voters_;
  cfg.seed = seed_;
  if (tweak_) tweak_(cfg);
  return cfg;
}

void RaftCluster::add_fresh_node(NodeId id) {
  fresh_.insert(id);
  disks_[id] = {};
  restart(id);
}

void RaftCluster::crash(NodeId id) {
  nodes_[id].reset();
  checker_.forget_commit_cursor(id);
}

void RaftCluster::restart(NodeId id) {
  const PersistentState& d = disks_.at(id);
  auto cfg = config_for(id);
  cfg.applied = d.snapshot.meta.index;  // the toy state machine restarts from the snapshot
  auto r = Raft::open(cfg, d);
  if (!r) throw std::runtime_error("restart failed: " + r.error().message);
  nodes_[id].emplace(std::move(r.value()));
  machines_[id] = StateMachine::decode(d.snapshot.meta.index, d.snapshot.data);
  process(id);
}

void RaftCluster::persist(NodeId id, const Ready& rd) {
  PersistentState& d = disks_.at(id);
  if (rd.snapshot) {
    d.snapshot = *rd.snapshot;
    d.entries.clear();
  }
  if (!rd.entries.empty()) {
    std::uint64_t first = rd.entries.front().index;
    if (first <= d.snapshot.meta.index) throw std::runtime_error("persisting compacted entries");
    d.entries.resize(std::min<std::size_t>(d.entries.size(), first - d.snapshot.meta.index - 1));
    if (d.snapshot.meta.index + d.entries.size() + 1 != first) {
      throw std::runtime_error("Ready entries leave a gap in the stored log");
    }
    d.entries.insert(d.entries.end(), rd.entries.begin(), rd.entries.end());
  }
  if (rd.hard_state) d.hard_state = *rd.hard_state;
}

void RaftCluster::apply(NodeId id, const Ready& rd) {
  StateMachine& sm = machines_.at(id);
  if (rd.snapshot) {
    checker_.on_snapshot_apply(id, rd.snapshot->meta);
    sm = StateMachine::decode(rd.snapshot->meta.index, rd.snapshot->data);
  }
  for (const auto& e : rd.committed_entries) {
    if (e.index != sm.applied + 1) {
      throw std::runtime_error("node " + std::to_string(id) + " applies " +
                               std::to_string(e.index) + " after " + std::to_string(sm.applied));
    }
    checker_.on_apply(id, e);
    sm.applied = e.index;
    if (e.type == EntryType::normal && !e.data.empty()) sm.values.push_back(e.data);
  }
  auto& rs = reads_[id];
  rs.insert(rs.end(), rd.read_states.begin(), rd.read_states.end());
}

void RaftCluster::process(NodeId id) {
  Raft& r = node(id);
  for (int guard = 0; r.has_ready(); ++guard) {
    if (guard > 10000) throw std::runtime_error("Ready loop does not settle");
    Ready rd = r.ready();
    checker_.on_persist(r, rd.entries);
    persist(id, rd);
    for (auto& m : rd.messages) network_.push_back(std::move(m));
    apply(id, rd);
    r.advance();
    checker_.on_role(r);
    checker_.on_commit_seen(r);
  }
}

void RaftCluster::tick(NodeId id, int times) {
  for (int i = 0; i < times && up(id); ++i) {
    node(id).tick();
    process(id);
  }
}

void RaftCluster::report_snapshot_outcome(const Message& m, bool delivered) {
  if (report_snapshots && m.type == MessageType::snap && up(m.from)) {
    node(m.from).report_snapshot(m.to, delivered);
    process(m.from);
  }
}

void RaftCluster::deliver(Message m) {
  bool dropped = !up(m.to) || !linked(m.from, m.to) || (drop_if && drop_if(m));
  if (dropped) {
    report_snapshot_outcome(m, snapshots_always_reported_delivered);
    return;
  }
  Message copy_for_report;
  bool is_snap = m.type == MessageType::snap;
  copy_for_report.type = m.type;
  copy_for_report.from = m.from;
  copy_for_report.to = m.to;
  NodeId to = m.to;
  auto st = node(to).step(std::move(m));
  if (!st) throw std::runtime_error("step refused a message: " + st.error().message);
  process(to);
  if (is_snap) report_snapshot_outcome(copy_for_report, true);
}

void RaftCluster::deliver_all(std::size_t max_messages) {
  for (std::size_t n = 0; !network_.empty(); ++n) {
    if (n >= max_messages) throw std::runtime_error("network does not quiesce");
    Message m = std::move(network_.front());
    network_.pop_front();
    deliver(std::move(m));
  }
}

void RaftCluster::campaign(NodeId id) {
  for (int i = 0; i < 100 && node(id).role() == Role::follower; ++i) tick(id);
  deliver_all();
}

std::optional<NodeId> RaftCluster::leader() const {
  std::optional<NodeId> best;
  std::uint64_t best_term = 0;
  for (const auto& [id, n] : nodes_) {
    if (n && n->role() == Role::leader && n->term() >= best_term) {
      best = id;
      best_term = n->term();
    }
  }
  return best;
}

void RaftCluster::cut(NodeId a, NodeId b) {
  cut_.insert({a, b});
  cut_.insert({b, a});
}

void RaftCluster::isolate(NodeId id) {
  for (const auto& [other, n] : nodes_) {
    if (other != id) cut(id, other);
  }
}

void RaftCluster::snapshot(NodeId id) {
  Raft& r = node(id);
  const StateMachine& sm = machines_.at(id);
  if (sm.applied <= r.log().snapshot_index()) return;
  auto st = r.create_snapshot(sm.applied, sm.encode());
  if (!st) throw std::runtime_error("snapshot refused: " + st.error().message);
  PersistentState& d = disks_.at(id);
  std::uint64_t drop = sm.applied - d.snapshot.meta.index;
  d.entries.erase(d.entries.begin(),
                  d.entries.begin() +
                      static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(drop, d.entries.size())));
  d.snapshot = r.snapshot();
  process(id);
}

}  // namespace craton::raft::test
