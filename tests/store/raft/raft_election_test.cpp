// Leader election: randomized timeouts, split votes, restart from hard state, pre-vote and
// check-quorum.
#include <boost/test/unit_test.hpp>

#include "tests/store/raft/raft_cluster.hpp"

using namespace craton::raft;
using namespace craton::raft::test;

namespace {
RaftCluster::Tweak no_prevote() {
  return [](RaftConfig& c) {
    c.pre_vote = false;
    c.check_quorum = false;
  };
}

int ticks_until_campaign(std::uint64_t seed, NodeId id) {
  RaftCluster c({1, 2, 3}, seed);
  for (int t = 1; t < 100; ++t) {
    c.tick(id);
    if (c.node(id).role() != Role::follower) return t;
  }
  return -1;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(raft_election)

BOOST_AUTO_TEST_CASE(single_node_elects_itself_and_commits) {
  RaftCluster c({1}, 7);
  c.campaign(1);
  BOOST_TEST(c.node(1).role() == Role::leader);
  BOOST_REQUIRE(c.node(1).propose("v1"));
  c.process(1);
  BOOST_TEST(c.state(1).values == std::vector<std::string>{"v1"});
}

BOOST_AUTO_TEST_CASE(three_nodes_elect_exactly_one_leader) {
  RaftCluster c({1, 2, 3}, 1);
  c.campaign(1);
  BOOST_TEST(c.node(1).role() == Role::leader);
  for (NodeId id : {2, 3}) {
    BOOST_TEST(c.node(id).role() == Role::follower);
    BOOST_TEST(c.node(id).lead() == 1u);
    BOOST_TEST(c.node(id).term() == c.node(1).term());
  }
  // The bootstrap configuration (3 entries) and the leader's empty entry are committed.
  BOOST_TEST(c.node(2).log().committed() == 4u);
}

BOOST_AUTO_TEST_CASE(election_timeouts_are_randomized_per_node_and_seed) {
  std::set<int> seen;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    for (NodeId id : {1, 2, 3}) {
      int t = ticks_until_campaign(seed, id);
      BOOST_TEST(t >= 10);
      BOOST_TEST(t < 20);
      seen.insert(t);
    }
  }
  BOOST_TEST(seen.size() >= 5u);  // spread over [election_tick, 2 * election_tick)
  BOOST_TEST(ticks_until_campaign(42, 2) == ticks_until_campaign(42, 2));  // replayable
}

BOOST_AUTO_TEST_CASE(split_vote_is_resolved_in_a_later_term) {
  RaftCluster c({1, 2, 3, 4}, 3, no_prevote());
  // 1 and 2 both campaign in term 1; 3 hears only 1 and 4 hears only 2: two votes each.
  c.cut(2, 3);
  c.cut(1, 4);
  for (NodeId id : {1, 2}) {
    while (c.node(id).role() != Role::candidate) c.tick(id);
  }
  c.deliver_all();
  BOOST_TEST(c.node(1).role() == Role::candidate);
  BOOST_TEST(c.node(2).role() == Role::candidate);
  BOOST_TEST(!c.leader());
  c.heal();
  for (int round = 0; round < 200 && !c.leader(); ++round) {
    for (NodeId id : c.ids()) c.tick(id);
    c.deliver_all();
  }
  BOOST_REQUIRE(c.leader());
  BOOST_TEST(c.node(*c.leader()).term() >= 2u);
}

BOOST_AUTO_TEST_CASE(vote_is_refused_to_a_candidate_with_a_stale_log) {
  RaftCluster c({1, 2, 3}, 5, no_prevote());
  c.campaign(1);
  c.isolate(3);
  BOOST_REQUIRE(c.node(1).propose("only-on-1-and-2"));
  c.process(1);
  c.deliver_all();
  c.heal();
  c.isolate(1);  // 3 (stale) campaigns; 2 (up to date) must refuse
  while (c.node(3).role() != Role::candidate) c.tick(3);
  c.deliver_all();
  BOOST_TEST(c.node(3).role() != Role::leader);
  BOOST_TEST(c.node(2).vote() != 3u);
}

BOOST_AUTO_TEST_CASE(restart_from_persisted_hard_state_and_entries) {
  RaftCluster c({1, 2, 3}, 11);
  c.campaign(1);
  for (int i = 0; i < 5; ++i) BOOST_REQUIRE(c.node(1).propose("v" + std::to_string(i)));
  c.process(1);
  c.deliver_all();
  auto term = c.node(1).term();
  for (NodeId id : {1, 2, 3}) c.crash(id);
  for (NodeId id : {1, 2, 3}) c.restart(id);
  for (NodeId id : {1, 2, 3}) {
    BOOST_TEST(c.node(id).term() == term);
    BOOST_TEST(c.node(id).log().last_index() == 9u);  // 3 bootstrap + 1 empty + 5
    BOOST_TEST(c.state(id).values.size() >= 5u);      // committed entries are re-applied
  }
  BOOST_TEST(c.node(1).vote() == 1u);
  c.campaign(2);
  BOOST_REQUIRE(c.leader());
  BOOST_TEST(c.node(*c.leader()).term() > term);
  BOOST_REQUIRE(c.node(*c.leader()).propose("after-restart"));
  c.process(*c.leader());
  c.deliver_all();
  for (NodeId id : {1, 2, 3}) BOOST_TEST(c.state(id).values.back() == "after-restart");
}

BOOST_AUTO_TEST_CASE(pre_vote_stops_a_partitioned_node_from_disrupting_the_leader) {
  RaftCluster c({1, 2, 3}, 13);
  c.campaign(1);
  auto term = c.node(1).term();
  c.isolate(3);
  c.tick(3, 100);                        // many election timeouts alone
  BOOST_TEST(c.node(3).term() == term);  // pre-vote never won, so the term never moved
  c.heal();
  c.network().clear();
  for (int round = 0; round < 50; ++round) {
    for (NodeId id : c.ids()) c.tick(id);
    c.deliver_all();
  }
  BOOST_TEST(c.node(1).role() == Role::leader);
  BOOST_TEST(c.node(1).term() == term);
  BOOST_TEST(c.node(3).lead() == 1u);
}

BOOST_AUTO_TEST_CASE(without_pre_vote_the_partitioned_node_does_disrupt) {
  // The control for the test above: the same scenario deposes the leader.
  RaftCluster c({1, 2, 3}, 13, no_prevote());
  c.campaign(1);
  auto term = c.node(1).term();
  c.isolate(3);
  c.tick(3, 100);
  BOOST_TEST(c.node(3).term() > term);
  c.heal();
  c.network().clear();
  for (auto t3 = c.node(3).term(); c.node(3).term() == t3;) c.tick(3);  // campaigns again
  // ... and its higher term deposes the leader.
  c.deliver_all();
  BOOST_TEST(c.node(1).term() > term);
}

BOOST_AUTO_TEST_CASE(check_quorum_makes_an_isolated_leader_step_down) {
  RaftCluster c({1, 2, 3}, 17);
  c.campaign(1);
  c.isolate(1);
  for (int i = 0; i < 2 * 10 && c.node(1).role() == Role::leader; ++i) {
    c.tick(1);
    c.network().clear();
  }
  BOOST_TEST(c.node(1).role() == Role::follower);
  BOOST_TEST(c.node(1).lead() == 0u);
}

BOOST_AUTO_TEST_CASE(connected_leader_keeps_leadership_under_check_quorum) {
  RaftCluster c({1, 2, 3}, 19);
  c.campaign(1);
  for (int i = 0; i < 100; ++i) {
    c.tick(1);
    c.deliver_all();
  }
  BOOST_TEST(c.node(1).role() == Role::leader);
}

BOOST_AUTO_TEST_CASE(follower_in_lease_ignores_vote_requests) {
  RaftCluster c({1, 2, 3}, 23);
  c.campaign(1);
  auto term = c.node(1).term();
  Message vote{.type = MessageType::vote, .from = 3, .to = 2, .term = term + 5};
  vote.index = 100;
  vote.log_term = term + 4;
  BOOST_REQUIRE(c.node(2).step(vote));
  BOOST_TEST(c.node(2).term() == term);  // it heard from the leader recently
}

BOOST_AUTO_TEST_CASE(malformed_messages_are_refused) {
  RaftCluster c({1, 2, 3}, 29);
  Message wrong_to{.type = MessageType::heartbeat, .from = 2, .to = 9, .term = 1};
  BOOST_TEST(!c.node(1).step(wrong_to));
  Message no_term{.type = MessageType::app, .from = 2, .to = 1};
  BOOST_TEST(!c.node(1).step(no_term));
  Message gap{.type = MessageType::app, .from = 2, .to = 1, .term = 1};
  gap.entries = {Entry{1, 5, EntryType::normal, "x"}};
  BOOST_TEST(!c.node(1).step(gap));
  Message snap{.type = MessageType::snap, .from = 2, .to = 1, .term = 1};
  BOOST_TEST(!c.node(1).step(snap));
  BOOST_TEST(c.node(1).term() == 1u);  // unchanged since bootstrap
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(raft_open)

BOOST_AUTO_TEST_CASE(open_refuses_bad_config_and_inconsistent_storage) {
  RaftConfig cfg;
  cfg.id = 1;
  cfg.voters = {1, 2, 3};
  PersistentState lost;
  lost.hard_state = {2, 0, 5};  // commit 5 with an empty log
  auto r = Raft::open(cfg, lost);
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().code == "corrupt_state");
  PersistentState gap;
  gap.hard_state.term = 1;
  gap.entries = {Entry{1, 1, EntryType::normal, ""}, Entry{1, 3, EntryType::normal, ""}};
  BOOST_TEST(!Raft::open(cfg, gap));
  RaftConfig bad = cfg;
  bad.election_tick = 1;
  BOOST_TEST(!Raft::open(bad, {}));
  bad = cfg;
  bad.id = 0;
  BOOST_TEST(!Raft::open(bad, {}));
  bad = cfg;
  bad.id = 4;  // not in its own initial configuration
  BOOST_TEST(!Raft::open(bad, {}));
  BOOST_TEST(Raft::open(cfg, {}).ok());
}

BOOST_AUTO_TEST_CASE(fresh_cluster_bootstraps_its_configuration_into_the_log) {
  RaftConfig cfg;
  cfg.id = 2;
  cfg.voters = {1, 2, 3};
  auto r = Raft::open(cfg, {});
  BOOST_REQUIRE(r);
  Raft& raft = r.value();
  BOOST_REQUIRE(raft.has_ready());
  Ready rd = raft.ready();
  BOOST_REQUIRE(rd.entries.size() == 3u);
  BOOST_TEST(rd.committed_entries.size() == 3u);
  BOOST_TEST(rd.must_sync);
  BOOST_REQUIRE(rd.hard_state);
  BOOST_TEST(rd.hard_state->commit == 3u);
  auto cc = ConfChange::decode(rd.entries[0].data);
  BOOST_REQUIRE(cc);
  BOOST_TEST((cc.value() == ConfChange{ConfChangeType::add_voter, 1}));
  raft.advance();
  BOOST_TEST(raft.membership().voters.size() == 3u);
  BOOST_TEST(!raft.has_ready());
}

BOOST_AUTO_TEST_SUITE_END()
