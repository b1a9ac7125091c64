// The pod spec as kube-apiserver defaults and validates it (pkg/apis/core/v1/defaults.go,
// pkg/apis/core/validation/validation.go: ValidatePodSpec and the functions it calls).
#include "actors/api/kinds/pod_spec.hpp"

#include <regex>
#include <set>

#include "actors/api/convert/string_map.hpp"
#include "actors/api/meta/names.hpp"
#include "actors/api/meta/quantity.hpp"

namespace craton::api {
namespace {

namespace k8s = schema::k8s;

// 0644, what configMap and secret volumes' files get unless told otherwise.
constexpr std::int32_t kDefaultFileMode = 0644;

// ---- defaults ----

std::string pull_policy_for(const std::string& image) {
  // The tag follows the last ':' after the last '/' (a registry's port is not a tag); a digest
  // pins the image as a tag does.
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  bool has_tag = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  bool digest = image.find('@') != std::string::npos;
  if (digest) return "IfNotPresent";
  if (!has_tag || image.substr(colon + 1) == "latest") return "Always";
  return "IfNotPresent";
}

void http_get_defaults(k8s::HttpGetAction::Builder get) {
  if (get.getPath().size() == 0) get.setPath("/");
  if (get.getScheme().size() == 0) get.setScheme("HTTP");
}

void probe_defaults(k8s::Probe::Builder probe) {
  if (probe.getTimeoutSeconds() == 0) probe.setTimeoutSeconds(1);
  if (probe.getPeriodSeconds() == 0) probe.setPeriodSeconds(10);
  if (probe.getSuccessThreshold() == 0) probe.setSuccessThreshold(1);
  if (probe.getFailureThreshold() == 0) probe.setFailureThreshold(3);
  if (probe.hasHttpGet()) http_get_defaults(probe.getHttpGet());
}

void container_defaults(k8s::Container::Builder c) {
  if (c.getTerminationMessagePath().size() == 0)
    c.setTerminationMessagePath("/dev/termination-log");
  if (c.getTerminationMessagePolicy().size() == 0) c.setTerminationMessagePolicy("File");
  if (c.getImagePullPolicy().size() == 0) c.setImagePullPolicy(pull_policy_for(text(c.getImage())));
  for (auto port : c.getPorts())
    if (port.getProtocol().size() == 0) port.setProtocol("TCP");
  if (c.hasLivenessProbe()) probe_defaults(c.getLivenessProbe());
  if (c.hasReadinessProbe()) probe_defaults(c.getReadinessProbe());
  if (c.hasStartupProbe()) probe_defaults(c.getStartupProbe());
  // (Builders' getters create what they get: test with has*() first.)
  if (c.hasLifecycle()) {
    auto lifecycle = c.getLifecycle();
    if (lifecycle.hasPostStart() && lifecycle.getPostStart().hasHttpGet())
      http_get_defaults(lifecycle.getPostStart().getHttpGet());
    if (lifecycle.hasPreStop() && lifecycle.getPreStop().hasHttpGet())
      http_get_defaults(lifecycle.getPreStop().getHttpGet());
  }
  // A limit without a request requests the limit.
  auto resources = c.getResources();
  if (resources.hasLimits()) {
    auto requests = as_map(resources.getRequests().asReader());
    auto before = requests.size();
    for (const auto& [name, value] : as_map(resources.getLimits().asReader()))
      requests.emplace(name, value);
    if (requests.size() != before) set_map(resources.initRequests(), requests);
    canonicalize(resources.getLimits());
  }
  if (resources.hasRequests()) canonicalize(resources.getRequests());
}

void volume_defaults(k8s::Volume::Builder v) {
  // A volume naming no source is an emptyDir (SetDefaults_Volume).
  if (!v.hasHostPath() && !v.hasEmptyDir() && !v.hasConfigMap() && !v.hasSecret()) v.initEmptyDir();
  if (v.hasConfigMap() && !v.getConfigMap().hasDefaultMode())
    v.getConfigMap().initDefaultMode().setValue(kDefaultFileMode);
  if (v.hasSecret() && !v.getSecret().hasDefaultMode())
    v.getSecret().initDefaultMode().setValue(kDefaultFileMode);
}

// ---- validation ----

const std::vector<std::string> kProtocols{"SCTP", "TCP", "UDP"};

void check_probe_handler(Causes& causes, const std::string& path, bool exec, bool http_get,
                         bool tcp, bool grpc) {
  int n = int(exec) + int(http_get) + int(tcp) + int(grpc);
  if (n == 0) required(causes, path, "must specify a handler type");
  if (n > 1) forbidden(causes, path, "may not specify more than 1 handler type");
}

void check_probe(Causes& causes, const std::string& path, k8s::Probe::Reader p) {
  check_probe_handler(causes, path, p.hasExec(), p.hasHttpGet(), p.hasTcpSocket(), p.hasGrpc());
  if (p.hasHttpGet() && p.getHttpGet().getPort().isIntVal())
    check_port(causes, path + ".httpGet.port", p.getHttpGet().getPort().getIntVal());
  if (p.hasTcpSocket() && p.getTcpSocket().getPort().isIntVal())
    check_port(causes, path + ".tcpSocket.port", p.getTcpSocket().getPort().getIntVal());
  if (p.hasHttpGet())
    check_enum(causes, path + ".httpGet.scheme", text(p.getHttpGet().getScheme()),
               {"HTTP", "HTTPS"});
  check_non_negative(causes, path + ".initialDelaySeconds", p.getInitialDelaySeconds());
  check_non_negative(causes, path + ".timeoutSeconds", p.getTimeoutSeconds());
  check_non_negative(causes, path + ".periodSeconds", p.getPeriodSeconds());
  check_non_negative(causes, path + ".successThreshold", p.getSuccessThreshold());
  check_non_negative(causes, path + ".failureThreshold", p.getFailureThreshold());
}

bool is_standard_resource(const std::string& name) {
  return name == "cpu" || name == "memory" || name == "ephemeral-storage" ||
         name.rfind("hugepages-", 0) == 0;
}

void check_resources(Causes& causes, const std::string& path, k8s::ResourceRequirements::Reader r) {
  for (auto [field, list] : {std::pair{std::string(".limits"), r.getLimits()},
                             std::pair{std::string(".requests"), r.getRequests()}}) {
    check_resource_list(causes, path + field, list);
    for (const auto& [name, value] : as_map(list))
      if (!is_standard_resource(name) && name.find('/') == std::string::npos)
        invalid(causes, path + field + "[" + name + "]", name,
                "must be a standard resource type or fully qualified");
  }
  auto limits = as_map(r.getLimits());
  for (const auto& [name, value] : as_map(r.getRequests())) {
    auto request = Quantity::parse(value);
    auto it = limits.find(name);
    if (!request) continue;
    if (it != limits.end()) {
      auto limit = Quantity::parse(it->second);
      if (limit && *request > *limit)
        invalid(causes, path + ".requests", value,
                "must be less than or equal to " + name + " limit of " + it->second);
    }
    // Extended resources (example.com/gpu) are whole and not overcommitted.
    if (!is_standard_resource(name)) {
      if (it == limits.end() || it->second != value)
        invalid(causes, path + ".requests", value,
                "must be equal to " + name + " limit of " +
                    (it == limits.end() ? std::string("0") : it->second));
    }
  }
}

void check_env(Causes& causes, const std::string& path, capnp::List<k8s::EnvVar>::Reader env) {
  static const std::regex name_re("[-._a-zA-Z][-._a-zA-Z0-9]*");
  for (unsigned i = 0; i < env.size(); ++i) {
    auto e = env[i];
    auto field = at(path, i);
    auto name = text(e.getName());
    if (name.empty())
      required(causes, field + ".name");
    else if (!std::regex_match(name, name_re))
      invalid(causes, field + ".name", name,
              "a valid environment variable name must consist of alphabetic characters, "
              "digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  "
              "or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is "
              "'[-._a-zA-Z][-._a-zA-Z0-9]*')");
    if (!e.hasValueFrom()) continue;
    auto from = e.getValueFrom();
    int n = int(from.hasFieldRef()) + int(from.hasResourceFieldRef()) +
            int(from.hasConfigMapKeyRef()) + int(from.hasSecretKeyRef());
    if (n != 1)
      invalid(causes, field + ".valueFrom", "",
              "may not have more than one field specified at a time");
    if (e.getValue().size() != 0)
      invalid(causes, field + ".valueFrom", "", "may not be specified when `value` is not empty");
    if (from.hasFieldRef() && from.getFieldRef().getFieldPath().size() == 0)
      required(causes, field + ".valueFrom.fieldRef.fieldPath");
    if (from.hasConfigMapKeyRef() && from.getConfigMapKeyRef().getKey().size() == 0)
      required(causes, field + ".valueFrom.configMapKeyRef.key");
    if (from.hasSecretKeyRef() && from.getSecretKeyRef().getKey().size() == 0)
      required(causes, field + ".valueFrom.secretKeyRef.key");
  }
}

void check_ports(Causes& causes, const std::string& path,
                 capnp::List<k8s::ContainerPort>::Reader ports, bool host_network,
                 std::set<std::string>& port_names) {
  for (unsigned i = 0; i < ports.size(); ++i) {
    auto p = ports[i];
    auto field = at(path, i);
    auto name = text(p.getName());
    if (!name.empty()) {
      check_port_name(causes, field + ".name", name);
      if (!port_names.insert(name).second) duplicate(causes, field + ".name", name);
    }
    check_port(causes, field + ".containerPort", p.getContainerPort());
    if (p.getHostPort() != 0) check_port(causes, field + ".hostPort", p.getHostPort());
    if (host_network && p.getHostPort() != 0 && p.getHostPort() != p.getContainerPort())
      invalid(causes, field + ".hostPort", p.getHostPort(),
              "must match `containerPort` when `hostNetwork` is true");
    check_enum(causes, field + ".protocol", text(p.getProtocol()), kProtocols, true);
    if (p.getHostIP().size() != 0) check_ip(causes, field + ".hostIP", text(p.getHostIP()));
  }
}

void check_container(Causes& causes, const std::string& path, k8s::Container::Reader c,
                     const std::set<std::string>& volumes, bool init, bool host_network,
                     std::set<std::string>& port_names) {
  check_dns_label(causes, path + ".name", text(c.getName()));
  if (c.getImage().size() == 0) required(causes, path + ".image");
  check_enum(causes, path + ".imagePullPolicy", text(c.getImagePullPolicy()),
             {"Always", "IfNotPresent", "Never"}, true);
  check_enum(causes, path + ".terminationMessagePolicy", text(c.getTerminationMessagePolicy()),
             {"File", "FallbackToLogsOnError"}, true);
  check_ports(causes, path + ".ports", c.getPorts(), host_network, port_names);
  check_env(causes, path + ".env", c.getEnv());
  auto env_from = c.getEnvFrom();
  for (unsigned i = 0; i < env_from.size(); ++i) {
    auto e = env_from[i];
    if (int(e.hasConfigMapRef()) + int(e.hasSecretRef()) != 1)
      invalid(causes, at(path + ".envFrom", i), "",
              "may not have more than one field specified at a time");
  }
  check_resources(causes, path + ".resources", c.getResources());
  std::set<std::string> mount_paths;
  auto mounts = c.getVolumeMounts();
  for (unsigned i = 0; i < mounts.size(); ++i) {
    auto m = mounts[i];
    auto field = at(path + ".volumeMounts", i);
    auto name = text(m.getName());
    if (name.empty())
      required(causes, field + ".name");
    else if (!volumes.count(name))
      not_found(causes, field + ".name", name);
    auto mount_path = text(m.getMountPath());
    if (mount_path.empty())
      required(causes, field + ".mountPath");
    else if (!mount_paths.insert(mount_path).second)
      invalid(causes, field + ".mountPath", mount_path, "must be unique");
    auto sub = text(m.getSubPath());
    if (!sub.empty() && (sub[0] == '/' || sub.find("..") != std::string::npos))
      invalid(causes, field + ".subPath", sub,
              "must be a relative path without '..' (and not absolute)");
  }
  if (init) {
    // Init containers run to completion: probes and lifecycle hooks make no sense for them.
    if (c.hasLivenessProbe())
      forbidden(causes, path + ".livenessProbe", "may not be set for init containers");
    if (c.hasReadinessProbe())
      forbidden(causes, path + ".readinessProbe", "may not be set for init containers");
    if (c.hasStartupProbe())
      forbidden(causes, path + ".startupProbe", "may not be set for init containers");
    if (c.hasLifecycle())
      forbidden(causes, path + ".lifecycle", "may not be set for init containers");
  } else {
    if (c.hasLivenessProbe()) check_probe(causes, path + ".livenessProbe", c.getLivenessProbe());
    if (c.hasReadinessProbe()) check_probe(causes, path + ".readinessProbe", c.getReadinessProbe());
    if (c.hasStartupProbe()) check_probe(causes, path + ".startupProbe", c.getStartupProbe());
    if (c.hasLivenessProbe() && c.getLivenessProbe().getSuccessThreshold() > 1)
      invalid(causes, path + ".livenessProbe.successThreshold",
              c.getLivenessProbe().getSuccessThreshold(), "must be 1");
    if (c.hasStartupProbe() && c.getStartupProbe().getSuccessThreshold() > 1)
      invalid(causes, path + ".startupProbe.successThreshold",
              c.getStartupProbe().getSuccessThreshold(), "must be 1");
  }
}

void check_mode(Causes& causes, const std::string& path, k8s::Int32Box::Reader mode) {
  if (mode.getValue() < 0 || mode.getValue() > 0777)
    invalid(causes, path, mode.getValue(),
            "must be a number between 0 and 0777 (octal), both inclusive");
}

void check_items(Causes& causes, const std::string& path,
                 capnp::List<k8s::Volume::KeyToPath>::Reader items) {
  for (unsigned i = 0; i < items.size(); ++i) {
    auto field = at(path, i);
    if (items[i].getKey().size() == 0) required(causes, field + ".key");
    auto p = text(items[i].getPath());
    if (p.empty())
      required(causes, field + ".path");
    else if (p[0] == '/' || p.find("..") != std::string::npos)
      invalid(causes, field + ".path", p, "must be a relative path without '..'");
    if (items[i].hasMode()) check_mode(causes, field + ".mode", items[i].getMode());
  }
}

std::set<std::string> check_volumes(Causes& causes, const std::string& path,
                                    capnp::List<k8s::Volume>::Reader volumes) {
  std::set<std::string> names;
  for (unsigned i = 0; i < volumes.size(); ++i) {
    auto v = volumes[i];
    auto field = at(path, i);
    auto name = text(v.getName());
    check_dns_label(causes, field + ".name", name);
    if (!name.empty() && !names.insert(name).second) duplicate(causes, field + ".name", name);
    int sources =
        int(v.hasHostPath()) + int(v.hasEmptyDir()) + int(v.hasConfigMap()) + int(v.hasSecret());
    if (sources == 0) required(causes, field, "must specify a volume type");
    if (sources > 1) forbidden(causes, field, "may not specify more than 1 volume type");
    if (v.hasHostPath()) {
      auto hp = v.getHostPath();
      if (hp.getPath().size() == 0) required(causes, field + ".hostPath.path");
      check_enum(causes, field + ".hostPath.type", text(hp.getType()),
                 {"DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice",
                  "BlockDevice"});
    }
    if (v.hasEmptyDir()) {
      check_enum(causes, field + ".emptyDir.medium", text(v.getEmptyDir().getMedium()),
                 {"Memory", "HugePages"});
      if (v.getEmptyDir().getSizeLimit().size() != 0)
        check_quantity(causes, field + ".emptyDir.sizeLimit", text(v.getEmptyDir().getSizeLimit()));
    }
    if (v.hasConfigMap()) {
      auto cm = v.getConfigMap();
      check_dns_subdomain(causes, field + ".configMap.name", text(cm.getName()));
      check_items(causes, field + ".configMap.items", cm.getItems());
      if (cm.hasDefaultMode())
        check_mode(causes, field + ".configMap.defaultMode", cm.getDefaultMode());
    }
    if (v.hasSecret()) {
      auto s = v.getSecret();
      check_dns_subdomain(causes, field + ".secret.secretName", text(s.getSecretName()));
      check_items(causes, field + ".secret.items", s.getItems());
      if (s.hasDefaultMode()) check_mode(causes, field + ".secret.defaultMode", s.getDefaultMode());
    }
  }
  return names;
}

void check_node_selector_term(Causes& causes, const std::string& path,
                              k8s::NodeSelectorTerm::Reader term) {
  for (auto [list, name] : {std::pair{term.getMatchExpressions(), ".matchExpressions"},
                            std::pair{term.getMatchFields(), ".matchFields"}})
    for (unsigned i = 0; i < list.size(); ++i) {
      auto r = list[i];
      auto field = at(path + name, i);
      auto op = text(r.getOperator());
      check_enum(causes, field + ".operator", op,
                 {"DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"}, true);
      auto n = r.getValues().size();
      if ((op == "In" || op == "NotIn") && n == 0)
        required(causes, field + ".values", "must be specified when `operator` is 'In' or 'NotIn'");
      if ((op == "Exists" || op == "DoesNotExist") && n != 0)
        forbidden(causes, field + ".values",
                  "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
      if ((op == "Gt" || op == "Lt") && n != 1)
        required(causes, field + ".values",
                 "must be specified single value when `operator` is 'Lt' or 'Gt'");
      auto key = text(r.getKey());
      for (const auto& m : check_qualified_name(key)) invalid(causes, field + ".key", key, m);
    }
}

void check_weight(Causes& causes, const std::string& path, std::int32_t weight) {
  if (weight < 1 || weight > 100) invalid(causes, path, weight, "must be in the range 1-100");
}

void check_pod_affinity_term(Causes& causes, const std::string& path,
                             k8s::PodAffinityTerm::Reader term) {
  if (term.hasLabelSelector())
    check_label_selector(causes, path + ".labelSelector", term.getLabelSelector());
  if (term.hasNamespaceSelector())
    check_label_selector(causes, path + ".namespaceSelector", term.getNamespaceSelector());
  auto key = text(term.getTopologyKey());
  if (key.empty())
    required(causes, path + ".topologyKey", "can not be empty");
  else
    for (const auto& m : check_qualified_name(key)) invalid(causes, path + ".topologyKey", key, m);
}

void check_pod_affinity(Causes& causes, const std::string& path, k8s::PodAffinity::Reader a) {
  auto required_terms = a.getRequiredDuringSchedulingIgnoredDuringExecution();
  for (unsigned i = 0; i < required_terms.size(); ++i)
    check_pod_affinity_term(causes, at(path + ".requiredDuringSchedulingIgnoredDuringExecution", i),
                            required_terms[i]);
  auto preferred = a.getPreferredDuringSchedulingIgnoredDuringExecution();
  for (unsigned i = 0; i < preferred.size(); ++i) {
    auto field = at(path + ".preferredDuringSchedulingIgnoredDuringExecution", i);
    check_weight(causes, field + ".weight", preferred[i].getWeight());
    check_pod_affinity_term(causes, field + ".podAffinityTerm", preferred[i].getPodAffinityTerm());
  }
}

void check_affinity(Causes& causes, const std::string& path, k8s::Affinity::Reader a) {
  if (a.hasNodeAffinity()) {
    auto na = a.getNodeAffinity();
    auto field = path + ".nodeAffinity";
    if (na.hasRequiredDuringSchedulingIgnoredDuringExecution()) {
      auto terms = na.getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
      auto rpath = field + ".requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
      if (terms.size() == 0) required(causes, rpath, "must have at least one node selector term");
      for (unsigned i = 0; i < terms.size(); ++i)
        check_node_selector_term(causes, at(rpath, i), terms[i]);
    }
    auto preferred = na.getPreferredDuringSchedulingIgnoredDuringExecution();
    for (unsigned i = 0; i < preferred.size(); ++i) {
      auto p = at(field + ".preferredDuringSchedulingIgnoredDuringExecution", i);
      check_weight(causes, p + ".weight", preferred[i].getWeight());
      check_node_selector_term(causes, p + ".preference", preferred[i].getPreference());
    }
  }
  if (a.hasPodAffinity()) check_pod_affinity(causes, path + ".podAffinity", a.getPodAffinity());
  if (a.hasPodAntiAffinity())
    check_pod_affinity(causes, path + ".podAntiAffinity", a.getPodAntiAffinity());
}

void check_tolerations(Causes& causes, const std::string& path,
                       capnp::List<k8s::Toleration>::Reader tolerations) {
  for (unsigned i = 0; i < tolerations.size(); ++i) {
    auto t = tolerations[i];
    auto field = at(path, i);
    auto key = text(t.getKey());
    if (!key.empty())
      for (const auto& m : check_qualified_name(key)) invalid(causes, field + ".key", key, m);
    auto op = text(t.getOperator());
    if (key.empty() && op != "Exists")
      invalid(causes, field + ".operator", op,
              "operator must be Exists when `key` is empty, which means \"match all values "
              "and all keys\"");
    check_enum(causes, field + ".operator", op, {"Equal", "Exists"});
    if (op == "Exists" && t.getValue().size() != 0)
      invalid(causes, field + ".operator", text(t.getValue()),
              "value must be empty when `operator` is 'Exists'");
    auto effect = text(t.getEffect());
    check_enum(causes, field + ".effect", effect, {"NoExecute", "NoSchedule", "PreferNoSchedule"});
    if (t.hasTolerationSeconds() && effect != "NoExecute")
      invalid(causes, field + ".effect", effect,
              "effect must be 'NoExecute' when `tolerationSeconds` is set");
  }
}

void check_spread(Causes& causes, const std::string& path,
                  capnp::List<k8s::TopologySpreadConstraint>::Reader constraints) {
  std::set<std::pair<std::string, std::string>> seen;
  for (unsigned i = 0; i < constraints.size(); ++i) {
    auto c = constraints[i];
    auto field = at(path, i);
    if (c.getMaxSkew() <= 0)
      invalid(causes, field + ".maxSkew", c.getMaxSkew(), "must be greater than zero");
    auto key = text(c.getTopologyKey());
    if (key.empty()) required(causes, field + ".topologyKey", "can not be empty");
    auto when = text(c.getWhenUnsatisfiable());
    check_enum(causes, field + ".whenUnsatisfiable", when, {"DoNotSchedule", "ScheduleAnyway"},
               true);
    if (!seen.insert({key, when}).second) duplicate(causes, field, "{" + key + ", " + when + "}");
    if (c.hasMinDomains()) {
      if (c.getMinDomains().getValue() <= 0)
        invalid(causes, field + ".minDomains", c.getMinDomains().getValue(),
                "must be greater than 0");
      if (when != "DoNotSchedule")
        invalid(causes, field + ".minDomains", c.getMinDomains().getValue(),
                "can only use minDomains if whenUnsatisfiable=DoNotSchedule");
    }
    if (c.hasLabelSelector())
      check_label_selector(causes, field + ".labelSelector", c.getLabelSelector());
    check_enum(causes, field + ".nodeAffinityPolicy", text(c.getNodeAffinityPolicy()),
               {"Honor", "Ignore"});
    check_enum(causes, field + ".nodeTaintsPolicy", text(c.getNodeTaintsPolicy()),
               {"Honor", "Ignore"});
  }
}

bool has_cpu_or_memory(k8s::ResourceList::Reader list) {
  for (auto e : list.getEntries()) {
    auto name = text(e.getKey());
    if (name == "cpu" || name == "memory") return true;
  }
  return false;
}

}  // namespace

void pod_spec_defaults(k8s::PodSpec::Builder spec) {
  if (spec.getDnsPolicy().size() == 0) spec.setDnsPolicy("ClusterFirst");
  if (spec.getRestartPolicy().size() == 0) spec.setRestartPolicy("Always");
  if (!spec.hasTerminationGracePeriodSeconds())
    spec.initTerminationGracePeriodSeconds().setValue(30);
  if (!spec.hasSecurityContext()) spec.initSecurityContext();
  if (spec.getSchedulerName().size() == 0) spec.setSchedulerName("default-scheduler");
  if (!spec.hasEnableServiceLinks()) spec.initEnableServiceLinks().setValue(true);
  if (spec.getServiceAccountName().size() == 0 && spec.getServiceAccount().size() != 0)
    spec.setServiceAccountName(spec.getServiceAccount());
  for (auto c : spec.getInitContainers()) container_defaults(c);
  for (auto c : spec.getContainers()) container_defaults(c);
  for (auto v : spec.getVolumes()) volume_defaults(v);
  for (auto t : spec.getTolerations())
    if (t.getOperator().size() == 0 && t.getKey().size() != 0) t.setOperator("Equal");
  if (spec.hasOverhead()) canonicalize(spec.getOverhead());
}

void validate_pod_spec(Causes& causes, const std::string& path, k8s::PodSpec::Reader spec) {
  auto volumes = check_volumes(causes, path + ".volumes", spec.getVolumes());
  bool host_network = spec.getHostNetwork();
  if (spec.getContainers().size() == 0) required(causes, path + ".containers");
  std::set<std::string> names, port_names;
  auto init = spec.getInitContainers();
  for (unsigned i = 0; i < init.size(); ++i) {
    auto field = at(path + ".initContainers", i);
    check_container(causes, field, init[i], volumes, true, host_network, port_names);
    auto name = text(init[i].getName());
    if (!name.empty() && !names.insert(name).second) duplicate(causes, field + ".name", name);
  }
  auto containers = spec.getContainers();
  for (unsigned i = 0; i < containers.size(); ++i) {
    auto field = at(path + ".containers", i);
    check_container(causes, field, containers[i], volumes, false, host_network, port_names);
    auto name = text(containers[i].getName());
    if (!name.empty() && !names.insert(name).second) duplicate(causes, field + ".name", name);
  }
  check_enum(causes, path + ".restartPolicy", text(spec.getRestartPolicy()),
             {"Always", "OnFailure", "Never"}, true);
  check_enum(causes, path + ".dnsPolicy", text(spec.getDnsPolicy()),
             {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"}, true);
  check_label_map(causes, path + ".nodeSelector", as_map(spec.getNodeSelector()));
  if (spec.getServiceAccountName().size() != 0)
    check_dns_subdomain(causes, path + ".serviceAccountName", text(spec.getServiceAccountName()));
  if (spec.getNodeName().size() != 0)
    check_dns_subdomain(causes, path + ".nodeName", text(spec.getNodeName()));
  if (spec.getHostname().size() != 0)
    check_dns_label(causes, path + ".hostname", text(spec.getHostname()));
  if (spec.getSubdomain().size() != 0)
    check_dns_label(causes, path + ".subdomain", text(spec.getSubdomain()));
  if (spec.hasTerminationGracePeriodSeconds())
    check_non_negative(causes, path + ".terminationGracePeriodSeconds",
                       spec.getTerminationGracePeriodSeconds().getValue());
  if (spec.hasActiveDeadlineSeconds() && spec.getActiveDeadlineSeconds().getValue() < 1)
    invalid(causes, path + ".activeDeadlineSeconds", spec.getActiveDeadlineSeconds().getValue(),
            "must be between 1 and 2147483647, inclusive");
  if (spec.hasAffinity()) check_affinity(causes, path + ".affinity", spec.getAffinity());
  check_tolerations(causes, path + ".tolerations", spec.getTolerations());
  check_spread(causes, path + ".topologySpreadConstraints", spec.getTopologySpreadConstraints());
  if (spec.getPriorityClassName().size() != 0)
    check_dns_subdomain(causes, path + ".priorityClassName", text(spec.getPriorityClassName()));
  check_enum(causes, path + ".preemptionPolicy", text(spec.getPreemptionPolicy()),
             {"Never", "PreemptLowerPriority"});
  auto secrets = spec.getImagePullSecrets();
  for (unsigned i = 0; i < secrets.size(); ++i)
    if (secrets[i].getName().size() == 0)
      required(causes, at(path + ".imagePullSecrets", i) + ".name");
  check_resource_list(causes, path + ".overhead", spec.getOverhead());
}

std::string qos_class(k8s::PodSpec::Reader spec) {
  bool any = false, guaranteed = true;
  auto visit = [&](k8s::Container::Reader c) {
    auto r = c.getResources();
    if (has_cpu_or_memory(r.getRequests()) || has_cpu_or_memory(r.getLimits())) any = true;
    auto limits = as_map(r.getLimits());
    auto requests = as_map(r.getRequests());
    for (const char* name : {"cpu", "memory"}) {
      auto limit = limits.find(name);
      auto request = requests.find(name);
      if (limit == limits.end()) {
        guaranteed = false;
        continue;
      }
      if (request != requests.end()) {
        auto a = Quantity::parse(request->second);
        auto b = Quantity::parse(limit->second);
        if (!a || !b || !(*a == *b)) guaranteed = false;
      }
    }
  };
  for (auto c : spec.getInitContainers()) visit(c);
  for (auto c : spec.getContainers()) visit(c);
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

}  // namespace craton::api
