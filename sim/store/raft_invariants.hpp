// RaftInvariants: Raft's safety properties (Raft paper, Figure 3), checked on every RaftEvent
// the store replicas report (actors/store/raft/raft_event.hpp). Pure: events in, violations out.
//
// The checker models each replica's DURABLE log from its "persisted" and "snapshot" events, so
// the model survives crashes: a restarted replica's "opened" event must show exactly the log
// it persisted. Entries are compared by (index, term, digest of type and data). Per event:
//
//   election safety      at most one leader per term;
//   log matching         one (index, term) holds one entry, and logs holding it hold the same
//                        entries before it (checked incrementally: each entry carries a hash
//                        chained over its log's prefix); terms never decrease along a log;
//                        a log has no holes;
//   leader completeness  an entry committed by a replica whose term was T is in the log of
//                        every leader of a term above T (checked when the leader is elected
//                        against known commits, and when a commit is learned against known
//                        later leaders);
//   state machine safety no two replicas apply (or commit) different entries at one index; a
//                        replica applies only committed entries of its own log, without gaps,
//                        and never overwrites or truncates an entry it has committed.
//
// Truncating uncommitted entries (a new leader overwriting a follower's tail) is legal and not
// reported. Indexes covered by a snapshot are trusted (their prefix hash is unknown unless an
// entry at the snapshot point was seen). Violations are one line each, naming the replicas.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "actors/store/raft/raft_event.hpp"
#include "sim/world/run_history.hpp"

namespace craton::sim {

/// What the checker has seen and checked; reported with each run.
struct RaftInvariantCounts {
  std::uint64_t events = 0;
  std::uint64_t elections = 0;  ///< leader events
  std::uint64_t restarts = 0;   ///< opened events after the first
  std::uint64_t entries_persisted = 0;
  std::uint64_t entries_committed = 0;  ///< (replica, index) pairs newly committed
  std::uint64_t entries_applied = 0;
  std::uint64_t checks = 0;  ///< individual invariant comparisons made
};

class RaftInvariants {
 public:
  /// Checks one event of replica `node`; each violation becomes a line in `result`.
  void on_event(const std::string& node, const store::RaftEvent& event, CheckResult& result);
  const RaftInvariantCounts& counts() const { return counts_; }

 private:
  struct Slot {
    store::EntryDigest entry;
    std::uint64_t chain = 0;  ///< hash over the log up to and including this entry
  };
  // A replica's durable log: entries base+1 .. base+slots.size(); base is its snapshot.
  struct NodeLog {
    bool opened = false;
    std::uint64_t base = 0, base_term = 0, base_chain = 0;
    bool anchored = true;  ///< chain hashes comparable (false after an unknown snapshot)
    std::vector<Slot> slots;
    std::uint64_t commit = 0, applied = 0;
    std::uint64_t last() const { return base + slots.size(); }
    std::uint64_t term_at(std::uint64_t index) const;
    const Slot* at(std::uint64_t index) const;
  };
  struct Known {  // the first holder of an (index, term)
    store::EntryDigest entry;
    std::uint64_t chain = 0;
    bool anchored = true;
    std::string node;
  };
  struct Committed {
    store::EntryDigest entry;
    std::uint64_t observer_term = 0;  ///< lowest term in which a replica learned the commit
    std::string node;
  };
  struct LeaderLog {  // a leader's log when elected, as runs of equal terms
    std::string node;
    std::uint64_t base = 0, last = 0;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> runs;  ///< (first index, term)
    std::uint64_t term_at(std::uint64_t index) const;
  };

  void opened(const std::string& node, NodeLog& log, const store::RaftEvent& e, CheckResult& r);
  void leader(const std::string& node, NodeLog& log, std::uint64_t term, CheckResult& r);
  void persisted(const std::string& node, NodeLog& log, const store::RaftEvent& e, CheckResult& r);
  void append(const std::string& node, NodeLog& log, const store::EntryDigest& d, CheckResult& r);
  void committed(const std::string& node, NodeLog& log, const store::RaftEvent& e, CheckResult& r);
  void commit_entry(const std::string& node, std::uint64_t index, const store::EntryDigest& d,
                    std::uint64_t observer_term, CheckResult& r);
  void complete_in_leaders(const Committed& c, std::uint64_t index, std::uint64_t above_term,
                           std::uint64_t up_to_term, CheckResult& r);
  void applied(const std::string& node, NodeLog& log, const store::RaftEvent& e, CheckResult& r);
  void snapshot(const std::string& node, NodeLog& log, const store::RaftEvent& e, CheckResult& r);

  std::map<std::string, NodeLog> logs_;
  std::map<std::pair<std::uint64_t, std::uint64_t>, Known> entries_;  ///< by (index, term)
  std::map<std::uint64_t, std::string> leader_of_term_;
  std::map<std::uint64_t, LeaderLog> leaders_;                                   ///< by term
  std::map<std::uint64_t, Committed> committed_;                                 ///< by index
  std::map<std::uint64_t, std::pair<store::EntryDigest, std::string>> applied_;  ///< by index
  RaftInvariantCounts counts_;
};

}  // namespace craton::sim
