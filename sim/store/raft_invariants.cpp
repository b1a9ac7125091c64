#include "sim/store/raft_invariants.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "runtime/stable_hash.hpp"

namespace craton::sim {
namespace {

using store::EntryDigest;
using store::RaftEvent;
using store::RaftEventKind;

std::string hex(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string str(std::uint64_t v) {
  return std::to_string(v);
}

// "(term 3, data 00ab...)"
std::string describe(const EntryDigest& d) {
  return "(term " + str(d.term) + ", data " + hex(d.hash) + ")";
}

std::uint64_t chain(std::uint64_t previous, const EntryDigest& d) {
  StableHash h;
  h.add_u64(previous);
  h.add_u64(d.term);
  h.add_u64(d.hash);
  return h.value();
}

}  // namespace

std::uint64_t RaftInvariants::NodeLog::term_at(std::uint64_t index) const {
  if (index == base) return base_term;
  const Slot* s = at(index);
  return s ? s->entry.term : 0;
}

const RaftInvariants::Slot* RaftInvariants::NodeLog::at(std::uint64_t index) const {
  if (index <= base || index > last()) return nullptr;
  return &slots[index - base - 1];
}

std::uint64_t RaftInvariants::LeaderLog::term_at(std::uint64_t index) const {
  if (index > last) return 0;
  std::uint64_t term = 0;
  for (const auto& [start, t] : runs) {
    if (start > index) break;
    term = t;
  }
  return term;
}

void RaftInvariants::on_event(const std::string& node, const RaftEvent& e, CheckResult& r) {
  ++counts_.events;
  auto& log = logs_[node];
  switch (e.kind) {
    case RaftEventKind::opened:
      return opened(node, log, e, r);
    case RaftEventKind::leader:
      return leader(node, log, e.term, r);
    case RaftEventKind::persisted:
      return persisted(node, log, e, r);
    case RaftEventKind::committed:
      return committed(node, log, e, r);
    case RaftEventKind::applied:
      return applied(node, log, e, r);
    case RaftEventKind::snapshot:
      return snapshot(node, log, e, r);
  }
}

// A restart must find exactly the log the replica persisted, and a commit index no higher
// than it persisted.
void RaftInvariants::opened(const std::string& node, NodeLog& log, const RaftEvent& e,
                            CheckResult& r) {
  bool restart = log.opened;
  log.opened = true;
  if (!restart && log.last() == 0 && e.index > 0) {
    // Data from before anyone watched: trust it, without a comparable prefix hash.
    log.base = e.index;
    log.base_term = e.term;
    log.anchored = false;
    log.commit = e.commit;
  }
  if (restart) ++counts_.restarts;
  ++counts_.checks;
  if (log.last() != e.index || log.term_at(e.index) != e.term)
    r.fail("crash-restart: " + node + " reopened with its log ending at index " + str(e.index) +
           " term " + str(e.term) + ", but it persisted up to index " + str(log.last()) + " term " +
           str(log.term_at(log.last())));
  // A commit index saved on its own is committed with deferred durability
  // (raft_log_store.cpp): a crash may take it back, and Raft relearns it. Never forward.
  if (restart && e.commit > log.commit)
    r.fail("crash-restart: " + node + " reopened with commit index " + str(e.commit) +
           ", but it persisted commit index " + str(log.commit));
  log.commit = std::max(e.commit, e.snapshot_index);
  log.applied = e.applied;  // the state machine's own durable position
}

void RaftInvariants::leader(const std::string& node, NodeLog& log, std::uint64_t term,
                            CheckResult& r) {
  ++counts_.elections;
  ++counts_.checks;
  auto [it, fresh] = leader_of_term_.emplace(term, node);
  if (!fresh && it->second != node)
    r.fail("election safety: term " + str(term) + " has two leaders, " + it->second + " and " +
           node);
  for (const auto& [index, c] : committed_) {
    if (c.observer_term >= term || index <= log.base) continue;
    ++counts_.checks;
    const Slot* s = log.at(index);
    if (s && s->entry == c.entry) continue;
    r.fail("leader completeness: " + node + " became leader of term " + str(term) + " holding " +
           (s ? describe(s->entry) : std::string("nothing")) + " at index " + str(index) +
           ", but " + c.node + " committed " + describe(c.entry) + " there in term " +
           str(c.observer_term));
    break;  // one line per leader is enough
  }
  if (!fresh) return;
  LeaderLog l{node, log.base, log.last(), {}};
  for (std::uint64_t i = log.base + 1; i <= log.last(); ++i) {
    auto t = log.term_at(i);
    if (l.runs.empty() || l.runs.back().second != t) l.runs.emplace_back(i, t);
  }
  leaders_[term] = std::move(l);
}

// Entries replace the log from e.index on (RaftLogStore::save); committed ones must survive.
void RaftInvariants::persisted(const std::string& node, NodeLog& log, const RaftEvent& e,
                               CheckResult& r) {
  counts_.entries_persisted += e.entries.size();
  auto first = e.index;
  ++counts_.checks;
  if (first > log.last() + 1)
    return r.fail("log matching: " + node + " persisted entries from index " + str(first) +
                  " but its log ends at " + str(log.last()) + " (a hole)");
  std::size_t skip = first <= log.base ? log.base - first + 1 : 0;  // under its snapshot
  if (skip >= e.entries.size()) return;
  auto from = first + skip;
  for (auto i = from; i <= std::min(log.last(), log.commit); ++i) {
    ++counts_.checks;
    const EntryDigest* replacement = i - first < e.entries.size() ? &e.entries[i - first] : nullptr;
    if (replacement && *replacement == log.at(i)->entry) continue;
    r.fail("state machine safety: " + node + " replaced its committed entry " +
           describe(log.at(i)->entry) + " at index " + str(i) + " with " +
           (replacement ? describe(*replacement) : std::string("nothing")) + " (commit index " +
           str(log.commit) + ")");
    break;
  }
  log.slots.resize(from - log.base - 1);
  for (auto k = skip; k < e.entries.size(); ++k) append(node, log, e.entries[k], r);
}

void RaftInvariants::append(const std::string& node, NodeLog& log, const EntryDigest& d,
                            CheckResult& r) {
  auto index = log.last() + 1;
  auto previous_term = log.term_at(index - 1);
  ++counts_.checks;
  if (d.term < previous_term)
    r.fail("log matching: " + node + "'s log has term " + str(d.term) + " at index " + str(index) +
           " after term " + str(previous_term));
  auto c = chain(log.slots.empty() ? log.base_chain : log.slots.back().chain, d);
  log.slots.push_back(Slot{d, c});
  auto [it, fresh] =
      entries_.emplace(std::make_pair(index, d.term), Known{d, c, log.anchored, node});
  if (fresh) return;
  ++counts_.checks;
  auto& known = it->second;
  if (known.entry.hash != d.hash)
    r.fail("log matching: index " + str(index) + " term " + str(d.term) + " holds data " +
           hex(known.entry.hash) + " on " + known.node + " but " + hex(d.hash) + " on " + node);
  else if (known.anchored && log.anchored && known.chain != c)
    r.fail("log matching: " + known.node + " and " + node + " both hold index " + str(index) +
           " term " + str(d.term) + " but their logs differ before it");
  else if (!known.anchored && log.anchored)
    known = Known{d, c, true, node};
}

void RaftInvariants::committed(const std::string& node, NodeLog& log, const RaftEvent& e,
                               CheckResult& r) {
  ++counts_.checks;
  if (e.index < log.commit)
    return r.fail("state machine safety: " + node + "'s commit index went back from " +
                  str(log.commit) + " to " + str(e.index));
  if (e.index > log.last())
    r.fail("state machine safety: " + node + " committed index " + str(e.index) +
           " beyond its durable log (last index " + str(log.last()) + ")");
  auto up_to = std::min(e.index, log.last());
  for (auto i = std::max(log.commit, log.base) + 1; i <= up_to; ++i) {
    ++counts_.entries_committed;
    commit_entry(node, i, log.at(i)->entry, e.term, r);
  }
  log.commit = e.index;
}

void RaftInvariants::commit_entry(const std::string& node, std::uint64_t index,
                                  const EntryDigest& d, std::uint64_t observer_term,
                                  CheckResult& r) {
  constexpr auto kAll = std::numeric_limits<std::uint64_t>::max();
  auto [it, fresh] = committed_.emplace(index, Committed{d, observer_term, node});
  if (fresh) return complete_in_leaders(it->second, index, observer_term, kAll, r);
  ++counts_.checks;
  auto& c = it->second;
  if (c.entry != d)
    return r.fail("state machine safety: index " + str(index) + " committed as " +
                  describe(c.entry) + " on " + c.node + " but as " + describe(d) + " on " + node);
  if (observer_term >= c.observer_term) return;
  auto earlier = c.observer_term;
  c.observer_term = observer_term;
  c.node = node;
  complete_in_leaders(c, index, observer_term, earlier, r);
}

// Leaders of terms in (above_term, up_to_term] must have held the committed entry.
void RaftInvariants::complete_in_leaders(const Committed& c, std::uint64_t index,
                                         std::uint64_t above_term, std::uint64_t up_to_term,
                                         CheckResult& r) {
  for (auto it = leaders_.upper_bound(above_term); it != leaders_.end(); ++it) {
    if (it->first > up_to_term) break;
    const auto& l = it->second;
    if (index <= l.base) continue;
    ++counts_.checks;
    auto have = l.term_at(index);
    if (have == c.entry.term) continue;
    r.fail("leader completeness: " + l.node + " was elected leader of term " + str(it->first) +
           " with term " + str(have) + " at index " + str(index) + ", but " + c.node +
           " committed " + describe(c.entry) + " there in term " + str(c.observer_term));
  }
}

void RaftInvariants::applied(const std::string& node, NodeLog& log, const RaftEvent& e,
                             CheckResult& r) {
  counts_.entries_applied += e.entries.size();
  ++counts_.checks;
  if (e.index > std::max(log.applied, log.base) + 1)
    r.fail("state machine safety: " + node + " applied index " + str(e.index) +
           " right after index " + str(std::max(log.applied, log.base)) + " (skipped entries)");
  for (std::size_t k = 0; k < e.entries.size(); ++k) {
    auto i = e.index + k;
    const auto& d = e.entries[k];
    counts_.checks += 2;
    if (i > log.commit)
      return r.fail("state machine safety: " + node + " applied index " + str(i) +
                    " before committing it (commit index " + str(log.commit) + ")");
    const Slot* s = log.at(i);
    if (i > log.base && (!s || s->entry != d))
      return r.fail("state machine safety: " + node + " applied " + describe(d) + " at index " +
                    str(i) + " but its log holds " +
                    (s ? describe(s->entry) : std::string("nothing")) + " there");
    auto [it, fresh] = applied_.emplace(i, std::make_pair(d, node));
    if (!fresh && it->second.first != d)
      return r.fail("state machine safety: index " + str(i) + " applied as " +
                    describe(it->second.first) + " on " + it->second.second + " but as " +
                    describe(d) + " on " + node);
  }
  log.applied = std::max(log.applied, e.index + e.entries.size() - 1);
}

// An installed snapshot replaces the whole log; it must stand for committed entries only.
void RaftInvariants::snapshot(const std::string& node, NodeLog& log, const RaftEvent& e,
                              CheckResult& r) {
  counts_.checks += 2;
  if (e.index < log.commit)
    r.fail("state machine safety: " + node + " installed a snapshot at index " + str(e.index) +
           " below its commit index " + str(log.commit));
  auto c = committed_.find(e.index);
  if (c != committed_.end() && c->second.entry.term != e.term)
    r.fail("state machine safety: " + node + " installed a snapshot at index " + str(e.index) +
           " term " + str(e.term) + ", but " + c->second.node + " committed " +
           describe(c->second.entry) + " there");
  auto known = entries_.find({e.index, e.term});
  log.base = e.index;
  log.base_term = e.term;
  log.slots.clear();
  log.anchored = known != entries_.end() && known->second.anchored;
  log.base_chain = log.anchored ? known->second.chain : 0;
  log.commit = std::max(log.commit, e.index);
  log.applied = std::max(log.applied, e.index);
}

}  // namespace craton::sim
