// container_bench.hpp: the container start benchmark (driver vs runc vs crun) and the cost
// of idle pods. Everything it creates lives under one temp dir and one cgroup root, both
// removed at the end whatever happened.
#include "bench/container_bench.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "actors/agent/linux/cgroups.hpp"
#include "actors/agent/linux/linux_driver.hpp"
#include "actors/agent/linux/process_info.hpp"
#include "actors/agent/linux/shim_process.hpp"
#include "actors/agent/linux/state_files.hpp"
#include "bench/latency_stats.hpp"

namespace craton::bench {
namespace {

namespace fs = std::filesystem;
using agent::ContainerSpec;
using agent::LinuxDriver;
using agent::SandboxSpec;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point begin) {
  return std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
}

/// The image every container runs: /bin/busybox, a link per applet, /etc/passwd and the
/// mount points. Built once; runc and crun get it as their (read-only) root.
Status make_busybox_layer(const std::string& dir) {
  std::error_code ec;
  for (const char* sub : {"bin", "etc", "proc", "sys", "dev", "tmp", "root"}) {
    fs::create_directories(dir + "/" + sub, ec);
    if (ec) return Error{"io", "mkdir " + dir + "/" + sub + ": " + ec.message()};
  }
  fs::copy_file("/bin/busybox", dir + "/bin/busybox", ec);
  if (ec) return Error{"no_busybox", "copy /bin/busybox (Debian busybox-static): " + ec.message()};
  // Applet names come from the binary itself; a pipe read is fine here (bench, one thread).
  FILE* list = ::popen("/bin/busybox --list", "r");
  if (list == nullptr) return Error{"no_busybox", "busybox --list failed"};
  char name[256];
  while (std::fscanf(list, "%255s", name) == 1) {
    std::error_code link_ec;
    if (std::string(name) != "busybox")
      fs::create_symlink("busybox", dir + "/bin/" + name, link_ec);
  }
  ::pclose(list);
  std::ofstream(dir + "/etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n";
  std::ofstream(dir + "/etc/group") << "root:x:0:\n";
  if (!fs::exists(dir + "/bin/true")) return Error{"no_busybox", "busybox has no `true` applet"};
  return Ok{};
}

/// Resolves "busybox" to the one layer; anything else is not found.
class BenchImages final : public images::ImageResolver {
 public:
  explicit BenchImages(std::string layer) : layer_(std::move(layer)) {}
  Result<images::UnpackedImage> resolve(const std::string& reference) override {
    if (reference != "busybox") return Error{"image_not_found", "no image " + reference};
    images::UnpackedImage image;
    image.image_id = "sha256:" + std::string(64, 'b');
    image.layer_dirs = {layer_};
    image.config.env = {"PATH=/bin"};
    return image;
  }

 private:
  std::string layer_;
};

/// `name` as an absolute path: itself when it has a slash, else the first match in PATH.
std::optional<std::string> find_binary(const std::string& name) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos)
    return ::access(name.c_str(), X_OK) == 0 ? std::optional(name) : std::nullopt;
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

std::string read_text(const std::string& path, std::size_t max_bytes = 64 * 1024) {
  auto text = agent::linux_driver::read_file(path, max_bytes);
  return text.ok() ? text.value() : std::string();
}

/// Runs argv to completion with stdout and stderr into `output` (truncated first): exit code.
Result<int> run_to_exit(const std::vector<std::string>& argv, const std::string& output,
                        std::int64_t timeout_ms) {
  int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Error{"io", "open " + output + ": " + std::strerror(errno)};
  auto pid = agent::linux_driver::spawn_shim(argv, fd, -1);
  ::close(fd);
  if (!pid) return pid.error();
  return agent::linux_driver::wait_for_exit(pid.value(), timeout_ms);
}

/// Waits until `dir`/exit.json exists: inotify on the directory (set before the first look,
/// so a rename in between is not missed), never a busy poll, bounded by timeout_ms.
Status wait_for_exit_file(const std::string& dir, std::int64_t timeout_ms) {
  const std::string file = dir + "/exit.json";
  int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0) return Error{"io", std::string("inotify_init1: ") + std::strerror(errno)};
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::inotify_add_watch(fd, dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE) < 0)
    return Error{"io", "inotify " + dir + ": " + std::strerror(errno)};
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  char events[4096];
  while (::access(file.c_str(), F_OK) != 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0)
      return Error{"timeout", "no " + file + " after " + std::to_string(timeout_ms) + " ms"};
    pollfd p{fd, POLLIN, 0};
    // Also wake every 100 ms: a watch on a directory replaced under us would never fire.
    (void)::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 100)));
    while (::read(fd, events, sizeof events) > 0) {
    }
  }
  return Ok{};
}

/// One /proc/<pid> reading.
struct ProcUsage {
  std::uint64_t rss_bytes = 0, hwm_bytes = 0, pss_bytes = 0;
  std::int64_t cpu_ticks = 0;  ///< utime + stime
  bool found = false;
};

std::uint64_t status_kib(const std::string& text, const std::string& key) {
  auto at = text.find("\n" + key + ":");
  if (at == std::string::npos) at = text.rfind(key + ":", 0) == 0 ? 0 : std::string::npos;
  if (at == std::string::npos) return 0;
  return std::strtoull(text.c_str() + text.find(':', at) + 1, nullptr, 10) * 1024;
}

ProcUsage proc_usage(int pid) {
  ProcUsage u;
  std::string base = "/proc/" + std::to_string(pid);
  std::string status = read_text(base + "/status");
  std::string stat = read_text(base + "/stat");
  if (status.empty() || stat.empty()) return u;
  u.found = true;
  u.rss_bytes = status_kib(status, "VmRSS");
  u.hwm_bytes = status_kib(status, "VmHWM");
  u.pss_bytes = status_kib(read_text(base + "/smaps_rollup"), "Pss");
  // Fields after the command (which may hold spaces and parentheses): state is field 3;
  // utime and stime are fields 14 and 15.
  auto close = stat.rfind(')');
  if (close != std::string::npos) {
    std::stringstream rest(stat.substr(close + 2));
    std::string field;
    std::int64_t utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::atoll(field.c_str());
      if (i == 15) stime = std::atoll(field.c_str());
    }
    u.cpu_ticks = utime + stime;
  }
  return u;
}

double self_cpu_seconds() {
  rusage r{};
  ::getrusage(RUSAGE_SELF, &r);
  return double(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         double(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

/// `path` under every cgroup hierarchy mounted at /sys/fs/cgroup (v1: each controller's, and
/// named ones; runc and crun create their cgroups in all of them, the driver in three).
std::vector<std::string> every_hierarchy_dir(agent::linux_driver::CgroupVersion version,
                                             const std::string& path) {
  const std::string mount = agent::linux_driver::kCgroupMount;
  if (version == agent::linux_driver::CgroupVersion::v2) return {mount + "/" + path};
  std::vector<std::string> dirs;
  for (const auto& h : agent::linux_driver::directory_entries(mount)) {
    std::error_code ec;
    if (fs::is_directory(mount + "/" + h, ec) && !fs::is_symlink(mount + "/" + h, ec))
      dirs.push_back(mount + "/" + h + "/" + path);
  }
  return dirs;
}

/// Every directory at or under `dirs`, deepest first (rmdir order).
std::vector<std::string> cgroup_tree(const std::vector<std::string>& dirs) {
  std::vector<std::string> found;
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    found.push_back(dir);
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_directory(ec) && !it->is_symlink(ec)) found.push_back(it->path().string());
  }
  std::sort(found.begin(), found.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return found;
}

/// Moves this process into a private mount namespace where the hybrid host's cgroup2 mount
/// (/sys/fs/cgroup/unified) is gone, so crun sees a plain v1 host; the host is untouched and
/// every runtime started afterwards (runc, the shims) sees the same. unshare needs a process
/// with one thread.
Status hide_hybrid_cgroup2() {
  if (agent::linux_driver::directory_entries("/proc/self/task").size() != 1)
    return Error{"threads", "cannot hide the hybrid cgroup2 from crun: the process has threads"};
  if (::unshare(CLONE_NEWNS) != 0)
    return Error{"io", std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno)};
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return Error{"io", std::string("make / private: ") + std::strerror(errno)};
  const std::string unified = std::string(agent::linux_driver::kCgroupMount) + "/unified";
  if (::umount2(unified.c_str(), MNT_DETACH) != 0)
    return Error{"io", "umount " + unified + ": " + std::strerror(errno)};
  return Ok{};
}

/// What one measured runtime collects over the rounds.
struct Samples {
  std::string runtime;
  std::vector<double> ms;
  std::uint32_t failures = 0;
  std::string first_error;
  std::string skipped;
  std::string note;
  void fail(const std::string& message) {
    ++failures;
    if (first_error.empty()) first_error = message;
  }
};

RuntimeStartStats summarize(const Samples& s) {
  RuntimeStartStats r;
  r.runtime = s.runtime;
  r.failures = s.failures;
  r.first_error = s.first_error;
  r.skipped = s.skipped;
  r.note = s.note;
  r.runs = static_cast<std::uint32_t>(s.ms.size());
  if (s.ms.empty()) return r;
  std::vector<double> us;
  for (double v : s.ms) us.push_back(v * 1000);
  auto stats = summarize_latencies(us, 1, {});
  r.mean_ms = stats.mean_us / 1000;
  r.p50_ms = stats.p50_us / 1000;
  r.p90_ms = stats.p90_us / 1000;
  r.p99_ms = stats.p99_us / 1000;
  r.max_ms = stats.max_us / 1000;
  return r;
}

/// The whole run's resources: temp dir, driver, bundles. The destructor removes everything
/// even when a step failed.
class Bench {
 public:
  explicit Bench(const ContainerBenchOptions& options) : options_(options) {}

  ~Bench() {
    if (driver_) {
      for (const auto& pod : driver_->list()) (void)driver_->remove_sandbox(pod.sandbox.pod_uid);
      (void)agent::linux_driver::remove_cgroup_tree(driver_->cgroup_version(), cgroup_root_,
                                                    10'000);
    }
    for (const auto& [binary, root] : runtime_roots_) force_delete_runtime_state(binary, root);
    // runc's and crun's parents (they remove their leaf only) on the hierarchies the driver
    // does not use; all empty of processes by now.
    if (driver_)
      for (const auto& dir :
           cgroup_tree(every_hierarchy_dir(driver_->cgroup_version(), cgroup_root_)))
        (void)::rmdir(dir.c_str());
    if (!base_.empty()) {
      std::error_code ec;
      fs::remove_all(base_, ec);
    }
  }

  Status setup() {
    if (::geteuid() != 0) return Error{"not_root", "craton bench containers needs root"};
    std::string pattern = options_.work_parent + "/craton-cbench-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr)
      return Error{"io", "mkdtemp " + pattern + ": " + std::strerror(errno)};
    base_ = buf.data();
    cgroup_root_ = "craton-cbench-" + fs::path(base_).filename().string().substr(14);
    layer_ = base_ + "/layer";
    if (auto s = make_busybox_layer(layer_); !s) return s;
    images_ = std::make_unique<BenchImages>(layer_);
    agent::LinuxDriverConfig config;
    config.state_dir = base_ + "/state";
    config.log_dir = base_ + "/logs";
    config.cgroup_root = cgroup_root_ + "/craton";
    config.shim_command = options_.shim_command;
    config.shim_timeout_ms = options_.start_timeout_ms;
    driver_ = std::make_unique<LinuxDriver>(config, *images_, network_);
    return Ok{};
  }

  std::string cgroup_version() const {
    return driver_->cgroup_version() == agent::linux_driver::CgroupVersion::v2 ? "v2" : "v1";
  }

  /// Writes the OCI bundle both runc and crun run: the template of whichever is installed.
  Status make_bundle(const std::string& template_binary) {
    bundle_ = base_ + "/bundle";
    fs::create_directories(bundle_);
    auto rc = run_to_exit({template_binary, "spec", "--bundle", bundle_}, base_ + "/spec.out",
                          options_.start_timeout_ms);
    if (!rc || rc.value() != 0)
      return Error{"spec_failed", template_binary + " spec: " + read_text(base_ + "/spec.out")};
    auto config = nlohmann::json::parse(read_text(bundle_ + "/config.json", 1 << 20), nullptr,
                                        /*allow_exceptions=*/false);
    if (config.is_discarded() || !config.is_object())
      return Error{"spec_failed", template_binary + " spec wrote no JSON object"};
    config["process"]["terminal"] = false;
    config["process"]["args"] = {"/bin/true"};
    config["process"]["env"] = {"PATH=/bin"};
    config["root"] = {{"path", layer_}, {"readonly", true}};
    config["hostname"] = "bench";
    // Both runtimes' cgroups under ours, so the final sweep finds whatever one left.
    config["linux"]["cgroupsPath"] = "/" + cgroup_root_ + "/oci";
    std::ofstream(bundle_ + "/config.json") << config.dump(2);
    return Ok{};
  }

  /// craton sandbox+container: a fresh sandbox per round.
  void sandbox_and_container(std::uint32_t round, Samples& s) {
    std::string uid = "sc-" + std::to_string(round);
    auto begin = Clock::now();
    auto sandbox = driver_->start_sandbox(SandboxSpec{uid, "bench", uid, uid, false});
    if (!sandbox) return s.fail("start_sandbox: " + sandbox.error().message);
    auto done = start_and_wait(uid, 0);
    double ms = ms_since(begin);
    if (!done)
      s.fail(done.error().message);
    else
      s.ms.push_back(ms);
    if (auto r = driver_->remove_sandbox(uid); !r) s.fail("remove_sandbox: " + r.error().message);
  }

  /// craton container: one sandbox for every round, a new attempt each round.
  void container_alone(std::uint32_t round, Samples& s) {
    const std::string uid = "alone";
    if (round == 0) {
      auto sandbox = driver_->start_sandbox(SandboxSpec{uid, "bench", uid, uid, false});
      if (!sandbox) return s.fail("start_sandbox: " + sandbox.error().message);
    }
    auto begin = Clock::now();
    auto done = start_and_wait(uid, static_cast<int>(round));
    double ms = ms_since(begin);
    if (!done) return s.fail(done.error().message);
    s.ms.push_back(ms);
    if (auto r = driver_->remove_container(uid, "true", static_cast<int>(round)); !r)
      s.fail("remove_container: " + r.error().message);
  }

  void remove_alone_sandbox() { (void)driver_->remove_sandbox("alone"); }

  /// `<binary> --root <tmp> run --bundle <bundle> <id>` until it returns.
  void oci_run(const std::string& binary, const std::string& tag, std::uint32_t round, Samples& s,
               const std::vector<std::string>& global_flags = {}) {
    std::string root = base_ + "/" + tag + "-root";
    runtime_roots_[binary] = root;
    std::string id = "cbench-" + tag + "-" + std::to_string(round);
    std::string out = base_ + "/" + tag + ".out";
    auto begin = Clock::now();
    std::vector<std::string> argv{binary};
    argv.insert(argv.end(), global_flags.begin(), global_flags.end());
    for (const char* a : {"--root", root.c_str(), "run", "--bundle", bundle_.c_str(), id.c_str()})
      argv.emplace_back(a);
    auto rc = run_to_exit(argv, out, options_.start_timeout_ms);
    double ms = ms_since(begin);
    if (!rc) return s.fail(tag + " run: " + rc.error().message);
    if (rc.value() != 0)
      return s.fail(tag + " run exited " + std::to_string(rc.value()) + ": " +
                    first_line(read_text(out)));
    s.ms.push_back(ms);
  }

  /// Starts `count` idle pods, measures them, removes them.
  IdlePodsReport idle_pods(std::uint32_t count) {
    IdlePodsReport r;
    r.pods = count;
    double cpu_before = self_cpu_seconds();
    auto begin = Clock::now();
    for (std::uint32_t i = 0; i < count; ++i) {
      std::string uid = "idle-" + std::to_string(i);
      auto sandbox = driver_->start_sandbox(SandboxSpec{uid, "bench", uid, uid, false});
      if (!sandbox) {
        if (r.first_error.empty()) r.first_error = "start_sandbox: " + sandbox.error().message;
        continue;
      }
      ContainerSpec spec;
      spec.name = "sleep";
      spec.image = "busybox";
      spec.command = {"sleep", "3600"};
      auto started = driver_->start_container(uid, spec, 0);
      if (!started && r.first_error.empty())
        r.first_error = "start_container: " + started.error().message;
    }
    r.start_seconds = ms_since(begin) / 1000;
    r.bench_cpu_seconds = self_cpu_seconds() - cpu_before;

    // The shims and containers as started.json names them, checked against their start ticks.
    struct Pair {
      int shim = 0, container = 0;
      std::int64_t shim_ticks = 0;
    };
    std::vector<Pair> pairs;
    for (std::uint32_t i = 0; i < count; ++i) {
      std::string dir = driver_->pod_dir("idle-" + std::to_string(i)) + "/containers/sleep/0";
      auto text = agent::linux_driver::read_file(dir + "/started.json");
      if (!text) continue;
      auto started = agent::linux_driver::decode_container_started(text.value());
      if (!started) continue;
      Pair p;
      if (agent::linux_driver::process_is(started->shim_pid, started->shim_start_ticks))
        p.shim = started->shim_pid, p.shim_ticks = started->shim_start_ticks;
      if (agent::linux_driver::process_is(started->pid, started->pid_start_ticks))
        p.container = started->pid;
      if (p.container != 0) ++r.running;
      pairs.push_back(p);
    }
    std::int64_t ticks_before = 0;
    for (const auto& p : pairs) {
      if (p.shim == 0) continue;
      auto u = proc_usage(p.shim);
      if (!u.found) continue;
      ++r.shims;
      r.shim_rss_bytes += u.rss_bytes;
      r.shim_pss_bytes += u.pss_bytes;
      ticks_before += u.cpu_ticks;
      if (p.container != 0) r.container_rss_bytes += proc_usage(p.container).rss_bytes;
    }
    auto self = proc_usage(static_cast<int>(::getpid()));
    r.bench_rss_bytes = self.rss_bytes;
    r.bench_peak_rss_bytes = self.hwm_bytes;
    const double hz = double(::sysconf(_SC_CLK_TCK));
    r.shim_cpu_seconds = double(ticks_before) / hz;
    auto window_begin = Clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(options_.idle_seconds));
    double window_s = ms_since(window_begin) / 1000;
    std::int64_t ticks_after = 0;
    for (const auto& p : pairs)
      if (p.shim != 0) ticks_after += proc_usage(p.shim).cpu_ticks;
    if (window_s > 0)
      r.shim_idle_cpu_percent = 100.0 * double(ticks_after - ticks_before) / hz / window_s;

    auto remove_begin = Clock::now();
    for (std::uint32_t i = 0; i < count; ++i) {
      auto removed = driver_->remove_sandbox("idle-" + std::to_string(i));
      if (!removed && r.first_error.empty())
        r.first_error = "remove_sandbox: " + removed.error().message;
    }
    r.remove_seconds = ms_since(remove_begin) / 1000;
    // remove_sandbox waited for the shims; a zombie not yet reaped by init is gone already.
    for (const auto& p : pairs)
      if (p.shim != 0 && agent::linux_driver::process_is(p.shim, p.shim_ticks))
        leftovers_.push_back("shim " + std::to_string(p.shim) + " still runs");
    return r;
  }

  /// What the host still holds of this run (before the destructor's sweep).
  std::vector<std::string> leftovers() {
    std::vector<std::string> left = leftovers_;
    for (const auto& pod : driver_->list()) left.push_back("pod " + pod.sandbox.pod_uid);
    for (const auto& uid : agent::linux_driver::directory_entries(base_ + "/state/pods"))
      left.push_back("state dir of pod " + uid);
    for (const auto& uid : agent::linux_driver::directory_entries(base_ + "/logs"))
      left.push_back("log dir of pod " + uid);
    // The empty parents <root>, <root>/craton and <root>/oci are ours to remove at the end;
    // anything below them is something a runtime left.
    for (const auto& dir :
         cgroup_tree(every_hierarchy_dir(driver_->cgroup_version(), cgroup_root_))) {
      auto relative = fs::path(dir).lexically_relative(agent::linux_driver::kCgroupMount);
      auto depth = std::distance(relative.begin(), relative.end());
      bool ours = driver_->cgroup_version() == agent::linux_driver::CgroupVersion::v2 ? depth <= 2
                                                                                      : depth <= 3;
      if (!ours) left.push_back("cgroup " + dir);
    }
    std::ifstream mountinfo("/proc/self/mountinfo");
    for (std::string line; std::getline(mountinfo, line);)
      if (line.find(base_) != std::string::npos) left.push_back("mount " + line);
    for (const auto& [binary, root] : runtime_roots_)
      for (const auto& id : agent::linux_driver::directory_entries(root))
        left.push_back(fs::path(binary).filename().string() + " state " + id);
    return left;
  }

 private:
  Status start_and_wait(const std::string& uid, int attempt) {
    ContainerSpec spec;
    spec.name = "true";
    spec.image = "busybox";
    spec.command = {"/bin/true"};
    auto started = driver_->start_container(uid, spec, attempt);
    if (!started) return Error{started.error().code, "start_container: " + started.error().message};
    return wait_for_exit_file(driver_->pod_dir(uid) + "/containers/true/" + std::to_string(attempt),
                              options_.start_timeout_ms);
  }

  void force_delete_runtime_state(const std::string& binary, const std::string& root) {
    for (const auto& id : agent::linux_driver::directory_entries(root))
      (void)run_to_exit({binary, "--root", root, "delete", "--force", id}, "/dev/null",
                        options_.start_timeout_ms);
  }

  const ContainerBenchOptions& options_;
  std::string base_, layer_, bundle_, cgroup_root_;
  std::unique_ptr<BenchImages> images_;
  agent::LoopbackOnlyNetwork network_;
  std::unique_ptr<LinuxDriver> driver_;
  std::map<std::string, std::string> runtime_roots_;  ///< binary -> its --root
  std::vector<std::string> leftovers_;
};

}  // namespace

Result<Ok> validate_container_bench_options(const ContainerBenchOptions& o) {
  if (o.runs < 1 || o.runs > kContainerBenchRunsMax)
    return Error{"bad_option", "--runs must be in 1.." + std::to_string(kContainerBenchRunsMax)};
  if (o.idle_pods > kContainerBenchIdlePodsMax)
    return Error{"bad_option",
                 "--idle-pods must be at most " + std::to_string(kContainerBenchIdlePodsMax)};
  if (o.idle_seconds > kContainerBenchIdleSecondsMax)
    return Error{"bad_option",
                 "--idle-seconds must be at most " + std::to_string(kContainerBenchIdleSecondsMax)};
  if (o.shim_command.empty()) return Error{"bad_option", "no shim command"};
  if (o.start_timeout_ms < 1000) return Error{"bad_option", "start timeout under 1 s"};
  return Ok{};
}

Result<ContainerBenchReport> run_container_bench(const ContainerBenchOptions& options) {
  if (auto s = validate_container_bench_options(options); !s) return s.error();
  Bench bench(options);
  if (auto s = bench.setup(); !s) return s.error();
  ContainerBenchReport report;
  report.runs = options.runs;
  report.cgroup_version = bench.cgroup_version();

  auto runc = find_binary(options.runc);
  auto crun = find_binary(options.crun);
  auto version_of = [&](const std::optional<std::string>& binary) -> std::string {
    if (!binary) return "";
    std::string out =
        fs::temp_directory_path().string() + "/craton-cbench-version-" + std::to_string(::getpid());
    auto rc = run_to_exit({*binary, "--version"}, out, options.start_timeout_ms);
    std::string v = first_line(read_text(out));
    std::error_code ec;
    fs::remove(out, ec);
    return rc.ok() ? v : "";
  };
  report.runc_version = version_of(runc);
  report.crun_version = version_of(crun);

  Samples both, alone, runc_s, crun_s;
  both.runtime = "craton sandbox+container";
  alone.runtime = "craton container";
  runc_s.runtime = "runc run";
  crun_s.runtime = "crun run";
  if (!runc) runc_s.skipped = "no " + options.runc + " binary";
  if (!crun) crun_s.skipped = "no " + options.crun + " binary";
  if (runc || crun) {
    if (auto s = bench.make_bundle(runc ? *runc : *crun); !s) {
      runc_s.skipped = crun_s.skipped = s.error().message;
      runc.reset();
      crun.reset();
    }
  }
  // crun 1.8 refuses a hybrid host whose cgroup2 holds a controller; then every runtime runs
  // in a private mount namespace without that cgroup2 (see the header).
  if (crun) {
    Samples probe;
    bench.oci_run(*crun, "crun", options.runs, probe);
    if (probe.failures > 0 && probe.first_error.find("hybrid mode") != std::string::npos) {
      if (auto s = hide_hybrid_cgroup2(); !s) {
        crun_s.skipped = probe.first_error + "; and " + s.error().message;
        crun.reset();
      } else {
        report.hybrid_cgroup2_hidden = true;
      }
    }
  }
  // One untimed warm-up round (page cache, first-run costs); its samples are dropped.
  {
    Samples warm;
    bench.sandbox_and_container(options.runs, warm);
    if (runc) bench.oci_run(*runc, "runc", options.runs + 1, warm);
    if (crun) bench.oci_run(*crun, "crun", options.runs + 1, warm);
  }
  // Interleaved rounds: each runtime's samples share the machine's noise.
  for (std::uint32_t round = 0; round < options.runs; ++round) {
    bench.sandbox_and_container(round, both);
    bench.container_alone(round, alone);
    if (runc) bench.oci_run(*runc, "runc", round, runc_s);
    if (crun) bench.oci_run(*crun, "crun", round, crun_s);
  }
  bench.remove_alone_sandbox();

  for (const auto* s : {&both, &alone, &runc_s, &crun_s}) report.runtimes.push_back(summarize(*s));
  const RuntimeStartStats& crun_stats = report.runtimes.back();
  if (crun_stats.runs > 0)
    for (auto& r : report.runtimes) {
      if (r.runs == 0) continue;
      r.p50_ratio_to_crun = r.p50_ms / crun_stats.p50_ms;
      r.mean_ratio_to_crun = r.mean_ms / crun_stats.mean_ms;
    }

  if (options.idle_pods > 0) report.idle = bench.idle_pods(options.idle_pods);
  report.leftovers = bench.leftovers();
  return report;
}

std::string container_bench_json(const ContainerBenchReport& r) {
  nlohmann::json runtimes = nlohmann::json::array();
  for (const auto& s : r.runtimes)
    runtimes.push_back({{"runtime", s.runtime},
                        {"runs", s.runs},
                        {"failures", s.failures},
                        {"mean_ms", s.mean_ms},
                        {"p50_ms", s.p50_ms},
                        {"p90_ms", s.p90_ms},
                        {"p99_ms", s.p99_ms},
                        {"max_ms", s.max_ms},
                        {"p50_ratio_to_crun", s.p50_ratio_to_crun},
                        {"mean_ratio_to_crun", s.mean_ratio_to_crun},
                        {"skipped", s.skipped},
                        {"note", s.note},
                        {"first_error", s.first_error}});
  const auto& i = r.idle;
  nlohmann::json idle{{"pods", i.pods},
                      {"running", i.running},
                      {"start_seconds", i.start_seconds},
                      {"shims", i.shims},
                      {"shim_rss_bytes", i.shim_rss_bytes},
                      {"shim_pss_bytes", i.shim_pss_bytes},
                      {"shim_cpu_seconds", i.shim_cpu_seconds},
                      {"shim_idle_cpu_percent", i.shim_idle_cpu_percent},
                      {"container_rss_bytes", i.container_rss_bytes},
                      {"bench_rss_bytes", i.bench_rss_bytes},
                      {"bench_peak_rss_bytes", i.bench_peak_rss_bytes},
                      {"bench_cpu_seconds", i.bench_cpu_seconds},
                      {"remove_seconds", i.remove_seconds},
                      {"first_error", i.first_error}};
  nlohmann::json j{{"runs", r.runs},
                   {"cgroup_version", r.cgroup_version},
                   {"runc_version", r.runc_version},
                   {"crun_version", r.crun_version},
                   {"hybrid_cgroup2_hidden", r.hybrid_cgroup2_hidden},
                   {"runtimes", runtimes},
                   {"idle", idle},
                   {"leftovers", r.leftovers}};
  return j.dump();
}

std::string container_bench_text(const ContainerBenchReport& r) {
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "%u interleaved rounds, cgroups %s, %s, %s\n"
                "%-26s %5s %5s %9s %9s %9s %9s %9s %10s\n",
                r.runs, r.cgroup_version.c_str(),
                r.runc_version.empty() ? "no runc" : r.runc_version.c_str(),
                r.crun_version.empty() ? "no crun" : r.crun_version.c_str(), "start until exited",
                "ok", "fail", "mean ms", "p50 ms", "p90 ms", "p99 ms", "max ms", "p50/crun");
  out += buf;
  if (r.hybrid_cgroup2_hidden)
    out +=
        "(hybrid host: every runtime ran in a mount namespace without /sys/fs/cgroup/unified, "
        "which crun refuses)\n";
  for (const auto& s : r.runtimes) {
    if (!s.skipped.empty()) {
      out += "  " + s.runtime + ": skipped (" + s.skipped + ")\n";
      continue;
    }
    std::snprintf(buf, sizeof buf, "%-26s %5u %5u %9.2f %9.2f %9.2f %9.2f %9.2f %10.2f\n",
                  s.runtime.c_str(), s.runs, s.failures, s.mean_ms, s.p50_ms, s.p90_ms, s.p99_ms,
                  s.max_ms, s.p50_ratio_to_crun);
    out += buf;
    if (!s.note.empty()) out += "  note: " + s.note + "\n";
    if (!s.first_error.empty()) out += "  first error: " + s.first_error + "\n";
  }
  const auto& i = r.idle;
  if (i.pods > 0) {
    auto mib = [](std::uint64_t b) { return double(b) / (1024.0 * 1024.0); };
    std::snprintf(
        buf, sizeof buf,
        "%u idle pods (sleep 3600): %u running, started in %.2f s, removed in %.2f s\n"
        "  shims: %u, RSS %.1f MiB (%.0f KiB each), PSS %.1f MiB, CPU %.2f s since "
        "start, %.3f%% of a core idle\n"
        "  containers RSS %.1f MiB; bench process RSS %.1f MiB (peak %.1f MiB), "
        "CPU %.2f s starting them\n",
        i.pods, i.running, i.start_seconds, i.remove_seconds, i.shims, mib(i.shim_rss_bytes),
        i.shims ? double(i.shim_rss_bytes) / 1024.0 / i.shims : 0.0, mib(i.shim_pss_bytes),
        i.shim_cpu_seconds, i.shim_idle_cpu_percent, mib(i.container_rss_bytes),
        mib(i.bench_rss_bytes), mib(i.bench_peak_rss_bytes), i.bench_cpu_seconds);
    out += buf;
    if (!i.first_error.empty()) out += "  first error: " + i.first_error + "\n";
  }
  out += r.leftovers.empty() ? "nothing left behind\n"
                             : "LEFT BEHIND: " + std::to_string(r.leftovers.size()) + " items\n";
  for (const auto& l : r.leftovers) out += "  " + l + "\n";
  return out;
}

}  // namespace craton::bench
