// stream_workload and the small pieces importers share (workload_stream.hpp).
#include "sim/workload/workload_stream.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace craton::workload {

PodSource pods_from(std::vector<Pod>& pods) {
  return [&pods, next = std::size_t{0}]() mutable -> std::optional<Pod> {
    if (next == pods.size()) return std::nullopt;
    return std::move(pods[next++]);
  };
}

void sort_by_submit_time(std::vector<Pod>& pods) {
  std::stable_sort(pods.begin(), pods.end(),
                   [](const Pod& a, const Pod& b) { return a.submit_ms < b.submit_ms; });
}

void sort_by_time(std::vector<NodeEvent>& events) {
  std::stable_sort(events.begin(), events.end(),
                   [](const NodeEvent& a, const NodeEvent& b) { return a.time_ms < b.time_ms; });
}

Status stream_workload(WorkloadSink& sink, const WorkloadHeader& header,
                       const std::vector<Node>& nodes, const std::vector<NodeEvent>& events,
                       const PodSource& pods, const ImportOptions& options, ImportReport& report) {
  if (auto s = sink.header(header); !s) return s;
  for (const auto& node : nodes)
    if (auto s = sink.add(node); !s) return s;
  std::size_t next_event = 0;
  std::int64_t kept = 0;
  for (auto pod = pods(); pod; pod = pods()) {
    if (options.max_pods > 0 && kept == options.max_pods) {
      report.pods_cut = true;
      break;
    }
    for (; next_event < events.size() && events[next_event].time_ms <= pod->submit_ms; ++next_event)
      if (auto s = sink.add(events[next_event]); !s) return s;
    if (auto s = sink.add(std::move(*pod)); !s) return s;
    ++kept;
  }
  for (; next_event < events.size(); ++next_event)
    if (auto s = sink.add(events[next_event]); !s) return s;
  return Ok{};
}

Status check_generated_nodes(std::int64_t nodes, const MachineSize& machine,
                             std::string_view format) {
  if (nodes >= 1 && machine.cpu_milli >= 1 && machine.memory_bytes >= 1) return Ok{};
  return Error{"usage", std::string(format) +
                            ": --nodes, --machine-cpu and --machine-memory-mib must be positive"};
}

std::vector<Node> uniform_nodes(std::int64_t count, const MachineSize& size) {
  std::vector<Node> nodes(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "node-%05lld", static_cast<long long>(i));
    auto& n = nodes[static_cast<std::size_t>(i)];
    n.name = name;
    n.capacity.cpu_milli = size.cpu_milli;
    n.capacity.memory_bytes = size.memory_bytes;
    n.capacity.ephemeral_storage_bytes = size.ephemeral_storage_bytes;
  }
  return nodes;
}

std::int64_t scaled(double fraction, std::int64_t whole) {
  return std::llround(fraction * static_cast<double>(whole));
}

Result<TraceFileRoles> sort_trace_files(const std::vector<std::string>& files,
                                        const std::vector<std::string>& roles,
                                        const std::vector<bool>& required,
                                        const std::string& format) {
  TraceFileRoles out;
  out.by_role.resize(roles.size());
  for (const auto& file : files) {
    auto role = std::find_if(roles.begin(), roles.end(), [&](const std::string& r) {
      return file.find(r) != std::string::npos;
    });
    if (role == roles.end()) {
      std::string names;
      for (const auto& r : roles) names += (names.empty() ? "" : ", ") + r;
      return Error{"usage", format + ": " + file + " is none of the trace's files (" + names +
                                ": the name must contain one)"};
    }
    out.by_role[static_cast<std::size_t>(role - roles.begin())].push_back(file);
  }
  for (std::size_t i = 0; i < roles.size(); ++i) {
    std::sort(out.by_role[i].begin(), out.by_role[i].end());
    if (required[i] && out.by_role[i].empty())
      return Error{"usage", format + ": no " + roles[i] + " file given"};
  }
  return out;
}

WorkloadHeader import_header(std::string source, const std::vector<std::string>& files,
                             const ImportOptions& options) {
  WorkloadHeader header;
  header.source = std::move(source);
  header.generator = "craton research import";
  for (const auto& f : files) header.files.push_back(std::filesystem::path(f).filename().string());
  header.parameters = {{"max_pods", std::to_string(options.max_pods)}};
  return header;
}

}  // namespace craton::workload
