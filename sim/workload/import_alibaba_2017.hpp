// The Alibaba cluster-trace-v2017 importer: batch_task (each task's instances become pods) and
// server_event (machines, and their add / error / remove events). CPUs are in 1/100 core in
// batch_task and in cores in server_event; memory and disk are normalised (the largest machine
// = 1.0) and scaled to `machine`. Without a server_event file the nodes are `nodes` copies of
// `machine`. The mapping and what is lost: docs/research.md.
#pragma once

#include <string>
#include <vector>

#include "sim/workload/import_report.hpp"
#include "sim/workload/workload_sink.hpp"
#include "sim/workload/workload_stream.hpp"

namespace craton::workload {

struct Alibaba2017Options {
  ImportOptions common;
  MachineSize machine{64000, 256LL << 30, 1LL << 40};  ///< what 1.0 means (CPU: generated nodes)
  std::int64_t nodes = 1300;                           ///< only without server_event
  std::int64_t instances_per_task_max = 100000;        ///< a row asking more is malformed
};

/// Reads the files (names must contain "batch_task" or "server_event"; batch_task required).
Result<ImportReport> import_alibaba_2017(const std::vector<std::string>& files,
                                         const Alibaba2017Options& options, WorkloadSink& sink);

}  // namespace craton::workload
