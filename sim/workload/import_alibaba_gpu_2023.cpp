// import_alibaba_gpu_2023: openb nodes and pods (import_alibaba_gpu_2023.hpp, docs/research.md).
#include "sim/workload/import_alibaba_gpu_2023.hpp"

#include <set>

#include "sim/workload/trace_csv.hpp"
#include "sim/workload/workload_stream.hpp"

namespace craton::workload {
namespace {

constexpr std::size_t kNodeFields = 5;
constexpr std::size_t kPodFields = 11;
constexpr std::int64_t kMiB = 1 << 20;
constexpr std::int64_t kGpusPerNodeMax = 1024;

bool is_header_row(const CsvRow& f, std::string_view first) {
  return !f.empty() && f[0] == first;
}

Result<Node> parse_node(const std::vector<std::string_view>& f) {
  if (f.size() != kNodeFields)
    return Error{"malformed", std::to_string(f.size()) + " fields, want 5"};
  auto cpu = parse_int(f[1]), memory = parse_int(f[2]), gpus = parse_int(f[3]);
  if (f[0].empty()) return Error{"malformed", "empty node name"};
  if (!cpu || *cpu <= 0 || !memory || *memory <= 0)
    return Error{"malformed", "bad cpu_milli or memory_mib"};
  if (!gpus || *gpus < 0 || *gpus > kGpusPerNodeMax) return Error{"malformed", "bad gpu count"};
  if (*gpus > 0 && f[4].empty()) return Error{"malformed", "GPUs without a model"};
  Node node;
  node.name = std::string(f[0]);
  node.capacity.cpu_milli = *cpu;
  node.capacity.memory_bytes = *memory * kMiB;
  node.gpu_count = static_cast<std::int32_t>(*gpus);
  node.gpu_model = std::string(f[4]);
  if (!node.gpu_model.empty()) node.labels[kGpuModelLabel] = node.gpu_model;
  return node;
}

std::vector<std::string> split_models(std::string_view spec) {
  std::vector<std::string> models;
  while (!spec.empty()) {
    auto bar = spec.find('|');
    if (bar != 0) models.emplace_back(spec.substr(0, bar));
    if (bar == std::string_view::npos) break;
    spec.remove_prefix(bar + 1);
  }
  return models;
}

Status check_gpus(std::int64_t num_gpu, std::int64_t gpu_milli) {
  if (num_gpu < 0 || num_gpu > kGpusPerNodeMax || gpu_milli < 0 || gpu_milli > 1000)
    return Error{"malformed", "num_gpu or gpu_milli out of range"};
  if ((num_gpu == 0) != (gpu_milli == 0))
    return Error{"malformed", "num_gpu and gpu_milli must be both zero or both positive"};
  if (gpu_milli < 1000 && num_gpu > 1)
    return Error{"malformed", "a GPU share (gpu_milli < 1000) with more than one GPU"};
  return Ok{};
}

Result<Pod> parse_pod(const std::vector<std::string_view>& f) {
  if (f.size() != kPodFields)
    return Error{"malformed", std::to_string(f.size()) + " fields, want 11"};
  auto cpu = parse_int(f[1]), memory = parse_int(f[2]), num_gpu = parse_int(f[3]),
       gpu_milli = parse_int(f[4]), created = parse_int(f[8]);
  auto deleted = parse_int(f[9]), scheduled = parse_int(f[10]);
  auto priority = priority_of_qos(f[6]);
  if (f[0].empty()) return Error{"malformed", "empty pod name"};
  if (!cpu || *cpu < 0 || !memory || *memory < 0)
    return Error{"malformed", "bad cpu_milli or memory_mib"};
  if (!num_gpu || !gpu_milli) return Error{"malformed", "bad num_gpu or gpu_milli"};
  if (auto s = check_gpus(*num_gpu, *gpu_milli); !s) return s.error();
  if (!priority) return Error{"malformed", "unknown qos '" + std::string(f[6]) + "'"};
  if (!created || *created < 0) return Error{"malformed", "bad creation_time"};
  if ((!f[9].empty() && (!deleted || *deleted < *created)) ||
      (!f[10].empty() &&
       (!scheduled || *scheduled < *created || (deleted && *scheduled > *deleted))))
    return Error{"malformed", "deletion or scheduled time out of order"};
  Pod pod;
  pod.name = std::string(f[0]);
  pod.submit_ms = *created * 1000;
  if (deleted) pod.duration_ms = (*deleted - scheduled.value_or(*created)) * 1000;
  pod.requests.cpu_milli = *cpu;
  pod.requests.memory_bytes = *memory * kMiB;
  pod.num_gpu = static_cast<std::int32_t>(*num_gpu);
  pod.gpu_milli = static_cast<std::int32_t>(*gpu_milli);
  pod.gpu_models = split_models(f[5]);
  pod.priority = *priority;
  pod.labels["alibaba.com/qos"] = std::string(f[6]);
  if (!f[7].empty()) pod.labels["alibaba.com/pod-phase"] = std::string(f[7]);
  return pod;
}

// Reads one of the trace's CSV files (a header row starting with `first_column`) into `out`.
template <class T>
Status read_rows(const std::string& path, std::string_view first_column,
                 Result<T> (*parse)(const CsvRow&), const ImportOptions& options,
                 ImportReport& report, std::vector<T>& out) {
  auto is_header = [&](const CsvRow& fields) { return is_header_row(fields, first_column); };
  auto on_row = [&](const CsvRow& fields, std::int64_t line) {
    return report.keep(parse(fields), out, options, path, line);
  };
  return read_trace_rows(path, is_header, on_row, report);
}

}  // namespace

std::optional<std::int32_t> priority_of_qos(std::string_view qos) {
  if (qos == "BE") return 0;
  if (qos == "Burstable") return 1000;
  if (qos == "LS") return 2000;
  if (qos == "Guaranteed") return 3000;
  return std::nullopt;
}

Result<ImportReport> import_alibaba_gpu_2023(const std::vector<std::string>& files,
                                             const AlibabaGpu2023Options& options,
                                             WorkloadSink& sink) {
  auto roles = sort_trace_files(files, {"node_list", "pod_list"}, {true, true}, "alibaba-gpu-2023");
  if (!roles) return roles.error();
  ImportReport report;
  std::vector<Node> nodes;
  std::vector<Pod> pods;
  for (const auto& f : roles->by_role[0])
    if (auto s = read_rows(f, "sn", parse_node, options.common, report, nodes); !s)
      return s.error();
  for (const auto& f : roles->by_role[1])
    if (auto s = read_rows(f, "name", parse_pod, options.common, report, pods); !s)
      return s.error();
  std::set<std::string> names;
  for (const auto& n : nodes)
    if (!names.insert(n.name).second)
      return Error{"malformed", "alibaba-gpu-2023: node " + n.name + " listed twice"};
  sort_by_submit_time(pods);
  auto header = import_header("alibaba-gpu-2023", files, options.common);
  auto status = stream_workload(sink, header, nodes, {}, pods_from(pods), options.common, report);
  if (!status) return status.error();
  return report;
}

}  // namespace craton::workload
