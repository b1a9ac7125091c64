// The research workload: what a simulated cluster is made of (nodes) and what is asked of it
// (pods arriving over time, node events), as typed records. One file holds one workload as JSON
// lines (workload_json.hpp, docs/research.md "Workload format"): a header, then every Node, then
// Pods and NodeEvents in non-decreasing time. Trace importers and the synthetic generator
// produce these records; the simulator and the research harness consume them.
//
// Units are in the field names: millicores, bytes, milliseconds since the workload's start.
// Nothing here knows a trace's own format or Kubernetes' object shapes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace craton::workload {

/// The format version this code reads and writes; a reader refuses any other.
inline constexpr int kWorkloadVersion = 1;

/// Line 1 of a workload file: where the records came from and how they were made.
struct WorkloadHeader {
  int version = kWorkloadVersion;
  std::string source;     ///< "google-2011", "alibaba-2017", "alibaba-gpu-2023", "synthetic"
  std::string generator;  ///< the tool that wrote it ("craton research import")
  std::vector<std::string> files;                 ///< input file names (base names), in order
  std::map<std::string, std::string> parameters;  ///< flags that shaped the records
};

/// Quantities of schedulable resources, Kubernetes' units.
struct Resources {
  std::int64_t cpu_milli = 0;
  std::int64_t memory_bytes = 0;
  std::int64_t ephemeral_storage_bytes = 0;
  std::map<std::string, std::int64_t> extended;  ///< e.g. "example.com/fpga": 2 (integers)
  friend bool operator==(const Resources&, const Resources&) = default;
};

/// A node taint, as Kubernetes' (effect NoSchedule, PreferNoSchedule or NoExecute).
struct Taint {
  std::string key;
  std::string value;
  std::string effect;
  friend bool operator==(const Taint&, const Taint&) = default;
};

/// A pod toleration, as Kubernetes' (operator Equal or Exists; empty effect = all effects).
struct Toleration {
  std::string key;
  std::string op = "Equal";
  std::string value;
  std::string effect;
  friend bool operator==(const Toleration&, const Toleration&) = default;
};

/// A machine. Present from time 0 unless its first NodeEvent is an "add".
struct Node {
  std::string name;
  Resources capacity;           ///< allocatable capacity (no system reservation subtracted)
  std::int64_t max_pods = 110;  ///< Kubernetes' default pod limit per node
  std::map<std::string, std::string> labels;
  std::vector<Taint> taints;
  std::int32_t gpu_count = 0;  ///< whole physical GPUs
  std::string gpu_model;       ///< e.g. "V100M16"; empty when gpu_count is 0
  friend bool operator==(const Node&, const Node&) = default;
};

/// A pod arriving at submit_ms and running for duration_ms once started.
struct Pod {
  std::string name;  ///< unique in the workload
  std::int64_t submit_ms = 0;
  std::optional<std::int64_t> duration_ms;  ///< absent: runs until the simulation ends
  Resources requests;
  std::optional<Resources> limits;  ///< absent: no limits given by the source
  /// GPUs as the Alibaba GPU trace means them: num_gpu devices, each used gpu_milli/1000 of
  /// (gpu_milli < 1000 only with num_gpu == 1: a share of one GPU; 1000 for whole GPUs).
  std::int32_t num_gpu = 0;
  std::int32_t gpu_milli = 0;
  std::vector<std::string> gpu_models;  ///< the GPU models it may run on; empty = any
  std::int32_t priority = 0;            ///< higher is more important (PriorityClass value)
  std::string owner_job;                ///< the job it belongs to; empty = none
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> node_selector;
  std::vector<Toleration> tolerations;
  bool distinct_nodes_in_job = false;  ///< no two pods of owner_job on one node
  friend bool operator==(const Pod&, const Pod&) = default;
};

enum class NodeEventType { add, remove, soft_error, hard_error };

/// Something that happened to a node at time_ms (a machine added, removed, or failing).
struct NodeEvent {
  std::int64_t time_ms = 0;
  std::string node;
  NodeEventType type = NodeEventType::add;
  std::string detail;  ///< the source's words, e.g. "machine_fail"; may be empty
  friend bool operator==(const NodeEvent&, const NodeEvent&) = default;
};

/// One line after the header.
using WorkloadRecord = std::variant<Node, Pod, NodeEvent>;

/// What a workload holds, and its content hash (workload_hash.hpp).
struct WorkloadSummary {
  std::int64_t nodes = 0;
  std::int64_t pods = 0;
  std::int64_t node_events = 0;
  std::string hash;  ///< "sha256:<64 hex>"
};

}  // namespace craton::workload
