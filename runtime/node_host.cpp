#include "runtime/node_host.hpp"

#include <caf/io/all.hpp>

#include <chrono>
#include <random>

#include "runtime/link.hpp"
#include "runtime/router.hpp"
#include "runtime/wire.hpp"

namespace craton {
namespace {

// No sleeping polls between the spinning phase and the condition variable: a worker that
// finds no job after its short spin waits until work is enqueued (the enqueuer wakes it).
// CAF's moderate polls sleep 50 us each, but on these VMs a 50 us nanosleep takes about
// 0.46 ms, and a message that arrives meanwhile waits for the sleep to end: at the store's
// l profile, 10 such polls cost 15-20% of the put throughput and 25 us of replica CPU per
// put (docs/store.md, "The write path since").
constexpr std::size_t kModeratePollAttempts = 0;

}  // namespace

// The production actor system: default (work-stealing) scheduler, middleman loaded. BASP
// heartbeats let a link notice a peer that vanished without closing its socket.
class NodeHost::SystemConfig : public caf::actor_system_config {
 public:
  explicit SystemConfig(const NodeOptions& options) {
    load<caf::io::middleman>();
    add_craton_types(*this);
    // CAF's default: after every job an idle worker polls its queue 500 more times with 50 us
    // sleeps (25+ ms) before it waits on its condition variable. Raft ticks and heartbeats
    // arrive more often than that, so the workers of every node polled most of the time: three idle
    // replicas took half a core, and under load the pollers starved the replicas on 2 cores
    // (puts p99 of seconds). Workers spin briefly, then sleep until work is enqueued. Set
    // before add_types so that a caller can still override it.
    set("work-stealing.moderate-poll-attempts", kModeratePollAttempts);
    if (options.worker_threads > 0) set("scheduler.max-threads", options.worker_threads);
    if (options.add_types) options.add_types(*this);
    set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds(500)});
    set("middleman.connection-timeout", caf::timespan{std::chrono::seconds(5)});
  }
};

Result<NodeOptions> resolve_node_options(NodeOptions options) {
  if (auto s = validate_name(options.node_id); !s)
    return Error{"bad_node_id", "node id: " + s.error().message};
  std::vector<PeerSpec> others;
  for (auto& peer : options.peers) {
    if (peer.node != options.node_id) {
      others.push_back(std::move(peer));
      continue;
    }
    if (options.listen.host.empty()) options.listen = peer.endpoint;
  }
  options.peers = std::move(others);
  if (options.listen.host.empty())
    return Error{"no_listen", "node '" + options.node_id +
                                  "' has no listen address: give --listen or list it in --peers"};
  if (auto s = validate_backoff_policy(options.backoff); !s) return s.error();
  return options;
}

NodeHost::NodeHost(NodeOptions options) : options_(std::move(options)) {}

NodeHost::~NodeHost() {
  stop();
}

Result<std::unique_ptr<NodeHost>> NodeHost::start(NodeOptions options,
                                                  std::shared_ptr<LogSink> log) {
  auto resolved = resolve_node_options(std::move(options));
  if (!resolved) return resolved.error();
  std::unique_ptr<NodeHost> host(new NodeHost(std::move(*resolved)));
  auto& opts = host->options_;
  host->config_ = std::make_unique<SystemConfig>(opts);
  host->system_ = std::make_unique<caf::actor_system>(*host->config_);

  auto& ctx = host->context_;
  ctx.node_id = opts.node_id;
  // Outside any actor: the process may read the OS's entropy and wall clock here.
  ctx.seed = opts.seed != 0
                 ? opts.seed
                 : (std::uint64_t(std::random_device{}()) << 32) ^ std::random_device{}();
  ctx.incarnation = std::uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
  ctx.data_dir = opts.data_dir;
  ctx.log = std::move(log);
  ctx.metrics = std::make_shared<Metrics>();
  ctx.router = spawn_router(*host->system_, RouterConfig{ctx.node_id, ctx.log, ctx.metrics, {}});
  if (auto s = host->publish_router(); !s) {
    host->stop();
    return s.error();
  }
  for (const auto& peer : opts.peers) host->add_peer(peer);
  return host;
}

Status NodeHost::publish_router() {
  auto& listen = options_.listen;
  // reuse: a restarted node must bind again although its old connections sit in TIME_WAIT.
  auto port = system_->middleman().publish(context_.router, listen.port, listen.host.c_str(), true);
  if (!port)
    return Error{"listen_failed",
                 "cannot listen on " + listen.to_string() + ": " + system_->render(port.error())};
  listen_port_ = *port;
  return Ok{};
}

void NodeHost::add_peer(const PeerSpec& peer) {
  LinkConfig link;
  link.local_node = context_.node_id;
  link.remote_node = peer.node;
  link.host = peer.endpoint.host;
  link.port = peer.endpoint.port;
  link.router = context_.router;
  link.backoff = options_.backoff;
  link.seed = derive_seed(context_.seed, "link");
  link.log = context_.log;
  link.metrics = context_.metrics;
  actors_.push_back(spawn_link(*system_, std::move(link)));
}

void NodeHost::adopt(caf::actor actor) {
  actors_.push_back(std::move(actor));
}

void NodeHost::stop() {
  if (!system_) return;
  for (auto& actor : actors_) caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  if (context_.router) caf::anon_send_exit(context_.router, caf::exit_reason::user_shutdown);
  actors_.clear();
  context_.router = nullptr;
  system_.reset();  // waits until every actor has terminated
  config_.reset();
}

}  // namespace craton
