// ApiHost: the API server as a running thing in a process: the HTTP front door
// (http_server.hpp), a bounded pool of workers that run ApiService requests (a request
// waiting for the store holds no worker: the store's calls run on StoreObjectStore's caller
// threads and their answers come back to the workers), and the feed thread that keeps the
// watch caches current: it lists /registry/, watches from the next revision (with progress
// notifications), and lists again when the watch ends (compacted, replica lost for good). The
// feed thread also ticks the service (watch timeouts, bookmarks) and, after the first list,
// has a worker create the default namespaces and the `kubernetes` service. It counts requests
// as kube-apiserver names them and serves them on /metrics. Process code.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "actors/api/host/pod_log_proxy.hpp"
#include "actors/api/host/store_object_store.hpp"
#include "actors/api/http/http_server.hpp"
#include "actors/api/server/api_service.hpp"
#include "runtime/metrics.hpp"

namespace craton::api {

struct ApiHostOptions {
  boost::asio::ip::tcp::endpoint http;
  HttpServerOptions http_options;
  ApiServiceOptions service;
  std::size_t workers = 4;
  std::size_t queue_max = 1024;  ///< requests waiting for a worker; beyond, 429
  /// Store calls in flight at once (each on a caller thread: store_object_store.hpp); a
  /// request waiting for the store holds no worker.
  std::size_t store_calls_max = 32;
  std::function<void(const std::string&)> log;
  /// Where the API's metrics go (kube-apiserver's names: apiserver_request_total{verb,
  /// resource,code}, apiserver_request_duration_seconds, apiserver_registered_watchers);
  /// served on GET /metrics. Null: a registry of its own.
  std::shared_ptr<Metrics> metrics;
};

class ApiHost {
 public:
  static Result<std::unique_ptr<ApiHost>> start(store::StoreClient& client, ApiHostOptions options);
  ~ApiHost();
  std::uint16_t port() const { return http_->port(); }
  ApiService& service() { return *service_; }
  void stop();

 private:
  ApiHost(store::StoreClient& client, ApiHostOptions options);
  void serve(HttpRequest request, std::shared_ptr<Exchange> exchange);
  std::shared_ptr<Exchange> metered(const HttpRequest& request, std::shared_ptr<Exchange> exchange);
  /// Queues a job for the workers; `bounded`: refused past queue_max or when stopping.
  bool post(std::function<void()> job, bool bounded = true);
  void work();
  void feed();
  /// Starts a pass of ApiService::reconcile_endpoints() when one is due (the feed thread).
  void reconcile_endpoints();

  store::StoreClient& client_;
  ApiHostOptions options_;
  StoreObjectStore objects_;
  std::unique_ptr<ApiService> service_;
  std::unique_ptr<HttpServer> http_;
  PodLogProxy logs_;
  std::atomic<bool> stopping_{false};
  std::chrono::steady_clock::time_point endpoints_due_{};  ///< the feed thread's
  std::shared_ptr<std::atomic<bool>> reconciling_ = std::make_shared<std::atomic<bool>>(false);
  std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> workers_;
  std::thread feed_;
};

}  // namespace craton::api
