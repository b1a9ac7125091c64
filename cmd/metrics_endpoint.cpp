// MetricsEndpoint: the /metrics HTTP endpoint on prometheus-cpp's Exposer (civetweb).
#include "cmd/metrics_endpoint.hpp"

#include <prometheus/exposer.h>

#include <algorithm>
#include <cctype>
#include <exception>

namespace craton::cmd {

Result<Endpoint> MetricsEndpoint::parse(const std::string& listen) {
  const bool bare_port =
      !listen.empty() && std::all_of(listen.begin(), listen.end(),
                                     [](unsigned char c) { return std::isdigit(c) != 0; });
  auto endpoint = parse_endpoint(bare_port ? "127.0.0.1:" + listen : listen);
  if (!endpoint) return Error{"bad_flag", "--metrics-listen: " + endpoint.error().message};
  return endpoint;
}

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::start(const Endpoint& at,
                                                                const Metrics& metrics) {
  std::unique_ptr<MetricsEndpoint> out(new MetricsEndpoint());
  out->address_ = at.to_string();
  try {
    // One thread: a scrape every few seconds needs no more.
    out->exposer_ = std::make_unique<prometheus::Exposer>(out->address_, 1);
  } catch (const std::exception& e) {
    return Error{"unavailable", "cannot serve metrics on " + out->address_ + ": " + e.what()};
  }
  out->exposer_->RegisterCollectable(metrics.registry());
  return out;
}

MetricsEndpoint::~MetricsEndpoint() = default;

}  // namespace craton::cmd
