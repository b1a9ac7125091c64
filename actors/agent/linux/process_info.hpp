// Facts about host processes the driver and the shim need: a process's start time (to tell a
// reused pid from the process we started), whether it still runs, and the wall clock.
#pragma once

#include <cstdint>
#include <string>

namespace craton::agent::linux_driver {

/// Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); -1 when gone.
std::int64_t process_start_ticks(int pid);

/// Whether `pid` is alive (not a zombie) and started at `start_ticks`.
bool process_is(int pid, std::int64_t start_ticks);

/// CPU time `pid` has used so far (all its threads, user + system), in milliseconds; -1 when
/// gone. From /proc/<pid>/schedstat (nanoseconds), since /proc/<pid>/stat counts in clock
/// ticks (10 ms) and a shim's start costs less than one; stat's fields 14-17 where schedstat
/// is missing.
double process_cpu_ms(int pid);

/// Wall clock in milliseconds / nanoseconds since the epoch.
std::int64_t wall_clock_ms();
std::int64_t wall_clock_ns();

}  // namespace craton::agent::linux_driver
