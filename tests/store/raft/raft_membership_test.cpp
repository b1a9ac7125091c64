// Membership changes one voter at a time, learners that catch up and are promoted, and
// leader transfer.
#include <boost/test/unit_test.hpp>

#include "tests/store/raft/raft_cluster.hpp"

using namespace craton::raft;
using namespace craton::raft::test;

namespace {
void settle(RaftCluster& c, NodeId leader, int rounds = 3) {
  for (int i = 0; i < rounds; ++i) {
    c.process(leader);
    c.deliver_all();
    c.tick(leader);
    c.deliver_all();
  }
}

void commit_values(RaftCluster& c, NodeId leader, int n, const std::string& prefix) {
  for (int i = 0; i < n; ++i) BOOST_REQUIRE(c.node(leader).propose(prefix + std::to_string(i)));
  settle(c, leader);
}

void change(RaftCluster& c, NodeId leader, ConfChangeType type, NodeId node) {
  auto r = c.node(leader).propose_conf_change({type, node});
  BOOST_REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
  settle(c, leader);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(raft_membership)

BOOST_AUTO_TEST_CASE(learner_catches_up_without_voting_and_is_then_promoted) {
  RaftCluster c({1, 2, 3}, 103);
  c.campaign(1);
  commit_values(c, 1, 5, "v");
  c.add_fresh_node(4);
  change(c, 1, ConfChangeType::add_learner, 4);
  BOOST_TEST(c.node(1).membership().is_learner(4));
  BOOST_TEST(c.node(4).membership().is_learner(4));
  BOOST_TEST(c.state(4).values == c.state(1).values);
  BOOST_TEST(c.node(1).progress(4)->match == c.node(1).log().last_index());
  BOOST_TEST(c.node(1).caught_up_learners() == std::vector<NodeId>{4});
  BOOST_TEST(c.node(2).caught_up_learners().empty());  // only the leader knows
  // A learner never campaigns, and does not count toward a quorum.
  c.isolate(4);
  c.tick(4, 100);
  BOOST_TEST(c.node(4).role() == Role::follower);
  BOOST_TEST(c.node(4).term() == c.node(1).term());
  commit_values(c, 1, 1, "without-4-");
  BOOST_TEST(c.state(2).values.back() == "without-4-0");
  c.heal();
  settle(c, 1);
  // Caught up: promote. Now three of four voters are needed.
  change(c, 1, ConfChangeType::add_voter, 4);
  for (NodeId id : {1, 2, 3, 4}) BOOST_TEST(c.node(id).membership().voters.size() == 4u);
  c.isolate(3);
  c.isolate(4);
  auto before = c.node(1).log().committed();
  BOOST_REQUIRE(c.node(1).propose("needs-three"));
  settle(c, 1);
  BOOST_TEST(c.node(1).log().committed() == before);
  c.heal();
  settle(c, 1);
  BOOST_TEST(c.state(4).values.back() == "needs-three");
}

BOOST_AUTO_TEST_CASE(only_one_change_at_a_time) {
  RaftCluster c({1, 2, 3}, 107);
  c.campaign(1);
  c.add_fresh_node(4);
  c.add_fresh_node(5);
  BOOST_REQUIRE(c.node(1).propose_conf_change({ConfChangeType::add_learner, 4}));
  auto second = c.node(1).propose_conf_change({ConfChangeType::add_learner, 5});
  BOOST_REQUIRE(!second);
  BOOST_TEST(second.error().code == "change_in_progress");
  settle(c, 1);
  BOOST_TEST(c.node(1).propose_conf_change({ConfChangeType::add_learner, 5}).ok());
  auto bad = c.node(1).propose_conf_change({ConfChangeType::add_learner, 2});
  BOOST_TEST(!bad);  // already a voter
}

BOOST_AUTO_TEST_CASE(removed_voter_no_longer_counts) {
  RaftCluster c({1, 2, 3}, 109);
  c.campaign(1);
  change(c, 1, ConfChangeType::remove_node, 3);
  BOOST_TEST(c.node(2).membership().voters == (std::set<NodeId>{1, 2}));
  BOOST_TEST(!c.node(1).progress(3));
  c.crash(3);
  commit_values(c, 1, 2, "two-");
  BOOST_TEST(c.state(2).values.back() == "two-1");
  c.isolate(2);  // now both remaining voters are needed
  auto before = c.node(1).log().committed();
  BOOST_REQUIRE(c.node(1).propose("x"));
  settle(c, 1);
  BOOST_TEST(c.node(1).log().committed() == before);
}

BOOST_AUTO_TEST_CASE(removed_leader_steps_down_and_the_rest_elect) {
  RaftCluster c({1, 2, 3}, 113);
  c.campaign(1);
  change(c, 1, ConfChangeType::remove_node, 1);
  BOOST_TEST(c.node(1).role() == Role::follower);
  for (int round = 0; round < 100 && !c.leader(); ++round) {
    for (NodeId id : c.ids()) c.tick(id);
    c.deliver_all();
  }
  BOOST_REQUIRE(c.leader());
  BOOST_TEST(*c.leader() != 1u);
  commit_values(c, *c.leader(), 1, "after-removal-");
  BOOST_TEST(c.state(2).values.back() == "after-removal-0");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(raft_transfer)

BOOST_AUTO_TEST_CASE(transfer_to_an_up_to_date_follower) {
  RaftCluster c({1, 2, 3}, 127);
  c.campaign(1);
  auto term = c.node(1).term();
  BOOST_REQUIRE(c.node(1).transfer_leadership(2));
  c.process(1);
  c.deliver_all();
  BOOST_TEST(c.node(2).role() == Role::leader);
  BOOST_TEST(c.node(2).term() == term + 1);  // node 3 granted despite its lease
  BOOST_TEST(c.node(1).role() == Role::follower);
}

BOOST_AUTO_TEST_CASE(transfer_to_a_lagging_follower_catches_it_up_first) {
  RaftCluster c({1, 2, 3}, 131);
  c.campaign(1);
  c.cut(1, 3);
  commit_values(c, 1, 5, "v");
  c.heal();
  BOOST_REQUIRE(c.node(1).transfer_leadership(3));
  c.process(1);
  c.deliver_all();
  BOOST_TEST(c.node(3).role() == Role::leader);
  BOOST_TEST(c.state(3).values.size() == 5u);
}

BOOST_AUTO_TEST_CASE(proposals_wait_during_a_transfer_that_is_abandoned_after_a_timeout) {
  RaftCluster c({1, 2, 3}, 137);
  c.campaign(1);
  c.cut(1, 2);
  BOOST_REQUIRE(c.node(1).transfer_leadership(2));
  auto refused = c.node(1).propose("x");
  BOOST_REQUIRE(!refused);
  BOOST_TEST(refused.error().code == "transferring");
  for (int i = 0; i < 12; ++i) {
    c.tick(1);
    c.deliver_all();
  }
  BOOST_TEST(c.node(1).role() == Role::leader);
  BOOST_TEST(c.node(1).lead_transferee() == 0u);
  BOOST_TEST(c.node(1).propose("y").ok());
  auto not_voter = c.node(1).transfer_leadership(9);
  BOOST_TEST(!not_voter);
}

BOOST_AUTO_TEST_SUITE_END()
