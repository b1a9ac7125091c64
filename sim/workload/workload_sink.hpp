// WorkloadSink: where producers of a workload (trace importers, the synthetic generator) put
// records, in file order: the header once, then every Node, then Pods and NodeEvents in
// non-decreasing time. WorkloadWriter writes them to a file; tests count them in memory.
#pragma once

#include <set>
#include <string>

#include "runtime/result.hpp"
#include "sim/workload/workload.hpp"

namespace craton::workload {

class WorkloadSink {
 public:
  virtual ~WorkloadSink() = default;
  virtual Status header(const WorkloadHeader& header) = 0;
  virtual Status add(const WorkloadRecord& record) = 0;
};

/// The file order's rules, shared by the writer and the reader: a Node after a Pod or NodeEvent,
/// a time earlier than the one before, a duplicate node, or an event about an unknown node is
/// an error naming the record.
class WorkloadOrder {
 public:
  Status check(const WorkloadRecord& record);
  const WorkloadSummary& counts() const { return counts_; }

 private:
  bool past_nodes_ = false;
  std::int64_t last_time_ms_ = 0;
  std::set<std::string> node_names_;  // for the duplicate and event checks
  WorkloadSummary counts_;
};

}  // namespace craton::workload
