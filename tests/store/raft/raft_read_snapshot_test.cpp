// ReadIndex (linearizable reads without log writes) and snapshots: compaction,
// InstallSnapshot for followers that fell behind, restart from snapshot plus log.
#include <boost/test/unit_test.hpp>

#include <memory>

#include "tests/store/raft/raft_cluster.hpp"

using namespace craton::raft;
using namespace craton::raft::test;

namespace {
void commit_values(RaftCluster& c, NodeId leader, int n, const std::string& prefix) {
  for (int i = 0; i < n; ++i) {
    BOOST_REQUIRE(c.node(leader).propose(prefix + std::to_string(i)));
    c.process(leader);
    c.deliver_all();
  }
  c.tick(leader);
  c.deliver_all();
}

/// Ticks `leader` `rounds` times, delivering everything after each tick.
void tick_rounds(RaftCluster& c, NodeId leader, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    c.tick(leader);
    c.deliver_all();
  }
}

/// Follower 3 misses ten entries that leader 1 then compacts away, and comes back, so it can
/// only catch up through a snapshot; the first snapshot message sent is lost. Returns the
/// count of snapshot messages sent, which the cluster's drop filter keeps up to date.
std::shared_ptr<int> restart_3_behind_a_snapshot_losing_the_first(RaftCluster& c) {
  c.campaign(1);
  c.crash(3);
  commit_values(c, 1, 10, "v");
  c.snapshot(1);
  auto sent = std::make_shared<int>(0);
  c.drop_if = [sent](const Message& m) { return m.type == MessageType::snap && (*sent)++ == 0; };
  c.restart(3);
  return sent;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(raft_read_index)

BOOST_AUTO_TEST_CASE(leader_read_waits_for_a_heartbeat_quorum_and_writes_nothing) {
  RaftCluster c({1, 2, 3}, 61);
  c.campaign(1);
  commit_values(c, 1, 3, "v");
  auto last = c.node(1).log().last_index();
  BOOST_REQUIRE(c.node(1).read_index("r1"));
  c.process(1);
  BOOST_TEST(c.reads(1).empty());  // not before a majority confirmed leadership
  c.deliver_all();
  BOOST_REQUIRE(c.reads(1).size() == 1u);
  BOOST_TEST(c.reads(1)[0].context == "r1");
  BOOST_TEST(c.reads(1)[0].index == c.node(1).log().committed());
  BOOST_TEST(c.node(1).log().last_index() == last);  // no log write
}

BOOST_AUTO_TEST_CASE(reads_arriving_together_share_one_heartbeat_round) {
  RaftCluster c({1, 2, 3}, 63);
  c.campaign(1);
  for (int i = 0; i < 5; ++i) BOOST_REQUIRE(c.node(1).read_index("r" + std::to_string(i)));
  BOOST_REQUIRE(c.node(3).read_index("from-3"));
  c.process(3);
  c.deliver(c.network().front());  // the follower's request reaches the leader
  c.network().pop_front();
  std::size_t heartbeats = 0;
  for (const auto& m : c.network()) heartbeats += m.type == MessageType::heartbeat;
  BOOST_TEST(heartbeats == 2u);  // one round for all six reads, to each follower
  c.deliver_all();
  BOOST_TEST(c.reads(1).size() == 5u);
  BOOST_TEST(c.reads(3).size() == 1u);
  // A read after the heartbeats left starts a new round.
  BOOST_REQUIRE(c.node(1).read_index("late"));
  c.process(1);
  c.deliver_all();
  BOOST_TEST(c.reads(1).size() == 6u);
}

BOOST_AUTO_TEST_CASE(deposed_leader_cannot_serve_a_read) {
  RaftCluster c({1, 2, 3}, 67);
  c.campaign(1);
  c.isolate(1);
  BOOST_REQUIRE(c.node(1).read_index("stale"));
  c.process(1);
  c.deliver_all();
  // Meanwhile the majority elects a new leader and writes.
  for (int round = 0; round < 100 && c.leader() == NodeId{1}; ++round) {
    for (NodeId id : {2, 3}) c.tick(id);
    c.deliver_all();
  }
  BOOST_REQUIRE(c.node(1).role() == Role::leader);  // it does not know yet
  NodeId next = c.node(2).role() == Role::leader ? 2 : 3;
  BOOST_REQUIRE(c.node(next).role() == Role::leader);
  commit_values(c, next, 2, "new");
  BOOST_TEST(c.reads(1).empty());
}

BOOST_AUTO_TEST_CASE(follower_read_is_answered_by_the_leader) {
  RaftCluster c({1, 2, 3}, 71);
  c.campaign(1);
  commit_values(c, 1, 2, "v");
  BOOST_REQUIRE(c.node(3).read_index("f1"));
  c.process(3);
  c.deliver_all();
  BOOST_REQUIRE(c.reads(3).size() == 1u);
  BOOST_TEST(c.reads(3)[0].context == "f1");
  BOOST_TEST(c.reads(3)[0].index == c.node(1).log().committed());
}

BOOST_AUTO_TEST_CASE(new_leader_defers_reads_until_its_term_commits) {
  RaftCluster c({1, 2, 3}, 73);
  c.drop_if = [](const Message& m) { return m.type == MessageType::app; };
  c.campaign(1);
  BOOST_REQUIRE(c.node(1).role() == Role::leader);
  BOOST_REQUIRE(c.node(1).read_index("early"));
  c.process(1);
  c.tick(1);
  c.deliver_all();
  BOOST_TEST(c.reads(1).empty());  // its commit index may still lag the cluster's
  c.drop_if = nullptr;
  c.tick(1);
  c.deliver_all();
  BOOST_REQUIRE(c.reads(1).size() == 1u);
  BOOST_TEST(c.reads(1)[0].index == 4u);  // after 3 bootstrap entries and its own
}

BOOST_AUTO_TEST_CASE(single_node_reads_at_once_and_followers_without_leader_refuse) {
  RaftCluster one({1}, 79);
  one.campaign(1);
  BOOST_REQUIRE(one.node(1).read_index("x"));
  one.process(1);
  BOOST_TEST(one.reads(1).size() == 1u);
  RaftCluster c({1, 2, 3}, 79);
  auto st = c.node(2).read_index("y");
  BOOST_REQUIRE(!st);
  BOOST_TEST(st.error().code == "not_leader");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(raft_snapshot)

BOOST_AUTO_TEST_CASE(snapshot_compacts_the_log_and_checks_its_index) {
  RaftCluster c({1, 2, 3}, 83);
  c.campaign(1);
  commit_values(c, 1, 5, "v");
  auto applied = c.state(1).applied;
  auto beyond = c.node(1).create_snapshot(applied + 1, "x");
  BOOST_REQUIRE(!beyond);
  c.snapshot(1);
  BOOST_TEST(c.node(1).log().snapshot_index() == applied);
  BOOST_TEST(c.node(1).log().first_index() == applied + 1);
  BOOST_TEST(c.node(1).snapshot().meta.voters == (std::vector<NodeId>{1, 2, 3}));
  BOOST_TEST(c.disk(1).entries.empty());
  auto stale = c.node(1).create_snapshot(applied, "x");
  BOOST_REQUIRE(!stale);
  BOOST_TEST(stale.error().code == "stale_snapshot");
}

BOOST_AUTO_TEST_CASE(follower_that_fell_behind_installs_a_snapshot) {
  RaftCluster c({1, 2, 3}, 89);
  c.campaign(1);
  c.crash(3);
  commit_values(c, 1, 20, "v");
  c.snapshot(1);
  std::size_t snaps = 0;
  c.drop_if = [&](const Message& m) {
    snaps += m.type == MessageType::snap;
    return false;
  };
  c.restart(3);
  tick_rounds(c, 1, 3);
  BOOST_TEST(snaps == 1u);
  BOOST_TEST(c.state(3).values == c.state(1).values);
  BOOST_TEST(c.node(3).log().snapshot_index() == c.node(1).log().snapshot_index());
  BOOST_TEST(c.disk(3).snapshot.meta.index > 0u);
  // Replication continues normally after the snapshot.
  commit_values(c, 1, 3, "after");
  BOOST_TEST(c.state(3).values == c.state(1).values);
  BOOST_TEST(c.state(3).values.back() == "after2");
}

BOOST_AUTO_TEST_CASE(lost_snapshot_is_sent_again) {
  RaftCluster c({1, 2, 3}, 97);
  auto sent = restart_3_behind_a_snapshot_losing_the_first(c);
  tick_rounds(c, 1, 5);
  BOOST_TEST(*sent >= 2);
  BOOST_TEST(c.state(3).values == c.state(1).values);
}

BOOST_AUTO_TEST_CASE(lost_snapshot_reported_as_delivered_is_detected_and_resent) {
  // A transport that cannot see delivery reports success; the follower's rejection of the
  // next probe reveals the loss.
  RaftCluster c({1, 2, 3}, 99);
  c.snapshots_always_reported_delivered = true;
  auto sent = restart_3_behind_a_snapshot_losing_the_first(c);
  tick_rounds(c, 1, 5);
  BOOST_TEST(*sent >= 2);
  BOOST_TEST(c.state(3).values == c.state(1).values);
}

BOOST_AUTO_TEST_CASE(snapshot_whose_fate_is_never_reported_is_retried) {
  RaftCluster c({1, 2, 3}, 100);
  c.report_snapshots = false;  // a transport that never reports
  auto sent = restart_3_behind_a_snapshot_losing_the_first(c);
  tick_rounds(c, 1, 1);
  BOOST_TEST(*sent == 1);
  BOOST_TEST(c.node(1).progress(3)->state == ProgressState::snapshot);
  tick_rounds(c, 1, 60);
  BOOST_TEST(*sent == 2);  // sent again after the wait, not on every heartbeat
  BOOST_TEST(c.node(1).progress(3)->state != ProgressState::snapshot);
  BOOST_TEST(c.state(3).values == c.state(1).values);
}

BOOST_AUTO_TEST_CASE(restart_from_snapshot_and_later_entries) {
  RaftCluster c({1, 2, 3}, 101);
  c.campaign(1);
  commit_values(c, 1, 5, "a");
  c.snapshot(1);
  commit_values(c, 1, 3, "b");
  auto values = c.state(1).values;
  auto first = c.node(1).log().first_index();
  c.crash(1);
  c.restart(1);
  BOOST_TEST(c.node(1).log().first_index() == first);
  BOOST_TEST(c.state(1).values == values);  // snapshot, then committed entries re-applied
}

// A follower installing a snapshot answers no heartbeats (its Raft waits for the install), but
// it fetches the snapshot from the leader: reported, that keeps a leader whose only other
// follower is down from stepping down under check-quorum.
BOOST_AUTO_TEST_CASE(a_follower_fetching_a_snapshot_counts_as_active_for_check_quorum) {
  for (bool reported : {false, true}) {
    RaftCluster c({1, 2, 3}, 101);
    c.report_snapshots = false;  // the install is still running: no outcome yet
    restart_3_behind_a_snapshot_losing_the_first(c);
    tick_rounds(c, 1, 1);
    BOOST_REQUIRE(c.node(1).progress(3)->state == ProgressState::snapshot);
    c.crash(2);
    c.isolate(3);
    for (int i = 0; i < 4 * 10; ++i) {  // four election timeouts
      if (reported) c.node(1).report_snapshot_activity(3);
      c.tick(1);
      c.deliver_all();
    }
    BOOST_TEST((c.node(1).role() == Role::leader) == reported, "reported " << reported);
  }
}

BOOST_AUTO_TEST_SUITE_END()
