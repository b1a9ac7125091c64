// The container start benchmark (`craton bench containers`, issue 14): the Linux driver's
// container start beside `runc run` and `crun run` (Debian's packages) on the same busybox
// rootfs in the same run, and what 100 idle pods cost the host.
//
// Start latency. One busybox layer is built in a temp dir from /bin/busybox (Debian's
// busybox-static). Each round runs, in this order, so machine noise hits all alike:
//   craton sandbox+container  start_sandbox + start_container(/bin/true) until exit.json
//                             exists (what the agent calls "exited"); remove_sandbox untimed.
//   craton container          start_container(/bin/true) in one sandbox made before the
//                             rounds, until exit.json; remove_container untimed.
//   runc run                  `runc --root <tmp> run --bundle <b> <id>` until it returns
//                             (create, start, wait, delete: its cleanup is inside the time).
//   crun run                  the same with crun and the same config.json.
// The OCI config is `runc spec`'s template (crun's when runc is missing) with /bin/true, no
// terminal, the busybox layer as a read-only root and the template's namespaces (pid, net,
// ipc, uts, mount), which are the ones a craton pod's container gets (net/ipc/uts from the
// sandbox). A runtime whose binary is missing is reported skipped, not failed. One untimed
// warm-up round comes first (page cache, first-run costs). crun 1.8 refuses a hybrid cgroup
// host whose cgroup2 holds a controller ("cgroups in hybrid mode not supported", even with
// --cgroup-manager=disabled); then the benchmark moves its own process into a private mount
// namespace without /sys/fs/cgroup/unified before measuring anything, so all four run on a
// plain v1 view (the host is untouched; the process must have one thread, as `craton bench`
// and the test have). The report says so (hybrid_cgroup2_hidden).
//
// Idle pods. N pods (`sleep 3600`, a sandbox each) started with the driver; then the shims'
// RSS and PSS (summed over /proc/<shim pid>), their CPU time since start and over an idle
// window, the containers' RSS, and the benchmark process's own RSS and CPU; then every pod is
// removed and the host checked: no pod listed, no state file, no cgroup, no mount and no shim
// left (`leftovers` names what was).
//
// Process code: reads /proc, spawns runc/crun, needs root and a real kernel. No CAF.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/result.hpp"

namespace craton::bench {

inline constexpr std::uint32_t kContainerBenchRunsMax = 10'000;
inline constexpr std::uint32_t kContainerBenchIdlePodsMax = 1'000;
inline constexpr std::uint32_t kContainerBenchIdleSecondsMax = 3'600;

struct ContainerBenchOptions {
  std::uint32_t runs = 50;         ///< rounds of the four start measurements
  std::uint32_t idle_pods = 100;   ///< 0: skip the idle pods part
  std::uint32_t idle_seconds = 5;  ///< window over which the idle shims' CPU is measured
  /// argv prefix of the driver's shim: {"/proc/self/exe", "shim"} in craton.
  std::vector<std::string> shim_command;
  std::string work_parent = "/tmp";  ///< the temp dir (layer, state, logs, bundles) goes here
  std::string runc = "runc";         ///< looked up in PATH; empty: skip
  std::string crun = "crun";
  std::int64_t start_timeout_ms = 30'000;  ///< one start until exited, at most
};

/// The options checked: sizes within bounds, a shim command. An Error names the first bad one.
Result<Ok> validate_container_bench_options(const ContainerBenchOptions& options);

/// Start-until-exited latency of one runtime over the rounds.
struct RuntimeStartStats {
  std::string runtime;  ///< "craton sandbox+container", "craton container", "runc run", "crun run"
  std::uint32_t runs = 0;      ///< succeeded
  std::uint32_t failures = 0;  ///< failed (first_error says how)
  double mean_ms = 0, p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
  double p50_ratio_to_crun = 0;   ///< p50 / crun's p50; 0 when crun did not run
  double mean_ratio_to_crun = 0;  ///< mean / crun's mean
  std::string skipped;            ///< non-empty: not run, and why
  std::string note;               ///< how it ran when that differs from the others
  std::string first_error;
};

struct IdlePodsReport {
  std::uint32_t pods = 0;            ///< asked for
  std::uint32_t running = 0;         ///< started and seen running
  double start_seconds = 0;          ///< starting all of them (sandbox + container each), serially
  std::uint32_t shims = 0;           ///< shim processes found
  std::uint64_t shim_rss_bytes = 0;  ///< sum of VmRSS (shared pages of the binary counted per shim)
  std::uint64_t shim_pss_bytes = 0;  ///< sum of Pss (shared pages split among their users)
  double shim_cpu_seconds = 0;       ///< user+system of the shims since they started
  double shim_idle_cpu_percent = 0;  ///< of one core, all shims together, over idle_seconds
  std::uint64_t container_rss_bytes = 0;   ///< sum of the `sleep` processes' VmRSS
  std::uint64_t bench_rss_bytes = 0;       ///< this process's VmRSS with every pod running
  std::uint64_t bench_peak_rss_bytes = 0;  ///< VmHWM
  double bench_cpu_seconds = 0;            ///< this process's user+system starting the pods
  double remove_seconds = 0;               ///< removing every pod, serially
  std::string first_error;
};

struct ContainerBenchReport {
  std::uint32_t runs = 0;
  std::string cgroup_version;  ///< "v1" or "v2"
  std::string runc_version, crun_version;
  bool hybrid_cgroup2_hidden = false;       ///< see the header comment
  std::vector<RuntimeStartStats> runtimes;  ///< in the order above
  IdlePodsReport idle;
  /// What was still on the host after every removal (pods listed, state or log files,
  /// cgroups, mounts, shims, runc/crun state); empty when clean. Removed anyway afterwards.
  std::vector<std::string> leftovers;
};

/// Runs the benchmark. Errors only when nothing could be measured (no root, no busybox, no
/// temp dir); a runtime's failures are counted in its stats.
Result<ContainerBenchReport> run_container_bench(const ContainerBenchOptions& options);

/// One JSON object: runs, cgroup_version, runtimes[{runtime, p50_ms, ...}], idle{...}, leftovers.
std::string container_bench_json(const ContainerBenchReport& report);
/// A table for people.
std::string container_bench_text(const ContainerBenchReport& report);

}  // namespace craton::bench
