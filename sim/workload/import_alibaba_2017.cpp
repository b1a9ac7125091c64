// import_alibaba_2017: tasks expanded to pods, machines and their events
// (import_alibaba_2017.hpp, docs/research.md).
#include "sim/workload/import_alibaba_2017.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "sim/workload/trace_csv.hpp"

namespace craton::workload {
namespace {

constexpr std::size_t kTaskFields = 8;
constexpr std::size_t kServerFields = 7;

// One batch_task row; its instances become pods when streamed.
struct Task {
  std::int64_t create_s, end_s, job, task, instances;
  std::string status;
  std::int64_t cpu_milli, memory_bytes;
};

Result<Task> parse_task(const std::vector<std::string_view>& f, const Alibaba2017Options& o) {
  if (f.size() != kTaskFields)
    return Error{"malformed", std::to_string(f.size()) + " fields, want 8"};
  auto create = parse_int(f[0]), end = parse_int(f[1]), job = parse_int(f[2]),
       task = parse_int(f[3]), instances = parse_int(f[4]);
  if (!create || !end || !job || !task) return Error{"malformed", "bad time, job id or task id"};
  if (!instances || *instances < 0 || *instances > o.instances_per_task_max)
    return Error{"malformed", "number of instances '" + std::string(f[4]) + "' outside 0.." +
                                  std::to_string(o.instances_per_task_max)};
  if (*end < *create) return Error{"malformed", "task ends before it is created"};
  std::string status(f[5]);
  static const char* const kStatuses[] = {"Terminated", "Waiting", "Running", "Failed"};
  if (std::find(std::begin(kStatuses), std::end(kStatuses), status) == std::end(kStatuses))
    return Error{"malformed", "unknown status '" + status + "'"};
  auto cpus = parse_int(f[6]);
  auto memory = parse_double(f[7]);
  if ((!f[6].empty() && (!cpus || *cpus < 0)) ||
      (!f[7].empty() && (!memory || *memory < 0 || *memory > 1)))
    return Error{"malformed", "bad CPU or memory request"};
  return Task{*create,
              *end,
              *job,
              *task,
              *instances,
              status,
              cpus.value_or(0) * 10,
              scaled(memory.value_or(0), o.machine.memory_bytes)};
}

// Expands sorted tasks into pods, one instance at a time (a task may have 10^4 instances).
class TaskExpansion {
 public:
  explicit TaskExpansion(const std::vector<Task>& tasks) : tasks_(tasks) {}
  std::optional<Pod> operator()() {
    while (next_task_ < tasks_.size() && next_instance_ == tasks_[next_task_].instances)
      ++next_task_, next_instance_ = 0;
    if (next_task_ == tasks_.size()) return std::nullopt;
    return pod_of(tasks_[next_task_], next_instance_++);
  }

 private:
  static Pod pod_of(const Task& t, std::int64_t instance) {
    Pod pod;
    pod.name = "a-" + std::to_string(t.job) + "-" + std::to_string(t.task) + "-" +
               std::to_string(instance);
    pod.submit_ms = std::max<std::int64_t>(t.create_s, 0) * 1000;
    // Times before the trace's start clamp to 0 (a task wholly before it lasts 0 ms).
    if (t.status != "Running")
      pod.duration_ms =
          (std::max<std::int64_t>(t.end_s, 0) - std::max<std::int64_t>(t.create_s, 0)) * 1000;
    pod.requests.cpu_milli = t.cpu_milli;
    pod.requests.memory_bytes = t.memory_bytes;
    pod.owner_job = std::to_string(t.job);
    pod.labels["alibaba.com/task"] = std::to_string(t.task);
    pod.labels["alibaba.com/status"] = t.status;
    return pod;
  }

  const std::vector<Task>& tasks_;
  std::size_t next_task_ = 0;
  std::int64_t next_instance_ = 0;
};

class AlibabaImport {
 public:
  explicit AlibabaImport(const Alibaba2017Options& o) : options_(o) {}
  Status read_tasks(const std::string& path);
  Status read_servers(const std::string& path);
  ImportReport report;
  std::vector<Task> tasks;
  std::vector<Node> nodes;
  std::vector<NodeEvent> events;

 private:
  Status server_row(const std::vector<std::string_view>& f, const std::string& path,
                    std::int64_t line);
  const Alibaba2017Options& options_;
  std::map<std::string, std::size_t> node_index_;
};

// The uploader added a header row to batch_task: a first line whose first field is no number.
bool is_header_row(const CsvRow& fields) {
  return !fields.empty() && !parse_int(fields[0]);
}

Status AlibabaImport::read_tasks(const std::string& path) {
  auto on_row = [&](const CsvRow& fields, std::int64_t line) {
    return report.keep(parse_task(fields, options_), tasks, options_.common, path, line);
  };
  return read_trace_rows(path, is_header_row, on_row, report);
}

Status AlibabaImport::read_servers(const std::string& path) {
  auto on_row = [&](const CsvRow& fields, std::int64_t line) {
    return server_row(fields, path, line);
  };
  return read_trace_rows(path, is_header_row, on_row, report);
}

Status AlibabaImport::server_row(const std::vector<std::string_view>& f, const std::string& path,
                                 std::int64_t line) {
  auto bad = [&](const std::string& why) {
    return report.malformed(options_.common, path, line, why);
  };
  if (f.size() != kServerFields) return bad(std::to_string(f.size()) + " fields, want 7");
  auto time = parse_int(f[0]), machine = parse_int(f[1]);
  if (!time || !machine) return bad("bad timestamp or machine id");
  std::string name = "m-" + std::to_string(*machine);
  std::string type(f[2]);
  NodeEvent event{std::max<std::int64_t>(*time, 0) * 1000, name, NodeEventType::add,
                  std::string(f[3])};
  auto known = node_index_.find(name);
  if (type == "add") {
    auto cpus = parse_int(f[4]);
    auto memory = parse_double(f[5]), disk = parse_double(f[6]);
    if (!cpus || *cpus <= 0 || !memory || *memory <= 0 || *memory > 1 || !disk || *disk < 0 ||
        *disk > 1)
      return bad("an add without a machine's CPUs, memory and disk");
    if (known == node_index_.end()) {
      Node node;
      node.name = name;
      node.capacity.cpu_milli = *cpus * 1000;
      node.capacity.memory_bytes = scaled(*memory, options_.machine.memory_bytes);
      node.capacity.ephemeral_storage_bytes =
          scaled(*disk, options_.machine.ephemeral_storage_bytes);
      node_index_[name] = nodes.size();
      nodes.push_back(std::move(node));
      if (event.time_ms == 0) return Ok{};  // present from the start: no event needed
    }
  } else if (known == node_index_.end()) {
    return bad("event for machine " + std::to_string(*machine) + " before it is added");
  } else if (type == "softerror" || type == "harderror" || type == "remove") {
    event.type = type == "softerror"   ? NodeEventType::soft_error
                 : type == "harderror" ? NodeEventType::hard_error
                                       : NodeEventType::remove;
  } else {
    return bad("unknown event type '" + type + "'");
  }
  events.push_back(std::move(event));
  return Ok{};
}

}  // namespace

Result<ImportReport> import_alibaba_2017(const std::vector<std::string>& files,
                                         const Alibaba2017Options& options, WorkloadSink& sink) {
  if (auto s = check_generated_nodes(options.nodes, options.machine, "alibaba-2017"); !s)
    return s.error();
  auto roles =
      sort_trace_files(files, {"batch_task", "server_event"}, {true, false}, "alibaba-2017");
  if (!roles) return roles.error();
  AlibabaImport import(options);
  for (const auto& f : roles->by_role[0])
    if (auto s = import.read_tasks(f); !s) return s.error();
  for (const auto& f : roles->by_role[1])
    if (auto s = import.read_servers(f); !s) return s.error();
  if (roles->by_role[1].empty()) import.nodes = uniform_nodes(options.nodes, options.machine);
  std::stable_sort(import.tasks.begin(), import.tasks.end(), [](const Task& a, const Task& b) {
    return std::max<std::int64_t>(a.create_s, 0) < std::max<std::int64_t>(b.create_s, 0);
  });
  sort_by_time(import.events);
  auto header = import_header("alibaba-2017", files, options.common);
  header.parameters.insert({{"machine_memory_bytes", std::to_string(options.machine.memory_bytes)},
                            {"machine_ephemeral_storage_bytes",
                             std::to_string(options.machine.ephemeral_storage_bytes)}});
  if (roles->by_role[1].empty()) {
    header.parameters["machine_cpu_milli"] = std::to_string(options.machine.cpu_milli);
    header.parameters["nodes"] = std::to_string(options.nodes);
  }
  TaskExpansion pods(import.tasks);
  auto status = stream_workload(sink, header, import.nodes, import.events, std::ref(pods),
                                options.common, import.report);
  if (!status) return status.error();
  return std::move(import.report);
}

}  // namespace craton::workload
