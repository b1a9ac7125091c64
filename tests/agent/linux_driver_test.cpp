// The Linux driver on a real kernel (needs root): containers are PID 1 of their own PID
// namespace with the pod's hostname, their mounts and the host's do not leak into each other,
// memory and pids limits hold (OOMKilled, 137), exec enters the container, logs rotate, a new
// driver over the same state re-adopts a running container without starting a second, and
// remove_sandbox leaves no mount, cgroup, namespace or file behind. The image is a temp dir
// holding Debian's static busybox and its applet links (the image store is another part).
#define BOOST_TEST_MODULE agent_linux_driver
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "actors/agent/linux/cgroups.hpp"
#include "actors/agent/linux/linux_driver.hpp"
#include "actors/agent/linux/log_file.hpp"
#include "tests/agent/busybox_layer.hpp"

using namespace craton;
using namespace craton::agent;
using testing::BusyboxImages;
using testing::make_busybox_layer;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Waits up to 60 s (a loaded machine is slow, never this slow) for `condition`.
bool eventually(const std::function<bool()>& condition) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

/// A driver over a fresh temp state, log dir and cgroup root, all removed at the end even
/// when a check failed.
struct DriverFixture {
  std::string base;
  std::string cgroup_root;
  std::unique_ptr<BusyboxImages> images;
  LoopbackOnlyNetwork network;
  LinuxDriverConfig config;
  std::unique_ptr<LinuxDriver> driver;

  DriverFixture() {
    char pattern[] = "/tmp/craton-ld-XXXXXX";
    base = ::mkdtemp(pattern);
    cgroup_root = "craton-test-" + fs::path(base).filename().string();
    make_busybox_layer(base + "/layer");
    images = std::make_unique<BusyboxImages>(base + "/layer");
    config.state_dir = base + "/state";
    config.log_dir = base + "/logs";
    config.cgroup_root = cgroup_root;
    config.shim_command = {CRATON_TEST_SHIM};
    driver = std::make_unique<LinuxDriver>(config, *images, network);
  }

  ~DriverFixture() {
    for (const auto& pod : driver->list()) (void)driver->remove_sandbox(pod.sandbox.pod_uid);
    (void)linux_driver::remove_cgroup_tree(driver->cgroup_version(), cgroup_root, 10000);
    fs::remove_all(base);
  }

  SandboxStatus sandbox(const std::string& uid, const std::string& name = "web-0") {
    auto status = driver->start_sandbox({uid, "default", name, name, false});
    BOOST_REQUIRE_MESSAGE(status.ok(), (status.ok() ? std::string() : status.error().message));
    return status.value();
  }

  ContainerStatus start(const std::string& uid, ContainerSpec spec, int attempt = 0) {
    if (spec.image.empty()) spec.image = "busybox";
    auto status = driver->start_container(uid, spec, attempt);
    BOOST_REQUIRE_MESSAGE(status.ok(), (status.ok() ? std::string() : status.error().message));
    return status.value();
  }

  std::optional<ContainerStatus> status_of(const std::string& uid, const std::string& name,
                                           int attempt = 0) {
    for (const auto& pod : driver->list()) {
      if (pod.sandbox.pod_uid != uid) continue;
      for (const auto& c : pod.containers)
        if (c.name == name && c.attempt == attempt) return c;
    }
    return std::nullopt;
  }

  ContainerStatus wait_exited(const std::string& uid, const std::string& name, int attempt = 0) {
    std::optional<ContainerStatus> last;
    bool exited = eventually([&] {
      last = status_of(uid, name, attempt);
      return last && last->state == ContainerState::exited;
    });
    BOOST_REQUIRE_MESSAGE(exited, "container " + name + " did not exit");
    return *last;
  }

  std::string log_of(const std::string& uid, const std::string& name) {
    auto chunk = driver->read_log(uid, name, {});
    return chunk.ok() ? chunk->data : "error: " + chunk.error().message;
  }
};

/// A listening socket on 127.0.0.1 and a kernel-chosen port.
int listen_on_loopback(int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::listen(fd, 4);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  return fd;
}

/// Answers one HTTP request on `listener` with `status_line`.
std::thread answer_once(int listener, std::string status_line) {
  return std::thread([listener, status_line] {
    int client = ::accept(listener, nullptr, nullptr);
    if (client < 0) return;
    char buf[4096];
    (void)::recv(client, buf, sizeof buf, 0);
    std::string reply = status_line + "\r\nContent-Length: 0\r\n\r\n";
    (void)::send(client, reply.data(), reply.size(), MSG_NOSIGNAL);
    ::close(client);
  });
}

ContainerSpec shell(const std::string& name, const std::string& script) {
  ContainerSpec spec;
  spec.name = name;
  spec.command = {"sh", "-c", script};
  return spec;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_container_is_pid_1_with_the_pods_hostname_and_image_env, DriverFixture) {
  sandbox("uid-a", "web-0");
  auto spec = shell("main", "echo pid=$$; hostname; echo path=$PATH; cat /proc/1/cmdline");
  auto begin = std::chrono::steady_clock::now();
  auto started = start("uid-a", spec);
  BOOST_TEST_MESSAGE("start_container took "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - begin)
                            .count()
                     << " ms");
  BOOST_TEST(started.container_id.rfind("craton://", 0) == 0u);
  BOOST_TEST(started.image_id == "sha256:" + std::string(64, 'b'));
  auto exited = wait_exited("uid-a", "main");
  BOOST_TEST(exited.exit_code == 0);
  BOOST_TEST(exited.reason == "Completed");
  std::string log = log_of("uid-a", "main");
  BOOST_TEST(log.find("pid=1\n") != std::string::npos, log);
  BOOST_TEST(log.find("web-0\n") != std::string::npos, log);
  BOOST_TEST(log.find("path=/bin\n") != std::string::npos, log);
}

BOOST_FIXTURE_TEST_CASE(exit_codes_and_start_errors_are_reported, DriverFixture) {
  sandbox("uid-b");
  start("uid-b", shell("fails", "exit 3"));
  auto exited = wait_exited("uid-b", "fails");
  BOOST_TEST(exited.exit_code == 3);
  BOOST_TEST(exited.reason == "Error");

  ContainerSpec missing;
  missing.name = "missing";
  missing.image = "busybox";
  missing.command = {"no-such-binary"};
  auto failed = driver->start_container("uid-b", missing, 0);
  BOOST_REQUIRE(!failed.ok());
  BOOST_TEST(failed.error().code == driver_error::start_failed);
  BOOST_TEST(failed.error().message.find("not found") != std::string::npos, failed.error().message);
  for (const auto& dir :
       linux_driver::cgroup_dirs(driver->cgroup_version(), cgroup_root + "/uid-b/missing_0"))
    BOOST_TEST(!fs::exists(dir), dir);
  BOOST_TEST(!fs::exists(base + "/state/pods/uid-b/containers/missing/0"));
  BOOST_TEST(!fs::exists(base + "/logs/uid-b/missing/0"));

  missing.image = "nginx";
  BOOST_TEST(driver->start_container("uid-b", missing, 0).error().code ==
             driver_error::image_not_found);
  BOOST_TEST(driver->start_container("uid-none", missing, 0).error().code ==
             driver_error::no_sandbox);
}

BOOST_FIXTURE_TEST_CASE(container_and_host_mounts_do_not_leak_into_each_other, DriverFixture) {
  sandbox("uid-c");
  fs::create_directories(base + "/volume");
  std::ofstream(base + "/volume/hello") << "from the host\n";
  auto spec = shell("main", "cat /data/hello; cat /proc/self/mountinfo; sleep 1000");
  spec.mounts = {{base + "/volume", "/data", true}};
  start("uid-c", spec);
  BOOST_REQUIRE(
      eventually([&] { return log_of("uid-c", "main").find("overlay") != std::string::npos; }));
  std::string inside = log_of("uid-c", "main");
  BOOST_TEST(inside.find("from the host") != std::string::npos, inside);
  BOOST_TEST(inside.find("/sys/fs/cgroup") == std::string::npos, inside);  // a host mount
  std::string host = slurp("/proc/self/mountinfo");
  BOOST_TEST(host.find(base + "/state/pods/uid-c/containers") == std::string::npos);
  auto exec = driver->exec("uid-c", "main", {"sh", "-c", "touch /data/x"}, 30000);
  BOOST_REQUIRE(exec.ok());
  BOOST_TEST(exec->exit_code != 0);  // the volume is read-only
}

BOOST_FIXTURE_TEST_CASE(memory_limit_kills_with_137_reported_as_oom_killed, DriverFixture) {
  sandbox("uid-d");
  ContainerSpec spec;
  spec.name = "hog";
  spec.command = {"tail", "/dev/zero"};  // buffers forever looking for a newline
  spec.resources.memory_limit_bytes = 16 * 1024 * 1024;
  start("uid-d", spec);
  auto exited = wait_exited("uid-d", "hog");
  BOOST_TEST(exited.exit_code == 137);
  BOOST_TEST(exited.reason == "OOMKilled");
}

BOOST_FIXTURE_TEST_CASE(pids_limit_stops_forks, DriverFixture) {
  sandbox("uid-e");
  // With 4 pids, the shell and three sleeps fill the cgroup; the fourth fork fails and a
  // non-interactive shell gives up, which ends the container.
  auto spec = shell("forker", "for i in 1 2 3 4 5 6 7 8 9 10; do sleep 1000 & done; echo all");
  spec.resources.pids_limit = 4;
  start("uid-e", spec);
  auto exited = wait_exited("uid-e", "forker");
  BOOST_TEST(exited.exit_code != 0);
  std::string log = log_of("uid-e", "forker");
  BOOST_TEST(log.find("can't fork") != std::string::npos, log);
  BOOST_TEST(log.find("all") == std::string::npos, log);
}

BOOST_FIXTURE_TEST_CASE(exec_runs_in_the_containers_namespaces, DriverFixture) {
  sandbox("uid-f", "exec-pod");
  start("uid-f", shell("main", "sleep 1000"));
  auto result =
      driver->exec("uid-f", "main", {"sh", "-c", "hostname; cat /proc/1/cmdline; exit 4"}, 30000);
  BOOST_REQUIRE_MESSAGE(result.ok(), (result.ok() ? std::string() : result.error().message));
  BOOST_TEST(result->exit_code == 4);
  BOOST_TEST(result->output.find("exec-pod") != std::string::npos, result->output);
  BOOST_TEST(result->output.find("sleep") != std::string::npos, result->output);
  auto timed_out = driver->exec("uid-f", "main", {"sleep", "1000"}, 500);
  BOOST_TEST(timed_out.error().code == driver_error::timeout);
  BOOST_TEST(driver->signal_container("uid-f", "main", SIGKILL).ok());
  BOOST_TEST(wait_exited("uid-f", "main").exit_code == 137);
}

BOOST_FIXTURE_TEST_CASE(logs_rotate_past_max_bytes_and_tail_reads_the_newest, DriverFixture) {
  sandbox("uid-g");
  auto spec = shell("chatty",
                    "i=0; while [ $i -lt 2000 ]; do echo line-$i-padding-padding-padding; "
                    "i=$((i+1)); done; echo oops >&2");
  spec.log_max_bytes = 8192;
  spec.log_max_files = 2;
  start("uid-g", spec);
  wait_exited("uid-g", "chatty");
  auto segments = linux_driver::list_log_segments(base + "/logs/uid-g/chatty/0");
  BOOST_TEST(segments.size() == 3u);
  for (const auto& s : segments) BOOST_TEST(s.size_bytes <= 8192);
  LogQuery tail;
  tail.tail_lines = 2;
  auto last = driver->read_log("uid-g", "chatty", tail);
  BOOST_TEST(last->data == "line-1999-padding-padding-padding\noops\n");
  BOOST_TEST(last->finished);
  auto all = driver->read_log("uid-g", "chatty", {});
  BOOST_TEST(all->data.rfind("line-0-", 0) != 0u);  // rotated away
}

BOOST_FIXTURE_TEST_CASE(a_new_driver_readopts_running_containers_without_a_second_start,
                        DriverFixture) {
  sandbox("uid-h");
  auto first = start("uid-h", shell("main", "echo once; sleep 1000"));
  driver.reset();
  driver = std::make_unique<LinuxDriver>(config, *images, network);
  auto seen = status_of("uid-h", "main");
  BOOST_REQUIRE(seen.has_value());
  BOOST_TEST((seen->state == ContainerState::running));
  BOOST_TEST(seen->container_id == first.container_id);
  auto again = start("uid-h", shell("main", "echo once; sleep 1000"));
  BOOST_TEST(again.container_id == first.container_id);
  auto pids = linux_driver::cgroup_processes(driver->cgroup_version(), cgroup_root + "/uid-h");
  BOOST_TEST(pids.size() == 1u);
  BOOST_TEST(driver->list().size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(remove_sandbox_leaves_nothing_behind, DriverFixture) {
  auto cgroup_dirs = [&] {
    std::set<std::string> found;
    for (const auto& dir : linux_driver::cgroup_dirs(driver->cgroup_version(), cgroup_root)) {
      std::error_code ec;
      for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
           it.increment(ec))
        if (it->is_directory()) found.insert(it->path().string());
    }
    return found;
  };
  // Only mounts under this test's directory: other processes on the host mount things too.
  auto our_mounts = [&] {
    std::istringstream all(slurp("/proc/self/mountinfo"));
    std::string line, ours;
    while (std::getline(all, line))
      if (line.find(base) != std::string::npos) ours += line + "\n";
    return ours;
  };
  std::string mounts_before = our_mounts();
  auto cgroups_before = cgroup_dirs();
  sandbox("uid-i");
  fs::create_directories(base + "/volume");
  auto spec = shell("one", "sleep 1000");
  spec.mounts = {{base + "/volume", "/data", false}};
  start("uid-i", spec);
  start("uid-i", shell("two", "sleep 1000 & sleep 1000"));
  BOOST_TEST(our_mounts().find("uid-i/ns/net") != std::string::npos);
  BOOST_REQUIRE(driver->remove_sandbox("uid-i").ok());
  BOOST_TEST(driver->remove_sandbox("uid-i").ok());  // idempotent
  BOOST_TEST(our_mounts() == mounts_before);
  BOOST_TEST(cgroup_dirs() == cgroups_before);
  BOOST_TEST(!fs::exists(base + "/state/pods/uid-i"));
  BOOST_TEST(!fs::exists(base + "/logs/uid-i"));
  BOOST_TEST(driver->list().empty());
}

BOOST_FIXTURE_TEST_CASE(a_sandbox_needs_no_shim_and_leaves_the_agents_namespaces_alone,
                        DriverFixture) {
  auto inode = [](const std::string& path) {
    struct stat st {};
    BOOST_REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_ino;
  };
  auto host_net = inode("/proc/thread-self/ns/net");
  auto host_uts = inode("/proc/thread-self/ns/uts");
  char host[256] = {};
  ::gethostname(host, sizeof host);
  // A shim that cannot run: the sandbox is made by the driver's own short-lived thread.
  LinuxDriverConfig no_shim = config;
  no_shim.shim_command = {"/bin/false"};
  LinuxDriver without_shim(no_shim, *images, network);
  auto status = without_shim.start_sandbox({"uid-s", "default", "nosh", "nosh", false});
  BOOST_REQUIRE_MESSAGE(status.ok(), (status.ok() ? std::string() : status.error().message));
  std::string ns = base + "/state/pods/uid-s/ns/";
  BOOST_TEST(inode(ns + "net") != host_net);
  BOOST_TEST(inode(ns + "uts") != host_uts);
  BOOST_TEST(inode("/proc/thread-self/ns/net") == host_net);
  char after[256] = {};
  ::gethostname(after, sizeof after);
  BOOST_TEST(std::string(after) == std::string(host));
  start("uid-s", shell("main", "hostname"));
  wait_exited("uid-s", "main");
  BOOST_TEST(log_of("uid-s", "main") == "nosh\n");
  BOOST_TEST(without_shim.remove_sandbox("uid-s").ok());
}

BOOST_FIXTURE_TEST_CASE(host_network_pods_share_the_nodes_network_and_hostname, DriverFixture) {
  auto status = driver->start_sandbox({"uid-j", "default", "hostnet", "hostnet", true});
  BOOST_REQUIRE(status.ok());
  char host[256] = {};
  ::gethostname(host, sizeof host);
  start("uid-j", shell("main", "hostname"));
  wait_exited("uid-j", "main");
  BOOST_TEST(log_of("uid-j", "main") == std::string(host) + "\n");
}

BOOST_FIXTURE_TEST_CASE(containers_survive_a_sigkilled_agent_and_are_readopted, DriverFixture) {
  sandbox("uid-k");
  int ready[2];
  BOOST_REQUIRE(::pipe(ready) == 0);
  pid_t agent = ::fork();
  BOOST_REQUIRE(agent >= 0);
  if (agent == 0) {
    // A throwaway agent: starts the container, says so, and dies without any cleanup.
    LinuxDriver doomed(config, *images, network);
    ContainerSpec spec = shell("main", "echo up; sleep 1000");
    spec.image = "busybox";
    auto started = doomed.start_container("uid-k", spec, 0);
    char byte = started.ok() ? 'y' : 'n';
    (void)::write(ready[1], &byte, 1);
    ::raise(SIGKILL);
  }
  ::close(ready[1]);
  char byte = 0;
  BOOST_REQUIRE(::read(ready[0], &byte, 1) == 1);
  ::close(ready[0]);
  BOOST_REQUIRE(byte == 'y');
  int status = 0;
  ::waitpid(agent, &status, 0);
  BOOST_TEST(WIFSIGNALED(status));
  auto seen = status_of("uid-k", "main");
  BOOST_REQUIRE(seen.has_value());
  BOOST_TEST((seen->state == ContainerState::running));
  BOOST_TEST(eventually([&] { return log_of("uid-k", "main") == "up\n"; }));
  ContainerSpec same = shell("main", "echo up; sleep 1000");
  same.image = "busybox";
  auto again = driver->start_container("uid-k", same, 0);
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(again->container_id == seen->container_id);
  BOOST_TEST(
      linux_driver::cgroup_processes(driver->cgroup_version(), cgroup_root + "/uid-k").size() ==
      1u);
}

BOOST_FIXTURE_TEST_CASE(tcp_and_http_probes_follow_the_kubelets_rules, DriverFixture) {
  int port = 0;
  int listener = listen_on_loopback(port);
  BOOST_TEST((driver->probe_tcp({"127.0.0.1", port, 5000}) == ProbeOutcome::success));
  ::close(::accept(listener, nullptr, nullptr));  // the TCP probe's connection
  auto ok = answer_once(listener, "HTTP/1.1 302 Found");
  BOOST_TEST((driver->probe_http({"127.0.0.1", port, "/healthz", "HTTP", {}, 5000}) ==
              ProbeOutcome::success));
  ok.join();
  auto bad = answer_once(listener, "HTTP/1.1 500 Internal Server Error");
  BOOST_TEST((driver->probe_http({"127.0.0.1", port, "/healthz", "HTTP", {{"X-A", "b"}}, 5000}) ==
              ProbeOutcome::failure));
  bad.join();
  ::close(listener);
  BOOST_TEST((driver->probe_tcp({"127.0.0.1", port, 5000}) == ProbeOutcome::failure));
}

BOOST_FIXTURE_TEST_CASE(https_probes_skip_certificate_verification, DriverFixture) {
  std::string key = base + "/probe.key";
  std::string cert = base + "/probe.crt";
  std::string make_cert = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + key + " -out " +
                          cert + " -subj /CN=probe -days 1 >/dev/null 2>&1";
  BOOST_REQUIRE(std::system(make_cert.c_str()) == 0);
  int port = 0;
  ::close(listen_on_loopback(port));  // a free port for the server
  pid_t server = ::fork();
  BOOST_REQUIRE(server >= 0);
  if (server == 0) {
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    std::string accept = std::to_string(port);
    ::execlp("openssl", "openssl", "s_server", "-accept", accept.c_str(), "-cert", cert.c_str(),
             "-key", key.c_str(), "-www", "-quiet", nullptr);
    ::_exit(127);
  }
  HttpProbe probe{"127.0.0.1", port, "/", "HTTPS", {}, 5000};
  BOOST_TEST(eventually([&] { return driver->probe_http(probe) == ProbeOutcome::success; }));
  probe.scheme = "HTTP";  // plain HTTP to a TLS server answers no status line
  BOOST_TEST((driver->probe_http(probe) == ProbeOutcome::failure));
  ::kill(server, SIGKILL);
  ::waitpid(server, nullptr, 0);
}

BOOST_FIXTURE_TEST_CASE(cpu_request_and_limit_become_shares_and_quota, DriverFixture) {
  sandbox("uid-l");
  auto spec = shell("main", "sleep 1000");
  spec.resources.cpu_request_milli = 250;
  spec.resources.cpu_limit_milli = 500;
  start("uid-l", spec);
  std::string path = cgroup_root + "/uid-l/main_0";
  if (driver->cgroup_version() == linux_driver::CgroupVersion::v1) {
    std::string cpu = std::string(linux_driver::kCgroupMount) + "/cpu/" + path;
    BOOST_TEST(slurp(cpu + "/cpu.shares") == "256\n");
    BOOST_TEST(slurp(cpu + "/cpu.cfs_quota_us") == "50000\n");
    BOOST_TEST(slurp(cpu + "/cpu.cfs_period_us") == "100000\n");
  } else {
    std::string dir = std::string(linux_driver::kCgroupMount) + "/" + path;
    BOOST_TEST(slurp(dir + "/cpu.weight") == "10\n");
    BOOST_TEST(slurp(dir + "/cpu.max") == "50000 100000\n");
  }
}

BOOST_FIXTURE_TEST_CASE(each_attempt_has_its_own_log_and_remove_container_forgets_it,
                        DriverFixture) {
  sandbox("uid-m");
  start("uid-m", shell("main", "echo first"), 0);
  wait_exited("uid-m", "main", 0);
  start("uid-m", shell("main", "echo second"), 1);
  wait_exited("uid-m", "main", 1);
  BOOST_TEST(log_of("uid-m", "main") == "second\n");
  LogQuery previous;
  previous.attempt = 0;
  BOOST_TEST(driver->read_log("uid-m", "main", previous)->data == "first\n");
  BOOST_TEST(driver->remove_container("uid-m", "main", 0).ok());
  BOOST_TEST(driver->remove_container("uid-m", "main", 0).ok());  // idempotent
  BOOST_TEST(driver->read_log("uid-m", "main", previous).error().code ==
             driver_error::no_container);
  BOOST_TEST(!status_of("uid-m", "main", 0).has_value());
  BOOST_TEST(status_of("uid-m", "main", 1).has_value());
}

BOOST_FIXTURE_TEST_CASE(list_and_read_log_run_beside_starts_and_removals, DriverFixture) {
  // The agent's log server calls these from its own threads at any time.
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    while (!stop) {
      for (const auto& pod : driver->list())
        for (const auto& c : pod.containers)
          (void)driver->read_log(pod.sandbox.pod_uid, c.name, {});
      ++reads;
    }
  });
  for (int round = 0; round < 5; ++round) {
    std::string uid = "uid-n" + std::to_string(round);
    sandbox(uid);
    start(uid,
          shell("main", "i=0; while [ $i -lt 200 ]; do echo $i; i=$((i+1)); done; sleep 1000"));
    BOOST_TEST(driver->remove_sandbox(uid).ok());
  }
  stop = true;
  reader.join();
  BOOST_TEST(reads > 0);
  BOOST_TEST(driver->list().empty());
}
