// Unit tests of the pure failure detector: timeouts, trust again, stale incarnations, ring plan.
#define BOOST_TEST_MODULE detector_core
#include <boost/test/unit_test.hpp>

#include "actors/detector/core.hpp"

using namespace craton::detector;

namespace {

FailureDetector make(std::vector<std::string> watch, std::int64_t start = 0) {
  return FailureDetector(WatchPlan{{"a"}, std::move(watch)}, DetectorConfig{100, 500}, start);
}

}  // namespace

BOOST_AUTO_TEST_CASE(tick_sends_heartbeats_to_the_send_set) {
  auto d = make({"b", "c"});
  auto out = d.tick(10);
  BOOST_TEST(out.heartbeats_to == std::vector<std::string>{"a"});
  BOOST_TEST(out.transitions.empty());
}

BOOST_AUTO_TEST_CASE(silence_past_the_timeout_suspects_once) {
  auto d = make({"b", "c"});
  BOOST_TEST(d.tick(500).transitions.empty());  // exactly the timeout: not yet
  d.on_heartbeat("c", 0, 400);
  auto out = d.tick(501);
  BOOST_REQUIRE_EQUAL(out.transitions.size(), 1u);
  BOOST_TEST(out.transitions[0].peer == "b");
  BOOST_TEST(out.transitions[0].suspected);
  BOOST_TEST(d.suspects("b"));
  BOOST_TEST(!d.suspects("c"));
  BOOST_TEST(d.tick(600).transitions.empty());  // no repeated transition
}

BOOST_AUTO_TEST_CASE(heartbeat_from_a_suspected_peer_trusts_it_again) {
  auto d = make({"b"});
  d.tick(1000);
  BOOST_REQUIRE(d.suspects("b"));
  auto t = d.on_heartbeat("b", 0, 1001);
  BOOST_REQUIRE(t.has_value());
  BOOST_TEST(t->peer == "b");
  BOOST_TEST(!t->suspected);
  BOOST_TEST(!d.suspects("b"));
  BOOST_TEST(!d.on_heartbeat("b", 0, 1002).has_value());  // already trusted
  BOOST_TEST(d.tick(1400).transitions.empty());
}

BOOST_AUTO_TEST_CASE(older_incarnations_and_strangers_are_ignored) {
  auto d = make({"b"});
  d.on_heartbeat("b", 3, 100);
  d.tick(1000);
  BOOST_REQUIRE(d.suspects("b"));
  BOOST_TEST(!d.on_heartbeat("b", 2, 1001).has_value());  // delayed message of a past life
  BOOST_TEST(d.suspects("b"));
  BOOST_TEST(!d.on_heartbeat("zz", 0, 1001).has_value());
  BOOST_TEST(d.ignored_heartbeats() == 2u);
  BOOST_TEST(d.on_heartbeat("b", 4, 1002).has_value());  // restarted peer
}

BOOST_AUTO_TEST_CASE(ring_plan_watches_successors_and_sends_to_predecessors) {
  std::vector<std::string> nodes{"n1", "n2", "n3", "n4", "n5", "n6"};
  auto p = ring_plan(nodes, "n5", 3);
  BOOST_TEST(p.watch == (std::vector<std::string>{"n6", "n1", "n2"}));
  BOOST_TEST(p.send_to == (std::vector<std::string>{"n4", "n3", "n2"}));
  // Every node is watched by exactly the nodes it sends to.
  for (const auto& self : nodes)
    for (const auto& to : ring_plan(nodes, self, 3).send_to) {
      auto w = ring_plan(nodes, to, 3).watch;
      BOOST_TEST((std::find(w.begin(), w.end(), self) != w.end()));
    }
  BOOST_TEST(ring_plan(nodes, "n1", 10).watch.size() == 5u);  // clamped to n - 1
  BOOST_TEST(ring_plan(nodes, "x", 2).watch.empty());
  BOOST_TEST(ring_plan({"n1"}, "n1", 2).watch.empty());
  BOOST_TEST(default_watchers(3) == 2u);
  BOOST_TEST(default_watchers(1000) == 4u);
}
