// Registry and Profile: how a scheduler is assembled from plugins by name, as
// KubeSchedulerConfiguration does. The Registry maps a plugin name to a factory; a Profile says,
// per extension point, which plugins run in which order and with what score weight, plus each
// plugin's typed arguments and percentageOfNodesToScore. Promises: a factory gets the arguments
// the profile holds for its plugin (or none) and answers an Error it can explain when they are
// the wrong type or out of range; nothing else is configured by strings.
#pragma once

#include <any>
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/scheduler/framework/framework_handle.hpp"
#include "actors/scheduler/framework/plugin.hpp"
#include "actors/scheduler/framework/resources.hpp"
#include "runtime/result.hpp"

namespace craton::scheduler {

enum class ExtensionPoint : std::uint8_t {
  queue_sort,
  pre_filter,
  filter,
  post_filter,
  pre_score,
  score,
  reserve,
  permit,
  pre_bind,
  bind,
  post_bind,
};
inline constexpr std::size_t kExtensionPoints = 11;
std::string_view extension_point_name(ExtensionPoint point);

class Framework;

/// What a factory may use to build its plugin.
struct PluginContext {
  const std::any* args = nullptr;  ///< the profile's arguments for this plugin, or nullptr
  ResourceNames& resources;        ///< to turn configured resource names into ids
  /// The scheduler around the framework (PDBs, nominated pods, bindings), or nullptr when the
  /// framework was built without one (tests, tools): plugins that need it then answer cleanly.
  FrameworkHandle* handle = nullptr;
  /// The framework building the plugin, for PostFilter dry runs (Framework::run_filters_on);
  /// it owns the plugin, so it outlives it. nullptr outside Framework::create.
  Framework* framework = nullptr;
};

using PluginFactory = std::function<Result<std::unique_ptr<Plugin>>(const PluginContext&)>;

class Registry {
 public:
  /// Adds a factory; an Error when the name is taken.
  Result<Ok> add(std::string name, PluginFactory factory);
  const PluginFactory* find(std::string_view name) const;

 private:
  std::map<std::string, PluginFactory, std::less<>> factories_;
};

struct PluginRef {
  std::string name;
  std::int32_t weight = 0;  ///< Score only; 0 means 1, as in Kubernetes
};

/// One scheduling profile. Per extension point, the plugins run in this order: the ones
/// enabled at that point explicitly, then the multi-point ones that implement it (each name
/// once, the explicit entry's weight winning), minus the ones disabled there ("*" disables
/// every multi-point plugin at that point).
struct Profile {
  std::string scheduler_name = "default-scheduler";
  std::vector<PluginRef> multi_point;
  std::array<std::vector<PluginRef>, kExtensionPoints> enabled;
  std::array<std::vector<std::string>, kExtensionPoints> disabled;
  /// 0..100; nullopt or 0 means Kubernetes' adaptive default.
  std::optional<std::int32_t> percentage_of_nodes_to_score;
  std::map<std::string, std::any, std::less<>> plugin_args;
};

/// Kubernetes' numFeasibleNodesToFind: all nodes below 100; otherwise `percentage` of them
/// (0: 50 - nodes/125, at least 5), but never fewer than 100.
std::uint32_t num_feasible_nodes_to_find(std::uint32_t all_nodes, std::int32_t percentage);

}  // namespace craton::scheduler
