// The API actor's shell: envelopes in and out, the store through StoreCalls, the cache feed.
#include "actors/api/actor/api_actor.hpp"

#include <kj/exception.h>

#include <map>

#include "actors/api/actor/api_call_http.hpp"
#include "actors/api/client/api_protocol.hpp"
#include "actors/api/meta/names.hpp"
#include "actors/api/server/lease_reuse.hpp"
#include "actors/store/client/conditional_write.hpp"
#include "runtime/correlation.hpp"
#include "runtime/flat_message.hpp"

namespace craton::api {
namespace {

using tick_atom = caf::atom_constant<caf::atom("api_tick")>;
constexpr const char* kRoot = "/registry/";

// The ObjectStore the service writes through: each call is a StoreCalls call (`call` sends it).
// A write with a TTL takes its lease from LeaseReuse; one grant is in flight at a time, and
// writes that need a lease meanwhile wait for it (at most the service's requests in flight).
class ActorStore final : public ObjectStore {
 public:
  std::function<void(store::StoreRequest, store::StoreCalls::Done)> call;
  std::function<std::int64_t()> now_ms;  ///< the node's monotonic clock

  void create(const std::string& key, const std::string& value, std::int64_t ttl_s,
              Done<std::int64_t> done) override {
    put(key, value, 0, ttl_s, std::move(done), 1);
  }
  void update(const std::string& key, const std::string& value, std::int64_t expected,
              std::int64_t ttl_s, Done<std::int64_t> done) override {
    put(key, value, expected, ttl_s, std::move(done), 1);
  }
  void remove(const std::string& key, std::int64_t expected, Done<std::int64_t> done) override {
    write(key, expected, storage::DeleteRangeRequest{key, "", false}, std::move(done));
  }
  void get(const std::string& key, Done<Found> done) override {
    call(store::read_key(key), [done = std::move(done)](Result<store::StoreReply> reply) {
      auto kv = store::read_key_outcome(reply);
      if (!kv) return done(kv.error());
      if (!*kv) return done(Found());
      done(Found(StoredObject{(*kv)->key, std::move((*kv)->value), (*kv)->mod_revision}));
    });
  }

 private:
  void write(const std::string& key, std::int64_t expected, storage::RequestOp op,
             Done<std::int64_t> done) {
    call(store::conditional_write(key, expected, std::move(op)),
         [key, expected, done = std::move(done)](Result<store::StoreReply> reply) {
           done(store::conditional_write_outcome(reply, key, expected));
         });
  }

  void put(const std::string& key, const std::string& value, std::int64_t expected,
           std::int64_t ttl_s, Done<std::int64_t> done, int attempt) {
    if (ttl_s <= 0) return write(key, expected, storage::PutRequest{key, value, 0, false}, done);
    with_lease(ttl_s,
               [this, key, value, expected, ttl_s, done, attempt](Result<std::int64_t> lease) {
                 if (!lease) return done(lease.error());
                 storage::PutRequest op{key, value, *lease, false};
                 call(store::conditional_write(key, expected, op),
                      [this, key, value, expected, ttl_s, done, attempt,
                       id = *lease](Result<store::StoreReply> reply) {
                        auto written = store::conditional_write_outcome(reply, key, expected);
                        // The cached lease went early (revoked by hand): a new one, once.
                        if (written || written.error().code != "lease_not_found" || attempt == 2)
                          return done(written);
                        leases_.forget(id);
                        put(key, value, expected, ttl_s, done, attempt + 1);
                      });
               });
  }

  void with_lease(std::int64_t ttl_s, Done<std::int64_t> done) {
    if (granting_) {
      waiting_.emplace_back(ttl_s, std::move(done));
      return;
    }
    auto now = now_ms();
    if (auto id = leases_.reusable(ttl_s, now)) return done(*id);
    granting_ = true;
    auto ttl = leases_.grant_ttl_s(ttl_s);
    call(store::grant_lease(ttl), [this, ttl, now, done](Result<store::StoreReply> reply) {
      granting_ = false;
      auto granted = store::grant_lease_outcome(reply);
      if (granted) leases_.granted(granted->id, ttl, now);
      auto waiting = std::move(waiting_);
      waiting_.clear();
      if (!granted) {
        done(granted.error());
        for (auto& [t, d] : waiting) d(granted.error());
        return;
      }
      done(granted->id);
      for (auto& [t, d] : waiting) with_lease(t, std::move(d));
    });
  }

  LeaseReuse leases_;
  bool granting_ = false;
  std::vector<std::pair<std::int64_t, Done<std::int64_t>>> waiting_;  ///< ttl_s, answer
};

// One request's answer, or one watch's events, as envelopes to the requester. `alive` turns
// false when the actor goes: the service then ends its watchers without sending.
class EnvelopeExchange final : public Exchange {
 public:
  EnvelopeExchange(caf::event_based_actor* self, ActorEnv& env, Address to,
                   std::uint64_t correlation, ApiCall call, const KubeJson& codec,
                   std::shared_ptr<bool> alive)
      : self_(self),
        env_(env),
        to_(std::move(to)),
        correlation_(correlation),
        call_(std::move(call)),
        codec_(codec),
        alive_(std::move(alive)) {}

  void respond(HttpResponse response) override {
    if (!*alive_) return;
    EnvelopeBuilder b(env_.address(), to_, correlation_);
    write_api_reply(b.body().initApiResponse(), reply_of(response, call_, codec_));
    env_.send(self_, b);
  }
  void start_stream(int, const std::string&) override {}
  bool write(std::string piece) override {
    if (!*alive_ || stopped_ || ended_) return false;
    // The service's native pieces are whole ApiWatchEvent messages: copied into the envelope.
    auto message = FlatMessage::open(piece);
    if (!message) return false;
    auto event = message->root<schema::api::ApiWatchEvent>();
    if (event.getType() == schema::api::ApiWatchEvent::Type::ERROR) ended_ = true;
    EnvelopeBuilder b(env_.address(), to_, correlation_);
    b.body().setApiWatchEvent(event);
    env_.send(self_, b);
    ++sent_;
    return true;
  }
  void end() override {
    if (ended_) return;
    ended_ = true;
    if (!*alive_ || stopped_) return;
    EnvelopeBuilder b(env_.address(), to_, correlation_);
    write_api_event(b.body().initApiWatchEvent(), ApiEvent{ApiEventType::closed, {}, 0, {}});
    env_.send(self_, b);
  }
  void stop() { stopped_ = true; }
  /// The watch sent its last event (error or closed), or its requester stopped it.
  bool ended() const { return ended_ || stopped_; }
  /// Events sent on the watch so far.
  std::int64_t sent() const { return sent_; }

 private:
  caf::event_based_actor* self_;
  ActorEnv& env_;
  Address to_;
  std::uint64_t correlation_;
  ApiCall call_;
  const KubeJson& codec_;
  std::shared_ptr<bool> alive_;
  bool stopped_ = false;
  bool ended_ = false;
  std::int64_t sent_ = 0;
};

struct ApiState {
  std::unique_ptr<ActorEnv> env;
  ApiActorConfig config;
  KubeJson codec;
  std::unique_ptr<store::StoreCalls> calls;
  ActorStore objects;
  std::unique_ptr<ApiService> service;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  /// Requests taken lately: a duplicated envelope is carried out once.
  RecentRequests taken;
  /// Watches by requester and correlation id, for stopWatch.
  std::map<std::pair<std::string, std::uint64_t>, std::weak_ptr<EnvelopeExchange>> watches;

  // The feed.
  enum class Feed { idle, reading, watching } feed = Feed::idle;
  std::uint64_t feed_correlation_base = 0;  ///< the feed's ids start here, the calls' below
  std::uint64_t next_feed_correlation = 0;
  std::uint64_t feed_correlation = 0;  ///< of the live watch create
  store::WatchId feed_watch_id = 0;
  std::int64_t feed_revision = 0;  ///< every change up to here is applied
  std::int64_t feed_heard_ms = 0;
  std::int64_t feed_keepalive_sent_ms = 0;
  std::int64_t feed_retry_ms = 0;  ///< idle: read again from here
  /// The default namespaces and service: made once per actor (each tries; a 409 is success),
  /// retried every feed_keepalive_ms while they fail.
  enum class Defaults { missing, making, made } defaults = Defaults::missing;
  std::int64_t defaults_retry_ms = INT64_MIN;  ///< node clocks may read below 0
  /// The next pass of the lease endpoint reconciler (ApiService::reconcile_endpoints), once
  /// the defaults are made; one pass at a time.
  std::int64_t endpoints_due_ms = INT64_MIN;
  bool reconciling = false;

  ~ApiState() {
    *alive = false;
    // Requests waiting on the store fail first, while the service their coroutines run in
    // still exists: failed after it, a namespace deletion resumed into a destroyed watch cache
    // (simulator, controllers scenario: a node crashed during a deletion). What they start
    // meanwhile is dropped with the calls, unanswered.
    if (calls) calls->fail_all();
    service.reset();  // ends parked requests and watchers (nothing is sent any more)
  }
  static inline const char* name = "craton.api";
};

using ApiActor = caf::stateful_actor<ApiState>;

void send_store(ApiActor* self, const store::StoreCalls::Send& s) {
  auto& st = self->state;
  EnvelopeBuilder b(st.env->address(), Address{s.node, "store"}, s.correlation);
  store::write_request(b.body(), s.request, s.session);
  st.env->send(self, b);
}

void store_call(ApiActor* self, store::StoreRequest request, store::StoreCalls::Done done) {
  auto& st = self->state;
  // While the actor goes, requests the service ends may still try the store: nothing leaves.
  if (!*st.alive) return done(Error{"unavailable", "the API actor is stopping"});
  if (auto s = st.calls->call(std::move(request), st.env->now_ms(self), std::move(done)))
    send_store(self, *s);
}

void feed_send(ApiActor* self, std::uint64_t correlation, const store::StoreRequest& request) {
  auto& st = self->state;
  send_store(self,
             store::StoreCalls::Send{st.env->address().node, correlation, request, std::nullopt});
}

// Creates the store watch from `from` on this node's replica (ending the previous one).
void feed_watch(ApiActor* self, std::int64_t from) {
  auto& st = self->state;
  if (st.feed_correlation != 0 && st.feed_watch_id > 0)
    feed_send(self, st.next_feed_correlation++, store::WatchCancel{st.feed_watch_id});
  store::WatchRequest w;
  w.key = kRoot;
  w.range_end = storage::prefix_end(w.key);
  w.start_revision = from;
  w.progress_notify = true;
  st.feed = ApiState::Feed::watching;
  st.env->observe("api feed watch from " + std::to_string(from));
  st.feed_correlation = st.next_feed_correlation++;
  st.feed_watch_id = 0;
  st.feed_heard_ms = st.env->now_ms(self);
  feed_send(self, st.feed_correlation, store::WatchCreate{w});
}

void make_defaults(ApiActor* self) {
  auto& st = self->state;
  if (st.defaults != ApiState::Defaults::missing || st.env->now_ms(self) < st.defaults_retry_ms)
    return;
  st.defaults = ApiState::Defaults::making;
  start(st.service->ensure_defaults(), [self](const Status& s) {
    auto& st = self->state;
    if (!*st.alive) return;
    if (s) {
      st.defaults = ApiState::Defaults::made;
      st.env->observe("api defaults made");
      return;
    }
    st.env->observe("api defaults failed: " + s.error().message);
    st.env->log(self, LogLevel::warn, "api: " + s.error().message);
    st.defaults = ApiState::Defaults::missing;
    st.defaults_retry_ms = st.env->now_ms(self) + st.config.feed_keepalive_ms;
  });
}

// kube-apiserver's endpoint reconciler loop: this server's lease renewed and the `kubernetes`
// Endpoints brought in line every endpoint_reconcile_ms.
void reconcile_endpoints(ApiActor* self) {
  auto& st = self->state;
  auto now = st.env->now_ms(self);
  if (st.defaults != ApiState::Defaults::made || st.reconciling || now < st.endpoints_due_ms)
    return;
  st.reconciling = true;
  st.endpoints_due_ms = now + st.config.endpoint_reconcile_ms;
  start(st.service->reconcile_endpoints(), [self](const Status& s) {
    auto& st = self->state;
    if (!*st.alive) return;
    st.reconciling = false;
    if (!s) st.env->log(self, LogLevel::warn, "api: " + s.error().message);
  });
}

void feed_failed(ApiActor* self, const std::string& why) {
  auto& st = self->state;
  st.env->log(self, LogLevel::info, "api: cache feed: " + why + "; starting again");
  st.feed = ApiState::Feed::idle;
  st.feed_correlation = 0;
  st.feed_retry_ms = st.env->now_ms(self) + st.config.feed_keepalive_ms;
}

// Replays the store's history into empty caches (reads wait for the current revision).
void feed_start(ApiActor* self) {
  auto& st = self->state;
  st.feed = ApiState::Feed::reading;
  storage::RangeRequest count{kRoot, storage::prefix_end(kRoot), 0, 0, false, true};
  store_call(self, store::ReadRequest{count, false}, [self](Result<store::StoreReply> reply) {
    auto& st = self->state;
    auto* range =
        reply && !reply->error ? std::get_if<storage::RangeResponse>(&reply->body) : nullptr;
    if (range == nullptr) return feed_failed(self, "cannot read the store's revision");
    st.service->require_revision(range->header_revision);
    st.service->reset(0, {});
    st.env->observe("api feed replays the history up to " + std::to_string(range->header_revision));
    st.feed_revision = 0;
    feed_watch(self, 1);
  });
}

// The history is compacted: the caches start from a list.
void feed_list(ApiActor* self) {
  auto& st = self->state;
  st.feed = ApiState::Feed::reading;
  st.feed_correlation = 0;
  storage::RangeRequest all{kRoot, storage::prefix_end(kRoot), 0, 0, false, false};
  store_call(self, store::ReadRequest{all, false}, [self](Result<store::StoreReply> reply) {
    auto& st = self->state;
    auto* range =
        reply && !reply->error ? std::get_if<storage::RangeResponse>(&reply->body) : nullptr;
    if (range == nullptr) return feed_failed(self, "cannot list the store");
    std::vector<StoredObject> objects;
    for (auto& kv : range->kvs)
      objects.push_back(StoredObject{kv.key, std::move(kv.value), kv.mod_revision});
    st.service->reset(range->header_revision, objects);
    st.env->observe("api feed listed at " + std::to_string(range->header_revision));
    st.feed_revision = range->header_revision;
    feed_watch(self, range->header_revision + 1);
  });
}

void on_feed(ApiActor* self, std::uint64_t correlation, const store::WatchResponse& r) {
  auto& st = self->state;
  if (correlation == 0) {  // stream-wide progress
    if (st.feed == ApiState::Feed::watching && st.feed_watch_id != 0) {
      st.feed_heard_ms = st.env->now_ms(self);
      st.service->progress(r.header_revision);
    }
    return;
  }
  if (correlation != st.feed_correlation) {
    // A watch the feed left behind (answered late): end it on the replica.
    if (r.created) feed_send(self, st.next_feed_correlation++, store::WatchCancel{r.watch_id});
    return;
  }
  st.feed_heard_ms = st.env->now_ms(self);
  if (r.created) {
    st.feed_watch_id = r.watch_id;
  } else if (r.canceled) {
    if (r.compact_revision > 0) return feed_list(self);
    feed_watch(self, st.feed_revision + 1);
  } else if (!r.events.empty()) {
    std::vector<FeedChange> changes;
    changes.reserve(r.events.size());
    for (const auto& e : r.events) {
      if (e.kv.mod_revision <= st.feed_revision) continue;  // a resumed watch's overlap
      changes.push_back(FeedChange{e.kv.key, e.kv.mod_revision,
                                   e.type == storage::EventType::put
                                       ? std::optional<std::string>(e.kv.value)
                                       : std::nullopt});
    }
    if (changes.empty()) return;
    st.feed_revision = changes.back().revision;
    st.service->apply(changes);
  } else {
    st.service->progress(r.header_revision);
  }
}

void on_store_response(ApiActor* self, const DecodedEnvelope& in) {
  auto& st = self->state;
  auto correlation = in.root().getCorrelationId();
  auto reply = store::read_reply(in.root().getBody());
  if (correlation == 0 || correlation >= st.feed_correlation_base) {  // the feed's
    if (!reply || reply->error) return;  // a refused create: the silence timer creates again
    if (auto* w = std::get_if<store::WatchResponse>(&reply->body)) on_feed(self, correlation, *w);
    return;
  }
  for (const auto& s : st.calls->on_reply(correlation, std::move(reply), st.env->now_ms(self)))
    send_store(self, s);
}

// probeWatch: whether this actor holds the watch the requester started with `correlation`.
// Watches live in the actor's memory only: an actor that restarted (alone, or with its process)
// holds none of its predecessor's and sends them nothing more, not even a close. The watcher
// cannot tell that silence from a quiet collection, so it asks after a few seconds of silence
// (EnvelopeSession's watch_probe_ms); "unknown" makes it watch again from its revision, as a
// client of kube-apiserver does when the server closes its stream. "Held" carries how many
// events the watch has sent: the watcher compares it with what it got (links drop what is sent
// while they are down; the answer comes after those events, in order).
ApiReply probe_answer(const ApiState& st, const Address& from, std::uint64_t correlation) {
  auto it = st.watches.find({from.to_string(), correlation});
  auto watch = it == st.watches.end() ? nullptr : it->second.lock();
  if (watch == nullptr || watch->ended())
    return failure_reply(
        404, "NotFound",
        "no watch " + std::to_string(correlation) + " of this requester: watch again");
  ApiReply held;
  held.code = 200;
  held.watch_events_sent = std::uint64_t(watch->sent());
  return held;
}

void on_api_request(ApiActor* self, const DecodedEnvelope& in) {
  auto& st = self->state;
  auto from = in.from();
  auto correlation = in.root().getCorrelationId();
  auto answer = [&](const ApiReply& reply) {
    EnvelopeBuilder b(st.env->address(), from, correlation);
    write_api_reply(b.body().initApiResponse(), reply);
    st.env->send(self, b);
  };
  auto call = read_api_call(in.root().getBody().getApiRequest());
  // A copy of a request taken already is dropped (stopWatch and probeWatch reuse their watch's
  // id: exempt).
  bool names_a_watch =
      call && (call->verb == ApiVerb::stop_watch || call->verb == ApiVerb::probe_watch);
  if (call && !names_a_watch && !st.taken.first_time(from.to_string(), correlation)) return;
  if (!call) return answer(failure_reply(400, "BadRequest", call.error().message));
  if (call->verb == ApiVerb::probe_watch) return answer(probe_answer(st, from, correlation));
  if (call->verb == ApiVerb::stop_watch) {
    auto it = st.watches.find({from.to_string(), correlation});
    if (it == st.watches.end()) return;
    if (auto w = it->second.lock()) w->stop();
    st.watches.erase(it);
    return;
  }
  auto http = http_request_of(*call, st.codec);
  if (!http)
    return answer(http.error().code == "not_found"
                      ? failure_reply(404, "NotFound", http.error().message)
                      : failure_reply(400, "BadRequest", http.error().message));
  auto exchange = std::make_shared<EnvelopeExchange>(self, *st.env, from, correlation,
                                                     std::move(*call), st.codec, st.alive);
  if (http->query.count("watch")) st.watches[{from.to_string(), correlation}] = exchange;
  st.service->handle(std::move(*http), exchange);
}

void on_tick(ApiActor* self) {
  auto& st = self->state;
  auto now = st.env->now_ms(self);
  for (const auto& s : st.calls->tick(now)) send_store(self, s);
  st.service->tick();
  std::erase_if(st.watches, [](const auto& w) { return w.second.expired(); });
  switch (st.feed) {
    case ApiState::Feed::idle:
      if (now >= st.feed_retry_ms) feed_start(self);
      break;
    case ApiState::Feed::reading:
      break;
    case ApiState::Feed::watching:
      make_defaults(self);  // once the feed runs; again while they fail
      reconcile_endpoints(self);
      if (now - st.feed_heard_ms >= st.config.feed_silence_ms) {
        feed_watch(self, st.feed_revision + 1);
      } else if (now - st.feed_keepalive_sent_ms >= st.config.feed_keepalive_ms) {
        st.feed_keepalive_sent_ms = now;
        feed_send(self, st.next_feed_correlation++, store::WatchProgress{});
      }
      break;
  }
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(st.config.tick_ms)),
                     tick_atom::value);
}

caf::behavior api_actor(ApiActor* self, NodeContext node, ApiActorConfig config) {
  auto& st = self->state;
  auto first = first_correlation_id(node.incarnation);
  st.env = std::make_unique<ActorEnv>(std::move(node), "api");
  st.config = std::move(config);
  // Store calls and the feed's watch requests count in two halves of the incarnation's range.
  // Writes carry a client session of this incarnation (a random id: restarts and other API
  // actors never share one), so that a write resent after silence is applied at most once.
  st.calls = std::make_unique<store::StoreCalls>(st.env->address().node, first, st.config.store,
                                                 st.env->rng().next() | 1);
  st.feed_correlation_base = first + (std::uint64_t(1) << 39);
  st.next_feed_correlation = st.feed_correlation_base;
  st.objects.now_ms = [self] { return self->state.env->now_ms(self); };
  st.objects.call = [self](store::StoreRequest request, store::StoreCalls::Done done) {
    store_call(self, std::move(request), std::move(done));
  };
  auto options = st.config.service;
  auto base = st.config.wall_clock_base_s;
  options.now_s = [self, base] { return base + self->state.env->now_ms(self) / 1000; };
  options.monotonic_ms = [self] { return self->state.env->now_ms(self); };
  options.new_uid = [self] { return random_uid([self] { return self->state.env->rng().next(); }); };
  options.name_suffix = [self] {
    return random_name_suffix([self] { return self->state.env->rng().next(); });
  };
  options.resume = nullptr;  // one thread: a parked request goes on at once
  st.service = std::make_unique<ApiService>(st.objects, options);
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  // The first feed start waits a tick, so that the node's replica is registered.
  st.feed_retry_ms = st.env->now_ms(self) + st.config.tick_ms;
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(st.config.tick_ms)),
                     tick_atom::value);
  return {
      [self](const WireEnvelope& wire) {
        auto in = decode_envelope(wire.bytes, CodecLimits{}, Validation::opened);
        if (!in) return;
        try {
          auto body = in->root().getBody();
          if (body.isStoreResponse()) return on_store_response(self, *in);
          if (body.isApiRequest()) return on_api_request(self, *in);
        } catch (const kj::Exception& e) {
          self->state.env->log(self, LogLevel::warn,
                               std::string("api: dropped a message: ") + e.getDescription().cStr());
        }
      },
      [self](tick_atom) { on_tick(self); },
  };
}

}  // namespace

caf::actor spawn_api(caf::actor_system& sys, const NodeContext& node, ApiActorConfig config) {
  return sys.spawn(api_actor, node, std::move(config));
}

}  // namespace craton::api
