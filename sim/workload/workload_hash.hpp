// WorkloadHasher: a workload's content hash, so a research run can record exactly what it ran.
// SHA-256 (OpenSSL, through the image store's Sha256Hasher) over "craton-workload-v1\n" and
// then each record's canonical line (workload_json.hpp) and a newline, in file order. The header
// is left out: the same records imported with another tool version or file path hash the same.
#pragma once

#include <string>

#include "sim/workload/workload.hpp"
#include "storage/images/sha256_digest.hpp"

namespace craton::workload {

class WorkloadHasher {
 public:
  WorkloadHasher();
  /// Adds one record's canonical line (as written: the caller passes what it printed).
  void add_line(std::string_view canonical);
  /// "sha256:<64 hex>"; call once.
  std::string finish() { return sha_.finish(); }

 private:
  images::Sha256Hasher sha_;
};

/// Reads a whole workload file (streaming) and returns its counts and hash, or the first error.
Result<WorkloadSummary> summarize_workload_file(const std::string& path);

}  // namespace craton::workload
