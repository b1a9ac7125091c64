// The rollout checker (sim/controllers/rollout_checker.hpp) on fabricated histories: each bound it
// states fails a history that breaks it, and a clean rollout passes.
#define BOOST_TEST_MODULE sim_rollout_checker
#include <boost/test/unit_test.hpp>

#include "sim/controllers/rollout_checker.hpp"

using namespace craton::sim;

namespace {

Observation sample(std::int64_t t, const std::string& node, WorkloadSample::Kind kind,
                   std::map<std::string, int> counts, int ready = 0, std::uint64_t inc = 0) {
  WorkloadSample s;
  s.kind = kind;
  s.workload = "d-n1";
  s.revision = t;
  s.counts = std::move(counts);
  s.ready = ready;
  return Observation{t, node, inc, s};
}

const auto kSets = WorkloadSample::Kind::replica_sets;
const auto kPods = WorkloadSample::Kind::pods;

// A rolling update of 4 pods (surge 1, unavailable 1) from a to b, seen by n1.
RunHistory clean() {
  RunHistory h;
  h.nodes = {"n1"};
  h.final_state["n1"] = NodeFinalState{true, 0};
  h.observations = {
      sample(1, "n1", kSets, {{"a", 4}}),
      sample(2, "n1", kPods, {{"a", 4}}, 4),
      sample(3, "n1", kSets, {{"a", 3}, {"b", 2}}),
      sample(4, "n1", kPods, {{"a", 3}, {"b", 2}}, 3),
      sample(5, "n1", kPods, {{"a", 3}, {"b", 2}}, 5),
      sample(6, "n1", kSets, {{"a", 0}, {"b", 4}}),
      sample(7, "n1", kPods, {{"b", 4}}, 4),
  };
  return h;
}

bool fails_with(const RunHistory& h, const std::string& words) {
  auto r = check_rollouts(h, RolloutBounds{4, 1, 1});
  for (const auto& f : r.failures)
    if (f.find(words) != std::string::npos) return true;
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_clean_rollout_passes) {
  auto r = check_rollouts(clean(), RolloutBounds{4, 1, 1});
  BOOST_TEST(r.ok);
  BOOST_TEST(r.counts["rollouts"] == 1u);
  BOOST_TEST(r.counts["converged_views"] == 1u);
}

BOOST_AUTO_TEST_CASE(asking_for_more_than_the_surge_fails) {
  auto h = clean();
  h.observations.push_back(sample(8, "n1", kSets, {{"b", 4}, {"c", 2}}));
  BOOST_TEST(fails_with(h, "more than replicas + maxSurge = 5"));
}

BOOST_AUTO_TEST_CASE(a_replica_set_with_more_pods_than_it_asked_for_fails) {
  auto h = clean();
  h.observations.insert(h.observations.begin() + 5, sample(5, "n1", kPods, {{"a", 5}}, 4));
  BOOST_TEST(fails_with(h, "ReplicaSet a has 5 active pods"));
}

BOOST_AUTO_TEST_CASE(too_few_ready_after_all_were_fails_but_not_before) {
  auto h = clean();
  h.observations.insert(h.observations.begin() + 4, sample(4, "n1", kPods, {{"a", 2}}, 2));
  BOOST_TEST(fails_with(h, "2 pods Ready, fewer than replicas - maxUnavailable = 3"));
  // A restarted auditor starts from nothing: its first views are not held to the bound.
  auto fresh = clean();
  fresh.observations.insert(fresh.observations.begin() + 4,
                            sample(4, "n1", kPods, {{"a", 1}}, 1, 1));
  fresh.final_state["n1"] = NodeFinalState{true, 0};
  BOOST_TEST(!fails_with(fresh, "pods Ready, fewer"));
}

BOOST_AUTO_TEST_CASE(a_rollout_left_unfinished_fails_for_a_live_auditor_only) {
  auto h = clean();
  h.observations.pop_back();  // the last view shows a and b
  BOOST_TEST(fails_with(h, "the rollout never completed"));
  h.final_state["n1"] = NodeFinalState{false, 0};  // that auditor is down at the end
  BOOST_TEST(!fails_with(h, "the rollout never completed"));
}
