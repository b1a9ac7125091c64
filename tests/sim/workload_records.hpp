// Test helpers for sim/workload: a sink that keeps or counts what an importer produces, and
// temporary files that remove themselves.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "sim/workload/workload_sink.hpp"

namespace craton::workload::testing {

/// Keeps the header, all nodes and events, and the first `pods_kept` pods; counts every pod.
class MemorySink final : public WorkloadSink {
 public:
  explicit MemorySink(std::size_t pods_kept = SIZE_MAX) : pods_kept_(pods_kept) {}
  Status header(const WorkloadHeader& h) override {
    header_ = h;
    return Ok{};
  }
  Status add(const WorkloadRecord& record) override {
    if (auto s = order_.check(record); !s) return s;
    if (auto* n = std::get_if<Node>(&record)) nodes.push_back(*n);
    if (auto* e = std::get_if<NodeEvent>(&record)) events.push_back(*e);
    if (auto* p = std::get_if<Pod>(&record); p && pods.size() < pods_kept_) pods.push_back(*p);
    return Ok{};
  }
  const Pod* pod(const std::string& name) const {
    for (const auto& p : pods)
      if (p.name == name) return &p;
    return nullptr;
  }
  std::int64_t pod_count() const { return order_.counts().pods; }

  WorkloadHeader header_;
  std::vector<Node> nodes;
  std::vector<Pod> pods;
  std::vector<NodeEvent> events;

 private:
  std::size_t pods_kept_;
  WorkloadOrder order_;
};

/// A fresh directory under the system's temporary one, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("craton-workload-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// The error message of a Result, or "" when it holds a value (for BOOST_REQUIRE_MESSAGE, which
/// evaluates its message even when the check passes).
template <class R>
std::string error_text(const R& result) {
  return result.ok() ? std::string() : result.error().message;
}

inline std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_all(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace craton::workload::testing
