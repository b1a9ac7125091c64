// The "scheduler" scenario end to end: on 3- and 5-node clusters under random faults (crashes
// and restarts, pauses, partitions, loss, duplication, disk and clock faults), every node runs
// a scheduler (one leads, by the Lease kube-system/kube-scheduler), registers its Node and
// creates pods of varied CPU requests. Judged by the store checker and the scheduler checker
// (sim/scheduler/scheduler_checker.hpp): no node over its allocatable in any auditor's view, no pod
// on two nodes, no two instances binding within one term, every pod that fits bound at the end. Not
// vacuous: bindings are accepted, terms change hands, views are judged, pods stay pending because
// they fit nowhere.
//
// Seeds per shape: CRATON_SCHEDULER_SEEDS (both shapes) overrides the defaults.
#define BOOST_TEST_MODULE scheduler_scenario
#include <boost/test/unit_test.hpp>

#include <string>

#include "sim/scheduler/scheduler_scenario.hpp"
#include "sim/world/world.hpp"
#include "tests/sim/scenario_runs.hpp"

namespace sim = craton::sim;

namespace {

// Faults stop at 60% of the run. After that every pod must get time to be scheduled: a lost
// leader's Lease expires 15 s after its last renewal, a pod creator restarted just before the
// settle point creates its pods within 12 s, and -- the longest -- a binding sent just before
// the faults stop and answered by a time-out (5 s) keeps its room for uncertain_binding_ms
// (30 s) before the pod is tried again after its back-off (up to 10 s): about 50 s. 130 s
// leaves 52 s (90 s left 36 s; seed 1046 with 5 nodes showed the pod pending at the end).
constexpr std::int64_t kRunMs = 130000;

std::uint64_t seeds_per_shape(std::uint64_t fallback) {
  return sim::testing::seeds_from_env("CRATON_SCHEDULER_SEEDS", fallback);
}

sim::RunReport run_seed(std::uint64_t seed, std::size_t nodes, std::int64_t duration_ms) {
  return sim::testing::run_seed<sim::SchedulerScenario>(seed, nodes, duration_ms);
}

using sim::testing::failures_of;

void run_many(std::size_t nodes, std::uint64_t first, std::uint64_t seeds,
              std::int64_t duration_ms) {
  std::uint64_t failed = 0, accepted = 0, views = 0, terms = 0, converged = 0, pending = 0,
                handovers = 0, overcommitted = 0;
  for (std::uint64_t seed = first; seed < first + seeds; ++seed) {
    auto report = run_seed(seed, nodes, duration_ms);
    auto& counts = report.check.counts;
    accepted += counts["bindings_accepted"];
    views += counts["scheduler_views_judged"];
    terms += counts["leader_terms"];
    handovers += counts["terms_with_bindings"] > 1;
    converged += counts["auditors_converged"];
    pending += counts["pods_pending_at_end"];
    overcommitted += counts["views_overcommitted"];
    if (report.check.ok) continue;
    ++failed;
    BOOST_ERROR("seed " << seed << " failed; replay: craton sim --scenario scheduler --seed "
                        << seed << " --nodes " << nodes << " --duration " << duration_ms
                        << "ms --faults random --trace trace.txt" << failures_of(report));
  }
  BOOST_TEST_MESSAGE(nodes << " nodes: " << seeds << " seeds, " << failed << " failed; " << accepted
                           << " bindings accepted, " << views << " views judged, " << terms
                           << " leader terms, " << handovers
                           << " runs with bindings from two terms or more, " << converged
                           << " converged auditors, " << pending << " pods pending at the end, "
                           << overcommitted << " views overcommitted by timed-out bindings");
  BOOST_TEST(accepted > 10 * seeds);
  BOOST_TEST(views > 50 * seeds);
  BOOST_TEST(terms > seeds);
  BOOST_TEST(handovers > 0u);
  BOOST_TEST(converged > 2 * seeds);
  BOOST_TEST(pending > seeds);  // pods that fit nowhere stay pending
}

}  // namespace

// Seed 1007 (5 nodes): n1's scheduler sent three bindings to node-n4 just before a partition
// cut n1 off; the store committed them, but n1's API answered 504 (no answer from the store
// in 5 s). The scheduler freed their room, as kube-scheduler does on a binding error, and
// bound three more pods there before its informer could show the first three: node-n4 held
// 6.1 CPUs of 4. A binding answered by a time-out now keeps its room until the informer shows
// the pod bound or pending (SchedulerServiceConfig::uncertain_binding_ms).
BOOST_AUTO_TEST_CASE(five_nodes_seed_1007_timed_out_bindings_keep_their_room) {
  auto report = run_seed(1007, 5, kRunMs);
  BOOST_TEST(report.check.ok, "seed 1007 failed:" << failures_of(report));
  BOOST_TEST(report.check.counts["views_overcommitted"] == 0u);
}

// About 0.5 s of wall time per seed on one core: 2 x 100 seeds take about 2 minutes.
BOOST_AUTO_TEST_CASE(three_nodes_random_faults) {
  run_many(3, 1, seeds_per_shape(100), kRunMs);
}

BOOST_AUTO_TEST_CASE(five_nodes_random_faults) {
  run_many(5, 1001, seeds_per_shape(100), kRunMs);
}
