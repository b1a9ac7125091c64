// Workload records as the cluster's objects (sim/research/workload_objects.hpp).
#include "sim/research/workload_objects.hpp"

#include "actors/agent/core/node_status.hpp"
#include "actors/api/meta/quantity.hpp"
#include "actors/scheduler/plugins/gpu_model.hpp"

namespace craton::research {

namespace {

using nlohmann::json;

const std::string kGpu(scheduler::kGpuResource);
const std::string kGpuMilli(scheduler::kGpuMilliResource);

// The GPU plugins' reading of a trace pod (docs/research.md "GPU sharing"): a share of one
// GPU, or k whole ones.
void add_gpus(json& resources, const workload::Pod& pod) {
  if (pod.num_gpu <= 0) return;
  if (pod.num_gpu == 1 && pod.gpu_milli > 0 && pod.gpu_milli < 1000) {
    resources[kGpuMilli] = std::to_string(pod.gpu_milli);
    return;
  }
  resources[kGpu] = std::to_string(pod.num_gpu);
  resources[kGpuMilli] = std::to_string(std::int64_t{1000} * pod.num_gpu);
}

json resources_json(const workload::Resources& r) {
  json out = json::object();
  if (r.cpu_milli > 0) out["cpu"] = api::Quantity::from_milli(r.cpu_milli).canonical();
  if (r.memory_bytes > 0) out["memory"] = agent::byte_quantity(r.memory_bytes);
  if (r.ephemeral_storage_bytes > 0)
    out["ephemeral-storage"] = agent::byte_quantity(r.ephemeral_storage_bytes);
  for (const auto& [name, count] : r.extended) out[name] = std::to_string(count);
  return out;
}

json container_command(const workload::Pod& pod) {
  if (!pod.duration_ms) return json::array({"sleep-forever"});
  // Whole seconds as "N", else "N.mmm": the FakeDriver's sleep keeps the milliseconds.
  auto ms = std::max<std::int64_t>(*pod.duration_ms, 0);
  auto text = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    auto fraction = std::to_string(1000 + ms % 1000).substr(1);  // three digits, leading zeros
    text += "." + fraction;
  }
  return json::array({"sleep", text});
}

}  // namespace

agent::NodeConfig node_config_of(const workload::Node& node) {
  agent::NodeConfig config;
  config.name = node.name;
  config.labels = node.labels;
  for (const auto& t : node.taints) config.taints.push_back({t.key, t.value, t.effect});
  config.max_pods = node.max_pods;
  config.eviction_memory_bytes = 0;  // allocatable = the record's capacity
  config.eviction_storage_percent = 0;
  config.extended_resources = node.capacity.extended;
  if (node.gpu_count > 0) {
    config.extended_resources[kGpu] = node.gpu_count;
    config.extended_resources[kGpuMilli] = std::int64_t{1000} * node.gpu_count;
    if (!node.gpu_model.empty()) config.labels[std::string(kGpuModelLabel)] = node.gpu_model;
  }
  return config;
}

agent::HostFacts host_facts_of(const workload::Node& node, const std::string& internal_ip) {
  agent::HostFacts facts;
  facts.cpu_cores = node.capacity.cpu_milli / 1000;
  facts.memory_bytes = node.capacity.memory_bytes;
  facts.memory_available_bytes = node.capacity.memory_bytes;
  // Storage the trace does not give: plenty, so no DiskPressure.
  facts.storage_bytes = node.capacity.ephemeral_storage_bytes > 0
                            ? node.capacity.ephemeral_storage_bytes
                            : std::int64_t{1} << 40;
  facts.storage_available_bytes = facts.storage_bytes;
  facts.kernel_version = "6.1.0-sim";
  facts.os_image = "craton simulator";
  facts.architecture = "amd64";
  facts.hostname = node.name;
  facts.internal_ip = internal_ip;
  return facts;
}

std::string priority_class_name(std::int32_t priority) {
  auto magnitude = std::to_string(priority < 0 ? -std::int64_t{priority} : std::int64_t{priority});
  return std::string("craton-workload-priority-") + (priority < 0 ? "minus-" : "") + magnitude;
}

json priority_class_json_of(std::int32_t priority) {
  return json{{"apiVersion", "scheduling.k8s.io/v1"},
              {"kind", "PriorityClass"},
              {"metadata", {{"name", priority_class_name(priority)}}},
              {"value", priority},
              {"description", "a research workload's pod priority"}};
}

json pod_json_of(const workload::Pod& pod, const std::string& namespace_) {
  json labels = json::object();
  for (const auto& [k, v] : pod.labels) labels[k] = v;
  if (!pod.owner_job.empty()) labels[std::string(kJobLabel)] = pod.owner_job;

  json requests = resources_json(pod.requests);
  add_gpus(requests, pod);
  json limits = pod.limits ? resources_json(*pod.limits) : json::object();
  // Extended resources cannot be overcommitted: limits equal requests (kube's validation).
  add_gpus(limits, pod);
  for (const auto& [name, count] : pod.requests.extended) limits[name] = std::to_string(count);
  json resources{{"requests", std::move(requests)}};
  if (!limits.empty()) resources["limits"] = std::move(limits);

  json spec{{"restartPolicy", "Never"},
            {"terminationGracePeriodSeconds", 0},
            {"containers", json::array({json{{"name", "main"},
                                             {"image", "craton.io/sim:workload"},
                                             {"command", container_command(pod)},
                                             {"resources", std::move(resources)}}})}};
  if (pod.priority != 0) spec["priorityClassName"] = priority_class_name(pod.priority);
  if (!pod.node_selector.empty()) {
    json selector = json::object();
    for (const auto& [k, v] : pod.node_selector) selector[k] = v;
    spec["nodeSelector"] = std::move(selector);
  }
  if (!pod.tolerations.empty()) {
    json list = json::array();
    for (const auto& t : pod.tolerations) {
      json one{{"operator", t.op}};
      if (!t.key.empty()) one["key"] = t.key;
      if (!t.value.empty()) one["value"] = t.value;
      if (!t.effect.empty()) one["effect"] = t.effect;
      list.push_back(std::move(one));
    }
    spec["tolerations"] = std::move(list);
  }
  json affinity = json::object();
  if (!pod.gpu_models.empty()) {
    json term{{"matchExpressions", json::array({json{{"key", std::string(kGpuModelLabel)},
                                                     {"operator", "In"},
                                                     {"values", pod.gpu_models}}})}};
    affinity["nodeAffinity"] = {{"requiredDuringSchedulingIgnoredDuringExecution",
                                 {{"nodeSelectorTerms", json::array({std::move(term)})}}}};
  }
  if (pod.distinct_nodes_in_job && !pod.owner_job.empty()) {
    affinity["podAntiAffinity"] = {
        {"requiredDuringSchedulingIgnoredDuringExecution",
         json::array(
             {json{{"labelSelector", {{"matchLabels", {{std::string(kJobLabel), pod.owner_job}}}}},
                   {"topologyKey", "kubernetes.io/hostname"}}})}};
  }
  if (!affinity.empty()) spec["affinity"] = std::move(affinity);

  return json{
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", pod.name}, {"namespace", namespace_}, {"labels", std::move(labels)}}},
      {"spec", std::move(spec)}};
}

}  // namespace craton::research
