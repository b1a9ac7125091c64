#include "runtime/node_host.hpp"

#include <chrono>
#include <random>

#include "runtime/link.hpp"
#include "runtime/router.hpp"
#include "runtime/tls/link_transport.hpp"
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

// The actor clock outside any actor: log lines of the process share the actors' time base.
std::int64_t clock_ms(caf::actor_system& sys) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(sys.clock().now().time_since_epoch())
      .count();
}

}  // namespace

// The production actor system: default (work-stealing) scheduler. Links are the transport's
// (its keepalives let a link notice a peer that vanished without closing its socket); a
// benchmark that compares with CAF's own remoting loads the middleman through add_types.
class NodeHost::SystemConfig : public caf::actor_system_config {
 public:
  explicit SystemConfig(const NodeOptions& options) {
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
  }
};

Status validate_link_security(const LinkSecurity& security) {
  if (!security.certs_dir.empty() && security.insecure_loopback)
    return Error{"bad_security", "give --certs DIR or --insecure-loopback, not both"};
  if (security.certs_dir.empty() && !security.insecure_loopback)
    return Error{"bad_security",
                 "links need --certs DIR (mutual TLS with the cluster's certificates, made by "
                 "`craton certs init`) or --insecure-loopback (plain TCP on loopback only, for "
                 "development)"};
  return Ok{};
}

Result<NodeOptions> resolve_node_options(NodeOptions options) {
  if (auto s = validate_node_id(options.node_id); !s)
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
  if (auto s = validate_link_security(options.security); !s) return s.error();
  if (options.listens && options.listen.host.empty())
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
  if (auto s = host->start_transport(); !s) {
    host->stop();
    return s.error();
  }
  if (ctx.log)
    ctx.log->write(LogRecord{LogLevel::info, clock_ms(*host->system_), ctx.node_id, "node",
                             host->link_mode()});
  // Links opened by components (the store's member links) are theirs to close.
  ctx.open_link = [raw = host.get()](const std::string& node, const std::string& h,
                                     std::uint16_t port) { return raw->open_link(node, h, port); };
  for (const auto& peer : opts.peers) host->add_peer(peer);
  return host;
}

// Arrivals become router messages, tagged with their session: the router checks the sender
// against it and learns return routes from it. Both sends happen on the io thread, in order.
Status NodeHost::start_transport() {
  tls::LinkTransportOptions t;
  t.node_id = options_.node_id;
  if (options_.listens) t.listen = options_.listen;
  t.certs_dir = options_.security.certs_dir;
  t.cert_name = options_.security.cert_name;
  t.acceptor.metrics = context_.metrics;
  t.acceptor.node = options_.node_id;
  tls::LinkTransport::Callbacks callbacks;
  auto router = context_.router;
  callbacks.on_frame = [router](tls::LinkSession& session, Frame frame) {
    caf::anon_send(router, WireEnvelope{std::move(frame.payload)},
                   ChannelPtr(session.shared_from_this()));
  };
  callbacks.on_close = [router](tls::LinkSession& session, const Error&) {
    caf::anon_send(router, closed_atom::value, ChannelPtr(session.shared_from_this()));
  };
  callbacks.log = [log = context_.log, node = options_.node_id,
                   sys = system_.get()](const std::string& line) {
    if (log) log->write(LogRecord{LogLevel::warn, clock_ms(*sys), node, "links", line});
  };
  auto transport = tls::LinkTransport::start(std::move(t), std::move(callbacks));
  if (!transport) return transport.error();
  transport_ = std::move(*transport);
  listen_port_ = transport_->listen_port();
  return Ok{};
}

std::string NodeHost::link_mode() const {
  return transport_ ? transport_->describe() : "links: none";
}

Status NodeHost::reload_certificates() {
  if (!transport_) return Error{"stopped", "the node has stopped"};
  auto s = transport_->reload();
  if (context_.log)
    context_.log->write(LogRecord{s ? LogLevel::info : LogLevel::warn, clock_ms(*system_),
                                  context_.node_id, "links",
                                  s ? "certificates reloaded: new links use them"
                                    : "certificates not reloaded: " + s.error().message});
  return s;
}

caf::actor NodeHost::open_link(const std::string& node, const std::string& host,
                               std::uint16_t port) {
  LinkConfig link;
  link.local_node = context_.node_id;
  link.remote_node = node;
  link.host = host;
  link.port = port;
  link.router = context_.router;
  link.transport = transport_.get();
  link.backoff = options_.backoff;
  link.seed = derive_seed(context_.seed, "link");
  link.log = context_.log;
  link.metrics = context_.metrics;
  return spawn_link(*system_, std::move(link));
}

void NodeHost::add_peer(const PeerSpec& peer) {
  actors_.push_back(open_link(peer.node, peer.endpoint.host, peer.endpoint.port));
}

void NodeHost::adopt(caf::actor actor) {
  actors_.push_back(std::move(actor));
}

void NodeHost::stop() {
  if (!system_) return;
  if (transport_) transport_->stop();  // no arrival, no callback after this
  for (auto& actor : actors_) caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  if (context_.router) caf::anon_send_exit(context_.router, caf::exit_reason::user_shutdown);
  actors_.clear();
  context_.router = nullptr;
  system_.reset();  // waits until every actor has terminated
  config_.reset();
  transport_.reset();  // no actor holds a session any more
}

}  // namespace craton
