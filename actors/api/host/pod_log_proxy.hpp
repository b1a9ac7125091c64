// PodLogProxy: how the API host relays `kubectl logs` to the node agent that holds the log
// (ApiService decides where: PodLogTarget), as kube-apiserver proxies pods/log to the kubelet.
// Each relay runs on a thread of its own (a follow lasts as long as the client listens), at
// most threads_max at once (429 beyond). The agent's answer is passed on as it arrives: its
// status and body when it refuses (the kubelet's Status, which kubectl prints), else a stream
// of the log's bytes, ended when the agent ends it, the client leaves, or the proxy stops.
//
// Known limit: a follow whose client has left is noticed at the agent's next bytes (a silent
// container holds its thread until then, or until the container exits; the bound caps them).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include "actors/api/http/http_server.hpp"
#include "actors/api/server/api_service.hpp"
#include "runtime/bounded_threads.hpp"

namespace craton::api {

struct PodLogProxyOptions {
  std::size_t threads_max = 64;
  std::chrono::milliseconds connect_timeout{5000};
  /// How long the agent may take to answer (its headers); a follow's body has no deadline.
  std::chrono::milliseconds answer_timeout{30000};
  std::size_t error_body_max = 64 * 1024;
};

class PodLogProxy {
 public:
  explicit PodLogProxy(PodLogProxyOptions options = {})
      : options_(options), threads_(options.threads_max) {}
  ~PodLogProxy() { stop(); }

  /// Never blocks: the relay runs on its own thread, or 429 is answered at once.
  void relay(PodLogTarget target, std::shared_ptr<Exchange> exchange);
  /// Ends every relay (within a fraction of a second) and joins their threads.
  void stop();

 private:
  void run(const PodLogTarget& target, Exchange& exchange);

  PodLogProxyOptions options_;
  std::atomic<bool> stopping_{false};
  BoundedThreads threads_;
};

}  // namespace craton::api
