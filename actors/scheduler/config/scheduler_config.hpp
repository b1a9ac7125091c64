// SchedulerConfig: how the scheduler is configured, read from a KubeSchedulerConfiguration file
// (apiVersion kubescheduler.config.k8s.io/v1) with Kubernetes' defaulting and validation
// (pkg/scheduler/apis/config/v1/defaults.go, validation/validation.go):
// - profiles, one per spec.schedulerName; a profile's plugins are the default ones merged with
//   what it enables and disables, per extension point and as multiPoint; its pluginConfig args
//   become the typed structs the plugins' factories take (plugin_args.hpp says which);
// - percentageOfNodesToScore (0: kube's adaptive 50 - nodes/125, at least 5), globally and per
//   profile (a profile without its own takes the global one);
// - the back-off of unschedulable pods and the leader election settings.
// Promises: parsing is strict as kube's decoding (an unknown or repeated field is an error), every
// error is one Error whose message starts with the field's path, and nothing is returned half
// built. Plugin names are not checked against a registry here: build_frameworks (or
// Framework::create) does that. Pure: no I/O; the caller reads the file (at most kConfigBytesMax).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "actors/scheduler/framework/framework.hpp"
#include "actors/scheduler/framework/registry.hpp"
#include "runtime/result.hpp"

namespace craton::scheduler {

inline constexpr std::size_t kConfigBytesMax = 1 << 20;
inline constexpr std::size_t kProfilesMax = 64;
inline constexpr std::string_view kSchedulerConfigApiVersion = "kubescheduler.config.k8s.io/v1";

/// kube's LeaderElectionConfiguration, with its defaults (the lock is always a Lease).
struct LeaderElectionConfig {
  bool leader_elect = true;
  std::int64_t lease_duration_ms = 15'000;
  std::int64_t renew_deadline_ms = 10'000;
  std::int64_t retry_period_ms = 2'000;
  std::string resource_name = "kube-scheduler";
  std::string resource_namespace = "kube-system";
};

struct SchedulerConfig {
  /// At least one; scheduler names unique; every profile has the same queueSort set.
  std::vector<Profile> profiles;
  /// 0..100; 0 means kube's adaptive default. Copied into profiles that set none.
  std::int32_t percentage_of_nodes_to_score = 0;
  std::int64_t pod_initial_backoff_seconds = 1;  ///< > 0
  std::int64_t pod_max_backoff_seconds = 10;     ///< >= pod_initial_backoff_seconds
  /// kube's parallelism (> 0); read and checked, but Filter runs on one thread for now.
  std::int32_t parallelism = 16;
  LeaderElectionConfig leader_election;

  /// The profile for a pod's spec.schedulerName ("" is "default-scheduler", as the API server
  /// defaults it), or nullptr: the pod is not this scheduler's.
  const Profile* profile_for(std::string_view scheduler_name) const;
};

/// What an empty KubeSchedulerConfiguration gives: one profile, default_profile().
SchedulerConfig default_scheduler_config();

/// Parses, defaults and validates a KubeSchedulerConfiguration document. Errors: "malformed"
/// (not YAML, or larger than kConfigBytesMax), "bad_config" (the first invalid field, by path).
Result<SchedulerConfig> parse_scheduler_config(std::string_view yaml);

/// One Framework per profile, in the config's order, from `registry`; an Error names the profile
/// whose plugins cannot be built, or a profile whose QueueSort plugin differs from the first's.
Result<std::vector<std::unique_ptr<Framework>>> build_frameworks(const SchedulerConfig& config,
                                                                 const Registry& registry,
                                                                 ResourceNames& resources);

}  // namespace craton::scheduler
