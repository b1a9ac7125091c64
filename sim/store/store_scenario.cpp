#include "sim/store/store_scenario.hpp"

#include <algorithm>

#include <capnp/message.h>
#include <capnp/serialize.h>

#include "actors/store/actor.hpp"
#include "runtime/stable_hash.hpp"
#include "sim/store/store_checker.hpp"
#include "sim/store/store_watcher.hpp"
#include "sim/store/store_workload.hpp"
#include "sim/store/watch_checker.hpp"
#include "sim/world/sim_disk.hpp"

namespace craton::sim {
namespace {

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

}  // namespace

StoreScenario::StoreScenario(std::vector<std::string> nodes, StoreScenarioOptions options)
    : nodes_(std::move(nodes)), options_(options) {}

std::vector<caf::actor> StoreScenario::spawn_node(caf::actor_system& sys, const NodeContext& node,
                                                  const ObservationSink& observe) {
  std::vector<caf::actor> actors;
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
  rc.tick_ms = options_.tick_ms;  // lease TTL minimum and extension on promotion
  rc.map_size_bytes = options_.map_size_bytes;
  rc.mvcc.quota_bytes = options_.mvcc_quota_bytes;
  rc.auto_compaction = options_.auto_compaction;
  // The host never crashes, so its fsyncs would only cost time: the simulated disk
  // (sim/world/sim_disk.hpp) decides from each commit's durability what a simulated crash keeps.
  rc.no_sync = true;
  auto disk = disks_ ? disks_->disk(node.node_id) : nullptr;
  rc.disk_faults = disk;
  if (disk && options_.disk_sync_lies) disk->set_sync_lies(true);
  rc.record_raft_events = true;  // checked on every step by sim/store/raft_invariants.hpp
  rc.snapshot_entries = options_.snapshot_entries;
  rc.snapshot_catchup_entries = options_.snapshot_catchup_entries;
  rc.snapshot_transfer.chunk_bytes_max = options_.snapshot_chunk_bytes;
  std::filesystem::create_directories(rc.data_dir);
  auto replica = store::Replica::open(rc);
  // An error the disk injected stops the node (etcd exits on a failed fsync); the world
  // restarts it. Any other failure is the replica's and fails the run.
  auto disk_stop = [observe, disk](const std::string& what, const Error& e) {
    if (!disk || !disk->injected()) return false;
    observe(StoreFailureEvent{StoreFailureEvent::Kind::disk_stop, what + e.message});
    disk->request_stop();
    return true;
  };
  if (!replica) {
    if (!disk_stop("open: ", replica.error()))
      observe(StoreFailureEvent{StoreFailureEvent::Kind::open, replica.error().message});
  } else {
    std::shared_ptr<store::Replica> shared = std::move(*replica);
    store::StoreActorConfig ac;
    ac.tick_ms = options_.tick_ms;
    ac.flush_delay_ms = options_.flush_delay_ms;
    ac.on_failure = [observe, disk_stop](const Error& e) {
      if (!disk_stop("", e))
        observe(StoreFailureEvent{StoreFailureEvent::Kind::running, e.message});
    };
    actors.push_back(store::spawn_store(sys, node, shared, ac));
    if (options_.replica_watchers)
      for (auto& a : options_.replica_watchers(sys, node, observe, shared)) actors.push_back(a);
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
    actors.push_back(spawn_store_workload(sys, node, observe, wc));
  }
  if (options_.watchers)
    actors.push_back(spawn_store_watcher(sys, node, observe, StoreWatcherConfig{}));
  return actors;
}

CheckResult StoreScenario::check(const RunHistory& history) const {
  // A remote client may spend two op timeouts on a crashed replica (its first choice, then a
  // stale hint) before it reaches a live one: liveness is judged after that.
  auto grace = options_.clients_local
                   ? options_.progress_grace_ms
                   : std::max(options_.progress_grace_ms, 2 * options_.op_timeout_ms);
  auto result = check_store_history(history, StoreCheckOptions{options_.require_progress, grace});
  if (options_.watchers)
    for (auto& failure : check_watch_history(history).failures) result.fail(std::move(failure));
  return result;
}

}  // namespace craton::sim
