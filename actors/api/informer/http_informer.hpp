// HttpInformer: process code (it blocks and owns a thread). One Informer kept in step with
// one resource of the API server over HTTP/1.1 (Boost.Beast, keep-alive) to `craton server
// --http`: LIST in pages (`limit`/`continue`), then WATCH from the list's resourceVersion with
// bookmarks, feeding the core and doing what it decides next (watch again, relist, after its
// backoff). The Informer is the whole logic; this file is only the transport (the envelope
// transport will be a second driver of the same core).
//
// Threads: handlers and index functions run on the informer's thread, with the informer's
// lock held; read() takes the same lock, so a reader sees the cache between two changes.
// Handlers must not call read() or stop() (the lock is not recursive).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <boost/system/error_code.hpp>

#include "actors/api/convert/kube_json.hpp"
#include "actors/api/informer/informer.hpp"

namespace craton::api {

struct HttpInformerOptions {
  std::string host = "127.0.0.1";  ///< an IP address (the API listens on loopback)
  std::uint16_t port = 6443;
  /// The collection, e.g. "/api/v1/configmaps" (every namespace) or
  /// "/api/v1/namespaces/default/pods".
  std::string resource_path;
  /// The struct the objects decode into (capnp::Schema::from<k8s::ConfigMap>()).
  capnp::StructSchema schema;
  std::uint32_t list_page_items = 500;           ///< `limit` of each LIST page
  std::uint32_t watch_timeout_s = 300;           ///< `timeoutSeconds` of each WATCH
  std::uint64_t list_page_bytes_max = 64 << 20;  ///< a bigger page is a failed list
  std::uint64_t watch_line_bytes_max = 8 << 20;  ///< a longer event line is a decode error
  /// Progress and failures, one line each (may be empty).
  std::function<void(const std::string&)> log;
};

class HttpInformer {
 public:
  /// Precondition: options.resource_path starts with '/' and options.schema is set.
  explicit HttpInformer(HttpInformerOptions options);
  /// Stops the thread if it runs.
  ~HttpInformer();
  HttpInformer(const HttpInformer&) = delete;
  HttpInformer& operator=(const HttpInformer&) = delete;

  /// The core, to add indexes and handlers. Only before start().
  Informer& informer();

  /// Starts the thread: list, watch, reconnect until stop(). Precondition: not started.
  void start();
  /// Ends the thread promptly (an open request is cut off) and joins it. Idempotent.
  void stop();
  /// Waits until the first list has been applied; false if `timeout` passed first.
  bool wait_synced(std::chrono::milliseconds timeout);
  /// Calls `reader` with the informer under its lock (the cache, its revision, its counters).
  void read(const std::function<void(const Informer&)>& reader) const;

 private:
  struct Connection;
  void run();
  boost::system::error_code send_get(Connection& connection, const std::string& target);
  void close(Connection& connection);
  bool list(Connection& connection);
  WatchEnd watch(Connection& connection, std::uint64_t from_resource_version);
  bool sleep_ms(std::int64_t delay_ms);  // false when stopped meanwhile
  void log(const std::string& line) const;

  HttpInformerOptions options_;
  KubeJson codec_;
  mutable std::mutex mutex_;  // guards informer_
  std::condition_variable synced_or_stopped_;
  Informer informer_;
  std::atomic<bool> stopping_{false};
  std::mutex socket_mutex_;  // guards open_socket_: stop() shuts it down to cut off a read
  int open_socket_ = -1;
  std::thread thread_;
};

}  // namespace craton::api
