// PodTopologySpread's Filter and Score (actors/scheduler/plugins/pod_topology_spread.hpp), as
// tables after Kubernetes' podtopologyspread filtering_test.go and scoring_test.go; expected
// scores worked out by kube's formulas beside them.
#define BOOST_TEST_MODULE scheduler_pod_topology_spread
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include <map>
#include <optional>

#include "actors/scheduler/plugins/pod_topology_spread.hpp"
#include "tests/scheduler/dry_run_verdicts.hpp"
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

/// Services and controllers for default constraints (the scheduler's informers in production).
struct TestHandle final : FrameworkHandle {
  std::vector<ServiceSelector> service_list;
  std::map<std::string, api::LabelSelector> replica_sets;  ///< by name, namespace "default"
  std::span<const PodDisruptionBudget> pod_disruption_budgets() const override { return {}; }
  std::vector<std::shared_ptr<const PodInfo>> nominated_pods(std::string_view) const override {
    return {};
  }
  std::span<const ServiceSelector> services() const override { return service_list; }
  std::optional<api::LabelSelector> controller_selector(std::string_view ns,
                                                        const ControllerRef& ref) const override {
    auto it = replica_sets.find(ref.name);
    if (ns != "default" || ref.kind != ControllerKind::replica_set || it == replica_sets.end())
      return std::nullopt;
    return it->second;
  }
};

/// A Service in "default" selecting foo="" (what foo_pod carries).
TestHandle foo_service() {
  TestHandle h;
  h.service_list.push_back({"default", "foo-svc", api::Labels{{"foo", ""}}});
  return h;
}

PodTopologySpread list_defaults(const FrameworkHandle* handle,
                                std::vector<TopologySpreadConstraint> defaults) {
  for (auto& c : defaults) c.selector.reset();
  return PodTopologySpread({SpreadDefaulting::list, std::move(defaults)}, handle);
}

std::vector<std::string> filter_all(const PodInfo& pod, const std::vector<NodeInfo>& nodes,
                                    PodTopologySpread plugin = PodTopologySpread()) {
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

std::vector<std::int64_t> score_all(const PodInfo& pod, const std::vector<NodeInfo>& nodes,
                                    PodTopologySpread plugin = PodTopologySpread()) {
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

BOOST_AUTO_TEST_CASE(a_dry_run_prefilter_on_a_clone_leaves_the_original_state_its_counts) {
  // Preemption's dry run re-runs PreFilter over a list where node-a's copy lost its pods. The
  // original state was computed with node-a holding 2 (hostname domains 2, 0, 0, 0: node-a
  // 2 + 1 - 0 = 3 > 1 is rejected); after the dry run it must still reject node-a.
  auto nodes = four_nodes();
  put(nodes, 0, 2);
  PodInfo pod = foo_pod("p");
  pod.topology_spread_constraints = {constraint("kubernetes.io/hostname", 1)};
  PodTopologySpread plugin;
  auto list = pointers(nodes);
  CycleState original;
  original.set_all_nodes(list);
  BOOST_REQUIRE(plugin.pre_filter(original, pod, list).is_success());

  CycleState clone = original.clone();
  NodeInfo copy = nodes[0];
  for (const auto& p : nodes[0].pods()) BOOST_REQUIRE(copy.remove_pod(p->uid));
  std::vector<const NodeInfo*> changed = {&copy, list[1], list[2], list[3]};
  clone.set_all_nodes(changed);
  BOOST_REQUIRE(plugin.pre_filter(clone, pod, changed).is_success());

  BOOST_TEST(plugin.filter(clone, pod, copy).is_success());
  Status s = plugin.filter(original, pod, nodes[0]);
  BOOST_TEST((s.is_success() ? std::string() : std::string(s.reasons().front())) == kSkew);

  // The same through RemovePod on another clone (deltas beside the shared tables).
  CycleState told = original.clone();
  for (const auto& p : nodes[0].pods())
    BOOST_REQUIRE(plugin.remove_pod(told, pod, *p, copy).is_success());
  BOOST_TEST(plugin.filter(told, pod, copy).is_success());
  BOOST_TEST(!plugin.filter(original, pod, nodes[0]).is_success());
}

BOOST_AUTO_TEST_CASE(list_defaults_apply_to_a_pod_without_constraints_selected_by_its_service) {
  // Default zone maxSkew 1 (DoNotSchedule); zone1 holds 2 foo pods, zone2 1. The pod's Service
  // selects foo: zone1 2 + 1 - 1 = 2 > 1 rejected. No Service: no selector, no defaults.
  // Constraints of its own (hostname maxSkew 5): the defaults are not used.
  auto nodes = four_nodes();
  put(nodes, 0, 1);
  put(nodes, 1, 1);
  put(nodes, 2, 1);
  PodInfo pod = foo_pod("p");
  TestHandle service = foo_service(), none;
  auto defaults = std::vector{constraint("zone", 1)};
  BOOST_TEST(filter_all(pod, nodes, list_defaults(&service, defaults)) ==
             (Verdicts{kSkew, kSkew, "", ""}));
  BOOST_TEST(filter_all(pod, nodes, list_defaults(&none, defaults)) == (Verdicts{"", "", "", ""}));
  BOOST_TEST(filter_all(pod, nodes, list_defaults(nullptr, defaults)) ==
             (Verdicts{"", "", "", ""}));
  PodInfo own = pod;
  own.topology_spread_constraints = {constraint("kubernetes.io/hostname", 5)};
  BOOST_TEST(filter_all(own, nodes, list_defaults(&service, defaults)) ==
             (Verdicts{"", "", "", ""}));
  // A Service in another namespace, or whose selector the pod does not match, selects nothing.
  TestHandle elsewhere;
  elsewhere.service_list = {{"other", "s1", api::Labels{{"foo", ""}}},
                            {"default", "s2", api::Labels{{"foo", "x"}}},
                            {"default", "s3", std::nullopt}};
  BOOST_TEST(filter_all(pod, nodes, list_defaults(&elsewhere, defaults)) ==
             (Verdicts{"", "", "", ""}));
}

BOOST_AUTO_TEST_CASE(the_owning_replica_set_gives_the_default_selector) {
  // No Service; the pod's ReplicaSet selects foo (exists): the same spread as above.
  auto nodes = four_nodes();
  put(nodes, 0, 1);
  put(nodes, 1, 1);
  put(nodes, 2, 1);
  PodInfo pod = foo_pod("p");
  pod.controller = ControllerRef{ControllerKind::replica_set, "rs-1"};
  TestHandle h;
  h.replica_sets.emplace(
      "rs-1", api::LabelSelector::from_requirements({{"foo", api::SelectorOp::exists, {}}}));
  auto defaults = std::vector{constraint("zone", 1)};
  BOOST_TEST(filter_all(pod, nodes, list_defaults(&h, defaults)) ==
             (Verdicts{kSkew, kSkew, "", ""}));
  pod.controller = ControllerRef{ControllerKind::stateful_set, "rs-1"};  // no such StatefulSet
  BOOST_TEST(filter_all(pod, nodes, list_defaults(&h, defaults)) == (Verdicts{"", "", "", ""}));
}

/// node-a, node-b in zone1; node-x, node-y in zone2, with the well-known zone and hostname keys.
std::vector<NodeInfo> four_well_known_nodes() {
  std::vector<NodeInfo> out;
  for (auto [name, zone] : std::vector<std::pair<std::string, std::string>>{
           {"node-a", "zone1"}, {"node-b", "zone1"}, {"node-x", "zone2"}, {"node-y", "zone2"}})
    out.push_back(
        NodeInfo(name, {{"topology.kubernetes.io/zone", zone}, {"kubernetes.io/hostname", name}},
                 {}, false, {}));
  return out;
}

BOOST_AUTO_TEST_CASE(system_defaults_spread_by_hostname_and_zone_and_score_nodes_without_a_zone) {
  // Kube's System defaults: hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway. Pods a 2, b 1,
  // x 1, y 0. Weights: hostname ln(4 + 2) = 1.792, zone ln(2 + 2) = 1.386.
  //   a: 2 * 1.792 + 2 + 3 * 1.386 + 4 = 13.74 -> 14   b: 1.792 + 2 + 8.159 = 11.95 -> 12
  //   x: 3.792 + 1.386 + 4 = 9.18 -> 9                  y: 2 + 5.386 = 7.39 -> 7
  // 100 * (14 + 7 - s) / 14: 50, 64, 85, 100.
  auto nodes = four_well_known_nodes();
  put(nodes, 0, 2);
  put(nodes, 1, 1);
  put(nodes, 2, 1);
  PodInfo pod = foo_pod("p");
  TestHandle service = foo_service(), none;
  PodTopologySpread system({}, &service);
  BOOST_TEST(score_all(pod, nodes, PodTopologySpread({}, &service)) ==
             (std::vector<std::int64_t>{50, 64, 85, 100}));
  BOOST_TEST(score_all(pod, nodes, PodTopologySpread({}, &none)).empty());  // no selector
  // A node with a hostname but no zone is still scored under System defaults (kube's
  // requireAllTopologies is false): it adds the domain "" to the zone weight, ln(3 + 2) = 1.609,
  // and hostname ln(5 + 2) = 1.946.
  //   a: 2 * 1.946 + 2 + 3 * 1.609 + 4 = 14.72 -> 15   b: 3.946 + 8.828 = 12.77 -> 13
  //   x: 3.946 + 5.609 = 9.56 -> 10   y: 2 + 5.609 = 7.61 -> 8   bare: 0 + 2 (no zone) -> 2
  // 100 * (15 + 2 - s) / 15: 13, 26, 46, 60, 100.
  nodes.push_back(NodeInfo("bare", {{"kubernetes.io/hostname", "bare"}}, {}, false, {}));
  BOOST_TEST(score_all(pod, nodes, PodTopologySpread({}, &service)) ==
             (std::vector<std::int64_t>{13, 26, 46, 60, 100}));
  // The same constraints as a List: a node missing a key is ignored (0), as for own ones.
  auto listed = score_all(pod, nodes, list_defaults(&service, system_default_constraints()));
  BOOST_TEST(listed.size() == 5u);
  BOOST_TEST(listed.back() == 0);
  // The domain "" of the nodes without a zone is read only by a node whose zone label is
  // present and empty ("blank"): then it counts the pods of "bare" (2) too, as kube's pair
  // (zone, "") does. Weights: hostname ln(6 + 2) = 2.079, zone ln(3 + 2) = 1.609.
  //   a: 4.159 + 2 + 4.828 + 4 = 14.99 -> 15   b: 4.079 + 8.828 = 12.91 -> 13
  //   x: 4.079 + 5.609 = 9.69 -> 10   y: 2 + 5.609 = 7.61 -> 8   bare: 6.159 -> 6 (no zone)
  //   blank: 0 + 2 + 2 * 1.609 + 4 = 9.22 -> 9
  // 100 * (15 + 6 - s) / 15: 40, 53, 73, 86, 100, 80.
  put(nodes, 4, 2);
  nodes.push_back(
      NodeInfo("blank", {{"kubernetes.io/hostname", "blank"}, {"topology.kubernetes.io/zone", ""}},
               {}, false, {}));
  BOOST_TEST(score_all(pod, nodes, PodTopologySpread({}, &service)) ==
             (std::vector<std::int64_t>{40, 53, 73, 86, 100, 80}));
}

BOOST_AUTO_TEST_CASE(match_label_keys_narrow_the_selector_to_the_pods_own_values) {
  // zone1 holds 2 foo pods of rev 1, zone2 2 of rev 2. Without matchLabelKeys both zones hold
  // 2: 2 + 1 - 2 = 1 fits everywhere. With matchLabelKeys [rev] a rev-2 pod counts zone1 0,
  // zone2 2: zone2 2 + 1 - 0 = 3 > 1 rejected. A key the pod lacks adds nothing.
  auto nodes = four_nodes();
  for (int i = 0; i < 4; ++i) {
    PodInfo p = foo_pod("r" + std::to_string(i));
    p.labels["rev"] = i < 2 ? "1" : "2";
    nodes[i < 2 ? 0 : 2].add_pod(std::make_shared<PodInfo>(p));
  }
  PodInfo pod = foo_pod("p");
  pod.labels["rev"] = "2";
  pod.topology_spread_constraints = {constraint("zone", 1)};
  BOOST_TEST(filter_all(pod, nodes) == (Verdicts{"", "", "", ""}));
  pod.topology_spread_constraints[0].match_label_keys = {"rev"};
  BOOST_TEST(filter_all(pod, nodes) == (Verdicts{"", "", kSkew, kSkew}));
  pod.topology_spread_constraints[0].match_label_keys = {"absent"};
  BOOST_TEST(filter_all(pod, nodes) == (Verdicts{"", "", "", ""}));
}

BOOST_AUTO_TEST_CASE(node_taints_policy_honor_leaves_untolerated_nodes_out_of_the_domains) {
  // By hostname, pods a 1, b 1, x 1, y 0; y has an untolerated NoSchedule taint.
  // Ignore (default): min 0 (y): a, b, x 1 + 1 - 0 = 2 > 1. Honor: y is no domain, min 1: all fit.
  auto nodes = four_nodes();
  put(nodes, 0, 1);
  put(nodes, 1, 1);
  put(nodes, 2, 1);
  nodes[3] = NodeInfo("node-y", nodes[3].labels(),
                      {make_taint("dedicated", "x", TaintEffect::no_schedule)}, false, {});
  PodInfo pod = foo_pod("p");
  pod.topology_spread_constraints = {constraint("kubernetes.io/hostname", 1)};
  BOOST_TEST(filter_all(pod, nodes) == (Verdicts{kSkew, kSkew, kSkew, ""}));
  pod.topology_spread_constraints[0].node_taints_policy_honor = true;
  BOOST_TEST(filter_all(pod, nodes) == (Verdicts{"", "", "", ""}));
  // A toleration puts y back.
  pod.tolerations.push_back({"dedicated", TolerationOperator::exists, "", TaintEffect::none, {}});
  BOOST_TEST(filter_all(pod, nodes) == (Verdicts{kSkew, kSkew, kSkew, ""}));
}

BOOST_AUTO_TEST_CASE(args_are_checked_as_kubernetes_validates_them) {
  auto c = [](std::string key, std::int32_t skew, WhenUnsatisfiable w) {
    TopologySpreadConstraint out;
    out.topology_key = std::move(key);
    out.max_skew = skew;
    out.when_unsatisfiable = w;
    return out;
  };
  const auto soft = WhenUnsatisfiable::schedule_anyway, hard = WhenUnsatisfiable::do_not_schedule;
  auto with_selector = c("zone", 1, hard);
  with_selector.selector = api::LabelSelector::from_requirements({});
  struct Case {
    PodTopologySpreadArgs args;
    std::string error;  ///< "" valid, else a part of the message
  };
  std::vector<Case> cases = {
      {{}, ""},
      {{SpreadDefaulting::list, {}}, ""},
      {{SpreadDefaulting::list, {c("zone", 1, hard), c("zone", 2, soft)}}, ""},
      {{SpreadDefaulting::system, {c("zone", 1, hard)}}, "when .defaultConstraints are not empty"},
      {{SpreadDefaulting::list, {c("zone", 0, hard)}}, "defaultConstraints[0].maxSkew"},
      {{SpreadDefaulting::list, {c("", 1, hard)}}, "defaultConstraints[0].topologyKey"},
      {{SpreadDefaulting::list, {with_selector}}, "must not define a selector"},
      {{SpreadDefaulting::list, {c("zone", 1, hard), c("zone", 3, hard)}}, "Duplicate"},
  };
  for (const auto& k : cases) {
    auto r = validate(k.args);
    BOOST_TEST(bool(r) == k.error.empty());
    if (!r) BOOST_TEST(r.error().message.find(k.error) != std::string::npos, r.error().message);
  }
  std::any wrong = 3;
  ResourceNames names;
  BOOST_TEST(!make_pod_topology_spread(PluginContext{&wrong, names}));
}

namespace {

/// One dry-run change: a pod added to or removed from a node.
struct SpreadDryRun {
  std::string name;
  std::vector<NodeInfo> nodes;
  PodInfo pod;
  std::size_t node = 0;
  PodInfo changed;
  bool added = false;
};

Verdicts spread_after_change(const SpreadDryRun& c, PodCounting counting, bool incremental) {
  PodTopologySpread plugin(counting);
  return verdicts_after_change(plugin, c.nodes, c.pod, {c.node, c.changed, c.added}, incremental);
}

std::vector<SpreadDryRun> spread_dry_runs() {
  auto with = [](std::vector<std::pair<std::size_t, int>> counts, bool bare = false) {
    auto nodes = four_nodes();
    for (auto [node, n] : counts) put(nodes, node, n);
    if (bare) nodes.push_back(NodeInfo("bare", {}, {}, false, {}));
    return nodes;
  };
  PodInfo zone_pod = foo_pod("p");
  zone_pod.topology_spread_constraints = {constraint("zone", 1)};
  PodInfo host_pod = foo_pod("p");
  host_pod.topology_spread_constraints = {constraint("kubernetes.io/hostname", 1)};
  PodInfo both_pod = foo_pod("p");  // two constraints: the walk, every key required
  both_pod.topology_spread_constraints = {constraint("zone", 1),
                                          constraint("kubernetes.io/hostname", 2)};
  PodInfo zone2_only = zone_pod;  // nodeAffinityPolicy Honor: only zone2's nodes count
  zone2_only.node_selector = {{"zone", "zone2"}};
  PodInfo min_domains = zone_pod;
  min_domains.topology_spread_constraints[0].min_domains = 2;
  PodInfo other_ns = foo_pod("o", "other");
  PodInfo unlabeled = foo_pod("u");
  unlabeled.labels.clear();
  auto victim = [](const std::vector<NodeInfo>& nodes, std::size_t node) {
    return *nodes[node].pods().front();
  };
  std::vector<SpreadDryRun> out;
  auto nodes = with({{0, 2}, {2, 1}});
  out.push_back({"removing from the fuller zone lets the other in", nodes, zone_pod, 0,
                 victim(nodes, 0), false});
  nodes = with({{0, 1}, {2, 1}});
  out.push_back({"removing the only pod of a zone lowers the minimum", nodes, zone_pod, 2,
                 victim(nodes, 2), false});
  nodes = with({{0, 1}});
  out.push_back(
      {"adding to the empty zone raises the minimum", nodes, zone_pod, 3, foo_pod("new"), true});
  out.push_back({"adding to the full zone closes it", nodes, zone_pod, 1, foo_pod("new"), true});
  nodes = with({{0, 1}, {1, 1}, {2, 1}});
  out.push_back(
      {"per host: removing one opens the host", nodes, host_pod, 0, victim(nodes, 0), false});
  out.push_back({"a pod of another namespace changes nothing", nodes, zone_pod, 3, other_ns, true});
  out.push_back(
      {"a pod the selector does not match changes nothing", nodes, zone_pod, 3, unlabeled, true});
  nodes = with({{0, 2}, {2, 1}, {3, 1}}, true);
  out.push_back(
      {"two constraints: removing from zone1", nodes, both_pod, 0, victim(nodes, 0), false});
  out.push_back({"two constraints: adding to zone2", nodes, both_pod, 2, foo_pod("new"), true});
  nodes = with({{0, 3}, {2, 1}});
  out.push_back(
      {"an excluded node's change is not counted", nodes, zone2_only, 0, victim(nodes, 0), false});
  out.push_back({"an included node's change is", nodes, zone2_only, 2, victim(nodes, 2), false});
  nodes = with({{0, 1}});
  out.push_back({"minDomains: a second domain gets its first pod", nodes, min_domains, 2,
                 foo_pod("new"), true});
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(incremental_dry_runs_equal_prefilter_run_again) {
  // Preemption's dry runs tell PodTopologySpread of each victim removed (and given back)
  // through AddPod/RemovePod; Filter must then answer what a full PreFilter over the changed
  // node list would, on both counting paths (one constraint: the index; two: the walk).
  PodTopologySpread plugin;
  BOOST_REQUIRE(plugin.pre_filter_extensions() != nullptr);
  std::size_t changed_verdicts = 0;
  for (const auto& c : spread_dry_runs()) {
    for (auto counting : {PodCounting::indexed, PodCounting::every_pod}) {
      BOOST_TEST_CONTEXT(c.name << (counting == PodCounting::indexed ? " (indexed)" : " (walk)")) {
        BOOST_TEST(spread_after_change(c, counting, true) ==
                   spread_after_change(c, counting, false));
      }
    }
    if (spread_after_change(c, PodCounting::indexed, true) != filter_all(c.pod, c.nodes))
      ++changed_verdicts;
  }
  BOOST_TEST(changed_verdicts >= 6u);  // the cases change what Filter answers, mostly
}
