// Typed plugin arguments from a profile's pluginConfig[].args, decoded, defaulted and checked as
// Kubernetes does (pkg/scheduler/apis/config/v1/defaults.go, validation/validation_pluginargs.go):
//   NodeResourcesFit                 -> NodeResourcesFitArgs
//   NodeResourcesBalancedAllocation  -> BalancedAllocationArgs
//   InterPodAffinity                 -> InterPodAffinityArgs
//   PodTopologySpread                -> PodTopologySpreadArgs
//   FGD                              -> FgdArgs (podTypes; docs/research.md)
//   RandomScore                      -> RandomScoreArgs (seed)
// Arguments for any other plugin are an error naming it: we cannot check what we do not know, and
// silently ignoring them would run a plugin configured differently from what its file says.
// Fields of kube's args that our plugins do not implement are an error when set to anything but
// their default. Internal to actors/scheduler/config/.
#pragma once

#include <any>
#include <optional>
#include <string>
#include <string_view>

#include "actors/scheduler/config/yaml_fields.hpp"

namespace craton::scheduler::config_yaml {

/// The plugins whose arguments the loader reads, as one line for messages.
std::string_view plugins_with_known_args();

/// The arguments of `plugin` read from `args` (unset: the plugin's defaults), as the std::any its
/// factory expects; nullopt after reporting an error at `path`.
std::optional<std::any> read_plugin_args(std::string_view plugin, const YAML::Node& args,
                                         std::string_view path, ConfigErrors& errors);

}  // namespace craton::scheduler::config_yaml
