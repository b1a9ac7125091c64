// PodDriver: the contract between the node agent and the host it runs pods on. The agent's
// logic core decides what should run; a driver makes it so and reports what is. Two drivers
// keep this contract: the Linux driver (actors/agent/linux/: namespaces, cgroups, overlayfs,
// veth; rkt's model, where the pod is the unit and its containers share a sandbox) and the
// simulator's fake driver (actors/agent/fake/), which runs nothing and answers from a script.
//
// Every method may block (mounts, clone, waiting on a process, a probe's connect); the agent's
// actor shell calls them off the actor threads, one pod's calls in order. Methods are
// idempotent where the agent may retry after a crash: starting a sandbox that exists returns
// it, removing what is gone succeeds. Errors are values with stable codes (below) that the
// agent turns into Kubernetes' reasons.
//
// Times are wall-clock milliseconds since the Unix epoch as the driver saw them (a container's
// start and finish), because they are what Kubernetes shows; the fake driver takes its clock
// from the simulator.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/result.hpp"

namespace craton::agent {

/// Stable error codes a driver returns (Error::code); anything else is reported as-is.
namespace driver_error {
inline constexpr const char* image_not_found = "image_not_found";  ///< -> ErrImagePull
inline constexpr const char* create_failed = "create_failed";      ///< -> CreateContainerError
inline constexpr const char* start_failed = "start_failed";  ///< exec of the entrypoint failed
inline constexpr const char* no_sandbox = "no_sandbox";      ///< the pod's sandbox is gone
inline constexpr const char* no_container = "no_container";
inline constexpr const char* timeout = "timeout";
}  // namespace driver_error

/// A directory the agent prepared (emptyDir, hostPath, the files of a configMap or secret)
/// bind-mounted into a container. The driver only mounts; volume semantics are the agent's.
struct BindMount {
  std::string source;  ///< absolute host path
  std::string target;  ///< absolute path inside the container
  bool read_only = false;
};

/// Resources of one container as Kubernetes' requests and limits give them; 0 means unset.
struct ContainerResources {
  std::int64_t cpu_request_milli = 0;   ///< -> cpu.shares (v1) / cpu.weight (v2)
  std::int64_t cpu_limit_milli = 0;     ///< -> CFS quota over a 100 ms period
  std::int64_t memory_limit_bytes = 0;  ///< -> memory limit; exceeding it is OOMKilled, 137
  std::int64_t pids_limit = 0;          ///< -> pids.max
};

/// One container to start. Command and args are the pod spec's, uncombined: the driver
/// combines them with the image's ENTRYPOINT and CMD as Kubernetes does (command replaces
/// ENTRYPOINT and drops CMD; args alone replace CMD), because only it reads the image.
struct ContainerSpec {
  std::string name;  ///< unique in the pod, init containers included
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  ///< after the image's, overriding it
  std::string working_dir;                               ///< empty: the image's
  std::optional<std::int64_t> run_as_user;               ///< unset: the image's user
  std::optional<std::int64_t> run_as_group;
  ContainerResources resources;
  std::vector<BindMount> mounts;
  std::int64_t log_max_bytes = 10 * 1024 * 1024;  ///< rotate the log file past this size
  int log_max_files = 5;                          ///< rotated files kept per container
};

/// A pod's sandbox: the network, IPC and UTS namespaces its containers share, its cgroup
/// parent, its address.
struct SandboxSpec {
  std::string pod_uid;
  std::string pod_namespace;
  std::string pod_name;
  std::string hostname;  ///< the pod's name unless spec.hostname says otherwise
  bool host_network = false;
};

struct SandboxStatus {
  std::string pod_uid;
  std::string pod_ip;  ///< empty until the network is up; the host's address with hostNetwork
};

enum class ContainerState { running, exited };

/// What the host knows of one attempt of one container. Each start is a new attempt (0, 1,
/// ...): its own process and log; the agent's restartCount is the attempt number.
struct ContainerStatus {
  std::string pod_uid;
  std::string name;
  int attempt = 0;
  std::string container_id;  ///< "craton://<id>", stable for the attempt
  std::string image_id;      ///< "sha256:..."
  ContainerState state = ContainerState::running;
  std::int64_t started_at_ms = 0;
  std::int64_t finished_at_ms = 0;  ///< exited only
  int exit_code = 0;                ///< exited only; 128+signal when killed by one
  std::string reason;               ///< exited only: "Completed", "Error" or "OOMKilled"
};

/// Everything the host holds for one pod: what the agent re-adopts after its own restart and
/// what it compares with the pods the API binds to its node.
struct PodRecord {
  SandboxStatus sandbox;
  std::string pod_namespace;
  std::string pod_name;
  std::vector<ContainerStatus> containers;  ///< every attempt still on the host
};

struct ExecResult {
  int exit_code = 0;
  std::string output;  ///< stdout and stderr interleaved, cut at 64 KiB
};

/// The outcome of a network probe, as the kubelet's prober sees it.
enum class ProbeOutcome { success, failure };

struct HttpProbe {
  std::string host;  ///< the pod IP unless the probe names a host
  int port = 0;
  std::string path = "/";
  std::string scheme = "HTTP";  ///< "HTTP" or "HTTPS" (HTTPS skips verification, as kube does)
  std::vector<std::pair<std::string, std::string>> headers;
  std::int64_t timeout_ms = 1000;
};

struct TcpProbe {
  std::string host;
  int port = 0;
  std::int64_t timeout_ms = 1000;
};

/// Which part of a container's log to read (kubectl logs' options). Reading is by byte
/// offset so that `follow` is a sequence of reads from where the last one stopped.
struct LogQuery {
  int attempt = -1;  ///< -1: the newest attempt; `previous` asks for newest-1
  std::optional<std::int64_t> tail_lines;
  std::optional<std::int64_t> since_ms;  ///< wall clock
  bool timestamps = false;
  std::int64_t from_offset = 0;  ///< continue a follow from a previous chunk's next_offset
  std::int64_t limit_bytes = 1024 * 1024;
};

struct LogChunk {
  std::string data;  ///< the lines as the container wrote them (with RFC 3339 stamps if asked)
  std::int64_t next_offset = 0;
  bool finished = false;  ///< the attempt has exited and everything was read
};

class PodDriver {
 public:
  virtual ~PodDriver() = default;

  virtual Result<SandboxStatus> start_sandbox(const SandboxSpec& spec) = 0;
  /// Kills whatever still runs in the pod and removes every trace of it (mounts, cgroups,
  /// veth, namespaces, overlay and log directories). Succeeds when nothing is left.
  virtual Status remove_sandbox(const std::string& pod_uid) = 0;

  virtual Result<ContainerStatus> start_container(const std::string& pod_uid,
                                                  const ContainerSpec& spec, int attempt) = 0;
  /// Sends a signal to the container's newest attempt (SIGTERM, then SIGKILL after the grace
  /// period: the agent keeps the clock).
  virtual Status signal_container(const std::string& pod_uid, const std::string& name,
                                  int signal) = 0;
  /// Forgets an exited attempt and its log (the agent keeps the newest two, for --previous).
  virtual Status remove_container(const std::string& pod_uid, const std::string& name,
                                  int attempt) = 0;

  /// Every pod the host holds, with each container's state now.
  virtual std::vector<PodRecord> list() = 0;

  /// Runs a command in the container's namespaces (exec probes, preStop hooks).
  virtual Result<ExecResult> exec(const std::string& pod_uid, const std::string& name,
                                  const std::vector<std::string>& argv,
                                  std::int64_t timeout_ms) = 0;
  virtual ProbeOutcome probe_http(const HttpProbe& probe) = 0;
  virtual ProbeOutcome probe_tcp(const TcpProbe& probe) = 0;

  virtual Result<LogChunk> read_log(const std::string& pod_uid, const std::string& name,
                                    const LogQuery& query) = 0;
};

}  // namespace craton::agent
