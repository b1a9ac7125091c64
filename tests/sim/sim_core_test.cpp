// Unit tests of the simulator's pure parts: NetworkModel, fault files and random schedules,
// clock faults and node clocks, the trace, and the heartbeat checker (including a fabricated bad
// history it must reject).
#define BOOST_TEST_MODULE sim_core
#include <boost/test/unit_test.hpp>

#include "runtime/node_clock.hpp"
#include "sim/heartbeat/heartbeat_checker.hpp"
#include "sim/world/clock_faults.hpp"
#include "sim/world/fault_schedule.hpp"
#include "sim/world/network_model.hpp"
#include "sim/world/trace.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

using namespace craton::sim;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> kNodes{"n1", "n2", "n3", "n4", "n5"};

int delivered(NetworkModel& m, const std::string& from, const std::string& to, int n = 200) {
  int ok = 0;
  for (int i = 0; i < n; ++i) ok += m.decide(from, to, {}).delivered();
  return ok;
}

std::string parse_error(const std::string& text) {
  auto r = parse_fault_file(text, kNodes);
  return r ? "" : r.error().message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(network_model)

BOOST_AUTO_TEST_CASE(loss_one_drops_everything_loss_zero_nothing) {
  NetworkModel m({}, 1);
  BOOST_TEST(delivered(m, "n1", "n2") == 200);
  m.set_loss(1.0);
  BOOST_TEST(delivered(m, "n1", "n2") == 0);
  BOOST_TEST(m.decide("n1", "n2", {}).drop_reason == "loss");
}

BOOST_AUTO_TEST_CASE(partition_blocks_across_groups_only) {
  NetworkModel m({}, 2);
  m.partition({{"n1", "n2"}, {"n3", "n4"}});
  BOOST_TEST(delivered(m, "n1", "n2") == 200);
  BOOST_TEST(delivered(m, "n3", "n4") == 200);
  BOOST_TEST(delivered(m, "n1", "n3") == 0);
  BOOST_TEST(delivered(m, "n4", "n2") == 0);
  BOOST_TEST(m.decide("n1", "n3", {}).drop_reason == "partition");
  // Unlisted nodes form one more group.
  BOOST_TEST(delivered(m, "n5", "n1") == 0);
  m.heal();
  BOOST_TEST(delivered(m, "n1", "n3") == 200);
}

BOOST_AUTO_TEST_CASE(oneway_blocks_one_direction_until_heal) {
  NetworkModel m({}, 3);
  m.block_oneway("n1", "n2");
  BOOST_TEST(delivered(m, "n1", "n2") == 0);
  BOOST_TEST(m.decide("n1", "n2", {}).drop_reason == "oneway");
  BOOST_TEST(delivered(m, "n2", "n1") == 200);
  m.heal();
  BOOST_TEST(delivered(m, "n1", "n2") == 200);
}

BOOST_AUTO_TEST_CASE(latency_within_bounds_duplicates_and_seeded) {
  NetworkConfig c;
  c.latency = {LatencyDistribution::Kind::uniform, 5, 9, 0};
  c.duplicate = 1.0;
  NetworkModel a(c, 7), b(c, 7);
  for (int i = 0; i < 100; ++i) {
    auto d = a.decide("n1", "n2", {});
    BOOST_REQUIRE_EQUAL(d.delays.size(), 2u);
    for (auto delay : d.delays) BOOST_TEST((delay >= 5ms && delay <= 9ms));
    BOOST_TEST((d.delays == b.decide("n1", "n2", {}).delays));  // same seed, same draws
  }
  c.latency = {LatencyDistribution::Kind::exponential, 2, 40, 10};
  NetworkModel e(c, 8);
  for (int i = 0; i < 200; ++i)
    for (auto delay : e.decide("n1", "n2", {}).delays) BOOST_TEST((delay >= 2ms && delay <= 40ms));
}

// Production's links are TCP connections: one link's messages arrive in send order, whatever
// latency each draws (1-50 ms, bursts of 10 sent 3 ms apart: independent draws would overtake
// often; 200 ms between bursts: the link's queue empties and short latencies show again).
BOOST_AUTO_TEST_CASE(one_link_delivers_in_send_order) {
  NetworkConfig c;
  c.latency = {LatencyDistribution::Kind::uniform, 1, 50, 0};
  c.duplicate = 0.2;
  NetworkModel m(c, 9);
  std::map<std::string, std::int64_t> last;  // link -> latest arrival
  std::int64_t shortest = 50;
  for (std::int64_t i = 0, now = 0; i < 1000; ++i, now += i % 10 ? 3 : 200)
    for (const auto& [from, to] : {std::pair{"n1", "n2"}, std::pair{"n2", "n1"}}) {
      auto& previous = last[std::string(from) + to];
      for (auto delay : m.decide(from, to, std::chrono::milliseconds(now)).delays) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(delay).count();
        BOOST_TEST((ms >= 1 && ms <= 50));
        BOOST_TEST(now + ms >= previous);
        previous = now + ms;
        shortest = std::min(shortest, ms);
      }
    }
  BOOST_TEST(shortest < 10);  // still random, not pinned to the maximum
}

// Nodes send between whole milliseconds (their clocks drift): the order holds at the clock's
// precision. A message sent 0.3 ms into a millisecond with a long latency, then one 0.9 ms
// later with a short one: clamped in whole milliseconds the second arrived 0.6 ms before the
// first (the cluster scenario's seed 57: a node agent's watch events overtook each other and
// its informer dropped the older two as replays).
BOOST_AUTO_TEST_CASE(one_link_keeps_send_order_within_a_millisecond) {
  NetworkConfig c;
  c.latency = {LatencyDistribution::Kind::uniform, 1, 30, 0};
  NetworkModel m(c, 11);
  std::chrono::nanoseconds previous{};
  int overtaken = 0;
  for (std::int64_t i = 0; i < 5000; ++i) {
    auto now = std::chrono::microseconds(1'000'300 + i * 300);  // 0.3 ms apart, off the grid
    for (auto delay : m.decide("n1", "n2", now).delays) {
      overtaken += now + delay < previous;
      previous = std::max(previous, std::chrono::nanoseconds(now + delay));
    }
  }
  BOOST_TEST(overtaken == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fault_file)

BOOST_AUTO_TEST_CASE(parses_every_fault_kind_sorted_by_time) {
  auto r = parse_fault_file(
      "# a comment\n"
      "at 5s partition n1,n2 | n3,n4,n5\n"
      "at 6s oneway n1 -> n2   # trailing comment\n"
      "\n"
      "at 10s heal\n"
      "at 12s crash n2\n"
      "at 20s restart n2\n"
      "at 3s loss 0.1\n"
      "at 4s pause n3\n"
      "at 8s resume n3\n"
      "at 500ms duplicate 0.05\n"
      "at 1s latency exponential 10ms 200ms\n",
      kNodes);
  BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  BOOST_REQUIRE_EQUAL(r->size(), 10u);
  BOOST_TEST((*r)[0].describe() == "duplicate 0.05");
  BOOST_TEST((*r)[0].at_ms == 500);
  BOOST_TEST((*r)[1].describe() == "latency exponential 10ms 200ms");
  BOOST_TEST((*r)[2].describe() == "loss 0.1");
  BOOST_TEST((*r)[4].describe() == "partition n1,n2 | n3,n4,n5");
  BOOST_TEST((*r)[5].describe() == "oneway n1 -> n2");
  BOOST_TEST(validate_schedule(*r, kNodes, 30000).ok());
}

BOOST_AUTO_TEST_CASE(errors_name_the_line) {
  BOOST_TEST(parse_error("at 1s heal\nat 2s explode n1\n") == "line 2: unknown fault 'explode'");
  BOOST_TEST(parse_error("at 1s crash n9") == "line 1: unknown node 'n9'");
  BOOST_TEST(parse_error("\n\nat soon heal") ==
             "line 3: 'soon' is not a duration (e.g. 250ms, 5s, 2m)");
  BOOST_TEST(parse_error("at 1s loss 1.5") == "line 1: '1.5' is not a probability in [0, 1]");
  BOOST_TEST(parse_error("at 1s partition n1,n2") ==
             "line 1: a partition needs at least two groups separated by '|'");
  BOOST_TEST(parse_error("at 1s partition n1 | n1,n2") == "line 1: node 'n1' is in two groups");
  BOOST_TEST(parse_error("at 1s oneway n1 n2") == "line 1: usage: oneway FROM -> TO");
  BOOST_TEST(parse_error("heal") == "line 1: expected 'at <time> <fault> ...'");
  BOOST_TEST(parse_error("at 1s crash") == "line 1: usage: crash|restart|pause|resume NODE");
  BOOST_TEST(parse_error("at 1s heal now") == "line 1: usage: heal");
  BOOST_TEST(parse_error("at 5 heal") == "line 1: '5' is not a duration (e.g. 250ms, 5s, 2m)");
  BOOST_TEST(!parse_error(std::string(kFaultFileBytesMax + 1, '#')).empty());
}

BOOST_AUTO_TEST_CASE(schedule_validation_follows_node_states_and_settle_point) {
  auto check = [](const std::string& text) {
    auto r = parse_fault_file(text, kNodes);
    BOOST_REQUIRE(r.ok());
    auto s = validate_schedule(*r, kNodes, 10000);
    return s ? std::string() : s.error().message;
  };
  BOOST_TEST(check("at 1s crash n1\nat 2s restart n1\nat 3s pause n1\nat 4s resume n1") == "");
  BOOST_TEST(check("at 2s restart n1") == "fault 1 (at 2000ms restart n1): node is up");
  BOOST_TEST(check("at 1s crash n1\nat 2s pause n1") ==
             "fault 2 (at 2000ms pause n1): node is crashed");
  BOOST_TEST(check("at 10s heal").find("before the settle point") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(disk_faults_parse_describe_and_validate) {
  auto r = parse_fault_file(
      "at 1s disk-full n1\nat 2s disk-ok n1\nat 3s fsync-fail n2\nat 4s disk-slow n3 200ms\n"
      "at 5s crash n2\nat 6s disk-full n2\n",
      kNodes);
  BOOST_REQUIRE(r.ok());
  BOOST_REQUIRE_EQUAL(r->size(), 6u);
  BOOST_TEST((*r)[0].describe() == "disk-full n1");
  BOOST_TEST((*r)[1].describe() == "disk-ok n1");
  BOOST_TEST((*r)[2].describe() == "fsync-fail n2");
  BOOST_TEST((*r)[3].describe() == "disk-slow n3 200ms");
  BOOST_TEST((*r)[3].duration_ms == 200);
  BOOST_TEST(is_disk_fault((*r)[3].kind));
  BOOST_TEST(!is_disk_fault((*r)[4].kind));
  // A disk stays a disk whatever its node's state: no state rule applies.
  auto s = validate_schedule(*r, kNodes, 10000);
  BOOST_TEST(s.ok(), (s ? "" : s.error().message));
  BOOST_TEST(parse_error("at 1s disk-full") == "line 1: usage: disk-full|disk-ok|fsync-fail NODE");
  BOOST_TEST(parse_error("at 1s disk-slow n1") == "line 1: usage: disk-slow NODE DURATION");
  BOOST_TEST(parse_error("at 1s disk-slow n1 11s") ==
             "line 1: disk-slow takes at most 10000ms per sync");
  BOOST_TEST(parse_error("at 1s fsync-fail n9") == "line 1: unknown node 'n9'");
}

BOOST_AUTO_TEST_CASE(random_schedules_include_disk_faults_before_the_settle_point) {
  std::vector<std::string> nodes{"n1", "n2", "n3"};
  std::size_t disk = 0;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    auto all = random_faults(seed, nodes, 36000);
    for (const auto& f : all) {
      if (!is_disk_fault(f.kind)) continue;
      ++disk;
      BOOST_TEST(f.at_ms < 36000);
    }
    // Drawn from their own stream: the other faults of a seed are what they were.
    auto only = random_disk_faults(seed, nodes, 36000);
    BOOST_TEST(std::count_if(all.begin(), all.end(), [](const Fault& f) {
                 return is_disk_fault(f.kind);
               }) == static_cast<std::ptrdiff_t>(only.size()));
  }
  BOOST_TEST(disk > 100u);
}

BOOST_AUTO_TEST_CASE(clock_faults_parse_describe_and_validate) {
  auto r = parse_fault_file(
      "at 0s clock-skew n1 -40s\nat 0s clock-drift n2 1.0073\nat 2s crash n3\n"
      "at 3s clock-skew n3 +250ms\nat 4s clock-drift n3 0.5\n",
      kNodes);
  BOOST_REQUIRE(r.ok());
  BOOST_REQUIRE_EQUAL(r->size(), 5u);
  BOOST_TEST((*r)[0].describe() == "clock-skew n1 -40000ms");
  BOOST_TEST((*r)[0].skew_ms == -40000);
  BOOST_TEST((*r)[1].describe() == "clock-drift n2 1.0073");
  BOOST_TEST((*r)[1].clock_rate == 1.0073);
  BOOST_TEST((*r)[3].describe() == "clock-skew n3 +250ms");
  BOOST_TEST(is_clock_fault((*r)[4].kind));
  BOOST_TEST(!is_clock_fault((*r)[2].kind));
  // A crashed node's clock still runs: no state rule applies.
  auto s = validate_schedule(*r, kNodes, 10000);
  BOOST_TEST(s.ok(), (s ? "" : s.error().message));
  BOOST_TEST(parse_error("at 1s clock-skew n1 500ms") ==
             "line 1: a clock skew has a sign: '500ms' (e.g. +500ms, -2s)");
  BOOST_TEST(parse_error("at 1s clock-skew n1") ==
             "line 1: usage: clock-skew NODE +DURATION|-DURATION");
  BOOST_TEST(parse_error("at 1s clock-drift n1 3") ==
             "line 1: '3' is not a clock rate in [0.5, 2] (1: exact)");
  BOOST_TEST(parse_error("at 1s clock-drift n1 fast") ==
             "line 1: 'fast' is not a clock rate in [0.5, 2] (1: exact)");
  BOOST_TEST(parse_error("at 1s clock-drift n9 1.01") == "line 1: unknown node 'n9'");
}

BOOST_AUTO_TEST_CASE(random_clock_faults_stay_within_the_drift_bound_and_never_step_later) {
  std::vector<std::string> nodes{"n1", "n2", "n3"};
  std::size_t changes = 0;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    auto only = random_clock_faults(seed, nodes, 36000);
    auto again = random_clock_faults(seed, nodes, 36000);
    BOOST_REQUIRE_EQUAL(only.size(), again.size());
    for (std::size_t i = 0; i < only.size(); ++i)
      BOOST_TEST(only[i].describe() == again[i].describe());
    std::set<std::string> skewed;
    for (const auto& f : only) {
      BOOST_TEST(f.at_ms < 36000);
      if (f.kind == Fault::Kind::clock_skew) {
        BOOST_TEST(f.at_ms == 0);  // an initial offset, never a step later
        BOOST_TEST(std::abs(f.skew_ms) <= 60000);
        skewed.insert(f.nodes[0]);
      } else {
        BOOST_TEST(std::abs(f.clock_rate - 1.0) <= kClockDriftMax + 1e-12);
        changes += f.at_ms > 0;
      }
    }
    BOOST_TEST(skewed.size() == nodes.size());
    auto all = random_faults(seed, nodes, 36000);
    BOOST_TEST(std::count_if(all.begin(), all.end(), [](const Fault& f) {
                 return is_clock_fault(f.kind);
               }) == static_cast<std::ptrdiff_t>(only.size()));
  }
  BOOST_TEST(changes > 100u);
}

BOOST_AUTO_TEST_CASE(a_node_clock_skews_and_drifts_continuously) {
  craton::NodeClock clock;
  BOOST_TEST(clock.local_ms(1234) == 1234);  // the identity, as in production
  BOOST_TEST(clock.true_duration(std::chrono::milliseconds(100)) == std::chrono::milliseconds(100));
  clock.jump(1000, -400);
  BOOST_TEST(clock.local_ms(1000) == 600);
  BOOST_TEST(clock.local_ms(2000) == 1600);
  clock.set_rate(2000, 1.5);  // no step where the rate changes
  BOOST_TEST(clock.local_ms(2000) == 1600);
  BOOST_TEST(clock.local_ms(3000) == 3100);
  // A fast clock fires its timers early: 150 ms of its time pass in 100 ms.
  BOOST_TEST(clock.true_duration(std::chrono::milliseconds(150)) == std::chrono::milliseconds(100));
  clock.set_rate(4000, 0.5);
  BOOST_TEST(clock.local_ms(4000) == 4600);
  BOOST_TEST(clock.local_ms(6000) == 5600);
}

BOOST_AUTO_TEST_CASE(durations) {
  BOOST_TEST(parse_duration_ms("250ms").value() == 250);
  BOOST_TEST(parse_duration_ms("60s").value() == 60000);
  BOOST_TEST(parse_duration_ms("2m").value() == 120000);
  BOOST_TEST(!parse_duration_ms("-1s").ok());
  BOOST_TEST(!parse_duration_ms("5h").ok());
  BOOST_TEST(!parse_duration_ms("99999999m").ok());
}

BOOST_AUTO_TEST_CASE(random_schedules_are_valid_seeded_and_keep_a_majority) {
  std::vector<std::string> nodes{"n1", "n2", "n3", "n4", "n5", "n6", "n7"};
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    auto a = random_faults(seed, nodes, 36000);
    auto b = random_faults(seed, nodes, 36000);
    BOOST_REQUIRE_EQUAL(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) BOOST_TEST(a[i].describe() == b[i].describe());
    auto s = validate_schedule(a, nodes, 36000);
    BOOST_TEST(s.ok(), "seed " << seed << ": " << (s ? "" : s.error().message));
    int impaired = 0, worst = 0;
    for (const auto& f : a) {
      if (f.kind == Fault::Kind::crash || f.kind == Fault::Kind::pause) ++impaired;
      if (f.kind == Fault::Kind::restart || f.kind == Fault::Kind::resume) --impaired;
      worst = std::max(worst, impaired);
    }
    BOOST_TEST(worst <= 3);
  }
  // One node: a minority of one is nobody, so no seed crashes or pauses it.
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    for (const auto& f : random_faults(seed, {"n1"}, 36000)) {
      BOOST_TEST((f.kind != Fault::Kind::crash && f.kind != Fault::Kind::pause),
                 "seed " << seed << ": " << f.describe());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(trace_hash_depends_on_every_line) {
  std::ostringstream out;
  Trace a(&out), b, c;
  a.record(1, "deliver", "n1->n2 heartbeat");
  b.record(1, "deliver", "n1->n2 heartbeat");
  c.record(2, "deliver", "n1->n2 heartbeat");
  BOOST_TEST(a.hash_hex() == b.hash_hex());
  BOOST_TEST(a.hash_hex() != c.hash_hex());
  BOOST_TEST(a.hash_hex().size() == 16u);
  BOOST_TEST(out.str() == "1 deliver n1->n2 heartbeat\n");
  BOOST_TEST(a.events() == 1u);
}

BOOST_AUTO_TEST_SUITE(heartbeat_checker)

// n1..n5, K = 2: n1 watches n2, n3; n4 watches n5, n1; n5 watches n1, n2; ...
RunHistory history_with_n2_down() {
  RunHistory h;
  h.nodes = kNodes;
  for (const auto& n : kNodes) h.final_state[n] = NodeFinalState{n != "n2", 0};
  h.final_state["n1"].incarnation = 1;
  return h;
}

BOOST_AUTO_TEST_CASE(passes_when_watchers_suspect_the_dead_and_trust_the_living) {
  auto h = history_with_n2_down();
  h.observations = {{100, "n1", 0, TextEvent{"suspect n3"}},  // an older life of n1: ignored
                    {200, "n1", 1, TextEvent{"suspect n2"}},
                    {210, "n5", 0, TextEvent{"suspect n2"}},
                    {220, "n5", 0, TextEvent{"suspect n1"}},
                    {300, "n5", 0, TextEvent{"trust n1"}}};
  auto r = check_heartbeat_history(h, 2);
  BOOST_TEST(r.ok, (r.failures.empty() ? "" : r.failures.front()));
}

BOOST_AUTO_TEST_CASE(fails_on_a_fabricated_bad_history) {
  auto h = history_with_n2_down();
  h.observations = {
      {200, "n1", 1, TextEvent{"suspect n2"}},
      {220, "n5", 0, TextEvent{"suspect n1"}}};  // n5 never suspects n2, keeps suspecting n1
  auto r = check_heartbeat_history(h, 2);
  BOOST_TEST(!r.ok);
  BOOST_REQUIRE_EQUAL(r.failures.size(), 2u);
  BOOST_TEST(r.failures[0] == "n5 still suspects live node n1 at the end");
  BOOST_TEST(r.failures[1] == "n5 never suspected crashed node n2");
}

BOOST_AUTO_TEST_CASE(a_suspicion_from_a_previous_incarnation_does_not_count) {
  auto h = history_with_n2_down();
  h.observations = {{200, "n1", 0, TextEvent{"suspect n2"}},
                    {210, "n5", 0, TextEvent{"suspect n2"}}};
  auto r = check_heartbeat_history(h, 2);
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.failures.at(0) == "n1 never suspected crashed node n2");
}

BOOST_AUTO_TEST_SUITE_END()
