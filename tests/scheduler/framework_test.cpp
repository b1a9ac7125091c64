// The scheduling framework's cycle (actors/scheduler/framework/framework.hpp): profiles built
// from the registry, filter reasons aggregated into Kubernetes' FailedScheduling message,
// score weights and normalisation, tie breaking by seed, percentageOfNodesToScore and the
// round-robin start, PreFilter rejection and Skip, the binding-cycle points, CycleState.
#define BOOST_TEST_MODULE scheduler_framework
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "actors/scheduler/framework/explanation.hpp"
#include "actors/scheduler/framework/framework.hpp"
#include "actors/scheduler/plugins/default_plugins.hpp"
#include "actors/scheduler/plugins/priority_sort.hpp"
#include "actors/scheduler/plugins/score_normalization.hpp"
#include "tests/scheduler/model_builders.hpp"

namespace api = craton::api;
using namespace craton::scheduler;
using namespace craton::scheduler::testing;

namespace {

/// Rejects the nodes listed with their reasons (several reasons per node allowed).
class ListedRejections final : public FilterPlugin {
 public:
  explicit ListedRejections(std::map<std::string, std::vector<std::string>> reasons)
      : reasons_(std::move(reasons)) {}
  std::string_view name() const override { return "ListedRejections"; }
  Status filter(const CycleState&, const PodInfo&, const NodeInfo& node) const override {
    auto it = reasons_.find(node.name());
    if (it == reasons_.end()) return {};
    Status s(Code::unschedulable, {});
    for (const auto& r : it->second) s.add_reason(r);
    return s;
  }

 private:
  std::map<std::string, std::vector<std::string>> reasons_;
};

/// Scores nodes from a table; with `normalize`, scales the highest to 100.
class TableScore final : public ScorePlugin {
 public:
  TableScore(std::string name, std::map<std::string, std::int64_t> scores, bool normalize)
      : name_(std::move(name)), scores_(std::move(scores)), normalize_(normalize) {}
  std::string_view name() const override { return name_; }
  Status score(const CycleState&, const PodInfo&, const NodeInfo& node,
               std::int64_t& score) const override {
    auto it = scores_.find(node.name());
    score = it == scores_.end() ? 0 : it->second;
    return {};
  }
  bool has_normalize_score() const override { return normalize_; }
  Status normalize_score(const CycleState&, const PodInfo&,
                         std::span<NodeScore> scores) const override {
    std::int64_t highest = 1;
    for (auto& s : scores) highest = std::max(highest, s.score);
    for (auto& s : scores) s.score = s.score * 100 / highest;
    return {};
  }

 private:
  std::string name_;
  std::map<std::string, std::int64_t> scores_;
  bool normalize_;
};

/// Records the order of Reserve/Unreserve calls; fails Reserve when told to.
class RecordingReserve final : public ReservePlugin, public PermitPlugin {
 public:
  RecordingReserve(std::string name, std::vector<std::string>& log, bool fail, Code permit,
                   std::int64_t timeout_ms)
      : name_(std::move(name)), log_(log), fail_(fail), permit_(permit), timeout_ms_(timeout_ms) {}
  std::string_view name() const override { return name_; }
  Status reserve(CycleState&, const PodInfo&, std::string_view) override {
    log_.push_back("reserve " + name_);
    return fail_ ? Status::unschedulable("reserve refused") : Status::success();
  }
  void unreserve(CycleState&, const PodInfo&, std::string_view) override {
    log_.push_back("unreserve " + name_);
  }
  PermitDecision permit(CycleState&, const PodInfo&, std::string_view) override {
    return {Status(permit_, {}), timeout_ms_};
  }

 private:
  std::string name_;
  std::vector<std::string>& log_;
  bool fail_;
  Code permit_;
  std::int64_t timeout_ms_;
};

/// PreFilter answers `pre` (Skip, a rejection, success); Filter rejects every node.
class GatedRejection final : public PreFilterPlugin, public FilterPlugin {
 public:
  explicit GatedRejection(Code pre) : pre_(pre) {}
  std::string_view name() const override { return "GatedRejection"; }
  Status pre_filter(CycleState&, const PodInfo&, std::span<const NodeInfo* const>) override {
    if (pre_ == Code::unschedulable_and_unresolvable)
      return Status::unresolvable("pod affinity terms conflict");
    return Status(pre_, {});
  }
  Status filter(const CycleState&, const PodInfo&, const NodeInfo&) const override {
    return Status::unschedulable("rejected by Filter");
  }

 private:
  Code pre_;
};

/// A binder that takes pods of one namespace only and records what it bound.
class NamespaceBinder final : public BindPlugin, public PostBindPlugin {
 public:
  NamespaceBinder(std::string name, std::string ns, std::vector<std::string>& log)
      : name_(std::move(name)), ns_(std::move(ns)), log_(log) {}
  std::string_view name() const override { return name_; }
  Status bind(CycleState&, const PodInfo& pod, std::string_view node) override {
    if (pod.namespace_ != ns_) return Status::skip();
    log_.push_back(name_ + " bound " + pod.name + " to " + std::string(node));
    return {};
  }
  void post_bind(CycleState&, const PodInfo& pod, std::string_view) override {
    log_.push_back(name_ + " after " + pod.name);
  }

 private:
  std::string name_, ns_;
  std::vector<std::string>& log_;
};

/// The README's example plugin, word for word.
class FewestPods final : public ScorePlugin {
 public:
  std::string_view name() const override { return "FewestPods"; }
  Status score(const CycleState&, const PodInfo&, const NodeInfo& node,
               std::int64_t& score) const override {
    score = static_cast<std::int64_t>(node.pods().size());  // raw: more pods, higher
    return {};
  }
  bool has_normalize_score() const override { return true; }
  Status normalize_score(const CycleState&, const PodInfo&,
                         std::span<NodeScore> scores) const override {
    default_normalize_score(kMaxNodeScore, /*reverse=*/true, scores);  // fewest -> 100
    return {};
  }
};

/// A registry with PrioritySort and the given extra factories.
Registry registry_with(std::vector<std::pair<std::string, PluginFactory>> extra) {
  Registry r;
  BOOST_REQUIRE(r.add("PrioritySort", make_priority_sort).ok());
  for (auto& [name, factory] : extra) BOOST_REQUIRE(r.add(name, factory).ok());
  return r;
}

template <class P, class... Args>
PluginFactory factory_of(Args... args) {
  return [=](const PluginContext&) -> craton::Result<std::unique_ptr<Plugin>> {
    return std::unique_ptr<Plugin>(new P(args...));
  };
}

Profile profile_of(std::vector<PluginRef> multi_point) {
  Profile p;
  p.multi_point = {{"PrioritySort", 0}};
  for (auto& ref : multi_point) p.multi_point.push_back(ref);
  return p;
}

std::unique_ptr<Framework> build(const Registry& registry, const Profile& profile,
                                 ResourceNames& names) {
  auto f = Framework::create(registry, profile, names);
  BOOST_REQUIRE_MESSAGE(f.ok(), (f.ok() ? "" : f.error().message));
  return std::move(*f);
}

std::vector<NodeInfo> nodes_named(std::vector<std::string> names) {
  std::vector<NodeInfo> out;
  for (auto& n : names) out.push_back(node_with(n, 4000, 8LL << 30));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(failed_scheduling_message_counts_reasons_and_sorts_them_as_kube) {
  // Kubernetes counts every reason of every rejected node, writes "<count> <reason>", sorts the
  // strings and joins them: a node with two shortfalls counts in both.
  std::vector<RejectedNode> rejected;
  auto add = [&](std::uint32_t node, std::initializer_list<std::string_view> reasons) {
    rejected.push_back({node, Status(Code::unschedulable, reasons)});
  };
  add(0, {"Insufficient cpu"});
  add(1, {"Insufficient cpu", "Insufficient memory"});
  add(2, {"Insufficient cpu"});
  add(3, {"node(s) had untolerated taint {k: v}"});
  add(4, {"node(s) had untolerated taint {k: v}"});
  BOOST_TEST(failed_scheduling_message(5, "", rejected, "") ==
             "0/5 nodes are available: 1 Insufficient memory, 2 node(s) had untolerated taint "
             "{k: v}, 3 Insufficient cpu.");
  // String order, not numeric: "10 ..." sorts before "2 ...".
  std::vector<RejectedNode> many;
  for (std::uint32_t i = 0; i < 10; ++i)
    many.push_back({i, Status::unschedulable("Insufficient cpu")});
  many.push_back({10, Status::unresolvable("node(s) were unschedulable")});
  many.push_back({11, Status::unresolvable("node(s) were unschedulable")});
  BOOST_TEST(failed_scheduling_message(5000, "", many, "preemption: not eligible.") ==
             "0/5000 nodes are available: 10 Insufficient cpu, 2 node(s) were unschedulable. "
             "preemption: not eligible.");
  // A PreFilter rejection replaces the per-node reasons.
  BOOST_TEST(failed_scheduling_message(3, "pod affinity terms conflict", many, "") ==
             "0/3 nodes are available: pod affinity terms conflict.");
}

BOOST_AUTO_TEST_CASE(a_cycle_that_fits_nowhere_explains_every_node) {
  ResourceNames names;
  auto registry =
      registry_with({{"ListedRejections",
                      factory_of<ListedRejections>(std::map<std::string, std::vector<std::string>>{
                          {"a", {"Insufficient cpu"}},
                          {"b", {"Insufficient cpu", "Insufficient memory"}},
                          {"c", {"node(s) had untolerated taint {k: v}"}}})}});
  auto fw = build(registry, profile_of({{"ListedRejections", 0}}), names);
  auto nodes = nodes_named({"a", "b", "c"});
  CycleState state;
  auto result = fw->schedule(state, pod_requesting(100, 100), pointers(nodes), {});
  BOOST_TEST(static_cast<int>(result.code) == static_cast<int>(Code::unschedulable));
  BOOST_TEST(result.message ==
             "0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint "
             "{k: v}, 2 Insufficient cpu.");
  BOOST_REQUIRE(result.rejected.size() == 3u);
  for (const auto& r : result.rejected) BOOST_TEST(r.status.plugin() == "ListedRejections");
  BOOST_TEST(result.unschedulable_plugins == std::vector<std::string>{"ListedRejections"});
}

BOOST_AUTO_TEST_CASE(the_default_profile_explains_with_kubes_reasons) {
  // Five nodes: three too small for the pod's cpu, two tainted: kube's own example message.
  ResourceNames names;
  auto fw = build(default_registry(), default_profile(), names);
  std::vector<NodeInfo> nodes;
  for (int i = 0; i < 3; ++i)
    nodes.push_back(node_with("small-" + std::to_string(i), 500, 8LL << 30));
  for (int i = 0; i < 2; ++i)
    nodes.push_back(node_with("tainted-" + std::to_string(i), 8000, 8LL << 30, 110, {},
                              {make_taint("dedicated", "gpu", TaintEffect::no_schedule)}));
  CycleState state;
  auto result = fw->schedule(state, pod_requesting(1000, 1 << 20), pointers(nodes), {});
  BOOST_TEST(result.message ==
             "0/5 nodes are available: 2 node(s) had untolerated taint {dedicated: gpu}, 3 "
             "Insufficient cpu.");
  BOOST_TEST(result.unschedulable_plugins ==
             (std::vector<std::string>{"NodeResourcesFit", "TaintToleration"}));
}

BOOST_AUTO_TEST_CASE(default_profile_runs_plugins_in_kubes_order) {
  ResourceNames names;
  auto fw = build(default_registry(), default_profile(), names);
  auto names_at = [&](ExtensionPoint p) {
    auto v = fw->plugin_names(p);
    return std::vector<std::string>(v.begin(), v.end());
  };
  BOOST_TEST(names_at(ExtensionPoint::filter) ==
             (std::vector<std::string>{"NodeUnschedulable", "NodeName", "TaintToleration",
                                       "NodeAffinity", "NodePorts", "NodeResourcesFit",
                                       "PodTopologySpread", "InterPodAffinity"}));
  BOOST_TEST(names_at(ExtensionPoint::score) ==
             (std::vector<std::string>{"TaintToleration", "NodeAffinity", "NodeResourcesFit",
                                       "PodTopologySpread", "InterPodAffinity",
                                       "NodeResourcesBalancedAllocation"}));
  BOOST_TEST(names_at(ExtensionPoint::pre_filter) ==
             (std::vector<std::string>{"NodeAffinity", "NodePorts", "PodTopologySpread",
                                       "InterPodAffinity"}));
  BOOST_TEST(names_at(ExtensionPoint::queue_sort) == std::vector<std::string>{"PrioritySort"});
}

BOOST_AUTO_TEST_CASE(profiles_are_checked_when_built) {
  ResourceNames names;
  auto registry = default_registry();
  Profile unknown = default_profile();
  unknown.multi_point.push_back({"NoSuchPlugin", 0});
  auto f1 = Framework::create(registry, unknown, names);
  BOOST_REQUIRE(!f1.ok());
  BOOST_TEST(f1.error().message == "no plugin named NoSuchPlugin is registered");

  Profile wrong_point = default_profile();
  wrong_point.enabled[static_cast<std::size_t>(ExtensionPoint::score)].push_back({"NodeName", 1});
  auto f2 = Framework::create(registry, wrong_point, names);
  BOOST_REQUIRE(!f2.ok());
  BOOST_TEST(f2.error().message == "NodeName does not implement Score");

  Profile no_sort = default_profile();
  no_sort.disabled[static_cast<std::size_t>(ExtensionPoint::queue_sort)] = {"*"};
  BOOST_TEST(!Framework::create(registry, no_sort, names).ok());

  Profile bad_args = default_profile();
  bad_args.plugin_args["NodeResourcesFit"] = std::string("not args");
  auto f3 = Framework::create(registry, bad_args, names);
  BOOST_REQUIRE(!f3.ok());
  BOOST_TEST(f3.error().message == "NodeResourcesFit: arguments are not NodeResourcesFitArgs");
}

BOOST_AUTO_TEST_CASE(weights_multiply_normalised_scores) {
  // A: raw {x: 10, y: 5} normalised -> {100, 50}; B: {x: 0, y: 100}. Weights 1 and 1: x 100,
  // y 150 -> y. Weights 3 and 1: x 300, y 250 -> x.
  ResourceNames names;
  auto registry = registry_with(
      {{"A", factory_of<TableScore>(
                 std::string("A"), std::map<std::string, std::int64_t>{{"x", 10}, {"y", 5}}, true)},
       {"B",
        factory_of<TableScore>(std::string("B"),
                               std::map<std::string, std::int64_t>{{"x", 0}, {"y", 100}}, false)}});
  auto nodes = nodes_named({"x", "y"});
  CycleState state;
  auto even = build(registry, profile_of({{"A", 1}, {"B", 1}}), names);
  auto r1 = even->schedule(state, pod_requesting(0, 0), pointers(nodes), {0, true});
  BOOST_TEST(r1.suggested_host == "y");
  BOOST_REQUIRE(r1.scores.size() == 2u);
  BOOST_TEST(r1.scores[0].by_plugin == (std::vector<std::int64_t>{100, 0}));
  BOOST_TEST(r1.scores[1].total == 150);
  auto heavy = build(registry, profile_of({{"A", 3}, {"B", 1}}), names);
  auto r2 = heavy->schedule(state, pod_requesting(0, 0), pointers(nodes), {});
  BOOST_TEST(r2.suggested_host == "x");
  BOOST_TEST(r2.scores[0].total == 300);
  BOOST_TEST(r2.scores[1].total == 250);
}

BOOST_AUTO_TEST_CASE(a_score_outside_0_to_100_after_normalising_is_an_error) {
  ResourceNames names;
  auto registry = registry_with(
      {{"Wild", factory_of<TableScore>(std::string("Wild"),
                                       std::map<std::string, std::int64_t>{{"x", 101}}, false)}});
  auto fw = build(registry, profile_of({{"Wild", 1}}), names);
  auto nodes = nodes_named({"x", "y"});
  CycleState state;
  auto result = fw->schedule(state, pod_requesting(0, 0), pointers(nodes), {});
  BOOST_TEST(static_cast<int>(result.code) == static_cast<int>(Code::error));
  BOOST_TEST(result.message.find("invalid score 101") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(ties_are_broken_by_the_seed_alone) {
  // Every node scores the same: the choice depends only on the seed (same seed, same node), and
  // over many seeds every tied node gets chosen.
  ResourceNames names;
  auto registry = registry_with(
      {{"Flat", factory_of<TableScore>(std::string("Flat"), std::map<std::string, std::int64_t>{},
                                       false)}});
  auto fw = build(registry, profile_of({{"Flat", 1}}), names);
  auto nodes = nodes_named({"a", "b", "c", "d"});
  std::set<std::string> chosen;
  for (std::uint64_t seed = 0; seed < 64; ++seed) {
    CycleState s1, s2;
    auto first = fw->schedule(s1, pod_requesting(0, 0), pointers(nodes), {seed, false});
    auto again = fw->schedule(s2, pod_requesting(0, 0), pointers(nodes), {seed, false});
    BOOST_TEST(first.suggested_host == again.suggested_host);
    chosen.insert(first.suggested_host);
  }
  BOOST_TEST(chosen.size() == 4u);
}

BOOST_AUTO_TEST_CASE(nodes_to_score_follow_kubes_adaptive_percentage) {
  // numFeasibleNodesToFind: below 100 nodes all of them; else 50% - nodes/125 (at least 5%),
  // never fewer than 100.
  BOOST_TEST(num_feasible_nodes_to_find(50, 0) == 50u);
  BOOST_TEST(num_feasible_nodes_to_find(100, 0) == 100u);    // 50% = 50 < 100 -> 100
  BOOST_TEST(num_feasible_nodes_to_find(1000, 0) == 420u);   // 50 - 8 = 42%
  BOOST_TEST(num_feasible_nodes_to_find(5000, 0) == 500u);   // 50 - 40 = 10%
  BOOST_TEST(num_feasible_nodes_to_find(6000, 0) == 300u);   // 50 - 48 = 2% -> 5%
  BOOST_TEST(num_feasible_nodes_to_find(1000, 30) == 300u);  // configured
  BOOST_TEST(num_feasible_nodes_to_find(500, 10) == 100u);   // 50 -> at least 100
  BOOST_TEST(num_feasible_nodes_to_find(5000, 100) == 5000u);
}

BOOST_AUTO_TEST_CASE(filtering_stops_at_enough_feasible_nodes_and_starts_where_it_stopped) {
  // 1000 feasible nodes: 420 are filtered per cycle; the next cycle starts after them.
  ResourceNames names;
  auto fw = build(default_registry(), default_profile(), names);
  std::vector<NodeInfo> nodes;
  for (int i = 0; i < 1000; ++i)
    nodes.push_back(node_with("n" + std::to_string(i), 4000, 8LL << 30));
  auto list = pointers(nodes);
  CycleState state;
  auto r1 = fw->schedule(state, pod_requesting(100, 100), list, {});
  BOOST_TEST(r1.evaluated_nodes == 420u);
  BOOST_TEST(r1.feasible_nodes == 420u);
  BOOST_TEST(r1.suggested_node < 420u);
  BOOST_TEST(fw->next_start_node_index() == 420u);
  fw->schedule(state, pod_requesting(100, 100), list, {});
  BOOST_TEST(fw->next_start_node_index() == 840u);
  auto r3 = fw->schedule(state, pod_requesting(100, 100), list, {});
  BOOST_TEST(fw->next_start_node_index() == 260u);  // (840 + 420) % 1000
  BOOST_TEST((r3.suggested_node >= 840u || r3.suggested_node < 260u));
  // Rejected nodes count as processed too: the first 500 too small, 420 feasible after them.
  for (int i = 0; i < 500; ++i) nodes[i] = node_with("small" + std::to_string(i), 50, 8LL << 30);
  auto fresh = build(default_registry(), default_profile(), names);
  auto r4 = fresh->schedule(state, pod_requesting(100, 100), pointers(nodes), {});
  BOOST_TEST(r4.evaluated_nodes == 920u);
  BOOST_TEST(r4.rejected.size() == 500u);
  BOOST_TEST(fresh->next_start_node_index() == 920u);
}

BOOST_AUTO_TEST_CASE(the_default_profile_prefers_the_emptier_and_balanced_node) {
  // Node "busy" has 3000m of 4000m used; "idle" nothing: LeastAllocated and BalancedAllocation
  // both prefer "idle". With a preferred affinity (weight 2 x 100) for "busy"'s zone and the
  // same for TaintToleration, busy wins: affinity 2*100 outweighs the resource scores' gap.
  ResourceNames names;
  auto fw = build(default_registry(), default_profile(), names);
  std::vector<NodeInfo> nodes = {node_with("busy", 4000, 8LL << 30, 110, {{"zone", "a"}}),
                                 node_with("idle", 4000, 8LL << 30, 110, {{"zone", "b"}})};
  place(nodes[0], 3000, 1 << 30);
  CycleState state;
  PodInfo pod = pod_requesting(500, 1 << 28);
  BOOST_TEST(fw->schedule(state, pod, pointers(nodes), {}).suggested_host == "idle");
  pod.preferred_node_affinity = {{10, {{{"zone", api::SelectorOp::in, {"a"}}}, {}, true}}};
  CycleState again;
  BOOST_TEST(fw->schedule(again, pod, pointers(nodes), {}).suggested_host == "busy");
}

BOOST_AUTO_TEST_CASE(one_feasible_node_is_chosen_without_scoring) {
  ResourceNames names;
  auto fw = build(default_registry(), default_profile(), names);
  std::vector<NodeInfo> nodes = {node_with("small", 100, 8LL << 30),
                                 node_with("big", 4000, 8LL << 30)};
  CycleState state;
  auto r = fw->schedule(state, pod_requesting(1000, 1), pointers(nodes), {});
  BOOST_TEST(r.suggested_host == "big");
  BOOST_TEST(r.scores.empty());
  BOOST_TEST(r.evaluated_nodes == 2u);
}

BOOST_AUTO_TEST_CASE(reserve_failure_unreserves_in_reverse_and_permit_waits_for_every_waiter) {
  ResourceNames names;
  std::vector<std::string> log;
  auto registry =
      registry_with({{"R1", factory_of<RecordingReserve>(std::string("R1"), std::ref(log), false,
                                                         Code::wait, std::int64_t{5000})},
                     {"R2", factory_of<RecordingReserve>(std::string("R2"), std::ref(log), false,
                                                         Code::wait, std::int64_t{2000})},
                     {"R3", factory_of<RecordingReserve>(std::string("R3"), std::ref(log), true,
                                                         Code::success, std::int64_t{0})}});
  auto fw = build(registry, profile_of({{"R1", 0}, {"R2", 0}, {"R3", 0}}), names);
  CycleState state;
  PodInfo pod = pod_requesting(0, 0);
  Status s = fw->run_reserve(state, pod, "n");
  BOOST_TEST(s.plugin() == "R3");
  BOOST_TEST(log == (std::vector<std::string>{"reserve R1", "reserve R2", "reserve R3",
                                              "unreserve R3", "unreserve R2", "unreserve R1"}));
  // As kube's RunPermitPlugins: each waiting plugin holds the pod with its own timeout.
  auto permit = fw->run_permit(state, pod, "n");
  BOOST_TEST(static_cast<int>(permit.status.code()) == static_cast<int>(Code::wait));
  BOOST_TEST(permit.status.message() ==
             "one or more plugins asked to wait and no plugin rejected pod \"p\"");
  BOOST_TEST((permit.waits == std::vector<PluginWait>{{"R1", 5000}, {"R2", 2000}}));
}

BOOST_AUTO_TEST_CASE(permit_stops_at_the_first_rejection_and_cuts_long_waits) {
  struct Case {
    std::string name;
    std::vector<std::pair<Code, std::int64_t>> answers;  ///< per plugin P0, P1, ...
    Code code;
    std::string plugin;
    std::vector<PluginWait> waits;
  };
  const std::int64_t hour_ms = 3'600'000;
  const std::vector<Case> cases = {
      {"all allow", {{Code::success, 0}, {Code::success, 0}}, Code::success, "", {}},
      {"a rejection after a wait wins",
       {{Code::wait, 1000}, {Code::unschedulable, 0}, {Code::wait, 1000}},
       Code::unschedulable,
       "P1",
       {}},
      {"an error wins", {{Code::error, 0}, {Code::wait, 1000}}, Code::error, "P0", {}},
      {"waits over 15 minutes are cut",
       {{Code::wait, hour_ms}, {Code::success, 0}},
       Code::wait,
       "",
       {{"P0", kPermitWaitMaxMs}}},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      ResourceNames names;
      std::vector<std::string> log;
      std::vector<std::pair<std::string, PluginFactory>> factories;
      std::vector<PluginRef> refs;
      for (std::size_t i = 0; i < c.answers.size(); ++i) {
        std::string name = "P" + std::to_string(i);
        factories.push_back(
            {name, factory_of<RecordingReserve>(name, std::ref(log), false, c.answers[i].first,
                                                c.answers[i].second)});
        refs.push_back({name, 0});
      }
      auto fw = build(registry_with(factories), profile_of(refs), names);
      CycleState state;
      auto permit = fw->run_permit(state, pod_requesting(0, 0), "n");
      BOOST_TEST(static_cast<int>(permit.status.code()) == static_cast<int>(c.code));
      BOOST_TEST(permit.status.plugin() == c.plugin);
      BOOST_TEST((permit.waits == c.waits));
    }
  }
}

namespace {

/// Pods nominated per node, as a scheduler's nominator lends them.
class NominatingHandle final : public FrameworkHandle {
 public:
  std::span<const PodDisruptionBudget> pod_disruption_budgets() const override { return {}; }
  std::vector<std::shared_ptr<const PodInfo>> nominated_pods(std::string_view node) const override {
    ++asked;
    auto it = nominated.find(std::string(node));
    return it == nominated.end() ? std::vector<std::shared_ptr<const PodInfo>>{} : it->second;
  }
  bool any_nominated_pods() const override { return !nominated.empty(); }
  std::map<std::string, std::vector<std::shared_ptr<const PodInfo>>> nominated;
  mutable int asked = 0;
};

PodInfo prioritised(std::string name, std::int64_t milli_cpu, std::int32_t priority) {
  PodInfo p = pod_requesting(milli_cpu, 0, std::move(name));
  p.priority = priority;
  return p;
}

}  // namespace

// Kubernetes' RunFilterPluginsWithNominatedPods: a preemptor nominated to a node keeps the room
// its victims freed against pods of lower priority, not against more important ones; and a pod
// must fit without the nominated pods as well (they may never come).
BOOST_AUTO_TEST_CASE(filter_counts_pods_nominated_with_equal_or_higher_priority) {
  auto preemptor = std::make_shared<PodInfo>(prioritised("preemptor", 3000, 100));
  preemptor->labels = {{"app", "preemptor"}};
  preemptor->nominated_node_name = "n1";
  PodAffinityTerm near_preemptor;
  near_preemptor.selector =
      api::LabelSelector::from_requirements({{"app", api::SelectorOp::in, {"preemptor"}}});
  near_preemptor.namespaces = {"default"};
  near_preemptor.topology_key = "kubernetes.io/hostname";
  PodInfo follower = prioritised("follower", 1000, 200);
  follower.pod_affinity_required = {near_preemptor};
  struct Case {
    PodInfo pod;
    bool fits;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {prioritised("low", 2000, 0), false, "Insufficient cpu"},
      {prioritised("equal", 2000, 100), false, "Insufficient cpu"},
      {prioritised("higher", 2000, 200), true, ""},
      {prioritised("small", 1000, 0), true, ""},  // fits beside the preemptor
      {*preemptor, true, ""},                     // its own nomination is no obstacle
      // Fits with the nominated pod added, but not without it: rejected.
      {follower, false, "node(s) didn't match pod affinity rules"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.pod.name) {
      ResourceNames names;
      NominatingHandle handle;
      handle.nominated["n1"] = {preemptor};
      auto made = Framework::create(default_registry(), default_profile(), names, &handle);
      BOOST_REQUIRE(made.ok());
      NodeInfo n1 = node_with("n1", 4000, 8LL << 30, 110, {{"kubernetes.io/hostname", "n1"}});
      std::vector<const NodeInfo*> nodes{&n1};
      CycleState state;
      auto r = (*made)->schedule(state, c.pod, nodes, {});
      BOOST_TEST(static_cast<int>(r.code) ==
                 static_cast<int>(c.fits ? Code::success : Code::unschedulable));
      if (!c.fits) {
        BOOST_REQUIRE(r.rejected.size() == 1u);
        BOOST_TEST(r.rejected[0].status.message() == c.reason);
        BOOST_TEST(r.message == "0/1 nodes are available: 1 " + c.reason + ".");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(without_nominated_pods_the_handle_is_not_asked_per_node) {
  ResourceNames names;
  NominatingHandle handle;  // nothing nominated
  auto made = Framework::create(default_registry(), default_profile(), names, &handle);
  BOOST_REQUIRE(made.ok());
  NodeInfo n1 = node_with("n1", 4000, 8LL << 30);
  std::vector<const NodeInfo*> nodes{&n1};
  CycleState state;
  auto r = (*made)->schedule(state, prioritised("p", 3000, 0), nodes, {});
  BOOST_TEST(static_cast<int>(r.code) == static_cast<int>(Code::success));
  BOOST_TEST(handle.asked == 0);
}

BOOST_AUTO_TEST_CASE(cycle_state_is_typed_per_plugin) {
  struct FitState {
    int cpu = 0;
  };
  struct AffinityState {
    int terms = 0;
  };
  CycleState state;
  BOOST_TEST(state.read<FitState>() == nullptr);
  state.write(FitState{7});
  state.write(AffinityState{3});
  BOOST_TEST(state.read<FitState>()->cpu == 7);
  BOOST_TEST(state.read<AffinityState>()->terms == 3);
  state.write(FitState{9});
  BOOST_TEST(state.read<FitState>()->cpu == 9);
  std::string_view kept = state.keep_text("node(s) had something");
  BOOST_TEST(kept == "node(s) had something");
}

BOOST_AUTO_TEST_CASE(the_readme_example_plugin_works) {
  // Three equal nodes with 2, 0 and 1 pods: FewestPods (weight 2) scores them 0, 100, 50 after
  // normalising and decides; the default plugins score them alike except for the pods' use.
  ResourceNames resource_names;
  Registry registry = default_registry();
  BOOST_REQUIRE(registry
                    .add("FewestPods",
                         [](const PluginContext&) -> craton::Result<std::unique_ptr<Plugin>> {
                           return std::unique_ptr<Plugin>(new FewestPods());
                         })
                    .ok());
  Profile profile = default_profile();
  profile.multi_point.push_back({"FewestPods", /*weight=*/2});
  auto framework = build(registry, profile, resource_names);
  auto nodes = nodes_named({"two", "none", "one"});
  place(nodes[0], 0, 0);
  place(nodes[0], 0, 0);
  place(nodes[2], 0, 0);
  CycleState state;
  auto result = framework->schedule(state, pod_requesting(0, 0), pointers(nodes), {0, true});
  BOOST_TEST(result.suggested_host == "none");
  BOOST_REQUIRE(result.scores.size() == 3u);
  BOOST_TEST(result.scores[0].by_plugin.back() == 0);
  BOOST_TEST(result.scores[1].by_plugin.back() == 200);
  BOOST_TEST(result.scores[2].by_plugin.back() == 100);
}

BOOST_AUTO_TEST_CASE(pre_filter_skip_skips_filter_and_rejection_rejects_every_node) {
  ResourceNames names;
  auto nodes = nodes_named({"a", "b", "c"});
  CycleState state;
  auto with = [&](Code pre) {
    auto registry = registry_with({{"GatedRejection", factory_of<GatedRejection>(pre)}});
    auto fw = build(registry, profile_of({{"GatedRejection", 0}}), names);
    return fw->schedule(state, pod_requesting(0, 0), pointers(nodes), {});
  };
  auto skipped = with(Code::skip);  // Filter not run: every node feasible
  BOOST_TEST(static_cast<int>(skipped.code) == static_cast<int>(Code::success));
  BOOST_TEST(skipped.feasible_nodes == 3u);
  auto filtered = with(Code::success);  // Filter runs and rejects all
  BOOST_TEST(filtered.message == "0/3 nodes are available: 3 rejected by Filter.");
  auto rejected = with(Code::unschedulable_and_unresolvable);  // PreFilter's message only
  BOOST_TEST(rejected.message == "0/3 nodes are available: pod affinity terms conflict.");
  BOOST_TEST(rejected.rejected.size() == 3u);
  BOOST_TEST(rejected.unschedulable_plugins == std::vector<std::string>{"GatedRejection"});
}

BOOST_AUTO_TEST_CASE(a_plugin_disabled_at_one_point_still_runs_at_the_others) {
  // TaintToleration disabled at Score: it still filters, and no longer scores.
  ResourceNames names;
  Profile profile = default_profile();
  profile.disabled[static_cast<std::size_t>(ExtensionPoint::score)] = {"TaintToleration"};
  auto fw = build(default_registry(), profile, names);
  auto at = [&](ExtensionPoint p) {
    auto v = fw->plugin_names(p);
    return std::find(v.begin(), v.end(), "TaintToleration") != v.end();
  };
  BOOST_TEST(at(ExtensionPoint::filter));
  BOOST_TEST(!at(ExtensionPoint::score));
  BOOST_TEST(at(ExtensionPoint::pre_score));
  // An explicit entry comes first and takes its own weight.
  Profile explicit_weight = default_profile();
  explicit_weight.enabled[static_cast<std::size_t>(ExtensionPoint::score)] = {{"NodeAffinity", 7}};
  auto fw2 = build(default_registry(), explicit_weight, names);
  BOOST_TEST(fw2->plugin_names(ExtensionPoint::score).front() == "NodeAffinity");
}

BOOST_AUTO_TEST_CASE(replicas_with_hostname_anti_affinity_land_one_per_node_as_kube_places_them) {
  // Three web replicas that refuse to share a node, on three nodes: one per node; a fourth is
  // refused with kube's message. The default profile, pods bound into the NodeInfos as the
  // cache will.
  ResourceNames names;
  auto fw = build(default_registry(), default_profile(), names);
  std::vector<NodeInfo> nodes;
  for (std::string n : {"n1", "n2", "n3"})
    nodes.push_back(node_with(n, 4000, 8LL << 30, 110, {{"kubernetes.io/hostname", n}}));
  auto replica = [](int i) {
    auto p = std::make_shared<PodInfo>(pod_requesting(100, 1 << 20, "web-" + std::to_string(i)));
    p->labels = {{"app", "web"}};
    PodAffinityTerm t;
    t.selector = api::LabelSelector::from_requirements({{"app", api::SelectorOp::in, {"web"}}});
    t.namespaces = {"default"};
    t.topology_key = "kubernetes.io/hostname";
    p->pod_anti_affinity_required = {t};
    return p;
  };
  std::set<std::string> used;
  for (int i = 0; i < 3; ++i) {
    auto pod = replica(i);
    CycleState state;
    auto r = fw->schedule(state, *pod, pointers(nodes), {static_cast<std::uint64_t>(i), false});
    BOOST_REQUIRE(static_cast<int>(r.code) == static_cast<int>(Code::success));
    used.insert(r.suggested_host);
    nodes[r.suggested_node].add_pod(pod);
  }
  BOOST_TEST(used.size() == 3u);
  CycleState state;
  auto fourth = fw->schedule(state, *replica(3), pointers(nodes), {});
  BOOST_TEST(fourth.message ==
             "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.");
}

BOOST_AUTO_TEST_CASE(a_cycle_is_explained_node_by_node_and_plugin_by_plugin) {
  ResourceNames names;
  auto fw = build(default_registry(), default_profile(), names);
  std::vector<NodeInfo> nodes = {
      node_with("small", 500, 8LL << 30),
      node_with("tainted", 8000, 8LL << 30, 110, {},
                {make_taint("dedicated", "gpu", TaintEffect::no_schedule)}),
      node_with("busy", 4000, 8LL << 30), node_with("idle", 4000, 8LL << 30)};
  place(nodes[2], 3000, 1 << 30);
  PodInfo pod = pod_requesting(1000, 1 << 20, "web");
  CycleState state;
  auto list = pointers(nodes);
  auto result = fw->schedule(state, pod, list, {0, true});
  std::string text = explain_cycle(pod, result, list, *fw, {1, 1});
  BOOST_TEST_MESSAGE(text);
  BOOST_TEST(text.find("pod default/web: scheduled to idle (2 feasible of 4 evaluated, 4 nodes)") ==
             0u);
  BOOST_TEST(text.find("  small: NodeResourcesFit: Insufficient cpu\n") != std::string::npos);
  BOOST_TEST(text.find("  ... and 1 more nodes\n") != std::string::npos);  // limit 1
  BOOST_TEST(text.find("scores (best 1 of 2 feasible nodes, weighted):\n  idle total ") !=
             std::string::npos);
  BOOST_TEST(text.find(", TaintToleration 300, ") != std::string::npos);  // weight 3 x 100
  CycleState again;
  PodInfo huge = pod_requesting(100000, 1, "huge");
  auto refused = fw->schedule(again, huge, list, {});
  BOOST_TEST(explain_cycle(huge, refused, list, *fw)
                 .find("pod default/huge: 0/4 nodes are available: 1 node(s) had untolerated taint "
                       "{dedicated: gpu}, 3 Insufficient cpu.\n") == 0u);
}

BOOST_AUTO_TEST_CASE(the_first_binder_that_does_not_skip_binds) {
  ResourceNames names;
  std::vector<std::string> log;
  auto registry = registry_with(
      {{"TeamBinder",
        factory_of<NamespaceBinder>(std::string("TeamBinder"), std::string("team"), std::ref(log))},
       {"DefaultBinder", factory_of<NamespaceBinder>(std::string("DefaultBinder"),
                                                     std::string("default"), std::ref(log))}});
  auto fw = build(registry, profile_of({{"TeamBinder", 0}, {"DefaultBinder", 0}}), names);
  CycleState state;
  PodInfo ours = pod_requesting(0, 0, "a");
  BOOST_TEST(fw->run_bind(state, ours, "n1").is_success());
  PodInfo theirs = pod_requesting(0, 0, "b");
  theirs.namespace_ = "team";
  Status bound = fw->run_bind(state, theirs, "n2");
  BOOST_TEST(bound.plugin() == "TeamBinder");
  PodInfo nobody = pod_requesting(0, 0, "c");
  nobody.namespace_ = "elsewhere";
  BOOST_TEST(fw->run_bind(state, nobody, "n3").is_skip());  // no binder took it
  fw->run_post_bind(state, ours, "n1");
  BOOST_TEST(log ==
             (std::vector<std::string>{"DefaultBinder bound a to n1", "TeamBinder bound b to n2",
                                       "TeamBinder after a", "DefaultBinder after a"}));
}
