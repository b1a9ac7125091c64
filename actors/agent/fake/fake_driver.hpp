// FakeDriver: the simulator's PodDriver. It runs nothing: each container is a record whose
// life follows its command line and a script the test or simulation writes. Never blocks;
// its clock is injected, so a simulated minute costs nothing. Safe to call from several
// threads (one mutex), as the agent's shell may.
//
// Behaviour by the container's command and args joined (command first, as Kubernetes would
// run them; the image's entrypoint is not known here):
//   sleep N     runs N seconds (N.F: fractional, to the millisecond), then exits 0 ("Completed")
//   exit N      exits N at once ("Completed" for 0, else "Error")
//   crash       start_container fails with start_failed (the entrypoint cannot run)
//   hang        runs until SIGKILL: ignores SIGTERM
//   anything else, or nothing, runs until signalled
// SIGTERM ends a container with 143, SIGKILL with 137 (reason "Error"). Exec (probes, hooks)
// answers exit 0 in a running container, network probes succeed for a pod with a running
// container; the script below changes any of it. Every image exists unless scripted missing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "actors/agent/driver/pod_driver.hpp"

namespace craton::agent {

class FakeDriver : public PodDriver {
 public:
  /// `now` is wall-clock milliseconds (the simulator's clock).
  explicit FakeDriver(std::function<std::int64_t()> now, std::string host_ip = "10.0.0.1");

  // --- PodDriver ---
  Result<SandboxStatus> start_sandbox(const SandboxSpec& spec) override;
  Status remove_sandbox(const std::string& pod_uid) override;
  Result<ContainerStatus> start_container(const std::string& pod_uid, const ContainerSpec& spec,
                                          int attempt) override;
  Status signal_container(const std::string& pod_uid, const std::string& name, int signal) override;
  Status remove_container(const std::string& pod_uid, const std::string& name,
                          int attempt) override;
  std::vector<PodRecord> list() override;
  Result<ExecResult> exec(const std::string& pod_uid, const std::string& name,
                          const std::vector<std::string>& argv, std::int64_t timeout_ms) override;
  ProbeOutcome probe_http(const HttpProbe& probe) override;
  ProbeOutcome probe_tcp(const TcpProbe& probe) override;
  Result<LogChunk> read_log(const std::string& pod_uid, const std::string& name,
                            const LogQuery& query) override;

  // --- the script ---
  /// Exec in this container (probes and hooks) exits with `exit_code` from now on.
  void script_exec_exit_code(const std::string& pod_uid, const std::string& container,
                             int exit_code);
  /// HTTP and TCP probes to this pod's port answer `outcome` from now on.
  void script_port(const std::string& pod_uid, int port, ProbeOutcome outcome);
  /// Starts of this container fail with `error` until cleared (Error{} clears).
  void script_start_failure(const std::string& pod_uid, const std::string& container, Error error);
  /// The image is missing (image_not_found) or present again.
  void script_image_missing(const std::string& image, bool missing = true);
  /// The container's newest attempt ends now, e.g. (137, "OOMKilled") for an OOM kill.
  void script_exit(const std::string& pod_uid, const std::string& container, int exit_code,
                   std::string reason);

  /// What was exec'd, in order: "<uid>/<container>: argv joined by spaces".
  std::vector<std::string> exec_log() const;
  /// Signals sent, in order: "<uid>/<container>: <signal>".
  std::vector<std::string> signal_log() const;
  /// How many containers have been started, over all pods (duplicates show here).
  int starts() const;

 private:
  struct Attempt {
    ContainerStatus status;
    std::int64_t exits_at_ms = -1;  ///< sleep N: when it exits by itself
    bool ignores_sigterm = false;
  };
  struct Pod {
    SandboxSpec spec;
    SandboxStatus status;
    std::map<std::string, std::map<int, Attempt>> containers;
  };
  void advance(Pod& pod);  // containers whose time is up exit
  Attempt* newest(const std::string& pod_uid, const std::string& container);
  Pod* pod_by_ip(const std::string& ip);
  static void end(Attempt& a, int exit_code, std::string reason, std::int64_t at_ms);

  std::function<std::int64_t()> now_;
  std::string host_ip_;
  mutable std::mutex mutex_;
  std::map<std::string, Pod> pods_;
  int next_ip_ = 2;
  int starts_ = 0;
  std::map<std::pair<std::string, std::string>, int> exec_exit_codes_;
  std::map<std::pair<std::string, int>, ProbeOutcome> ports_;
  std::map<std::pair<std::string, std::string>, Error> start_failures_;
  std::set<std::string> missing_images_;
  std::vector<std::string> exec_log_, signal_log_;
};

}  // namespace craton::agent
