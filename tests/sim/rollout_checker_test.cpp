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

// A replica_sets view: each ReplicaSet's spec.replicas and metadata.generation.
Observation sets(std::int64_t t, const std::string& node,
                 std::map<std::string, std::pair<int, std::int64_t>> replicas_and_generations) {
  std::map<std::string, int> counts;
  for (const auto& [name, rg] : replicas_and_generations) counts[name] = rg.first;
  auto o = sample(t, node, WorkloadSample::Kind::replica_sets, counts);
  auto& s = std::get<WorkloadSample>(o.event);
  for (const auto& [name, rg] : replicas_and_generations) s.generations[name] = rg.second;
  return o;
}

const auto kSets = WorkloadSample::Kind::replica_sets;
const auto kPods = WorkloadSample::Kind::pods;

// A rolling update of 4 pods (surge 1, unavailable 1) from a to b, seen by n1.
RunHistory clean() {
  RunHistory h;
  h.nodes = {"n1"};
  h.final_state["n1"] = NodeFinalState{true, 0};
  h.observations = {
      sets(1, "n1", {{"a", {4, 1}}}),
      sample(2, "n1", kPods, {{"a", 4}}, 4),
      sets(3, "n1", {{"a", {3, 2}}, {"b", {2, 1}}}),
      sample(4, "n1", kPods, {{"a", 3}, {"b", 2}}, 3),
      sample(5, "n1", kPods, {{"a", 3}, {"b", 2}}, 5),
      sets(6, "n1", {{"a", {0, 3}}, {"b", {4, 2}}}),
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
  h.observations.push_back(sets(8, "n1", {{"b", {4, 2}}, {"c", {2, 1}}}));
  BOOST_TEST(fails_with(h, "more than replicas + maxSurge = 5"));
}

BOOST_AUTO_TEST_CASE(a_replica_set_with_more_pods_than_it_asked_for_fails) {
  auto h = clean();
  h.observations.insert(h.observations.begin() + 5, sample(5, "n1", kPods, {{"a", 5}}, 4));
  BOOST_TEST(fails_with(h, "ReplicaSet a has 5 active pods"));
}

// Seed 1025 (controllers, 5 nodes): a relist showed a ReplicaSet at generation 5 (2 replicas)
// after generation 3 (3), skipping generation 4 (4 replicas, gone before any auditor looked);
// its 4 pods are within what it asked for. Such a ReplicaSet is held to replicas + maxSurge.
BOOST_AUTO_TEST_CASE(a_replica_set_seen_with_a_generation_missing_is_held_to_the_surge) {
  auto h = clean();
  h.observations.push_back(sets(8, "n1", {{"b", {2, 4}}}));  // generation 3 never seen
  h.observations.push_back(sample(9, "n1", kPods, {{"b", 5}}, 4));
  BOOST_TEST(!fails_with(h, "ReplicaSet b has"));
  h.observations.push_back(sample(10, "n1", kPods, {{"b", 6}}, 4));
  BOOST_TEST(fails_with(h, "ReplicaSet b has 6 active pods, more than replicas + maxSurge = 5"));
}

// Pods seen at a revision no ReplicaSet view reached may come from a size not seen yet.
BOOST_AUTO_TEST_CASE(pods_newer_than_every_view_of_their_replica_set_are_held_to_the_surge) {
  auto h = clean();
  h.observations.push_back(sample(8, "n1", kPods, {{"b", 5}}, 4));
  BOOST_TEST(!fails_with(h, "ReplicaSet b has"));
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
