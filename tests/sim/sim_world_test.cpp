// The simulated world end to end with the heartbeat scenario: determinism over many seeds
// with random faults, the checker passing under random faults, and explicit schedules whose
// outcome is known (a node that stays down is suspected; a partition causes suspicions that
// heal).
#define BOOST_TEST_MODULE sim_world
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>
#include <sstream>

#include "runtime/rng.hpp"
#include "sim/heartbeat/heartbeat_scenario.hpp"
#include "sim/world/world.hpp"

using namespace craton::sim;

namespace {

WorldConfig random_config(std::uint64_t seed, std::size_t nodes = 7,
                          std::int64_t duration_ms = 20000) {
  WorldConfig c;
  c.seed = seed;
  c.nodes = nodes;
  c.duration_ms = duration_ms;
  c.faults = random_faults(craton::derive_seed(seed, "faults"), node_ids(nodes), settle_ms(c));
  return c;
}

RunReport run(const WorldConfig& c, std::ostream* trace = nullptr) {
  WorldConfig copy = c;
  copy.trace_out = trace;
  HeartbeatScenario scenario(node_ids(c.nodes));
  return run_world(copy, scenario);
}

WorldConfig scheduled(const std::string& text, std::size_t nodes = 5) {
  WorldConfig c;
  c.seed = 42;
  c.nodes = nodes;
  c.duration_ms = 20000;
  auto faults = parse_fault_file(text, node_ids(nodes));
  BOOST_REQUIRE(faults.ok());
  BOOST_REQUIRE(validate_schedule(*faults, node_ids(nodes), settle_ms(c)).ok());
  c.faults = *faults;
  return c;
}

std::size_t count(const std::vector<Observation>& obs, const std::string& event) {
  std::size_t n = 0;
  for (const auto& o : obs) n += o.text() == event;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(same_seed_same_trace_different_seeds_differ) {
  std::set<std::string> hashes;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    auto c = random_config(seed);
    std::ostringstream t1, t2;
    auto a = run(c, &t1);
    auto b = run(c, &t2);
    BOOST_TEST(a.trace_hash == b.trace_hash, "seed " << seed);
    BOOST_TEST(t1.str() == t2.str(), "seed " << seed);
    BOOST_TEST(a.events == b.events);
    BOOST_TEST(a.events > 1000u);
    hashes.insert(a.trace_hash);
  }
  BOOST_TEST(hashes.size() == 20u);
}

BOOST_AUTO_TEST_CASE(checker_passes_under_random_faults_over_many_seeds) {
  std::size_t runs_with_down_nodes = 0, dropped = 0;
  for (std::uint64_t seed = 100; seed < 160; ++seed) {
    auto r = run(random_config(seed, 5 + seed % 6));
    BOOST_TEST(r.check.ok,
               "seed " << seed << ": " << (r.check.failures.empty() ? "" : r.check.failures[0]));
    runs_with_down_nodes += !r.nodes_down.empty();
    dropped += r.messages_dropped;
  }
  // The faults really happened: some runs end with nodes down, messages were dropped.
  BOOST_TEST(runs_with_down_nodes > 0u);
  BOOST_TEST(dropped > 0u);
}

BOOST_AUTO_TEST_CASE(a_node_that_stays_down_is_suspected_by_its_watchers) {
  auto r = run(scheduled("at 2s crash n3"));
  BOOST_TEST(r.check.ok);
  BOOST_TEST(r.nodes_down == std::vector<std::string>{"n3"});
  // K = 4 in a 5-node ring: the four others watch n3.
  BOOST_TEST(count(r.history.observations, "suspect n3") == 4u);
  BOOST_TEST(count(r.history.observations, "trust n3") == 0u);
}

BOOST_AUTO_TEST_CASE(partition_causes_suspicions_that_heal) {
  auto r = run(scheduled("at 2s partition n1,n2 | n3,n4,n5\nat 6s heal"));
  BOOST_TEST(r.check.ok);
  BOOST_TEST(count(r.history.observations, "suspect n3") > 0u);
  BOOST_TEST(count(r.history.observations, "trust n3") ==
             count(r.history.observations, "suspect n3"));
  BOOST_TEST(r.messages_dropped > 0u);
}

BOOST_AUTO_TEST_CASE(restart_brings_a_new_incarnation_that_is_trusted_again) {
  auto r = run(scheduled("at 2s crash n2\nat 5s restart n2\nat 6s pause n4\nat 9s resume n4"));
  BOOST_TEST(r.check.ok);
  BOOST_TEST(r.nodes_down.empty());
  BOOST_TEST(r.history.final_state.at("n2").incarnation == 1u);
  // Each watcher suspects n2 at least once; the paused n4 may suspect it again on resume.
  BOOST_TEST(count(r.history.observations, "suspect n2") >= 4u);
  BOOST_TEST(count(r.history.observations, "trust n2") ==
             count(r.history.observations, "suspect n2"));
  BOOST_TEST(count(r.history.observations, "suspect n4") > 0u);
}

BOOST_AUTO_TEST_CASE(without_the_settle_point_a_lasting_partition_fails_the_check) {
  // Settling at the very end leaves the partition in place: the checker must notice.
  auto c = scheduled("at 2s partition n1,n2 | n3,n4,n5");
  c.settle_fraction = 1.0;
  auto r = run(c);
  BOOST_TEST(!r.check.ok);
}

BOOST_AUTO_TEST_CASE(messages_to_a_crashed_node_are_dropped_at_delivery) {
  std::ostringstream trace;
  auto r = run(scheduled("at 2s crash n3"), &trace);
  const auto text = trace.str();
  BOOST_TEST(text.find("->n3 heartbeat crashed\n") != std::string::npos);
  BOOST_TEST(text.find(" deliver n3->") != std::string::npos);  // before the crash
  // After the crash no heartbeat from n3 is delivered (only those already in flight, < 50 ms).
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    auto t = std::stoll(line.substr(0, line.find(' ')));
    if (t > 2050 && line.find(" deliver n3->") != std::string::npos)
      BOOST_FAIL("delivered after the crash: " + line);
    if (t > 2000 && line.find(" observe n3 ") != std::string::npos)
      BOOST_FAIL("a crashed node observed something: " + line);
  }
}

// Nodes whose actor gets 100 timer messages at 600 ms, crashed at that instant (the world
// fires due timers, then applies due faults, then runs actors): a crash is the end of every
// actor of the node, so none of those messages is handled (with CAF's ordinary exit, queued
// behind them, every one was: a dead node went on writing its files).
class BusyScenario : public Scenario {
 public:
  std::string name() const override { return "busy"; }
  std::vector<caf::actor> spawn_node(caf::actor_system& sys, const craton::NodeContext&,
                                     const ObservationSink&) override {
    auto handled = handled_;
    return {sys.spawn([handled](caf::event_based_actor* self) -> caf::behavior {
      for (int i = 0; i < 100; ++i) self->delayed_send(self, std::chrono::milliseconds(600), i);
      return {[handled](int) { ++*handled; }};
    })};
  }
  CheckResult check(const RunHistory&) const override { return {}; }
  std::shared_ptr<int> handled_ = std::make_shared<int>(0);
};

BOOST_AUTO_TEST_CASE(a_crashed_node_handles_nothing_more) {
  BusyScenario crashed;
  auto c = scheduled("at 600ms crash n1\nat 600ms crash n2", 5);
  c.duration_ms = 1000;
  run_world(c, crashed);
  BusyScenario alive;
  run_world(scheduled("", 5), alive);
  BOOST_TEST(*alive.handled_ == 500);  // five nodes, 100 each
  BOOST_TEST(*crashed.handled_ == 300);
}

// Every actor of a node reads time and sets timers through the node's clock: a node whose
// clock runs 1.5x fast sends its heartbeats 1.5x as often (its detector's timer fires early),
// and an offset alone changes nothing a peer can see.
BOOST_AUTO_TEST_CASE(a_fast_node_clock_fires_its_timers_early) {
  auto sent_by = [](const std::string& trace_text) {
    std::map<std::string, std::size_t> sent;
    std::istringstream lines(trace_text);
    for (std::string line; std::getline(lines, line);) {
      auto at = line.find(" timer ");
      if (at != std::string::npos && line.find("craton.detector") != std::string::npos)
        ++sent[line.substr(at + 7, line.find(' ', at + 7) - at - 7)];
    }
    return sent;
  };
  std::ostringstream plain_trace, skewed_trace;
  auto plain = run(scheduled(""), &plain_trace);
  auto skewed = run(scheduled("at 0s clock-drift n2 1.5\nat 0s clock-skew n3 -30s"), &skewed_trace);
  BOOST_TEST(plain.check.ok);
  BOOST_TEST(skewed.check.ok);
  auto before = sent_by(plain_trace.str());
  auto after = sent_by(skewed_trace.str());
  BOOST_REQUIRE(before["n2"] > 50u);
  double ratio = double(after["n2"]) / double(before["n2"]);
  BOOST_TEST(ratio > 1.45);
  BOOST_TEST(ratio < 1.55);
  BOOST_TEST(after["n3"] == before["n3"]);  // skew is an offset: same intervals
  BOOST_TEST(after["n1"] == before["n1"]);
}

BOOST_AUTO_TEST_CASE(a_paused_node_neither_sends_nor_observes_until_resumed) {
  std::ostringstream trace;
  auto r = run(scheduled("at 3s pause n2\nat 7s resume n2"), &trace);
  BOOST_TEST(r.check.ok);
  std::size_t sent_while_paused = 0, sent_after = 0;
  std::istringstream lines(trace.str());
  for (std::string line; std::getline(lines, line);) {
    auto t = std::stoll(line.substr(0, line.find(' ')));
    bool from_n2 = line.find(" deliver n2->") != std::string::npos;
    // Heartbeats in flight at the pause may land up to 50 ms later.
    if (t > 3050 && t < 7000) {
      sent_while_paused += from_n2;
      BOOST_TEST(line.find(" observe n2 ") == std::string::npos, line);
    }
    if (t >= 7000) sent_after += from_n2;
  }
  BOOST_TEST(sent_while_paused == 0u);
  BOOST_TEST(sent_after > 0u);
  BOOST_TEST(count(r.history.observations, "suspect n2") == 4u);
  BOOST_TEST(count(r.history.observations, "trust n2") == 4u);
}
