// The default plugins' Filter and Score (actors/scheduler/plugins/), as tables whose expected
// values follow Kubernetes' documented behaviour and its own test tables
// (pkg/scheduler/framework/plugins/*/..._test.go); each expected score is worked out by kube's
// formula in the comment beside it.
#define BOOST_TEST_MODULE scheduler_plugins
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include "actors/scheduler/framework/cycle_state.hpp"
#include "actors/scheduler/plugins/balanced_allocation.hpp"
#include "actors/scheduler/plugins/node_affinity.hpp"
#include "actors/scheduler/plugins/node_name.hpp"
#include "actors/scheduler/plugins/node_ports.hpp"
#include "actors/scheduler/plugins/node_resources_fit.hpp"
#include "actors/scheduler/plugins/node_unschedulable.hpp"
#include "actors/scheduler/plugins/priority_sort.hpp"
#include "actors/scheduler/plugins/taint_toleration.hpp"
#include "tests/scheduler/model_builders.hpp"
#include "tests/scheduler/score_helpers.hpp"

namespace api = craton::api;
using namespace craton::scheduler;
using namespace craton::scheduler::testing;

namespace {

/// Runs PreScore, Score and NormalizeScore of one plugin over the nodes, as the framework does.
template <class P>
std::vector<std::int64_t> scores_of(P& plugin, const PodInfo& pod,
                                    const std::vector<NodeInfo>& nodes) {
  CycleState state;
  auto list = pointers(nodes);
  if constexpr (std::is_base_of_v<PreScorePlugin, P>) {
    Status s = plugin.pre_score(state, pod, list);
    BOOST_REQUIRE(s.is_success());
  }
  return normalized_scores(plugin, state, pod, nodes);
}

std::vector<std::string> reasons_of(const Status& s) {
  return {s.reasons().begin(), s.reasons().end()};
}

std::unique_ptr<NodeResourcesFit> fit(ResourceNames& names, NodeResourcesFitArgs args = {}) {
  auto p = NodeResourcesFit::create(args, names);
  BOOST_REQUIRE(p.ok());
  return std::move(*p);
}

NodeSelectorTerm term(std::vector<api::Requirement> expressions,
                      std::vector<FieldRequirement> fields = {}) {
  return {std::move(expressions), std::move(fields), true};
}

}  // namespace

BOOST_AUTO_TEST_CASE(priority_sort_puts_higher_priority_first_then_earlier_arrival) {
  PodInfo high = pod_requesting(0, 0, "high"), low = pod_requesting(0, 0, "low");
  high.priority = 100;
  low.priority = 10;
  PrioritySort sort;
  BOOST_TEST(sort.less({&high, 50, 0}, {&low, 10, 0}));
  BOOST_TEST(!sort.less({&low, 10, 0}, {&high, 50, 0}));
  PodInfo same = pod_requesting(0, 0, "same");
  same.priority = 100;
  BOOST_TEST(sort.less({&high, 10, 0}, {&same, 20, 0}));
  BOOST_TEST(!sort.less({&high, 20, 0}, {&same, 10, 0}));
}

BOOST_AUTO_TEST_CASE(node_unschedulable_rejects_cordoned_nodes_unless_tolerated) {
  NodeUnschedulable plugin;
  CycleState state;
  NodeInfo cordoned("n1", {}, {}, true, Resources{});
  NodeInfo open("n2", {}, {}, false, Resources{});
  PodInfo pod = pod_requesting(0, 0);
  Status s = plugin.filter(state, pod, cordoned);
  BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Code::unschedulable_and_unresolvable));
  BOOST_TEST(reasons_of(s) == std::vector<std::string>{"node(s) were unschedulable"});
  BOOST_TEST(plugin.filter(state, pod, open).is_success());
  pod.tolerations.push_back({"node.kubernetes.io/unschedulable", TolerationOperator::exists, "",
                             TaintEffect::no_schedule, std::nullopt});
  BOOST_TEST(plugin.filter(state, pod, cordoned).is_success());
}

BOOST_AUTO_TEST_CASE(node_name_admits_only_the_named_node) {
  NodeName plugin;
  CycleState state;
  PodInfo pod = pod_requesting(0, 0);
  auto a = node_with("a", 1000, 1000), b = node_with("b", 1000, 1000);
  BOOST_TEST(plugin.filter(state, pod, a).is_success());  // no nodeName: every node
  pod.node_name = "b";
  BOOST_TEST(reasons_of(plugin.filter(state, pod, a)) ==
             std::vector<std::string>{"node(s) didn't match the requested node name"});
  BOOST_TEST(plugin.filter(state, pod, b).is_success());
}

BOOST_AUTO_TEST_CASE(taint_toleration_filter_table) {
  struct Case {
    std::string name;
    std::vector<Taint> taints;
    std::vector<Toleration> tolerations;
    std::string reason;  // "" : fits
  };
  auto no_schedule = make_taint("dedicated", "user1", TaintEffect::no_schedule);
  auto prefer = make_taint("dedicated", "user1", TaintEffect::prefer_no_schedule);
  auto no_execute = make_taint("gpu", "yes", TaintEffect::no_execute);
  std::vector<Case> cases = {
      {"no taints", {}, {}, ""},
      {"untolerated NoSchedule",
       {no_schedule},
       {},
       "node(s) had untolerated taint {dedicated: user1}"},
      {"Equal with the value",
       {no_schedule},
       {{"dedicated", TolerationOperator::equal, "user1", TaintEffect::no_schedule, {}}},
       ""},
      {"Equal with another value",
       {no_schedule},
       {{"dedicated", TolerationOperator::equal, "user2", TaintEffect::no_schedule, {}}},
       "node(s) had untolerated taint {dedicated: user1}"},
      {"Exists on the key",
       {no_schedule},
       {{"dedicated", TolerationOperator::exists, "", TaintEffect::none, {}}},
       ""},
      {"empty key with Exists tolerates all",
       {no_schedule, no_execute},
       {{"", TolerationOperator::exists, "", TaintEffect::none, {}}},
       ""},
      {"effect must match",
       {no_schedule},
       {{"dedicated", TolerationOperator::equal, "user1", TaintEffect::no_execute, {}}},
       "node(s) had untolerated taint {dedicated: user1}"},
      {"PreferNoSchedule never filters", {prefer}, {}, ""},
      {"NoExecute filters", {no_execute}, {}, "node(s) had untolerated taint {gpu: yes}"},
      {"the first untolerated taint is named",
       {no_schedule, no_execute},
       {{"dedicated", TolerationOperator::exists, "", TaintEffect::none, {}}},
       "node(s) had untolerated taint {gpu: yes}"},
  };
  TaintToleration plugin;
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      NodeInfo node("n", {}, c.taints, false, Resources{});
      PodInfo pod = pod_requesting(0, 0);
      pod.tolerations = c.tolerations;
      CycleState state;
      Status s = plugin.filter(state, pod, node);
      if (c.reason.empty()) {
        BOOST_TEST(s.is_success());
      } else {
        BOOST_TEST(static_cast<int>(s.code()) ==
                   static_cast<int>(Code::unschedulable_and_unresolvable));
        BOOST_TEST(reasons_of(s) == std::vector<std::string>{c.reason});
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(taint_toleration_score_counts_intolerable_prefer_no_schedule_reversed) {
  // Kubernetes' "the more intolerable taints a node has, the lower its score": raw counts
  // {0, 1, 2}; highest 2; normalised reversed: 100 - 100*c/2 -> {100, 50, 0}.
  auto t = [](std::string k, std::string v) {
    return make_taint(std::move(k), std::move(v), TaintEffect::prefer_no_schedule);
  };
  std::vector<NodeInfo> nodes = {
      NodeInfo("n0", {}, {t("foo", "bar")}, false, Resources{}),  // tolerated
      NodeInfo("n1", {}, {t("foo", "bar"), t("cpu-type", "arm64")}, false, Resources{}),
      NodeInfo("n2", {},
               {t("cpu-type", "arm64"), t("disk-type", "ssd"),
                make_taint("x", "y", TaintEffect::no_schedule)},
               false, Resources{}),  // NoSchedule does not count in Score
  };
  PodInfo pod = pod_requesting(0, 0);
  pod.tolerations = {
      {"foo", TolerationOperator::equal, "bar", TaintEffect::prefer_no_schedule, {}}};
  TaintToleration plugin;
  BOOST_TEST(scores_of(plugin, pod, nodes) == (std::vector<std::int64_t>{100, 50, 0}));
  // No intolerable taint anywhere: every node 100 (reverse of all-zero).
  std::vector<NodeInfo> clean = {node_with("a", 1, 1), node_with("b", 1, 1)};
  BOOST_TEST(scores_of(plugin, pod, clean) == (std::vector<std::int64_t>{100, 100}));
}

BOOST_AUTO_TEST_CASE(node_affinity_filter_table) {
  using api::SelectorOp;
  struct Case {
    std::string name;
    api::Labels node_selector;
    std::optional<std::vector<NodeSelectorTerm>> required;
    api::Labels node_labels;
    bool fits;
  };
  std::vector<Case> cases = {
      {"no constraints", {}, std::nullopt, {{"foo", "bar"}}, true},
      {"nodeSelector matches", {{"foo", "bar"}}, std::nullopt, {{"foo", "bar"}, {"a", "b"}}, true},
      {"nodeSelector differs", {{"foo", "bar"}}, std::nullopt, {{"foo", "baz"}}, false},
      {"In", {}, {{term({{"foo", SelectorOp::in, {"bar", "value2"}}})}}, {{"foo", "bar"}}, true},
      {"NotIn", {}, {{term({{"foo", SelectorOp::not_in, {"bar"}}})}}, {{"foo", "bar"}}, false},
      {"Exists", {}, {{term({{"foo", SelectorOp::exists, {}}})}}, {{"foo", "x"}}, true},
      {"DoesNotExist",
       {},
       {{term({{"foo", SelectorOp::does_not_exist, {}}})}},
       {{"foo", "x"}},
       false},
      // kube's "Pod with Gt and Lt operators": "0206" read as 206 > 204.
      {"Gt",
       {},
       {{term({{"kernel-version", SelectorOp::greater, {"0204"}}})}},
       {{"kernel-version", "0206"}},
       true},
      {"Lt",
       {},
       {{term({{"kernel-version", SelectorOp::less, {"0204"}}})}},
       {{"kernel-version", "0206"}},
       false},
      {"Gt on a non-integer label",
       {},
       {{term({{"mem", SelectorOp::greater, {"1"}}})}},
       {{"mem", "DDR3"}},
       false},
      {"terms are ORed",
       {},
       {{term({{"foo", SelectorOp::in, {"nope"}}}), term({{"foo", SelectorOp::exists, {}}})}},
       {{"foo", "bar"}},
       true},
      {"requirements in a term are ANDed",
       {},
       {{term({{"foo", SelectorOp::exists, {}}, {"zone", SelectorOp::in, {"a"}}})}},
       {{"foo", "bar"}, {"zone", "b"}},
       false},
      {"an empty term matches nothing", {}, {{term({})}}, {{"foo", "bar"}}, false},
      {"no terms match nothing", {}, std::vector<NodeSelectorTerm>{}, {{"foo", "bar"}}, false},
      {"matchFields metadata.name In", {}, {{term({}, {{false, "node1"}})}}, {}, true},
      {"matchFields metadata.name NotIn", {}, {{term({}, {{true, "node1"}})}}, {}, false},
      {"nodeSelector and affinity must both hold",
       {{"foo", "bar"}},
       {{term({{"zone", SelectorOp::in, {"a"}}})}},
       {{"zone", "a"}},
       false},
  };
  NodeAffinity plugin;
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      PodInfo pod = pod_requesting(0, 0);
      pod.node_selector = c.node_selector;
      pod.required_node_affinity = c.required;
      NodeInfo node("node1", c.node_labels, {}, false, Resources{});
      CycleState state;
      Status s = plugin.filter(state, pod, node);
      BOOST_TEST(s.is_success() == c.fits);
      if (!c.fits)
        BOOST_TEST(reasons_of(s) ==
                   std::vector<std::string>{"node(s) didn't match Pod's node affinity/selector"});
    }
  }
  CycleState state;
  PodInfo plain = pod_requesting(0, 0);
  BOOST_TEST(plugin.pre_filter(state, plain, {}).is_skip());  // nothing required: Filter skipped
}

BOOST_AUTO_TEST_CASE(node_affinity_score_sums_preferred_weights_and_scales_to_100) {
  // kube's "all machines matches the preferred scheduling requirements of pod but with different
  // priorities": terms weight 2 {foo In bar}, 4 {key In value}, 5 {foo, key, az In az1}.
  // node1 {foo} = 2, node5 {foo, key, az} = 11, node2 {key} = 4; normalised x*100/11 (integer):
  // 200/11 = 18, 100, 400/11 = 36.
  using api::SelectorOp;
  PodInfo pod = pod_requesting(0, 0);
  pod.preferred_node_affinity = {
      {2, term({{"foo", SelectorOp::in, {"bar"}}})},
      {4, term({{"key", SelectorOp::in, {"value"}}})},
      {5, term({{"foo", SelectorOp::in, {"bar"}},
                {"key", SelectorOp::in, {"value"}},
                {"az", SelectorOp::in, {"az1"}}})},
  };
  std::vector<NodeInfo> nodes = {
      NodeInfo("node1", {{"foo", "bar"}}, {}, false, Resources{}),
      NodeInfo("node5", {{"foo", "bar"}, {"key", "value"}, {"az", "az1"}}, {}, false, Resources{}),
      NodeInfo("node2", {{"key", "value"}}, {}, false, Resources{}),
  };
  NodeAffinity plugin;
  BOOST_TEST(scores_of(plugin, pod, nodes) == (std::vector<std::int64_t>{18, 100, 36}));
}

BOOST_AUTO_TEST_CASE(node_ports_table) {
  struct Case {
    std::string name;
    std::vector<HostPort> used, wanted;
    bool fits;
  };
  std::vector<Case> cases = {
      {"no ports", {}, {}, true},
      {"other port", {{"", PortProtocol::tcp, 8080}}, {{"", PortProtocol::tcp, 9090}}, true},
      {"same port and protocol",
       {{"", PortProtocol::tcp, 8080}},
       {{"", PortProtocol::tcp, 8080}},
       false},
      {"same port, other protocol",
       {{"", PortProtocol::udp, 8080}},
       {{"", PortProtocol::tcp, 8080}},
       true},
      {"other addresses",
       {{"127.0.0.1", PortProtocol::tcp, 8080}},
       {{"127.0.0.2", PortProtocol::tcp, 8080}},
       true},
      {"0.0.0.0 conflicts with every address",
       {{"127.0.0.1", PortProtocol::tcp, 8080}},
       {{"0.0.0.0", PortProtocol::tcp, 8080}},
       false},
      {"wanted on one address, used on all",
       {{"0.0.0.0", PortProtocol::tcp, 8001}},
       {{"127.0.0.1", PortProtocol::tcp, 8001}},
       false},
  };
  NodePorts plugin;
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      NodeInfo node = node_with("n", 1000, 1000);
      auto holder = std::make_shared<PodInfo>(pod_requesting(0, 0, "holder"));
      holder->host_ports = c.used;
      node.add_pod(holder);
      PodInfo pod = pod_requesting(0, 0);
      pod.host_ports = c.wanted;
      CycleState state;
      Status s = plugin.filter(state, pod, node);
      BOOST_TEST(s.is_success() == c.fits);
      if (!c.fits) {
        BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Code::unschedulable));
        BOOST_TEST(
            reasons_of(s) ==
            std::vector<std::string>{"node(s) didn't have free ports for the requested pod ports"});
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(node_resources_fit_filter_table) {
  ResourceNames names;
  ResourceId gpu = names.intern("nvidia.com/gpu");
  auto plugin = fit(names);
  struct Case {
    std::string name;
    std::int64_t cpu, memory, gpus;  // the pod's request
    std::vector<std::string> reasons;
  };
  // The node: 10 cpu (10000m), 20 bytes of memory, 1 GPU, 3 pods at most; 2 pods already there
  // using 5000m and 19 bytes.
  std::vector<Case> cases = {
      {"fits", 5000, 1, 1, {}},
      {"no request fits", 0, 0, 0, {}},
      {"too much cpu", 5001, 1, 0, {"Insufficient cpu"}},
      {"too much memory", 1000, 2, 0, {"Insufficient memory"}},
      {"both reasons, in kube's order", 9000, 9, 0, {"Insufficient cpu", "Insufficient memory"}},
      {"extended resource", 0, 0, 2, {"Insufficient nvidia.com/gpu"}},
  };
  auto make_node = [&](std::int64_t pods_max) {
    Resources allocatable;
    allocatable.milli_cpu = 10000;
    allocatable.memory_bytes = 20;
    allocatable.pods = pods_max;
    allocatable.set(gpu, 1);
    NodeInfo node("n", {}, {}, false, allocatable);
    place(node, 2000, 9);
    place(node, 3000, 10);
    return node;
  };
  NodeInfo node = make_node(3);
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      PodInfo pod = pod_requesting(c.cpu, c.memory);
      pod.requests.set(gpu, c.gpus);
      CycleState state;
      Status s = plugin->filter(state, pod, node);
      BOOST_TEST(reasons_of(s) == c.reasons);
      BOOST_TEST(s.is_success() == c.reasons.empty());
      if (!c.reasons.empty())
        BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Code::unschedulable));
    }
  }
  // A full node: "Too many pods" comes first, the other shortfalls after it.
  NodeInfo full = make_node(2);
  CycleState state;
  BOOST_TEST(reasons_of(plugin->filter(state, pod_requesting(9000, 1), full)) ==
             (std::vector<std::string>{"Too many pods", "Insufficient cpu"}));
}

BOOST_AUTO_TEST_CASE(least_allocated_scores_as_kube) {
  // kube's "nothing scheduled, resources requested, differently sized nodes": the pod asks
  // 3000m and 5000 bytes; node1 4000m/10000, node2 6000m/10000.
  //   node1: cpu (4000-3000)*100/4000 = 25, memory (10000-5000)*100/10000 = 50 -> (25+50)/2 = 37
  //   node2: cpu (6000-3000)*100/6000 = 50, memory 50                           -> 50
  ResourceNames names;
  auto plugin = fit(names);
  std::vector<NodeInfo> nodes = {node_with("node1", 4000, 10000), node_with("node2", 6000, 10000)};
  PodInfo pod = pod_requesting(3000, 5000);
  BOOST_TEST(scores_of(*plugin, pod, nodes) == (std::vector<std::int64_t>{37, 50}));

  // kube's "resources requested, pods scheduled with resources": node1 10000m/20000 with 3000m
  // and 5000 in use, node2 10000m/50000 with 3000m and 5000 in use; pod 3000m, 5000.
  //   node1: cpu (10000-6000)*100/10000 = 40, memory (20000-10000)*100/20000 = 50 -> 45
  //   node2: cpu 40, memory (50000-10000)*100/50000 = 80                        -> 60
  std::vector<NodeInfo> busy = {node_with("node1", 10000, 20000), node_with("node2", 10000, 50000)};
  for (auto& n : busy) place(n, 3000, 5000);
  BOOST_TEST(scores_of(*plugin, pod, busy) == (std::vector<std::int64_t>{45, 60}));

  // Weights: cpu 3, memory 1 on the first table -> node1 (25*3+50)/4 = 31, node2 50.
  NodeResourcesFitArgs weighted;
  weighted.resources = {{"cpu", 3}, {"memory", 1}};
  auto heavy_cpu = fit(names, weighted);
  BOOST_TEST(scores_of(*heavy_cpu, pod, nodes) == (std::vector<std::int64_t>{31, 50}));

  // A pod without requests is scored with kube's non-zero defaults (100m, 200Mi):
  //   node 4000m/1Gi: cpu (4000-100)*100/4000 = 97, memory (1024-200)*100/1024 = 80 -> 88
  std::vector<NodeInfo> one = {node_with("n", 4000, 1024 * 1024 * 1024)};
  BOOST_TEST(scores_of(*plugin, pod_requesting(0, 0), one) == (std::vector<std::int64_t>{88}));
}

BOOST_AUTO_TEST_CASE(most_allocated_scores_as_kube) {
  // Same nodes and pod as LeastAllocated's first table:
  //   node1: cpu 3000*100/4000 = 75, memory 5000*100/10000 = 50 -> (75+50)/2 = 62
  //   node2: cpu 3000*100/6000 = 50, memory 50                   -> 50
  ResourceNames names;
  NodeResourcesFitArgs args;
  args.scoring_strategy = ScoringStrategyType::most_allocated;
  auto plugin = fit(names, args);
  std::vector<NodeInfo> nodes = {node_with("node1", 4000, 10000), node_with("node2", 6000, 10000)};
  BOOST_TEST(scores_of(*plugin, pod_requesting(3000, 5000), nodes) ==
             (std::vector<std::int64_t>{62, 50}));
  // Over capacity counts as full: cpu min(5000, 4000) -> 100, memory 50 -> 75.
  BOOST_TEST(scores_of(*plugin, pod_requesting(5000, 5000), {node_with("n", 4000, 10000)}) ==
             (std::vector<std::int64_t>{75}));
}

BOOST_AUTO_TEST_CASE(requested_to_capacity_ratio_scores_as_kube) {
  // Shape {0: 10, 100: 0} (scaled x10: 100 at 0% down to 0 at 100%), cpu and memory weight 1:
  //   node1: cpu utilisation 3000*100/4000 = 75 -> 100 - 100*75/100 = 25; memory 50 -> 50;
  //          round((25+50)/2 = 37.5) = 38
  //   node2: cpu 50 -> 50, memory 50 -> 50 -> 50
  ResourceNames names;
  NodeResourcesFitArgs args;
  args.scoring_strategy = ScoringStrategyType::requested_to_capacity_ratio;
  args.shape = {{0, 10}, {100, 0}};
  auto plugin = fit(names, args);
  std::vector<NodeInfo> nodes = {node_with("node1", 4000, 10000), node_with("node2", 6000, 10000)};
  PodInfo pod = pod_requesting(3000, 5000);
  BOOST_TEST(scores_of(*plugin, pod, nodes) == (std::vector<std::int64_t>{38, 50}));
  // A bin-packing shape {0: 0, 100: 10}: node1 cpu 75, memory 50 -> 62.5 -> 63; node2 50.
  args.shape = {{0, 0}, {100, 10}};
  auto packing = fit(names, args);
  BOOST_TEST(scores_of(*packing, pod, nodes) == (std::vector<std::int64_t>{63, 50}));
  // Bad shapes are refused with a reason.
  args.shape = {{50, 0}, {40, 10}};
  BOOST_TEST(!NodeResourcesFit::create(args, names).ok());
  args.shape = {{0, 11}};
  BOOST_TEST(!NodeResourcesFit::create(args, names).ok());
}

BOOST_AUTO_TEST_CASE(extended_resources_are_scored_only_when_requested) {
  // Resources cpu, memory and nvidia.com/gpu weight 1 (LeastAllocated), node 4000m/10000/4 GPUs.
  //   pod 3000m, 5000, 2 GPUs: cpu 25, memory 50, gpu (4-2)*100/4 = 50 -> 125/3 = 41
  //   pod 3000m, 5000, no GPU: the GPU is left out -> (25+50)/2 = 37
  ResourceNames names;
  ResourceId gpu = names.intern("nvidia.com/gpu");
  NodeResourcesFitArgs args;
  args.resources = {{"cpu", 1}, {"memory", 1}, {"nvidia.com/gpu", 1}};
  auto plugin = fit(names, args);
  std::vector<NodeInfo> nodes = {node_with("n", 4000, 10000)};
  Resources alloc = nodes[0].allocatable();
  alloc.set(gpu, 4);
  nodes[0].set_node({}, {}, false, alloc);
  PodInfo with_gpu = pod_requesting(3000, 5000);
  with_gpu.requests.set(gpu, 2);
  BOOST_TEST(scores_of(*plugin, with_gpu, nodes) == (std::vector<std::int64_t>{41}));
  BOOST_TEST(scores_of(*plugin, pod_requesting(3000, 5000), nodes) ==
             (std::vector<std::int64_t>{37}));
}

BOOST_AUTO_TEST_CASE(balanced_allocation_scores_as_kube) {
  // kube's "nothing scheduled, resources requested, differently sized nodes":
  //   node1: cpu 3000/4000 = 0.75, memory 5000/10000 = 0.5; std = |0.75-0.5|/2 = 0.125;
  //          (1-0.125)*100 = 87.5 -> 87
  //   node2: cpu 3000/6000 = 0.5, memory 0.5; std 0 -> 100
  ResourceNames names;
  PluginContext context{nullptr, names};
  auto plugin = make_balanced_allocation(context);
  BOOST_REQUIRE(plugin.ok());
  auto& balanced = dynamic_cast<BalancedAllocation&>(**plugin);
  std::vector<NodeInfo> nodes = {node_with("node1", 4000, 10000), node_with("node2", 6000, 10000)};
  BOOST_TEST(scores_of(balanced, pod_requesting(3000, 5000), nodes) ==
             (std::vector<std::int64_t>{87, 100}));
  // Three resources: fractions 0.75, 0.5, 0.25 -> mean 0.5, std sqrt((0.0625*2)/3) = 0.2041 ->
  // 79.58 -> 79.
  ResourceId gpu = names.intern("nvidia.com/gpu");
  BalancedAllocationArgs args;
  args.resources = {{"cpu", 1}, {"memory", 1}, {"nvidia.com/gpu", 1}};
  std::any any_args = args;
  auto three = make_balanced_allocation(PluginContext{&any_args, names});
  BOOST_REQUIRE(three.ok());
  std::vector<NodeInfo> gpu_node = {node_with("n", 4000, 10000)};
  Resources alloc = gpu_node[0].allocatable();
  alloc.set(gpu, 4);
  gpu_node[0].set_node({}, {}, false, alloc);
  PodInfo pod = pod_requesting(3000, 5000);
  pod.requests.set(gpu, 1);
  BOOST_TEST(scores_of(dynamic_cast<BalancedAllocation&>(**three), pod, gpu_node) ==
             (std::vector<std::int64_t>{79}));
  // A pod requesting nothing it scores is skipped at PreScore.
  CycleState state;
  PodInfo empty = pod_requesting(0, 0);
  BOOST_TEST(balanced.pre_score(state, empty, {}).is_skip());
}
