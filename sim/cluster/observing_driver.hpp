// ObservingDriver: a PodDriver around another (the simulator's FakeDriver) that reports to the
// observation sink every container attempt it sees begin or cease to run (ContainerEvent), so
// the cluster checker knows what each simulated node really runs, not only what the API says.
//
// After every call that may change what runs (sandbox and container starts, signals, removals,
// list) it lists the inner driver and compares the running attempts with the last listing:
// new ones are reported as started, vanished or exited ones as stopped. The agent lists its
// driver every second, so a container that exits by itself is reported within about a second.
//
// Test-only seam: with ignore_stops, signals and removals answer ok and do nothing -- a node
// that keeps running what its agent was told to stop, which the checker must catch.
//
// Not thread-safe beyond what the inner driver promises: the simulator calls it from the agent
// actor only (JobRunner workers = 0).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "actors/agent/driver/forwarding_driver.hpp"
#include "sim/world/observation.hpp"

namespace craton::sim {

struct ObservingDriverConfig {
  bool ignore_stops = false;  ///< test only (see the header)
};

class ObservingDriver final : public agent::ForwardingDriver {
 public:
  ObservingDriver(std::shared_ptr<agent::PodDriver> inner,
                  std::function<void(ContainerEvent)> report, ObservingDriverConfig config = {});

  Result<agent::SandboxStatus> start_sandbox(const agent::SandboxSpec& spec) override;
  Status remove_sandbox(const std::string& pod_uid) override;
  Result<agent::ContainerStatus> start_container(const std::string& pod_uid,
                                                 const agent::ContainerSpec& spec,
                                                 int attempt) override;
  Status signal_container(const std::string& pod_uid, const std::string& name, int signal) override;
  Status remove_container(const std::string& pod_uid, const std::string& name,
                          int attempt) override;
  std::vector<agent::PodRecord> list() override;

 private:
  /// Reports the difference between `records` and the last listing.
  void compare(const std::vector<agent::PodRecord>& records);
  void look() { compare(inner_->list()); }

  using AttemptKey = std::tuple<std::string, std::string, int>;  // uid, container, attempt
  std::function<void(ContainerEvent)> report_;
  ObservingDriverConfig config_;
  std::map<AttemptKey, std::string> running_;  ///< -> namespace/name
};

}  // namespace craton::sim
