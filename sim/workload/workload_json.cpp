// Workload records to and from JSON: field names, defaults and validation in one place.
#include "sim/workload/workload_json.hpp"

#include <type_traits>

namespace craton::workload {
namespace {

using nlohmann::json;

// A parse failure carries the field's name up to the record's message.
struct FieldError {
  std::string message;
};

template <class T>
T expect_type(const json& j, const char* field);

template <>
std::int64_t expect_type<std::int64_t>(const json& j, const char* field) {
  if (!j.is_number_integer()) throw FieldError{std::string(field) + " must be an integer"};
  return j.get<std::int64_t>();
}
template <>
std::string expect_type<std::string>(const json& j, const char* field) {
  if (!j.is_string()) throw FieldError{std::string(field) + " must be a string"};
  return j.get<std::string>();
}
template <>
bool expect_type<bool>(const json& j, const char* field) {
  if (!j.is_boolean()) throw FieldError{std::string(field) + " must be true or false"};
  return j.get<bool>();
}

template <class T>
T required(const json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end()) throw FieldError{std::string("missing field ") + field};
  return expect_type<T>(*it, field);
}

template <class T>
T optional_field(const json& j, const char* field, T fallback) {
  auto it = j.find(field);
  return it == j.end() ? fallback : expect_type<T>(*it, field);
}

std::int64_t non_negative(std::int64_t v, const char* field) {
  if (v < 0) throw FieldError{std::string(field) + " must not be negative"};
  return v;
}

std::int64_t required_count(const json& j, const char* field) {
  return non_negative(required<std::int64_t>(j, field), field);
}
std::int64_t optional_count(const json& j, const char* field, std::int64_t fallback = 0) {
  return non_negative(optional_field<std::int64_t>(j, field, fallback), field);
}

std::int32_t small_count(const json& j, const char* field, std::int64_t max) {
  auto v = optional_count(j, field);
  if (v > max) throw FieldError{std::string(field) + " above " + std::to_string(max)};
  return static_cast<std::int32_t>(v);
}

template <class V>
std::map<std::string, V> object_map(const json& j, const char* field) {
  std::map<std::string, V> out;
  auto it = j.find(field);
  if (it == j.end()) return out;
  if (!it->is_object()) throw FieldError{std::string(field) + " must be an object"};
  for (const auto& [k, v] : it->items()) {
    if constexpr (std::is_same_v<V, std::int64_t>)
      out[k] = non_negative(expect_type<V>(v, field), field);
    else
      out[k] = expect_type<V>(v, field);
  }
  return out;
}

const json& array_field(const json& j, const char* field) {
  static const json kEmpty = json::array();
  auto it = j.find(field);
  if (it == j.end()) return kEmpty;
  if (!it->is_array()) throw FieldError{std::string(field) + " must be an array"};
  return *it;
}

json resources_to_json(const Resources& r) {
  json j = {{"cpu_milli", r.cpu_milli}, {"memory_bytes", r.memory_bytes}};
  if (r.ephemeral_storage_bytes) j["ephemeral_storage_bytes"] = r.ephemeral_storage_bytes;
  if (!r.extended.empty()) j["extended"] = r.extended;
  return j;
}

Resources resources_from_json(const json& j, const char* field) {
  if (!j.is_object()) throw FieldError{std::string(field) + " must be an object"};
  Resources r;
  r.cpu_milli = optional_count(j, "cpu_milli");
  r.memory_bytes = optional_count(j, "memory_bytes");
  r.ephemeral_storage_bytes = optional_count(j, "ephemeral_storage_bytes");
  r.extended = object_map<std::int64_t>(j, "extended");
  return r;
}

json node_to_json(const Node& n) {
  json j = {{"kind", "Node"},
            {"name", n.name},
            {"capacity", resources_to_json(n.capacity)},
            {"max_pods", n.max_pods}};
  if (!n.labels.empty()) j["labels"] = n.labels;
  for (const auto& t : n.taints)
    j["taints"].push_back({{"key", t.key}, {"value", t.value}, {"effect", t.effect}});
  if (n.gpu_count) j["gpu_count"] = n.gpu_count;
  if (!n.gpu_model.empty()) j["gpu_model"] = n.gpu_model;
  return j;
}

Node node_from_json(const json& j) {
  Node n;
  n.name = required<std::string>(j, "name");
  if (n.name.empty()) throw FieldError{"name must not be empty"};
  auto cap = j.find("capacity");
  if (cap == j.end()) throw FieldError{"missing field capacity"};
  n.capacity = resources_from_json(*cap, "capacity");
  n.max_pods = optional_count(j, "max_pods", 110);
  n.labels = object_map<std::string>(j, "labels");
  for (const auto& t : array_field(j, "taints")) {
    if (!t.is_object()) throw FieldError{"taints must hold objects"};
    n.taints.push_back({required<std::string>(t, "key"),
                        optional_field<std::string>(t, "value", ""),
                        required<std::string>(t, "effect")});
  }
  n.gpu_count = small_count(j, "gpu_count", 1024);
  n.gpu_model = optional_field<std::string>(j, "gpu_model", "");
  return n;
}

json pod_to_json(const Pod& p) {
  json j = {{"kind", "Pod"},
            {"name", p.name},
            {"submit_ms", p.submit_ms},
            {"requests", resources_to_json(p.requests)},
            {"priority", p.priority}};
  if (p.duration_ms) j["duration_ms"] = *p.duration_ms;
  if (p.limits) j["limits"] = resources_to_json(*p.limits);
  if (p.num_gpu) j["num_gpu"] = p.num_gpu;
  if (p.gpu_milli) j["gpu_milli"] = p.gpu_milli;
  if (!p.gpu_models.empty()) j["gpu_models"] = p.gpu_models;
  if (!p.owner_job.empty()) j["owner_job"] = p.owner_job;
  if (!p.labels.empty()) j["labels"] = p.labels;
  if (!p.node_selector.empty()) j["node_selector"] = p.node_selector;
  for (const auto& t : p.tolerations)
    j["tolerations"].push_back(
        {{"key", t.key}, {"operator", t.op}, {"value", t.value}, {"effect", t.effect}});
  if (p.distinct_nodes_in_job) j["distinct_nodes_in_job"] = true;
  return j;
}

void check_gpu_share(const Pod& p) {
  if (p.gpu_milli > 1000) throw FieldError{"gpu_milli above 1000"};
  if (p.gpu_milli < 1000 && p.gpu_milli > 0 && p.num_gpu != 1)
    throw FieldError{"gpu_milli below 1000 (a shared GPU) needs num_gpu 1"};
  if ((p.num_gpu == 0) != (p.gpu_milli == 0))
    throw FieldError{"num_gpu and gpu_milli are both zero or both positive"};
}

Pod pod_from_json(const json& j) {
  Pod p;
  p.name = required<std::string>(j, "name");
  if (p.name.empty()) throw FieldError{"name must not be empty"};
  p.submit_ms = required_count(j, "submit_ms");
  if (j.contains("duration_ms")) p.duration_ms = required_count(j, "duration_ms");
  auto req = j.find("requests");
  if (req != j.end()) p.requests = resources_from_json(*req, "requests");
  auto lim = j.find("limits");
  if (lim != j.end()) p.limits = resources_from_json(*lim, "limits");
  p.num_gpu = small_count(j, "num_gpu", 1024);
  p.gpu_milli = small_count(j, "gpu_milli", 1000000);
  check_gpu_share(p);
  for (const auto& m : array_field(j, "gpu_models"))
    p.gpu_models.push_back(expect_type<std::string>(m, "gpu_models"));
  auto priority = optional_field<std::int64_t>(j, "priority", 0);
  if (priority < INT32_MIN || priority > INT32_MAX) throw FieldError{"priority out of range"};
  p.priority = static_cast<std::int32_t>(priority);
  p.owner_job = optional_field<std::string>(j, "owner_job", "");
  p.labels = object_map<std::string>(j, "labels");
  p.node_selector = object_map<std::string>(j, "node_selector");
  for (const auto& t : array_field(j, "tolerations")) {
    if (!t.is_object()) throw FieldError{"tolerations must hold objects"};
    p.tolerations.push_back({optional_field<std::string>(t, "key", ""),
                             optional_field<std::string>(t, "operator", "Equal"),
                             optional_field<std::string>(t, "value", ""),
                             optional_field<std::string>(t, "effect", "")});
  }
  p.distinct_nodes_in_job = optional_field<bool>(j, "distinct_nodes_in_job", false);
  return p;
}

constexpr std::pair<NodeEventType, std::string_view> kEventNames[] = {
    {NodeEventType::add, "add"},
    {NodeEventType::remove, "remove"},
    {NodeEventType::soft_error, "soft_error"},
    {NodeEventType::hard_error, "hard_error"},
};

json event_to_json(const NodeEvent& e) {
  json j = {{"kind", "NodeEvent"},
            {"time_ms", e.time_ms},
            {"node", e.node},
            {"event", node_event_type_name(e.type)}};
  if (!e.detail.empty()) j["detail"] = e.detail;
  return j;
}

NodeEvent event_from_json(const json& j) {
  NodeEvent e;
  e.time_ms = required_count(j, "time_ms");
  e.node = required<std::string>(j, "node");
  auto name = required<std::string>(j, "event");
  bool known = false;
  for (const auto& [type, text] : kEventNames)
    if (text == name) e.type = type, known = true;
  if (!known) throw FieldError{"unknown event '" + name + "'"};
  e.detail = optional_field<std::string>(j, "detail", "");
  return e;
}

}  // namespace

std::string_view node_event_type_name(NodeEventType type) {
  for (const auto& [t, text] : kEventNames)
    if (t == type) return text;
  return "add";
}

json header_to_json(const WorkloadHeader& h) {
  return {{"kind", "Workload"},       {"version", h.version}, {"source", h.source},
          {"generator", h.generator}, {"files", h.files},     {"parameters", h.parameters}};
}

json record_to_json(const WorkloadRecord& record) {
  return std::visit(
      [](const auto& r) -> json {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, Node>) return node_to_json(r);
        if constexpr (std::is_same_v<T, Pod>) return pod_to_json(r);
        if constexpr (std::is_same_v<T, NodeEvent>) return event_to_json(r);
      },
      record);
}

std::string canonical_line(const WorkloadRecord& record) {
  return record_to_json(record).dump();
}

Result<WorkloadHeader> header_from_json(const json& j) {
  try {
    if (!j.is_object() || optional_field<std::string>(j, "kind", "") != "Workload")
      return Error{"malformed", "the first line is not a {\"kind\":\"Workload\"} header"};
    WorkloadHeader h;
    h.version = static_cast<int>(required<std::int64_t>(j, "version"));
    if (h.version != kWorkloadVersion)
      return Error{"unsupported_version", "workload version " + std::to_string(h.version) +
                                              " is not supported (this build reads version " +
                                              std::to_string(kWorkloadVersion) + ")"};
    h.source = optional_field<std::string>(j, "source", "");
    h.generator = optional_field<std::string>(j, "generator", "");
    for (const auto& f : array_field(j, "files"))
      h.files.push_back(expect_type<std::string>(f, "files"));
    h.parameters = object_map<std::string>(j, "parameters");
    return h;
  } catch (const FieldError& e) {
    return Error{"malformed", "Workload header: " + e.message};
  }
}

Result<WorkloadRecord> record_from_json(const json& j) {
  if (!j.is_object()) return Error{"malformed", "a record must be a JSON object"};
  std::string kind =
      j.contains("kind") && j["kind"].is_string() ? j["kind"].get<std::string>() : "";
  try {
    if (kind == "Node") return WorkloadRecord{node_from_json(j)};
    if (kind == "Pod") return WorkloadRecord{pod_from_json(j)};
    if (kind == "NodeEvent") return WorkloadRecord{event_from_json(j)};
  } catch (const FieldError& e) {
    return Error{"malformed", kind + ": " + e.message};
  }
  return Error{"malformed", "unknown kind '" + kind + "' (Node, Pod or NodeEvent)"};
}

}  // namespace craton::workload
