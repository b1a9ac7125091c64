#include "sim/lease/lease_workload.hpp"
#include "runtime/correlation.hpp"

#include <set>

#include "actors/store/codec/store_codec.hpp"
#include "actors/store/replica/replica.hpp"

namespace craton::sim {
namespace {

using next_atom = caf::atom_constant<caf::atom("lw_next")>;
using give_up_atom = caf::atom_constant<caf::atom("lw_giveup")>;
using probe_atom = caf::atom_constant<caf::atom("lk_probe")>;

// idle: waiting to start a lease; waiting: between renewals; the rest: a request in flight.
enum class Phase { idle, granting, putting, waiting, renewing };

struct LeaseWorkloadState {
  std::unique_ptr<ActorEnv> env;
  LeaseWorkloadConfig config;
  std::string process;
  ObservationSink observe;
  std::size_t target = 1;
  Phase phase = Phase::idle;
  std::int64_t lease = 0;
  std::string key;
  std::uint64_t seq = 0;
  std::uint64_t renewals_left = 0;
  std::uint64_t correlation = 0;
  std::uint64_t next_correlation = 1;
  std::uint64_t serial = 0;  ///< names the request in flight for its give-up timer
  int redirects = 0;
  static inline const char* name = "craton.lease-workload";
};

using LeaseWorkloadActor = caf::stateful_actor<LeaseWorkloadState>;

void observe(LeaseWorkloadActor* self, LeaseEvent::Kind kind, std::int64_t ttl_s = 0,
             std::string key = {}) {
  auto& st = self->state;
  st.observe(LeaseEvent{st.process, kind, st.lease, ttl_s, std::move(key)});
}

store::StoreRequest request_of(const LeaseWorkloadState& st) {
  switch (st.phase) {
    case Phase::granting:
      return storage::WriteRequest{storage::LeaseGrantRequest{0, st.config.ttl_s}};
    case Phase::putting:
      return storage::WriteRequest{storage::PutRequest{st.key, "v", st.lease, false}};
    default:
      return store::LeaseKeepAliveRequest{st.lease};
  }
}

void send_attempt(LeaseWorkloadActor* self) {
  auto& st = self->state;
  st.correlation = st.next_correlation++;
  EnvelopeBuilder b(st.env->address(), Address{"n" + std::to_string(st.target), "store"},
                    st.correlation);
  store::write_store_request(b.body().initStoreRequest(), request_of(st));
  st.env->send(self, b);
}

void send_request(LeaseWorkloadActor* self, Phase phase) {
  auto& st = self->state;
  st.phase = phase;
  st.redirects = 0;
  ++st.serial;
  send_attempt(self);
  self->delayed_send(self, std::chrono::milliseconds(st.config.op_timeout_ms), give_up_atom::value,
                     st.serial);
}

void wait_then(LeaseWorkloadActor* self, Phase phase, std::int64_t ms) {
  self->state.phase = phase;
  self->delayed_send(self, std::chrono::milliseconds(ms), next_atom::value);
}

void think(LeaseWorkloadActor* self) {
  auto& st = self->state;
  auto ms = std::int64_t(st.env->rng().uniform(0, std::uint64_t(st.config.think_ms_max)));
  wait_then(self, Phase::idle, ms);
}

void abandon(LeaseWorkloadActor* self) {
  observe(self, LeaseEvent::Kind::abandoned);
  think(self);
}

void renew_later(LeaseWorkloadActor* self) {
  auto& st = self->state;
  if (st.renewals_left == 0) return abandon(self);
  --st.renewals_left;
  wait_then(self, Phase::waiting, st.config.renew_ms);
}

void on_ok(LeaseWorkloadActor* self, const store::StoreReply& reply) {
  auto& st = self->state;
  if (st.phase == Phase::granting) {
    auto* write = std::get_if<storage::WriteResponse>(&reply.body);
    if (!write || !std::holds_alternative<storage::LeaseGrantResponse>(*write)) return think(self);
    const auto& granted = std::get<storage::LeaseGrantResponse>(*write);
    st.lease = granted.id;
    st.key = "lk." + st.process + "." + std::to_string(++st.seq);
    observe(self, LeaseEvent::Kind::granted, granted.ttl_s);
    return send_request(self, Phase::putting);
  }
  if (st.phase == Phase::putting) {
    observe(self, LeaseEvent::Kind::put, 0, st.key);
    st.renewals_left = st.env->rng().uniform(0, st.config.renewals_max);
    return renew_later(self);
  }
  observe(self, LeaseEvent::Kind::renewed);
  renew_later(self);
}

// Errors and timeouts: a grant that failed starts over; a put that failed gives the lease up;
// a renewal that failed is tried again at the next period, unless the lease is gone.
void on_failure(LeaseWorkloadActor* self, store::StoreErrorCode code) {
  using store::StoreErrorCode;
  auto& st = self->state;
  if (code == StoreErrorCode::not_leader || code == StoreErrorCode::no_leader ||
      code == StoreErrorCode::timeout)
    st.target = st.target % st.config.nodes + 1;
  if (st.phase == Phase::granting) return think(self);
  if (st.phase == Phase::putting) return abandon(self);
  if (code == StoreErrorCode::lease_not_found) {
    observe(self, LeaseEvent::Kind::lost);
    return abandon(self);
  }
  renew_later(self);
}

void on_envelope(LeaseWorkloadActor* self, const WireEnvelope& wire) {
  auto& st = self->state;
  auto in = decode_envelope(wire.bytes);
  if (!in || !in->root().getBody().isStoreResponse()) return;
  bool in_flight =
      st.phase == Phase::granting || st.phase == Phase::putting || st.phase == Phase::renewing;
  if (!in_flight || in->root().getCorrelationId() != st.correlation) return;  // stale
  auto reply = store::read_store_reply(in->root().getBody().getStoreResponse());
  if (!reply) return;  // malformed: the give-up timer settles it
  if (!reply->error) return on_ok(self, *reply);
  if (reply->error->code == store::StoreErrorCode::not_leader && reply->leader_hint != 0 &&
      reply->leader_hint <= st.config.nodes && reply->leader_hint != st.target &&
      st.redirects < st.config.redirects_max) {
    ++st.redirects;
    st.target = reply->leader_hint;
    return send_attempt(self);
  }
  on_failure(self, reply->error->code);
}

void on_next(LeaseWorkloadActor* self) {
  auto& st = self->state;
  if (st.phase == Phase::idle) {
    observe(self, LeaseEvent::Kind::granting);
    send_request(self, Phase::granting);
  } else if (st.phase == Phase::waiting) {
    observe(self, LeaseEvent::Kind::renewing);
    send_request(self, Phase::renewing);
  }
}

caf::behavior lease_workload(LeaseWorkloadActor* self, NodeContext node, ObservationSink observe,
                             LeaseWorkloadConfig config) {
  auto& st = self->state;
  st.observe = std::move(observe);
  st.process = node.node_id + "." + config.name + "." + std::to_string(node.incarnation);
  st.next_correlation = first_correlation_id(node.incarnation);
  st.target = std::stoul(node.node_id.substr(1));
  st.env = std::make_unique<ActorEnv>(std::move(node), config.name);
  st.config = std::move(config);
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  think(self);
  return {
      [self](const WireEnvelope& wire) {
        try {
          on_envelope(self, wire);
        } catch (const kj::Exception&) {
          // The codec walked the message already; nothing else to do with it.
        }
      },
      [self](next_atom) { on_next(self); },
      [self](give_up_atom, std::uint64_t serial) {
        auto& st = self->state;
        bool in_flight = st.phase == Phase::granting || st.phase == Phase::putting ||
                         st.phase == Phase::renewing;
        if (in_flight && st.serial == serial) on_failure(self, store::StoreErrorCode::timeout);
      },
  };
}

// ---------------------------------------------------------------- the key probe

struct ProbeState {
  std::weak_ptr<store::Replica> replica;
  ObservationSink observe;
  std::int64_t period_ms = 100;
  std::set<std::string> present;
  static inline const char* name = "craton.lease-key-probe";
};

using ProbeActor = caf::stateful_actor<ProbeState>;

void probe_once(ProbeState& st) {
  auto replica = st.replica.lock();
  if (!replica || replica->failed()) return;
  storage::RangeRequest range;
  range.key = "lk.";
  range.range_end = storage::prefix_end("lk.");
  range.keys_only = true;
  auto now = replica->mvcc().range(range);
  if (!now) return;
  std::set<std::string> keys;
  for (const auto& kv : now->kvs) keys.insert(kv.key);
  for (const auto& key : keys)
    if (!st.present.count(key)) st.observe(LeaseKeyEvent{LeaseKeyEvent::Kind::add, key});
  for (const auto& key : st.present)
    if (!keys.count(key)) st.observe(LeaseKeyEvent{LeaseKeyEvent::Kind::del, key});
  st.present = std::move(keys);
}

caf::behavior lease_key_probe(ProbeActor* self, std::weak_ptr<store::Replica> replica,
                              ObservationSink observe, std::int64_t period_ms) {
  self->state.replica = std::move(replica);
  self->state.observe = std::move(observe);
  self->state.period_ms = period_ms;
  self->state.observe(LeaseKeyEvent{LeaseKeyEvent::Kind::start, {}});
  self->send(self, probe_atom::value);
  return {[self](probe_atom) {
    probe_once(self->state);
    self->delayed_send(self, std::chrono::milliseconds(self->state.period_ms), probe_atom::value);
  }};
}

}  // namespace

caf::actor spawn_lease_workload(caf::actor_system& sys, const NodeContext& node,
                                ObservationSink observe, LeaseWorkloadConfig config) {
  return sys.spawn(lease_workload, node, std::move(observe), std::move(config));
}

caf::actor spawn_lease_key_probe(caf::actor_system& sys, const NodeContext&,
                                 ObservationSink observe, std::weak_ptr<store::Replica> replica,
                                 std::int64_t probe_ms) {
  return sys.spawn(lease_key_probe, std::move(replica), std::move(observe), probe_ms);
}

}  // namespace craton::sim
