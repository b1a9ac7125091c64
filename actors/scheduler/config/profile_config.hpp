// One KubeSchedulerConfiguration profile read into a Profile, with Kubernetes' v1 defaulting
// (setDefaults_KubeSchedulerProfile, mergePlugins): kube's default plugins are all multi-point,
// so the user's multiPoint set is merged into default_profile()'s multi-point list, and the
// user's sets at the other points are kept as given (kube has no defaults there to merge with);
// the framework then expands the multi-point plugins at each point (see Profile). Also the
// checks kube makes across profiles. Internal to actors/scheduler/config/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "actors/scheduler/config/yaml_fields.hpp"
#include "actors/scheduler/framework/registry.hpp"

namespace craton::scheduler::config_yaml {

inline constexpr std::size_t kPluginsPerSetMax = 64;
inline constexpr std::size_t kPluginConfigsMax = 64;

/// kube's mergePluginSet: the defaults in their order minus the disabled ones ("*": all of
/// them), a default the user enables again replaced in place by the user's entry (its weight
/// wins, none meaning 1), then the user's other enabled entries in their order.
std::vector<PluginRef> merge_plugin_set(const std::vector<PluginRef>& defaults,
                                        const std::vector<PluginRef>& enabled,
                                        const std::vector<std::string>& disabled);

/// profiles[i] merged with the defaults. A missing schedulerName is "default-scheduler" when
/// `default_name` (kube names only a lone profile); otherwise it is required.
Profile read_profile(const YAML::Node& node, std::string_view path, bool default_name,
                     ConfigErrors& errors);

/// Across profiles, as kube validates: scheduler names are unique, and every profile's
/// queueSort set equals the first profile's (one queue orders pods for all of them), which
/// enables at most one plugin.
void check_profiles(const std::vector<Profile>& profiles, std::string_view path,
                    ConfigErrors& errors);

}  // namespace craton::scheduler::config_yaml
