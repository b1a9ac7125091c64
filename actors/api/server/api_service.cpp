// ApiService: dispatch, the cache feed, and watch upkeep.
#include "actors/api/server/api_service.hpp"

#include <stdexcept>

#include <kj/exception.h>

#include "actors/api/server/api_errors.hpp"
#include "actors/api/server/api_internal.hpp"

namespace craton::api {
namespace {

// The resource of a /registry/<resource>/... key.
std::string resource_of(const std::string& key) {
  constexpr std::string_view root = "/registry/";
  if (key.compare(0, root.size(), root) != 0) return "";
  auto end = key.find('/', root.size());
  return key.substr(root.size(), end == std::string::npos ? std::string::npos : end - root.size());
}

bool wants_table(const std::string& accept) {
  return accept.find("as=Table") != std::string::npos;
}

}  // namespace

Selectable selectable(const Kind& kind, ObjectReader object) {
  Selectable s;
  auto meta = object.get("metadata").as<capnp::DynamicStruct>().as<schema::k8s::ObjectMeta>();
  s.labels = as_map(meta.getLabels());
  s.fields["metadata.name"] = text(meta.getName());
  s.fields["metadata.namespace"] = text(meta.getNamespace());
  for (const auto& [field, value_of] : kind.fields) s.fields[field] = value_of(object);
  return s;
}

bool selected(const Selectable& s, const LabelSelector& labels, const FieldSelector& fields) {
  if (!labels.matches(s.labels)) return false;
  return fields.matches([&s](const std::string& field) -> std::optional<std::string> {
    auto it = s.fields.find(field);
    if (it == s.fields.end() || it->second.empty()) return std::nullopt;
    return it->second;
  });
}

ApiService::ApiService(ObjectStore& store, ApiServiceOptions options)
    : store_(store), options_(std::move(options)) {
  auto range = Ipv4Range::parse(options_.service_cidr);
  if (!range) throw std::invalid_argument("service_cidr: " + range.error().message);
  service_ips_ = *range;
  if (options_.event_ttl_s < 0) throw std::invalid_argument("event_ttl_s must not be negative");
  for (const auto& kind : served_kinds())
    caches_.emplace(kind.info.plural, WatchCache(options_.cache_window));
}

ApiService::~ApiService() {
  // Parked requests end now (each answers its exchange), before the members they use go.
  options_.resume = nullptr;
  std::unique_lock lock(mutex_);
  answer_waiters(lock, [](const CacheWaiter&) -> std::optional<Status> {
    return Error{"unavailable", "the API server is shutting down"};
  });
  lock.lock();
  for (auto& [id, w] : watchers_) w->exchange->end();
}

std::int64_t ApiService::monotonic_ms() const {
  if (options_.monotonic_ms) return options_.monotonic_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The awaitables hold pointers to the arguments: they live in the awaiting coroutine's frame
// (or its full expression) until the call answers.
std::int64_t ApiService::ttl_s(const Kind* kind) const {
  if (kind == nullptr) return 0;
  switch (kind->ttl) {
    case Kind::Ttl::none:
      return 0;
    case Kind::Ttl::event_ttl:
      return options_.event_ttl_s;
  }
  return 0;
}

// Answers that hide whether our own write took effect, settled by reading the key back:
// - "duplicate": the store applied the write once (a resend or a network copy of it was refused:
//   store_calls.hpp, client sessions) but its own answer was lost;
// - for a create, "exists": a write without a client session that the network duplicated is
//   applied once and refused once, and the refusal may arrive first (simulator, controllers
//   scenario seed 29: a ReplicaSet told 409 for a pod it had created made a fifth of four).
// The key holding exactly our bytes (same uid and creation time for an object) means our write
// is the one stored: answer its revision. Otherwise "exists" stands, and a "duplicate" whose
// key has changed since has an unknown revision: "timeout" (outcome unknown).
ObjectStore::Done<std::int64_t> ApiService::settle_lost_answer(
    const std::string* key, const std::string* value, bool create,
    ObjectStore::Done<std::int64_t> done) {
  return [this, key, value, create, done = std::move(done)](Result<std::int64_t> written) mutable {
    if (written) return done(std::move(written));
    bool duplicate = written.error().code == "duplicate";
    if (!duplicate && !(create && written.error().code == "exists"))
      return done(std::move(written));
    store_.get(*key, [value, duplicate, refused = written.error(),
                      done = std::move(done)](Result<ObjectStore::Found> stored) {
      if (stored && *stored && (*stored)->value == *value) return done((*stored)->mod_revision);
      if (!duplicate) return done(refused);
      done(Error{"timeout",
                 "the store applied the write once but its answer was lost, and the object "
                 "has changed since: its outcome is unknown"});
    });
  };
}

Callback<Result<std::int64_t>> ApiService::store_create(const std::string& key,
                                                        const std::string& value,
                                                        const Kind* kind) {
  return callback<Result<std::int64_t>>([this, k = &key, v = &value, ttl = ttl_s(kind)](auto done) {
    store_.create(*k, *v, ttl, settle_lost_answer(k, v, true, std::move(done)));
  });
}

Callback<Result<std::int64_t>> ApiService::store_update(const std::string& key,
                                                        const std::string& value,
                                                        std::int64_t expected, const Kind* kind) {
  return callback<Result<std::int64_t>>(
      [this, k = &key, v = &value, expected, ttl = ttl_s(kind)](auto done) {
        store_.update(*k, *v, expected, ttl, settle_lost_answer(k, v, false, std::move(done)));
      });
}

Callback<Result<std::int64_t>> ApiService::store_remove(const std::string& key,
                                                        std::int64_t expected) {
  return callback<Result<std::int64_t>>(
      [this, k = &key, expected](auto done) { store_.remove(*k, expected, std::move(done)); });
}

Callback<Result<ObjectStore::Found>> ApiService::store_get(const std::string& key) {
  return callback<Result<ObjectStore::Found>>(
      [this, k = &key](auto done) { store_.get(*k, std::move(done)); });
}

void ApiService::require_revision(std::int64_t revision) {
  std::lock_guard lock(mutex_);
  required_revision_ = revision;  // caught_up() takes it into every wait
}

bool ApiService::caught_up(std::int64_t revision) const {
  if (!ready_) return false;
  revision = std::max(revision, required_revision_);
  for (const auto& [resource, cache] : caches_)
    if (cache.revision() < revision) return false;
  return true;
}

Callback<Status> ApiService::cache_at(std::int64_t revision) {
  return callback<Status>([this, revision](std::function<void(Status)> done) {
    std::unique_lock lock(mutex_);
    if (caught_up(revision)) {
      lock.unlock();
      return done(Ok{});
    }
    cache_waiters_.push_back(
        CacheWaiter{revision, monotonic_ms() + options_.cache_wait.count(), std::move(done)});
  });
}

void ApiService::answer_waiters(
    std::unique_lock<std::mutex>& lock,
    const std::function<std::optional<Status>(const CacheWaiter&)>& pick) {
  std::vector<std::pair<std::function<void(Status)>, Status>> answers;
  for (auto it = cache_waiters_.begin(); it != cache_waiters_.end();) {
    auto answer = pick(*it);
    if (!answer) {
      ++it;
      continue;
    }
    answers.emplace_back(std::move(it->done), std::move(*answer));
    it = cache_waiters_.erase(it);
  }
  lock.unlock();  // a resumed request takes the mutex again
  for (auto& [done, status] : answers) {
    auto go_on = [done = std::move(done), status = std::move(status)] { done(status); };
    if (options_.resume)
      options_.resume(std::move(go_on));
    else
      go_on();
  }
}

void ApiService::wake_caught_up(std::unique_lock<std::mutex>& lock) {
  answer_waiters(lock, [this](const CacheWaiter& w) -> std::optional<Status> {
    if (caught_up(w.revision)) return Status(Ok{});
    return std::nullopt;
  });
}

std::int64_t ApiService::now_s() const {
  return options_.now_s();
}

WatchCache* ApiService::cache_for(const std::string& resource) {
  auto it = caches_.find(resource);
  return it == caches_.end() ? nullptr : &it->second;
}

Result<SharedText> ApiService::json_of(const Kind& kind, const CachedValue& value,
                                       std::int64_t revision) const {
  if (auto kept = value.encoded(revision))
    return SharedText(kept, &kept->text);  // shares the kept form's ownership
  auto object = object_from_bytes(kind, value);
  if (!object) return object.error();
  auto made = std::make_shared<const CachedValue::Encoded>(
      CachedValue::Encoded{revision, object_to_json_text(codec_, *object, revision)});
  value.keep(made);
  return SharedText(made, &made->text);
}

void ApiService::reset(std::int64_t revision, const std::vector<StoredObject>& objects) {
  std::map<std::string, std::vector<CachedObject>> by_resource;
  for (const auto& o : objects)
    by_resource[resource_of(o.key)].push_back({o.key, o.mod_revision, o.value});
  std::unique_lock lock(mutex_);
  for (auto& [resource, cache] : caches_) cache.reset(revision, std::move(by_resource[resource]));
  // Watchers cannot follow across a reset (what happened in between is unknown): they end,
  // and clients watch again from a fresh list, as with kube-apiserver's cacher.
  for (auto& [id, w] : watchers_) w->exchange->end();
  watchers_.clear();
  watch_index_.clear();
  ready_ = true;
  wake_caught_up(lock);
}

void ApiService::apply(const std::vector<FeedChange>& changes) {
  std::unique_lock lock(mutex_);
  for (const auto& c : changes) {
    auto* cache = cache_for(resource_of(c.key));
    if (cache == nullptr) continue;  // a key of no served resource
    auto change = cache->apply(c.key, c.revision, c.value);
    if (!change || !*change) continue;  // out of order, or a delete of an absent key
    Delivery delivery{**change, {}, {}, {}};
    fan_out(c.key, delivery);
  }
  // The feed delivers whole revisions: every resource has now seen all up to the last one.
  if (!changes.empty())
    for (auto& [resource, cache] : caches_) cache.progress(changes.back().revision);
  wake_caught_up(lock);
}

std::map<std::uint64_t, std::unique_ptr<ApiService::Watcher>>::iterator ApiService::drop_watcher(
    std::map<std::uint64_t, std::unique_ptr<Watcher>>::iterator it) {
  watch_index_.remove(it->first);
  return watchers_.erase(it);
}

void ApiService::fan_out(const std::string& key, Delivery& delivery) {
  auto resource = resource_of(key);
  // The change's field values, decoded once into the delivery (deliver reuses them), and only
  // when some watcher of the resource is indexed by a field (the index asks for no other).
  auto value_of = [&](std::optional<std::optional<Selectable>>& slot,
                      const std::string* bytes) -> WatchIndex::ValueOf {
    return [this, &resource, &slot = slot,
            bytes](const std::string& field) -> std::optional<std::string> {
      if (bytes == nullptr) return std::nullopt;
      if (!slot) {
        const Kind& kind = *watchers_.at(watch_index_.any_indexed(resource))->kind;
        auto o = object_from_bytes(kind, *bytes);
        slot = o ? std::optional<Selectable>(selectable(kind, o->root().asReader())) : std::nullopt;
      }
      if (!*slot) return std::nullopt;
      auto it = (*slot)->fields.find(field);
      if (it == (*slot)->fields.end() || it->second.empty()) return std::nullopt;
      return it->second;
    };
  };
  const auto& change = delivery.change;
  const std::string* before = change.previous ? &change.previous->bytes() : nullptr;
  const std::string* after = change.type == ChangeType::deleted ? nullptr : &change.value.bytes();
  auto ids = watch_index_.candidates(resource, value_of(delivery.before, before),
                                     value_of(delivery.after, after));
  for (auto id : ids) {
    auto it = watchers_.find(id);
    if (it == watchers_.end()) continue;
    auto& w = *it->second;
    if (key.compare(0, w.prefix.size(), w.prefix) == 0) deliver(w, delivery);
    if (w.ended) drop_watcher(it);
  }
}

void ApiService::progress(std::int64_t revision) {
  std::unique_lock lock(mutex_);
  for (auto& [resource, cache] : caches_) cache.progress(revision);
  wake_caught_up(lock);
}

bool ApiService::ready() const {
  std::lock_guard lock(mutex_);
  return ready_;
}

std::size_t ApiService::watcher_count() const {
  std::lock_guard lock(mutex_);
  return watchers_.size();
}

void ApiService::note_written(std::int64_t revision) {
  std::lock_guard lock(mutex_);
  written_revision_ = std::max(written_revision_, revision);
}

std::int64_t ApiService::written_revision() const {
  std::lock_guard lock(mutex_);
  return written_revision_;
}

void ApiService::handle(HttpRequest http, std::shared_ptr<Exchange> exchange) {
  auto path = parse_api_path(http.path);
  if (!path) {
    exchange->respond(
        status_error(404, "NotFound", "the server could not find the requested resource"));
    return;
  }
  Request r;
  r.path = *path;
  r.kind = find_kind(path->group, path->version, path->resource);
  if (r.kind == nullptr) {  // every discovered resource is served (kinds.cpp)
    exchange->respond(
        status_error(404, "NotFound", "the server could not find the requested resource"));
    return;
  }
  if (!r.kind->info.namespaced && !path->namespace_.empty()) {
    exchange->respond(status_error(404, "NotFound", path->resource + " is not namespaced"));
    return;
  }
  if (!path->subresource.empty()) {
    const auto& subs = r.kind->info.subresources;
    if (std::find(subs.begin(), subs.end(), path->subresource) == subs.end()) {
      exchange->respond(
          status_error(404, "NotFound", "the server could not find the requested resource"));
      return;
    }
  }
  r.http = std::move(http);
  r.native = r.http.accept == kApiMediaType;
  r.table = !r.native && wants_table(r.http.accept);
  auto dry = r.param("dryRun");
  if (!dry.empty() && dry != "All") {
    exchange->respond(
        bad_request("dryRun: unsupported value \"" + dry + "\": supported values: \"All\""));
    return;
  }
  r.dry_run = dry == "All";
  if (r.path.subresource == "log") {  // the node agent answers; this server relays
    if (r.http.method != "GET") return exchange->respond(method_not_allowed());
    auto task = pod_log(std::move(r), exchange);
    return start(std::move(task), [exchange](std::optional<HttpResponse> refused) {
      if (refused) exchange->respond(std::move(*refused));
    });
  }
  bool named = !r.path.name.empty();
  auto flag = r.param("watch");
  if (r.http.method == "GET" && !named && (flag == "1" || flag == "true")) {
    auto task = watch(std::move(r), exchange);
    return start(std::move(task), [exchange](std::optional<HttpResponse> refused) {
      if (refused) exchange->respond(std::move(*refused));
    });
  }
  start(dispatch(std::move(r)),
        [exchange](HttpResponse response) { exchange->respond(std::move(response)); });
}

Task<HttpResponse> ApiService::dispatch(Request r) {
  const auto& m = r.http.method;
  bool named = !r.path.name.empty();
  // Bodies are read (and their field types met) before anything is written, so a value of
  // the wrong type anywhere in a body is a 400 and changes nothing.
  try {
    bool status = r.path.subresource == "status";
    if (!r.path.subresource.empty() && !status) co_return co_await subresource(r);
    if (status && m != "GET" && m != "PUT" && m != "PATCH") co_return method_not_allowed();
    if (m == "GET" && named) co_return co_await get(r);
    if (m == "GET") co_return co_await list(r);
    if (m == "POST" && !named) co_return co_await create(r);
    if (m == "PUT" && named) co_return co_await update(r);
    if (m == "PATCH" && named) co_return co_await patch(r);
    if (m == "DELETE" && named) co_return co_await remove(r);
    if (m == "DELETE") co_return co_await remove_collection(r);
    co_return method_not_allowed();
  } catch (const nlohmann::json::exception& e) {
    co_return bad_request(std::string("the request body has a field of the wrong type: ") +
                          e.what());
  } catch (const kj::Exception& e) {
    co_return status_error(500, "InternalError", e.getDescription().cStr());
  }
}

void ApiService::tick() {
  std::unique_lock lock(mutex_);
  auto now = now_s();
  for (auto it = watchers_.begin(); it != watchers_.end();) {
    auto& w = *it->second;
    if (now >= w.deadline_s) {
      w.exchange->end();
      w.ended = true;
    } else if (w.bookmarks && now - w.last_bookmark_s >= options_.bookmark_interval_s) {
      w.last_bookmark_s = now;
      auto* cache = cache_for(w.kind->info.plural);
      if (w.native) {
        ApiEvent bookmark{ApiEventType::bookmark, {"", cache->revision()}, 0, {}};
        if (!w.exchange->write(encode_api_event(bookmark))) w.ended = true;
        it = w.ended ? drop_watcher(it) : std::next(it);
        continue;
      }
      nlohmann::json bookmark{
          {"type", "BOOKMARK"},
          {"object",
           {{"kind", w.kind->info.kind},
            {"apiVersion", w.kind->info.group_version()},
            {"metadata", {{"resourceVersion", std::to_string(cache->revision())}}}}}};
      if (!w.exchange->write(bookmark.dump() + "\n")) w.ended = true;
    }
    it = w.ended ? drop_watcher(it) : std::next(it);
  }
  auto now_ms = monotonic_ms();
  answer_waiters(lock, [now_ms](const CacheWaiter& w) -> std::optional<Status> {
    if (now_ms < w.deadline_ms) return std::nullopt;
    return Error{"timeout", "the watch cache did not reach revision " + std::to_string(w.revision) +
                                " in time"};
  });
}

}  // namespace craton::api
