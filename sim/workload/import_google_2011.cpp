// import_google_2011: task episodes to pods (import_google_2011.hpp, docs/research.md).
#include "sim/workload/import_google_2011.hpp"

#include <map>
#include <set>

#include "sim/workload/trace_csv.hpp"

namespace craton::workload {
namespace {

// The trace's window starts 600 s after its time origin; timestamp 0 means "before the window".
constexpr std::int64_t kWindowStartUs = 600'000'000;
constexpr std::size_t kTaskEventFields = 13;
constexpr std::size_t kJobEventFields = 8;
enum TaskEvent { kSubmit = 0, kSchedule = 1, kEvict = 2, kLost = 6, kUpdateRunning = 8 };

std::int64_t window_ms(std::int64_t timestamp_us) {
  return timestamp_us <= kWindowStartUs ? 0 : (timestamp_us - kWindowStartUs) / 1000;
}

// A task's current episode, from SUBMIT until it ends.
struct Episode {
  bool open = false;
  int attempts = 0;
  std::int64_t submit_ms = 0;
  std::optional<std::int64_t> schedule_ms;
  double cpu = 0, memory = 0, disk = 0;
  std::int32_t priority = 0;
  std::int64_t scheduling_class = 0;
  bool distinct_machines = false;
};

struct TaskRow {
  std::int64_t time_ms, job, index, type;
  std::optional<std::int64_t> scheduling_class, priority, distinct;
  std::optional<double> cpu, memory, disk;
};

// Parses a task_events row; an error message for the report when malformed.
Result<TaskRow> parse_task_row(const std::vector<std::string_view>& f) {
  if (f.size() != kTaskEventFields)
    return Error{"malformed", std::to_string(f.size()) + " fields, want 13"};
  auto time = parse_int(f[0]), job = parse_int(f[2]), index = parse_int(f[3]),
       type = parse_int(f[5]);
  if (!time || *time < 0) return Error{"malformed", "bad timestamp '" + std::string(f[0]) + "'"};
  if (!job || !index) return Error{"malformed", "bad job id or task index"};
  if (!type || *type < kSubmit || *type > kUpdateRunning)
    return Error{"malformed", "bad event type '" + std::string(f[5]) + "'"};
  TaskRow row{window_ms(*time),
              *job,
              *index,
              *type,
              parse_int(f[7]),
              parse_int(f[8]),
              parse_int(f[12]),
              parse_double(f[9]),
              parse_double(f[10]),
              parse_double(f[11])};
  for (auto v : {row.cpu, row.memory, row.disk})
    if (v && (*v < 0 || *v > 1)) return Error{"malformed", "normalised request outside [0, 1]"};
  for (std::size_t i : {7, 8, 9, 10, 11, 12})
    if (!f[i].empty() &&
        !(i >= 9 && i <= 11 ? parse_double(f[i]).has_value() : parse_int(f[i]).has_value()))
      return Error{"malformed", "field " + std::to_string(i + 1) + " '" + std::string(f[i]) +
                                    "' is not a number"};
  if (row.priority && (*row.priority < 0 || *row.priority > 11))
    return Error{"malformed", "priority outside 0..11"};
  return row;
}

class GoogleImport {
 public:
  GoogleImport(const Google2011Options& options) : options_(options) {}

  Status read_tasks(const std::string& path);
  Status read_jobs(const std::string& path);
  void close_open_tasks();
  ImportReport& report() { return report_; }
  std::vector<Pod>& pods() { return pods_; }

 private:
  void apply(const TaskRow& row);
  void emit(std::int64_t job, std::int64_t index, Episode& e, std::optional<std::int64_t> end);

  const Google2011Options& options_;
  ImportReport report_;
  std::map<std::pair<std::int64_t, std::int64_t>, Episode> tasks_;
  std::vector<Pod> pods_;
};

Status GoogleImport::read_tasks(const std::string& path) {
  auto on_row = [&](const CsvRow& fields, std::int64_t line) -> Status {
    auto parsed = parse_task_row(fields);
    if (!parsed) return report_.malformed(options_.common, path, line, parsed.error().message);
    apply(*parsed);
    return Ok{};
  };
  return read_trace_rows(path, nullptr, on_row, report_);
}

void GoogleImport::apply(const TaskRow& row) {
  auto& e = tasks_[{row.job, row.index}];
  if (row.type == kSubmit && !e.open) {
    e.open = true;
    e.submit_ms = row.time_ms;
    e.schedule_ms.reset();
  }
  if (!e.open) return;  // an end or update of an episode that began before these files
  if (row.cpu) e.cpu = *row.cpu;
  if (row.memory) e.memory = *row.memory;
  if (row.disk) e.disk = *row.disk;
  if (row.priority) e.priority = static_cast<std::int32_t>(*row.priority);
  if (row.scheduling_class) e.scheduling_class = *row.scheduling_class;
  if (row.distinct) e.distinct_machines = *row.distinct == 1;
  if (row.type == kSchedule && !e.schedule_ms) e.schedule_ms = row.time_ms;
  if (row.type >= kEvict && row.type <= kLost) emit(row.job, row.index, e, row.time_ms);
}

void GoogleImport::emit(std::int64_t job, std::int64_t index, Episode& e,
                        std::optional<std::int64_t> end) {
  Pod pod;
  pod.name = "g-" + std::to_string(job) + "-" + std::to_string(index);
  if (e.attempts > 0) pod.name += "-" + std::to_string(e.attempts);
  pod.submit_ms = e.submit_ms;
  if (end) pod.duration_ms = *end - e.schedule_ms.value_or(e.submit_ms);
  const auto& m = options_.machine;
  pod.requests.cpu_milli = scaled(e.cpu, m.cpu_milli);
  pod.requests.memory_bytes = scaled(e.memory, m.memory_bytes);
  pod.requests.ephemeral_storage_bytes = scaled(e.disk, m.ephemeral_storage_bytes);
  pod.priority = e.priority;
  pod.owner_job = std::to_string(job);
  pod.labels["google.com/scheduling-class"] = std::to_string(e.scheduling_class);
  pod.distinct_nodes_in_job = e.distinct_machines;
  pods_.push_back(std::move(pod));
  e.open = false;
  ++e.attempts;
}

void GoogleImport::close_open_tasks() {
  for (auto& [key, e] : tasks_)
    if (e.open) emit(key.first, key.second, e, std::nullopt);
}

// Job events are only checked: every task event already names its job.
Status GoogleImport::read_jobs(const std::string& path) {
  auto on_row = [&](const CsvRow& f, std::int64_t line) -> Status {
    if (f.size() != kJobEventFields)
      return report_.malformed(options_.common, path, line,
                               std::to_string(f.size()) + " fields, want 8");
    if (!parse_int(f[0]) || !parse_int(f[2]) || !parse_int(f[3]))
      return report_.malformed(options_.common, path, line, "bad timestamp, job id or event type");
    return Ok{};
  };
  return read_trace_rows(path, nullptr, on_row, report_);
}

}  // namespace

Result<ImportReport> import_google_2011(const std::vector<std::string>& files,
                                        const Google2011Options& options, WorkloadSink& sink) {
  if (auto s = check_generated_nodes(options.nodes, options.machine, "google-2011"); !s)
    return s.error();
  auto roles = sort_trace_files(files, {"task_events", "job_events"}, {true, false}, "google-2011");
  if (!roles) return roles.error();
  GoogleImport import(options);
  for (const auto& f : roles->by_role[1])
    if (auto s = import.read_jobs(f); !s) return s.error();
  for (const auto& f : roles->by_role[0])
    if (auto s = import.read_tasks(f); !s) return s.error();
  import.close_open_tasks();
  sort_by_submit_time(import.pods());
  auto header = import_header("google-2011", files, options.common);
  header.parameters.insert(
      {{"machine_cpu_milli", std::to_string(options.machine.cpu_milli)},
       {"machine_memory_bytes", std::to_string(options.machine.memory_bytes)},
       {"machine_ephemeral_storage_bytes", std::to_string(options.machine.ephemeral_storage_bytes)},
       {"nodes", std::to_string(options.nodes)}});
  auto status = stream_workload(sink, header, uniform_nodes(options.nodes, options.machine), {},
                                pods_from(import.pods()), options.common, import.report());
  if (!status) return status.error();
  return std::move(import.report());
}

}  // namespace craton::workload
