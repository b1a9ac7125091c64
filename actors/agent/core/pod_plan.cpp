// plan_pod(): the Pod's Cap'n Proto reader into a PodPlan, with Kubernetes' defaults.
#include "actors/agent/core/pod_plan.hpp"

#include <set>

#include "actors/api/client/kube_time.hpp"
#include "actors/api/meta/quantity.hpp"

namespace craton::agent {
namespace {

namespace k8s = schema::k8s;

Error invalid(const std::string& message) {
  return Error{"invalid_pod", message};
}

std::vector<std::string> texts(capnp::List<capnp::Text>::Reader list) {
  std::vector<std::string> out;
  for (auto t : list) out.emplace_back(t.cStr());
  return out;
}

/// A probe's port: a number, or the name of one of the container's ports.
Result<int> resolve_port(k8s::IntOrString::Reader port, k8s::Container::Reader container,
                         const std::string& where) {
  if (port.isIntVal()) {
    int value = port.getIntVal();
    if (value < 1 || value > 65535) return invalid(where + ": port out of range");
    return value;
  }
  std::string name = port.getStrVal().cStr();
  for (auto p : container.getPorts())
    if (name == p.getName().cStr()) return static_cast<int>(p.getContainerPort());
  return invalid(where + ": no container port named \"" + name + "\"");
}

template <class Handler>
Result<ProbeAction> read_action(Handler handler, k8s::Container::Reader container,
                                const std::string& where) {
  int handlers = handler.hasExec() + handler.hasHttpGet() + handler.hasTcpSocket();
  if (handlers != 1) return invalid(where + ": needs exactly one of exec, httpGet, tcpSocket");
  ProbeAction action;
  if (handler.hasExec()) {
    action.command = texts(handler.getExec().getCommand());
    if (action.command.empty()) return invalid(where + ": exec.command is empty");
    return action;
  }
  if (handler.hasHttpGet()) {
    auto get = handler.getHttpGet();
    auto port = resolve_port(get.getPort(), container, where + ".httpGet");
    if (!port) return port.error();
    action.type = ProbeAction::Type::http;
    action.http.host = get.getHost().cStr();
    action.http.port = *port;
    if (get.hasPath() && get.getPath().size() > 0) action.http.path = get.getPath().cStr();
    if (get.hasScheme() && get.getScheme().size() > 0) action.http.scheme = get.getScheme().cStr();
    if (action.http.scheme != "HTTP" && action.http.scheme != "HTTPS")
      return invalid(where + ".httpGet: scheme must be HTTP or HTTPS");
    for (auto h : get.getHttpHeaders())
      action.http.headers.emplace_back(h.getName().cStr(), h.getValue().cStr());
    return action;
  }
  auto tcp = handler.getTcpSocket();
  auto port = resolve_port(tcp.getPort(), container, where + ".tcpSocket");
  if (!port) return port.error();
  action.type = ProbeAction::Type::tcp;
  action.tcp.host = tcp.getHost().cStr();
  action.tcp.port = *port;
  return action;
}

Result<ProbeSpec> read_probe(k8s::Probe::Reader probe, k8s::Container::Reader container,
                             const std::string& where) {
  if (probe.hasGrpc()) return invalid(where + ": grpc probes are not supported");
  auto action = read_action(probe, container, where);
  if (!action) return action.error();
  ProbeSpec spec;
  spec.action = std::move(*action);
  if (probe.getInitialDelaySeconds() < 0 || probe.getTimeoutSeconds() < 0 ||
      probe.getPeriodSeconds() < 0 || probe.getSuccessThreshold() < 0 ||
      probe.getFailureThreshold() < 0)
    return invalid(where + ": negative delay, period, timeout or threshold");
  spec.initial_delay_ms = probe.getInitialDelaySeconds() * 1000LL;
  if (probe.getTimeoutSeconds() > 0) spec.timeout_ms = probe.getTimeoutSeconds() * 1000LL;
  if (probe.getPeriodSeconds() > 0) spec.period_ms = probe.getPeriodSeconds() * 1000LL;
  if (probe.getSuccessThreshold() > 0) spec.success_threshold = probe.getSuccessThreshold();
  if (probe.getFailureThreshold() > 0) spec.failure_threshold = probe.getFailureThreshold();
  if (probe.hasTerminationGracePeriodSeconds())
    spec.termination_grace_ms = probe.getTerminationGracePeriodSeconds().getValue() * 1000;
  spec.action.http.timeout_ms = spec.timeout_ms;
  spec.action.tcp.timeout_ms = spec.timeout_ms;
  return spec;
}

/// requests.cpu, limits.cpu and limits.memory; other resources are the scheduler's business.
Status read_resources(k8s::ResourceRequirements::Reader r, ContainerResources& out,
                      const std::string& where) {
  auto read = [&](k8s::ResourceList::Reader list, const char* name,
                  bool milli) -> Result<std::int64_t> {
    for (auto e : list.getEntries()) {
      if (std::string(e.getKey().cStr()) != name) continue;
      auto q = api::Quantity::parse(e.getValue().cStr());
      if (!q) return invalid(where + "." + name + ": " + q.error().message);
      return milli ? q->milli_value() : q->value();
    }
    return std::int64_t{0};
  };
  auto cpu_request = read(r.getRequests(), "cpu", true);
  auto cpu_limit = read(r.getLimits(), "cpu", true);
  auto memory_limit = read(r.getLimits(), "memory", false);
  for (auto* v : {&cpu_request, &cpu_limit, &memory_limit})
    if (!*v) return v->error();
  out.cpu_request_milli = *cpu_request;
  out.cpu_limit_milli = *cpu_limit;
  out.memory_limit_bytes = *memory_limit;
  return Ok{};
}

/// A value of metadata.labels or metadata.annotations: `metadata.labels['key']`.
std::optional<std::string> map_field(const std::string& path, const char* field,
                                     schema::k8s::StringMap::Reader map) {
  std::string head = std::string(field) + "['";
  if (path.rfind(head, 0) != 0 || path.size() < head.size() + 2 ||
      path.compare(path.size() - 2, 2, "']") != 0)
    return std::nullopt;
  std::string key = path.substr(head.size(), path.size() - head.size() - 2);
  for (auto e : map.getEntries())
    if (key == e.getKey().cStr()) return std::string(e.getValue().cStr());
  return std::string();  // kube: a missing label is the empty string
}

EnvSource env_entry(EnvSource::Kind kind, const std::string& name, std::string value = {}) {
  EnvSource e;
  e.kind = kind;
  e.name = name;
  e.value = std::move(value);
  return e;
}

/// One fieldRef: the pod's own fields now, addresses when the container starts.
Result<EnvSource> read_field_ref(const std::string& name, const std::string& path,
                                 k8s::Pod::Reader pod, const std::string& where) {
  auto meta = pod.getMetadata();
  EnvSource e = env_entry(EnvSource::Kind::value, name);
  if (path == "metadata.name")
    e.value = meta.getName().cStr();
  else if (path == "metadata.namespace")
    e.value = meta.getNamespace().cStr();
  else if (path == "metadata.uid")
    e.value = meta.getUid().cStr();
  else if (path == "spec.nodeName")
    e.value = pod.getSpec().getNodeName().cStr();
  else if (path == "spec.serviceAccountName")
    e.value = pod.getSpec().getServiceAccountName().cStr();
  else if (path == "status.podIP" || path == "status.podIPs")
    e.kind = EnvSource::Kind::pod_ip;
  else if (path == "status.hostIP" || path == "status.hostIPs")
    e.kind = EnvSource::Kind::host_ip;
  else if (auto label = map_field(path, "metadata.labels", meta.getLabels()))
    e.value = *label;
  else if (auto annotation = map_field(path, "metadata.annotations", meta.getAnnotations()))
    e.value = *annotation;
  else
    return Error{"unsupported",
                 where + ".env " + name + ": fieldRef " + path + " is not supported"};
  return e;
}

/// resourceFieldRef: a container's CPU or memory request or limit over the divisor, rounded
/// up (kube's ExtractContainerResourceValue); an unset limit is the node's allocatable, an
/// unset request the limit (the API's defaulting) or 0.
Result<std::string> read_resource_field(k8s::EnvVar::ResourceFieldRef::Reader ref,
                                        k8s::Container::Reader self, k8s::Pod::Reader pod,
                                        const PlanLimits& limits, const std::string& where) {
  std::optional<k8s::Container::Reader> target;
  std::string container = ref.getContainerName().cStr();
  if (container.empty()) target = self;
  for (auto list : {pod.getSpec().getContainers(), pod.getSpec().getInitContainers()})
    for (auto c : list)
      if (!target && container == c.getName().cStr()) target = c;
  if (!target)
    return invalid(where + ": resourceFieldRef names no container \"" + container + "\"");
  std::string resource = ref.getResource().cStr();
  bool cpu = resource == "limits.cpu" || resource == "requests.cpu";
  bool limit = resource.rfind("limits.", 0) == 0;
  if (!cpu && resource != "limits.memory" && resource != "requests.memory")
    return Error{"unsupported", where + ": resourceFieldRef " + resource + " is not supported"};
  std::string divisor_text = ref.getDivisor().size() > 0 ? ref.getDivisor().cStr() : "1";
  auto divisor = api::Quantity::parse(divisor_text);
  if (!divisor) return invalid(where + ": resourceFieldRef divisor: " + divisor.error().message);
  std::int64_t per = cpu ? divisor->milli_value() : divisor->value();
  if (per <= 0) return invalid(where + ": resourceFieldRef divisor must be positive");
  auto amount = [&](k8s::ResourceList::Reader list) -> Result<std::optional<std::int64_t>> {
    for (auto e : list.getEntries()) {
      if (std::string(e.getKey().cStr()) != (cpu ? "cpu" : "memory")) continue;
      auto q = api::Quantity::parse(e.getValue().cStr());
      if (!q) return invalid(where + ": " + q.error().message);
      return std::optional<std::int64_t>(cpu ? q->milli_value() : q->value());
    }
    return std::optional<std::int64_t>();
  };
  auto limit_value = amount(target->getResources().getLimits());
  auto request_value = amount(target->getResources().getRequests());
  if (!limit_value) return limit_value.error();
  if (!request_value) return request_value.error();
  std::optional<std::int64_t> value = limit ? *limit_value : *request_value;
  if (!limit && !value) value = limit_value->value_or(0);
  if (!value) {
    std::int64_t node =
        cpu ? limits.node_allocatable_cpu_milli : limits.node_allocatable_memory_bytes;
    if (node <= 0)
      return Error{"unsupported",
                   where + ": " + resource + " is unset and the node's allocatable is not known"};
    value = node;
  }
  return std::to_string((*value + per - 1) / per);
}

/// env and envFrom in the order Kubernetes applies them; spec.env gets what is known now.
Status read_env(k8s::Container::Reader c, k8s::Pod::Reader pod, const PlanLimits& limits,
                ContainerPlan& out, const std::string& where) {
  for (auto from : c.getEnvFrom()) {
    EnvSource e;
    e.name = from.getPrefix().cStr();
    if (from.hasConfigMapRef() == from.hasSecretRef())
      return invalid(where + ".envFrom: needs exactly one of configMapRef, secretRef");
    auto ref = from.hasConfigMapRef() ? from.getConfigMapRef() : from.getSecretRef();
    e.kind = from.hasConfigMapRef() ? EnvSource::Kind::config_map_all : EnvSource::Kind::secret_all;
    e.source_name = ref.getName().cStr();
    e.optional = ref.hasOptional() && ref.getOptional().getValue();
    if (e.source_name.empty()) return invalid(where + ".envFrom: name is empty");
    out.env_sources.push_back(std::move(e));
  }
  for (auto v : c.getEnv()) {
    std::string name = v.getName().cStr();
    if (name.empty()) return invalid(where + ".env: name is empty");
    if (!v.hasValueFrom()) {
      out.env_sources.push_back(env_entry(EnvSource::Kind::value, name, v.getValue().cStr()));
      out.env_sources.back().expand = true;
      continue;
    }
    auto from = v.getValueFrom();
    if (from.hasFieldRef()) {
      auto e = read_field_ref(name, from.getFieldRef().getFieldPath().cStr(), pod, where);
      if (!e) return e.error();
      out.env_sources.push_back(std::move(*e));
    } else if (from.hasResourceFieldRef()) {
      auto value =
          read_resource_field(from.getResourceFieldRef(), c, pod, limits, where + ".env " + name);
      if (!value) return value.error();
      out.env_sources.push_back(env_entry(EnvSource::Kind::value, name, std::move(*value)));
    } else if (from.hasConfigMapKeyRef() || from.hasSecretKeyRef()) {
      bool cm = from.hasConfigMapKeyRef();
      auto ref = cm ? from.getConfigMapKeyRef() : from.getSecretKeyRef();
      EnvSource e =
          env_entry(cm ? EnvSource::Kind::config_map_key : EnvSource::Kind::secret_key, name);
      e.source_name = ref.getName().cStr();
      e.key = ref.getKey().cStr();
      e.optional = ref.hasOptional() && ref.getOptional().getValue();
      if (e.source_name.empty() || e.key.empty())
        return invalid(where + ".env " + name + ": name or key is empty");
      out.env_sources.push_back(std::move(e));
    } else {
      return Error{"unsupported", where + ".env " + name + ": valueFrom is not supported"};
    }
  }
  for (const auto& e : out.env_sources)
    if (e.kind == EnvSource::Kind::value) out.spec.env.emplace_back(e.name, e.value);
  return Ok{};
}

Status read_mounts(k8s::Container::Reader c, const std::vector<VolumePlan>& volumes,
                   ContainerSpec& out, const std::string& where) {
  for (auto m : c.getVolumeMounts()) {
    std::string name = m.getName().cStr();
    const VolumePlan* volume = nullptr;
    for (const auto& v : volumes)
      if (v.name == name) volume = &v;
    if (volume == nullptr) return invalid(where + ": mounts unknown volume \"" + name + "\"");
    std::string target = m.getMountPath().cStr();
    if (target.empty() || target[0] != '/')
      return invalid(where + ": mountPath of \"" + name + "\" is not absolute");
    if (m.getSubPath().size() > 0)
      return Error{"unsupported", where + ": subPath is not supported"};
    bool read_only = m.getReadOnly() || volume->kind == VolumePlan::Kind::config_map ||
                     volume->kind == VolumePlan::Kind::secret;
    out.mounts.push_back(BindMount{volume->host_path, target, read_only});
  }
  return Ok{};
}

std::optional<std::int64_t> boxed_id(k8s::SecurityContext::Reader c, bool user) {
  if (user && c.hasRunAsUser()) return c.getRunAsUser().getValue();
  if (!user && c.hasRunAsGroup()) return c.getRunAsGroup().getValue();
  return std::nullopt;
}

Result<ContainerPlan> read_container(k8s::Container::Reader c, k8s::Pod::Reader pod,
                                     const std::vector<VolumePlan>& volumes,
                                     const PlanLimits& limits, const std::string& where) {
  ContainerPlan plan;
  ContainerSpec& s = plan.spec;
  s.name = c.getName().cStr();
  s.image = c.getImage().cStr();
  if (s.name.empty()) return invalid(where + ": name is empty");
  if (s.image.empty()) return invalid(where + ": image is empty");
  s.command = texts(c.getCommand());
  s.args = texts(c.getArgs());
  s.working_dir = c.getWorkingDir().cStr();
  auto pod_security = pod.getSpec().getSecurityContext();
  if (pod_security.hasRunAsUser()) s.run_as_user = pod_security.getRunAsUser().getValue();
  if (pod_security.hasRunAsGroup()) s.run_as_group = pod_security.getRunAsGroup().getValue();
  if (auto u = boxed_id(c.getSecurityContext(), true)) s.run_as_user = u;
  if (auto g = boxed_id(c.getSecurityContext(), false)) s.run_as_group = g;
  s.resources.pids_limit = limits.pids_limit;
  s.log_max_bytes = limits.log_max_bytes;
  s.log_max_files = limits.log_max_files;
  for (auto status : {read_resources(c.getResources(), s.resources, where + ".resources"),
                      read_env(c, pod, limits, plan, where), read_mounts(c, volumes, s, where)})
    if (!status) return status.error();
  auto probe = [&](bool has, k8s::Probe::Reader p, const char* kind,
                   std::optional<ProbeSpec>& into) -> Status {
    if (!has) return Ok{};
    auto spec = read_probe(p, c, where + "." + kind);
    if (!spec) return spec.error();
    into = std::move(*spec);
    return Ok{};
  };
  for (auto status :
       {probe(c.hasLivenessProbe(), c.getLivenessProbe(), "livenessProbe", plan.liveness),
        probe(c.hasReadinessProbe(), c.getReadinessProbe(), "readinessProbe", plan.readiness),
        probe(c.hasStartupProbe(), c.getStartupProbe(), "startupProbe", plan.startup)})
    if (!status) return status.error();
  if (c.hasLifecycle() && c.getLifecycle().hasPreStop()) {
    auto action = read_action(c.getLifecycle().getPreStop(), c, where + ".lifecycle.preStop");
    if (!action) return action.error();
    plan.pre_stop = std::move(*action);
  }
  return plan;
}

/// A relative path inside a volume: no "..", not absolute, not empty (kube's validation).
bool safe_relative_path(const std::string& path) {
  if (path.empty() || path[0] == '/') return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part == ".." || part.empty() || part.rfind("..", 0) == 0) return false;
    start = end + 1;
  }
  return true;
}

template <class Source>
Status read_projection(Source source, VolumePlan& plan, const std::string& where) {
  if (source.hasDefaultMode()) plan.default_mode = source.getDefaultMode().getValue();
  if (plan.default_mode < 0 || plan.default_mode > 0777)
    return invalid(where + ": defaultMode must be between 0 and 0777");
  plan.optional = source.hasOptional() && source.getOptional().getValue();
  for (auto item : source.getItems()) {
    VolumePlan::KeyPath k{item.getKey().cStr(), item.getPath().cStr(), std::nullopt};
    if (k.key.empty()) return invalid(where + ".items: key is empty");
    // "..data" and names starting with ".." are the writer's own; kube refuses them too.
    if (!safe_relative_path(k.path))
      return invalid(where + ".items[" + k.key + "]: path \"" + k.path +
                     "\" must be relative without '..'");
    if (item.hasMode()) {
      k.mode = item.getMode().getValue();
      if (*k.mode < 0 || *k.mode > 0777)
        return invalid(where + ".items[" + k.key + "]: mode must be between 0 and 0777");
    }
    plan.items.push_back(std::move(k));
  }
  return Ok{};
}

bool known_host_path_type(const std::string& type) {
  for (const char* t : {"", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket",
                        "CharDevice", "BlockDevice"})
    if (type == t) return true;
  return false;
}

Result<VolumePlan> read_volume(k8s::Volume::Reader v, const std::string& uid, const std::string& ns,
                               const PlanLimits& limits) {
  VolumePlan plan;
  plan.name = v.getName().cStr();
  std::string where = "spec.volumes[" + plan.name + "]";
  if (plan.name.empty() || plan.name.find('/') != std::string::npos || plan.name == "." ||
      plan.name == "..")
    return invalid("spec.volumes: bad volume name \"" + plan.name + "\"");
  plan.host_path = limits.volume_root + "/" + uid + "/volumes/" + plan.name;
  plan.source_namespace = ns;
  int sources = v.hasHostPath() + v.hasConfigMap() + v.hasSecret() + v.hasEmptyDir();
  if (sources != 1)
    return invalid(where + ": needs exactly one of emptyDir, hostPath, configMap, secret");
  if (v.hasHostPath()) {
    plan.kind = VolumePlan::Kind::host_path;
    plan.host_path = v.getHostPath().getPath().cStr();
    plan.host_path_type = v.getHostPath().getType().cStr();
    if (plan.host_path.empty() || plan.host_path[0] != '/')
      return invalid(where + ": hostPath.path is not absolute");
    if (!known_host_path_type(plan.host_path_type))
      return invalid(where + ": unknown hostPath.type \"" + plan.host_path_type + "\"");
  } else if (v.hasConfigMap()) {
    plan.kind = VolumePlan::Kind::config_map;
    plan.source_name = v.getConfigMap().getName().cStr();
    if (auto s = read_projection(v.getConfigMap(), plan, where + ".configMap"); !s)
      return s.error();
  } else if (v.hasSecret()) {
    plan.kind = VolumePlan::Kind::secret;
    plan.source_name = v.getSecret().getSecretName().cStr();
    if (auto s = read_projection(v.getSecret(), plan, where + ".secret"); !s) return s.error();
  } else {
    auto dir = v.getEmptyDir();
    std::string medium = dir.getMedium().cStr();
    if (medium != "" && medium != "Memory")
      return invalid(where + ": emptyDir.medium \"" + medium + "\" is not supported");
    plan.memory_medium = medium == "Memory";
    if (dir.getSizeLimit().size() > 0) {
      auto q = api::Quantity::parse(dir.getSizeLimit().cStr());
      if (!q) return invalid(where + ".emptyDir.sizeLimit: " + q.error().message);
      if (q->value() < 0) return invalid(where + ".emptyDir.sizeLimit is negative");
      plan.size_limit_bytes = q->value();
    }
  }
  if ((plan.kind == VolumePlan::Kind::config_map || plan.kind == VolumePlan::Kind::secret) &&
      plan.source_name.empty())
    return invalid(where + ": the configMap or secret name is empty");
  return plan;
}

Result<std::vector<VolumePlan>> read_volumes(k8s::PodSpec::Reader spec, const std::string& uid,
                                             const std::string& ns, const PlanLimits& limits) {
  std::vector<VolumePlan> out;
  std::set<std::string> names;
  for (auto v : spec.getVolumes()) {
    auto plan = read_volume(v, uid, ns, limits);
    if (!plan) return plan.error();
    if (!names.insert(plan->name).second)
      return invalid("spec.volumes: duplicate volume name \"" + plan->name + "\"");
    out.push_back(std::move(*plan));
  }
  return out;
}

Result<RestartPolicy> read_restart_policy(const std::string& text) {
  if (text.empty() || text == "Always") return RestartPolicy::always;
  if (text == "OnFailure") return RestartPolicy::on_failure;
  if (text == "Never") return RestartPolicy::never;
  return invalid("spec.restartPolicy: unknown \"" + text + "\"");
}

Status read_containers(k8s::Pod::Reader pod, const PlanLimits& limits, PodPlan& plan) {
  auto spec = pod.getSpec();
  if (spec.getContainers().size() == 0) return invalid("spec.containers is empty");
  if (spec.getContainers().size() + spec.getInitContainers().size() > limits.containers_max)
    return invalid("more than " + std::to_string(limits.containers_max) + " containers");
  std::set<std::string> names;
  auto add = [&](k8s::Container::Reader c, const std::string& where,
                 std::vector<ContainerPlan>& into) -> Status {
    auto container = read_container(c, pod, plan.volumes, limits, where);
    if (!container) return container.error();
    if (!names.insert(container->spec.name).second)
      return invalid(where + ": duplicate container name \"" + container->spec.name + "\"");
    into.push_back(std::move(*container));
    return Ok{};
  };
  for (std::size_t i = 0; i < spec.getInitContainers().size(); ++i) {
    auto s = add(spec.getInitContainers()[i], "spec.initContainers[" + std::to_string(i) + "]",
                 plan.init_containers);
    if (!s) return s;
  }
  for (std::size_t i = 0; i < spec.getContainers().size(); ++i) {
    auto s =
        add(spec.getContainers()[i], "spec.containers[" + std::to_string(i) + "]", plan.containers);
    if (!s) return s;
  }
  return Ok{};
}

}  // namespace

Result<PodPlan> plan_pod(k8s::Pod::Reader pod, const PlanLimits& limits) {
  auto meta = pod.getMetadata();
  auto spec = pod.getSpec();
  PodPlan plan;
  plan.uid = meta.getUid().cStr();
  plan.pod_namespace = meta.getNamespace().cStr();
  plan.name = meta.getName().cStr();
  if (plan.uid.empty() || plan.name.empty()) return invalid("metadata.uid or name is empty");
  plan.node_name = spec.getNodeName().cStr();
  plan.hostname = spec.getHostname().size() > 0 ? spec.getHostname().cStr() : plan.name;
  auto policy = read_restart_policy(spec.getRestartPolicy().cStr());
  if (!policy) return policy.error();
  plan.restart_policy = *policy;
  if (spec.hasTerminationGracePeriodSeconds()) {
    std::int64_t grace = spec.getTerminationGracePeriodSeconds().getValue();
    if (grace < 0) return invalid("spec.terminationGracePeriodSeconds is negative");
    plan.grace_period_ms = grace * 1000;
  }
  if (meta.getDeletionTimestamp().size() > 0) {
    auto seconds = api::parse_rfc3339(meta.getDeletionTimestamp().cStr());
    if (!seconds) return invalid("metadata.deletionTimestamp is not RFC 3339");
    plan.deletion_ms = *seconds * 1000;
    // The API writes deletionGracePeriodSeconds with the timestamp; 0 is a real value there.
    plan.deletion_grace_ms = std::max<std::int64_t>(0, meta.getDeletionGracePeriodSeconds()) * 1000;
  }
  plan.host_network = spec.getHostNetwork();
  auto volumes = read_volumes(spec, plan.uid, plan.pod_namespace, limits);
  if (!volumes) return volumes.error();
  plan.volumes = std::move(*volumes);
  auto containers = read_containers(pod, limits, plan);
  if (!containers) return containers.error();
  return plan;
}

}  // namespace craton::agent
