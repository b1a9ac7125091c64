#include "actors/store/actor.hpp"

#include <map>

#include "actors/store/codec/session_codec.hpp"
#include "actors/store/codec/snapshot_codec.hpp"
#include "actors/store/codec/store_codec.hpp"
#include "actors/store/member_links.hpp"
#include "actors/store/watch_routes.hpp"

namespace craton::store {
namespace {

using flush_atom = caf::atom_constant<caf::atom("flush")>;
using removed_atom = caf::atom_constant<caf::atom("removed")>;

struct Caller {
  Address address;
  std::uint64_t correlation_id = 0;
};

struct StoreState {
  std::unique_ptr<ActorEnv> env;
  std::shared_ptr<Replica> replica;
  StoreActorConfig config;
  std::map<std::uint64_t, Caller> callers;  ///< by request id given to the replica
  std::uint64_t next_request_id = 1;
  WatchRoutes watch_routes;  ///< client address <-> watch stream, watch -> its creator
  bool flush_scheduled = false;
  bool failure_reported = false;
  MemberLinks links;
  bool removed_reported = false;
  /// Graceful shutdown requests waiting for `leave_target` to lead.
  std::vector<caf::response_promise> leaving;
  raft::NodeId leave_target = 0;
  prometheus::Counter* malformed = nullptr;
  prometheus::Counter* requests = nullptr;
  std::unique_ptr<StoreMetrics> store_metrics;
  static inline const char* name = "craton.store";
};

using StoreActor = caf::stateful_actor<StoreState>;

void send_reply(StoreActor* self, const Caller& caller, const StoreReply& reply) {
  auto& st = self->state;
  EnvelopeBuilder b(st.env->address(), caller.address, caller.correlation_id);
  write_store_reply(b.body().initStoreResponse(), reply);
  auto bytes = b.encoded_bytes();
  auto limit = CodecLimits{}.message_bytes_max;
  if (bytes > limit) {
    // The router would drop it and the client would wait for its timeout: say why instead
    // (a range over large values; etcd's client fails the same way past its message limit).
    StoreReply refused;
    refused.leader_hint = reply.leader_hint;
    refused.error = StoreError{StoreErrorCode::too_large,
                               "the response of " + std::to_string(bytes) +
                                   " bytes exceeds the message limit of " + std::to_string(limit) +
                                   ": read fewer keys at once (limit, a narrower range)"};
    send_reply(self, caller, refused);
    return;
  }
  st.env->send(self, b);
}

void check_failure(StoreActor* self) {
  auto& st = self->state;
  if (!st.replica->failed() || st.failure_reported) return;
  st.failure_reported = true;
  st.env->log(self, LogLevel::error, "replica failed: " + st.replica->failure()->message);
  if (st.config.on_failure) st.config.on_failure(*st.replica->failure());
}

// After every input: links follow the membership, a removed replica winds down, and a
// graceful shutdown learns that leadership moved.
void check_membership(StoreActor* self) {
  auto& st = self->state;
  if (st.config.manage_links && !st.replica->removed())
    st.links.sync(self, *st.env, st.replica->raft().id(), st.replica->member_addresses());
  if (st.replica->removed() && !st.removed_reported) {
    st.removed_reported = true;
    st.env->log(self, LogLevel::warn, "this replica was removed from the cluster: stopping");
    // A few ticks first, so that the answer to the change (and Raft's last words) get out.
    self->delayed_send(self, st.env->timer(std::chrono::milliseconds(3 * st.config.tick_ms)),
                       removed_atom::value);
  }
  auto lead = st.replica->raft().lead();
  if (!st.leaving.empty() && lead != 0 && lead == st.leave_target) {
    for (auto& rp : st.leaving) rp.deliver(st.leave_target);
    st.leaving.clear();
  }
}

void send_raft_messages(StoreActor* self, const std::vector<raft::Message>& messages) {
  auto& st = self->state;
  for (const auto& m : messages) {
    EnvelopeBuilder b(st.env->address(), Address{replica_node_id(m.to), "store"});
    write_raft_message(b.body().initStoreRaft(), m);
    st.env->send(self, b);
  }
}

void dispatch(StoreActor* self, ReplicaOutput out) {
  auto& st = self->state;
  // Raft events for the simulator's invariant checker (none unless the replica records them).
  for (const auto& e : st.replica->take_raft_events()) st.env->observe(format_raft_event(e));
  send_raft_messages(self, out.messages);
  for (const auto& f : out.fetches) {
    EnvelopeBuilder b(st.env->address(), Address{replica_node_id(f.to), "store"});
    write_snapshot_fetch(b.body().initStoreSnapshotFetch(), f);
    st.env->send(self, b);
  }
  for (const auto& c : out.chunks) {
    EnvelopeBuilder b(st.env->address(), Address{replica_node_id(c.to), "store"});
    write_snapshot_chunk(b.body().initStoreSnapshotChunk(), c);
    st.env->send(self, b);
  }
  for (auto stream : out.closed_streams) st.watch_routes.close(stream);
  for (const auto& d : out.watch) {
    auto route = st.watch_routes.route(d.stream, d.request_id, d.response.canceled);
    if (!route) continue;
    send_reply(self, Caller{route->address, route->correlation_id},
               StoreReply{std::nullopt, 0, d.response});
  }
  for (const auto& r : out.replies) {
    auto it = st.callers.find(r.request_id);
    if (it == st.callers.end()) {
      if (auto route = st.watch_routes.take_refused(r.request_id))
        send_reply(self, Caller{route->address, route->correlation_id}, r.reply);
      continue;
    }
    send_reply(self, it->second, r.reply);
    st.callers.erase(it);
  }
  check_failure(self);
  check_membership(self);
}

void schedule_flush(StoreActor* self) {
  auto& st = self->state;
  if (st.flush_scheduled) return;
  st.flush_scheduled = true;
  if (st.config.flush_delay_ms > 0)
    self->delayed_send(self, st.env->timer(std::chrono::milliseconds(st.config.flush_delay_ms)),
                       flush_atom::value);
  else
    self->send(self, flush_atom::value);
}

// Watch requests belong to the sender's stream (see watch_routes.hpp for the reply scheme).
void on_watch_request(StoreActor* self, std::uint64_t id, const Caller& caller,
                      StoreRequest request) {
  auto& st = self->state;
  bool create = std::holds_alternative<WatchCreate>(request);
  auto known = st.watch_routes.find(caller.address);
  auto stream = create ? st.watch_routes.stream_for(caller.address) : known.value_or(0);
  if (create)
    st.watch_routes.add_watch(id, stream, caller.correlation_id);
  else
    st.callers[id] = caller;
  dispatch(self, st.replica->watch(id, stream, std::move(request)));
  if (create && !st.replica->has_watch_stream(stream)) st.watch_routes.close(stream);
}

void on_request(StoreActor* self, const DecodedEnvelope& in) {
  auto& st = self->state;
  Caller caller{in.from(), in.root().getCorrelationId()};
  auto request = read_store_request(in.root().getBody().getStoreRequest());
  if (!request) {
    StoreReply reply;
    reply.error = to_store_error(request.error());
    send_reply(self, caller, reply);
    return;
  }
  st.requests->Increment();
  auto id = st.next_request_id++;
  if (is_watch_request(*request)) {
    on_watch_request(self, id, caller, std::move(*request));
    return;
  }
  st.callers[id] = caller;
  st.replica->advance_clock(st.env->now_ms(self));  // lease keep-alives renew from "now"
  auto session = read_request_session(in.root().getBody().getStoreRequest());
  dispatch(self, st.replica->submit(id, std::move(*request), session));
  schedule_flush(self);
}

// Snapshot transfer between replicas (actors/store/snapshot/snapshot_transfer.hpp).
void on_snapshot_transfer(StoreActor* self, schema::Envelope::Body::Reader body) {
  auto& st = self->state;
  if (body.isStoreSnapshotFetch()) {
    auto fetch = read_snapshot_fetch(body.getStoreSnapshotFetch());
    if (!fetch) return st.malformed->Increment();
    dispatch(self, st.replica->step_snapshot_fetch(*fetch));
  } else {
    auto chunk = read_snapshot_chunk(body.getStoreSnapshotChunk());
    if (!chunk) return st.malformed->Increment();
    auto installed = st.replica->snapshots_installed();
    dispatch(self, st.replica->step_snapshot_chunk(*chunk));
    if (st.replica->snapshots_installed() != installed)
      st.env->log(self, LogLevel::info,
                  "installed snapshot: applied index " +
                      std::to_string(st.replica->status().applied_index));
    schedule_flush(self);  // a completed install lets Raft move on
  }
}

void on_envelope(StoreActor* self, const WireEnvelope& wire) {
  auto& st = self->state;
  auto in = open_envelope(wire.bytes);  // the router validated it in full
  if (!in) {
    st.malformed->Increment();
    return;
  }
  auto body = in->root().getBody();
  try {
    if (body.isStoreRaft()) {
      auto m = read_raft_message(body.getStoreRaft());
      if (!m) {
        st.malformed->Increment();
        return;
      }
      dispatch(self, st.replica->step(std::move(*m)));
      schedule_flush(self);
    } else if (body.isStoreRequest()) {
      on_request(self, *in);
    } else if (body.isStoreSnapshotFetch() || body.isStoreSnapshotChunk()) {
      on_snapshot_transfer(self, body);
    } else {
      st.malformed->Increment();
    }
  } catch (const kj::Exception& e) {
    // The codec walked the message already; this guards against anything it let through.
    st.malformed->Increment();
  }
}

caf::behavior store(StoreActor* self, NodeContext node, std::shared_ptr<Replica> replica,
                    StoreActorConfig config) {
  auto& st = self->state;
  st.env = std::make_unique<ActorEnv>(std::move(node), "store");
  st.replica = std::move(replica);
  st.config = std::move(config);
  prometheus::Labels labels{{"node", st.env->address().node}};
  st.malformed = &st.env->metrics().counter("craton_store_malformed_total",
                                            "Envelopes the store could not use", labels);
  st.requests =
      &st.env->metrics().counter("craton_store_requests_total", "Client requests received", labels);
  st.store_metrics = std::make_unique<StoreMetrics>(st.env->metrics());
  if (st.config.disk_clock_ns)
    st.replica->set_disk_timer(st.store_metrics->disk_timer(st.config.disk_clock_ns));
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  // A leader's appends leave before its own fsync (replica.hpp): the replica is driven by this
  // actor alone, so the sender only ever runs inside one of this actor's handlers.
  st.replica->set_early_sender(
      [self](std::vector<raft::Message> messages) { send_raft_messages(self, messages); });
  self->send(self, tick_atom::value);
  return {
      [self](const WireEnvelope& wire) { on_envelope(self, wire); },
      [self](tick_atom) {
        auto& st = self->state;
        st.replica->advance_clock(st.env->now_ms(self));  // lease expiry (leader)
        dispatch(self, st.replica->tick());
        st.replica->auto_compact(st.env->now_ms(self));
        st.store_metrics->update(*st.replica);
        schedule_flush(self);
        self->delayed_send(self, st.env->timer(std::chrono::milliseconds(st.config.tick_ms)),
                           tick_atom::value);
      },
      [self](removed_atom) {
        if (self->state.config.on_removed) self->state.config.on_removed();
      },
      [self](leave_atom) -> caf::result<raft::NodeId> {
        auto& st = self->state;
        auto target = st.replica->transfer_to_best_voter();
        if (target == 0) return raft::NodeId{0};
        st.env->log(self, LogLevel::info,
                    "shutting down: handing leadership to replica " + std::to_string(target));
        st.leave_target = target;
        st.leaving.push_back(self->make_response_promise());
        dispatch(self, st.replica->flush());  // the timeout_now (or catch-up) goes out now
        return st.leaving.back();
      },
      [self](flush_atom) {
        auto& st = self->state;
        st.flush_scheduled = false;
        dispatch(self, st.replica->flush());
      },
  };
}

}  // namespace

caf::actor spawn_store(caf::actor_system& sys, const NodeContext& node,
                       std::shared_ptr<Replica> replica, StoreActorConfig config) {
  return sys.spawn(store, node, std::move(replica), std::move(config));
}

}  // namespace craton::store
