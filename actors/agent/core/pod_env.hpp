// resolve_env(): a container's env and envFrom (pod_plan.hpp's EnvSource list) into the list
// the driver sets, at the moment the container starts, as the kubelet's
// makeEnvironmentVariables does: every envFrom first, then every env, a later name
// overriding an earlier one; configMap and secret values looked up through VolumeSources; the
// pod's and host's addresses as they are now.
//
// A missing required ConfigMap, Secret or key is an Error with code
// "CreateContainerConfigError" and Kubernetes' own message (`configmap "x" not found`,
// `couldn't find key k in ConfigMap ns/x`); an optional one adds nothing. envFrom keys that
// are not valid variable names are skipped, as kube does.
//
// $(VAR) references: a literal env value expands the variables defined before it, and
// expand_command() expands a container's command and args with the final list (kube's
// expansion: `$$` is a literal `$`, an unknown or unterminated reference stays as written).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "actors/agent/core/pod_plan.hpp"
#include "actors/agent/core/volume_sources.hpp"
#include "runtime/result.hpp"

namespace craton::agent {

inline constexpr const char* kCreateContainerConfigError = "CreateContainerConfigError";

struct EnvContext {
  std::string pod_namespace;
  std::string pod_ip;
  std::string host_ip;
  const VolumeSources* sources = nullptr;  ///< null: no ConfigMap or Secret exists
};

using EnvList = std::vector<std::pair<std::string, std::string>>;

Result<EnvList> resolve_env(const std::vector<EnvSource>& sources, const EnvContext& context);

/// `text` with $(NAME) replaced by `env`'s value of NAME (the last one when repeated).
std::string expand_references(const std::string& text, const EnvList& env);

/// The spec's command and args expanded with its env (call after env is resolved).
void expand_command(ContainerSpec& spec);

}  // namespace craton::agent
