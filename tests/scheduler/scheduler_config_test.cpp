// The KubeSchedulerConfiguration loader (actors/scheduler/config/): Kubernetes' documented
// examples (kubernetes.io: "Scheduler Configuration", "Resource Bin Packing"), kube's v1
// defaulting (mergePlugins, plugin args defaults) and validation, each bad input answered with
// an error naming its field; every parsed profile is built into a Framework to prove it usable.
#define BOOST_TEST_MODULE scheduler_config
#include <boost/test/unit_test.hpp>

#include <any>
#include <string>
#include <vector>

#include "actors/scheduler/config/profile_config.hpp"
#include "actors/scheduler/config/scheduler_config.hpp"
#include "actors/scheduler/config/yaml_fields.hpp"
#include "actors/scheduler/plugins/balanced_allocation.hpp"
#include "actors/scheduler/plugins/default_plugins.hpp"
#include "actors/scheduler/plugins/inter_pod_affinity.hpp"
#include "actors/scheduler/plugins/node_resources_fit.hpp"
#include "actors/scheduler/plugins/pod_topology_spread.hpp"

using namespace craton::scheduler;

namespace {

constexpr auto kScore = static_cast<std::size_t>(ExtensionPoint::score);
constexpr auto kPreScore = static_cast<std::size_t>(ExtensionPoint::pre_score);
constexpr auto kQueueSort = static_cast<std::size_t>(ExtensionPoint::queue_sort);

const std::string kHeader =
    "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n";

SchedulerConfig parse_ok(const std::string& yaml) {
  auto config = parse_scheduler_config(yaml);
  BOOST_REQUIRE_MESSAGE(config.ok(), (config.ok() ? "" : config.error().message));
  return std::move(config.value());
}

/// A Score plugin that scores nothing: stands in for the documentation's "MyCustomPlugin"s.
class NamedScore final : public ScorePlugin {
 public:
  explicit NamedScore(std::string name) : name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  Status score(const CycleState&, const PodInfo&, const NodeInfo&, std::int64_t& s) const override {
    s = 0;
    return {};
  }

 private:
  std::string name_;
};

/// Another QueueSort plugin, to show that two profiles may not order one queue differently.
class FifoSort final : public QueueSortPlugin {
 public:
  std::string_view name() const override { return "FifoSort"; }
  bool less(const QueuedPodInfo& a, const QueuedPodInfo& b) const override {
    return a.timestamp_ms < b.timestamp_ms;
  }
};

Registry registry_with_custom_plugins() {
  Registry registry = default_registry();
  for (std::string name : {"MyCustomPluginA", "MyCustomPluginB"})
    BOOST_REQUIRE(registry
                      .add(name,
                           [name](const PluginContext&) -> craton::Result<std::unique_ptr<Plugin>> {
                             return std::unique_ptr<Plugin>(new NamedScore(name));
                           })
                      .ok());
  BOOST_REQUIRE(registry
                    .add("FifoSort",
                         [](const PluginContext&) -> craton::Result<std::unique_ptr<Plugin>> {
                           return std::unique_ptr<Plugin>(new FifoSort());
                         })
                    .ok());
  return registry;
}

std::vector<std::unique_ptr<Framework>> frameworks_of(const SchedulerConfig& config,
                                                      const Registry& registry,
                                                      ResourceNames& names) {
  auto built = build_frameworks(config, registry, names);
  BOOST_REQUIRE_MESSAGE(built.ok(), (built.ok() ? "" : built.error().message));
  return std::move(built.value());
}

std::vector<std::string> names_at(const Framework& framework, ExtensionPoint point) {
  auto names = framework.plugin_names(point);
  return {names.begin(), names.end()};
}

/// "Name:weight" per plugin, printable in a failed check.
std::vector<std::string> refs(const std::vector<PluginRef>& list) {
  std::vector<std::string> out;
  for (const auto& r : list) out.push_back(r.name + ":" + std::to_string(r.weight));
  return out;
}

/// Profiles hold std::any arguments, which do not compare: compare everything else, and the
/// argument names.
void check_same_profile(const Profile& got, const Profile& want) {
  BOOST_TEST(got.scheduler_name == want.scheduler_name);
  BOOST_TEST(refs(got.multi_point) == refs(want.multi_point));
  for (std::size_t i = 0; i < kExtensionPoints; ++i) {
    BOOST_TEST(refs(got.enabled[i]) == refs(want.enabled[i]));
    BOOST_TEST(got.disabled[i] == want.disabled[i]);
  }
  BOOST_TEST((got.percentage_of_nodes_to_score == want.percentage_of_nodes_to_score));
  BOOST_TEST(got.plugin_args.size() == want.plugin_args.size());
}

const NodeResourcesFitArgs& fit_args(const Profile& profile) {
  auto it = profile.plugin_args.find("NodeResourcesFit");
  BOOST_REQUIRE(it != profile.plugin_args.end());
  const auto* args = std::any_cast<NodeResourcesFitArgs>(&it->second);
  BOOST_REQUIRE(args != nullptr);
  return *args;
}

std::vector<std::string> specs(const std::vector<ResourceSpec>& list) {
  std::vector<std::string> out;
  for (const auto& r : list) out.push_back(r.name + ":" + std::to_string(r.weight));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_default_config_is_one_default_profile_with_kubes_defaults) {
  SchedulerConfig config = default_scheduler_config();
  BOOST_REQUIRE(config.profiles.size() == 1u);
  check_same_profile(config.profiles[0], default_profile());
  BOOST_TEST(config.percentage_of_nodes_to_score == 0);
  BOOST_TEST(config.pod_initial_backoff_seconds == 1);
  BOOST_TEST(config.pod_max_backoff_seconds == 10);
  BOOST_TEST(config.leader_election.leader_elect);
  BOOST_TEST(config.leader_election.lease_duration_ms == 15'000);
  BOOST_TEST(config.leader_election.renew_deadline_ms == 10'000);
  BOOST_TEST(config.leader_election.retry_period_ms == 2'000);
  BOOST_TEST(config.leader_election.resource_name == "kube-scheduler");
  BOOST_TEST(config.leader_election.resource_namespace == "kube-system");
}

BOOST_AUTO_TEST_CASE(an_empty_configuration_parses_to_the_default_config) {
  // kube: no profiles means one profile named default-scheduler with the default plugins.
  for (std::string extra :
       {"", "profiles: []\n", "profiles:\n- {}\n", "profiles:\n- plugins: {}\n"}) {
    BOOST_TEST_CONTEXT(extra) {
      SchedulerConfig config = parse_ok(kHeader + extra);
      BOOST_REQUIRE(config.profiles.size() == 1u);
      check_same_profile(config.profiles[0], default_profile());
      BOOST_TEST(config.profile_for("") == &config.profiles[0]);
      BOOST_TEST(config.profile_for("default-scheduler") == &config.profiles[0]);
      BOOST_TEST(config.profile_for("other") == nullptr);
    }
  }
}

BOOST_AUTO_TEST_CASE(kubes_multiple_profiles_example_gives_a_profile_without_scoring) {
  // kubernetes.io "Scheduler Configuration", Multiple profiles.
  SchedulerConfig config = parse_ok(kHeader + R"(
profiles:
  - schedulerName: default-scheduler
  - schedulerName: no-scoring-scheduler
    plugins:
      preScore:
        disabled:
        - name: '*'
      score:
        disabled:
        - name: '*'
)");
  BOOST_REQUIRE(config.profiles.size() == 2u);
  check_same_profile(config.profiles[0], default_profile());
  const Profile* no_scoring = config.profile_for("no-scoring-scheduler");
  BOOST_REQUIRE(no_scoring == &config.profiles[1]);
  BOOST_TEST(no_scoring->disabled[kScore] == std::vector<std::string>{"*"});
  BOOST_TEST(no_scoring->disabled[kPreScore] == std::vector<std::string>{"*"});

  ResourceNames names;
  auto frameworks = frameworks_of(config, default_registry(), names);
  BOOST_TEST(names_at(*frameworks[0], ExtensionPoint::score).size() == 6u);
  BOOST_TEST(names_at(*frameworks[1], ExtensionPoint::score).empty());
  BOOST_TEST(names_at(*frameworks[1], ExtensionPoint::pre_score).empty());
  BOOST_TEST(names_at(*frameworks[1], ExtensionPoint::filter) ==
             names_at(*frameworks[0], ExtensionPoint::filter));
}

BOOST_AUTO_TEST_CASE(kubes_example_disabling_a_score_plugin_and_enabling_custom_ones) {
  // kubernetes.io "Scheduler Configuration", Scheduling plugins: score.disabled PodTopologySpread,
  // two custom Score plugins enabled with weights.
  SchedulerConfig config = parse_ok(kHeader + R"(
profiles:
  - plugins:
      score:
        disabled:
        - name: PodTopologySpread
        enabled:
        - name: MyCustomPluginA
          weight: 2
        - name: MyCustomPluginB
          weight: 1
)");
  const Profile& profile = config.profiles.at(0);
  BOOST_TEST(profile.scheduler_name == "default-scheduler");
  BOOST_TEST(refs(profile.multi_point) == refs(default_profile().multi_point));
  BOOST_TEST(refs(profile.enabled[kScore]) ==
             (std::vector<std::string>{"MyCustomPluginA:2", "MyCustomPluginB:1"}));
  BOOST_TEST(profile.disabled[kScore] == std::vector<std::string>{"PodTopologySpread"});

  ResourceNames names;
  auto frameworks = frameworks_of(config, registry_with_custom_plugins(), names);
  auto score = names_at(*frameworks[0], ExtensionPoint::score);
  std::sort(score.begin(), score.end());
  BOOST_TEST(score ==
             (std::vector<std::string>{"InterPodAffinity", "MyCustomPluginA", "MyCustomPluginB",
                                       "NodeAffinity", "NodeResourcesBalancedAllocation",
                                       "NodeResourcesFit", "TaintToleration"}));
  // Disabled for Score only: PodTopologySpread still filters.
  auto filter = names_at(*frameworks[0], ExtensionPoint::filter);
  BOOST_TEST((std::find(filter.begin(), filter.end(), "PodTopologySpread") != filter.end()));
}

BOOST_AUTO_TEST_CASE(multi_point_sets_merge_with_the_defaults_as_kubes_merge_plugin_set) {
  using config_yaml::merge_plugin_set;
  using Refs = std::vector<std::string>;
  const std::vector<PluginRef> defaults = {{"A", 0}, {"B", 3}, {"C", 1}};
  struct Case {
    const char* what;
    std::vector<PluginRef> enabled;
    std::vector<std::string> disabled;
    Refs want;
  };
  const std::vector<Case> cases = {
      {"nothing given: the defaults", {}, {}, {"A:0", "B:3", "C:1"}},
      {"a disabled default is removed", {}, {"B"}, {"A:0", "C:1"}},
      {"a new plugin comes after the defaults", {{"D", 5}}, {}, {"A:0", "B:3", "C:1", "D:5"}},
      {"a default enabled again keeps its place, with the user's weight",
       {{"D", 2}, {"B", 7}},
       {},
       {"A:0", "B:7", "C:1", "D:2"}},
      {"enabled again without a weight: kube's nil weight, 1 in the framework",
       {{"B", 0}},
       {},
       {"A:0", "B:0", "C:1"}},
      {"'*' disables every default", {{"D", 1}}, {"*"}, {"D:1"}},
      {"'*' and a default enabled again: only what is enabled, in the user's order",
       {{"C", 4}, {"A", 0}},
       {"*"},
       {"C:4", "A:0"}},
      {"enabled wins over disabled for the same plugin", {{"B", 2}}, {"B"}, {"A:0", "C:1", "B:2"}},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.what) {
      BOOST_TEST(refs(merge_plugin_set(defaults, c.enabled, c.disabled)) == c.want);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_multi_point_yaml_set_changes_a_default_weight_and_disables_a_plugin) {
  SchedulerConfig config = parse_ok(kHeader + R"(
profiles:
- schedulerName: packer
  plugins:
    multiPoint:
      enabled:
      - name: NodeResourcesFit
        weight: 5
      disabled:
      - name: NodeResourcesBalancedAllocation
      - name: ImageLocality
)");
  const Profile& profile = config.profiles.at(0);
  std::vector<PluginRef> want = default_profile().multi_point;
  for (auto& ref : want)
    if (ref.name == "NodeResourcesFit") ref.weight = 5;
  std::erase_if(want,
                [](const PluginRef& ref) { return ref.name == "NodeResourcesBalancedAllocation"; });
  BOOST_TEST(refs(profile.multi_point) == refs(want));
  ResourceNames names;
  auto frameworks = frameworks_of(config, default_registry(), names);
  BOOST_TEST(names_at(*frameworks[0], ExtensionPoint::score).size() == 5u);
}

BOOST_AUTO_TEST_CASE(kubes_bin_packing_example_most_allocated_with_resource_weights) {
  // kubernetes.io "Resource Bin Packing": NodeResourcesFit with MostAllocated.
  SchedulerConfig config = parse_ok(kHeader + R"(
profiles:
- pluginConfig:
  - args:
      scoringStrategy:
        resources:
        - name: cpu
          weight: 1
        - name: memory
          weight: 1
        - name: intel.com/foo
          weight: 3
        - name: intel.com/bar
          weight: 3
        type: MostAllocated
    name: NodeResourcesFit
)");
  const auto& args = fit_args(config.profiles.at(0));
  BOOST_TEST(static_cast<int>(args.scoring_strategy) ==
             static_cast<int>(ScoringStrategyType::most_allocated));
  BOOST_TEST(specs(args.resources) ==
             (std::vector<std::string>{"cpu:1", "memory:1", "intel.com/foo:3", "intel.com/bar:3"}));
  ResourceNames names;
  frameworks_of(config, default_registry(), names);
  BOOST_TEST(names.find("intel.com/foo") != nullptr);  // the plugin interned what it scores
}

BOOST_AUTO_TEST_CASE(kubes_bin_packing_example_requested_to_capacity_ratio_shape) {
  // kubernetes.io "Resource Bin Packing": RequestedToCapacityRatio, with the args' own TypeMeta.
  SchedulerConfig config = parse_ok(kHeader + R"(
profiles:
- pluginConfig:
  - args:
      apiVersion: kubescheduler.config.k8s.io/v1
      kind: NodeResourcesFitArgs
      scoringStrategy:
        resources:
        - name: intel.com/foo
          weight: 3
        - name: intel.com/bar
          weight: 3
        requestedToCapacityRatio:
          shape:
          - utilization: 0
            score: 0
          - utilization: 100
            score: 10
        type: RequestedToCapacityRatio
    name: NodeResourcesFit
)");
  const auto& args = fit_args(config.profiles.at(0));
  BOOST_TEST(static_cast<int>(args.scoring_strategy) ==
             static_cast<int>(ScoringStrategyType::requested_to_capacity_ratio));
  BOOST_REQUIRE(args.shape.size() == 2u);
  BOOST_TEST(args.shape[0].utilization == 0);
  BOOST_TEST(args.shape[0].score == 0);
  BOOST_TEST(args.shape[1].utilization == 100);
  BOOST_TEST(args.shape[1].score == 10);
  ResourceNames names;
  frameworks_of(config, default_registry(), names);
}

BOOST_AUTO_TEST_CASE(plugin_args_take_kubes_defaults) {
  // kube's SetDefaults_NodeResourcesFitArgs: no resources means cpu and memory; weight 0 is 1.
  SchedulerConfig config = parse_ok(kHeader + R"(
profiles:
- pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
      ignoredResources: [example.com/dongle]
  - name: NodeResourcesBalancedAllocation
    args:
      resources:
      - name: cpu
      - name: example.com/gpu
        weight: 1
  - name: InterPodAffinity
    args:
      hardPodAffinityWeight: 7
)");
  const Profile& profile = config.profiles.at(0);
  const auto& fit = fit_args(profile);
  BOOST_TEST(specs(fit.resources) == (std::vector<std::string>{"cpu:1", "memory:1"}));
  BOOST_TEST(fit.ignored_resources == std::vector<std::string>{"example.com/dongle"});
  const auto* balanced = std::any_cast<BalancedAllocationArgs>(
      &profile.plugin_args.at("NodeResourcesBalancedAllocation"));
  BOOST_REQUIRE(balanced != nullptr);
  BOOST_TEST(specs(balanced->resources) ==
             (std::vector<std::string>{"cpu:1", "example.com/gpu:1"}));
  const auto* affinity =
      std::any_cast<InterPodAffinityArgs>(&profile.plugin_args.at("InterPodAffinity"));
  BOOST_REQUIRE(affinity != nullptr);
  BOOST_TEST(affinity->hard_pod_affinity_weight == 7);
  ResourceNames names;
  frameworks_of(config, default_registry(), names);

  // PodTopologySpread: List defaults as kube's YAML gives them.
  SchedulerConfig spread = parse_ok(kHeader + R"(profiles:
- pluginConfig:
  - name: PodTopologySpread
    args:
      defaultingType: List
      defaultConstraints:
      - maxSkew: 2
        topologyKey: topology.kubernetes.io/zone
        whenUnsatisfiable: ScheduleAnyway
        nodeTaintsPolicy: Honor
      - maxSkew: 1
        topologyKey: kubernetes.io/hostname
        whenUnsatisfiable: DoNotSchedule
        matchLabelKeys: [pod-template-hash]
)");
  const auto* spread_args = std::any_cast<PodTopologySpreadArgs>(
      &spread.profiles.at(0).plugin_args.at("PodTopologySpread"));
  BOOST_REQUIRE(spread_args != nullptr);
  BOOST_TEST(static_cast<int>(spread_args->defaulting_type) ==
             static_cast<int>(SpreadDefaulting::list));
  BOOST_REQUIRE(spread_args->default_constraints.size() == 2u);
  BOOST_TEST(spread_args->default_constraints[0].max_skew == 2);
  BOOST_TEST(spread_args->default_constraints[0].node_taints_policy_honor);
  BOOST_TEST(static_cast<int>(spread_args->default_constraints[1].when_unsatisfiable) ==
             static_cast<int>(WhenUnsatisfiable::do_not_schedule));
  BOOST_TEST(spread_args->default_constraints[1].match_label_keys ==
             std::vector<std::string>{"pod-template-hash"});
  frameworks_of(spread, default_registry(), names);

  // Args given but empty: each plugin's defaults.
  SchedulerConfig empty =
      parse_ok(kHeader + "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n");
  const auto& defaults = fit_args(empty.profiles.at(0));
  BOOST_TEST(static_cast<int>(defaults.scoring_strategy) ==
             static_cast<int>(ScoringStrategyType::least_allocated));
  BOOST_TEST(specs(defaults.resources) == (std::vector<std::string>{"cpu:1", "memory:1"}));
}

BOOST_AUTO_TEST_CASE(percentage_of_nodes_to_score_is_inherited_from_the_global_one) {
  // kube: a profile without its own percentage uses the global one; 0 is the adaptive default.
  SchedulerConfig config = parse_ok(kHeader + R"(
percentageOfNodesToScore: 30
profiles:
- schedulerName: a
- schedulerName: b
  percentageOfNodesToScore: 70
- schedulerName: c
  percentageOfNodesToScore: 0
)");
  BOOST_TEST(config.percentage_of_nodes_to_score == 30);
  BOOST_TEST(config.profiles[0].percentage_of_nodes_to_score.value_or(-1) == 30);
  BOOST_TEST(config.profiles[1].percentage_of_nodes_to_score.value_or(-1) == 70);
  BOOST_TEST(config.profiles[2].percentage_of_nodes_to_score.value_or(-1) == 0);
  // With the adaptive default, num_feasible_nodes_to_find gives kube's numbers.
  BOOST_TEST(num_feasible_nodes_to_find(5000, 30) == 1500u);
  SchedulerConfig adaptive = parse_ok(kHeader);
  BOOST_TEST(!adaptive.profiles[0].percentage_of_nodes_to_score.has_value());
  BOOST_TEST(num_feasible_nodes_to_find(5000, 0) == 500u);  // 50 - 5000/125 = 10%
}

BOOST_AUTO_TEST_CASE(back_off_leader_election_and_accepted_kube_fields_are_read) {
  SchedulerConfig config = parse_ok(kHeader + R"(
parallelism: 8
podInitialBackoffSeconds: 2
podMaxBackoffSeconds: 20
enableProfiling: false
clientConnection:
  kubeconfig: /etc/kubernetes/scheduler.conf
  qps: 50.5
leaderElection:
  leaderElect: true
  leaseDuration: 1m
  renewDeadline: 30s
  retryPeriod: 2500ms
  resourceLock: leases
  resourceName: craton-scheduler
  resourceNamespace: craton-system
)");
  BOOST_TEST(config.parallelism == 8);
  BOOST_TEST(config.pod_initial_backoff_seconds == 2);
  BOOST_TEST(config.pod_max_backoff_seconds == 20);
  BOOST_TEST(config.leader_election.lease_duration_ms == 60'000);
  BOOST_TEST(config.leader_election.renew_deadline_ms == 30'000);
  BOOST_TEST(config.leader_election.retry_period_ms == 2'500);
  BOOST_TEST(config.leader_election.resource_name == "craton-scheduler");
  BOOST_TEST(config.leader_election.resource_namespace == "craton-system");
  // Without leader election its timings are not checked (kube validates them only when used).
  SchedulerConfig alone =
      parse_ok(kHeader + "leaderElection:\n  leaderElect: false\n  leaseDuration: 1s\n");
  BOOST_TEST(!alone.leader_election.leader_elect);
}

BOOST_AUTO_TEST_CASE(durations_are_read_as_go_parses_them) {
  using config_yaml::parse_duration_ms;
  struct Case {
    const char* text;
    std::optional<std::int64_t> ms;
  };
  const std::vector<Case> cases = {
      {"15s", 15'000},       {"1m30s", 90'000},     {"1.5h", 5'400'000},
      {"300ms", 300},        {"2500us", 2},         {"0", 0},
      {"-2s", -2'000},       {"1h0m0s", 3'600'000}, {"15", std::nullopt},
      {"", std::nullopt},    {"s", std::nullopt},   {"1.2.3s", std::nullopt},
      {"5 s", std::nullopt}, {"10d", std::nullopt},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.text) {
      BOOST_TEST(parse_duration_ms(c.text).value_or(-42) == c.ms.value_or(-42));
    }
  }
}

BOOST_AUTO_TEST_CASE(bad_configurations_are_answered_with_the_field_that_is_wrong) {
  struct Case {
    const char* what;
    std::string yaml;
    std::string code;
    std::string message;  ///< the whole message
  };
  const std::string two_profiles = kHeader + "profiles:\n- schedulerName: a\n";
  const std::vector<Case> cases = {
      {"wrong kind", "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeletConfiguration\n",
       "bad_config", "kind: must be KubeSchedulerConfiguration, got \"KubeletConfiguration\""},
      {"no apiVersion", "kind: KubeSchedulerConfiguration\n", "bad_config",
       "apiVersion: required (kubescheduler.config.k8s.io/v1)"},
      {"a removed beta version",
       "apiVersion: kubescheduler.config.k8s.io/v1beta3\nkind: KubeSchedulerConfiguration\n",
       "bad_config",
       "apiVersion: kubescheduler.config.k8s.io/v1beta3 is no longer served by Kubernetes; use "
       "kubescheduler.config.k8s.io/v1"},
      {"duplicate schedulerName", two_profiles + "- schedulerName: b\n- schedulerName: a\n",
       "bad_config", "profiles[2].schedulerName: duplicate \"a\" (also profiles[0].schedulerName)"},
      {"a second profile without a name", two_profiles + "- plugins: {}\n", "bad_config",
       "profiles[1].schedulerName: required"},
      {"different queueSort",
       two_profiles + "- schedulerName: b\n  plugins:\n    queueSort:\n      enabled:\n      - "
                      "name: FifoSort\n",
       "bad_config",
       "profiles[1].plugins.queueSort: must be the same for all profiles (one queue orders the "
       "pods of all of them)"},
      {"weight 101",
       two_profiles + "- schedulerName: b\n  plugins:\n    score:\n      enabled:\n      - name: "
                      "NodeAffinity\n        weight: 101\n",
       "bad_config", "profiles[1].plugins.score.enabled[0].weight: must be in 1..100, got 101"},
      {"weight 0 given",
       kHeader + "profiles:\n- plugins:\n    multiPoint:\n      enabled:\n      - {name: "
                 "TaintToleration, weight: 0}\n",
       "bad_config", "profiles[0].plugins.multiPoint.enabled[0].weight: must be in 1..100, got 0"},
      {"a quoted weight",
       kHeader + "profiles:\n- plugins:\n    score:\n      enabled:\n      - {name: NodeAffinity, "
                 "weight: \"5\"}\n",
       "bad_config", "profiles[0].plugins.score.enabled[0].weight: must be an integer"},
      {"an unknown field deep down",
       kHeader + "profiles:\n- plugins:\n    score:\n      enabled:\n      - name: NodeAffinity\n  "
                 "      wieght: 2\n",
       "bad_config", "profiles[0].plugins.score.enabled[0].wieght: unknown field"},
      {"an unknown top-level field", kHeader + "healthzBindAddress: 0.0.0.0:10251\n", "bad_config",
       "healthzBindAddress: unknown field"},
      {"an unknown extension point", kHeader + "profiles:\n- plugins:\n    normalizeScore: {}\n",
       "bad_config", "profiles[0].plugins.normalizeScore: unknown field"},
      {"a repeated field", kHeader + "percentageOfNodesToScore: 10\npercentageOfNodesToScore: 20\n",
       "bad_config", "percentageOfNodesToScore: duplicate field"},
      {"malformed YAML", kHeader + "profiles: [\n", "malformed", ""},
      {"two documents", kHeader + "---\n" + kHeader, "malformed",
       "the configuration holds 2 YAML documents, want one KubeSchedulerConfiguration"},
      {"not a mapping", "- a\n- b\n", "bad_config", "must be a mapping of fields"},
      {"args for an unknown plugin",
       kHeader +
           "profiles:\n- pluginConfig:\n  - name: MyCustomPluginA\n    args:\n      depth: 3\n",
       "bad_config",
       "profiles[0].pluginConfig[0].args: arguments for plugin MyCustomPluginA are not known "
       "(arguments are read for FGD, InterPodAffinity, NodeResourcesBalancedAllocation, "
       "NodeResourcesFit, PodTopologySpread, RandomScore)"},
      {"args given twice",
       kHeader +
           "profiles:\n- pluginConfig:\n  - name: InterPodAffinity\n  - name: InterPodAffinity\n",
       "bad_config",
       "profiles[0].pluginConfig[1].name: arguments for InterPodAffinity are given twice"},
      {"args of another kind",
       kHeader + "profiles:\n- pluginConfig:\n  - name: InterPodAffinity\n    args:\n      kind: "
                 "NodeResourcesFitArgs\n",
       "bad_config",
       "profiles[0].pluginConfig[0].args.kind: must be InterPodAffinityArgs, got "
       "NodeResourcesFitArgs"},
      {"an unknown scoring strategy",
       kHeader + "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      "
                 "scoringStrategy:\n        type: LeastRequested\n",
       "bad_config",
       "profiles[0].pluginConfig[0].args.scoringStrategy.type: must be LeastAllocated, "
       "MostAllocated or RequestedToCapacityRatio, got \"LeastRequested\""},
      {"a resource weight of 101",
       kHeader + "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      "
                 "scoringStrategy:\n        type: MostAllocated\n        resources:\n        - "
                 "{name: cpu, weight: 101}\n",
       "bad_config",
       "profiles[0].pluginConfig[0].args.scoringStrategy.resources[0].weight: must be in 1..100, "
       "got 101"},
      {"RequestedToCapacityRatio without a shape",
       kHeader + "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      "
                 "scoringStrategy:\n        type: RequestedToCapacityRatio\n",
       "bad_config",
       "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio: required when "
       "type is RequestedToCapacityRatio"},
      {"a shape for another strategy",
       kHeader + "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      "
                 "scoringStrategy:\n        type: MostAllocated\n        requestedToCapacityRatio: "
                 "{shape: [{utilization: 0, score: 0}]}\n",
       "bad_config",
       "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio: must be unset "
       "when type is not RequestedToCapacityRatio"},
      {"a shape going down",
       kHeader + "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      "
                 "scoringStrategy:\n        type: RequestedToCapacityRatio\n        "
                 "requestedToCapacityRatio:\n          shape: [{utilization: 50, score: 1}, "
                 "{utilization: 20, score: 5}]\n",
       "bad_config",
       "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio.shape[1]."
       "utilization: values must be sorted in increasing order"},
      {"a shape score above 10",
       kHeader + "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      "
                 "scoringStrategy:\n        type: RequestedToCapacityRatio\n        "
                 "requestedToCapacityRatio:\n          shape: [{utilization: 50, score: 11}]\n",
       "bad_config",
       "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio.shape[0].score: "
       "must be in 0..10, got 11"},
      {"a balanced allocation weight",
       kHeader + "profiles:\n- pluginConfig:\n  - name: NodeResourcesBalancedAllocation\n    "
                 "args:\n      resources: [{name: cpu, weight: 2}]\n",
       "bad_config", "profiles[0].pluginConfig[0].args.resources[0].weight: must be 1"},
      {"hardPodAffinityWeight 101",
       kHeader + "profiles:\n- pluginConfig:\n  - name: InterPodAffinity\n    args: "
                 "{hardPodAffinityWeight: 101}\n",
       "bad_config",
       "profiles[0].pluginConfig[0].args.hardPodAffinityWeight: must be in 0..100, got 101"},
      {"System defaulting with constraints",
       kHeader + "profiles:\n- pluginConfig:\n  - name: PodTopologySpread\n    args:\n      "
                 "defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: "
                 "DoNotSchedule}]\n",
       "bad_config",
       "profiles[0].pluginConfig[0].args.defaultConstraints: PodTopologySpreadArgs: "
       "defaultingType: Invalid value: \"System\": when .defaultConstraints are not empty"},
      {"a default constraint with a selector",
       kHeader + "profiles:\n- pluginConfig:\n  - name: PodTopologySpread\n    args:\n      "
                 "defaultingType: List\n      defaultConstraints: [{maxSkew: 1, topologyKey: "
                 "zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {}}]\n",
       "bad_config",
       "profiles[0].pluginConfig[0].args.defaultConstraints[0].labelSelector: constraint must not "
       "define a selector, as they deduced for each pod"},
      {"global percentage 101", kHeader + "percentageOfNodesToScore: 101\n", "bad_config",
       "percentageOfNodesToScore: must be in 0..100, got 101"},
      {"parallelism 0", kHeader + "parallelism: 0\n", "bad_config",
       "parallelism: must be at least 1, got 0"},
      {"profile percentage -1", kHeader + "profiles:\n- percentageOfNodesToScore: -1\n",
       "bad_config", "profiles[0].percentageOfNodesToScore: must be in 0..100, got -1"},
      {"initial back-off 0", kHeader + "podInitialBackoffSeconds: 0\n", "bad_config",
       "podInitialBackoffSeconds: must be at least 1, got 0"},
      {"max back-off below the initial one",
       kHeader + "podInitialBackoffSeconds: 5\npodMaxBackoffSeconds: 4\n", "bad_config",
       "podMaxBackoffSeconds: must be greater than or equal to podInitialBackoffSeconds"},
      {"lease not longer than the renew deadline",
       kHeader + "leaderElection:\n  leaseDuration: 10s\n", "bad_config",
       "leaderElection.leaseDuration: must be greater than renewDeadline"},
      {"a duration without a unit", kHeader + "leaderElection:\n  retryPeriod: 2\n", "bad_config",
       "leaderElection.retryPeriod: must be a duration such as \"15s\" or \"1m30s\", got \"2\""},
      {"another lock", kHeader + "leaderElection:\n  resourceLock: endpoints\n", "bad_config",
       "leaderElection.resourceLock: must be \"leases\""},
      {"extenders", kHeader + "extenders:\n- urlPrefix: http://127.0.0.1:8888/\n", "bad_config",
       "extenders: scheduler extenders are not supported"},
      {"a plugin listed twice at a point",
       kHeader + "profiles:\n- plugins:\n    filter:\n      enabled: [{name: NodePorts}, {name: "
                 "NodePorts}]\n",
       "bad_config", "profiles[0].plugins.filter.enabled[1].name: NodePorts is listed twice"},
      {"a plugin without a name",
       kHeader + "profiles:\n- plugins:\n    filter:\n      disabled: [{}]\n", "bad_config",
       "profiles[0].plugins.filter.disabled[0].name: required"},
      {"a PreEnqueue plugin",
       kHeader +
           "profiles:\n- plugins:\n    preEnqueue:\n      enabled: [{name: SchedulingGates}]\n",
       "bad_config",
       "profiles[0].plugins.preEnqueue.enabled: the PreEnqueue extension point is not supported"},
      {"a list where a mapping belongs", kHeader + "profiles:\n- plugins: [score]\n", "bad_config",
       "profiles[0].plugins: must be a mapping of fields"},
      {"an ignored resource that is not a name",
       kHeader + "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      "
                 "ignoredResources: [a, {b: c}]\n",
       "bad_config", "profiles[0].pluginConfig[0].args.ignoredResources[1]: must be a string"},
      {"a boolean that is not one", kHeader + "enableProfiling: yes\n", "bad_config",
       "enableProfiling: must be true or false"},
      {"too large", kHeader + "# " + std::string(kConfigBytesMax, 'x') + "\n", "malformed",
       "the configuration is " + std::to_string(kHeader.size() + kConfigBytesMax + 3) +
           " bytes, more than 1048576"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.what) {
      auto config = parse_scheduler_config(c.yaml);
      BOOST_REQUIRE(!config.ok());
      BOOST_TEST(config.error().code == c.code);
      if (!c.message.empty()) BOOST_TEST(config.error().message == c.message);
    }
  }
}

BOOST_AUTO_TEST_CASE(malformed_yaml_says_where) {
  auto config = parse_scheduler_config(kHeader + "profiles:\n  - schedulerName: [a\n");
  BOOST_REQUIRE(!config.ok());
  BOOST_TEST(config.error().code == "malformed");
  BOOST_TEST(config.error().message.starts_with("the configuration is not valid YAML: line "));
}

BOOST_AUTO_TEST_CASE(deeply_nested_yaml_is_refused_not_a_crash) {
  // yaml-cpp bounds its own recursion and throws; the loader answers an Error.
  std::string deep = kHeader + "profiles: " + std::string(100'000, '[') + "\n";
  auto config = parse_scheduler_config(deep);
  BOOST_REQUIRE(!config.ok());
  BOOST_TEST(config.error().code == "malformed");
}

BOOST_AUTO_TEST_CASE(building_frameworks_names_the_profile_and_checks_the_sorters_built) {
  // Plugin names are the framework's to check: the loader accepts any name.
  SchedulerConfig unknown = parse_ok(kHeader + R"(
profiles:
- schedulerName: a
- schedulerName: b
  plugins:
    filter:
      enabled: [{name: NoSuchPlugin}]
)");
  ResourceNames names;
  auto built = build_frameworks(unknown, default_registry(), names);
  BOOST_REQUIRE(!built.ok());
  BOOST_TEST(built.error().message == "profile b: no plugin named NoSuchPlugin is registered");

  // kube compares only the queueSort sets; a different sorter through multiPoint is caught when
  // the frameworks are built.
  SchedulerConfig sorters = parse_ok(kHeader + R"(
profiles:
- schedulerName: a
- schedulerName: b
  plugins:
    multiPoint:
      enabled: [{name: FifoSort}]
      disabled: [{name: PrioritySort}]
)");
  auto split = build_frameworks(sorters, registry_with_custom_plugins(), names);
  BOOST_REQUIRE(!split.ok());
  BOOST_TEST(split.error().message ==
             "profile b: QueueSort plugin FifoSort differs from PrioritySort of profile a (one "
             "queue orders the pods of all profiles)");
  // Both profiles on the same other sorter are fine.
  SchedulerConfig same = parse_ok(kHeader + R"(
profiles:
- schedulerName: a
  plugins:
    queueSort: {enabled: [{name: FifoSort}], disabled: [{name: '*'}]}
- schedulerName: b
  plugins:
    queueSort: {enabled: [{name: FifoSort}], disabled: [{name: '*'}]}
)");
  auto frameworks = frameworks_of(same, registry_with_custom_plugins(), names);
  BOOST_TEST(names_at(*frameworks[1], ExtensionPoint::queue_sort) ==
             std::vector<std::string>{"FifoSort"});
  BOOST_TEST(same.profiles[0].enabled[kQueueSort].size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_documented_full_example_parses_and_builds) {
  // The example of docs/scheduler-config.md, kept identical to it.
  SchedulerConfig config = parse_ok(R"(apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 0        # kube's adaptive default: 50% - nodes/125, at least 5%
podInitialBackoffSeconds: 1
podMaxBackoffSeconds: 10
leaderElection:
  leaderElect: true
  leaseDuration: 15s
  renewDeadline: 10s
  retryPeriod: 2s
  resourceLock: leases
  resourceName: kube-scheduler
  resourceNamespace: kube-system
profiles:
  - schedulerName: default-scheduler
  - schedulerName: bin-packing-scheduler
    percentageOfNodesToScore: 50
    plugins:
      multiPoint:
        enabled:
          - name: NodeResourcesFit
            weight: 5
      score:
        disabled:
          - name: NodeResourcesBalancedAllocation
    pluginConfig:
      - name: NodeResourcesFit
        args:
          scoringStrategy:
            type: MostAllocated
            resources:
              - name: cpu
                weight: 1
              - name: memory
                weight: 1
              - name: nvidia.com/gpu
                weight: 3
      - name: InterPodAffinity
        args:
          hardPodAffinityWeight: 10
  - schedulerName: no-scoring-scheduler
    plugins:
      preScore:
        disabled:
          - name: "*"
      score:
        disabled:
          - name: "*"
)");
  BOOST_REQUIRE(config.profiles.size() == 3u);
  ResourceNames names;
  auto frameworks = frameworks_of(config, default_registry(), names);
  BOOST_TEST(names_at(*frameworks[1], ExtensionPoint::score).size() == 5u);
  BOOST_TEST(names_at(*frameworks[2], ExtensionPoint::score).empty());
  BOOST_TEST(config.profiles[1].percentage_of_nodes_to_score.value_or(-1) == 50);
  BOOST_TEST(static_cast<int>(fit_args(config.profiles[1]).scoring_strategy) ==
             static_cast<int>(ScoringStrategyType::most_allocated));
}
