// ContainerLogServer: the node agent's answer to `kubectl logs`, in the place the kubelet gives
// it: `GET /containerLogs/<namespace>/<pod>/<container>` on the agent's own HTTP port, with
// the query kube-apiserver forwards (follow, tailLines, sinceSeconds, sinceTime, timestamps,
// previous, limitBytes). The API server proxies pods/<name>/log here (actors/api/host/
// pod_log_proxy.hpp); the node's status.daemonEndpoints.kubeletEndpoint.Port says where.
//
// Logs come from the PodDriver (read_log), which keeps them on disk; the server finds a pod's
// uid and a container's attempts in driver.list(). Reads block, so each request runs on a
// thread of its own, at most requests_max at once (429 beyond: a bound, not a queue). A
// follow polls the driver every follow_poll until the attempt has exited or the client has
// gone. Plain HTTP without authentication, like the API's --http, until the security issue:
// bind it to an address only the control plane reaches.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "actors/agent/driver/pod_driver.hpp"
#include "actors/api/http/http_server.hpp"
#include "runtime/bounded_threads.hpp"
#include "runtime/result.hpp"

namespace craton::agent {

struct ContainerLogServerOptions {
  std::size_t requests_max = 64;
  std::chrono::milliseconds follow_poll{250};
  std::function<std::int64_t()> now_ms;  ///< wall clock (sinceSeconds); required
};

/// What a request's path and query ask for, or the 4xx it earns.
struct LogRequest {
  std::string pod_namespace, pod_name, container;
  bool follow = false;
  bool previous = false;
  std::optional<std::int64_t> limit_bytes;  ///< limitBytes: the whole answer's cap
  LogQuery query;                           ///< attempt left at -1: the server picks it
};
Result<LogRequest> parse_log_request(const api::HttpRequest& request, std::int64_t now_ms);

class ContainerLogServer {
 public:
  /// Serves on `at` (port 0: any; see port()). The driver must outlive the server.
  static Result<std::unique_ptr<ContainerLogServer>> start(const boost::asio::ip::tcp::endpoint& at,
                                                           PodDriver& driver,
                                                           ContainerLogServerOptions options);
  ~ContainerLogServer();
  ContainerLogServer(const ContainerLogServer&) = delete;
  ContainerLogServer& operator=(const ContainerLogServer&) = delete;

  std::uint16_t port() const;
  /// Stops accepting, ends every follow, joins the request threads.
  void stop();

 private:
  ContainerLogServer(PodDriver& driver, ContainerLogServerOptions options)
      : driver_(driver), options_(std::move(options)) {}
  void accept(api::HttpRequest request, std::shared_ptr<api::Exchange> exchange);
  void serve(const api::HttpRequest& request, api::Exchange& exchange);

  PodDriver& driver_;
  ContainerLogServerOptions options_;
  BoundedThreads requests_{options_.requests_max};
  std::unique_ptr<api::HttpServer> http_;
  std::atomic<bool> stopping_{false};
};

}  // namespace craton::agent
