// ApiService: the Kubernetes API over the store, behind the HTTP front door (issue 11).
//
// Reads are served from one WatchCache per resource, fed by a single store watch over
// /registry/ (reset() with a LIST, apply() with every later change, progress() with progress
// notifications; the feed is process code: store_feed.hpp). Writes go to the store as
// conditional transactions (object_store.hpp), so a stale resourceVersion is a 409 Conflict
// and a lost race changes nothing. A read without resourceVersion waits (bounded) until the
// cache has seen every write this server acknowledged, so a client reads its own writes
// (across several API servers, a client that needs more passes resourceVersion).
//
// handle() answers one request through its Exchange and may block on the store: call it from
// a worker thread, not the HTTP io thread. Watches stay registered after handle() returns and
// are fed by apply(); tick() ends watches past their timeout and sends bookmarks.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "actors/api/convert/kube_json.hpp"
#include "actors/api/http/http_server.hpp"
#include "actors/api/kinds/kinds.hpp"
#include "actors/api/meta/field_selector.hpp"
#include "actors/api/meta/ip_range.hpp"
#include "actors/api/meta/label_selector.hpp"
#include "actors/api/meta/watch_cache.hpp"
#include "actors/api/server/api_path.hpp"
#include "actors/api/server/object_codec.hpp"
#include "actors/api/server/object_store.hpp"

namespace craton::api {

struct ApiServiceOptions {
  std::size_t cache_window = 10000;  ///< changes kept per resource for watches and exact lists
  std::chrono::milliseconds cache_wait{3000};  ///< a read waits this long for the cache
  std::size_t watchers_max = 20000;
  std::int64_t watch_timeout_s = 1800;  ///< when the client gives no timeoutSeconds
  std::int64_t bookmark_interval_s = 60;
  int patch_attempts = 5;  ///< a patch without resourceVersion is retried on conflicts
  std::string service_cidr = "10.96.0.0/12";  ///< where services' cluster IPs come from
  std::function<std::int64_t()> now_s;        ///< wall clock, seconds since the epoch
  std::function<std::string()> new_uid;       ///< a fresh UUID
  std::function<std::string()> name_suffix;   ///< 5 random characters for generateName
};

/// A change the feed reports: a put (value) or delete (nullopt) of key at revision.
struct FeedChange {
  std::string key;
  std::int64_t revision = 0;
  std::optional<std::string> value;
};

class ApiService {
 public:
  ApiService(ObjectStore& store, ApiServiceOptions options);
  ~ApiService();

  // The feed (one thread).
  void reset(std::int64_t revision, const std::vector<StoredObject>& objects);
  void apply(const std::vector<FeedChange>& changes);
  void progress(std::int64_t revision);
  /// True once reset() ran: the server may answer reads.
  bool ready() const;

  /// Creates the namespaces every cluster has (default, kube-system, kube-public,
  /// kube-node-lease) when missing.
  Status ensure_default_namespaces();

  void handle(HttpRequest request, std::shared_ptr<Exchange> exchange);
  void tick();
  std::size_t watcher_count() const;

 private:
  struct Watcher;
  struct Request;

  // Reads (api_reads.cpp).
  HttpResponse get(const Request& r);
  HttpResponse list(const Request& r);
  void watch(const Request& r, std::shared_ptr<Exchange> exchange);
  Status wait_for_cache(std::int64_t revision);
  /// The names of the request's collection its selectors pick now (DELETECOLLECTION).
  Result<std::vector<std::string>> selected_names(const Request& r);
  struct Delivery;
  void deliver(Watcher& w, Delivery& delivery);
  // Writes (api_writes.cpp).
  HttpResponse create(const Request& r);
  HttpResponse update(const Request& r);
  HttpResponse patch(const Request& r);
  HttpResponse remove(const Request& r);
  HttpResponse remove_collection(const Request& r);
  /// PUT and PATCH share this: `body` replaces `old` (a 409 if its resourceVersion is set
  /// and stale).
  /// The stored object a write starts from: from the watch cache (`cached`, falling back to
  /// the store when the cache lacks it) or from the store.
  Result<std::optional<StoredObject>> current(const Request& r, bool cached);
  /// current() and the object decoded, or the response that ends the request (404, 5xx).
  struct Loaded;
  std::variant<Loaded, HttpResponse> load(const Request& r, bool cached);
  HttpResponse write_updated(const Request& r, nlohmann::json body, const StoredObject& old);
  // Subresources other than status (api_subresources.cpp).
  HttpResponse subresource(const Request& r);
  HttpResponse scale(const Request& r);
  HttpResponse bind(const Request& r);
  HttpResponse evict(const Request& r);
  // Admission that reads or claims other objects (api_admission.cpp).
  std::optional<HttpResponse> admit(const Request& r, const Object& object);
  std::optional<HttpResponse> allocate_cluster_ip(const Request& r, Object& object);
  HttpResponse delete_namespace(const Request& r, Object ns, const StoredObject& old);
  std::optional<HttpResponse> check_namespace(const Request& r);
  void note_written(std::int64_t revision);
  std::int64_t written_revision() const;

  WatchCache* cache_for(const std::string& resource);
  /// Appends an object's JSON at its mod revision to `out`; the JSON is encoded once and kept
  /// while that version is current (lists of thousands of objects are concatenations).
  Status append_json(const Kind& kind, const CachedObject& object, std::string& out);
  std::int64_t now_s() const;

  ObjectStore& store_;
  ApiServiceOptions options_;
  KubeJson codec_;
  Ipv4Range service_ips_;

  mutable std::mutex mutex_;  // caches, watchers, written_revision_
  std::condition_variable advanced_;
  bool ready_ = false;
  std::map<std::string, WatchCache> caches_;  ///< by resource plural
  std::int64_t written_revision_ = 0;
  std::uint64_t next_watcher_ = 1;
  std::map<std::uint64_t, std::unique_ptr<Watcher>> watchers_;

  std::mutex json_mutex_;  // json_memo_
  std::unordered_map<std::string, std::pair<std::int64_t, std::string>> json_memo_;
};

}  // namespace craton::api
