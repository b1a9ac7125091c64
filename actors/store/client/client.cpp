#include "actors/store/client/client.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "actors/store/codec/session_codec.hpp"
#include "actors/store/codec/store_codec.hpp"
#include "runtime/node_host.hpp"

namespace craton::store {
namespace {

using sweep_atom = caf::atom_constant<caf::atom("callsweep")>;
using link_wait_atom = caf::atom_constant<caf::atom("linkwait")>;
using keepalive_atom = caf::atom_constant<caf::atom("wkeepal")>;

// If no PeerStatus arrives (the link came up before this actor subscribed), waiting calls go
// out after this long anyway: by then the router sends straight to the remote router.
constexpr std::chrono::milliseconds kLinkWait{300};

// Calls time out by a sweep, not a timer each: every delayed_send goes through CAF's clock
// thread (a lock and a wakeup), which cost a busy client about a tenth of its CPU. A call
// fails between timeout_ms and timeout_ms + one sweep period after it started.
std::chrono::milliseconds sweep_period(std::int64_t timeout_ms) {
  return std::chrono::milliseconds(std::clamp<std::int64_t>(timeout_ms / 10, 5, 100));
}

struct PendingCall {
  caf::response_promise promise;
  std::int64_t deadline_ms = 0;  ///< on the actor's clock (ActorEnv::now_ms: the node's clock)
};

/// Where the later responses of one watch go.
struct WatchRoute {
  std::string node;                ///< the replica holding it
  caf::actor subscriber;           ///< gets every later response (watch_event_atom)
  WatchId watch_id = 0;            ///< the replica's id for it, from the `created` response
  std::size_t buffered_bytes = 0;  ///< forwarded and not yet taken by the subscriber
};

struct ClientState {
  std::unique_ptr<ActorEnv> env;
  ClientActorConfig config;
  /// By correlation id, which grows with the start time: with one timeout for all calls,
  /// the earliest deadline comes first.
  std::map<std::uint64_t, PendingCall> pending;
  bool sweep_armed = false;
  std::set<std::string> up;  ///< nodes whose link is up
  /// Calls to a node whose link is not up yet, sent when it comes up (see start_call).
  std::map<std::string, std::vector<std::pair<std::uint64_t, WireEnvelope>>> waiting;
  std::uint64_t next_correlation = 1;
  /// Watches by the create's correlation id (see "Watches" in client.hpp).
  std::map<std::uint64_t, WatchRoute> watches;
  bool keepalive_running = false;
  static inline const char* name = "craton.store_client";
};

using ClientActor = caf::stateful_actor<ClientState>;

std::vector<std::uint8_t> flat_bytes(capnp::MessageBuilder& message) {
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

void send_now(ClientActor* self, const std::string& node, std::uint64_t id,
              const WireEnvelope& request) {
  auto& st = self->state;
  std::vector<capnp::word> aligned(request.bytes.size() / sizeof(capnp::word));
  std::memcpy(aligned.data(), request.bytes.data(), request.bytes.size());
  try {
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(aligned.data(), aligned.size()));
    EnvelopeBuilder b(st.env->address(), Address{node, "store"}, id);
    b.body().setStoreRequest(reader.getRoot<schema::StoreRequest>());
    st.env->send(self, b);
  } catch (const kj::Exception&) {
    auto it = st.pending.find(id);
    if (it == st.pending.end()) return;
    it->second.promise.deliver(caf::make_error(caf::sec::invalid_argument));
    st.pending.erase(it);
  }
}

void arm_sweep(ClientActor* self) {
  auto& st = self->state;
  if (st.sweep_armed || st.pending.empty()) return;
  st.sweep_armed = true;
  self->delayed_send(self, st.env->timer(sweep_period(st.config.timeout_ms)), sweep_atom::value);
}

// Fails every call whose deadline has passed.
void sweep(ClientActor* self) {
  auto& st = self->state;
  st.sweep_armed = false;
  auto now = st.env->now_ms(self);
  while (!st.pending.empty() && st.pending.begin()->second.deadline_ms <= now) {
    auto id = st.pending.begin()->first;
    st.pending.begin()->second.promise.deliver(caf::make_error(caf::sec::request_timeout));
    st.pending.erase(st.pending.begin());
    st.watches.erase(id);
    for (auto& [node, calls] : st.waiting)
      std::erase_if(calls, [id](const auto& call) { return call.first == id; });
  }
  arm_sweep(self);
}

// Sends one StoreRequest (flat-encoded) to `node`; the promise is kept until the answer or the
// timeout. Until the link to `node` is up the call waits: an envelope the link forwards while
// connecting carries the link, not the router, as its sender, so the replica's router would
// learn a return route that does not deliver replies.
std::uint64_t start_call(ClientActor* self, const std::string& node, const WireEnvelope& request) {
  auto& st = self->state;
  auto rp = self->make_response_promise();
  if (st.pending.size() >= st.config.pending_max || request.bytes.size() % sizeof(capnp::word) ||
      request.bytes.empty()) {
    rp.deliver(caf::make_error(caf::sec::invalid_argument));
    return 0;
  }
  auto id = st.next_correlation++;
  st.pending.emplace(id, PendingCall{std::move(rp), st.env->now_ms(self) + st.config.timeout_ms});
  arm_sweep(self);
  if (st.up.count(node)) {
    send_now(self, node, id, request);
    return id;
  }
  auto& queue = st.waiting[node];
  if (queue.empty())
    self->delayed_send(self, st.env->timer(kLinkWait), link_wait_atom::value, node);
  queue.emplace_back(id, request);
  return id;
}

void on_peer_status(ClientActor* self, const std::string& node, bool up) {
  auto& st = self->state;
  if (!up) {
    st.up.erase(node);
    // Watches on that replica resume elsewhere (StoreWatch), no need to wait for silence.
    for (const auto& [id, watch] : st.watches)
      if (watch.node == node) self->send(watch.subscriber, watch_lost_atom::value, id);
    return;
  }
  st.up.insert(node);
  auto it = st.waiting.find(node);
  if (it == st.waiting.end()) return;
  auto calls = std::move(it->second);
  st.waiting.erase(it);
  for (auto& [id, request] : calls)
    if (st.pending.count(id)) send_now(self, node, id, request);
}

// A subscriber that took too little of what was forwarded to it: the watch is cancelled on its
// replica and the subscriber, after what it holds, resumes it from the next revision (see
// "Watches" in client.hpp). Responses still under way are dropped here.
void pause_watch(ClientActor* self, std::uint64_t id) {
  auto& st = self->state;
  auto w = st.watches.find(id);
  if (w == st.watches.end()) return;
  if (w->second.watch_id != 0 && st.up.count(w->second.node)) {
    capnp::MallocMessageBuilder message;
    write_store_request(message.initRoot<schema::StoreRequest>(), WatchCancel{w->second.watch_id});
    send_now(self, w->second.node, st.next_correlation++, WireEnvelope{flat_bytes(message)});
  }
  self->send(w->second.subscriber, watch_paused_atom::value, id);
  st.watches.erase(w);
}

// A watch response after the first: to the watch's subscriber; a stream-wide progress
// response (correlation id 0) to every watch of this client on that replica.
void forward_watch_response(ClientActor* self, const std::string& from, std::uint64_t id,
                            const WireEnvelope& wire) {
  auto& st = self->state;
  std::vector<std::uint64_t> full;
  auto forward = [&](std::uint64_t watch, WatchRoute& route) {
    route.buffered_bytes += wire.bytes.size();
    self->send(route.subscriber, watch_event_atom::value, watch, wire);
    if (route.buffered_bytes > st.config.watch_buffer_bytes_max) full.push_back(watch);
  };
  if (id != 0) {
    auto w = st.watches.find(id);
    if (w != st.watches.end()) forward(id, w->second);
  } else {
    for (auto& [watch, route] : st.watches)
      if (route.node == from) forward(watch, route);
  }
  for (auto watch : full) pause_watch(self, watch);
}

// Every keepalive period, one watch progress request per replica holding our watches: it
// keeps the stream open there and its answer proves the replica alive to StoreWatch.
void send_keepalives(ClientActor* self) {
  auto& st = self->state;
  if (st.watches.empty()) {
    st.keepalive_running = false;
    return;
  }
  capnp::MallocMessageBuilder message;
  write_store_request(message.initRoot<schema::StoreRequest>(), WatchProgress{});
  WireEnvelope wire{flat_bytes(message)};
  std::set<std::string> nodes;
  for (const auto& [id, watch] : st.watches) nodes.insert(watch.node);
  for (const auto& node : nodes)
    if (st.up.count(node)) send_now(self, node, st.next_correlation++, wire);
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(st.config.watch_keepalive_ms)),
                     keepalive_atom::value);
}

void on_reply(ClientActor* self, WireEnvelope& wire) {
  auto& st = self->state;
  auto in = open_envelope(wire.bytes);  // the router validated it in full
  if (!in) return;
  auto body = in->root().getBody();
  if (body.isPeerStatus()) {
    on_peer_status(self, body.getPeerStatus().getNode().cStr(), body.getPeerStatus().getUp());
    return;
  }
  if (!body.isStoreResponse()) return;
  auto it = st.pending.find(in->root().getCorrelationId());
  if (it == st.pending.end()) {
    forward_watch_response(self, in->from().node, in->root().getCorrelationId(), wire);
    return;  // a watch's later response, or late: its caller already timed out
  }
  if (auto w = st.watches.find(it->first); w != st.watches.end()) {
    // A watch's `created` answer: remember the replica's id for it (pause_watch needs it).
    auto reply = read_store_reply(body.getStoreResponse());
    if (auto* created = reply ? std::get_if<WatchResponse>(&reply->body) : nullptr)
      w->second.watch_id = created->watch_id;
  }
  it->second.promise.deliver(std::move(wire));
  st.pending.erase(it);
}

caf::behavior client_actor(ClientActor* self, NodeContext node, ClientActorConfig config) {
  auto& st = self->state;
  st.env = std::make_unique<ActorEnv>(std::move(node), "client");
  st.config = config;
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  self->send(st.env->router(), subscribe_atom::value, st.env->address().actor);
  return {
      [self](call_atom, const std::string& node, const WireEnvelope& request) {
        start_call(self, node, request);
      },
      [self](watch_atom, const std::string& node, const WireEnvelope& create,
             const caf::actor& subscriber) {
        auto& st = self->state;
        auto id = start_call(self, node, create);
        if (id == 0) return;
        st.watches[id] = WatchRoute{node, subscriber};
        if (!st.keepalive_running) {
          st.keepalive_running = true;
          self->delayed_send(self,
                             st.env->timer(std::chrono::milliseconds(st.config.watch_keepalive_ms)),
                             keepalive_atom::value);
        }
      },
      [self](unwatch_atom, std::uint64_t id) { self->state.watches.erase(id); },
      [self](watch_taken_atom, std::uint64_t id, std::uint64_t bytes) {
        auto w = self->state.watches.find(id);
        if (w != self->state.watches.end())
          w->second.buffered_bytes -= std::min<std::uint64_t>(bytes, w->second.buffered_bytes);
      },
      [self](keepalive_atom) { send_keepalives(self); },
      [self](WireEnvelope& wire) { on_reply(self, wire); },
      [self](link_wait_atom, const std::string& node) { on_peer_status(self, node, true); },
      [self](sweep_atom) { sweep(self); },
  };
}

// Requests only the leader can serve: writes, membership changes, leader transfer.
bool is_write(const StoreRequest& request) {
  if (auto* change = std::get_if<MemberChangeRequest>(&request))
    return change->kind != MemberChangeKind::list;
  return std::holds_alternative<storage::WriteRequest>(request) ||
         std::holds_alternative<TransferLeaderRequest>(request);
}

// The link name for bare endpoint number `i` (see discover_ids).
std::string via_node(std::size_t i) {
  return "via-" + std::to_string(i);
}

}  // namespace

DecodedStoreResponse decode_store_response(const WireEnvelope& wire) {
  DecodedStoreResponse d;
  auto in = open_envelope(wire.bytes);
  if (!in) {
    d.reply = in.error();
    return d;
  }
  d.correlation = in->root().getCorrelationId();
  auto body = in->root().getBody();
  if (body.isStoreResponse()) d.reply = read_store_reply(body.getStoreResponse());
  return d;
}

caf::actor spawn_store_client(caf::actor_system& sys, const NodeContext& node,
                              ClientActorConfig config) {
  return sys.spawn(client_actor, node, config);
}

Result<std::vector<StoreEndpoint>> parse_store_endpoints(std::string_view text) {
  std::vector<StoreEndpoint> out;
  if (text.empty()) return Error{"bad_endpoints", "no endpoints given"};
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    auto item = text.substr(start, end - start);
    StoreEndpoint ep{0, {}};
    if (auto eq = item.find('='); eq != std::string_view::npos) {
      auto id_text = item.substr(0, eq);
      auto [p, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), ep.id);
      if (ec != std::errc{} || p != id_text.data() + id_text.size() || ep.id == 0)
        return Error{"bad_endpoints",
                     "replica id must be a positive number: '" + std::string(id_text) + "'"};
      item = item.substr(eq + 1);
    }
    auto endpoint = parse_endpoint(item);
    if (!endpoint) return endpoint.error();
    ep.endpoint = *endpoint;
    for (const auto& seen : out) {
      if (ep.id != 0 && seen.id == ep.id)
        return Error{"bad_endpoints", "replica id " + std::to_string(ep.id) + " given twice"};
      if (seen.endpoint == ep.endpoint)
        return Error{"bad_endpoints", ep.endpoint.to_string() + " given twice"};
    }
    out.push_back(ep);
    if (out.size() > kPeersMax) return Error{"bad_endpoints", "too many endpoints"};
    start = end + 1;
  }
  return out;
}

Result<std::unique_ptr<StoreClient>> StoreClient::connect(StoreClientOptions options) {
  if (options.endpoints.empty()) return Error{"bad_endpoints", "no endpoints given"};
  if (options.seed == 0)  // process code, not an actor: the OS may seed it
    options.seed = (std::uint64_t(std::random_device{}()) << 32) ^ std::random_device{}();
  std::unique_ptr<StoreClient> client(new StoreClient(std::move(options)));
  NodeOptions node;
  auto& security = client->options_.security;
  if (!security.certs_dir.empty() && security.cert_name.empty()) security.cert_name = "admin";
  char session[24];
  std::snprintf(session, sizeof(session), "@%016llx",
                static_cast<unsigned long long>(client->options_.seed));
  node.node_id =
      (security.certs_dir.empty() ? std::string("client") : security.cert_name) + session;
  node.listens = false;  // replicas answer over the request's connection
  node.security = security;
  node.seed = client->options_.seed;
  const auto& endpoints = client->options_.endpoints;
  for (std::size_t i = 0; i < endpoints.size(); ++i)
    node.peers.push_back(
        PeerSpec{endpoints[i].id != 0 ? replica_node_id(endpoints[i].id) : via_node(i),
                 endpoints[i].endpoint});
  auto host = NodeHost::start(std::move(node), std::make_shared<StderrSink>(LogLevel::error));
  if (!host) return host.error();
  client->host_ = std::move(*host);
  client->actor_ = spawn_store_client(
      client->host_->system(), client->host_->context(),
      ClientActorConfig{client->options_.timeout_ms, 1024, client->options_.watch_keepalive_ms});
  client->host_->adopt(client->actor_);
  client->discover_ids();
  return client;
}

StoreClient::StoreClient(StoreClientOptions options) : options_(std::move(options)) {
  // Two clients given the same seed must still not share a session: mix in the OS's entropy.
  auto entropy = (std::uint64_t(std::random_device{}()) << 32) ^ std::random_device{}();
  session_id_ = (entropy ^ (options_.seed * 0x9e3779b97f4a7c15ull)) | 1;
}

StoreClient::~StoreClient() {
  if (host_) host_->stop();
}

// Asks every bare endpoint (id 0) for its id at once, then links to the ones that answered
// by id. Two endpoints that turn out to be one replica keep the first.
void StoreClient::discover_ids() {
  auto& endpoints = options_.endpoints;
  std::vector<Result<StoreReply>> replies(endpoints.size(), Error{"timeout", ""});
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < endpoints.size(); ++i)
    if (endpoints[i].id == 0)
      threads.emplace_back([&, i] { replies[i] = send_to(via_node(i), StatusRequest{}); });
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    if (endpoints[i].id != 0 || !replies[i]) continue;
    auto* status = std::get_if<MemberStatus>(&replies[i]->body);
    if (!status || status->id == 0 || knows(status->id)) continue;
    endpoints[i].id = status->id;
    host_->add_peer(PeerSpec{replica_node_id(status->id), endpoints[i].endpoint});
  }
}

Result<StoreReply> StoreClient::send(raft::NodeId id, const StoreRequest& request,
                                     const std::optional<storage::ClientSession>& session) {
  if (id == 0) return Error{"unreachable", "this endpoint never said which replica it is"};
  return send_to(replica_node_id(id), request, session);
}

Result<StoreReply> StoreClient::send_to(const std::string& node, const StoreRequest& request,
                                        const std::optional<storage::ClientSession>& session) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<schema::StoreRequest>();
  write_store_request(root, request);
  if (session) set_request_session(root, *session);
  WireEnvelope wire{flat_bytes(message)};
  caf::scoped_actor self{host_->system()};
  Result<StoreReply> result = Error{"timeout", "no answer"};
  // The actor answers by its own timeout; the margin only guards against a lost actor.
  auto guard = std::chrono::milliseconds(options_.timeout_ms + 2000);
  self->request(actor_, guard, call_atom::value, node, std::move(wire))
      .receive([&](WireEnvelope& reply) { result = decode_store_response(reply).reply; },
               [&](caf::error&) {
                 result = Error{"timeout", "no answer from " + node + " within " +
                                               std::to_string(options_.timeout_ms) + " ms"};
               });
  return result;
}

Result<StoreReply> StoreClient::call_member(raft::NodeId id, const StoreRequest& request) {
  auto reply = send(id, request);
  if (reply && reply->error) return to_error(*reply->error);
  return reply;
}

std::vector<std::pair<StoreEndpoint, Result<MemberStatus>>> StoreClient::status_all() {
  std::vector<std::pair<StoreEndpoint, Result<MemberStatus>>> out;
  // One request per member, all in flight at once, so unreachable members cost one timeout.
  std::vector<std::thread> threads;
  std::vector<Result<StoreReply>> replies(options_.endpoints.size(), Error{"timeout", ""});
  for (std::size_t i = 0; i < options_.endpoints.size(); ++i)
    threads.emplace_back(
        [&, i] { replies[i] = call_member(options_.endpoints[i].id, StatusRequest{}); });
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < options_.endpoints.size(); ++i) {
    const auto& ep = options_.endpoints[i];
    if (!replies[i]) {
      out.emplace_back(ep, replies[i].error());
      continue;
    }
    auto* status = std::get_if<MemberStatus>(&replies[i]->body);
    out.emplace_back(ep, status ? Result<MemberStatus>(*status)
                                : Result<MemberStatus>(Error{"malformed", "no status in reply"}));
  }
  return out;
}

// Asks every endpoint at once and returns the first leader reported, without waiting for
// members that do not answer (a dead one costs nothing once another has answered).
raft::NodeId StoreClient::find_leader() {
  capnp::MallocMessageBuilder message;
  write_store_request(message.initRoot<schema::StoreRequest>(), StatusRequest{});
  auto bytes = flat_bytes(message);
  caf::scoped_actor self{host_->system()};
  std::size_t asked = 0;
  for (const auto& ep : options_.endpoints) {
    if (ep.id == 0) continue;  // never said which replica it is
    self->send(actor_, call_atom::value, replica_node_id(ep.id), WireEnvelope{bytes});
    ++asked;
  }
  raft::NodeId leader = 0;
  std::size_t answered = 0;
  bool expired = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.timeout_ms);
  while (leader == 0 && !expired && answered < asked) {
    auto left = std::max(deadline - std::chrono::steady_clock::now(),
                         std::chrono::steady_clock::duration::zero());
    self->receive(
        [&](WireEnvelope& reply) {
          ++answered;
          auto status = decode_store_response(reply).reply;
          if (!status || status->error) return;
          if (auto* s = std::get_if<MemberStatus>(&status->body)) leader = s->leader;
        },
        [&](caf::error&) { ++answered; },
        caf::after(std::chrono::duration_cast<std::chrono::milliseconds>(left)) >>
            [&] { expired = true; });
  }
  return leader;
}

bool StoreClient::knows(raft::NodeId id) const {
  for (const auto& ep : options_.endpoints)
    if (ep.id == id) return true;
  return false;
}

// Reads and status may be served by any member (linearizable reads go through ReadIndex on
// followers too), so they try the known leader first and then every endpoint in turn.
Result<StoreReply> StoreClient::call_any(const StoreRequest& request) {
  Error last{"unavailable", "no replica answered"};
  for (int attempt = 0; attempt < options_.attempts_max; ++attempt) {
    std::vector<raft::NodeId> order;
    if (leader_ != 0 && knows(leader_)) order.push_back(leader_);
    for (const auto& ep : options_.endpoints)
      if (ep.id != leader_) order.push_back(ep.id);
    for (auto id : order) {
      auto reply = send(id, request);
      if (!reply) {
        last = reply.error();
        continue;
      }
      if (!reply->error) return reply;
      last = to_error(*reply->error);
      if (!read_worth_retrying(reply->error->code)) return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.backoff_ms));
  }
  return last;
}

// A write's place in this client's session; end_write() once it has its answer (or never
// will), so that the replicas may forget it.
storage::ClientSession StoreClient::begin_write() {
  std::lock_guard lock(session_mutex_);
  auto sequence = ++last_sequence_;
  unanswered_.insert(sequence);
  return storage::ClientSession{session_id_, sequence, *unanswered_.begin()};
}

void StoreClient::end_write(std::uint64_t sequence) {
  std::lock_guard lock(session_mutex_);
  unanswered_.erase(sequence);
}

Result<StoreReply> StoreClient::call(const StoreRequest& request) {
  if (!is_write(request) && !is_leader_only(request)) return call_any(request);
  if (!std::holds_alternative<storage::WriteRequest>(request))
    return call_leader(request, std::nullopt);  // membership, transfers, lease keep-alives
  auto session = begin_write();
  auto result = call_leader(request, session);
  end_write(session.sequence);
  return result;
}

// Sends to the leader with bounded retries. A write carries this client's session, so a copy
// is applied at most once; leader-only reads change nothing replicated: both are retried on
// any failure, timeouts included.
Result<StoreReply> StoreClient::call_leader(const StoreRequest& request,
                                            const std::optional<storage::ClientSession>& session) {
  Error last{"unavailable", "no replica answered"};
  // Once an attempt went unanswered the write may have been applied: a later error that proves
  // only that *its* attempt was not applied must not be reported as "not applied".
  bool maybe_applied = false;
  auto give_up = [&maybe_applied](Error e) -> Error {
    if (!maybe_applied || !proves_not_applied(parse_store_error_code(e.code))) return e;
    return Error{"timeout",
                 "an earlier attempt got no answer, so the write may or may not have "
                 "been applied (then " +
                     e.code + ": " + e.message + ")"};
  };
  auto target = leader_ != 0 ? leader_ : find_leader();
  for (int attempt = 0; attempt < options_.attempts_max; ++attempt) {
    if (target == 0) {
      last = Error{"no_leader", "no leader known: the cluster may be electing one"};
      std::this_thread::sleep_for(std::chrono::milliseconds(options_.backoff_ms));
      target = find_leader();
      continue;
    }
    if (!knows(target))
      return Error{"leader_unknown", "the leader (replica " + std::to_string(target) +
                                         ") is not among the endpoints: add its id=host:port"};
    auto reply = send(target, request, session);
    if (!reply) {
      // Safe to ask again (see above); the leader may have changed.
      last =
          Error{"timeout", reply.error().message + ": the write may or may not have been applied"};
      maybe_applied = true;
      leader_ = target = find_leader();
      continue;
    }
    if (!reply->error) {
      leader_ = target;
      return reply;
    }
    last = to_error(*reply->error);
    if (reply->error->code == StoreErrorCode::duplicate)
      return Error{"duplicate",
                   "the write took effect once; its answer was lost, so its "
                   "result is unknown (" +
                       reply->error->message + ")"};
    if (reply->error->code == StoreErrorCode::not_leader && reply->leader_hint != 0 &&
        reply->leader_hint != target) {
      leader_ = target = reply->leader_hint;
      continue;
    }
    // Only errors that prove the write was not applied (store_error.hpp) send it again.
    if (!worth_retrying(reply->error->code)) return give_up(last);
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.backoff_ms));
    leader_ = target = find_leader();
  }
  return give_up(last);
}

}  // namespace craton::store
