// The controllers benchmark (`craton bench controllers`, issue 12): a control plane of three
// `craton server` processes on loopback (store replicas with real fsync, the API, the
// leader-elected controller managers), driven over HTTP as kubectl would: `deployments`
// Deployments of `replicas` replicas created at once (by `clients` HTTP clients), then measured:
//   created   how long until every ReplicaSet reports all its replicas created
//             (status.replicas), and pod creations per second over that time;
//   exact     the pods counted after a quiet second: exactly deployments x replicas (no
//             duplicate, no lost pod).
// No kubelet runs, so pods stay Pending: a rolling update cannot progress past maxUnavailable
// and is not measured here.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/result.hpp"

namespace craton::bench {

struct ControllersBenchOptions {
  std::string binary;  ///< craton, for the servers
  std::size_t servers = 3;
  std::uint64_t deployments = 100;
  std::uint64_t replicas = 100;
  std::uint64_t clients = 16;
  std::int64_t timeout_s = 600;
  std::string data_dir = "/tmp";
};

struct ControllersBenchReport {
  ControllersBenchOptions options;
  double leader_s = 0;       ///< until a controller manager held the lease
  double create_s = 0;       ///< to POST every Deployment
  double all_created_s = 0;  ///< from the first POST until every ReplicaSet reports all
  double pods_per_s = 0;     ///< pods / all_created_s
  std::uint64_t pods = 0;    ///< counted after a quiet second
  std::uint64_t server_rss_max_bytes = 0;
};

Result<ControllersBenchReport> run_controllers_bench(const ControllersBenchOptions& options);

}  // namespace craton::bench
