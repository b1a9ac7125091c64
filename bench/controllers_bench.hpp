// The controllers benchmark (`craton bench controllers`, issue 12): a control plane of three
// `craton server` processes on loopback (store replicas with real fsync, the API, the
// leader-elected controller managers), driven over HTTP as kubectl would: `deployments`
// Deployments of `replicas` replicas created at once (by `clients` HTTP clients), then measured:
//   created   how long until every ReplicaSet reports all its replicas created
//             (status.replicas), and pod creations per second over that time; the servers'
//             CPU time per pod created (a loaded machine stretches wall time, not CPU time);
//   ready     a fake kubelet (bench/fake_kubelet.hpp) then marks pods Running and Ready: how
//             long until every Deployment reports all replicas available;
//   rolled    every Deployment's image changed at once: how long until every Deployment
//             reports the new template complete (updated = available = replicas, no old pod),
//             and pods replaced per second;
//   exact     the pods counted after each phase and a quiet second: exactly deployments x
//             replicas (no duplicate, no lost pod).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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
  bool rollout = true;              ///< run the ready and rolled phases
  std::size_t kubelet_writers = 8;  ///< the fake kubelet's status-writing threads
  /// Node objects made before the Deployments (110 pods, 64 CPUs each): the servers'
  /// schedulers bind the pods to them, and the bench waits until every pod is bound. 0: no
  /// node (every pod stays pending; the scheduler reports each as unschedulable once).
  std::uint64_t nodes = 0;
  /// False: the servers run no scheduler (--no-scheduler): the controllers measured alone, as
  /// kube's controller manager is without kube-scheduler. With one and no nodes, every pod is
  /// reported unschedulable once (a FailedScheduling Event and a status write per pod).
  bool scheduler = true;
};

struct ControllersBenchReport {
  ControllersBenchOptions options;
  double leader_s = 0;       ///< until a controller manager held the lease
  double create_s = 0;       ///< to POST every Deployment
  double all_created_s = 0;  ///< from the first POST until every ReplicaSet reports all
  double pods_per_s = 0;     ///< pods / all_created_s
  std::uint64_t pods = 0;    ///< counted after a quiet second
  bool caches_agree = true;  ///< every server's API counted the same pods
  double create_cpu_s = 0;   ///< the servers' CPU time from the first POST to all created
  std::vector<double> create_cpu_by_server_s;  ///< the same, each server's (index order)
  double all_bound_s = 0;         ///< with nodes: from the first POST until no pod is pending
  double bound_pods_per_s = 0;    ///< pods / all_bound_s: created and bound, end to end
  double ready_s = 0;             ///< from the kubelet's start until every Deployment is available
  double rollout_s = 0;           ///< from the image change until every rollout is complete
  double rollout_pods_per_s = 0;  ///< pods replaced (created and deleted) / rollout_s
  double rollout_cpu_s = 0;       ///< the servers' CPU time during the rollout
  std::uint64_t pods_after_rollout = 0;  ///< counted after a quiet second
  std::uint64_t statuses_marked = 0;     ///< pod statuses the fake kubelet wrote
  std::uint64_t statuses_refused = 0;    ///< status writes the API refused (not 404)
  std::uint64_t server_rss_max_bytes = 0;
};

Result<ControllersBenchReport> run_controllers_bench(const ControllersBenchOptions& options);

}  // namespace craton::bench
