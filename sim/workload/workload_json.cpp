// Workload records to and from JSON: field names, defaults and validation in one place.
#include "sim/workload/workload_json.hpp"

#include <climits>
#include <type_traits>

namespace craton::workload {
namespace {

using nlohmann::json;

// Reads typed fields out of one record's JSON object. The first problem is kept (with the
// field's name) and later reads return defaults, so a parse function reads everything and
// checks `failed()` once at the end.
class FieldReader {
 public:
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  void fail(const std::string& message) {
    if (error_.empty()) error_ = message;
  }

  template <class T>
  T as(const json& j, const char* field) {
    if constexpr (std::is_same_v<T, std::int64_t>) {
      if (j.is_number_integer()) return j.get<std::int64_t>();
      fail(std::string(field) + " must be an integer");
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (j.is_string()) return j.get<std::string>();
      fail(std::string(field) + " must be a string");
    } else {
      if (j.is_boolean()) return j.get<bool>();
      fail(std::string(field) + " must be true or false");
    }
    return T{};
  }

  template <class T>
  T required(const json& j, const char* field) {
    auto it = j.find(field);
    if (it != j.end()) return as<T>(*it, field);
    fail(std::string("missing field ") + field);
    return T{};
  }

  template <class T>
  T optional(const json& j, const char* field, T fallback) {
    auto it = j.find(field);
    return it == j.end() ? fallback : as<T>(*it, field);
  }

  std::int64_t non_negative(std::int64_t v, const char* field) {
    if (v >= 0) return v;
    fail(std::string(field) + " must not be negative");
    return 0;
  }
  std::int64_t required_count(const json& j, const char* field) {
    return non_negative(required<std::int64_t>(j, field), field);
  }
  std::int64_t count(const json& j, const char* field, std::int64_t fallback = 0) {
    return non_negative(optional<std::int64_t>(j, field, fallback), field);
  }
  std::int32_t small_count(const json& j, const char* field, std::int64_t max) {
    auto v = count(j, field);
    if (v <= max) return static_cast<std::int32_t>(v);
    fail(std::string(field) + " above " + std::to_string(max));
    return 0;
  }

  template <class V>
  std::map<std::string, V> object_map(const json& j, const char* field) {
    std::map<std::string, V> out;
    auto it = j.find(field);
    if (it == j.end()) return out;
    if (!it->is_object()) {
      fail(std::string(field) + " must be an object");
      return out;
    }
    for (const auto& [k, v] : it->items()) {
      if constexpr (std::is_same_v<V, std::int64_t>)
        out[k] = non_negative(as<V>(v, field), field);
      else
        out[k] = as<V>(v, field);
    }
    return out;
  }

  // The array `field` holds (an empty one when absent or not an array).
  const json& objects(const json& j, const char* field) {
    static const json kEmpty = json::array();
    auto it = j.find(field);
    if (it == j.end()) return kEmpty;
    if (!it->is_array()) {
      fail(std::string(field) + " must be an array");
      return kEmpty;
    }
    return *it;
  }

 private:
  std::string error_;
};

json resources_to_json(const Resources& r) {
  json j = {{"cpu_milli", r.cpu_milli}, {"memory_bytes", r.memory_bytes}};
  if (r.ephemeral_storage_bytes) j["ephemeral_storage_bytes"] = r.ephemeral_storage_bytes;
  if (!r.extended.empty()) j["extended"] = r.extended;
  return j;
}

Resources resources_from_json(const json& j, const char* field, FieldReader& r) {
  Resources out;
  if (!j.is_object()) {
    r.fail(std::string(field) + " must be an object");
    return out;
  }
  out.cpu_milli = r.count(j, "cpu_milli");
  out.memory_bytes = r.count(j, "memory_bytes");
  out.ephemeral_storage_bytes = r.count(j, "ephemeral_storage_bytes");
  out.extended = r.object_map<std::int64_t>(j, "extended");
  return out;
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

Node node_from_json(const json& j, FieldReader& r) {
  Node n;
  n.name = r.required<std::string>(j, "name");
  if (n.name.empty()) r.fail("name must not be empty");
  auto cap = j.find("capacity");
  if (cap == j.end()) r.fail("missing field capacity");
  if (cap != j.end()) n.capacity = resources_from_json(*cap, "capacity", r);
  n.max_pods = r.count(j, "max_pods", 110);
  n.labels = r.object_map<std::string>(j, "labels");
  for (const auto& t : r.objects(j, "taints")) {
    if (!t.is_object()) r.fail("taints must hold objects");
    if (r.failed()) break;
    n.taints.push_back({r.required<std::string>(t, "key"), r.optional<std::string>(t, "value", ""),
                        r.required<std::string>(t, "effect")});
  }
  n.gpu_count = r.small_count(j, "gpu_count", 1024);
  n.gpu_model = r.optional<std::string>(j, "gpu_model", "");
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

void check_gpu_share(const Pod& p, FieldReader& r) {
  if (p.gpu_milli > 1000) r.fail("gpu_milli above 1000");
  if (p.gpu_milli < 1000 && p.gpu_milli > 0 && p.num_gpu != 1)
    r.fail("gpu_milli below 1000 (a shared GPU) needs num_gpu 1");
  if ((p.num_gpu == 0) != (p.gpu_milli == 0))
    r.fail("num_gpu and gpu_milli are both zero or both positive");
}

Pod pod_from_json(const json& j, FieldReader& r) {
  Pod p;
  p.name = r.required<std::string>(j, "name");
  if (p.name.empty()) r.fail("name must not be empty");
  p.submit_ms = r.required_count(j, "submit_ms");
  if (j.contains("duration_ms")) p.duration_ms = r.required_count(j, "duration_ms");
  auto req = j.find("requests");
  if (req != j.end()) p.requests = resources_from_json(*req, "requests", r);
  auto lim = j.find("limits");
  if (lim != j.end()) p.limits = resources_from_json(*lim, "limits", r);
  p.num_gpu = r.small_count(j, "num_gpu", 1024);
  p.gpu_milli = r.small_count(j, "gpu_milli", 1000000);
  check_gpu_share(p, r);
  for (const auto& m : r.objects(j, "gpu_models"))
    p.gpu_models.push_back(r.as<std::string>(m, "gpu_models"));
  auto priority = r.optional<std::int64_t>(j, "priority", 0);
  if (priority < INT32_MIN || priority > INT32_MAX) r.fail("priority out of range");
  p.priority = static_cast<std::int32_t>(priority);
  p.owner_job = r.optional<std::string>(j, "owner_job", "");
  p.labels = r.object_map<std::string>(j, "labels");
  p.node_selector = r.object_map<std::string>(j, "node_selector");
  for (const auto& t : r.objects(j, "tolerations")) {
    if (!t.is_object()) r.fail("tolerations must hold objects");
    if (r.failed()) break;
    p.tolerations.push_back(
        {r.optional<std::string>(t, "key", ""), r.optional<std::string>(t, "operator", "Equal"),
         r.optional<std::string>(t, "value", ""), r.optional<std::string>(t, "effect", "")});
  }
  p.distinct_nodes_in_job = r.optional<bool>(j, "distinct_nodes_in_job", false);
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

NodeEvent event_from_json(const json& j, FieldReader& r) {
  NodeEvent e;
  e.time_ms = r.required_count(j, "time_ms");
  e.node = r.required<std::string>(j, "node");
  auto name = r.required<std::string>(j, "event");
  bool known = false;
  for (const auto& [type, text] : kEventNames)
    if (text == name) e.type = type, known = true;
  if (!known) r.fail("unknown event '" + name + "'");
  e.detail = r.optional<std::string>(j, "detail", "");
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
  FieldReader r;
  if (!j.is_object() || r.optional<std::string>(j, "kind", "") != "Workload")
    return Error{"malformed", "the first line is not a {\"kind\":\"Workload\"} header"};
  WorkloadHeader h;
  auto version = r.required<std::int64_t>(j, "version");
  if (!r.failed() && version != kWorkloadVersion)
    return Error{"unsupported_version", "workload version " + std::to_string(version) +
                                            " is not supported (this build reads version " +
                                            std::to_string(kWorkloadVersion) + ")"};
  h.source = r.optional<std::string>(j, "source", "");
  h.generator = r.optional<std::string>(j, "generator", "");
  for (const auto& f : r.objects(j, "files")) h.files.push_back(r.as<std::string>(f, "files"));
  h.parameters = r.object_map<std::string>(j, "parameters");
  if (r.failed()) return Error{"malformed", "Workload header: " + r.error()};
  return h;
}

Result<WorkloadRecord> record_from_json(const json& j) {
  if (!j.is_object()) return Error{"malformed", "a record must be a JSON object"};
  auto kind_it = j.find("kind");
  std::string kind = kind_it != j.end() && kind_it->is_string() ? kind_it->get<std::string>() : "";
  FieldReader r;
  WorkloadRecord record;
  if (kind == "Node")
    record = node_from_json(j, r);
  else if (kind == "Pod")
    record = pod_from_json(j, r);
  else if (kind == "NodeEvent")
    record = event_from_json(j, r);
  else
    return Error{"malformed", "unknown kind '" + kind + "' (Node, Pod or NodeEvent)"};
  if (r.failed()) return Error{"malformed", kind + ": " + r.error()};
  return record;
}

}  // namespace craton::workload
