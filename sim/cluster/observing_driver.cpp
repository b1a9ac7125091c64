// ObservingDriver: the inner driver's calls, then a listing compared with the last (see the
// header).
#include "sim/cluster/observing_driver.hpp"

namespace craton::sim {

ObservingDriver::ObservingDriver(std::shared_ptr<agent::PodDriver> inner,
                                 std::function<void(ContainerEvent)> report,
                                 ObservingDriverConfig config)
    : ForwardingDriver(std::move(inner)), report_(std::move(report)), config_(config) {}

void ObservingDriver::compare(const std::vector<agent::PodRecord>& records) {
  std::map<AttemptKey, std::string> now;
  for (const auto& pod : records)
    for (const auto& c : pod.containers)
      if (c.state == agent::ContainerState::running)
        now[{c.pod_uid, c.name, c.attempt}] = pod.pod_namespace + "/" + pod.pod_name;
  auto event = [](ContainerEvent::Kind kind, const AttemptKey& key, const std::string& pod) {
    return ContainerEvent{kind, std::get<0>(key), pod, std::get<1>(key), std::get<2>(key)};
  };
  for (const auto& [key, pod] : running_)
    if (!now.count(key)) report_(event(ContainerEvent::Kind::stop, key, pod));
  for (const auto& [key, pod] : now)
    if (!running_.count(key)) report_(event(ContainerEvent::Kind::start, key, pod));
  running_ = std::move(now);
}

Result<agent::SandboxStatus> ObservingDriver::start_sandbox(const agent::SandboxSpec& spec) {
  auto out = inner_->start_sandbox(spec);
  look();
  return out;
}

Status ObservingDriver::remove_sandbox(const std::string& pod_uid) {
  if (config_.ignore_stops) return Ok{};
  auto out = inner_->remove_sandbox(pod_uid);
  look();
  return out;
}

Result<agent::ContainerStatus> ObservingDriver::start_container(const std::string& pod_uid,
                                                                const agent::ContainerSpec& spec,
                                                                int attempt) {
  auto out = inner_->start_container(pod_uid, spec, attempt);
  look();
  return out;
}

Status ObservingDriver::signal_container(const std::string& pod_uid, const std::string& name,
                                         int signal) {
  if (config_.ignore_stops) return Ok{};
  auto out = inner_->signal_container(pod_uid, name, signal);
  look();
  return out;
}

Status ObservingDriver::remove_container(const std::string& pod_uid, const std::string& name,
                                         int attempt) {
  if (config_.ignore_stops) return Ok{};
  auto out = inner_->remove_container(pod_uid, name, attempt);
  look();
  return out;
}

std::vector<agent::PodRecord> ObservingDriver::list() {
  auto records = inner_->list();
  compare(records);
  return records;
}

}  // namespace craton::sim
