// Plugin arguments: one reader per plugin, each defaulting and validating as kube's v1 does.
#include "actors/scheduler/config/plugin_args.hpp"

#include <array>
#include <limits>
#include <set>

#include "actors/scheduler/plugins/balanced_allocation.hpp"
#include "actors/scheduler/plugins/fgd.hpp"
#include "actors/scheduler/plugins/inter_pod_affinity.hpp"
#include "actors/scheduler/plugins/node_resources_fit.hpp"
#include "actors/scheduler/plugins/pod_topology_spread.hpp"
#include "actors/scheduler/plugins/random_score.hpp"

namespace craton::scheduler::config_yaml {

namespace {

constexpr std::string_view kApiVersion = "kubescheduler.config.k8s.io/v1";
constexpr std::size_t kIgnoredResourcesMax = 64;
constexpr std::size_t kDefaultConstraintsMax = 16;
constexpr std::int64_t kShapeScoreMax = 10;  // kube's MaxCustomPriorityScore
constexpr std::int64_t kAnyInteger = std::numeric_limits<std::int64_t>::max();

// Args may carry their own TypeMeta; kube then requires the kind "<plugin>Args".
void check_type_meta(YamlFields& fields, std::string_view plugin) {
  std::string api_version, kind;
  fields.read("apiVersion", api_version);
  fields.read("kind", kind);
  if (!api_version.empty() && api_version != kApiVersion)
    fields.errors().add(fields.path("apiVersion"),
                        "must be " + std::string(kApiVersion) + ", got " + api_version);
  std::string want = std::string(plugin) + "Args";
  if (!kind.empty() && kind != want)
    fields.errors().add(fields.path("kind"), "must be " + want + ", got " + kind);
}

// kube's ResourceSpec list: unset or empty means cpu and memory; a weight of 0 (or none) is 1.
std::vector<ResourceSpec> read_resources(const YAML::Node& node, std::string_view path,
                                         ConfigErrors& errors) {
  auto items = sequence_items(node, path, kScoredResourcesMax, errors);
  if (items.empty()) return {{"cpu", 1}, {"memory", 1}};
  std::vector<ResourceSpec> out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    YamlFields fields(items[i], index_path(path, i), errors);
    ResourceSpec spec{"", 0};
    fields.read("name", spec.name);
    fields.read("weight", spec.weight, -kAnyInteger, kAnyInteger);
    fields.finish();
    if (spec.name.empty()) errors.add(fields.path("name"), "required");
    if (spec.weight == 0) spec.weight = 1;
    if (spec.weight < 1 || spec.weight > 100)
      errors.add(fields.path("weight"),
                 "must be in 1..100, got " + std::to_string(spec.weight));  // kube: (0, 100]
    out.push_back(std::move(spec));
  }
  return out;
}

// RequestedToCapacityRatio's shape: 1..16 points, utilization increasing within 0..100, score
// within 0..10.
std::vector<UtilizationShapePoint> read_shape(const YAML::Node& node, std::string_view path,
                                              ConfigErrors& errors) {
  auto items = sequence_items(node, path, kShapePointsMax, errors);
  if (items.empty()) errors.add(path, "at least one point must be specified");
  std::vector<UtilizationShapePoint> out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    YamlFields fields(items[i], index_path(path, i), errors);
    UtilizationShapePoint point;
    fields.read("utilization", point.utilization, 0, 100);
    fields.read("score", point.score, 0, kShapeScoreMax);
    fields.finish();
    if (!out.empty() && out.back().utilization >= point.utilization)
      errors.add(fields.path("utilization"), "values must be sorted in increasing order");
    out.push_back(point);
  }
  return out;
}

std::optional<ScoringStrategyType> strategy_type(std::string_view name) {
  if (name == "LeastAllocated") return ScoringStrategyType::least_allocated;
  if (name == "MostAllocated") return ScoringStrategyType::most_allocated;
  if (name == "RequestedToCapacityRatio") return ScoringStrategyType::requested_to_capacity_ratio;
  return std::nullopt;
}

void read_scoring_strategy(const YAML::Node& node, std::string_view path, NodeResourcesFitArgs& out,
                           ConfigErrors& errors) {
  YamlFields fields(node, std::string(path), errors);
  std::string type;
  fields.read("type", type);
  auto strategy = strategy_type(type);
  if (!strategy)
    errors.add(
        fields.path("type"),
        "must be LeastAllocated, MostAllocated or RequestedToCapacityRatio, got \"" + type + "\"");
  out.scoring_strategy = strategy.value_or(ScoringStrategyType::least_allocated);
  out.resources = read_resources(fields.take("resources"), fields.path("resources"), errors);
  YAML::Node ratio = fields.take("requestedToCapacityRatio");
  std::string ratio_path = fields.path("requestedToCapacityRatio");
  fields.finish();
  if (out.scoring_strategy != ScoringStrategyType::requested_to_capacity_ratio) {
    if (!is_unset(ratio))
      errors.add(ratio_path, "must be unset when type is not RequestedToCapacityRatio");
    return;
  }
  if (is_unset(ratio)) {
    errors.add(ratio_path, "required when type is RequestedToCapacityRatio");
    return;
  }
  YamlFields ratio_fields(ratio, ratio_path, errors);
  out.shape = read_shape(ratio_fields.take("shape"), ratio_fields.path("shape"), errors);
  ratio_fields.finish();
}

std::any read_node_resources_fit(YamlFields& fields) {
  ConfigErrors& errors = fields.errors();
  NodeResourcesFitArgs args;
  std::string ignored_path = fields.path("ignoredResources");
  auto ignored =
      sequence_items(fields.take("ignoredResources"), ignored_path, kIgnoredResourcesMax, errors);
  for (std::size_t i = 0; i < ignored.size(); ++i)
    if (auto name = as_string(ignored[i], index_path(ignored_path, i), errors))
      args.ignored_resources.push_back(*name);
  if (!sequence_items(fields.take("ignoredResourceGroups"), fields.path("ignoredResourceGroups"),
                      kIgnoredResourcesMax, errors)
           .empty())
    errors.add(fields.path("ignoredResourceGroups"), "not supported yet");
  YAML::Node strategy = fields.take("scoringStrategy");
  if (!is_unset(strategy))  // unset: kube's default, LeastAllocated over cpu and memory
    read_scoring_strategy(strategy, fields.path("scoringStrategy"), args, errors);
  return args;
}

std::any read_balanced_allocation(YamlFields& fields) {
  ConfigErrors& errors = fields.errors();
  BalancedAllocationArgs args;
  args.resources = read_resources(fields.take("resources"), fields.path("resources"), errors);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < args.resources.size(); ++i) {
    std::string path = index_path(fields.path("resources"), i);
    if (!seen.insert(args.resources[i].name).second)
      errors.add(child_path(path, "name"), "duplicate resource " + args.resources[i].name);
    if (args.resources[i].weight != 1)  // kube: the balance ignores weights, so only 1 is valid
      errors.add(child_path(path, "weight"), "must be 1");
  }
  return args;
}

std::any read_inter_pod_affinity(YamlFields& fields) {
  InterPodAffinityArgs args;
  fields.read("hardPodAffinityWeight", args.hard_pod_affinity_weight, 0, 100);
  bool ignore_preferred = false;
  fields.read("ignorePreferredTermsOfExistingPods", ignore_preferred);
  if (ignore_preferred)
    fields.errors().add(fields.path("ignorePreferredTermsOfExistingPods"), "not supported yet");
  return args;
}

// One of PodTopologySpreadArgs.defaultConstraints (a v1.TopologySpreadConstraint).
TopologySpreadConstraint read_default_constraint(const YAML::Node& node, std::string path,
                                                 ConfigErrors& errors) {
  YamlFields fields(node, std::move(path), errors);
  TopologySpreadConstraint c;
  fields.read("maxSkew", c.max_skew, -kAnyInteger, kAnyInteger);  // validate() says why
  fields.read("topologyKey", c.topology_key);
  std::string when, affinity_policy, taints_policy;
  fields.read("whenUnsatisfiable", when);
  if (when == "ScheduleAnyway")
    c.when_unsatisfiable = WhenUnsatisfiable::schedule_anyway;
  else if (when != "DoNotSchedule")
    errors.add(fields.path("whenUnsatisfiable"),
               "must be DoNotSchedule or ScheduleAnyway, got \"" + when + "\"");
  fields.read("minDomains", c.min_domains, 1, kAnyInteger);
  fields.read("nodeAffinityPolicy", affinity_policy);
  fields.read("nodeTaintsPolicy", taints_policy);
  for (auto [value, key] : {std::pair{&affinity_policy, "nodeAffinityPolicy"},
                            std::pair{&taints_policy, "nodeTaintsPolicy"}})
    if (!value->empty() && *value != "Honor" && *value != "Ignore")
      errors.add(fields.path(key), "must be Honor or Ignore, got \"" + *value + "\"");
  c.node_affinity_policy_honor = affinity_policy != "Ignore";
  c.node_taints_policy_honor = taints_policy == "Honor";
  std::string keys_path = fields.path("matchLabelKeys");
  auto keys =
      sequence_items(fields.take("matchLabelKeys"), keys_path, kDefaultConstraintsMax, errors);
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (auto key = as_string(keys[i], index_path(keys_path, i), errors))
      c.match_label_keys.push_back(*key);
  if (!is_unset(fields.take("labelSelector")))
    errors.add(fields.path("labelSelector"),
               "constraint must not define a selector, as they deduced for each pod");
  fields.finish();
  return c;
}

std::any read_pod_topology_spread(YamlFields& fields) {
  ConfigErrors& errors = fields.errors();
  PodTopologySpreadArgs args;
  std::string type;
  fields.read("defaultingType", type);
  if (type == "List")
    args.defaulting_type = SpreadDefaulting::list;
  else if (!type.empty() && type != "System")  // unset: kube's v1 default, System
    errors.add(fields.path("defaultingType"), "must be System or List, got \"" + type + "\"");
  std::string path = fields.path("defaultConstraints");
  auto items =
      sequence_items(fields.take("defaultConstraints"), path, kDefaultConstraintsMax, errors);
  for (std::size_t i = 0; i < items.size(); ++i)
    args.default_constraints.push_back(
        read_default_constraint(items[i], index_path(path, i), errors));
  if (auto valid = validate(args); !valid && !errors.any()) errors.add(path, valid.error().message);
  return args;
}

// FGD's target workload: podTypes[{cpuMilli, numGpu, gpuMilli, weight}] (plugins/fgd.hpp).
// Weights are integers (counts or per-mille popularity): the loader reads no fractions.
std::any read_fgd(YamlFields& fields) {
  ConfigErrors& errors = fields.errors();
  FgdArgs args;
  std::string path = fields.path("podTypes");
  auto items = sequence_items(fields.take("podTypes"), path, kFgdPodTypesMax, errors);
  for (std::size_t i = 0; i < items.size(); ++i) {
    YamlFields type(items[i], index_path(path, i), errors);
    FgdPodType t;
    std::int64_t weight = 1;
    type.read("cpuMilli", t.cpu_milli, 0, 1'000'000'000);
    type.read("numGpu", t.num_gpu, 0, 16);
    type.read("gpuMilli", t.gpu_milli, 0, 1000);
    type.read("weight", weight, 1, 1'000'000'000'000);
    type.finish();
    t.weight = static_cast<double>(weight);
    args.pod_types.push_back(t);
  }
  if (auto valid = fgd_workload(args); !valid && !errors.any())
    errors.add(path, valid.error().message);
  return args;
}

std::any read_random_score(YamlFields& fields) {
  RandomScoreArgs args;
  std::int64_t seed = 0;
  fields.read("seed", seed, 0, kAnyInteger);
  args.seed = static_cast<std::uint64_t>(seed);
  return args;
}

struct ArgsReader {
  std::string_view plugin;
  std::any (*read)(YamlFields& fields);
};

constexpr std::array<ArgsReader, 6> kReaders = {{
    {"FGD", read_fgd},
    {"InterPodAffinity", read_inter_pod_affinity},
    {"NodeResourcesBalancedAllocation", read_balanced_allocation},
    {"NodeResourcesFit", read_node_resources_fit},
    {"PodTopologySpread", read_pod_topology_spread},
    {"RandomScore", read_random_score},
}};

}  // namespace

std::string_view plugins_with_known_args() {
  return "FGD, InterPodAffinity, NodeResourcesBalancedAllocation, NodeResourcesFit, "
         "PodTopologySpread, RandomScore";
}

std::optional<std::any> read_plugin_args(std::string_view plugin, const YAML::Node& args,
                                         std::string_view path, ConfigErrors& errors) {
  for (const auto& reader : kReaders) {
    if (reader.plugin != plugin) continue;
    YamlFields fields(args, std::string(path), errors);
    check_type_meta(fields, plugin);
    std::any out = reader.read(fields);
    fields.finish();
    if (errors.any()) return std::nullopt;
    return out;
  }
  errors.add(path, "arguments for plugin " + std::string(plugin) +
                       " are not known (arguments are read for " +
                       std::string(plugins_with_known_args()) + ")");
  return std::nullopt;
}

}  // namespace craton::scheduler::config_yaml
