// The kubelet's restart back-off (restart_backoff.hpp) and probe workers (prober.hpp) alone:
// delays, reset, thresholds, startup gating, holds and stale outcomes.
#define BOOST_TEST_MODULE agent_pod_probe
#include <boost/test/unit_test.hpp>

#include "actors/agent/core/prober.hpp"
#include "actors/agent/core/restart_backoff.hpp"

using namespace craton::agent;

BOOST_AUTO_TEST_CASE(back_off_is_0_then_doubles_from_10s_to_5min) {
  RestartBackoff backoff;
  std::int64_t now = 1'000'000;
  std::vector<std::int64_t> delays;
  for (int i = 0; i < 9; ++i) {
    std::int64_t delay = backoff.delay_ms("app", now);
    delays.push_back(delay / 1000);
    now += delay;
    backoff.restarted("app", now);
    now += 1'000;  // runs a second, exits again
  }
  BOOST_TEST(delays == (std::vector<std::int64_t>{0, 10, 20, 40, 80, 160, 300, 300, 300}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(back_off_starts_over_after_ten_minutes_and_keys_are_apart) {
  RestartBackoff backoff;
  backoff.restarted("a", 0);
  backoff.restarted("a", 1'000);
  BOOST_TEST(backoff.delay_ms("a", 2'000) == 20'000);
  BOOST_TEST(backoff.delay_ms("b", 2'000) == 0);
  BOOST_TEST(backoff.delay_ms("a", 1'000 + 600'000) == 20'000);  // exactly ten minutes: kept
  BOOST_TEST(backoff.delay_ms("a", 1'000 + 600'001) == 0);
  backoff.restarted("a", 1'000 + 600'001);
  BOOST_TEST(backoff.delay_ms("a", 1'000 + 600'002) == 10'000);
  backoff.forget("a");
  BOOST_TEST(backoff.delay_ms("a", 1'000 + 600'002) == 0);
}

namespace {

ContainerPlan with_probes(bool liveness, bool readiness, bool startup) {
  ContainerPlan c;
  c.spec.name = "app";
  ProbeSpec p;
  p.period_ms = 10'000;
  p.initial_delay_ms = 5'000;
  if (liveness) c.liveness = p;
  if (readiness) c.readiness = p;
  if (startup) c.startup = p;
  return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(probes_wait_their_initial_delay_and_then_their_period) {
  Prober prober;
  prober.running(with_probes(true, false, false), 0, 0);
  BOOST_TEST(!prober.take_due(4'999).has_value());
  BOOST_TEST(prober.next_due_ms() == 5'000);
  auto run = prober.take_due(5'000);
  BOOST_REQUIRE(run.has_value());
  BOOST_TEST((run->kind == ProbeKind::liveness));
  BOOST_TEST(!prober.take_due(6'000).has_value());  // in flight
  prober.record("app", 0, ProbeKind::liveness, true, 5'100);
  BOOST_TEST(prober.next_due_ms() == 15'100);
}

BOOST_AUTO_TEST_CASE(liveness_fails_only_after_failure_threshold_consecutive_failures) {
  Prober prober;
  prober.running(with_probes(true, false, false), 0, 0);
  std::int64_t now = 5'000;
  auto outcome = [&](bool ok) {
    BOOST_REQUIRE(prober.take_due(now).has_value());
    prober.record("app", 0, ProbeKind::liveness, ok, now);
    now += 10'000;
  };
  outcome(false);
  outcome(false);
  outcome(true);  // the run starts over
  outcome(false);
  outcome(false);
  BOOST_TEST(!prober.failed("app").has_value());
  outcome(false);
  BOOST_TEST((*prober.failed("app") == ProbeKind::liveness));
  BOOST_TEST(!prober.take_due(now + 100'000).has_value());  // on hold until a new attempt
  prober.running(with_probes(true, false, false), 1, now);
  BOOST_TEST(!prober.failed("app").has_value());
  prober.record("app", 0, ProbeKind::liveness, false, now);  // stale: the old attempt's
  BOOST_TEST(!prober.failed("app").has_value());
}

BOOST_AUTO_TEST_CASE(readiness_starts_false_and_startup_gates_everything) {
  Prober prober;
  prober.running(with_probes(true, true, true), 0, 0);
  BOOST_TEST(!prober.started("app"));
  BOOST_TEST(!prober.ready("app"));
  auto run = prober.take_due(5'000);
  BOOST_REQUIRE(run.has_value());
  BOOST_TEST((run->kind == ProbeKind::startup));  // only the startup probe runs
  BOOST_TEST(!prober.take_due(5'000).has_value());
  prober.record("app", 0, ProbeKind::startup, true, 5'000);
  BOOST_TEST(prober.started("app"));
  BOOST_TEST(!prober.ready("app"));  // readiness has not succeeded yet
  int runs = 0;
  while (auto r = prober.take_due(5'000)) {
    BOOST_TEST((r->kind != ProbeKind::startup));  // done once it succeeded
    prober.record("app", 0, r->kind, true, 5'000);
    ++runs;
  }
  BOOST_TEST(runs == 2);
  BOOST_TEST(prober.ready("app"));
}
