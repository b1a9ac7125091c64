// `craton bench controllers`: Deployments created at once against three `craton server`s.
#include "bench/controllers_bench.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "bench/fake_kubelet.hpp"
#include "bench/http_client.hpp"
#include "bench/local_store_cluster.hpp"

namespace craton::bench {
namespace {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string deployment(std::uint64_t i, std::uint64_t replicas) {
  auto name = "bench-" + std::to_string(i);
  json d = {{"apiVersion", "apps/v1"},
            {"kind", "Deployment"},
            {"metadata", {{"name", name}}},
            {"spec",
             {{"replicas", replicas},
              {"selector", {{"matchLabels", {{"app", name}}}}},
              {"template",
               {{"metadata", {{"labels", {{"app", name}}}}},
                {"spec",
                 {{"containers",
                   {{{"name", "c"},
                     {"image", "nginx:1.25"},
                     {"resources", {{"requests", {{"cpu", "10m"}, {"memory", "16Mi"}}}}}}}}}}}}}}};
  return d.dump();
}

// object[name] when it is an object, else an empty one: a const json's operator[] on a missing
// key is undefined (a Deployment or ReplicaSet has no status until its controller writes one).
const json& member(const json& object, const char* name) {
  static const json empty = json::object();
  auto it = object.find(name);
  return it != object.end() && it->is_object() ? *it : empty;
}

// Waits until `done` (polled every 100 ms) or the deadline.
template <class F>
bool wait_until(Clock::time_point deadline, F done) {
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

// Pods in "default" as one server's cache holds them (a full LIST: its length, not an
// estimate). -1 when the server does not answer.
std::int64_t count_pods(std::uint16_t port) {
  try {
    HttpClient c(port);
    std::string body;
    if (c.call(http::verb::get, "/api/v1/namespaces/default/pods", "", "application/json", &body) !=
        200)
      return -1;
    auto list = json::parse(body, nullptr, false);
    return list.is_discarded() ? -1 : std::int64_t(list["items"].size());
  } catch (const std::exception&) {
    return -1;
  }
}

// The pods every server counts: the same number, or the first server's when they differ
// (then `agree` is false: a cache lost or invented a pod).
std::uint64_t count_pods_everywhere(const LocalStoreCluster& cluster, bool& agree) {
  std::vector<std::int64_t> counts;
  for (auto port : cluster.http_ports()) counts.push_back(count_pods(port));
  agree = std::all_of(counts.begin(), counts.end(), [&](auto n) { return n == counts[0]; });
  if (!agree) {
    std::fprintf(stderr, "servers disagree on the pods:");
    for (auto n : counts) std::fprintf(stderr, " %lld", (long long)n);
    std::fprintf(stderr, "\n");
  }
  return std::uint64_t(std::max<std::int64_t>(counts[0], 0));
}

// Every Deployment's status, from server 0's cache; `done` judges one.
template <class F>
bool every_deployment(HttpClient& c, std::uint64_t count, F done) {
  std::string body;
  if (c.call(http::verb::get, "/apis/apps/v1/namespaces/default/deployments", "",
             "application/json", &body) != 200)
    return false;
  auto list = json::parse(body, nullptr, false);
  if (list.is_discarded() || list["items"].size() < count) return false;
  for (const auto& d : list["items"])
    if (!done(d)) return false;
  return true;
}

double servers_cpu_seconds(const LocalStoreCluster& cluster) {
  double total = 0;
  for (std::size_t i = 0; i < cluster.size(); ++i) total += cluster.cpu_seconds(i);
  return total;
}

// Sends each request (target, body) once over `clients` connections; those not answered
// `expected`.
std::uint64_t send_all(std::uint16_t port, std::uint64_t clients, http::verb verb,
                       const std::string& content_type,
                       const std::vector<std::pair<std::string, std::string>>& requests,
                       int expected) {
  std::atomic<std::uint64_t> next{0}, failed{0};
  std::vector<std::thread> threads;
  for (std::uint64_t c = 0; c < clients; ++c)
    threads.emplace_back([&] {
      HttpClient client(port);
      for (auto i = next++; i < requests.size(); i = next++)
        if (client.call(verb, requests[i].first, requests[i].second, content_type) != expected)
          ++failed;
    });
  for (auto& t : threads) t.join();
  return failed;
}

}  // namespace

Result<ControllersBenchReport> run_controllers_bench(const ControllersBenchOptions& o) {
  ControllersBenchReport report;
  report.options = o;
  LocalStoreClusterOptions cluster_options;
  cluster_options.binary = o.binary;
  cluster_options.replicas = o.servers;
  cluster_options.parent_dir = o.data_dir;
  cluster_options.servers = true;
  if (!o.scheduler) cluster_options.server_args.push_back("--no-scheduler");
  auto cluster = LocalStoreCluster::start(cluster_options);
  if (!cluster) return cluster.error();
  auto port = (*cluster)->http_ports().at(0);
  auto deadline = Clock::now() + std::chrono::seconds(o.timeout_s);
  auto t_start = Clock::now();
  std::unique_ptr<HttpClient> probe;
  bool up = wait_until(deadline, [&] {
    try {
      if (!probe) probe = std::make_unique<HttpClient>(port);
    } catch (const std::exception&) {  // not listening yet
      return false;
    }
    if (probe->call(http::verb::get, "/api/v1/namespaces/default", "", "application/json") == 200)
      return true;
    probe.reset();  // a refused connection stays refused: connect again
    return false;
  });
  if (!up) return Error{"timeout", "the API server never became ready"};
  bool led = wait_until(deadline, [&] {
    std::string body;
    if (probe->call(http::verb::get,
                    "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/"
                    "craton-controller-manager",
                    "", "application/json", &body) != 200)
      return false;
    auto lease = json::parse(body, nullptr, false);
    return !lease.is_discarded() && !lease["spec"].value("holderIdentity", "").empty();
  });
  if (!led) return Error{"timeout", "no controller manager took the lease"};
  report.leader_s = seconds_since(t_start);

  std::vector<std::pair<std::string, std::string>> nodes;
  for (std::uint64_t i = 0; i < o.nodes; ++i) {
    json capacity = {{"cpu", "64"}, {"memory", "256Gi"}, {"pods", "110"}};
    auto name = "bench-node-" + std::to_string(i);
    nodes.emplace_back(
        "/api/v1/nodes",
        json{{"apiVersion", "v1"},
             {"kind", "Node"},
             {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/hostname", name}}}}},
             {"status", {{"capacity", capacity}, {"allocatable", capacity}}}}
            .dump());
  }
  if (auto failed = send_all(port, o.clients, http::verb::post, "application/json", nodes, 201);
      failed > 0)
    return Error{"failed", std::to_string(failed) + " Nodes not created"};

  auto t0 = Clock::now();
  auto cpu0 = servers_cpu_seconds(**cluster);
  std::vector<double> cpu0_by_server;
  for (std::size_t i = 0; i < (*cluster)->size(); ++i)
    cpu0_by_server.push_back((*cluster)->cpu_seconds(i));
  std::vector<std::pair<std::string, std::string>> posts;
  for (std::uint64_t i = 0; i < o.deployments; ++i)
    posts.emplace_back("/apis/apps/v1/namespaces/default/deployments", deployment(i, o.replicas));
  if (auto failed = send_all(port, o.clients, http::verb::post, "application/json", posts, 201);
      failed > 0)
    return Error{"failed", std::to_string(failed) + " Deployments not created"};
  report.create_s = seconds_since(t0);

  bool created = wait_until(deadline, [&] {
    std::string body;
    if (probe->call(http::verb::get, "/apis/apps/v1/namespaces/default/replicasets", "",
                    "application/json", &body) != 200)
      return false;
    auto list = json::parse(body, nullptr, false);
    if (list.is_discarded() || list["items"].size() < o.deployments) return false;
    for (const auto& rs : list["items"])
      if (member(rs, "status").value("replicas", std::uint64_t(0)) < o.replicas) return false;
    return true;
  });
  if (!created) return Error{"timeout", "the ReplicaSets never reported every replica"};
  report.all_created_s = seconds_since(t0);
  report.create_cpu_s = servers_cpu_seconds(**cluster) - cpu0;
  for (std::size_t i = 0; i < (*cluster)->size(); ++i)
    report.create_cpu_by_server_s.push_back((*cluster)->cpu_seconds(i) - cpu0_by_server[i]);
  report.pods_per_s = double(o.deployments * o.replicas) / report.all_created_s;
  if (o.nodes > 0) {
    bool bound = wait_until(deadline, [&] {
      std::string body;
      if (probe->call(http::verb::get,
                      "/api/v1/namespaces/default/pods?fieldSelector=spec.nodeName%3D", "",
                      "application/json", &body) != 200)
        return false;
      auto list = json::parse(body, nullptr, false);
      return !list.is_discarded() && list["items"].empty();
    });
    if (!bound) return Error{"timeout", "the pods were never all bound"};
    report.all_bound_s = seconds_since(t0);
    report.bound_pods_per_s = double(o.deployments * o.replicas) / report.all_bound_s;
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  report.pods = count_pods_everywhere(**cluster, report.caches_agree);

  if (o.rollout) {
    auto replicas = [](const json& d, const char* field) {
      return member(d, "status").value(field, std::uint64_t(0));
    };
    auto t_ready = Clock::now();
    FakeKubelet kubelet(port, "default", o.kubelet_writers);
    bool ready = wait_until(deadline, [&] {
      return every_deployment(*probe, o.deployments, [&](const json& d) {
        return replicas(d, "availableReplicas") == o.replicas;
      });
    });
    if (!ready) return Error{"timeout", "the Deployments never became available"};
    report.ready_s = seconds_since(t_ready);

    std::vector<std::pair<std::string, std::string>> patches;
    for (std::uint64_t i = 0; i < o.deployments; ++i) {
      json container = {{"name", "c"}, {"image", "nginx:1.26"}};
      patches.emplace_back(
          "/apis/apps/v1/namespaces/default/deployments/bench-" + std::to_string(i),
          json{{"spec", {{"template", {{"spec", {{"containers", {container}}}}}}}}}.dump());
    }
    auto t_roll = Clock::now();
    auto cpu_roll = servers_cpu_seconds(**cluster);
    if (auto refused = send_all(port, o.clients, http::verb::patch, "application/merge-patch+json",
                                patches, 200);
        refused > 0)
      return Error{"failed", std::to_string(refused) + " image changes refused"};
    bool rolled = wait_until(deadline, [&] {
      return every_deployment(*probe, o.deployments, [&](const json& d) {
        return member(d, "status").value("observedGeneration", std::int64_t(0)) >=
                   member(d, "metadata").value("generation", std::int64_t(1)) &&
               replicas(d, "updatedReplicas") == o.replicas &&
               replicas(d, "availableReplicas") == o.replicas &&
               replicas(d, "replicas") == o.replicas;
      });
    });
    if (!rolled) return Error{"timeout", "the rollouts never completed"};
    report.rollout_s = seconds_since(t_roll);
    report.rollout_cpu_s = servers_cpu_seconds(**cluster) - cpu_roll;
    report.rollout_pods_per_s = double(o.deployments * o.replicas) / report.rollout_s;
    std::this_thread::sleep_for(std::chrono::seconds(1));
    bool agree = true;
    report.pods_after_rollout = count_pods_everywhere(**cluster, agree);
    report.caches_agree = report.caches_agree && agree;
    report.statuses_marked = kubelet.marked();
    report.statuses_refused = kubelet.failed();
  }
  for (std::size_t i = 0; i < (*cluster)->size(); ++i)
    report.server_rss_max_bytes = std::max(report.server_rss_max_bytes, (*cluster)->rss_bytes(i));
  (*cluster)->stop();
  return report;
}

}  // namespace craton::bench
