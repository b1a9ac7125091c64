// Several pods' driver calls at once, as the agent's JobRunner makes them with workers > 1: the
// Linux driver over a real pod network (root: a bridge, veths, namespaces, cgroups, overlay
// mounts of this test's own, removed at the end even when a check failed) and the fake
// driver. 20 pods are started from 5 threads while another thread lists the host and reads
// logs without pause; every pod gets its own address, every container runs, and removing them
// all at once (again from 5 threads) leaves no pod, veth, address, cgroup or file behind.
// The shims must not inherit the agent's descriptors: a shim holding a copy of an API server's
// socket keeps the port bound and a closed connection open after the agent let go of it.
#define BOOST_TEST_MODULE agent_driver_concurrency
#include <boost/test/unit_test.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "actors/agent/fake/fake_driver.hpp"
#include "actors/agent/linux/cgroups.hpp"
#include "actors/agent/linux/linux_driver.hpp"
#include "actors/agent/linux/state_files.hpp"
#include "actors/agent/podnet/pod_network.hpp"
#include "tests/agent/busybox_layer.hpp"
#include "tests/agent/shell_commands.hpp"

using namespace craton;
using namespace craton::agent;
using testing::BusyboxImages;
using testing::make_busybox_layer;
namespace fs = std::filesystem;

namespace {

constexpr int kPods = 20;
constexpr int kThreads = 5;

using craton::agent::testing::output_of;
using craton::agent::testing::run;

/// A /24 of 10.253.0.0/16 that no route of the host uses yet.
std::string free_cidr() {
  std::string routes = output_of("ip -4 route show table all");
  for (unsigned i = 0; i < 256; ++i) {
    std::string prefix = "10.253." + std::to_string((unsigned(::getpid()) + i) % 256) + ".";
    if (routes.find(prefix) == std::string::npos) return prefix + "0/24";
  }
  BOOST_FAIL("no free /24 in 10.253.0.0/16");
  return "";
}

/// Runs `work(i)` for i in [0, kPods) on kThreads threads, pods dealt round-robin.
void on_threads(const std::function<void(int)>& work) {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([t, &work] {
      for (int i = t; i < kPods; i += kThreads) work(i);
    });
  for (auto& thread : threads) thread.join();
}

/// Lists the host and reads every log without pause until stopped, as the agent's periodic
/// list() and its log server do while pods start and go; counts what it did.
class Reader {
 public:
  explicit Reader(PodDriver& driver)
      : thread_([this, &driver] {
          while (!stop_) {
            for (const auto& pod : driver.list())
              for (const auto& c : pod.containers)
                (void)driver.read_log(pod.sandbox.pod_uid, c.name, {});
            ++lists_;
          }
        }) {}
  ~Reader() { stop(); }
  int stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return lists_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> lists_{0};
  std::thread thread_;
};

std::string uid_of(int i) {
  return "conc-" + std::to_string(::getpid()) + "-" + std::to_string(i);
}

/// What every pod's start returned (threads write their own slots).
struct Started {
  std::array<std::string, kPods> ip;
  std::array<std::string, kPods> error;
};

Started start_all(PodDriver& driver, const std::vector<std::string>& command) {
  Started out;
  on_threads([&](int i) {
    std::string uid = uid_of(i);
    auto sandbox =
        driver.start_sandbox({uid, "default", "p" + std::to_string(i), "p" + std::to_string(i)});
    if (!sandbox) {
      out.error[i] = "sandbox: " + sandbox.error().message;
      return;
    }
    out.ip[i] = sandbox->pod_ip;
    ContainerSpec spec;
    spec.name = "main";
    spec.image = "busybox";
    spec.command = command;
    auto started = driver.start_container(uid, spec, 0);
    if (!started) out.error[i] = "container: " + started.error().message;
  });
  return out;
}

/// Every pod of this test the driver lists with its container running.
int running_pods(PodDriver& driver) {
  int running = 0;
  for (const auto& pod : driver.list()) {
    if (pod.sandbox.pod_uid.rfind("conc-", 0) != 0) continue;
    for (const auto& c : pod.containers)
      if (c.name == "main" && c.state == ContainerState::running) ++running;
  }
  return running;
}

void remove_all(PodDriver& driver, std::array<std::string, kPods>& errors) {
  on_threads([&](int i) {
    if (auto s = driver.remove_sandbox(uid_of(i)); !s) errors[i] = s.error().message;
  });
}

void check_started(const Started& started, const std::string& cidr_prefix) {
  std::set<std::string> ips;
  for (int i = 0; i < kPods; ++i) {
    BOOST_TEST_CONTEXT("pod " << i) {
      BOOST_TEST(started.error[i] == "");
      BOOST_TEST(started.ip[i].rfind(cidr_prefix, 0) == 0);
      ips.insert(started.ip[i]);
    }
  }
  BOOST_TEST(ips.size() == std::size_t(kPods));  // two pods never share an address
}

/// A Linux driver over a fresh state dir, cgroup root and bridge of its own; everything is
/// removed at the end, whatever the checks said.
struct LinuxHost {
  std::string base, cgroup_root, bridge, cidr;
  std::unique_ptr<BusyboxImages> images;
  std::unique_ptr<PodNetwork> network;
  std::unique_ptr<LinuxDriver> driver;

  LinuxHost() {
    char pattern[] = "/tmp/craton-conc-XXXXXX";
    base = ::mkdtemp(pattern);
    cgroup_root = "craton-conc-" + fs::path(base).filename().string();
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%x", unsigned(::getpid()) & 0xfffffu);
    bridge = std::string("crcc") + suffix;
    cidr = free_cidr();
    make_busybox_layer(base + "/layer");
    images = std::make_unique<BusyboxImages>(base + "/layer");
    PodNetworkConfig net;
    net.bridge_name = bridge;
    net.pod_cidr = cidr;
    net.state_dir = base + "/network";
    net.enable_forwarding = false;  // pods on one bridge need no routing; leave the host alone
    net.masquerade = false;
    auto made = PodNetwork::create(net);
    BOOST_REQUIRE_MESSAGE(made.ok(), (made.ok() ? "" : made.error().message));
    network = std::move(*made);
    LinuxDriverConfig config;
    config.state_dir = base + "/state";
    config.log_dir = base + "/logs";
    config.cgroup_root = cgroup_root;
    config.shim_command = {CRATON_TEST_SHIM};
    driver = std::make_unique<LinuxDriver>(config, *images, *network);
  }

  ~LinuxHost() {
    for (const auto& pod : driver->list()) (void)driver->remove_sandbox(pod.sandbox.pod_uid);
    (void)linux_driver::remove_cgroup_tree(driver->cgroup_version(), cgroup_root, 10000);
    (void)network->teardown();
    if (run("ip link show dev " + bridge) == 0) run("ip link del " + bridge);
    std::error_code ec;
    fs::remove_all(base, ec);
  }

  std::string prefix() const { return cidr.substr(0, cidr.rfind('.') + 1); }

  /// Host-side veths of this network still on the host.
  int veths_left() const {
    int left = 0;
    for (int i = 0; i < kPods; ++i)
      if (run("ip link show dev " + PodNetwork::host_veth_name(uid_of(i))) == 0) ++left;
    return left;
  }

  /// The descriptors a pod's shim holds, as /proc shows them ("fd -> target" per line).
  std::vector<std::string> shim_descriptors(const std::string& uid) const {
    auto text = linux_driver::read_file(driver->pod_dir(uid) + "/containers/main/0/started.json");
    BOOST_REQUIRE(text.ok());
    auto started = linux_driver::decode_container_started(text.value());
    BOOST_REQUIRE(started.ok());
    std::vector<std::string> out;
    std::string dir = "/proc/" + std::to_string(started->shim_pid) + "/fd";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      std::error_code link_ec;
      out.push_back(entry.path().filename().string() + " -> " +
                    fs::read_symlink(entry.path(), link_ec).string());
    }
    return out;
  }
};

/// A socket made as Boost.Asio makes its sockets: without close-on-exec.
struct InheritableSocket {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ~InheritableSocket() { ::close(fd); }
  std::string target() const {
    std::error_code ec;
    return fs::read_symlink("/proc/self/fd/" + std::to_string(fd), ec).string();
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(twenty_pods_start_and_go_at_once_on_the_linux_driver) {
  LinuxHost host;
  InheritableSocket agent_socket;  // an API server's connection in the same process
  BOOST_REQUIRE(agent_socket.fd >= 0);
  Reader reader(*host.driver);
  auto started = start_all(*host.driver, {"sleep", "3600"});
  check_started(started, host.prefix());
  BOOST_TEST(running_pods(*host.driver) == kPods);
  BOOST_TEST(host.network->gateway() == host.prefix() + "1");
  for (int i = 0; i < kPods; ++i) {
    BOOST_TEST_CONTEXT("pod " << i) {
      // The pod's namespace holds its own address on eth0.
      std::string addresses = output_of("nsenter --net=" + host.driver->pod_dir(uid_of(i)) +
                                        "/ns/net ip -4 -o addr show dev eth0");
      BOOST_TEST(addresses.find(started.ip[i] + "/24") != std::string::npos, addresses);
    }
  }
  for (const auto& fd : host.shim_descriptors(uid_of(0)))
    BOOST_TEST(fd.find(agent_socket.target()) == std::string::npos, "the shim holds " << fd);

  std::array<std::string, kPods> errors;
  remove_all(*host.driver, errors);
  BOOST_TEST(reader.stop() > 0);
  for (int i = 0; i < kPods; ++i) BOOST_TEST(errors[i] == "", "pod " << i);
  BOOST_TEST(host.driver->list().empty());
  BOOST_TEST(host.veths_left() == 0);
  auto ipam = Ipam::open(host.cidr, host.base + "/network");
  BOOST_REQUIRE(ipam.ok());
  BOOST_TEST(ipam->allocations().empty());
  BOOST_TEST(
      linux_driver::cgroup_processes(host.driver->cgroup_version(), host.cgroup_root).empty());
  BOOST_TEST(linux_driver::directory_entries(host.base + "/state/pods").empty());
  BOOST_TEST(linux_driver::directory_entries(host.base + "/logs").empty());
}

BOOST_AUTO_TEST_CASE(twenty_pods_start_and_go_at_once_on_the_fake_driver) {
  std::atomic<std::int64_t> clock{1'000'000};
  FakeDriver driver([&clock] { return clock.fetch_add(1); });
  Reader reader(driver);
  auto started = start_all(driver, {"sleep", "3600"});
  check_started(started, "10.88.");
  BOOST_TEST(running_pods(driver) == kPods);
  std::array<std::string, kPods> errors;
  remove_all(driver, errors);
  BOOST_TEST(reader.stop() > 0);
  for (int i = 0; i < kPods; ++i) BOOST_TEST(errors[i] == "", "pod " << i);
  BOOST_TEST(driver.list().empty());
}
