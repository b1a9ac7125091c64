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
// handle() answers one request through its Exchange. Each request runs as a coroutine
// (runtime/task.hpp) that awaits the store and the cache: with a blocking ObjectStore it runs
// to its answer inside handle() (a process's worker thread; not the HTTP io thread), with an
// asynchronous one (the API actor) it suspends at each store call and goes on when the answer
// comes. A request that must wait for the watch cache parks (never blocks): apply() and
// progress() resume it through `options.resume` (a worker pool) or at once, and tick() ends
// the wait with a 504 after cache_wait. Watches stay registered after handle() returns and are
// fed by apply(); tick() also ends watches past their timeout and sends bookmarks.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
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
#include "actors/api/server/watch_index.hpp"
#include "runtime/task.hpp"

namespace craton::api {

/// Where `kubectl logs` is answered: the node agent of the pod's node (its address and
/// status.daemonEndpoints.kubeletEndpoint.Port) and what to ask it (the kubelet's
/// "/containerLogs/<namespace>/<pod>/<container>?<the client's query>").
struct PodLogTarget {
  std::string host;
  std::uint16_t port = 0;
  std::string target;
};

struct ApiServiceOptions {
  std::size_t cache_window = 10000;  ///< changes kept per resource for watches and exact lists
  std::chrono::milliseconds cache_wait{3000};  ///< a read waits this long for the cache
  std::size_t watchers_max = 20000;
  std::int64_t watch_timeout_s = 1800;  ///< when the client gives no timeoutSeconds
  std::int64_t bookmark_interval_s = 60;
  int patch_attempts = 5;  ///< a patch without resourceVersion is retried on conflicts
  /// Events expire this long after their last write (kube-apiserver's --event-ttl; 0: never).
  std::int64_t event_ttl_s = 3600;
  std::string service_cidr = "10.96.0.0/12";  ///< where services' cluster IPs come from
  /// Where clients reach this API server, for the `kubernetes` service's Endpoints (empty:
  /// the service is made without Endpoints, as in the simulator).
  std::string advertise_address;
  std::uint16_t advertise_port = 6443;
  /// How long an API server's endpoint lease lives unrenewed (kube-apiserver's 15 s): a dead
  /// server's address leaves the `kubernetes` Endpoints this long after its last pass.
  std::int64_t endpoint_lease_s = 15;
  std::function<std::int64_t()> now_s;       ///< wall clock, seconds since the epoch
  std::function<std::string()> new_uid;      ///< a fresh UUID
  std::function<std::string()> name_suffix;  ///< 5 random characters for generateName
  /// A monotonic clock in ms for cache waits (null: std::chrono::steady_clock).
  std::function<std::int64_t()> monotonic_ms;
  /// Where a request parked on the watch cache goes on when the cache catches up (a worker
  /// pool's post; it must not refuse). Null: at once, on the thread that fed the cache.
  std::function<void(std::function<void()>)> resume;
  /// Relays a pod's log from its node's agent to the client (the API host's HTTP proxy);
  /// null where no agent is reachable (the simulator): pods/log answers 503.
  std::function<void(PodLogTarget, std::shared_ptr<Exchange>)> pod_log;
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
  /// No read is answered before the caches reach `revision` (a feed that replays the store's
  /// history names the store's revision when it started: reads never see a past state).
  /// Call it before the reset() that starts the replay.
  void require_revision(std::int64_t revision);

  /// Creates what every cluster has when missing: the namespaces default, kube-system,
  /// kube-public and kube-node-lease, and the `kubernetes` service in default (the first
  /// cluster IP, port 443 to advertise_port) with its Endpoints when advertise_address is set
  /// (a first reconcile_endpoints()).
  Task<Status> ensure_defaults();
  /// One pass of the lease endpoint reconciler (endpoint_reconciler.cpp): renews this server's
  /// lease on advertise_address and writes every live server's address into the `kubernetes`
  /// Endpoints. Run it every ~10 s (the shells do; kube-apiserver reconciles every 10 s);
  /// nothing without advertise_address.
  Task<Status> reconcile_endpoints();

  void handle(HttpRequest request, std::shared_ptr<Exchange> exchange);
  void tick();
  std::size_t watcher_count() const;

 private:
  struct Watcher;
  struct Request;
  struct CacheWaiter {
    std::int64_t revision = 0;
    std::int64_t deadline_ms = 0;
    std::function<void(Status)> done;
  };

  Task<HttpResponse> dispatch(Request r);
  // The store's calls and the cache wait, as awaitables.
  // `kind`: what the key holds, for its TTL (null: a key of no kind, such as a cluster IP's
  // claim, which never expires).
  Callback<Result<std::int64_t>> store_create(const std::string& key, const std::string& value,
                                              const Kind* kind);
  Callback<Result<std::int64_t>> store_update(const std::string& key, const std::string& value,
                                              std::int64_t expected, const Kind* kind);
  /// `done`, except that a write the store answered "duplicate" (applied once, its answer
  /// lost) is read back: our bytes still there -> their revision. `key` and `value` outlive
  /// the call (the awaiting coroutine's frame holds them).
  ObjectStore::Done<std::int64_t> settle_duplicate(const std::string* key, const std::string* value,
                                                   ObjectStore::Done<std::int64_t> done);
  /// The TTL objects of `kind` are written with (0: none).
  std::int64_t ttl_s(const Kind* kind) const;
  Callback<Result<std::int64_t>> store_remove(const std::string& key, std::int64_t expected);
  Callback<Result<ObjectStore::Found>> store_get(const std::string& key);
  /// Ok once every cache has seen `revision` (and reset() has run); "timeout" after cache_wait.
  Callback<Status> cache_at(std::int64_t revision);
  bool caught_up(std::int64_t revision) const;  ///< mutex_ held
  /// Answers the waiters `pick` selects (mutex_ held by `lock`, released to answer them).
  void answer_waiters(std::unique_lock<std::mutex>& lock,
                      const std::function<std::optional<Status>(const CacheWaiter&)>& pick);
  void wake_caught_up(std::unique_lock<std::mutex>& lock);

  // Reads (api_reads.cpp).
  Task<HttpResponse> get(const Request& r);
  Task<HttpResponse> list(const Request& r);
  HttpResponse native_list(const Request& r, const LabelSelector& labels,
                           const FieldSelector& fields, std::int64_t at,
                           const std::vector<CachedObject>& objects, const std::string& start,
                           std::int64_t limit);
  /// Nothing once the watch streams; else the response that refuses it.
  Task<std::optional<HttpResponse>> watch(Request r, std::shared_ptr<Exchange> exchange);
  /// pods/<name>/log: nothing once the agent's answer is being relayed; else the refusal
  /// (api_pod_log.cpp).
  Task<std::optional<HttpResponse>> pod_log(Request r, std::shared_ptr<Exchange> exchange);
  /// The names of the request's collection its selectors pick now (DELETECOLLECTION).
  Task<Result<std::vector<std::string>>> selected_names(const Request& r);
  struct Delivery;
  void deliver(Watcher& w, Delivery& delivery);
  // Writes (api_writes.cpp).
  Task<HttpResponse> create(const Request& r);
  Task<HttpResponse> update(const Request& r);
  Task<HttpResponse> patch(const Request& r);
  Task<HttpResponse> remove(const Request& r);
  /// One try of remove(): nullopt when a write lost a race with another writer (retried).
  Task<std::optional<HttpResponse>> remove_once(const Request& r, const nlohmann::json& options,
                                                std::optional<std::int64_t> grace_s);
  Task<HttpResponse> remove_collection(const Request& r);
  /// PUT and PATCH share this: `body` replaces `old` (a 409 if its resourceVersion is set
  /// and stale).
  /// The stored object a write starts from: from the watch cache (`cached`, falling back to
  /// the store when the cache lacks it) or from the store.
  Task<Result<ObjectStore::Found>> current(const Request& r, bool cached);
  /// current() and the object decoded, or the response that ends the request (404, 5xx).
  struct Loaded;
  Task<std::variant<Loaded, HttpResponse>> load(const Request& r, bool cached);
  /// `old_json`: old's JSON when the caller has made it (the patch it applied), else null.
  /// It must live until the task ends.
  Task<HttpResponse> write_updated(const Request& r, nlohmann::json body, const StoredObject& old,
                                   const nlohmann::json* old_json = nullptr);
  // Subresources other than status (api_subresources.cpp).
  Task<HttpResponse> subresource(const Request& r);
  Task<HttpResponse> scale(const Request& r);
  Task<HttpResponse> bind(const Request& r);
  Task<HttpResponse> evict(const Request& r);
  // Admission that reads or claims other objects (api_admission.cpp).
  std::optional<HttpResponse> admit(const Request& r, const Object& object);
  Task<std::optional<HttpResponse>> allocate_cluster_ip(const Request& r, Object& object);
  Task<HttpResponse> delete_namespace(const Request& r, Object ns, StoredObject old);
  std::optional<HttpResponse> check_namespace(const Request& r);
  void note_written(std::int64_t revision);
  std::int64_t written_revision() const;

  WatchCache* cache_for(const std::string& resource);
  /// A cached version's JSON at `revision` (its mod revision, or a delete's), encoded once and
  /// kept with the version for that revision: GETs, watch events and LISTs of it share it (a
  /// LIST of thousands of objects is a concatenation of these, never copied).
  Result<SharedText> json_of(const Kind& kind, const CachedValue& value,
                             std::int64_t revision) const;
  std::int64_t now_s() const;
  std::int64_t monotonic_ms() const;

  ObjectStore& store_;
  ApiServiceOptions options_;
  KubeJson codec_;
  Ipv4Range service_ips_;

  mutable std::mutex mutex_;  // caches, watchers, written_revision_, cache_waiters_
  bool ready_ = false;
  std::vector<CacheWaiter> cache_waiters_;
  std::map<std::string, WatchCache> caches_;  ///< by resource plural
  std::int64_t written_revision_ = 0;
  std::int64_t required_revision_ = 0;  ///< see require_revision()
  std::uint64_t next_watcher_ = 1;
  std::map<std::uint64_t, std::unique_ptr<Watcher>> watchers_;
  WatchIndex watch_index_;  ///< which of watchers_ a change can reach (watch_index.hpp)
  /// Erases a watcher from watchers_ and watch_index_; the next one.
  std::map<std::uint64_t, std::unique_ptr<Watcher>>::iterator drop_watcher(
      std::map<std::uint64_t, std::unique_ptr<Watcher>>::iterator it);
  /// Delivers one change to the watchers it can reach (mutex_ held).
  void fan_out(const std::string& key, Delivery& delivery);
};

}  // namespace craton::api
