// The Google cluster-data 2011 importer (clusterdata-2011-2): task_events and job_events, gzip
// or plain CSV, any number of parts. Each episode of a task from SUBMIT to its first FINISH,
// FAIL, KILL, EVICT or LOST becomes one pod; resources are normalised in the trace (the
// largest machine = 1.0) and scaled to `machine`; the trace has no machine capacities here, so
// the nodes are `nodes` copies of `machine`. The mapping and what is lost: docs/research.md.
#pragma once

#include <string>
#include <vector>

#include "sim/workload/import_report.hpp"
#include "sim/workload/workload_sink.hpp"
#include "sim/workload/workload_stream.hpp"

namespace craton::workload {

struct Google2011Options {
  ImportOptions common;
  MachineSize machine{32000, 128LL << 30, 1LL << 40};  ///< what 1.0 means
  std::int64_t nodes = 1000;
};

/// Reads the files (names must contain "task_events" or "job_events"; task_events required) and
/// hands the workload to `sink`. An error for unreadable files, bad usage, or (strict) the first
/// malformed row.
Result<ImportReport> import_google_2011(const std::vector<std::string>& files,
                                        const Google2011Options& options, WorkloadSink& sink);

}  // namespace craton::workload
