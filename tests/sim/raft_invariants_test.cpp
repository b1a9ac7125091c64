// RaftInvariants (sim/store/raft_invariants.hpp) on crafted RaftEvent sequences: a legal history
// (with a crash-restart and a new leader overwriting an uncommitted tail) passes, and each
// invariant is caught when a sequence breaks it. Also the RaftEvent text form.
#define BOOST_TEST_MODULE raft_invariants
#include <boost/test/unit_test.hpp>

#include "sim/store/raft_invariants.hpp"

namespace sim = craton::sim;
namespace store = craton::store;
using store::EntryDigest;
using store::RaftEvent;
using store::RaftEventKind;

namespace {

RaftEvent ev(RaftEventKind kind, std::uint64_t index, std::uint64_t term = 0,
             std::vector<EntryDigest> entries = {}) {
  RaftEvent e;
  e.kind = kind;
  e.index = index;
  e.term = term;
  e.entries = std::move(entries);
  return e;
}

RaftEvent opened(std::uint64_t last, std::uint64_t last_term, std::uint64_t commit) {
  auto e = ev(RaftEventKind::opened, last, last_term);
  e.commit = commit;
  e.applied = commit;
  return e;
}
RaftEvent leader(std::uint64_t term) {
  return ev(RaftEventKind::leader, 0, term);
}
RaftEvent persisted(std::uint64_t first, std::vector<EntryDigest> entries) {
  return ev(RaftEventKind::persisted, first, 0, std::move(entries));
}
RaftEvent committed(std::uint64_t index, std::uint64_t term) {
  return ev(RaftEventKind::committed, index, term);
}
RaftEvent applied(std::uint64_t first, std::vector<EntryDigest> entries) {
  return ev(RaftEventKind::applied, first, 0, std::move(entries));
}

// Entries are (term, data hash); "conf" entries of the bootstrap have term 1.
const EntryDigest c1{1, 0xc1}, c2{1, 0xc2}, c3{1, 0xc3};
const std::vector<EntryDigest> boot = {c1, c2, c3};

struct Run {
  sim::RaftInvariants inv;
  sim::CheckResult result;
  void operator()(const std::string& node, const RaftEvent& e) { inv.on_event(node, e, result); }
  // Every node opens empty, persists, commits and applies the bootstrap configuration.
  void bootstrap(std::initializer_list<const char*> nodes) {
    for (const char* n : nodes) {
      (*this)(n, opened(0, 0, 0));
      (*this)(n, persisted(1, boot));
      (*this)(n, committed(3, 1));
      (*this)(n, applied(1, boot));
    }
  }
  bool mentions(const std::string& what) const {
    for (const auto& f : result.failures)
      if (f.find(what) != std::string::npos) return true;
    return false;
  }
  std::string why() const {
    std::string s;
    for (const auto& f : result.failures) s += "\n  " + f;
    return s;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_legal_history_passes) {
  Run run;
  run.bootstrap({"n1", "n2", "n3"});
  EntryDigest a{2, 0xa}, b{2, 0xb}, x{3, 0x1};
  run("n1", leader(2));
  run("n1", persisted(4, {a, b}));
  run("n2", persisted(4, {a}));
  run("n3", persisted(4, {a, b}));
  run("n1", committed(4, 2));  // a on n1 and n2: a majority; b on n1 and n3 is not committed
  run("n1", applied(4, {a}));
  run("n2", committed(4, 2));
  run("n2", applied(4, {a}));
  // n2 wins term 3 without b (legal: b was never committed) and overwrites n3's tail.
  run("n2", leader(3));
  run("n2", persisted(5, {x}));
  run("n3", persisted(5, {x}));
  run("n3", committed(5, 3));
  run("n3", applied(4, {a, x}));
  // n1 crashes before hearing of it, restarts from what it persisted, and catches up.
  run("n1", opened(5, 2, 4));
  run("n1", persisted(5, {x}));
  run("n1", committed(5, 3));
  run("n1", applied(5, {x}));
  BOOST_TEST(run.result.ok, run.why());
  BOOST_TEST(run.inv.counts().elections == 2u);
  BOOST_TEST(run.inv.counts().restarts == 1u);
  BOOST_TEST(run.inv.counts().entries_committed == 3u * 3 + 1 + 1 + 2 + 1);
  BOOST_TEST(run.inv.counts().checks > 20u);
}

BOOST_AUTO_TEST_CASE(two_leaders_in_one_term_break_election_safety) {
  Run run;
  run.bootstrap({"n1", "n2", "n3"});
  run("n1", leader(2));
  run("n2", leader(2));
  BOOST_TEST(run.mentions("election safety: term 2 has two leaders, n1 and n2"), run.why());
}

BOOST_AUTO_TEST_CASE(one_index_and_term_with_two_data_breaks_log_matching) {
  Run run;
  run.bootstrap({"n1", "n2"});
  run("n1", persisted(4, {{2, 0xa}}));
  run("n2", persisted(4, {{2, 0xb}}));
  BOOST_TEST(run.mentions("log matching: index 4 term 2 holds data"), run.why());
}

BOOST_AUTO_TEST_CASE(a_shared_entry_after_different_prefixes_breaks_log_matching) {
  // (4, term 2) and (4, term 3) may coexist, but then (5, term 4) cannot follow both.
  Run run;
  run.bootstrap({"n1", "n2"});
  run("n1", persisted(4, {{2, 0xa}, {4, 0xd}}));
  run("n2", persisted(4, {{3, 0xb}, {4, 0xd}}));
  BOOST_TEST(run.mentions("but their logs differ before it"), run.why());
}

BOOST_AUTO_TEST_CASE(decreasing_terms_and_holes_break_log_matching) {
  Run run;
  run.bootstrap({"n1"});
  run("n1", persisted(4, {{3, 0xa}, {2, 0xb}}));
  BOOST_TEST(run.mentions("log has term 2 at index 5 after term 3"), run.why());
  run("n1", persisted(9, {{3, 0xc}}));
  BOOST_TEST(run.mentions("(a hole)"), run.why());
}

BOOST_AUTO_TEST_CASE(a_leader_without_a_committed_entry_breaks_leader_completeness) {
  Run run;
  run.bootstrap({"n1", "n2", "n3"});
  run("n1", leader(2));
  run("n1", persisted(4, {{2, 0xa}}));
  run("n3", persisted(4, {{2, 0xa}}));
  run("n1", committed(4, 2));
  run("n2", leader(3));  // n2 never had index 4
  BOOST_TEST(run.mentions("leader completeness: n2 became leader of term 3 holding nothing at "
                          "index 4"),
             run.why());
}

BOOST_AUTO_TEST_CASE(a_commit_learned_after_a_later_leader_is_checked_against_it) {
  Run run;
  run.bootstrap({"n1", "n2", "n3"});
  run("n1", persisted(4, {{2, 0xa}}));
  run("n2", leader(3));        // elected with a log ending at 3
  run("n1", committed(4, 2));  // ... but 4 was committed in term 2
  BOOST_TEST(run.mentions("leader completeness: n2 was elected leader of term 3 with term 0 at "
                          "index 4"),
             run.why());
}

BOOST_AUTO_TEST_CASE(different_entries_applied_at_one_index_break_state_machine_safety) {
  Run run;
  run.bootstrap({"n1", "n2"});
  run("n1", persisted(4, {{2, 0xa}}));
  run("n1", committed(4, 2));
  run("n1", applied(4, {{2, 0xa}}));
  run("n2", persisted(4, {{3, 0xb}}));
  run("n2", committed(4, 3));
  run("n2", applied(4, {{3, 0xb}}));
  BOOST_TEST(run.mentions("state machine safety: index 4 committed as (term 2"), run.why());
  BOOST_TEST(run.mentions("state machine safety: index 4 applied as (term 2"), run.why());
}

BOOST_AUTO_TEST_CASE(applying_uncommitted_or_foreign_entries_is_caught) {
  Run run;
  run.bootstrap({"n1"});
  run("n1", persisted(4, {{2, 0xa}, {2, 0xb}}));
  run("n1", committed(4, 2));
  run("n1", applied(4, {{2, 0xf}}));
  BOOST_TEST(run.mentions("but its log holds (term 2, data 000000000000000a)"), run.why());
  run("n1", applied(5, {{2, 0xb}}));
  BOOST_TEST(run.mentions("applied index 5 before committing it"), run.why());
  run("n1", applied(7, {{2, 0xb}}));
  BOOST_TEST(run.mentions("(skipped entries)"), run.why());
}

BOOST_AUTO_TEST_CASE(overwriting_a_committed_entry_is_caught) {
  Run run;
  run.bootstrap({"n1"});
  run("n1", persisted(4, {{2, 0xa}, {2, 0xb}}));
  run("n1", committed(5, 2));
  run("n1", persisted(5, {{3, 0xc}}));
  BOOST_TEST(run.mentions("replaced its committed entry (term 2, data 000000000000000b) at "
                          "index 5"),
             run.why());
  Run truncated;
  truncated.bootstrap({"n1"});
  truncated("n1", persisted(4, {{2, 0xa}, {2, 0xb}}));
  truncated("n1", committed(5, 2));
  truncated("n1", persisted(4, {{2, 0xa}}));  // drops the committed index 5
  BOOST_TEST(truncated.mentions("at index 5 with nothing"), truncated.why());
}

BOOST_AUTO_TEST_CASE(a_restart_must_find_the_persisted_log) {
  Run run;
  run.bootstrap({"n1"});
  run("n1", persisted(4, {{2, 0xa}, {2, 0xb}}));
  run("n1", committed(4, 2));
  run("n1", opened(5, 2, 4));  // exactly what it persisted: fine
  BOOST_TEST(run.result.ok, run.why());
  run("n1", opened(4, 2, 4));  // lost index 5
  BOOST_TEST(run.mentions("crash-restart: n1 reopened with its log ending at index 4 term 2, but "
                          "it persisted up to index 5 term 2"),
             run.why());
  // A commit index saved alone is deferred (raft_log_store.cpp): a crash may take it back.
  Run lower;
  lower.bootstrap({"n1"});
  lower("n1", persisted(4, {{2, 0xa}, {2, 0xb}}));
  lower("n1", committed(4, 2));
  lower("n1", opened(5, 2, 3));
  BOOST_TEST(lower.result.ok, lower.why());
  // Never forward: a commit index it never persisted.
  lower("n1", opened(5, 2, 4));
  BOOST_TEST(lower.mentions("reopened with commit index 4"), lower.why());
}

BOOST_AUTO_TEST_CASE(a_snapshot_must_stand_for_committed_entries) {
  Run run;
  run.bootstrap({"n1", "n2"});
  run("n1", persisted(4, {{2, 0xa}, {2, 0xb}}));
  run("n1", committed(5, 2));
  run("n2", ev(RaftEventKind::snapshot, 5, 2));  // legal: replaces n2's log
  run("n2", persisted(6, {{2, 0xc}}));
  run("n1", persisted(6, {{2, 0xc}}));
  BOOST_TEST(run.result.ok, run.why());
  run("n2", ev(RaftEventKind::snapshot, 4, 3));
  BOOST_TEST(run.mentions("installed a snapshot at index 4 term 3, but n1 committed"), run.why());
}

BOOST_AUTO_TEST_CASE(raft_events_round_trip_as_text) {
  std::vector<RaftEvent> events = {opened(7, 3, 5),
                                   leader(4),
                                   persisted(8, {{4, 0xab}, {4, 1}}),
                                   committed(9, 4),
                                   applied(8, {{4, 0xab}}),
                                   ev(RaftEventKind::snapshot, 6, 2)};
  events[0].snapshot_index = 2;
  for (const auto& e : events) {
    auto text = store::format_raft_event(e);
    auto back = store::parse_raft_event(text);
    BOOST_REQUIRE_MESSAGE(back, text);
    BOOST_TEST((*back == e), text);
  }
  BOOST_TEST(store::format_raft_event(persisted(8, {{4, 0xab}})) ==
             "raft persisted 8 4:00000000000000ab");
  for (const char* bad :
       {"raft", "raft elected 3", "raft leader", "raft leader x", "raft leader 3 4",
        "raft persisted 8", "raft persisted 0 1:0000000000000001", "raft applied 3 1:00ab",
        "raft committed 3", "op a ok read"})
    BOOST_TEST(!store::parse_raft_event(bad), bad);
}
