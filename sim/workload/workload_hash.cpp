// WorkloadHasher and summarize_workload_file (workload_hash.hpp).
#include "sim/workload/workload_hash.hpp"

#include "sim/workload/workload_json.hpp"
#include "sim/workload/workload_reader.hpp"

namespace craton::workload {

WorkloadHasher::WorkloadHasher() {
  static constexpr std::string_view kDomain = "craton-workload-v1\n";
  sha_.update(kDomain.data(), kDomain.size());
}

void WorkloadHasher::add_line(std::string_view canonical) {
  sha_.update(canonical.data(), canonical.size());
  sha_.update("\n", 1);
}

Result<WorkloadSummary> summarize_workload_file(const std::string& path) {
  auto reader = WorkloadReader::open(path);
  if (!reader) return reader.error();
  WorkloadHasher hasher;
  for (;;) {
    auto record = (*reader)->next();
    if (!record) return record.error();
    if (!*record) break;
    hasher.add_line(canonical_line(**record));
  }
  WorkloadSummary summary = (*reader)->counts();
  summary.hash = hasher.finish();
  return summary;
}

}  // namespace craton::workload
