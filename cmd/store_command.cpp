// `craton store`: runs one replica of the consistent store until SIGTERM or SIGINT; and
// `craton store status`, which asks every endpoint for its state.
//
//   craton store --id 1 --peers 1=127.0.0.1:2379,2=127.0.0.1:2380,3=127.0.0.1:2381 --data d1
//   craton store --data solo            # a cluster of one on 127.0.0.1:2379
//   craton store status --endpoints 127.0.0.1:2379,127.0.0.1:2380 [--json]
//   craton store --id 4 --join 1=127.0.0.1:2379,2=127.0.0.1:2380 --listen 127.0.0.1:2382 --data d4
//   (membership and move-leader: cmd/member_command.cpp)
//
// The replica listens on the address its id has in --peers (or --listen), for peers and
// clients alike, runs as node "store-<id>", keeps its data in LMDB under --data and recovers
// from it on restart. Flags are strings checked here: a bad flag is one line and exit code 2;
// a runtime failure (unusable data directory, port in use, disk failure) exits 1.
//
// --join starts a replica that an existing cluster added with `craton store member add`: it
// boots with no configuration of its own and learns it (and every member's address) from the
// leader's log. The replica opens links to members as the log names them. On SIGTERM/SIGINT
// a leader first hands leadership to its most up-to-date voter (bounded by
// --shutdown-timeout-ms), so a rolling restart costs no election timeout. A replica removed
// from the cluster exits 0 by itself.
#include <malloc.h>
#include <signal.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "actors/store/actor.hpp"
#include "actors/store/client/client.hpp"
#include "actors/store/replica/write_quota.hpp"
#include "cmd/commands.hpp"
#include "cmd/metrics_endpoint.hpp"
#include "cmd/replica_runner.hpp"
#include "cmd/store_client_flags.hpp"
#include "runtime/node_host.hpp"
#include "runtime/shutdown_signal.hpp"

namespace craton::cmd {
namespace {

// Free space below which a storage failure is reported as a full disk: less than one large
// value (the store's values go up to 1.5 MiB) fits.
constexpr std::uint64_t kDiskFullBytesMax = 2 << 20;

struct StoreSetup {
  store::ReplicaConfig replica;
  NodeOptions node;
  int tick_ms = 100;
  int shutdown_timeout_ms = 3000;
  std::optional<Endpoint> metrics_listen;
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

// --peers (or --join) "1=h:p,2=h:p": replica ids are numbers; nodes are named store-<id>. The
// replica's actor opens the links (from these addresses, then from the log), not the host.
Status read_peers(const StoreFlags& flags, StoreSetup& setup) {
  bool join = !flags.join.empty();
  if (join && !flags.peers.empty()) return Error{"bad_flag", "give --peers or --join, not both"};
  if (join && flags.listen.empty())
    return Error{"bad_flag", "--join needs --listen (the address given to `member add`)"};
  auto peers = parse_peer_list(join ? flags.join : flags.peers);
  if (!peers) return Error{"bad_flag", (join ? "--join: " : "--peers: ") + peers.error().message};
  for (auto& peer : *peers) {
    auto id = parse_number(join ? "--join id" : "--peers id", peer.node, 1, 1u << 30);
    if (!id) return id.error();
    if (*id == setup.replica.id && join)
      return Error{"bad_flag", "--join lists the members to join, not this replica"};
    if (*id == setup.replica.id && flags.listen.empty()) setup.node.listen = peer.endpoint;
    setup.replica.peer_addresses[*id] = peer.endpoint.to_string();
    if (!join) setup.replica.voters.push_back(*id);
  }
  if (join) return Ok{};
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

// --quota-backend-bytes N (etcd's flag; 0: 2 GiB): the bound a leader checks writes against
// before proposing them (actors/store/replica/write_quota.hpp). The MVCC store's own apply-time
// quota is the ceiling for the map size: a backstop that is the same on every replica whatever
// their flags, so replicas never disagree about which writes were applied.
Status read_quota_flag(const StoreFlags& flags, StoreSetup& setup) {
  auto bytes = parse_number("--quota-backend-bytes", flags.quota_backend_bytes, 0, UINT64_MAX);
  if (!bytes) return bytes.error();
  auto quota = store::quota_from_flag(*bytes, setup.replica.map_size_bytes);
  if (!quota) return quota.error();
  setup.replica.quota_bytes = *quota;
  setup.replica.mvcc.quota_bytes = store::quota_ceiling_bytes(setup.replica.map_size_bytes);
  return Ok{};
}

Result<StoreSetup> store_setup(const StoreFlags& flags) {
  StoreSetup setup;
  auto id = parse_number("--id", flags.id, 1, 1u << 30);
  if (!id) return id.error();
  setup.replica.id = *id;
  if (auto s = read_peers(flags, setup); !s) return s.error();
  setup.node.node_id = store::replica_node_id(*id);
  auto security = link_security(flags.link);
  if (!security) return security.error();
  setup.node.security = *security;
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
  setup.replica.tick_ms = *tick;  // lease TTL minimum and extension on promotion
  auto seed = parse_number("--seed", flags.seed, 0, UINT64_MAX);
  if (!seed) return seed.error();
  setup.node.seed = *seed;
  auto shutdown_ms = parse_number("--shutdown-timeout-ms", flags.shutdown_timeout_ms, 0, 60'000);
  if (!shutdown_ms) return shutdown_ms.error();
  setup.shutdown_timeout_ms = int(*shutdown_ms);
  if (flags.peers.empty() && flags.join.empty())  // a cluster of one knows its own address
    setup.replica.peer_addresses[*id] = setup.node.listen.to_string();
  // Outside any actor: the process may draw the Raft seed from the OS.
  setup.replica.seed = *seed != 0 ? *seed : std::random_device{}();
  if (auto s = read_snapshot_flags(flags, setup); !s) return s.error();
  if (auto s = read_quota_flag(flags, setup); !s) return s.error();
  setup.replica.data_dir =
      flags.data.empty() ? "store-" + std::to_string(*id) + ".data" : flags.data;
  setup.node.data_dir = setup.replica.data_dir;
  // A replica is one busy actor that blocks on fsync: more workers only add hand-offs (on a
  // loaded 2-core machine, 1 worker cut CPU per put by about a third; docs/store.md).
  setup.node.worker_threads = 1;
  if (!flags.metrics_listen.empty()) {
    auto metrics = MetricsEndpoint::parse(flags.metrics_listen);
    if (!metrics) return metrics.error();
    setup.metrics_listen = *metrics;
  }
  auto compaction =
      store::parse_auto_compaction(flags.auto_compaction_mode, flags.auto_compaction_retention);
  if (!compaction) return compaction.error();
  setup.replica.auto_compaction = *compaction;
  return setup;
}

// A replica stopped by a storage failure. LMDB reports a full disk as ENOSPC or, when a write
// comes up short, as EIO ("Input/output error"), and a failed apply surfaces as "the MVCC store
// did not apply index N": neither says the disk is full, so this looks at the data directory's
// filesystem. Writes in flight were in the log or not: either way their outcome is unknown.
std::string describe_storage_failure(const Error& error, const std::string& data_dir) {
  std::string out = "replica failed: " + error.message;
  struct statvfs fs {};
  if (::statvfs(data_dir.c_str(), &fs) == 0) {
    const auto free_bytes = std::uint64_t(fs.f_bavail) * fs.f_frsize;
    if (free_bytes < kDiskFullBytesMax)
      out += "; no space left on device: the filesystem of data directory " + data_dir + " has " +
             std::to_string(free_bytes) + " bytes free";
  }
  return out +
         ". Writes in flight may or may not be applied when the replica restarts; free "
         "space in " +
         data_dir + " and restart it";
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

// Graceful shutdown: a leader hands leadership over and waits (bounded) until it moved.
void hand_over_leadership(NodeHost& node, const caf::actor& store_actor, int timeout_ms) {
  if (timeout_ms == 0) return;
  auto say = [&](const std::string& message) {
    node.context().log->write(
        LogRecord{LogLevel::info, 0, node.context().node_id, "store", message});
  };
  caf::scoped_actor self{node.system()};
  self->request(store_actor, std::chrono::milliseconds(timeout_ms), store::leave_atom::value)
      .receive(
          [&](raft::NodeId to) {
            if (to != 0) say("leadership handed to replica " + std::to_string(to));
          },
          [&](caf::error&) {
            say("leadership not handed over within " + std::to_string(timeout_ms) + " ms");
          });
}

// glibc returns freed memory at the top of a heap to the kernel as soon as 128 KiB are free,
// and grows it again on the next burst: under write load a replica spent ~7% of its CPU in
// those mprotect/brk calls. A replica's working set is steady, so it keeps up to 256 MiB.
void keep_freed_memory() {
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 64 << 20);
}

}  // namespace

int run_replica(const StoreFlags& flags, const std::vector<std::string>& extras,
                const std::string& role, const Companion& companion) {
  keep_freed_memory();
  if (!extras.empty()) {
    std::cerr << "craton " << role << ": unknown argument '" << extras.front() << "'\n";
    return 2;
  }
  auto setup = store_setup(flags);
  if (!setup) {
    std::cerr << "craton " << role << ": " << setup.error().message << "\n";
    return 2;
  }
  ShutdownSignal shutdown;  // before the actor system starts its threads
  if (auto s = prepare_data_dir(setup->replica.data_dir); !s) {
    std::cerr << "craton " << role << ": " << s.error().message << "\n";
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
    std::cerr << "craton " << role << ": " << host.error().message << "\n";
    return 1;
  }
  auto& node = **host;
  std::unique_ptr<MetricsEndpoint> metrics;
  if (setup->metrics_listen) {
    auto endpoint = MetricsEndpoint::start(*setup->metrics_listen, *node.context().metrics);
    if (!endpoint) {
      std::cerr << "craton " << role << ": " << endpoint.error().message << "\n";
      node.stop();
      return 1;
    }
    metrics = std::move(*endpoint);
    log->write(LogRecord{LogLevel::info, 0, node.context().node_id, "store",
                         "metrics on http://" + metrics->address() + "/metrics"});
  }
  static std::atomic<bool> failed{false};
  static std::atomic<bool> removed{false};
  static std::mutex failure_mutex;
  static std::optional<Error> failure;  // set by the actor's thread before `failed`
  store::StoreActorConfig actor_config;
  actor_config.tick_ms = setup->tick_ms;
  actor_config.on_failure = [](const Error& e) {
    {
      std::lock_guard lock(failure_mutex);
      failure = e;
    }
    failed = true;
    ::kill(::getpid(), SIGTERM);  // wakes shutdown.wait() below
  };
  actor_config.manage_links = true;
  actor_config.disk_clock_ns = [] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  actor_config.on_removed = [] {
    removed = true;
    ::kill(::getpid(), SIGTERM);
  };
  auto store_actor =
      store::spawn_store(node.system(), node.context(),
                         std::shared_ptr<store::Replica>(std::move(*replica)), actor_config);
  node.adopt(store_actor);
  log->write(LogRecord{LogLevel::info, 0, node.context().node_id, "store",
                       "replica " + std::to_string(setup->replica.id) + " listening on " +
                           node.options().listen.host + ":" + std::to_string(node.listen_port()) +
                           ", data in " + setup->replica.data_dir});
  std::function<void()> stop_companion;
  if (companion) {
    auto started =
        companion(ReplicaStarted{node, setup->replica.peer_addresses, setup->node.security, log});
    if (!started) {
      std::cerr << "craton " << role << ": " << started.error().message << "\n";
      node.stop();
      return 1;
    }
    stop_companion = std::move(*started);
  }
  int signal = shutdown.wait([&node] { (void)node.reload_certificates(); });
  log->write(LogRecord{LogLevel::info, 0, node.context().node_id, "store",
                       "signal " + std::to_string(signal) + ": shutting down"});
  if (stop_companion) stop_companion();
  if (!failed && !removed) hand_over_leadership(node, store_actor, setup->shutdown_timeout_ms);
  node.stop();
  if (failed) {
    std::lock_guard lock(failure_mutex);
    if (failure)
      std::cerr << "craton " << role << ": "
                << describe_storage_failure(*failure, setup->replica.data_dir) << "\n";
  }
  return failed ? 1 : 0;
}

namespace {

// ---- craton store status ----

struct StatusFlags {
  std::string endpoints = "127.0.0.1:2379";
  LinkFlags link;
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
  j["quota_bytes"] = s->quota_bytes;
  return j;
}

void print_status_table(
    const std::vector<std::pair<store::StoreEndpoint, Result<store::MemberStatus>>>& all) {
  std::printf("%-22s %-4s %-10s %-6s %-6s %-10s %-10s %-10s %-12s %-12s %s\n", "ENDPOINT", "ID",
              "ROLE", "LEADER", "TERM", "COMMIT", "APPLIED", "REVISION", "DB_SIZE", "DATA",
              "QUOTA");
  for (const auto& [ep, s] : all) {
    if (!s) {
      std::printf("%-22s error: %s\n", ep.endpoint.to_string().c_str(), s.error().message.c_str());
      continue;
    }
    std::printf(
        "%-22s %-4llu %-10s %-6llu %-6llu %-10llu %-10llu %-10lld %-12llu %-12lld "
        "%lld\n",
        ep.endpoint.to_string().c_str(), (unsigned long long)s->id, s->role.c_str(),
        (unsigned long long)s->leader, (unsigned long long)s->term,
        (unsigned long long)s->commit_index, (unsigned long long)s->applied_index,
        (long long)s->revision, (unsigned long long)s->db_size_bytes, (long long)s->data_bytes,
        (long long)s->quota_bytes);
  }
}

int run_status(const StatusFlags& flags) {
  auto client = connect_store_client(flags.endpoints, flags.timeout_ms, flags.link);
  if (!client) {
    std::cerr << "craton store status: " << client.error().message << "\n";
    return client.error().code == "bad_flag" ? 2 : 1;
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

void add_replica_flags(CLI::App* sub, StoreFlags& flags) {
  sub->add_option("--id", flags.id, "This replica's id (a positive number; default 1)");
  sub->add_option("--peers", flags.peers, "Every replica: id=host:port,id=host:port,...");
  sub->add_option("--join", flags.join,
                  "Join a running cluster (after `member add`): its members id=host:port,...");
  sub->add_option("--shutdown-timeout-ms", flags.shutdown_timeout_ms,
                  "On SIGTERM a leader waits this long for leadership to move (0: no handover)");
  sub->add_option("--listen", flags.listen,
                  "host:port (default: this id's address in --peers, else 127.0.0.1:2379)");
  sub->add_option("--data", flags.data, "Data directory (default store-<id>.data)");
  sub->add_option("--tick-ms", flags.tick_ms, "Raft tick (election timeout is 10-20 ticks)");
  sub->add_option("--seed", flags.seed, "Process seed (0: from the OS)");
  add_link_flags(sub, flags.link, "store-<id>");
  sub->add_flag("--verbose", flags.verbose, "Log at debug level");
  sub->add_option("--auto-compaction-mode", flags.auto_compaction_mode,
                  "periodic or revision: the leader compacts history by itself (default off)");
  sub->add_option("--auto-compaction-retention", flags.auto_compaction_retention,
                  "periodic: history to keep (1h, 30m, 90s); revision: revisions to keep");
  sub->add_option("--snapshot-count", flags.snapshot_count,
                  "Applied entries that trigger a snapshot and log compaction (default 10000; "
                  "0: never)");
  sub->add_option("--snapshot-catchup-entries", flags.snapshot_catchup_entries,
                  "Log entries kept below a snapshot for slow followers (default 5000)");
  sub->add_option("--metrics-listen", flags.metrics_listen,
                  "Serve Prometheus metrics (etcd's names) on http://ADDR/metrics: PORT (loopback) "
                  "or HOST:PORT; plain HTTP, unauthenticated");
  sub->add_option("--quota-backend-bytes", flags.quota_backend_bytes,
                  "Writes past this many bytes of keys and values fail 'no_space' (0: 2 GiB; "
                  "at most half the LMDB map size)");
}

void add_store_command(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand("store", "Run a replica of the consistent store (or: status)");
  auto flags = std::make_shared<StoreFlags>();
  add_replica_flags(sub, *flags);
  sub->allow_extras();

  auto* status = sub->add_subcommand("status", "Print each member's role, term, indexes, size");
  auto status_flags = std::make_shared<StatusFlags>();
  status->add_option("--endpoints", status_flags->endpoints, "[id=]host:port,...");
  status->add_option("--timeout-ms", status_flags->timeout_ms, "Per-member timeout");
  add_link_flags(status, status_flags->link, "admin");
  status->add_flag("--json", status_flags->json, "JSON output");
  status->callback([status_flags, &exit_code] { exit_code = run_status(*status_flags); });
  add_member_commands(*sub, exit_code);
  sub->callback([sub, flags, &exit_code] {
    if (!sub->get_subcommands().empty()) return;  // status, member, move-leader ran
    exit_code = run_replica(*flags, sub->remaining(), "store", nullptr);
  });
}

}  // namespace craton::cmd
