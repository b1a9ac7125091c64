// `craton node`: runs one node process — router, links to its peers, the echo actor and a
// pinger — until SIGTERM or SIGINT, then shuts down cleanly.
//
//   craton node --id a --listen 127.0.0.1:7001 --peers b=127.0.0.1:7002,c=127.0.0.1:7003
//
// Flags are strings checked here so that any bad flag gives one clear line and exit code 2.
#include <charconv>
#include <iostream>

#include "actors/echo/actor.hpp"
#include "cmd/commands.hpp"
#include "cmd/link_flags.hpp"
#include "runtime/node_host.hpp"
#include "runtime/shutdown_signal.hpp"

namespace craton::cmd {
namespace {

struct NodeFlags {
  std::string id;
  std::string listen;
  std::string peers;
  std::string ping_interval_ms = "1000";
  std::string seed = "0";
  bool verbose = false;
  LinkFlags link;
};

constexpr std::int64_t kPingIntervalMsMax = 3600 * 1000;

Result<std::uint64_t> parse_u64(const std::string& flag, const std::string& text,
                                std::uint64_t max) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v > max)
    return Error{"bad_flag",
                 flag + " must be a number in 0.." + std::to_string(max) + ": '" + text + "'"};
  return v;
}

Result<NodeOptions> node_options(const NodeFlags& flags) {
  NodeOptions options;
  options.node_id = flags.id;
  if (flags.id.empty()) return Error{"bad_flag", "--id is required"};
  if (!flags.listen.empty()) {
    auto listen = parse_endpoint(flags.listen);
    if (!listen) return Error{"bad_flag", "--listen: " + listen.error().message};
    options.listen = *listen;
  }
  auto peers = parse_peer_list(flags.peers);
  if (!peers) return Error{"bad_flag", "--peers: " + peers.error().message};
  options.peers = std::move(*peers);
  auto seed = parse_u64("--seed", flags.seed, UINT64_MAX);
  if (!seed) return seed.error();
  options.seed = *seed;
  auto security = link_security(flags.link);
  if (!security) return security.error();
  options.security = *security;
  return resolve_node_options(std::move(options));
}

int run_node(const NodeFlags& flags, const std::vector<std::string>& extras) {
  if (!extras.empty()) {
    std::cerr << "craton node: unknown argument '" << extras.front() << "'\n";
    return 2;
  }
  auto options = node_options(flags);
  auto interval = parse_u64("--ping-interval-ms", flags.ping_interval_ms, kPingIntervalMsMax);
  if (!options || !interval) {
    std::cerr << "craton node: " << (!options ? options.error() : interval.error()).message << "\n";
    return 2;
  }
  ShutdownSignal shutdown;  // before the actor system starts its threads
  auto log = std::make_shared<StderrSink>(flags.verbose ? LogLevel::debug : LogLevel::info);
  auto host = NodeHost::start(std::move(*options), log);
  if (!host) {
    std::cerr << "craton node: " << host.error().message << "\n";
    return 1;
  }
  auto& node = **host;
  std::vector<std::string> peer_ids;
  for (const auto& peer : node.options().peers) peer_ids.push_back(peer.node);
  node.adopt(echo::spawn_echo(node.system(), node.context()));
  node.adopt(
      echo::spawn_pinger(node.system(), node.context(),
                         {peer_ids, std::int64_t(std::max<std::uint64_t>(*interval, 1)), 16}));
  auto say = [&](const std::string& message) {
    // The actor clock, so that these lines share the actors' time base.
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      node.system().clock().now().time_since_epoch())
                      .count();
    log->write(LogRecord{LogLevel::info, now_ms, node.context().node_id, "node", message});
  };
  say("listening on " + node.options().listen.host + ":" + std::to_string(node.listen_port()));
  int signal = shutdown.wait([&node] { (void)node.reload_certificates(); });
  say("signal " + std::to_string(signal) + ": shutting down");
  node.stop();
  return 0;
}

}  // namespace

void add_node_command(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand("node", "Run one Craton node process (router, links, echo)");
  auto flags = std::make_shared<NodeFlags>();
  sub->add_option("--id", flags->id, "This node's id, e.g. a");
  sub->add_option("--listen", flags->listen, "host:port to publish the router on");
  sub->add_option("--peers", flags->peers, "Other nodes: id=host:port,id=host:port");
  sub->add_option("--ping-interval-ms", flags->ping_interval_ms, "Ping each peer this often");
  sub->add_option("--seed", flags->seed, "Process seed (0: from the OS)");
  sub->add_flag("--verbose", flags->verbose, "Log at debug level");
  add_link_flags(sub, flags->link, "the node id");
  sub->allow_extras();
  sub->callback([sub, flags, &exit_code] { exit_code = run_node(*flags, sub->remaining()); });
}

}  // namespace craton::cmd
