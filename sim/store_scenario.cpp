#include "sim/store_scenario.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include "actors/store/actor.hpp"
#include "runtime/stable_hash.hpp"
#include "sim/store_checker.hpp"
#include "sim/store_watcher.hpp"
#include "sim/store_workload.hpp"
#include "sim/watch_checker.hpp"

namespace craton::sim {
namespace {

using probe_atom = caf::atom_constant<caf::atom("probe")>;

// Raft id of simulated node "n<K>" is K.
raft::NodeId raft_id_of(const std::string& node) {
  return static_cast<raft::NodeId>(std::stoull(node.substr(1)));
}

// The relay: the router hands it envelopes for "store-<id>"; it rewrites the destination node
// to "n<id>" and gives them back to the router, whose default route is SimNetwork.
caf::behavior store_relay(caf::event_based_actor* self, caf::actor router) {
  return {[self, router](const WireEnvelope& wire) {
    auto in = decode_envelope(wire.bytes);
    if (!in) return;  // the router validated it already
    std::string node = in->root().getTo().getNode();
    if (node.rfind("store-", 0) != 0) return;
    capnp::MallocMessageBuilder message;
    message.setRoot(in->root());
    message.getRoot<schema::Envelope>().getTo().setNode("n" + node.substr(6));
    kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
    auto bytes = words.asBytes();
    self->send(router, WireEnvelope{std::vector<std::uint8_t>(bytes.begin(), bytes.end())});
  }};
}

// The Raft probe's memory of what it already reported (in this incarnation).
struct ProbeState {
  std::weak_ptr<store::Replica> replica;
  std::function<void(const std::string&)> observe;
  std::int64_t period_ms = 50;
  std::uint64_t leader_term = 0;  // last term in which leadership was reported
  std::uint64_t committed = 0;    // entries up to here reported as committed
  std::string runs;               // last reported shape of the log
  static inline const char* name = "craton.raft-probe";
};

using ProbeActor = caf::stateful_actor<ProbeState>;

// The log's shape: "<term>@<first index>" per run of equal terms, from the first entry.
std::string log_runs(const raft::RaftLog& log) {
  std::string out;
  std::uint64_t previous = 0;
  for (auto i = log.first_index(); i <= log.last_index(); ++i) {
    auto t = log.term(i).value_or(0);
    if (t == previous) continue;
    if (!out.empty()) out += ",";
    out += std::to_string(t) + "@" + std::to_string(i);
    previous = t;
  }
  return out.empty() ? "-" : out;
}

void report_commits(ProbeState& st, const raft::Raft& raft) {
  const auto& log = raft.log();
  auto from = std::max(st.committed + 1, log.first_index());
  for (auto i = from; i <= log.committed(); ++i) {
    const auto& e = log.at(i);
    StableHash h;
    h.add_u64(static_cast<std::uint64_t>(e.type));
    h.add(e.data);
    st.observe("raft commit " + std::to_string(i) + " " + std::to_string(e.term) + " " + h.hex() +
               " " + std::to_string(raft.term()));
  }
  st.committed = std::max(st.committed, log.committed());
}

void probe_once(ProbeState& st) {
  auto replica = st.replica.lock();
  if (!replica || replica->failed()) return;
  const auto& raft = replica->raft();
  const auto& log = raft.log();
  auto runs = log_runs(log);
  if (raft.role() == raft::Role::leader && raft.term() != st.leader_term) {
    st.leader_term = raft.term();
    st.observe("raft leader " + std::to_string(raft.term()) + " " +
               std::to_string(log.last_index()) + " " + runs);
  } else if (runs != st.runs) {
    st.observe("raft log " + std::to_string(log.last_index()) + " " + runs);
  }
  st.runs = runs;
  report_commits(st, raft);
}

caf::behavior raft_probe(ProbeActor* self, std::weak_ptr<store::Replica> replica,
                         std::function<void(const std::string&)> observe, std::int64_t period_ms) {
  self->state.replica = std::move(replica);
  self->state.observe = std::move(observe);
  self->state.period_ms = period_ms;
  self->send(self, probe_atom::value);
  return {[self](probe_atom) {
    probe_once(self->state);
    self->delayed_send(self, std::chrono::milliseconds(self->state.period_ms), probe_atom::value);
  }};
}

}  // namespace

StoreScenario::StoreScenario(std::vector<std::string> nodes, StoreScenarioOptions options)
    : nodes_(std::move(nodes)), options_(options) {}

std::vector<caf::actor> StoreScenario::spawn_node(caf::actor_system& sys, const NodeContext& node) {
  std::vector<caf::actor> actors;
  auto observe = node.observe ? node.observe : [](const std::string&) {};
  auto relay = sys.spawn(store_relay, node.router);
  for (const auto& peer : nodes_)
    caf::anon_send(node.router, route_atom::value, store::replica_node_id(raft_id_of(peer)), relay);
  actors.push_back(relay);

  store::ReplicaConfig rc;
  rc.id = raft_id_of(node.node_id);
  for (const auto& peer : nodes_) rc.voters.push_back(raft_id_of(peer));
  rc.data_dir = (node.data_dir / "store").string();
  rc.seed = derive_seed(node.seed, "store");
  rc.request_timeout_ticks = 20;
  rc.map_size_bytes = std::size_t{256} << 20;
  rc.mvcc.quota_bytes = std::int64_t{128} << 20;
  rc.no_sync = true;  // the simulated process never dies: the page cache is durable enough
  std::filesystem::create_directories(rc.data_dir);
  auto replica = store::Replica::open(rc);
  if (!replica) {
    observe("store open failed: " + replica.error().message);
  } else {
    std::shared_ptr<store::Replica> shared = std::move(*replica);
    store::StoreActorConfig ac;
    ac.tick_ms = options_.tick_ms;
    ac.on_failure = [observe](const Error& e) { observe("store failed: " + e.message); };
    actors.push_back(
        sys.spawn(raft_probe, std::weak_ptr<store::Replica>(shared), observe, options_.probe_ms));
    actors.push_back(store::spawn_store(sys, node, shared, ac));
  }
  for (std::size_t c = 0; c < options_.clients_per_node; ++c) {
    StoreWorkloadConfig wc;
    wc.name = "client" + std::to_string(c);
    wc.nodes = nodes_.size();
    wc.keys = options_.keys;
    wc.think_ms_max = options_.think_ms_max;
    wc.op_timeout_ms = options_.op_timeout_ms;
    wc.redirects_max = options_.redirects_max;
    wc.local_only = options_.clients_local;
    actors.push_back(spawn_store_workload(sys, node, wc));
  }
  if (options_.watchers) actors.push_back(spawn_store_watcher(sys, node, StoreWatcherConfig{}));
  return actors;
}

CheckResult StoreScenario::check(const RunHistory& history) const {
  auto result = check_store_history(
      history, StoreCheckOptions{options_.require_progress, options_.progress_grace_ms});
  if (options_.watchers)
    for (auto& failure : check_watch_history(history).failures) result.fail(std::move(failure));
  return result;
}

}  // namespace craton::sim
