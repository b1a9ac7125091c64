// resolve_env(): envFrom and env into name=value pairs, with kube's lookups and messages.
#include "actors/agent/core/pod_env.hpp"

#include <cctype>
#include <map>
#include <optional>

namespace craton::agent {
namespace {

Error config_error(const std::string& message) {
  return Error{kCreateContainerConfigError, message};
}

/// Kubernetes' C identifier rule for envFrom keys (IsEnvVarName is looser; this is safe).
bool env_var_name(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
      return false;
  return true;
}

/// The ConfigMap (or Secret), or not-found.
std::optional<SourceObject> lookup(const EnvContext& ctx, bool config_map,
                                   const std::string& name) {
  if (ctx.sources == nullptr) return std::nullopt;
  return config_map ? ctx.sources->find_config_map(ctx.pod_namespace, name)
                    : ctx.sources->find_secret(ctx.pod_namespace, name);
}

}  // namespace

Result<EnvList> resolve_env(const std::vector<EnvSource>& sources, const EnvContext& ctx) {
  EnvList out;
  std::map<std::string, std::size_t> index;  // name -> position in out: later values override
  auto set = [&](const std::string& name, std::string value) {
    auto [it, fresh] = index.try_emplace(name, out.size());
    if (fresh)
      out.emplace_back(name, std::move(value));
    else
      out[it->second].second = std::move(value);
  };
  for (const auto& e : sources) {
    switch (e.kind) {
      case EnvSource::Kind::value:
        set(e.name, e.expand ? expand_references(e.value, out) : e.value);
        break;
      case EnvSource::Kind::pod_ip:
        set(e.name, ctx.pod_ip);
        break;
      case EnvSource::Kind::host_ip:
        set(e.name, ctx.host_ip);
        break;
      case EnvSource::Kind::config_map_all:
      case EnvSource::Kind::secret_all: {
        bool cm = e.kind == EnvSource::Kind::config_map_all;
        auto object = lookup(ctx, cm, e.source_name);
        if (!object) {
          if (e.optional) break;
          return config_error(std::string(cm ? "configmap" : "secret") + " \"" + e.source_name +
                              "\" not found");
        }
        for (const auto& [key, value] : object->data)
          if (env_var_name(e.name + key)) set(e.name + key, value);
        break;
      }
      case EnvSource::Kind::config_map_key:
      case EnvSource::Kind::secret_key: {
        bool cm = e.kind == EnvSource::Kind::config_map_key;
        auto object = lookup(ctx, cm, e.source_name);
        if (!object) {
          if (e.optional) break;
          return config_error(std::string(cm ? "configmap" : "secret") + " \"" + e.source_name +
                              "\" not found");
        }
        auto value = object->data.find(e.key);
        if (value == object->data.end()) {
          if (e.optional) break;
          return config_error("couldn't find key " + e.key + " in " +
                              (cm ? "ConfigMap " : "Secret ") + ctx.pod_namespace + "/" +
                              e.source_name);
        }
        set(e.name, value->second);
        break;
      }
    }
  }
  return out;
}

std::string expand_references(const std::string& text, const EnvList& env) {
  auto lookup = [&](const std::string& name) -> const std::string* {
    const std::string* found = nullptr;
    for (const auto& [k, v] : env)
      if (k == name) found = &v;
    return found;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 == text.size()) {
      out.push_back(text[i]);
      continue;
    }
    char next = text[i + 1];
    if (next == '$') {  // an escaped '$'
      out.push_back('$');
      ++i;
      continue;
    }
    std::size_t close = next == '(' ? text.find(')', i + 2) : std::string::npos;
    if (close == std::string::npos) {  // not a reference: kept as written
      out.push_back('$');
      continue;
    }
    std::string name = text.substr(i + 2, close - i - 2);
    const std::string* value = lookup(name);
    out += value != nullptr ? *value : "$(" + name + ")";
    i = close;
  }
  return out;
}

void expand_command(ContainerSpec& spec) {
  for (auto* list : {&spec.command, &spec.args})
    for (auto& word : *list) word = expand_references(word, spec.env);
}

}  // namespace craton::agent
