// MetricsEndpoint: serves a process's Metrics on http://HOST:PORT/metrics (Prometheus text
// format) from prometheus-cpp's own HTTP threads, beside the actor system: the actors only
// update atomic counters, so nothing they do waits for a scrape. Process code (cmd/).
//
// Plain HTTP and unauthenticated, like etcd's --listen-metrics-urls http://...: a bare port
// binds loopback only; another address must be named explicitly.
#pragma once

#include <memory>
#include <string>

#include "runtime/metrics.hpp"
#include "runtime/peer_list.hpp"
#include "runtime/result.hpp"

namespace prometheus {
class Exposer;
}

namespace craton::cmd {

class MetricsEndpoint {
 public:
  /// Reads --metrics-listen: "PORT" (127.0.0.1:PORT) or "HOST:PORT".
  static Result<Endpoint> parse(const std::string& listen);
  /// Starts serving `metrics` at `at`; an error says why (e.g. the port is in use).
  static Result<std::unique_ptr<MetricsEndpoint>> start(const Endpoint& at, const Metrics& metrics);
  ~MetricsEndpoint();

  /// Where it listens, as "host:port".
  const std::string& address() const { return address_; }

 private:
  MetricsEndpoint() = default;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::string address_;
};

}  // namespace craton::cmd
