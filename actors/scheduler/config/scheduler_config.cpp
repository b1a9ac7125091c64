// The KubeSchedulerConfiguration loader: top-level fields, leader election, validation, and
// building the profiles' frameworks.
#include "actors/scheduler/config/scheduler_config.hpp"

#include <limits>

#include "actors/scheduler/config/profile_config.hpp"
#include "actors/scheduler/config/yaml_fields.hpp"
#include "actors/scheduler/plugins/default_plugins.hpp"

namespace craton::scheduler {

namespace {

using namespace config_yaml;

constexpr std::int64_t kInt32Max = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

void check_api_version(YamlFields& root) {
  std::string api_version, kind;
  root.read("apiVersion", api_version);
  root.read("kind", kind);
  ConfigErrors& errors = root.errors();
  std::string want(kSchedulerConfigApiVersion);
  if (api_version.empty()) {
    errors.add("apiVersion", "required (" + want + ")");
  } else if (api_version.starts_with("kubescheduler.config.k8s.io/v1beta")) {
    // kube removed v1beta3 in 1.29 (and the older betas before); 1.32 reads only v1.
    errors.add("apiVersion", api_version + " is no longer served by Kubernetes; use " + want);
  } else if (api_version != want) {
    errors.add("apiVersion", "must be " + want + ", got " + api_version);
  }
  if (kind != "KubeSchedulerConfiguration")
    errors.add("kind", "must be KubeSchedulerConfiguration, got \"" + kind + "\"");
}

// kube's LeaderElectionConfiguration and its validation (component-base, plus client-go's
// leader elector, which refuses a renew deadline within 1.2 retry periods).
void read_leader_election(const YAML::Node& node, LeaderElectionConfig& out, ConfigErrors& errors) {
  YamlFields fields(node, "leaderElection", errors);
  std::string lock = "leases";
  fields.read("leaderElect", out.leader_elect);
  fields.read_duration_ms("leaseDuration", out.lease_duration_ms);
  fields.read_duration_ms("renewDeadline", out.renew_deadline_ms);
  fields.read_duration_ms("retryPeriod", out.retry_period_ms);
  fields.read("resourceLock", lock);
  fields.read("resourceName", out.resource_name);
  fields.read("resourceNamespace", out.resource_namespace);
  fields.finish();
  if (!out.leader_elect || errors.any()) return;
  if (out.lease_duration_ms <= 0)
    errors.add(fields.path("leaseDuration"), "must be greater than zero");
  if (out.renew_deadline_ms <= 0)
    errors.add(fields.path("renewDeadline"), "must be greater than zero");
  if (out.retry_period_ms <= 0) errors.add(fields.path("retryPeriod"), "must be greater than zero");
  if (out.lease_duration_ms <= out.renew_deadline_ms)
    errors.add(fields.path("leaseDuration"), "must be greater than renewDeadline");
  if (out.renew_deadline_ms * 10 <= out.retry_period_ms * 12)
    errors.add(fields.path("renewDeadline"), "must be greater than 1.2 times retryPeriod");
  if (lock != "leases") errors.add(fields.path("resourceLock"), "must be \"leases\"");
  if (out.resource_name.empty()) errors.add(fields.path("resourceName"), "required");
  if (out.resource_namespace.empty()) errors.add(fields.path("resourceNamespace"), "required");
}

// Fields kube reads that mean nothing here (we join the cluster with --join, and profile
// nothing): their shape is checked, their values are ignored.
void read_ignored_fields(YamlFields& root) {
  YamlFields connection(root.take("clientConnection"), "clientConnection", root.errors());
  for (auto key : {"kubeconfig", "acceptContentTypes", "contentType", "qps", "burst"})
    if (auto value = connection.take(key); !is_unset(value) && !value.IsScalar())
      root.errors().add(connection.path(key), "must be a scalar");
  connection.finish();
  bool ignored = false;
  root.read("enableProfiling", ignored);
  root.read("enableContentionProfiling", ignored);
  root.read("delayCacheUntilActive", ignored);
  if (!sequence_items(root.take("extenders"), "extenders", kProfilesMax, root.errors()).empty())
    root.errors().add("extenders", "scheduler extenders are not supported");
}

void read_profiles(const YAML::Node& node, SchedulerConfig& out, ConfigErrors& errors) {
  auto items = sequence_items(node, "profiles", kProfilesMax, errors);
  if (items.empty()) return;  // kube: no profiles is one default profile
  out.profiles.clear();
  for (std::size_t i = 0; i < items.size() && !errors.any(); ++i)
    out.profiles.push_back(
        read_profile(items[i], index_path("profiles", i), items.size() == 1, errors));
  check_profiles(out.profiles, "profiles", errors);
}

void read_root(const YAML::Node& document, SchedulerConfig& out, ConfigErrors& errors) {
  YamlFields root(document, "", errors);
  check_api_version(root);
  if (errors.any()) return;  // a different kind of document: its fields mean nothing to us
  root.read("parallelism", out.parallelism, 1, kInt32Max);
  read_leader_election(root.take("leaderElection"), out.leader_election, errors);
  read_ignored_fields(root);
  root.read("percentageOfNodesToScore", out.percentage_of_nodes_to_score, 0, 100);
  root.read("podInitialBackoffSeconds", out.pod_initial_backoff_seconds, 1, kInt64Max);
  root.read("podMaxBackoffSeconds", out.pod_max_backoff_seconds, 0, kInt64Max);
  read_profiles(root.take("profiles"), out, errors);
  root.finish();
  if (out.pod_max_backoff_seconds < out.pod_initial_backoff_seconds)
    errors.add("podMaxBackoffSeconds", "must be greater than or equal to podInitialBackoffSeconds");
  // kube's scheduler uses the global percentage for a profile without its own; 0 (adaptive) is
  // what an unset profile percentage means already.
  for (auto& profile : out.profiles)
    if (!profile.percentage_of_nodes_to_score && out.percentage_of_nodes_to_score != 0)
      profile.percentage_of_nodes_to_score = out.percentage_of_nodes_to_score;
}

Result<YAML::Node> load_document(std::string_view yaml) {
  if (yaml.size() > kConfigBytesMax)
    return Error{"malformed", "the configuration is " + std::to_string(yaml.size()) +
                                  " bytes, more than " + std::to_string(kConfigBytesMax)};
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception& e) {  // yaml-cpp reports syntax errors (and depth) by throwing
    return Error{"malformed", "the configuration is not valid YAML: line " +
                                  std::to_string(e.mark.line + 1) + ", column " +
                                  std::to_string(e.mark.column + 1) + ": " + e.msg};
  }
  if (documents.size() != 1)
    return Error{"malformed", "the configuration holds " + std::to_string(documents.size()) +
                                  " YAML documents, want one KubeSchedulerConfiguration"};
  return documents.front();
}

}  // namespace

const Profile* SchedulerConfig::profile_for(std::string_view scheduler_name) const {
  if (scheduler_name.empty()) scheduler_name = "default-scheduler";
  for (const auto& profile : profiles)
    if (profile.scheduler_name == scheduler_name) return &profile;
  return nullptr;
}

SchedulerConfig default_scheduler_config() {
  SchedulerConfig config;
  config.profiles.push_back(default_profile());
  return config;
}

Result<SchedulerConfig> parse_scheduler_config(std::string_view yaml) {
  auto document = load_document(yaml);
  if (!document) return document.error();
  SchedulerConfig config = default_scheduler_config();
  ConfigErrors errors;
  try {
    read_root(*document, config, errors);
  } catch (const YAML::Exception& e) {  // not expected: the readers check types before use
    return Error{"malformed", std::string("the configuration could not be read: ") + e.what()};
  }
  if (errors.any()) return errors.first();
  return config;
}

Result<std::vector<std::unique_ptr<Framework>>> build_frameworks(const SchedulerConfig& config,
                                                                 const Registry& registry,
                                                                 ResourceNames& resources) {
  std::vector<std::unique_ptr<Framework>> out;
  for (const auto& profile : config.profiles) {
    auto framework = Framework::create(registry, profile, resources);
    if (!framework)
      return Error{framework.error().code,
                   "profile " + profile.scheduler_name + ": " + framework.error().message};
    out.push_back(std::move(*framework));
  }
  // kube compares the queueSort sets only; a different sorter enabled through multiPoint would
  // still split the one queue, so the built plugins are compared too.
  for (std::size_t i = 1; i < out.size(); ++i) {
    auto first = out.front()->plugin_names(ExtensionPoint::queue_sort);
    auto mine = out[i]->plugin_names(ExtensionPoint::queue_sort);
    if (mine != first)
      return Error{"bad_config", "profile " + config.profiles[i].scheduler_name +
                                     ": QueueSort plugin " + std::string(mine.front()) +
                                     " differs from " + std::string(first.front()) +
                                     " of profile " + config.profiles[0].scheduler_name +
                                     " (one queue orders the pods of all profiles)"};
  }
  return out;
}

}  // namespace craton::scheduler
