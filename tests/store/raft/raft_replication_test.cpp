// Log replication: commit by counting current-term entries only (Figure 8), fast back-off on
// mismatch, batching and the bounded in-flight window.
#include <boost/test/unit_test.hpp>

#include "tests/store/raft/raft_cluster.hpp"

using namespace craton::raft;
using namespace craton::raft::test;

namespace {
std::vector<Entry> run_of(std::uint64_t from, std::uint64_t to, std::uint64_t term) {
  std::vector<Entry> out;
  for (auto i = from; i <= to; ++i) out.push_back(Entry{term, i, EntryType::normal, "t"});
  return out;
}

PersistentState stored(std::uint64_t term, std::vector<std::vector<Entry>> runs) {
  PersistentState st;
  st.hard_state.term = term;
  for (auto& r : runs) st.entries.insert(st.entries.end(), r.begin(), r.end());
  return st;
}

std::size_t count(const std::deque<Message>& net, MessageType type, NodeId to) {
  return std::count_if(net.begin(), net.end(),
                       [&](const Message& m) { return m.type == type && m.to == to; });
}
}  // namespace

BOOST_AUTO_TEST_SUITE(raft_replication)

BOOST_AUTO_TEST_CASE(proposals_commit_and_apply_everywhere) {
  RaftCluster c({1, 2, 3}, 31);
  c.campaign(1);
  for (int i = 0; i < 10; ++i) BOOST_REQUIRE(c.node(1).propose("v" + std::to_string(i)));
  c.process(1);
  c.deliver_all();
  c.tick(1);  // the heartbeat carries the final commit index to followers
  c.deliver_all();
  for (NodeId id : {1, 2, 3}) {
    BOOST_TEST(c.state(id).values.size() == 10u);
    BOOST_TEST(c.node(id).log().committed() == 14u);  // 3 bootstrap + 1 empty + 10
  }
}

BOOST_AUTO_TEST_CASE(followers_refuse_proposals_and_name_the_leader) {
  RaftCluster c({1, 2, 3}, 37);
  c.campaign(1);
  auto r = c.node(2).propose("x");
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().code == "not_leader");
  BOOST_TEST(r.error().message.find("1") != std::string::npos);
  auto big = c.node(1).propose(std::string(3 << 20, 'x'));
  BOOST_REQUIRE(!big);
  BOOST_TEST(big.error().code == "too_large");
}

BOOST_AUTO_TEST_CASE(leader_without_quorum_bounds_its_uncommitted_log) {
  RaftCluster c({1, 2, 3}, 39, [](RaftConfig& cfg) { cfg.uncommitted_entries_max = 8; });
  c.campaign(1);
  c.isolate(1);
  for (int i = 0; i < 8; ++i) BOOST_REQUIRE(c.node(1).propose("p"));
  auto refused = c.node(1).propose("one too many");
  BOOST_REQUIRE(!refused);
  BOOST_TEST(refused.error().code == "busy");
  c.heal();
  c.tick(1);
  c.deliver_all();
  BOOST_TEST(c.node(1).propose("accepted again").ok());
}

BOOST_AUTO_TEST_CASE(old_term_entries_commit_only_with_a_current_term_entry) {
  // Figure 8 of the Raft paper: node 1 holds entry 2 of term 2 that never committed. Elected
  // in term 3, it replicates entry 2 to a majority, but that alone must not commit it.
  RaftCluster c({1, 2, 3}, 41,
                [](RaftConfig& cfg) { cfg.msg_entries_max = 1; },  // entry 2 can travel alone
                {{1, stored(2, {run_of(1, 1, 1), run_of(2, 2, 2)})},
                 {2, stored(2, {run_of(1, 1, 1)})},
                 {3, stored(2, {run_of(1, 1, 1)})}});
  // Entry 3 (the new leader's empty entry of term 3) never arrives for now; the first probe
  // (which the followers reject, lacking entry 2) may pass.
  c.drop_if = [&c](const Message& m) {
    bool carries_3 =
        m.type == MessageType::app && !m.entries.empty() && m.entries.back().index >= 3;
    return carries_3 && c.node(m.to).log().last_index() >= m.index;
  };
  c.campaign(1);
  BOOST_REQUIRE(c.node(1).role() == Role::leader);
  BOOST_TEST(c.node(1).term() == 3u);
  BOOST_TEST(c.node(2).log().last_index() == 2u);  // entry 2 reached a majority...
  BOOST_TEST(c.node(1).progress(2)->match == 2u);
  BOOST_TEST(c.node(1).log().committed() == 0u);  // ...and is still not committed
  c.drop_if = nullptr;
  c.tick(1);
  c.deliver_all();
  BOOST_TEST(c.node(1).log().committed() == 3u);  // committed with the term-3 entry
}

BOOST_AUTO_TEST_CASE(fast_back_off_repairs_a_long_conflicting_log_in_few_round_trips) {
  auto good = stored(4, {run_of(1, 10, 1), run_of(11, 60, 4)});
  RaftCluster c({1, 2, 3}, 43, {},
                {{1, good}, {3, good}, {2, stored(3, {run_of(1, 10, 1), run_of(11, 80, 3)})}});
  std::size_t rejections = 0;
  c.drop_if = [&](const Message& m) {
    if (m.type == MessageType::app_resp && m.from == 2 && m.reject) ++rejections;
    return false;
  };
  c.isolate(2);
  c.campaign(1);
  BOOST_REQUIRE(c.node(1).role() == Role::leader);
  c.heal();
  c.tick(1);
  c.deliver_all();
  c.tick(1);
  c.deliver_all();
  BOOST_TEST(rejections <= 2u);  // one index at a time would take 70
  BOOST_TEST(c.node(2).log().last_index() == 61u);
  BOOST_TEST(*c.node(2).log().term(30) == 4u);
  BOOST_TEST(c.node(2).log().committed() == 61u);
}

BOOST_AUTO_TEST_CASE(batched_proposals_travel_in_few_messages) {
  RaftCluster c({1, 2, 3}, 47, [](RaftConfig& cfg) { cfg.msg_entries_max = 10; });
  c.campaign(1);
  std::vector<std::string> batch;
  for (int i = 0; i < 25; ++i) batch.push_back("b" + std::to_string(i));
  BOOST_REQUIRE(c.node(1).propose_batch(batch));
  c.process(1);
  std::size_t appends = 0;
  for (const auto& m : c.network()) {
    if (m.type == MessageType::app && m.to == 2) {
      ++appends;
      BOOST_TEST(m.entries.size() <= 10u);
    }
  }
  BOOST_TEST(appends == 3u);  // 25 entries in batches of at most 10, pipelined
  c.deliver_all();
  c.tick(1);
  c.deliver_all();
  BOOST_TEST(c.state(3).values.size() == 25u);
}

BOOST_AUTO_TEST_CASE(inflight_window_bounds_unacknowledged_appends) {
  RaftCluster c({1, 2, 3}, 53, [](RaftConfig& cfg) { cfg.inflight_appends_max = 4; });
  c.campaign(1);
  BOOST_TEST(c.node(1).progress(2)->state == ProgressState::replicate);
  for (int i = 0; i < 20; ++i) BOOST_REQUIRE(c.node(1).propose("p" + std::to_string(i)));
  c.process(1);
  BOOST_TEST(count(c.network(), MessageType::app, 2) == 4u);  // pipelined, then paused
  BOOST_TEST(c.node(1).progress(2)->is_paused());
  c.deliver_all();  // acks reopen the window until everything is through
  c.tick(1);
  c.deliver_all();
  BOOST_TEST(c.state(2).values.size() == 20u);
}

BOOST_AUTO_TEST_CASE(lost_appends_are_retried_after_heartbeat_responses) {
  RaftCluster c({1, 2, 3}, 59);
  c.campaign(1);
  c.drop_if = [](const Message& m) { return m.type == MessageType::app && m.to == 3; };
  BOOST_REQUIRE(c.node(1).propose("x"));
  c.process(1);
  c.deliver_all();
  c.drop_if = nullptr;
  c.node(1).report_unreachable(3);
  for (int i = 0; i < 3; ++i) {
    c.tick(1);
    c.deliver_all();
  }
  BOOST_TEST(c.state(3).values == std::vector<std::string>{"x"});
}

BOOST_AUTO_TEST_SUITE_END()
