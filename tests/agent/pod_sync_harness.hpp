// A node agent's pod loop in miniature for the pod core's tests: a PodSync driving a
// FakeDriver under a manual clock, as the agent's service would (list every second, every
// call performed at once, status updates and removals collected). Pods are Kubernetes JSON
// decoded by the API's own converter.
#pragma once

#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/agent/core/pod_sync.hpp"
#include "actors/agent/fake/fake_driver.hpp"
#include "actors/api/client/kube_time.hpp"
#include "actors/api/convert/kube_json.hpp"
#include "actors/api/informer/informer_object.hpp"

namespace craton::agent::testing {

using nlohmann::json;

/// 2027-01-15T08:00:00Z: whole seconds, so kube times are exact.
inline constexpr std::int64_t kStartMs = 1'800'000'000'000;

/// A pod bound to "node-a" with the given containers (JSON array) and spec fields.
inline json pod_json(const std::string& name, json containers, json spec = json::object()) {
  spec["nodeName"] = spec.value("nodeName", "node-a");
  spec["containers"] = std::move(containers);
  return json{{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata",
               {{"name", name},
                {"namespace", "default"},
                {"uid", "uid-" + name},
                {"resourceVersion", "1"}}},
              {"spec", spec}};
}

inline json container(const std::string& name, std::vector<std::string> args = {}) {
  json c{{"name", name}, {"image", "busybox"}};
  if (!args.empty()) c["args"] = args;
  return c;
}

inline api::InformerObject informer_object(const json& pod) {
  api::KubeJson codec;
  auto message = codec.decode<schema::k8s::Pod>(pod.dump());
  BOOST_REQUIRE_MESSAGE(message.ok(), (message.ok() ? "" : message.error().message));
  std::shared_ptr<capnp::MallocMessageBuilder> shared(std::move(*message));
  auto object = api::make_informer_object(shared, capnp::Schema::from<schema::k8s::Pod>());
  BOOST_REQUIRE(object.ok());
  return *object;
}

struct Agent {
  std::int64_t now = kStartMs;
  FakeDriver driver{[this] { return now; }};
  std::unique_ptr<PodSync> sync;
  std::map<std::string, json> status;  ///< by pod name: the newest status written
  std::vector<PodSync::Removal> removals;
  std::vector<DriverCall> calls;  ///< every call made, in order
  /// ConfigMaps and Secrets the PodSync sees (env references); empty unless a test puts some.
  std::shared_ptr<MapVolumeSources> sources = std::make_shared<MapVolumeSources>();
  VolumeHost* volume_host = nullptr;  ///< where prepare_volumes goes (none: succeeds)

  Agent() { restart(); }

  static PodSyncConfig config() {
    PodSyncConfig c;
    c.node_name = "node-a";
    c.host_ip = "192.168.1.10";
    return c;
  }

  /// A new PodSync over the same host, as after the agent's own restart: it adopts what the
  /// driver holds. The API's initial list follows with upsert() and listed().
  void restart() {
    PodSyncConfig c = config();
    c.sources = sources;
    sync = std::make_unique<PodSync>(c);
    sync->adopt(driver.list(), now);
  }
  void listed() { sync->api_listed(now); }
  void upsert(const json& pod) {
    sync->upsert(informer_object(pod), now);
    settle();
  }

  /// Feeds the driver's list, runs every call until none is left, collects the outputs.
  void settle() {
    for (int round = 0; round < 100; ++round) {
      sync->on_records(driver.list(), now);
      auto batch = sync->tick(now);
      if (batch.empty()) break;
      for (const auto& c : batch) {
        calls.push_back(c);
        sync->on_result(c.id, perform(driver, c, volume_host), now);
      }
    }
    // Nothing left to do now: the core must not ask to be woken now (a busy loop).
    BOOST_TEST(sync->next_wake(now) > now);
    for (auto& u : sync->take_status_updates()) status[u.name] = u.status;
    for (auto& r : sync->take_removals()) removals.push_back(r);
  }

  /// Lets time pass in one-second steps (the service lists the driver every second).
  void run_for(std::int64_t ms) {
    std::int64_t end = now + ms;
    while (now < end) {
      now = std::min(end, now + 1000);
      settle();
    }
  }

  const json& container_status(const std::string& pod, const std::string& name,
                               const char* list = "containerStatuses") {
    for (const auto& c : status.at(pod).at(list))
      if (c.at("name") == name) return c;
    BOOST_FAIL("no status for container " + name);
    return status.at(pod);
  }
  std::string condition(const std::string& pod, const std::string& type) {
    for (const auto& c : status.at(pod).at("conditions"))
      if (c.at("type") == type) return c.at("status");
    return "";
  }
  std::string phase(const std::string& pod) { return status.at(pod).at("phase"); }
  bool on_host(const std::string& uid) {
    for (const auto& r : driver.list())
      if (r.sandbox.pod_uid == uid) return true;
    return false;
  }
  int signals(int signal) {
    int n = 0;
    for (const auto& c : calls) n += c.kind == DriverCallKind::signal && c.signal == signal;
    return n;
  }
};

}  // namespace craton::agent::testing
