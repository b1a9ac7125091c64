// The shim: the small process between the driver and a container (containerd-shim's and rkt's
// model). The driver never forks a container itself; it spawns `<shim command> <verb> ...`,
// which is `craton shim ...` in production and a test executable in tests, both calling
// run_shim. (A pod's sandbox needs no shim: the driver makes its namespaces on a short-lived
// thread, see sandbox.cpp.) Verbs:
//   start <config.json>       (fd 3: the report pipe)
//       forks away from the driver (so the driver is not the container's parent), then
//       supervises one container attempt: cgroup, namespaces, the process, its log, its exit.
//       Reports "ok\n" or "<error code>\t<message>\n" on fd 3 once the container's process
//       has exec'd or failed to; writes started.json and, when it ends, exit.json.
//   exec <config.json> <container pid> <argv...>
//       runs argv in the container's namespaces and cgroup as the container's user; its exit
//       code is the command's (128+signal when killed).
// Exit code 0 means the verb did its part; errors are printed to stderr in one line.
#pragma once

namespace craton::agent::linux_driver {

/// The shim's entry: argv[0] is the verb (the caller strips its own prefix, e.g. "craton
/// shim"). Runs single-threaded; never returns for a container's supervisor until it exits.
int run_shim(int argc, char** argv);

/// The report pipe's descriptor in a `start` shim.
inline constexpr int kShimReportFd = 3;

int run_shim_start(int argc, char** argv);
int run_shim_exec(int argc, char** argv);

}  // namespace craton::agent::linux_driver
