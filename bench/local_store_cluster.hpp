// LocalStoreCluster: a throw-away store cluster for benchmarks: N `craton store` replicas on
// loopback, each a child process with its own data directory under one fresh temp directory;
// with servers = true, N `craton server` processes instead (each a replica, the API with its
// HTTP port, and the controller manager: a control plane).
//
// Replicas run exactly as an operator would run them (real fsync, the default durability), so
// benchmark figures are those of a deployed cluster. Each child's stdout and stderr go to
// <dir>/r<id>.log. stop() (also run by the destructor) sends SIGTERM, waits a bounded time,
// then SIGKILLs, and removes the directory unless keep_dir was set. Benchmark code only:
// never used by actors.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/node_host.hpp"
#include "runtime/result.hpp"

namespace craton::bench {

struct LocalStoreClusterOptions {
  std::string binary;               ///< the craton binary (normally /proc/self/exe)
  std::size_t replicas = 3;         ///< 1..7
  std::string parent_dir = "/tmp";  ///< where the temp directory is made (same disk as peers')
  int tick_ms = 100;
  bool keep_dir = false;
  /// The replicas' links: --insecure-loopback, or --certs (a directory holding store-<id>
  /// and admin certificates); neither: a throwaway CA in the cluster's directory.
  LinkSecurity security;
  bool servers = false;  ///< `craton server` (replica + API + controller manager), not `store`
  std::vector<std::string> server_args;  ///< more flags for each `craton server`
};

class LocalStoreCluster {
 public:
  /// Picks free loopback ports, starts the replicas; fails cleanly (nothing left running).
  static Result<std::unique_ptr<LocalStoreCluster>> start(LocalStoreClusterOptions options);
  ~LocalStoreCluster();
  LocalStoreCluster(const LocalStoreCluster&) = delete;
  LocalStoreCluster& operator=(const LocalStoreCluster&) = delete;

  /// "1=127.0.0.1:p1,2=127.0.0.1:p2,..." for --endpoints.
  const std::string& endpoints() const { return endpoints_; }
  const std::string& dir() const { return dir_; }
  /// servers: each server's HTTP port (kubectl's), by replica index (0-based).
  const std::vector<std::uint16_t>& http_ports() const { return http_ports_; }
  /// How clients reach the replicas: the cluster's mode, as cert name `admin` under TLS.
  const LinkSecurity& client_security() const { return client_security_; }
  std::size_t size() const { return pids_.size(); }
  /// Resident set size of replica `index` (0-based) from /proc, 0 if it is gone.
  std::uint64_t rss_bytes(std::size_t index) const;
  /// CPU time (user + system) replica `index` has used so far, from /proc; 0 if it is gone.
  /// Differences of it measure work done, which a loaded machine does not inflate as it
  /// inflates wall time.
  double cpu_seconds(std::size_t index) const;
  /// Disk space replica `index`'s data directory takes (allocated blocks, like du).
  std::uint64_t data_bytes(std::size_t index) const;
  /// Terminates every replica (bounded wait) and removes the directory. Idempotent.
  void stop();

 private:
  LocalStoreCluster() = default;
  Status spawn_replica(const LocalStoreClusterOptions& options, std::size_t id);

  std::string dir_;
  std::string endpoints_;
  LinkSecurity client_security_;
  bool keep_dir_ = false;
  std::vector<pid_t> pids_;
  std::vector<std::uint16_t> http_ports_;
};

}  // namespace craton::bench
