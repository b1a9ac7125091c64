// Running a store replica in this process until SIGTERM or SIGINT: the flags every replica
// takes (`craton store`, `craton server`), and run_replica(), which `craton server` calls with
// a companion, the API server that runs beside the replica in the same process.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/store/raft/raft_types.hpp"
#include "cmd/link_flags.hpp"
#include "runtime/logger.hpp"
#include "runtime/node_host.hpp"

namespace craton::cmd {

struct StoreFlags {
  std::string id = "1";
  std::string peers;
  std::string join;
  std::string listen;
  std::string shutdown_timeout_ms = "3000";
  std::string data;
  std::string tick_ms = "100";
  std::string seed = "0";
  bool verbose = false;
  std::string auto_compaction_mode;       ///< periodic | revision (etcd's flag); empty: off
  std::string auto_compaction_retention;  ///< a duration (periodic) or a revision count
  std::string snapshot_count = "10000";
  std::string snapshot_catchup_entries = "5000";
  std::string quota_backend_bytes = "0";  ///< etcd's flag; 0: the default (2 GiB)
  std::string metrics_listen;             ///< PORT or HOST:PORT for /metrics; empty: none
  LinkFlags link;
};

void add_replica_flags(CLI::App* sub, StoreFlags& flags);

/// What a companion learns once the replica runs.
struct ReplicaStarted {
  NodeHost& node;
  std::map<raft::NodeId, std::string> peer_addresses;  ///< every member known at start
  LinkSecurity security;
  std::shared_ptr<LogSink> log;
};
/// Starts what runs beside the replica; returns how to stop it (before the replica stops).
using Companion = std::function<Result<std::function<void()>>(const ReplicaStarted&)>;

/// Runs one replica (and the companion, if any) until a signal; the process's exit code.
/// `role` names the command in messages ("store", "server").
int run_replica(const StoreFlags& flags, const std::vector<std::string>& extras,
                const std::string& role, const Companion& companion);

}  // namespace craton::cmd
