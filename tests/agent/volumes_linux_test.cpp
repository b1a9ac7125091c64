// Volumes and env references end to end on a real kernel (root): a PodSync drives the Linux
// driver and PodVolumes as the agent's service would; a busybox container reads a configMap
// file, a secret file (on tmpfs) and an env var from a Secret, then waits until a changed
// ConfigMap reaches its mounted file whole; deleting the pod removes its volumes and mounts.
#define BOOST_TEST_MODULE agent_volumes_linux
#include <boost/test/unit_test.hpp>

#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "actors/agent/linux/cgroups.hpp"
#include "actors/agent/linux/linux_driver.hpp"
#include "actors/agent/volumes/pod_volumes.hpp"
#include "actors/agent/volumes/volume_setup.hpp"
#include "tests/agent/busybox_layer.hpp"
#include "tests/agent/pod_sync_harness.hpp"

using namespace craton;
using namespace craton::agent;
using namespace craton::agent::testing;
namespace fs = std::filesystem;

namespace {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// The agent's loop in miniature over real parts; everything removed at the end.
struct Node {
  std::string base;
  std::string cgroup_root;
  std::unique_ptr<BusyboxImages> images;
  LoopbackOnlyNetwork network;
  std::unique_ptr<LinuxDriver> driver;
  std::shared_ptr<MapVolumeSources> sources = std::make_shared<MapVolumeSources>();
  std::unique_ptr<volumes::PodVolumes> volume_host;
  std::unique_ptr<PodSync> sync;

  Node() {
    char pattern[] = "/tmp/craton-vl-XXXXXX";
    base = ::mkdtemp(pattern);
    cgroup_root = "craton-test-" + fs::path(base).filename().string();
    make_busybox_layer(base + "/layer");
    images = std::make_unique<BusyboxImages>(base + "/layer");
    LinuxDriverConfig config;
    config.state_dir = base + "/state";
    config.log_dir = base + "/logs";
    config.cgroup_root = cgroup_root;
    config.shim_command = {CRATON_TEST_SHIM};
    driver = std::make_unique<LinuxDriver>(config, *images, network);
    volume_host = std::make_unique<volumes::PodVolumes>(base + "/pods", sources);
    PodSyncConfig sync_config;
    sync_config.node_name = "node-a";
    sync_config.host_ip = "192.168.1.10";
    sync_config.plan_limits.volume_root = base + "/pods";
    sync_config.sources = sources;
    sync_config.volume_refresh_ms = 500;
    sync_config.retry_ms = 200;
    sync = std::make_unique<PodSync>(sync_config);
    sync->api_listed(wall_ms());
  }

  ~Node() {
    for (const auto& pod : driver->list()) (void)driver->remove_sandbox(pod.sandbox.pod_uid);
    (void)linux_driver::remove_cgroup_tree(driver->cgroup_version(), cgroup_root, 10000);
    for (const auto& m : volumes::mounts_under(base)) ::umount2(m.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(base, ec);
  }

  /// Runs the loop until `condition` holds, 60 s at most (a loaded machine is slow).
  bool run_until(const std::function<bool()>& condition) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      sync->on_records(driver->list(), wall_ms());
      for (const auto& call : sync->tick(wall_ms()))
        sync->on_result(call.id, perform(*driver, call, volume_host.get()), wall_ms());
      (void)sync->take_status_updates();
      (void)sync->take_removals();
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return condition();
  }

  std::string log_of(const std::string& uid, const std::string& name) {
    auto chunk = driver->read_log(uid, name, {});
    return chunk.ok() ? chunk->data : "";
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_container_reads_its_config_map_secret_and_env_and_sees_an_update, Node) {
  sources->put_config_map("default", "app-conf", SourceObject{{{"greeting", "hello"}}, {}});
  sources->put_secret("default", "db", SourceObject{{{"password", "s3cr3t"}}, {}});
  json app = container("app");
  app["command"] = json::array(
      {"sh", "-c",
       "cat /etc/app/greeting; echo; echo PW=$PW; cat /etc/creds/password; echo; "
       "echo scratch > /scratch/x && echo wrote-scratch; "
       "while [ \"$(cat /etc/app/greeting)\" != bye ]; do sleep 0.2; done; echo seen-update"});
  app["env"] = json::array(
      {{{"name", "PW"}, {"valueFrom", {{"secretKeyRef", {{"name", "db"}, {"key", "password"}}}}}}});
  app["volumeMounts"] = json::array({{{"name", "conf"}, {"mountPath", "/etc/app"}},
                                     {{"name", "creds"}, {"mountPath", "/etc/creds"}},
                                     {{"name", "scratch"}, {"mountPath", "/scratch"}}});
  json spec{
      {"restartPolicy", "Never"},
      {"volumes",
       json::array(
           {{{"name", "conf"}, {"configMap", {{"name", "app-conf"}}}},
            {{"name", "creds"}, {"secret", {{"secretName", "db"}, {"defaultMode", 0400}}}},
            {{"name", "scratch"}, {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", "4Mi"}}}}})}};
  json pod = pod_json("vol", json::array({app}), spec);
  sync->upsert(informer_object(pod), wall_ms());

  bool read = run_until(
      [&] { return log_of("uid-vol", "app").find("wrote-scratch") != std::string::npos; });
  std::string log = log_of("uid-vol", "app");
  BOOST_REQUIRE_MESSAGE(read, "log so far: " + log);
  BOOST_TEST(log.find("hello") != std::string::npos);
  BOOST_TEST(log.find("PW=s3cr3t") != std::string::npos);
  BOOST_TEST(log.find("\ns3cr3t\n") != std::string::npos, log);  // the secret file
  std::string pod_volumes = base + "/pods/uid-vol/volumes";
  BOOST_TEST(volumes::mounts_under(pod_volumes).size() == 2u);  // the secret and the scratch tmpfs

  sources->put_config_map("default", "app-conf", SourceObject{{{"greeting", "bye"}}, {}});
  bool seen = run_until([&] {
    const PodState* p = sync->find("uid-vol");
    return p != nullptr && p->latest("app") != nullptr &&
           p->latest("app")->state == ContainerState::exited;
  });
  log = log_of("uid-vol", "app");
  BOOST_REQUIRE_MESSAGE(seen, "log so far: " + log);
  BOOST_TEST(log.find("seen-update") != std::string::npos);
  BOOST_TEST(sync->find("uid-vol")->latest("app")->exit_code == 0);

  sync->remove("uid-vol", wall_ms());
  bool removed = run_until([&] { return !fs::exists(base + "/pods/uid-vol"); });
  BOOST_TEST(removed);
  BOOST_TEST(volumes::mounts_under(base + "/pods").empty());
}
