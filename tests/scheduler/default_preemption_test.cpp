// DefaultPreemption and DefaultBinder (actors/scheduler/plugins/), through the default profile
// and a FrameworkHandle with fixed data: victims as Kubernetes chooses them (fewest and lowest
// priority, PodDisruptionBudgets broken as little as possible, never a pod of equal or higher
// priority), kube's candidate node order (pickOneNodeForPreemption), its eligibility rules and
// its messages; the binder forwarding to the scheduler's sink. Expected values follow kube's
// default_preemption_test.go and preemption_test.go cases, worked out in the comments.
#define BOOST_TEST_MODULE scheduler_default_preemption
#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "actors/api/convert/kube_json.hpp"
#include "actors/scheduler/framework/framework.hpp"
#include "actors/scheduler/framework/object_converter.hpp"
#include "actors/scheduler/plugins/default_binder.hpp"
#include "actors/scheduler/plugins/default_plugins.hpp"
#include "actors/scheduler/plugins/default_preemption.hpp"
#include "tests/scheduler/model_builders.hpp"

namespace craton::scheduler {
std::ostream& operator<<(std::ostream& os, Code code) {
  return os << code_name(code);
}
}  // namespace craton::scheduler

namespace api = craton::api;
namespace k8s = craton::schema::k8s;
using namespace craton::scheduler;
using namespace craton::scheduler::testing;

namespace {

class RecordingSink final : public BindingSink {
 public:
  Status bind(const PodInfo& pod, std::string_view node,
              const std::map<std::string, std::string>&) override {
    bound.push_back(pod.key() + " -> " + std::string(node));
    return answer;
  }
  std::vector<std::string> bound;
  Status answer;
};

/// The cluster facts a test gives: budgets, nominated pods per node, a sink.
class FixedHandle final : public FrameworkHandle {
 public:
  std::span<const PodDisruptionBudget> pod_disruption_budgets() const override { return pdbs; }
  std::vector<std::shared_ptr<const PodInfo>> nominated_pods(std::string_view node) const override {
    auto it = nominated.find(std::string(node));
    return it == nominated.end() ? std::vector<std::shared_ptr<const PodInfo>>{} : it->second;
  }
  BindingSink* binding_sink() override { return sink; }

  std::vector<PodDisruptionBudget> pdbs;
  std::map<std::string, std::vector<std::shared_ptr<const PodInfo>>> nominated;
  BindingSink* sink = nullptr;
};

std::unique_ptr<Framework> build(ResourceNames& names, FrameworkHandle* handle,
                                 Profile profile = default_profile()) {
  auto fw = Framework::create(default_registry(), profile, names, handle);
  BOOST_REQUIRE_MESSAGE(fw.ok(), (fw.ok() ? "" : fw.error().message));
  return std::move(*fw);
}

/// A pod of `milli_cpu` with a priority (and optionally labels and a start time).
PodInfo pod(std::string name, std::int64_t milli_cpu, std::int32_t priority,
            api::Labels labels = {}, std::optional<std::int64_t> start_time_s = std::nullopt) {
  PodInfo p = pod_requesting(milli_cpu, 0, std::move(name));
  p.priority = priority;
  p.labels = std::move(labels);
  p.start_time_s = start_time_s;
  return p;
}

void place(NodeInfo& node, PodInfo p) {
  p.node_name = node.name();
  node.add_pod(std::make_shared<PodInfo>(std::move(p)));
}

/// A node of 1000m cpu named `name` (its hostname label set, for anti-affinity by hostname).
NodeInfo node(std::string name, std::vector<Taint> taints = {}) {
  api::Labels labels{{"kubernetes.io/hostname", name}};
  return node_with(std::move(name), 1000, 1LL << 40, 110, std::move(labels), std::move(taints));
}

struct Preemption {
  PostFilterResult result;
  std::string message;
  std::vector<std::string> victims;  ///< names, in the order given
};

/// One cycle for `p` (which must fit nowhere), then PostFilter with the cycle's statuses.
Preemption preempt(Framework& fw, const PodInfo& p, const std::vector<NodeInfo>& nodes,
                   std::uint64_t seed = 0) {
  CycleState state;
  auto list = pointers(nodes);
  auto cycle = fw.schedule(state, p, list, {});
  BOOST_REQUIRE_MESSAGE(cycle.code == Code::unschedulable, "the pod must fit nowhere first");
  std::vector<Status> statuses(list.size());
  for (const auto& r : cycle.rejected) statuses[r.node] = r.status;
  Preemption out;
  out.result = fw.run_post_filter(state, p, NodeStatuses{list, statuses, seed});
  out.message = out.result.status.message();
  for (const auto& v : out.result.victims) out.victims.push_back(v.name);
  return out;
}

PodDisruptionBudget budget(std::string app, std::int32_t allowed) {
  PodDisruptionBudget b;
  b.namespace_ = "default";
  b.name = "pdb-" + app;
  b.selector = api::LabelSelector::from_requirements({{"app", api::SelectorOp::equals, {app}}});
  b.disruptions_allowed = allowed;
  return b;
}

}  // namespace

BOOST_AUTO_TEST_CASE(victims_are_the_fewest_and_lowest_priority_pods_that_make_room) {
  // One node of 1000m, full: 600m at priority 1, 200m at 2, 200m at 3. The pod asks 500m at 100.
  // Without all three it fits; giving back the most important first: prio 3 (200+500 = 700),
  // prio 2 (900), prio 1 (1500 > 1000: a victim). One victim, the least important.
  ResourceNames names;
  FixedHandle handle;
  auto fw = build(names, &handle);
  std::vector<NodeInfo> nodes{node("n1")};
  place(nodes[0], pod("big-low", 600, 1));
  place(nodes[0], pod("mid", 200, 2));
  place(nodes[0], pod("high", 200, 3));
  auto out = preempt(*fw, pod("preemptor", 500, 100), nodes);
  BOOST_TEST(out.result.status.is_success());
  BOOST_TEST(out.result.status.plugin() == "DefaultPreemption");
  BOOST_TEST(out.result.nominated_node_name == "n1");
  BOOST_TEST(out.result.override_nomination);
  BOOST_REQUIRE(out.victims == std::vector<std::string>{"big-low"});
  BOOST_TEST(out.result.victims.front().uid == "uid-big-low");
  BOOST_TEST(out.result.victims.front().namespace_ == "default");
}

BOOST_AUTO_TEST_CASE(the_node_is_picked_by_kubes_criteria_in_order) {
  // pickOneNodeForPreemption, each row two nodes of 1000m whose pods must all go for a 1000m pod
  // at priority 100; the expected node wins on the named criterion, the earlier ones tied.
  struct Row {
    std::string criterion;
    std::vector<PodInfo> on_n1, on_n2;
    std::vector<PodDisruptionBudget> pdbs;
    std::string expected;
  };
  std::vector<Row> rows = {
      {"lowest highest victim priority", {pod("a", 1000, 50)}, {pod("b", 1000, 10)}, {}, "n2"},
      // highest 10 on both; sums 10+10 against 10+5 (each shifted by 2^31)
      {"smallest sum of priorities",
       {pod("a1", 500, 10), pod("a2", 500, 10)},
       {pod("b1", 500, 10), pod("b2", 500, 5)},
       {},
       "n2"},
      // same priorities; n1's victim started at 100 s, n2's at 200 s: the later start wins
      {"latest start of the highest-priority victims",
       {pod("a", 1000, 10, {}, 100)},
       {pod("b", 1000, 10, {}, 200)},
       {},
       "n2"},
      // n1's victim has the lower priority but its budget allows no disruption
      {"fewest PodDisruptionBudget violations",
       {pod("a", 1000, 5, {{"app", "db"}})},
       {pod("b", 1000, 50)},
       {budget("db", 0)},
       "n2"},
      {"all tied: the first found", {pod("a", 1000, 10)}, {pod("b", 1000, 10)}, {}, "n1"},
  };
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.criterion) {
      ResourceNames names;
      FixedHandle handle;
      handle.pdbs = row.pdbs;
      auto fw = build(names, &handle);
      std::vector<NodeInfo> nodes{node("n1"), node("n2")};
      for (const auto& p : row.on_n1) place(nodes[0], p);
      for (const auto& p : row.on_n2) place(nodes[1], p);
      auto out = preempt(*fw, pod("preemptor", 1000, 100), nodes);
      BOOST_TEST(out.result.status.is_success());
      BOOST_TEST(out.result.nominated_node_name == row.expected);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_pod_of_equal_or_higher_priority_is_never_a_victim) {
  // n1: a 600m pod at 200 (higher) and a 400m pod at 10: without the low one 600 + 500 > 1000,
  // so n1 is no candidate. n2: a 600m pod at 100 (equal) and 400m at 10: same. n3: two low pods.
  ResourceNames names;
  FixedHandle handle;
  auto fw = build(names, &handle);
  std::vector<NodeInfo> nodes{node("n1"), node("n2"), node("n3")};
  place(nodes[0], pod("higher", 600, 200));
  place(nodes[0], pod("low-1", 400, 10));
  place(nodes[1], pod("equal", 600, 100));
  place(nodes[1], pod("low-2", 400, 10));
  place(nodes[2], pod("low-3", 600, 20));
  place(nodes[2], pod("low-4", 400, 30));
  auto out = preempt(*fw, pod("preemptor", 500, 100), nodes);
  BOOST_TEST(out.result.status.is_success());
  BOOST_TEST(out.result.nominated_node_name == "n3");
  // The most important (30, 400m) is given back: 400 + 500 fits; the 600m one goes.
  BOOST_TEST(out.victims == std::vector<std::string>{"low-3"});
}

BOOST_AUTO_TEST_CASE(victims_break_as_few_budgets_as_possible) {
  // One node, two 500m pods; the 500m pod needs one gone. By priority alone the lower one
  // ("guarded", 5) would go; its budget allows no disruption, so it is given back first and
  // "free" (10) goes instead. A pod the budget already counts as disrupted costs it nothing.
  struct Row {
    std::string name;
    std::vector<PodDisruptionBudget> pdbs;
    std::vector<std::string> victims;
  };
  auto disrupted = budget("guarded", 0);
  disrupted.disrupted_pods = {"guarded"};
  std::vector<Row> rows = {
      {"no budget: the lowest priority goes", {}, {"guarded"}},
      {"a budget with no disruption left spares its pod", {budget("guarded", 0)}, {"free"}},
      {"a budget with one disruption left allows it", {budget("guarded", 1)}, {"guarded"}},
      {"a pod already counted as disrupted is no violation", {disrupted}, {"guarded"}},
      {"a budget in another namespace does not count",
       {[] {
         auto b = budget("guarded", 0);
         b.namespace_ = "other";
         return b;
       }()},
       {"guarded"}},
  };
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.name) {
      ResourceNames names;
      FixedHandle handle;
      handle.pdbs = row.pdbs;
      auto fw = build(names, &handle);
      std::vector<NodeInfo> nodes{node("n1")};
      place(nodes[0], pod("guarded", 500, 5, {{"app", "guarded"}}));
      place(nodes[0], pod("free", 500, 10, {{"app", "free"}}));
      auto out = preempt(*fw, pod("preemptor", 500, 100), nodes);
      BOOST_TEST(out.result.status.is_success());
      BOOST_TEST(out.victims == row.victims);
    }
  }
}

BOOST_AUTO_TEST_CASE(no_victims_found_is_reported_as_kube_formats_it) {
  ResourceNames names;
  FixedHandle handle;
  auto fw = build(names, &handle);
  std::vector<NodeInfo> nodes;
  for (int i = 0; i < 5; ++i) {
    nodes.push_back(node("n" + std::to_string(i)));
    place(nodes.back(), pod("same-" + std::to_string(i), 1000, 100));
  }
  auto out = preempt(*fw, pod("preemptor", 500, 100), nodes);
  BOOST_TEST(out.result.status.code() == Code::unschedulable);
  BOOST_TEST(out.message ==
             "preemption: 0/5 nodes are available: 5 No preemption victims found for incoming "
             "pod.");
  BOOST_TEST(out.result.override_nomination);  // an old nomination is cleared
  BOOST_TEST(out.result.nominated_node_name.empty());
  BOOST_TEST(out.result.victims.empty());
}

BOOST_AUTO_TEST_CASE(a_node_rejected_as_unresolvable_is_not_dry_run) {
  // n1 is tainted (UnschedulableAndUnresolvable): removing its low-priority pod cannot help.
  // n2 is full with a pod of equal priority. Nothing to preempt; kube's message counts n1 as
  // "not helpful" and n2 as "no victims".
  ResourceNames names;
  FixedHandle handle;
  auto fw = build(names, &handle);
  std::vector<NodeInfo> nodes{
      node("n1", {make_taint("dedicated", "gpu", TaintEffect::no_schedule)}), node("n2")};
  place(nodes[0], pod("low", 1000, 1));
  place(nodes[1], pod("same", 1000, 100));
  auto out = preempt(*fw, pod("preemptor", 500, 100), nodes);
  BOOST_TEST(out.message ==
             "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming "
             "pod, 1 Preemption is not helpful for scheduling.");
  // With a low pod on n2 too, n2 is chosen although n1's victim has the lower priority.
  nodes[1] = node("n2");
  place(nodes[1], pod("low-2", 1000, 50));
  out = preempt(*fw, pod("preemptor", 500, 100), nodes);
  BOOST_TEST(out.result.nominated_node_name == "n2");
  BOOST_TEST(out.victims == std::vector<std::string>{"low-2"});
}

BOOST_AUTO_TEST_CASE(pods_that_may_not_preempt_are_told_why) {
  ResourceNames names;
  FixedHandle handle;
  auto fw = build(names, &handle);
  std::vector<NodeInfo> nodes{node("n1")};
  place(nodes[0], pod("low", 1000, 1));

  PodInfo never = pod("never", 500, 100);
  never.preemption_never = true;
  auto out = preempt(*fw, never, nodes);
  BOOST_TEST(out.message == "preemption: not eligible due to preemptionPolicy=Never.");
  BOOST_TEST(!out.result.override_nomination);  // the nomination is left alone
  BOOST_TEST(out.result.victims.empty());

  // Its earlier preemption is still under way: a lower-priority pod on the nominated node is
  // terminating, deleted by the scheduler.
  nodes[0] = node("n1");
  PodInfo going = pod("going", 1000, 1);
  going.terminating = true;
  going.preempted_by_scheduler = true;
  place(nodes[0], going);
  PodInfo waiting = pod("waiting", 500, 100);
  waiting.nominated_node_name = "n1";
  out = preempt(*fw, waiting, nodes);
  BOOST_TEST(out.message ==
             "preemption: not eligible due to a terminating pod on the nominated node.");
  // A pod terminating for another reason (no DisruptionTarget condition) does not count.
  nodes[0] = node("n1");
  going.preempted_by_scheduler = false;
  place(nodes[0], going);
  out = preempt(*fw, waiting, nodes);
  BOOST_TEST(out.result.status.is_success());
  BOOST_TEST(out.result.victims.empty());  // "going" is already being deleted: no second call
  BOOST_TEST(out.result.nominated_node_name == "n1");
}

BOOST_AUTO_TEST_CASE(the_first_candidate_node_comes_from_the_callers_seed) {
  // Three equal nodes; with min_candidate_nodes_absolute 1 (and 0 %) the dry run stops at the
  // first candidate, found from offset seed % 3.
  for (std::uint64_t seed : {0, 1, 5}) {
    ResourceNames names;
    FixedHandle handle;
    Profile profile = default_profile();
    profile.plugin_args["DefaultPreemption"] = DefaultPreemptionArgs{0, 1};
    auto fw = build(names, &handle, profile);
    std::vector<NodeInfo> nodes{node("n0"), node("n1"), node("n2")};
    for (auto& n : nodes) place(n, pod("low-" + n.name(), 1000, 1));
    auto out = preempt(*fw, pod("preemptor", 500, 100), nodes, seed);
    BOOST_TEST(out.result.nominated_node_name == "n" + std::to_string(seed % 3));
  }
}

BOOST_AUTO_TEST_CASE(candidate_count_and_arguments_follow_kube) {
  // calculateNumCandidates: max(nodes * percentage / 100, absolute), at most nodes.
  struct Row {
    DefaultPreemptionArgs args;
    std::int32_t nodes, expected;
  };
  for (const auto& row : std::vector<Row>{{{10, 100}, 0, 0},
                                          {{10, 100}, 50, 50},
                                          {{10, 100}, 1000, 100},
                                          {{10, 100}, 5000, 500},
                                          {{40, 0}, 10, 4},
                                          {{10, 0}, 1, 0}}) {
    auto p = DefaultPreemption::create(row.args, nullptr, nullptr);
    BOOST_REQUIRE(p.ok());
    BOOST_TEST((*p)->candidate_count(row.nodes) == row.expected);
  }
  // ValidateDefaultPreemptionArgs.
  BOOST_TEST(validate(DefaultPreemptionArgs{}).ok());
  BOOST_TEST(validate(DefaultPreemptionArgs{0, 1}).ok());
  BOOST_TEST(validate(DefaultPreemptionArgs{100, 0}).ok());
  for (auto bad : {DefaultPreemptionArgs{-1, 100}, DefaultPreemptionArgs{101, 100},
                   DefaultPreemptionArgs{10, -1}, DefaultPreemptionArgs{0, 0}})
    BOOST_TEST(!validate(bad).ok());
  BOOST_TEST(validate(DefaultPreemptionArgs{101, 1}).error().message ==
             "minCandidateNodesPercentage: 101: not in valid range [0, 100]");
  ResourceNames names;
  Profile profile = default_profile();
  profile.plugin_args["DefaultPreemption"] = DefaultPreemptionArgs{0, 0};
  BOOST_TEST(!Framework::create(default_registry(), profile, names).ok());
}

BOOST_AUTO_TEST_CASE(removing_a_victim_updates_what_prefilter_counted) {
  // The pod has required anti-affinity to app=web by hostname; n1's only pod is a low-priority
  // app=web. InterPodAffinity's PreFilter counted it, so the dry run must run that PreFilter
  // again without it: then n1 fits, and the web pod is the victim.
  ResourceNames names;
  FixedHandle handle;
  auto fw = build(names, &handle);
  std::vector<NodeInfo> nodes{node("n1")};
  place(nodes[0], pod("web", 100, 1, {{"app", "web"}}));
  PodInfo p = pod("preemptor", 100, 100);
  PodAffinityTerm anti;
  anti.selector = api::LabelSelector::from_requirements({{"app", api::SelectorOp::in, {"web"}}});
  anti.namespaces = {"default"};
  anti.topology_key = "kubernetes.io/hostname";
  p.pod_anti_affinity_required = {anti};
  auto out = preempt(*fw, p, nodes);
  BOOST_TEST(out.result.status.is_success());
  BOOST_TEST(out.victims == std::vector<std::string>{"web"});
}

BOOST_AUTO_TEST_CASE(nominated_pods_of_higher_priority_keep_their_room) {
  // Both nodes: a 600m low pod; the pod asks 500m at 100. n1's victim has the lower priority
  // (1 < 2), but a pod of priority 200 asking 600m is nominated to n1: with it n1 has no room
  // even empty, so n2 is chosen. A lower-priority pod nominated to n2 loses its nomination.
  ResourceNames names;
  FixedHandle handle;
  auto fw = build(names, &handle);
  std::vector<NodeInfo> nodes{node("n1"), node("n2")};
  place(nodes[0], pod("low-1", 600, 1));
  place(nodes[1], pod("low-2", 600, 2));
  auto out = preempt(*fw, pod("preemptor", 500, 100), nodes);
  BOOST_TEST(out.result.nominated_node_name == "n1");  // no nominated pods: lowest victim
  handle.nominated["n1"] = {std::make_shared<PodInfo>(pod("ahead", 600, 200))};
  handle.nominated["n2"] = {std::make_shared<PodInfo>(pod("behind", 100, 50))};
  out = preempt(*fw, pod("preemptor", 500, 100), nodes);
  BOOST_TEST(out.result.nominated_node_name == "n2");
  BOOST_TEST(out.victims == std::vector<std::string>{"low-2"});
  BOOST_REQUIRE(out.result.nominations_to_clear.size() == 1u);
  BOOST_TEST(out.result.nominations_to_clear.front().name == "behind");
}

BOOST_AUTO_TEST_CASE(without_a_handle_preemption_declines_cleanly) {
  ResourceNames names;
  auto fw = build(names, nullptr);
  std::vector<NodeInfo> nodes{node("n1")};
  place(nodes[0], pod("low", 1000, 1));
  auto out = preempt(*fw, pod("preemptor", 500, 100), nodes);
  BOOST_TEST(out.result.status.code() == Code::unschedulable);
  BOOST_TEST(out.message.find("preemption: not eligible") == 0u);
  BOOST_TEST(out.result.victims.empty());
}

BOOST_AUTO_TEST_CASE(default_binder_forwards_to_the_sink) {
  ResourceNames names;
  RecordingSink sink;
  FixedHandle handle;
  handle.sink = &sink;
  auto fw = build(names, &handle);
  auto bind_names = fw->plugin_names(ExtensionPoint::bind);
  BOOST_TEST((std::vector<std::string>(bind_names.begin(), bind_names.end()) ==
              std::vector<std::string>{"DefaultBinder"}));
  auto post_filter_names = fw->plugin_names(ExtensionPoint::post_filter);
  BOOST_TEST((std::vector<std::string>(post_filter_names.begin(), post_filter_names.end()) ==
              std::vector<std::string>{"DefaultPreemption"}));
  CycleState state;
  PodInfo p = pod("web", 100, 0);
  Status s = fw->run_bind(state, p, "n1");
  BOOST_TEST(s.is_success());
  BOOST_TEST(s.plugin() == "DefaultBinder");
  BOOST_TEST(sink.bound == std::vector<std::string>{"default/web -> n1"});
  sink.answer = Status::error("api unreachable");
  BOOST_TEST(fw->run_bind(state, p, "n2").message() == "api unreachable");

  auto unbound = build(names, nullptr);  // no handle, no sink: an Error, never a silent Skip
  Status none = unbound->run_bind(state, p, "n1");
  BOOST_TEST(none.code() == Code::error);
  BOOST_TEST(none.message() == DefaultBinder::kNoSink);
}

BOOST_AUTO_TEST_CASE(a_cloned_cycle_state_is_independent) {
  struct Count {
    int n = 0;
  };
  CycleState state;
  state.write(Count{1});
  state.set_skipped_filters(0b101);
  CycleState copy = state.clone();
  copy.write(Count{2});
  copy.set_skipped_filters(0);
  BOOST_TEST(state.read<Count>()->n == 1);
  BOOST_TEST(copy.read<Count>()->n == 2);
  BOOST_TEST(state.skipped_filters() == 0b101u);
}

BOOST_AUTO_TEST_CASE(the_converter_reads_what_preemption_needs) {
  ResourceNames names;
  api::KubeJson codec;
  auto message = codec.decode<k8s::Pod>(R"({
    "metadata": {"name": "p", "namespace": "default", "uid": "u1",
                 "deletionTimestamp": "2026-12-05T07:00:00Z"},
    "spec": {"containers": [{"name": "c"}], "preemptionPolicy": "Never"},
    "status": {"nominatedNodeName": "n1", "startTime": "2026-12-05T06:00:00Z",
               "conditions": [{"type": "DisruptionTarget", "status": "True",
                               "reason": "PreemptionByScheduler"}]}})");
  BOOST_REQUIRE(message.ok());
  auto p = ObjectConverter(names).pod((*message)->getRoot<k8s::Pod>().asReader());
  BOOST_REQUIRE(p.ok());
  BOOST_TEST(p->preemption_never);
  BOOST_TEST(p->terminating);
  BOOST_TEST(p->preempted_by_scheduler);
  BOOST_TEST(p->nominated_node_name == "n1");
  BOOST_TEST(p->start_time_s.value_or(0) == 1796450400);  // 2026-12-05T06:00:00Z

  auto pdb_message = codec.decode<k8s::PodDisruptionBudget>(R"({
    "metadata": {"name": "db", "namespace": "default"},
    "spec": {"selector": {"matchLabels": {"app": "db"}}},
    "status": {"disruptionsAllowed": 1, "disruptedPods": {"db-0": "2026-12-05T06:00:00Z"}}})");
  BOOST_REQUIRE(pdb_message.ok());
  auto pdb = ObjectConverter(names).pod_disruption_budget(
      (*pdb_message)->getRoot<k8s::PodDisruptionBudget>().asReader());
  BOOST_REQUIRE(pdb.ok());
  BOOST_TEST(pdb->disruptions_allowed == 1);
  BOOST_TEST(pdb->disrupted_pods == std::vector<std::string>{"db-0"});
  PodInfo db = pod("db-1", 0, 0, {{"app", "db"}});
  BOOST_TEST(pdb->covers(db));
  db.labels = {{"app", "web"}};
  BOOST_TEST(!pdb->covers(db));
}
