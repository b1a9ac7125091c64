// Profiles: plugin sets, plugin arguments, kube's multi-point merge, cross-profile checks.
#include "actors/scheduler/config/profile_config.hpp"

#include <algorithm>
#include <array>

#include "actors/scheduler/config/plugin_args.hpp"
#include "actors/scheduler/plugins/default_plugins.hpp"

namespace craton::scheduler::config_yaml {

namespace {

// The YAML key of each extension point.
struct PointKey {
  ExtensionPoint point;
  std::string_view key;
};
constexpr std::array<PointKey, kExtensionPoints> kPointKeys = {{
    {ExtensionPoint::queue_sort, "queueSort"},
    {ExtensionPoint::pre_filter, "preFilter"},
    {ExtensionPoint::filter, "filter"},
    {ExtensionPoint::post_filter, "postFilter"},
    {ExtensionPoint::pre_score, "preScore"},
    {ExtensionPoint::score, "score"},
    {ExtensionPoint::reserve, "reserve"},
    {ExtensionPoint::permit, "permit"},
    {ExtensionPoint::pre_bind, "preBind"},
    {ExtensionPoint::bind, "bind"},
    {ExtensionPoint::post_bind, "postBind"},
}};

struct PluginSet {
  std::vector<PluginRef> enabled;
  std::vector<std::string> disabled;
};

// One plugin entry: {name, weight}. The weight, when given, must be 1..100 (0 is kube's "unset").
PluginRef read_plugin(const YAML::Node& node, std::string_view path, ConfigErrors& errors) {
  YamlFields fields(node, std::string(path), errors);
  PluginRef ref;
  fields.read("name", ref.name);
  fields.read("weight", ref.weight, 1, 100);
  fields.finish();
  if (ref.name.empty()) errors.add(fields.path("name"), "required");
  return ref;
}

std::vector<PluginRef> read_plugin_list(const YAML::Node& node, std::string_view path,
                                        ConfigErrors& errors) {
  std::vector<PluginRef> out;
  auto items = sequence_items(node, path, kPluginsPerSetMax, errors);
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string item_path = index_path(path, i);
    PluginRef ref = read_plugin(items[i], item_path, errors);
    bool twice = std::any_of(out.begin(), out.end(), [&](auto& r) { return r.name == ref.name; });
    if (twice) errors.add(child_path(item_path, "name"), ref.name + " is listed twice");
    out.push_back(std::move(ref));
  }
  return out;
}

PluginSet read_plugin_set(const YAML::Node& node, std::string_view path, ConfigErrors& errors) {
  YamlFields fields(node, std::string(path), errors);
  PluginSet set;
  set.enabled = read_plugin_list(fields.take("enabled"), fields.path("enabled"), errors);
  for (auto& ref : read_plugin_list(fields.take("disabled"), fields.path("disabled"), errors))
    set.disabled.push_back(std::move(ref.name));
  fields.finish();
  return set;
}

// profiles[i].plugins into the profile (which holds the defaults).
void read_plugins(const YAML::Node& node, std::string_view path, Profile& profile,
                  ConfigErrors& errors) {
  YamlFields fields(node, std::string(path), errors);
  PluginSet multi = read_plugin_set(fields.take("multiPoint"), fields.path("multiPoint"), errors);
  profile.multi_point = merge_plugin_set(profile.multi_point, multi.enabled, multi.disabled);
  for (const auto& [point, key] : kPointKeys) {
    PluginSet set = read_plugin_set(fields.take(key), fields.path(key), errors);
    profile.enabled[static_cast<std::size_t>(point)] = std::move(set.enabled);
    profile.disabled[static_cast<std::size_t>(point)] = std::move(set.disabled);
  }
  // kube's PreEnqueue point (SchedulingGates) does not exist here; disabling there is harmless.
  PluginSet pre_enqueue =
      read_plugin_set(fields.take("preEnqueue"), fields.path("preEnqueue"), errors);
  if (!pre_enqueue.enabled.empty())
    errors.add(fields.path("preEnqueue.enabled"),
               "the PreEnqueue extension point is not supported");
  fields.finish();
}

void read_plugin_config(const YAML::Node& node, std::string_view path, Profile& profile,
                        ConfigErrors& errors) {
  auto items = sequence_items(node, path, kPluginConfigsMax, errors);
  for (std::size_t i = 0; i < items.size() && !errors.any(); ++i) {
    YamlFields fields(items[i], index_path(path, i), errors);
    std::string name;
    fields.read("name", name);
    YAML::Node args = fields.take("args");
    fields.finish();
    if (name.empty()) errors.add(fields.path("name"), "required");
    if (profile.plugin_args.count(name))
      errors.add(fields.path("name"), "arguments for " + name + " are given twice");
    if (errors.any()) return;
    if (auto typed = read_plugin_args(name, args, fields.path("args"), errors))
      profile.plugin_args.emplace(name, std::move(*typed));
  }
}

bool same_refs(const std::vector<PluginRef>& a, const std::vector<PluginRef>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](auto& x, auto& y) { return x.name == y.name && x.weight == y.weight; });
}

}  // namespace

std::vector<PluginRef> merge_plugin_set(const std::vector<PluginRef>& defaults,
                                        const std::vector<PluginRef>& enabled,
                                        const std::vector<std::string>& disabled) {
  auto is_disabled = [&](std::string_view name) {
    return std::find(disabled.begin(), disabled.end(), name) != disabled.end();
  };
  std::vector<PluginRef> out;
  std::vector<bool> replaced(enabled.size(), false);
  if (!is_disabled("*")) {
    for (const auto& d : defaults) {
      if (is_disabled(d.name)) continue;
      auto user = std::find_if(enabled.begin(), enabled.end(),
                               [&](const PluginRef& e) { return e.name == d.name; });
      if (user == enabled.end()) {
        out.push_back(d);
        continue;
      }
      out.push_back(*user);  // in the default's place, with the user's weight
      replaced[static_cast<std::size_t>(user - enabled.begin())] = true;
    }
  }
  for (std::size_t i = 0; i < enabled.size(); ++i)
    if (!replaced[i]) out.push_back(enabled[i]);
  return out;
}

Profile read_profile(const YAML::Node& node, std::string_view path, bool default_name,
                     ConfigErrors& errors) {
  Profile profile = default_profile();
  YamlFields fields(node, std::string(path), errors);
  bool named = !is_unset(fields.take("schedulerName"));
  profile.scheduler_name = named || !default_name ? "" : "default-scheduler";
  fields.read("schedulerName", profile.scheduler_name);
  if (profile.scheduler_name.empty()) errors.add(fields.path("schedulerName"), "required");
  fields.read("percentageOfNodesToScore", profile.percentage_of_nodes_to_score, 0, 100);
  read_plugins(fields.take("plugins"), fields.path("plugins"), profile, errors);
  read_plugin_config(fields.take("pluginConfig"), fields.path("pluginConfig"), profile, errors);
  fields.finish();
  return profile;
}

void check_profiles(const std::vector<Profile>& profiles, std::string_view path,
                    ConfigErrors& errors) {
  for (std::size_t i = 0; i < profiles.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (profiles[i].scheduler_name == profiles[j].scheduler_name)
        errors.add(child_path(index_path(path, i), "schedulerName"),
                   "duplicate \"" + profiles[i].scheduler_name + "\" (also " +
                       child_path(index_path(path, j), "schedulerName") + ")");
  if (profiles.empty()) return;
  constexpr auto queue_sort = static_cast<std::size_t>(ExtensionPoint::queue_sort);
  const Profile& first = profiles.front();
  if (first.enabled[queue_sort].size() > 1)
    errors.add(child_path(index_path(path, 0), "plugins.queueSort.enabled"),
               "only one queue sort plugin can be enabled");
  for (std::size_t i = 1; i < profiles.size(); ++i) {
    bool same = same_refs(profiles[i].enabled[queue_sort], first.enabled[queue_sort]) &&
                profiles[i].disabled[queue_sort] == first.disabled[queue_sort];
    if (!same)
      errors.add(child_path(index_path(path, i), "plugins.queueSort"),
                 "must be the same for all profiles (one queue orders the pods of all of them)");
  }
}

}  // namespace craton::scheduler::config_yaml
