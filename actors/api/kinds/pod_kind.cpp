// core/v1 Pod: the pod spec's rules (pod_spec.cpp) plus what only pods have: status defaults,
// the update rules (a pod's spec is immutable but for images, activeDeadlineSeconds and added
// tolerations), kube's pod table (NAME READY STATUS RESTARTS AGE) and field selectors.
#include <capnp/serialize.h>

#include <algorithm>

#include "actors/api/convert/string_map.hpp"
#include "actors/api/kinds/checks.hpp"
#include "actors/api/kinds/kind_factories.hpp"
#include "actors/api/kinds/pod_spec.hpp"
#include "actors/api/kinds/table_cells.hpp"
#include "actors/api/meta/time.hpp"
#include "schemas/api_pod.capnp.h"

namespace craton::api {
namespace {

namespace k8s = schema::k8s;

// The tolerations Kubernetes' DefaultTolerationSeconds admission gives every pod: five
// minutes on a node that is not ready or unreachable before it is evicted.
constexpr std::int64_t kDefaultTolerationSeconds = 300;

void add_default_tolerations(k8s::PodSpec::Builder spec) {
  std::vector<std::string> missing;
  for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    bool found = false;
    for (auto t : spec.getTolerations()) {
      auto effect = text(t.getEffect());
      if ((text(t.getKey()) == key || t.getKey().size() == 0) &&
          (effect.empty() || effect == "NoExecute"))
        found = true;
    }
    if (!found) missing.push_back(key);
  }
  if (missing.empty()) return;
  auto orphan = spec.disownTolerations();
  auto kept = orphan.getReader();
  auto list = spec.initTolerations(unsigned(kept.size() + missing.size()));
  for (unsigned i = 0; i < kept.size(); ++i) list.setWithCaveats(i, kept[i]);
  for (unsigned i = 0; i < missing.size(); ++i) {
    auto t = list[unsigned(kept.size()) + i];
    t.setKey(missing[i]);
    t.setOperator("Exists");
    t.setEffect("NoExecute");
    t.initTolerationSeconds().setValue(kDefaultTolerationSeconds);
  }
}

void pod_defaults(ObjectBuilder object) {
  auto pod = object.as<k8s::Pod>();
  auto spec = pod.getSpec();
  pod_spec_defaults(spec);
  // ServiceAccount admission: a pod runs as "default" unless it names an account.
  if (spec.getServiceAccountName().size() == 0) spec.setServiceAccountName("default");
  spec.setServiceAccount(spec.getServiceAccountName());
  add_default_tolerations(spec);
  auto status = pod.getStatus();
  if (status.getPhase().size() == 0) status.setPhase("Pending");
  status.setQosClass(qos_class(spec.asReader()));
}

// What an update may change of a pod's spec: images, activeDeadlineSeconds (set or lowered),
// added tolerations, terminationGracePeriodSeconds (kubelet's deletion path). Everything else
// must be byte-for-byte the old spec.
bool only_mutable_fields_differ(k8s::PodSpec::Reader now, k8s::PodSpec::Reader was) {
  auto normalize = [](k8s::PodSpec::Reader spec, capnp::MallocMessageBuilder& message) {
    message.setRoot(spec);
    auto s = message.getRoot<k8s::PodSpec>();
    for (auto c : s.getContainers()) c.setImage("");
    for (auto c : s.getInitContainers()) c.setImage("");
    s.disownActiveDeadlineSeconds();
    s.disownTolerations();
    s.disownTerminationGracePeriodSeconds();
    auto words = capnp::messageToFlatArray(message);
    return std::string(words.asChars().begin(), words.asChars().end());
  };
  capnp::MallocMessageBuilder a, b;
  return normalize(now, a) == normalize(was, b);
}

void validate_pod(ObjectReader object, const ObjectReader* old, Causes& causes) {
  auto pod = object.as<k8s::Pod>();
  validate_pod_spec(causes, "spec", pod.getSpec());
  auto status = pod.getStatus();
  check_enum(causes, "status.phase", text(status.getPhase()),
             {"Pending", "Running", "Succeeded", "Failed", "Unknown"});
  if (status.getPodIP().size() != 0) check_ip(causes, "status.podIP", text(status.getPodIP()));
  if (status.getHostIP().size() != 0) check_ip(causes, "status.hostIP", text(status.getHostIP()));
  if (old == nullptr) return;
  auto was = old->as<k8s::Pod>();
  auto spec = pod.getSpec();
  auto old_spec = was.getSpec();
  if (spec.getContainers().size() != old_spec.getContainers().size() ||
      spec.getInitContainers().size() != old_spec.getInitContainers().size() ||
      !only_mutable_fields_differ(spec, old_spec))
    forbidden(causes, "spec",
              "pod updates may not change fields other than `spec.containers[*].image`,"
              "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
              "`spec.tolerations` (only additions to existing tolerations),"
              "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
              "previously negative)");
  for (auto c : spec.getContainers())
    if (c.getImage().size() == 0) required(causes, "spec.containers[].image");
  if (old_spec.hasActiveDeadlineSeconds()) {
    if (!spec.hasActiveDeadlineSeconds() ||
        spec.getActiveDeadlineSeconds().getValue() > old_spec.getActiveDeadlineSeconds().getValue())
      invalid(causes, "spec.activeDeadlineSeconds",
              spec.hasActiveDeadlineSeconds() ? spec.getActiveDeadlineSeconds().getValue() : 0,
              "must be less than or equal to previous value");
  }
  // Tolerations may only be added to.
  auto tolerations = spec.getTolerations();
  for (auto t : old_spec.getTolerations()) {
    bool kept = false;
    for (auto n : tolerations)
      kept =
          kept ||
          (text(n.getKey()) == text(t.getKey()) && text(n.getOperator()) == text(t.getOperator()) &&
           text(n.getValue()) == text(t.getValue()) && text(n.getEffect()) == text(t.getEffect()));
    if (!kept)
      forbidden(causes, "spec.tolerations",
                "existing toleration can not be modified except its tolerationSeconds");
  }
  // The node a pod runs on is set once (by binding).
  if (old_spec.getNodeName().size() != 0 &&
      text(spec.getNodeName()) != text(old_spec.getNodeName()))
    forbidden(causes, "spec.nodeName", "field is immutable");
}

// ---- the table (printPod in pkg/printers/internalversion) ----

struct PodRow {
  std::string reason;
  int ready = 0;
  int restarts = 0;
  std::int64_t last_restart = 0;  ///< seconds; 0 when unknown
};

void note_restart(PodRow& row, k8s::ContainerStatus::Reader c) {
  row.restarts += c.getRestartCount();
  if (c.getLastState().hasTerminated()) {
    auto finished = parse_rfc3339(text(c.getLastState().getTerminated().getFinishedAt()));
    if (finished && *finished > row.last_restart) row.last_restart = *finished;
  }
}

bool condition_true(k8s::PodStatus::Reader status, const std::string& type) {
  for (auto c : status.getConditions())
    if (text(c.getType()) == type) return text(c.getStatus()) == "True";
  return false;
}

PodRow pod_row(k8s::Pod::Reader pod) {
  PodRow row;
  auto status = pod.getStatus();
  row.reason = status.getReason().size() ? text(status.getReason()) : text(status.getPhase());
  bool initializing = false;
  auto init = status.getInitContainerStatuses();
  auto init_specs = pod.getSpec().getInitContainers().size();
  for (unsigned i = 0; i < init.size(); ++i) {
    auto c = init[i];
    note_restart(row, c);
    auto state = c.getState();
    if (state.hasTerminated() && state.getTerminated().getExitCode() == 0) continue;
    initializing = true;
    if (state.hasTerminated()) {
      auto t = state.getTerminated();
      if (t.getReason().size() != 0)
        row.reason = "Init:" + text(t.getReason());
      else if (t.getSignal() != 0)
        row.reason = "Init:Signal:" + std::to_string(t.getSignal());
      else
        row.reason = "Init:ExitCode:" + std::to_string(t.getExitCode());
    } else if (state.hasWaiting() && state.getWaiting().getReason().size() != 0 &&
               text(state.getWaiting().getReason()) != "PodInitializing") {
      row.reason = "Init:" + text(state.getWaiting().getReason());
    } else {
      row.reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_specs);
    }
    break;
  }
  if (!initializing || condition_true(status, "Initialized")) {
    row.restarts = 0;
    bool running = false;
    auto containers = status.getContainerStatuses();
    for (unsigned i = containers.size(); i-- > 0;) {
      auto c = containers[i];
      note_restart(row, c);
      auto state = c.getState();
      if (state.hasWaiting() && state.getWaiting().getReason().size() != 0) {
        row.reason = text(state.getWaiting().getReason());
      } else if (state.hasTerminated() && state.getTerminated().getReason().size() != 0) {
        row.reason = text(state.getTerminated().getReason());
      } else if (state.hasTerminated()) {
        auto t = state.getTerminated();
        row.reason = t.getSignal() != 0 ? "Signal:" + std::to_string(t.getSignal())
                                        : "ExitCode:" + std::to_string(t.getExitCode());
      } else if (c.getReady() && state.hasRunning()) {
        running = true;
        ++row.ready;
      }
    }
    if (row.reason == "Completed" && running)
      row.reason = condition_true(status, "Ready") ? "Running" : "NotReady";
  }
  auto phase = text(status.getPhase());
  bool terminal = phase == "Succeeded" || phase == "Failed";
  if (pod.getMetadata().getDeletionTimestamp().size() != 0) {
    if (text(status.getReason()) == "NodeLost")
      row.reason = "Unknown";
    else if (!terminal)
      row.reason = "Terminating";
  }
  return row;
}

nlohmann::json pod_cells(ObjectReader object, std::int64_t now) {
  auto pod = object.as<k8s::Pod>();
  auto row = pod_row(pod);
  std::string restarts = std::to_string(row.restarts);
  if (row.restarts != 0 && row.last_restart != 0)
    restarts += " (" + human_duration(now - row.last_restart) + " ago)";
  return nlohmann::json::array(
      {std::to_string(row.ready) + "/" + std::to_string(pod.getSpec().getContainers().size()),
       row.reason, restarts});
}

nlohmann::json pod_wide_cells(ObjectReader object, std::int64_t) {
  auto pod = object.as<k8s::Pod>();
  auto status = pod.getStatus();
  std::string ip = status.getPodIPs().size() ? text(status.getPodIPs()[0].getIp()) : "";
  if (ip.empty()) ip = text(status.getPodIP());
  std::string gates = "<none>";
  auto wanted = pod.getSpec().getReadinessGates();
  if (wanted.size() != 0) {
    int met = 0;
    for (auto g : wanted)
      if (condition_true(status, text(g.getConditionType()))) ++met;
    gates = std::to_string(met) + "/" + std::to_string(wanted.size());
  }
  return nlohmann::json::array({or_none(ip), or_none(text(pod.getSpec().getNodeName())),
                                or_none(text(status.getNominatedNodeName())), gates});
}

// kube's podStrategy.CheckGracefulDelete: the grace asked for, else the pod's own; a pod no
// agent runs (unbound) or that ended (Succeeded, Failed) has nothing to stop and goes at once.
std::int64_t pod_grace_period(ObjectReader object, std::optional<std::int64_t> requested) {
  auto pod = object.as<k8s::Pod>();
  std::int64_t period = 0;
  if (requested)
    period = *requested;
  else if (pod.getSpec().hasTerminationGracePeriodSeconds())
    period = pod.getSpec().getTerminationGracePeriodSeconds().getValue();
  auto phase = text(pod.getStatus().getPhase());
  if (pod.getSpec().getNodeName().size() == 0 || phase == "Succeeded" || phase == "Failed")
    period = 0;
  return period < 0 ? 1 : period;  // as kube: a negative grace means one second
}

}  // namespace

Kind pod_kind() {
  Kind k;
  k.schema = capnp::Schema::from<k8s::Pod>();
  k.defaults = pod_defaults;
  // ContainerStatus' ready, restartCount, image and imageID and ContainerStateTerminated's
  // exitCode have no omitempty in k8s.io/api/core/v1.
  for (std::string list : {"status.containerStatuses[].", "status.initContainerStatuses[]."}) {
    for (const char* field : {"ready", "restartCount", "image", "imageID"})
      k.zero_fields.push_back(list + field);
    k.zero_fields.push_back(list + "state.terminated.exitCode");
    k.zero_fields.push_back(list + "lastState.terminated.exitCode");
  }
  k.validate = validate_pod;
  k.grace_period_s = pod_grace_period;
  k.columns = {
      {"Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic."},
      {"Status", "string", "", "The aggregate status of the containers in this pod."},
      {"Restarts", "string", "",
       "The number of times the containers in this pod have been restarted and when the last "
       "container in this pod has restarted."}};
  k.wide_columns = {
      {"IP", "string", "", "IP address allocated to the pod. Routable at least within the cluster.",
       1},
      {"Node", "string", "", "NodeName is a request to schedule this pod onto a specific node.", 1},
      {"Nominated Node", "string", "",
       "nominatedNodeName is set only when this pod preempts other pods on the node.", 1},
      {"Readiness Gates", "string", "",
       "If specified, all readiness gates will be evaluated for pod readiness.", 1}};
  k.cells = pod_cells;
  k.wide_cells = pod_wide_cells;
  auto spec_field = [](auto get) {
    return [get](ObjectReader o) { return get(o.as<k8s::Pod>().getSpec()); };
  };
  k.fields["spec.nodeName"] = spec_field([](auto s) { return text(s.getNodeName()); });
  k.fields["spec.restartPolicy"] = spec_field([](auto s) { return text(s.getRestartPolicy()); });
  k.fields["spec.schedulerName"] = spec_field([](auto s) { return text(s.getSchedulerName()); });
  k.fields["spec.serviceAccountName"] =
      spec_field([](auto s) { return text(s.getServiceAccountName()); });
  k.fields["spec.hostNetwork"] =
      spec_field([](auto s) { return std::string(s.getHostNetwork() ? "true" : "false"); });
  auto status_field = [](auto get) {
    return [get](ObjectReader o) { return get(o.as<k8s::Pod>().getStatus()); };
  };
  k.fields["status.phase"] = status_field([](auto s) { return text(s.getPhase()); });
  k.fields["status.podIP"] = status_field([](auto s) { return text(s.getPodIP()); });
  k.fields["status.nominatedNodeName"] =
      status_field([](auto s) { return text(s.getNominatedNodeName()); });
  return k;
}

}  // namespace craton::api
