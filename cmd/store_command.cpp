// `craton store`: runs one replica of the consistent store until SIGTERM or SIGINT; and
// `craton store status`, which asks every endpoint for its state.
//
//   craton store --id 1 --peers 1=127.0.0.1:2379,2=127.0.0.1:2380,3=127.0.0.1:2381 --data d1
//   craton store --data solo            # a cluster of one on 127.0.0.1:2379
//   craton store status --endpoints 127.0.0.1:2379,127.0.0.1:2380 [--json]
//
// The replica listens on the address its id has in --peers (or --listen), for peers and
// clients alike, runs as node "store-<id>", keeps its data in LMDB under --data and recovers
// from it on restart. Flags are strings checked here: a bad flag is one line and exit code 2;
// a runtime failure (unusable data directory, port in use, disk failure) exits 1.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "actors/store/actor.hpp"
#include "actors/store/client.hpp"
#include "cmd/commands.hpp"
#include "runtime/node_host.hpp"
#include "runtime/shutdown_signal.hpp"

namespace craton::cmd {
namespace {

struct StoreFlags {
  std::string id = "1";
  std::string peers;
  std::string listen;
  std::string data;
  std::string tick_ms = "100";
  std::string seed = "0";
  bool verbose = false;
  std::string snapshot_count = "10000";
  std::string snapshot_catchup_entries = "5000";
};

struct StoreSetup {
  store::ReplicaConfig replica;
  NodeOptions node;
  int tick_ms = 100;
};

Result<std::uint64_t> parse_number(const std::string& flag, const std::string& text,
                                   std::uint64_t min, std::uint64_t max) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v < min || v > max)
    return Error{"bad_flag", flag + " must be a number in " + std::to_string(min) + ".." +
                                 std::to_string(max) + ": '" + text + "'"};
  return v;
}

// --peers "1=h:p,2=h:p": replica ids are numbers; nodes are named store-<id>.
Status read_peers(const StoreFlags& flags, StoreSetup& setup) {
  auto peers = parse_peer_list(flags.peers);
  if (!peers) return Error{"bad_flag", "--peers: " + peers.error().message};
  for (auto& peer : *peers) {
    auto id = parse_number("--peers id", peer.node, 1, 1u << 30);
    if (!id) return id.error();
    setup.replica.voters.push_back(*id);
    setup.node.peers.push_back(PeerSpec{store::replica_node_id(*id), peer.endpoint});
  }
  auto self = setup.replica.id;
  if (setup.replica.voters.empty()) {
    setup.replica.voters.push_back(self);
  } else if (std::find(setup.replica.voters.begin(), setup.replica.voters.end(), self) ==
             setup.replica.voters.end()) {
    return Error{"bad_flag", "--peers must list this replica's own id " + std::to_string(self)};
  }
  return Ok{};
}

// --snapshot-count N (etcd's flag: applied entries between snapshots; 0 never compacts) and
// --snapshot-catchup-entries N (entries kept below a snapshot for slow followers).
Status read_snapshot_flags(const StoreFlags& flags, StoreSetup& setup) {
  auto count = parse_number("--snapshot-count", flags.snapshot_count, 0, 100'000'000);
  if (!count) return count.error();
  auto catchup =
      parse_number("--snapshot-catchup-entries", flags.snapshot_catchup_entries, 0, 100'000'000);
  if (!catchup) return catchup.error();
  setup.replica.snapshot_entries = *count;
  setup.replica.snapshot_catchup_entries = *catchup;
  return Ok{};
}

Result<StoreSetup> store_setup(const StoreFlags& flags) {
  StoreSetup setup;
  auto id = parse_number("--id", flags.id, 1, 1u << 30);
  if (!id) return id.error();
  setup.replica.id = *id;
  if (auto s = read_peers(flags, setup); !s) return s.error();
  setup.node.node_id = store::replica_node_id(*id);
  std::string listen = flags.listen;
  if (listen.empty() && flags.peers.empty()) listen = "127.0.0.1:2379";
  if (!listen.empty()) {
    auto endpoint = parse_endpoint(listen);
    if (!endpoint) return Error{"bad_flag", "--listen: " + endpoint.error().message};
    setup.node.listen = *endpoint;
  }
  auto tick = parse_number("--tick-ms", flags.tick_ms, 1, 60'000);
  if (!tick) return tick.error();
  setup.tick_ms = int(*tick);
  auto seed = parse_number("--seed", flags.seed, 0, UINT64_MAX);
  if (!seed) return seed.error();
  setup.node.seed = *seed;
  // Outside any actor: the process may draw the Raft seed from the OS.
  setup.replica.seed = *seed != 0 ? *seed : std::random_device{}();
  if (auto s = read_snapshot_flags(flags, setup); !s) return s.error();
  setup.replica.data_dir =
      flags.data.empty() ? "store-" + std::to_string(*id) + ".data" : flags.data;
  setup.node.data_dir = setup.replica.data_dir;
  return setup;
}

Status prepare_data_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Error{"bad_data_dir", "cannot create data directory '" + dir + "': " + ec.message()};
  if (!std::filesystem::is_directory(dir, ec))
    return Error{"bad_data_dir", "data directory '" + dir + "' is not a directory"};
  if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0)
    return Error{"bad_data_dir", "data directory '" + dir + "' is not writable"};
  return Ok{};
}

int run_store(const StoreFlags& flags, const std::vector<std::string>& extras) {
  if (!extras.empty()) {
    std::cerr << "craton store: unknown argument '" << extras.front() << "'\n";
    return 2;
  }
  auto setup = store_setup(flags);
  if (!setup) {
    std::cerr << "craton store: " << setup.error().message << "\n";
    return 2;
  }
  ShutdownSignal shutdown;  // before the actor system starts its threads
  if (auto s = prepare_data_dir(setup->replica.data_dir); !s) {
    std::cerr << "craton store: " << s.error().message << "\n";
    return 1;
  }
  auto replica = store::Replica::open(setup->replica);
  if (!replica) {
    std::cerr << "craton store: cannot open data directory: " << replica.error().message << "\n";
    return 1;
  }
  auto log = std::make_shared<StderrSink>(flags.verbose ? LogLevel::debug : LogLevel::info);
  auto host = NodeHost::start(setup->node, log);
  if (!host) {
    std::cerr << "craton store: " << host.error().message << "\n";
    return 1;
  }
  auto& node = **host;
  static std::atomic<bool> failed{false};
  store::StoreActorConfig actor_config;
  actor_config.tick_ms = setup->tick_ms;
  actor_config.on_failure = [](const Error&) {
    failed = true;
    ::kill(::getpid(), SIGTERM);  // wakes shutdown.wait() below
  };
  node.adopt(store::spawn_store(node.system(), node.context(),
                                std::shared_ptr<store::Replica>(std::move(*replica)),
                                actor_config));
  log->write(LogRecord{LogLevel::info, 0, node.context().node_id, "store",
                       "replica " + std::to_string(setup->replica.id) + " listening on " +
                           node.options().listen.host + ":" + std::to_string(node.listen_port()) +
                           ", data in " + setup->replica.data_dir});
  int signal = shutdown.wait();
  log->write(LogRecord{LogLevel::info, 0, node.context().node_id, "store",
                       "signal " + std::to_string(signal) + ": shutting down"});
  node.stop();
  return failed ? 1 : 0;
}

// ---- craton store status ----

struct StatusFlags {
  std::string endpoints = "127.0.0.1:2379";
  std::string timeout_ms = "3000";
  bool json = false;
};

nlohmann::json status_json(const store::StoreEndpoint& ep, const Result<store::MemberStatus>& s) {
  nlohmann::json j{{"endpoint", ep.endpoint.to_string()}};
  if (!s) {
    j["error"] = s.error().code + ": " + s.error().message;
    return j;
  }
  j["id"] = s->id;
  j["role"] = s->role;
  j["leader"] = s->leader;
  j["term"] = s->term;
  j["commit_index"] = s->commit_index;
  j["applied_index"] = s->applied_index;
  j["revision"] = s->revision;
  j["compacted_revision"] = s->compacted_revision;
  j["db_size_bytes"] = s->db_size_bytes;
  j["data_bytes"] = s->data_bytes;
  j["voters"] = s->voters;
  j["learners"] = s->learners;
  return j;
}

void print_status_table(
    const std::vector<std::pair<store::StoreEndpoint, Result<store::MemberStatus>>>& all) {
  std::printf("%-22s %-4s %-10s %-6s %-6s %-10s %-10s %-10s %s\n", "ENDPOINT", "ID", "ROLE",
              "LEADER", "TERM", "COMMIT", "APPLIED", "REVISION", "DB_SIZE");
  for (const auto& [ep, s] : all) {
    if (!s) {
      std::printf("%-22s error: %s\n", ep.endpoint.to_string().c_str(), s.error().message.c_str());
      continue;
    }
    std::printf("%-22s %-4llu %-10s %-6llu %-6llu %-10llu %-10llu %-10lld %llu\n",
                ep.endpoint.to_string().c_str(), (unsigned long long)s->id, s->role.c_str(),
                (unsigned long long)s->leader, (unsigned long long)s->term,
                (unsigned long long)s->commit_index, (unsigned long long)s->applied_index,
                (long long)s->revision, (unsigned long long)s->db_size_bytes);
  }
}

int run_status(const StatusFlags& flags) {
  auto endpoints = store::parse_store_endpoints(flags.endpoints);
  auto timeout = parse_number("--timeout-ms", flags.timeout_ms, 1, 600'000);
  if (!endpoints || !timeout) {
    std::cerr << "craton store status: "
              << (!endpoints ? endpoints.error() : timeout.error()).message << "\n";
    return 2;
  }
  store::StoreClientOptions options;
  options.endpoints = *endpoints;
  options.timeout_ms = std::int64_t(*timeout);
  auto client = store::StoreClient::connect(options);
  if (!client) {
    std::cerr << "craton store status: " << client.error().message << "\n";
    return 1;
  }
  auto all = (*client)->status_all();
  bool any_ok = false;
  for (const auto& entry : all) any_ok = any_ok || entry.second.ok();
  if (flags.json) {
    auto list = nlohmann::json::array();
    for (const auto& [ep, s] : all) list.push_back(status_json(ep, s));
    std::cout << list.dump() << "\n";
  } else {
    print_status_table(all);
  }
  return any_ok ? 0 : 1;
}

}  // namespace

void add_store_command(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand("store", "Run a replica of the consistent store (or: status)");
  auto flags = std::make_shared<StoreFlags>();
  sub->add_option("--id", flags->id, "This replica's id (a positive number; default 1)");
  sub->add_option("--peers", flags->peers, "Every replica: id=host:port,id=host:port,...");
  sub->add_option("--listen", flags->listen,
                  "host:port (default: this id's address in --peers, else 127.0.0.1:2379)");
  sub->add_option("--data", flags->data, "Data directory (default store-<id>.data)");
  sub->add_option("--tick-ms", flags->tick_ms, "Raft tick (election timeout is 10-20 ticks)");
  sub->add_option("--seed", flags->seed, "Process seed (0: from the OS)");
  sub->add_flag("--verbose", flags->verbose, "Log at debug level");
  sub->add_option("--snapshot-count", flags->snapshot_count,
                  "Applied entries that trigger a snapshot and log compaction (default 10000; "
                  "0: never)");
  sub->add_option("--snapshot-catchup-entries", flags->snapshot_catchup_entries,
                  "Log entries kept below a snapshot for slow followers (default 5000)");
  sub->allow_extras();

  auto* status = sub->add_subcommand("status", "Print each member's role, term, indexes, size");
  auto status_flags = std::make_shared<StatusFlags>();
  status->add_option("--endpoints", status_flags->endpoints, "[id=]host:port,...");
  status->add_option("--timeout-ms", status_flags->timeout_ms, "Per-member timeout");
  status->add_flag("--json", status_flags->json, "JSON output");
  status->callback([status_flags, &exit_code] { exit_code = run_status(*status_flags); });
  sub->callback([sub, status, flags, &exit_code] {
    if (status->parsed()) return;
    exit_code = run_store(*flags, sub->remaining());
  });
}

}  // namespace craton::cmd
