#include "sim/store/store_workload.hpp"
#include "runtime/correlation.hpp"

#include <map>
#include <set>

#include "actors/store/codec/session_codec.hpp"
#include "actors/store/codec/store_codec.hpp"

namespace craton::sim {
namespace {

using next_atom = caf::atom_constant<caf::atom("wl_next")>;
using give_up_atom = caf::atom_constant<caf::atom("wl_giveup")>;

enum class OpKind { read, put, del, cas_value, cas_rev };

// What the client last saw of a key (from its own reads).
struct KeyView {
  std::string value;
  std::int64_t mod_revision = 0;
};

struct CurrentOp {
  OpKind kind = OpKind::read;
  bool reading_for_cas = false;  // cas_rev's first step: the read that gives the revision
  std::string key;
  std::string value;     // put / cas: the new value
  std::string expected;  // cas: the value that must be current
  std::int64_t expected_rev = 0;
  bool use_rev = false;
  int redirects = 0;
  std::uint64_t correlation = 0;  // of the attempt in flight
  std::uint64_t serial = 0;       // names the operation for its give-up timer
  std::uint64_t sequence = 0;     // a write's place in the client session; kept by redirects
  bool pending = false;
};

struct WorkloadState {
  std::unique_ptr<ActorEnv> env;
  StoreWorkloadConfig config;
  std::string process;
  ObservationSink observe;
  std::size_t target = 1;  // replica id the next request goes to
  std::uint64_t next_correlation = 1;
  std::uint64_t seq = 0;
  std::uint64_t client_id = 0;  // the client session (storage/session_table.hpp)
  std::uint64_t write_seq = 0;
  std::map<std::string, KeyView> seen;
  CurrentOp op;
  static inline const char* name = "craton.store-workload";
};

using WorkloadActor = caf::stateful_actor<WorkloadState>;

OpFunction function_of(const CurrentOp& op) {
  if (op.kind == OpKind::read || op.reading_for_cas) return OpFunction::read;
  if (op.kind == OpKind::put || op.kind == OpKind::del) return OpFunction::write;
  return OpFunction::cas;
}

// The process name (node, client, incarnation) is unique in a run, so its hash (FNV-1a) names
// the session: a restarted client gets a new one. Not drawn from the Rng, so that adding
// sessions left the simulated runs' random choices as they were.
std::uint64_t session_id_of(const std::string& process) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : process) h = (h ^ c) * 0x100000001b3ull;
  return h | 1;
}

storage::WriteRequest cas_request(const CurrentOp& op) {
  storage::Compare c;
  c.key = op.key;
  if (op.use_rev) {
    c.target = storage::CompareTarget::mod_revision;
    c.number = op.expected_rev;
  } else if (op.expected.empty()) {
    c.target = storage::CompareTarget::version;  // a missing key: value compares are false
    c.number = 0;
  } else {
    c.target = storage::CompareTarget::value;
    c.value = op.expected;
  }
  storage::TxnRequest txn;
  txn.compare.push_back(std::move(c));
  txn.success.push_back(storage::PutRequest{op.key, op.value, 0, false});
  return txn;
}

store::StoreRequest request_of(const CurrentOp& op) {
  if (op.kind == OpKind::read || op.reading_for_cas) {
    store::ReadRequest r;
    r.range.key = op.key;
    return r;
  }
  if (op.kind == OpKind::put) return storage::WriteRequest{storage::PutRequest{op.key, op.value}};
  if (op.kind == OpKind::del)
    return storage::WriteRequest{storage::DeleteRangeRequest{op.key, "", false}};
  return cas_request(op);
}

void send_attempt(WorkloadActor* self) {
  auto& st = self->state;
  st.op.correlation = st.next_correlation++;
  EnvelopeBuilder b(st.env->address(), Address{"n" + std::to_string(st.target), "store"},
                    st.op.correlation);
  auto request = b.body().initStoreRequest();
  store::write_store_request(request, request_of(st.op));
  // One operation at a time: every earlier write is answered or abandoned, so the current
  // one is the oldest without an answer.
  if (st.op.sequence != 0)
    store::set_request_session(request, {st.client_id, st.op.sequence, st.op.sequence});
  st.env->send(self, b);
}

void invoke(WorkloadActor* self) {
  auto& st = self->state;
  auto& op = st.op;
  op.pending = true;
  op.redirects = 0;
  ++op.serial;
  bool is_write = op.kind != OpKind::read && !op.reading_for_cas;
  op.sequence = is_write ? ++st.write_seq : 0;
  StoreOpEvent invoked{st.process, OpPhase::invoke, function_of(op), op.key, {}, {}};
  if (invoked.function == OpFunction::cas) invoked.values.push_back(op.expected);
  if (invoked.function != OpFunction::read) invoked.values.push_back(op.value);
  st.observe(std::move(invoked));
  send_attempt(self);
  self->delayed_send(self, std::chrono::milliseconds(st.config.op_timeout_ms), give_up_atom::value,
                     op.serial);
}

void schedule_next(WorkloadActor* self) {
  auto& st = self->state;
  auto think = static_cast<std::int64_t>(
      st.env->rng().uniform(0, static_cast<std::uint64_t>(st.config.think_ms_max)));
  self->delayed_send(self, std::chrono::milliseconds(think), next_atom::value);
}

// `why` (an error code, optional) is for people reading the trace; the checker ignores it.
void complete(WorkloadActor* self, OpPhase outcome, const std::string& read_value = {},
              bool with_value = false, const std::string& why = {}) {
  auto& op = self->state.op;
  StoreOpEvent completed{self->state.process, outcome, function_of(op), {}, {}, why};
  if (with_value) completed.values.push_back(read_value);
  self->state.observe(std::move(completed));
  op.pending = false;
  op.reading_for_cas = false;
}

void start_operation(WorkloadActor* self) {
  auto& st = self->state;
  auto& op = st.op;
  auto& rng = st.env->rng();
  op.key = "k" + std::to_string(rng.uniform(0, st.config.keys - 1));
  op.value = st.process + "." + std::to_string(++st.seq);
  op.use_rev = false;
  op.reading_for_cas = false;
  auto roll = rng.uniform(0, 99);
  if (roll < 40) {
    op.kind = OpKind::read;
  } else if (roll < 65) {
    op.kind = OpKind::put;
  } else if (roll < 73) {
    op.kind = OpKind::del;
    op.value.clear();
  } else if (roll < 87) {
    op.kind = OpKind::cas_value;
    auto it = st.seen.find(op.key);
    op.expected = it == st.seen.end() ? "" : it->second.value;
  } else {
    op.kind = OpKind::cas_rev;
    op.reading_for_cas = true;
  }
  invoke(self);
}

void try_next_replica(WorkloadState& st) {
  if (!st.config.local_only) st.target = st.target % st.config.nodes + 1;
}

// Answers that carry no data: fail when they prove the write was not applied, else info.
void on_error(WorkloadActor* self, const store::StoreReply& reply) {
  auto& st = self->state;
  const auto code = reply.error->code;
  // A copy of this write (SimNetwork duplicates) was applied first: a put or delete is done;
  // a cas's outcome was in the answer that has not arrived yet.
  if (code == store::StoreErrorCode::duplicate && function_of(st.op) == OpFunction::write) {
    complete(self, OpPhase::ok, {}, false, std::string(store::name(code)));
    return schedule_next(self);
  }
  if (!st.config.local_only && code == store::StoreErrorCode::not_leader &&
      reply.leader_hint != 0 && reply.leader_hint <= st.config.nodes &&
      reply.leader_hint != st.target && st.op.redirects < st.config.redirects_max) {
    ++st.op.redirects;
    st.target = reply.leader_hint;
    send_attempt(self);
    return;
  }
  using store::StoreErrorCode;
  if (code == StoreErrorCode::not_leader || code == StoreErrorCode::no_leader ||
      code == StoreErrorCode::timeout)
    try_next_replica(st);
  // One rule for every caller (store_error.hpp): fail when the code proves it was not applied.
  complete(self, store::proves_not_applied(code) ? OpPhase::fail : OpPhase::info, {}, false,
           std::string(store::name(code)));
  schedule_next(self);
}

void on_read(WorkloadActor* self, const storage::RangeResponse& r) {
  auto& st = self->state;
  KeyView view;
  if (!r.kvs.empty()) view = KeyView{r.kvs.front().value, r.kvs.front().mod_revision};
  st.seen[st.op.key] = view;
  bool then_cas = st.op.reading_for_cas;
  complete(self, OpPhase::ok, view.value, true);
  if (!then_cas) return schedule_next(self);
  st.op.use_rev = true;
  st.op.expected = view.value;
  st.op.expected_rev = view.mod_revision;
  invoke(self);
}

void on_write(WorkloadActor* self, const storage::WriteResponse& w) {
  auto* txn = std::get_if<storage::TxnResponse>(&w);
  if (txn && !txn->succeeded)
    complete(self, OpPhase::fail, {}, false, "compare_failed");
  else
    complete(self, OpPhase::ok);
  schedule_next(self);
}

void on_envelope(WorkloadActor* self, const WireEnvelope& wire) {
  auto& st = self->state;
  auto in = decode_envelope(wire.bytes);
  if (!in || !in->root().getBody().isStoreResponse()) return;
  if (!st.op.pending || in->root().getCorrelationId() != st.op.correlation) return;  // stale
  auto reply = store::read_store_reply(in->root().getBody().getStoreResponse());
  if (!reply) return;  // malformed: the give-up timer settles the operation
  if (reply->error) return on_error(self, *reply);
  if (auto* r = std::get_if<storage::RangeResponse>(&reply->body)) return on_read(self, *r);
  if (auto* w = std::get_if<storage::WriteResponse>(&reply->body)) return on_write(self, *w);
  complete(self, OpPhase::info);  // an answer of the wrong kind
  schedule_next(self);
}

caf::behavior workload(WorkloadActor* self, NodeContext node, ObservationSink observe,
                       StoreWorkloadConfig config) {
  auto& st = self->state;
  st.observe = std::move(observe);
  st.process = node.node_id + "." + config.name + "." + std::to_string(node.incarnation);
  st.next_correlation = first_correlation_id(node.incarnation);
  // The client starts with its own node's replica ("n<K>" is replica K).
  st.target = std::stoul(node.node_id.substr(1));
  st.client_id = session_id_of(st.process);
  st.env = std::make_unique<ActorEnv>(std::move(node), config.name);
  st.config = std::move(config);
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  schedule_next(self);
  return {
      [self](const WireEnvelope& wire) {
        try {
          on_envelope(self, wire);
        } catch (const kj::Exception&) {
          // The codec walked the message already; nothing else to do with it.
        }
      },
      [self](next_atom) {
        if (!self->state.op.pending) start_operation(self);
      },
      [self](give_up_atom, std::uint64_t serial) {
        auto& op = self->state.op;
        if (!op.pending || op.serial != serial) return;
        auto& st = self->state;
        try_next_replica(st);
        complete(self, OpPhase::info, {}, false, "no_answer");
        schedule_next(self);
      },
  };
}

}  // namespace

caf::actor spawn_store_workload(caf::actor_system& sys, const NodeContext& node,
                                ObservationSink observe, StoreWorkloadConfig config) {
  return sys.spawn(workload, node, std::move(observe), std::move(config));
}

}  // namespace craton::sim
