// PodTopologySpread's Filter and Score (actors/scheduler/plugins/pod_topology_spread.hpp), as
// tables after Kubernetes' podtopologyspread filtering_test.go and scoring_test.go; expected
// scores worked out by kube's formulas beside them.
#define BOOST_TEST_MODULE scheduler_pod_topology_spread
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include "actors/scheduler/plugins/pod_topology_spread.hpp"
#include "tests/scheduler/model_builders.hpp"

namespace api = craton::api;
using namespace craton::scheduler;
using namespace craton::scheduler::testing;

namespace {

TopologySpreadConstraint constraint(std::string key, std::int32_t max_skew,
                                    WhenUnsatisfiable when = WhenUnsatisfiable::do_not_schedule) {
  TopologySpreadConstraint c;
  c.topology_key = std::move(key);
  c.max_skew = max_skew;
  c.when_unsatisfiable = when;
  c.selector = api::LabelSelector::from_requirements({{"foo", api::SelectorOp::exists, {}}});
  return c;
}

PodInfo foo_pod(std::string name, std::string ns = "default") {
  PodInfo p = pod_requesting(0, 0, std::move(name));
  p.labels = {{"foo", ""}};
  p.namespace_ = std::move(ns);
  return p;
}

/// node-a, node-b in zone1; node-x, node-y in zone2; each with its hostname label.
std::vector<NodeInfo> four_nodes() {
  std::vector<NodeInfo> out;
  for (auto [name, zone] : std::vector<std::pair<std::string, std::string>>{
           {"node-a", "zone1"}, {"node-b", "zone1"}, {"node-x", "zone2"}, {"node-y", "zone2"}})
    out.push_back(
        NodeInfo(name, {{"zone", zone}, {"kubernetes.io/hostname", name}}, {}, false, {}));
  return out;
}

void put(std::vector<NodeInfo>& nodes, std::size_t node, int count, std::string ns = "default") {
  for (int i = 0; i < count; ++i)
    nodes[node].add_pod(
        std::make_shared<PodInfo>(foo_pod(nodes[node].name() + "-" + std::to_string(i) + ns, ns)));
}

std::vector<std::string> filter_all(const PodInfo& pod, const std::vector<NodeInfo>& nodes) {
  PodTopologySpread plugin;
  CycleState state;
  auto list = pointers(nodes);
  state.set_all_nodes(list);
  Status pre = plugin.pre_filter(state, pod, list);
  std::vector<std::string> out;
  for (const auto& n : nodes) {
    if (pre.is_skip()) {
      out.push_back("");
      continue;
    }
    Status s = plugin.filter(state, pod, n);
    out.push_back(s.is_success() ? "" : std::string(s.reasons().front()));
  }
  return out;
}

std::vector<std::int64_t> score_all(const PodInfo& pod, const std::vector<NodeInfo>& nodes) {
  PodTopologySpread plugin;
  CycleState state;
  auto list = pointers(nodes);
  state.set_all_nodes(list);
  if (plugin.pre_score(state, pod, list).is_skip()) return {};
  std::vector<NodeScore> scores;
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    std::int64_t s = 0;
    BOOST_REQUIRE(plugin.score(state, pod, nodes[i], s).is_success());
    scores.push_back({i, s});
  }
  BOOST_REQUIRE(plugin.normalize_score(state, pod, scores).is_success());
  std::vector<std::int64_t> out;
  for (const auto& s : scores) out.push_back(s.score);
  return out;
}

const std::string kSkew = "node(s) didn't match pod topology spread constraints";
const std::string kMissing =
    "node(s) didn't match pod topology spread constraints (missing required label)";
using Verdicts = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_CASE(hard_constraint_keeps_the_skew_within_max_skew) {
  // kube's "pods spread across zones as 2/1": zone1 holds 2 matching pods, zone2 1; maxSkew 1.
  //   zone1: 2 + 1 (the pod matches) - 1 (min) = 2 > 1 -> rejected; zone2: 1 + 1 - 1 = 1 fits.
  auto nodes = four_nodes();
  put(nodes, 0, 1);
  put(nodes, 1, 1);
  put(nodes, 2, 1);
  PodInfo pod = foo_pod("p");
  pod.topology_spread_constraints = {constraint("zone", 1)};
  BOOST_TEST(filter_all(pod, nodes) == (Verdicts{kSkew, kSkew, "", ""}));
  // maxSkew 2: zone1 2 + 1 - 1 = 2 fits.
  pod.topology_spread_constraints = {constraint("zone", 2)};
  BOOST_TEST(filter_all(pod, nodes) == (Verdicts{"", "", "", ""}));
  // A pod that does not match its own selector adds nothing: zone1 2 + 0 - 1 = 1 fits.
  PodInfo other = pod_requesting(0, 0, "other");
  other.topology_spread_constraints = {constraint("zone", 1)};
  BOOST_TEST(filter_all(other, nodes) == (Verdicts{"", "", "", ""}));
}

BOOST_AUTO_TEST_CASE(by_hostname_each_node_is_a_domain) {
  // Per node 1, 1, 1, 0: min 0; a node with one: 1 + 1 - 0 = 2 > 1; node-y fits.
  auto nodes = four_nodes();
  put(nodes, 0, 1);
  put(nodes, 1, 1);
  put(nodes, 2, 1);
  PodInfo pod = foo_pod("p");
  pod.topology_spread_constraints = {constraint("kubernetes.io/hostname", 1)};
  BOOST_TEST(filter_all(pod, nodes) == (Verdicts{kSkew, kSkew, kSkew, ""}));
}

BOOST_AUTO_TEST_CASE(pods_of_other_namespaces_are_not_counted_and_nodes_need_the_key) {
  // zone1's pods are in another namespace: zone1 0, zone2 1 -> zone2 1 + 1 - 0 = 2 > 1.
  auto nodes = four_nodes();
  put(nodes, 0, 3, "other");
  put(nodes, 2, 1);
  nodes.push_back(NodeInfo("bare", {}, {}, false, {}));
  PodInfo pod = foo_pod("p");
  pod.topology_spread_constraints = {constraint("zone", 1)};
  BOOST_TEST(filter_all(pod, nodes) == (Verdicts{"", "", kSkew, kSkew, kMissing}));
}

BOOST_AUTO_TEST_CASE(fewer_domains_than_min_domains_make_the_global_minimum_zero) {
  // Both zones hold 1: min 1, every node fits (1 + 1 - 1 = 1). With minDomains 3 (only 2
  // domains) the minimum counts as 0: 1 + 1 - 0 = 2 > 1 everywhere.
  auto nodes = four_nodes();
  put(nodes, 0, 1);
  put(nodes, 2, 1);
  PodInfo pod = foo_pod("p");
  pod.topology_spread_constraints = {constraint("zone", 1)};
  BOOST_TEST(filter_all(pod, nodes) == (Verdicts{"", "", "", ""}));
  pod.topology_spread_constraints[0].min_domains = 3;
  BOOST_TEST(filter_all(pod, nodes) == (Verdicts{kSkew, kSkew, kSkew, kSkew}));
}

BOOST_AUTO_TEST_CASE(node_affinity_policy_decides_which_nodes_count) {
  // The pod may only run in zone2 (nodeSelector); zone2 holds 2 matching pods, zone1 none.
  // Honor (default): only zone2's nodes count, min 2: 2 + 1 - 2 = 1 fits.
  // Ignore: zone1 counts as a domain with 0, min 0: 2 + 1 - 0 = 3 > 1 rejects zone2.
  auto nodes = four_nodes();
  put(nodes, 2, 2);
  PodInfo pod = foo_pod("p");
  pod.node_selector = {{"zone", "zone2"}};
  pod.topology_spread_constraints = {constraint("zone", 1)};
  auto verdicts = filter_all(pod, nodes);
  BOOST_TEST(verdicts[2] == "");
  pod.topology_spread_constraints[0].node_affinity_policy_honor = false;
  verdicts = filter_all(pod, nodes);
  BOOST_TEST(verdicts[2] == kSkew);
}

BOOST_AUTO_TEST_CASE(soft_constraint_scores_emptier_domains_higher) {
  // Pods per node a 2, b 1, x 1, y 0 -> zone1 3, zone2 1; zone constraint maxSkew 1,
  // 2 domains: weight ln(2 + 2) = 1.386. zone1: 3 * 1.386 = 4.16 -> 4; zone2: 1.386 -> 1.
  // Normalised 100 * (max + min - s) / max = 100 * (5 - s) / 4: zone1 25, zone2 100.
  auto nodes = four_nodes();
  put(nodes, 0, 2);
  put(nodes, 1, 1);
  put(nodes, 2, 1);
  PodInfo pod = foo_pod("p");
  pod.topology_spread_constraints = {constraint("zone", 1, WhenUnsatisfiable::schedule_anyway)};
  BOOST_TEST(score_all(pod, nodes) == (std::vector<std::int64_t>{25, 25, 100, 100}));
  // By hostname: 4 nodes, weight ln(6) = 1.792: a 3.58 -> 4, b 1.79 -> 2, x 2, y 0;
  // 100 * (4 + 0 - s) / 4 -> 0, 50, 50, 100.
  pod.topology_spread_constraints = {
      constraint("kubernetes.io/hostname", 1, WhenUnsatisfiable::schedule_anyway)};
  BOOST_TEST(score_all(pod, nodes) == (std::vector<std::int64_t>{0, 50, 50, 100}));
  // A node without the key is ignored (0); maxSkew 3 adds 2 to every scored node:
  // zone1 4.16 + 2 -> 6, zone2 1.39 + 2 -> 3; 100 * (9 - s) / 6: 50, 100.
  nodes.push_back(NodeInfo("bare", {}, {}, false, {}));
  pod.topology_spread_constraints = {constraint("zone", 3, WhenUnsatisfiable::schedule_anyway)};
  BOOST_TEST(score_all(pod, nodes) == (std::vector<std::int64_t>{50, 50, 100, 100, 0}));
  // Hard constraints do not score.
  pod.topology_spread_constraints = {constraint("zone", 1)};
  BOOST_TEST(score_all(pod, nodes).empty());
}
