// Fault schedules: the faults a simulated run injects, as data.
//
// A schedule is a list of timed faults, read from a small text format (see docs/simulator.md)
// or drawn from a seed (random mode). One fault per line:
//
//   # comment
//   at 3s   loss 0.1
//   at 5s   partition n1,n2 | n3,n4,n5
//   at 6s   oneway n1 -> n2
//   at 10s  heal
//   at 12s  crash n2
//   at 20s  restart n2
//   at 4s   pause n3
//   at 8s   resume n3
//   at 1s   duplicate 0.05
//   at 1s   latency uniform 1ms 50ms        (or: latency exponential <mean> <max>)
//   at 2s   disk-full n1                    (disk faults: sim/world/sim_disk.hpp)
//   at 3s   disk-ok n1
//   at 4s   fsync-fail n2
//   at 5s   disk-slow n3 200ms
//   at 0s   clock-skew n1 -40s                (clock faults: sim/world/clock_faults.hpp)
//   at 0s   clock-drift n2 1.0073
//
// Parsing is strict and bounded: every error names its line. Faults may only happen before
// the settle point (a fraction of the run); from then on the world heals the network, resumes
// paused nodes and lets the cluster converge, so that checkers can judge the final state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"
#include "sim/world/network_model.hpp"

namespace craton::sim {

struct Fault {
  enum class Kind {
    partition,
    oneway,
    heal,
    crash,
    restart,
    pause,
    resume,
    loss,
    duplicate,
    latency,
    // Disk faults (sim/world/sim_disk.hpp); they apply to a node whatever its state.
    disk_full,
    disk_ok,
    fsync_fail,
    disk_slow,
    // Clock faults (sim/world/clock_faults.hpp); they apply to a node whatever its state.
    clock_skew,
    clock_drift
  };
  std::int64_t at_ms = 0;
  Kind kind = Kind::heal;
  std::vector<std::vector<std::string>> groups;  ///< partition
  std::vector<std::string> nodes;                ///< oneway: {from, to}; crash..resume: {node}
  double probability = 0;                        ///< loss, duplicate
  LatencyDistribution latency;                   ///< latency
  std::int64_t duration_ms = 0;                  ///< disk_slow: simulated time per sync
  std::int64_t skew_ms = 0;                      ///< clock_skew: the step (signed)
  double clock_rate = 1.0;                       ///< clock_drift: the node clock's new rate

  /// The fault in file syntax without the time, e.g. "partition n1,n2 | n3".
  std::string describe() const;
};

/// True for the disk faults (disk-full, disk-ok, fsync-fail, disk-slow).
bool is_disk_fault(Fault::Kind kind);

/// Bounds on fault files (they are external input).
inline constexpr std::size_t kFaultFileBytesMax = 1 << 20;
inline constexpr std::size_t kFaultLinesMax = 10000;

/// Parses "250ms", "5s", "2m" into milliseconds (non-negative, at most 24 hours).
Result<std::int64_t> parse_duration_ms(std::string_view text);

/// Parses a fault file against the cluster's node ids. Errors read "line N: ...".
/// The result is sorted by time (faults at the same time keep file order).
Result<std::vector<Fault>> parse_fault_file(std::string_view text,
                                            const std::vector<std::string>& nodes);

/// Checks a sorted schedule against the run: every fault before `settle_ms`; crash only an
/// up node, restart only a crashed one, pause only a running one, resume only a paused one.
/// Errors name the fault's position (1-based) and text.
Status validate_schedule(const std::vector<Fault>& faults, const std::vector<std::string>& nodes,
                         std::int64_t settle_ms);

/// A random schedule drawn from `seed`, within [0, settle_ms): partitions, one-way blocks,
/// heals, loss, duplication, latency changes (max at most 310 ms), crashes, restarts, pauses
/// and resumes, plus random_disk_faults and random_clock_faults (sim/world/clock_faults.hpp). At
/// most a minority of the nodes ((n - 1) / 2) is crashed or paused at any time; some crashed nodes
/// are restarted just before the settle point, the others stay down.
std::vector<Fault> random_faults(std::uint64_t seed, const std::vector<std::string>& nodes,
                                 std::int64_t settle_ms);

/// The disk faults random_faults adds, drawn from their own stream (derive_seed(seed,
/// "disk")) so that the other faults of a seed stay as they were: every 3-10 s a node's disk
/// turns full (healed by disk-ok 0.2-3 s later), fails its next sync, or turns slow (10-300 ms
/// per sync, back to 0ms 1-5 s later); all before the settle point, which heals every disk.
std::vector<Fault> random_disk_faults(std::uint64_t seed, const std::vector<std::string>& nodes,
                                      std::int64_t settle_ms);

}  // namespace craton::sim
