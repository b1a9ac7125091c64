// `craton bench controllers`: Deployments created at once against three `craton server`s.
#include "bench/controllers_bench.hpp"

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

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

// Waits until `done` (polled every 100 ms) or the deadline.
template <class F>
bool wait_until(Clock::time_point deadline, F done) {
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

// Pods in "default", from the API's cache: the first page's remainingItemCount + 1.
std::uint64_t count_pods(HttpClient& c) {
  std::string body;
  if (c.call(http::verb::get, "/api/v1/namespaces/default/pods?limit=1", "", "application/json",
             &body) != 200)
    return 0;
  auto list = json::parse(body, nullptr, false);
  if (list.is_discarded() || list["items"].empty()) return 0;
  return 1 + list["metadata"].value("remainingItemCount", std::uint64_t(0));
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

  auto t0 = Clock::now();
  std::atomic<std::uint64_t> next{0}, failed{0};
  std::vector<std::thread> clients;
  for (std::uint64_t c = 0; c < o.clients; ++c)
    clients.emplace_back([&] {
      HttpClient client(port);
      for (auto i = next++; i < o.deployments; i = next++)
        if (client.call(http::verb::post, "/apis/apps/v1/namespaces/default/deployments",
                        deployment(i, o.replicas), "application/json") != 201)
          ++failed;
    });
  for (auto& t : clients) t.join();
  if (failed > 0) return Error{"failed", std::to_string(failed) + " Deployments not created"};
  report.create_s = seconds_since(t0);

  bool created = wait_until(deadline, [&] {
    std::string body;
    if (probe->call(http::verb::get, "/apis/apps/v1/namespaces/default/replicasets", "",
                    "application/json", &body) != 200)
      return false;
    auto list = json::parse(body, nullptr, false);
    if (list.is_discarded() || list["items"].size() < o.deployments) return false;
    for (const auto& rs : list["items"])
      if (rs["status"].value("replicas", std::uint64_t(0)) < o.replicas) return false;
    return true;
  });
  if (!created) return Error{"timeout", "the ReplicaSets never reported every replica"};
  report.all_created_s = seconds_since(t0);
  report.pods_per_s = double(o.deployments * o.replicas) / report.all_created_s;
  std::this_thread::sleep_for(std::chrono::seconds(1));
  report.pods = count_pods(*probe);
  for (std::size_t i = 0; i < (*cluster)->size(); ++i)
    report.server_rss_max_bytes = std::max(report.server_rss_max_bytes, (*cluster)->rss_bytes(i));
  (*cluster)->stop();
  return report;
}

}  // namespace craton::bench
