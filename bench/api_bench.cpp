// `craton bench api`: closed-loop HTTP clients and watchers against an in-process ApiHost.
#include "bench/api_bench.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "actors/api/host/api_host.hpp"
#include "bench/http_client.hpp"
#include "bench/local_store_cluster.hpp"
#include "bench/watch_stream.hpp"

namespace craton::bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

double us_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

std::uint64_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * std::uint64_t(::sysconf(_SC_PAGESIZE));
}

using Client = HttpClient;

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

double process_cpu_seconds() {
  rusage r{};
  ::getrusage(RUSAGE_SELF, &r);
  return double(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         double(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

const std::string kPods = "/api/v1/namespaces/default/pods";

std::string pod_path(std::uint64_t i) {
  return kPods + "/web-7d4b9c8f6d-" + std::to_string(i);
}

// A realistic pod: two containers with ports, env, resources, probes and mounts, volumes,
// tolerations and the labels a Deployment gives its pods, padded with an annotation to
// `bytes` of JSON as the client sends it (the stored pod is larger: the server adds defaults).
std::string pod(std::uint64_t i, std::uint64_t bytes) {
  auto name = pod_path(i).substr(kPods.size() + 1);
  nlohmann::json container = {
      {"name", "app"},
      {"image", "registry.example.com/team/web:1.24.3"},
      {"ports", {{{"containerPort", 8080}, {"name", "http"}}}},
      {"env",
       {{{"name", "MODE"}, {"value", "production"}}, {{"name", "LOG_LEVEL"}, {"value", "info"}}}},
      {"resources",
       {{"requests", {{"cpu", "250m"}, {"memory", "256Mi"}}},
        {"limits", {{"cpu", "1"}, {"memory", "512Mi"}}}}},
      {"readinessProbe", {{"httpGet", {{"path", "/healthz"}, {"port", "http"}}}}},
      {"volumeMounts", {{{"name", "config"}, {"mountPath", "/etc/web"}}}}};
  nlohmann::json sidecar = {{"name", "proxy"},
                            {"image", "registry.example.com/infra/proxy:2.1"},
                            {"resources", {{"requests", {{"cpu", "50m"}, {"memory", "64Mi"}}}}}};
  nlohmann::json p = {
      {"metadata",
       {{"name", name},
        {"labels", {{"app", "bench"}, {"pod-template-hash", "7d4b9c8f6d"}}},
        {"annotations", {{"bench/padding", ""}}}}},
      {"spec",
       {{"containers", {container, sidecar}},
        {"volumes", {{{"name", "config"}, {"configMap", {{"name", "web-config"}}}}}},
        {"tolerations",
         {{{"key", "dedicated"},
           {"operator", "Equal"},
           {"value", "web"},
           {"effect", "NoSchedule"}}}}}}};
  auto size = p.dump().size();
  if (size < bytes) p["metadata"]["annotations"]["bench/padding"] = std::string(bytes - size, 'x');
  return p.dump();
}

// Runs `total` requests over `clients` threads; `request(client, i)` returns the status.
// Closed loop (rate 0): each client sends its next request when the last is answered, and a
// latency is the request's own. Open loop (rate > 0): request i is due at start + i/rate and
// its latency counts from when it was due, so a server that falls behind shows it rather than
// slowing the load down. `client_cpu_s` gets the CPU the client threads used.
LatencyStats drive(std::uint16_t port, std::uint64_t clients, std::uint64_t total, double rate,
                   const std::function<int(Client&, std::uint64_t)>& request, int ok,
                   double* client_cpu_s = nullptr) {
  std::atomic<std::uint64_t> next{0};
  std::mutex mutex;
  double cpu = 0;
  std::vector<double> latencies;
  std::map<std::string, std::uint64_t> errors;
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (std::uint64_t c = 0; c < clients; ++c)
    threads.emplace_back([&] {
      auto cpu0 = thread_cpu_seconds();
      Client client(port);
      std::vector<double> mine;
      std::map<std::string, std::uint64_t> my_errors;
      for (auto i = next++; i < total; i = next++) {
        auto t0 = Clock::now();
        if (rate > 0) {
          t0 = start + std::chrono::microseconds(std::int64_t(1e6 * double(i) / rate));
          std::this_thread::sleep_until(t0);
        }
        int status = request(client, i);
        if (status == ok)
          mine.push_back(us_since(t0));
        else
          ++my_errors["http_" + std::to_string(status)];
      }
      std::lock_guard lock(mutex);
      cpu += thread_cpu_seconds() - cpu0;
      latencies.insert(latencies.end(), mine.begin(), mine.end());
      for (auto& [k, v] : my_errors) errors[k] += v;
    });
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (client_cpu_s != nullptr) *client_cpu_s = cpu;
  return summarize_latencies(std::move(latencies), seconds, errors);
}

// Runs `phase` (which reports its client threads' CPU) and splits the CPU every process used
// meanwhile per request answered.
CpuPerRequest cpu_per_request(const LocalStoreCluster& cluster,
                              const std::function<LatencyStats(double*)>& phase,
                              LatencyStats& stats) {
  std::vector<double> replicas0(cluster.size());
  for (std::size_t i = 0; i < cluster.size(); ++i) replicas0[i] = cluster.cpu_seconds(i);
  auto self0 = process_cpu_seconds();
  double client_s = 0;
  stats = phase(&client_s);
  auto self_s = process_cpu_seconds() - self0;
  double n = double(std::max<std::uint64_t>(stats.requests, 1));
  CpuPerRequest cpu;
  cpu.client_ms = 1000 * client_s / n;
  cpu.api_ms = 1000 * std::max(0.0, self_s - client_s) / n;
  for (std::size_t i = 0; i < cluster.size(); ++i)
    cpu.replica_ms.push_back(1000 * (cluster.cpu_seconds(i) - replicas0[i]) / n);
  return cpu;
}

// W watchers of one object; `changes` patches one at a time, each waited for at every watcher.
LatencyStats fanout(std::uint16_t port, std::uint64_t watchers, std::uint64_t changes) {
  std::vector<std::atomic<std::int64_t>> seen(watchers);  // the last change each watcher saw
  for (auto& s : seen) s = -1;
  std::vector<std::vector<double>> received(watchers, std::vector<double>(changes, -1));
  Clock::time_point sent_at[1024];
  // Each watcher reads on its own thread; closing a stream (the vector's destruction) unblocks
  // its read.
  std::vector<std::unique_ptr<WatchStream>> streams;
  try {
    for (std::uint64_t w = 0; w < watchers; ++w)
      streams.push_back(std::make_unique<WatchStream>(
          port, kPods + "?watch=1&fieldSelector=metadata.name%3Dweb-7d4b9c8f6d-0&resourceVersion=0",
          [&, w](const std::string& line) {
            auto at = line.find("\"seq\":\"");
            if (at == std::string::npos) return;
            auto seq = std::stoll(line.substr(at + 7));
            if (seq >= 0 && std::uint64_t(seq) < changes) {
              received[w][std::size_t(seq)] =
                  std::chrono::duration<double, std::micro>(Clock::now() - sent_at[seq]).count();
              seen[w] = seq;
            }
          }));
  } catch (const std::exception&) {  // a watcher refused: measured with the ones open
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // initial ADDED events drained
  Client writer(port);
  auto start = Clock::now();
  std::map<std::string, std::uint64_t> errors;
  for (std::uint64_t c = 0; c < changes && c < 1024; ++c) {
    sent_at[c] = Clock::now();
    auto status = writer.call(
        http::verb::patch, pod_path(0),
        nlohmann::json{{"metadata", {{"annotations", {{"seq", std::to_string(c)}}}}}}.dump(),
        "application/merge-patch+json");
    if (status != 200) ++errors["http_" + std::to_string(status)];
    auto wait_until = Clock::now() + std::chrono::seconds(10);
    for (std::size_t w = 0; w < streams.size(); ++w)  // those that opened
      while (seen[w] < std::int64_t(c) && Clock::now() < wait_until)
        std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  streams.clear();
  std::vector<double> latencies;
  for (const auto& per : received)
    for (double v : per) {
      if (v >= 0)
        latencies.push_back(v);
      else
        ++errors["missed"];
    }
  return summarize_latencies(std::move(latencies), seconds, errors);
}

}  // namespace

double CpuPerRequest::total_ms() const {
  double total = client_ms + api_ms;
  for (double r : replica_ms) total += r;
  return total;
}

Result<ApiBenchReport> run_api_bench(const ApiBenchOptions& o) {
  ApiBenchReport report;
  report.options = o;
  LocalStoreClusterOptions cluster_options;
  cluster_options.binary = o.binary;
  cluster_options.replicas = o.replicas;
  cluster_options.parent_dir = o.data_dir;
  auto cluster = LocalStoreCluster::start(cluster_options);
  if (!cluster) return cluster.error();
  auto endpoints = store::parse_store_endpoints((*cluster)->endpoints());
  if (!endpoints) return endpoints.error();
  store::StoreClientOptions client_options;
  client_options.endpoints = *endpoints;
  client_options.security = (*cluster)->client_security();
  auto client = store::StoreClient::connect(client_options);
  if (!client) return client.error();
  api::ApiHostOptions host_options;
  host_options.http = asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0);
  host_options.workers = 8;
  host_options.service.watchers_max = o.watchers + 100;
  auto host = api::ApiHost::start(**client, host_options);
  if (!host) return host.error();
  auto port = (*host)->port();
  {  // Ready: the default namespace exists.
    Client probe(port);
    auto deadline = Clock::now() + std::chrono::seconds(30);
    while (probe.call(http::verb::get, "/api/v1/namespaces/default", "", "application/json") !=
           200) {
      if (Clock::now() > deadline) return Error{"timeout", "the API server never became ready"};
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  auto rss_before = rss_bytes();
  report.create_cpu = cpu_per_request(
      **cluster,
      [&](double* client_cpu) {
        return drive(
            port, o.clients, o.objects, 0,
            [&](Client& c, std::uint64_t i) {
              return c.call(http::verb::post, kPods, pod(i, o.object_bytes), "application/json");
            },
            201, client_cpu);
      },
      report.create);
  report.cache_rss_bytes = rss_bytes() - std::min(rss_before, rss_bytes());
  // Merge patches of label `label`, a new value each time: a patch that changes nothing is
  // answered without a store write, which is not what these phases measure.
  auto patches = [&](std::uint64_t clients, std::uint64_t total, double rate,
                     const std::string& label, LatencyStats& stats) {
    return cpu_per_request(
        **cluster,
        [&](double* client_cpu) {
          return drive(
              port, clients, total, rate,
              [&](Client& c, std::uint64_t i) {
                return c.call(http::verb::patch, pod_path(i % o.objects),
                              R"({"metadata":{"labels":{")" + label + R"(":")" + std::to_string(i) +
                                  R"("}}})",
                              "application/merge-patch+json");
              },
              200, client_cpu);
        },
        stats);
  };
  report.update_cpu = patches(o.clients, o.updates, 0, "updated", report.update);
  if (o.paced_writes > 0)
    report.paced_cpu =
        patches(o.paced_clients, o.paced_writes, o.rate, "paced", report.paced_update);
  report.get = drive(
      port, o.clients, o.gets, 0,
      [&](Client& c, std::uint64_t i) {
        return c.call(http::verb::get, pod_path(i % o.objects), "", "application/json");
      },
      200);
  // One client reads every LIST into the same buffer, as curl would.
  std::string body;
  auto list_all = [&](Client& c) {
    return c.call(http::verb::get, kPods + "?resourceVersion=0", "", "application/json", &body);
  };
  if (o.lists > 0) {
    // The first LIST encodes every object's JSON (kept for the next ones): timed on its own.
    Client c(port);
    auto begin = std::chrono::steady_clock::now();
    if (list_all(c) == 200)
      report.first_list_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin)
              .count();
  }
  report.list = drive(
      port, 1, o.lists, 0, [&](Client& c, std::uint64_t) { return list_all(c); }, 200);
  report.list_bytes = body.size();
  report.fanout = fanout(port, o.watchers, o.changes);
  (*host)->stop();
  return report;
}

}  // namespace craton::bench
