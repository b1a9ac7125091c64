// The "controllers" scenario end to end: on 3- and 5-node clusters under random faults (crashes
// and restarts, partitions, loss, duplication, disk and clock faults), the API actors and the
// leader-elected controller managers roll Deployments out again and again while a fake kubelet
// makes pods ready. Judged by the store checker and the rollout checker: never more than
// replicas + maxSurge pods asked for, never a ReplicaSet with more pods than it asked for, never
// fewer than replicas - maxUnavailable Ready once all were, every rollout complete at the end.
// Not vacuous: rollouts happen, auditors' views are checked and converge.
#define BOOST_TEST_MODULE controllers_scenario
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>
#include <string>

#include "sim/controllers/controllers_scenario.hpp"
#include "sim/world/world.hpp"
#include "tests/sim/scenario_runs.hpp"

namespace sim = craton::sim;

namespace {

// Long enough that a leader lost in the faults is replaced (15 s lease) and its rollouts
// finish after the settle point (60% of the run): 90 s sufficed until the manager ran every
// controller (events, endpoints, ... add writes); on 3 nodes seed 83 then needed more. 5 nodes
// ran 90 s while seed 1015 failed the store's progress check at 120 s (see the seed's case).
constexpr std::int64_t kThreeNodesMs = 120000;
constexpr std::int64_t kFiveNodesMs = 120000;

std::uint64_t seeds_per_shape(std::uint64_t fallback) {
  return sim::testing::seeds_from_env("CRATON_CONTROLLERS_SEEDS", fallback);
}

sim::RunReport run_seed(std::uint64_t seed, std::size_t nodes, std::int64_t duration_ms) {
  return sim::testing::run_seed<sim::ControllersScenario>(seed, nodes, duration_ms);
}

using sim::testing::failures_of;

// Seeds that fail for a reason not fixed yet, each with what it shows: such a seed is reported,
// not counted; one that passes fails the test, so that it leaves this list when it is fixed.
// (Empty now: 1025 was the checker's, a relist that skipped a ReplicaSet's transient size;
// sim_rollout_checker a_replica_set_seen_with_a_generation_missing_is_held_to_the_surge.)
const std::map<std::uint64_t, const char*> kKnownFailures = {};

void run_many(std::size_t nodes, std::uint64_t first, std::uint64_t seeds,
              std::int64_t duration_ms) {
  std::uint64_t failed = 0, rollouts = 0, samples = 0, converged = 0, deletions = 0, judged = 0;
  for (std::uint64_t seed = first; seed < first + seeds; ++seed) {
    auto report = run_seed(seed, nodes, duration_ms);
    rollouts += report.check.counts["rollouts"];
    samples += report.check.counts["workload_samples"];
    converged += report.check.counts["converged_views"];
    deletions += report.check.counts["deletions"];
    judged += report.check.counts["ownership_views_judged"];
    auto known = kKnownFailures.find(seed);
    if (known != kKnownFailures.end()) {
      BOOST_TEST(!report.check.ok, "seed " << seed << " passes now: take it off kKnownFailures");
      if (!report.check.ok)
        BOOST_TEST_MESSAGE("seed " << seed << " fails as known: " << known->second);
      continue;
    }
    if (report.check.ok) continue;
    ++failed;
    auto why = failures_of(report);
    BOOST_ERROR("seed " << seed << " failed; replay: craton sim --scenario controllers --seed "
                        << seed << " --nodes " << nodes << " --duration " << duration_ms
                        << "ms --faults random --trace trace.txt" << why);
  }
  BOOST_TEST_MESSAGE(nodes << " nodes: " << seeds << " seeds, " << failed << " failed; " << rollouts
                           << " rollouts, " << samples << " samples, " << converged
                           << " converged views; " << deletions << " deletions, " << judged
                           << " ownership views judged");
  BOOST_TEST(rollouts > seeds);  // more than one rollout per run on average
  BOOST_TEST(samples > 50 * seeds);
  BOOST_TEST(converged > 2 * seeds);
  BOOST_TEST(deletions > 2 * seeds);  // most deleters finish their script
  BOOST_TEST(judged > 2 * seeds);
}

}  // namespace

// Seed 1015 (5 nodes, 120 s): the faults leave n5 down for good and n1 (paused 46 s, then
// stopped by its disk) and n2 (stopped by its disk) far behind the log that n3 and n4 keep and
// compact, so the only quorum after the settle point needs n1 or n2 caught up by a snapshot
// transfer. With the store scenario's 512-byte chunks (one API object each, four per round
// trip) each transfer of this scenario's ~1 MiB of history took about 50 s: no store operation
// completed from the settle point (72 s) to 126 s. The scenario's chunks must carry several
// objects each, so that catch-up takes a few seconds.
BOOST_AUTO_TEST_CASE(five_nodes_seed_1015_catches_followers_up_by_snapshot_after_the_faults) {
  auto report = run_seed(1015, 5, 120000);
  BOOST_TEST(report.check.ok, "seed 1015 failed:" << failures_of(report));
  std::set<std::string> installed;  // not vacuous: n1 and n2 did catch up through snapshots
  for (const auto& o : report.history.observations)
    if (const auto* text = std::get_if<sim::TextEvent>(&o.event);
        text && text->text.rfind("raft snapshot ", 0) == 0)
      installed.insert(o.node);
  BOOST_TEST(installed.count("n1") == 1u);
  BOOST_TEST(installed.count("n2") == 1u);
}

BOOST_AUTO_TEST_CASE(five_nodes_seed_1035_api_writes_leave_a_crashed_leader) {
  // The store leader the API actors knew (n5) crashed for good; every API write went to it and
  // timed out until the end, so no controller manager could take the lease and no rollout
  // finished. StoreCalls now asks its local replica after a call to the leader expires.
  auto report = run_seed(1035, 5, 120000);
  BOOST_TEST(report.check.ok, "seed 1035 failed:" << failures_of(report));
}

BOOST_AUTO_TEST_CASE(three_nodes_random_faults) {
  run_many(3, 1, seeds_per_shape(100), kThreeNodesMs);
}

BOOST_AUTO_TEST_CASE(five_nodes_random_faults) {
  run_many(5, 1001, seeds_per_shape(30), kFiveNodesMs);
}
