// ForwardingDriver: a PodDriver that hands every call to another one. The base of drivers
// that watch or time the calls of a real one (the pod start bench's DriverTimings, the
// simulator's ObservingDriver): they override what they look at and inherit the rest, so a
// call added to PodDriver is forwarded everywhere by one edit here. Thread safety is the
// inner driver's.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "actors/agent/driver/pod_driver.hpp"

namespace craton::agent {

class ForwardingDriver : public PodDriver {
 public:
  explicit ForwardingDriver(std::shared_ptr<PodDriver> inner) : inner_(std::move(inner)) {}

  Result<SandboxStatus> start_sandbox(const SandboxSpec& spec) override {
    return inner_->start_sandbox(spec);
  }
  Status remove_sandbox(const std::string& pod_uid) override {
    return inner_->remove_sandbox(pod_uid);
  }
  Result<ContainerStatus> start_container(const std::string& pod_uid, const ContainerSpec& spec,
                                          int attempt) override {
    return inner_->start_container(pod_uid, spec, attempt);
  }
  Status signal_container(const std::string& pod_uid, const std::string& name,
                          int signal) override {
    return inner_->signal_container(pod_uid, name, signal);
  }
  Status remove_container(const std::string& pod_uid, const std::string& name,
                          int attempt) override {
    return inner_->remove_container(pod_uid, name, attempt);
  }
  std::vector<PodRecord> list() override { return inner_->list(); }
  Result<ExecResult> exec(const std::string& pod_uid, const std::string& name,
                          const std::vector<std::string>& argv, std::int64_t timeout_ms) override {
    return inner_->exec(pod_uid, name, argv, timeout_ms);
  }
  ProbeOutcome probe_http(const HttpProbe& probe) override { return inner_->probe_http(probe); }
  ProbeOutcome probe_tcp(const TcpProbe& probe) override { return inner_->probe_tcp(probe); }
  Result<LogChunk> read_log(const std::string& pod_uid, const std::string& name,
                            const LogQuery& query) override {
    return inner_->read_log(pod_uid, name, query);
  }

 protected:
  const std::shared_ptr<PodDriver> inner_;
};

}  // namespace craton::agent
