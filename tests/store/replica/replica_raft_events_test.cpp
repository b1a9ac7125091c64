// The replica's RaftEvents (ReplicaConfig::record_raft_events, actors/store/raft/raft_event.hpp):
// a single-replica cluster on real LMDB reports what it opened, persisted, committed and
// applied, and when it led; the digests are those of the entries in its log; a reopen reports
// the log it persisted; and with recording off it reports nothing.
#define BOOST_TEST_MODULE store_replica_raft_events
#include <boost/test/unit_test.hpp>

#include "actors/store/replica/replica.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace craton;
using namespace craton::store;

namespace {

ReplicaConfig config(const storage::test::TempDir& dir, bool record) {
  ReplicaConfig c;
  c.id = 1;
  c.voters = {1};
  c.data_dir = dir.sub("replica");
  c.seed = 7;
  c.no_sync = true;
  c.map_size_bytes = 64 << 20;
  c.record_raft_events = record;
  return c;
}

std::unique_ptr<Replica> open(const ReplicaConfig& c) {
  auto r = Replica::open(c);
  BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  return std::move(*r);
}

// Ticks and flushes until the replica leads, then puts one key and flushes.
void lead_and_put(Replica& r) {
  for (int i = 0; i < 100 && r.raft().role() != raft::Role::leader; ++i) {
    r.tick();
    r.flush();
  }
  BOOST_REQUIRE(r.raft().role() == raft::Role::leader);
  r.submit(1, storage::WriteRequest{storage::PutRequest{"k", "v", 0, false}});
  r.flush();
}

std::vector<RaftEvent> of_kind(const std::vector<RaftEvent>& events, RaftEventKind kind) {
  std::vector<RaftEvent> out;
  for (const auto& e : events)
    if (e.kind == kind) out.push_back(e);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_replica_reports_what_it_persists_commits_and_applies) {
  storage::test::TempDir dir;
  auto c = config(dir, true);
  auto r = open(c);
  auto first = r->take_raft_events();
  BOOST_REQUIRE(first.size() == 1u);
  BOOST_TEST((first[0].kind == RaftEventKind::opened));
  BOOST_TEST(first[0].index == 0u);  // a fresh directory: nothing persisted yet

  lead_and_put(*r);
  auto events = r->take_raft_events();
  auto leaders = of_kind(events, RaftEventKind::leader);
  BOOST_REQUIRE(leaders.size() == 1u);
  BOOST_TEST(leaders[0].term == r->raft().term());

  // Persisted digests cover the whole log, equal to digest() of each entry in it.
  std::vector<EntryDigest> persisted;
  for (const auto& e : of_kind(events, RaftEventKind::persisted)) {
    BOOST_TEST(e.index == persisted.size() + 1);
    persisted.insert(persisted.end(), e.entries.begin(), e.entries.end());
  }
  const auto& log = r->raft().log();
  BOOST_REQUIRE(persisted.size() == log.last_index());
  for (std::uint64_t i = 1; i <= log.last_index(); ++i)
    BOOST_TEST((persisted[i - 1] == digest(log.at(i))), "index " << i);

  auto commits = of_kind(events, RaftEventKind::committed);
  BOOST_REQUIRE(!commits.empty());
  BOOST_TEST(commits.back().index == log.committed());
  std::vector<EntryDigest> applied;
  for (const auto& e : of_kind(events, RaftEventKind::applied))
    applied.insert(applied.end(), e.entries.begin(), e.entries.end());
  BOOST_TEST((applied == persisted));
  BOOST_TEST(r->take_raft_events().empty());  // taken once

  // A reopen reports exactly the log it persisted.
  auto last = log.last_index(), last_term = log.last_term(), commit = log.committed();
  r.reset();
  auto again = open(c);
  auto reopened = again->take_raft_events();
  BOOST_REQUIRE(reopened.size() == 1u);
  BOOST_TEST(reopened[0].index == last);
  BOOST_TEST(reopened[0].term == last_term);
  BOOST_TEST(reopened[0].commit == commit);
}

BOOST_AUTO_TEST_CASE(recording_off_reports_nothing) {
  storage::test::TempDir dir;
  auto r = open(config(dir, false));
  lead_and_put(*r);
  BOOST_TEST(r->take_raft_events().empty());
}
