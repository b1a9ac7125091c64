#include "bench/local_store_cluster.hpp"

#include "bench/bench_certs.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace craton::bench {
namespace {

constexpr std::size_t kReplicasMax = 7;
constexpr std::chrono::milliseconds kStopWait{5000};

// A port the kernel considers free right now. Another process may take it before the replica
// binds; the replica then fails to start and the benchmark reports it.
Result<std::uint16_t> free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Error{"io", "socket() failed"};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) return Error{"io", "cannot find a free loopback port"};
  return std::uint16_t(ntohs(addr.sin_port));
}

bool wait_exit(pid_t pid, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<LocalStoreCluster>> LocalStoreCluster::start(
    LocalStoreClusterOptions options) {
  if (options.replicas == 0 || options.replicas > kReplicasMax)
    return Error{"bad_flag", "replicas must be in 1..7"};
  std::string pattern = options.parent_dir + "/craton-bench.XXXXXX";
  if (!::mkdtemp(pattern.data()))
    return Error{"io", "cannot create a temp directory under " + options.parent_dir};
  std::unique_ptr<LocalStoreCluster> cluster(new LocalStoreCluster);
  cluster->dir_ = pattern;
  cluster->keep_dir_ = options.keep_dir;
  for (std::size_t id = 1; id <= options.replicas; ++id) {
    auto port = free_loopback_port();
    if (!port) return port.error();
    if (id > 1) cluster->endpoints_ += ",";
    cluster->endpoints_ += std::to_string(id) + "=127.0.0.1:" + std::to_string(*port);
    if (options.servers) {
      auto http = free_loopback_port();
      if (!http) return http.error();
      cluster->http_ports_.push_back(*http);
    }
  }
  auto& security = options.security;
  if (security.certs_dir.empty() && !security.insecure_loopback) {
    std::vector<std::string> names{"admin"};
    for (std::size_t id = 1; id <= options.replicas; ++id)
      names.push_back("store-" + std::to_string(id));
    auto pki = make_throwaway_certs(cluster->dir_, names);
    if (!pki) return pki.error();
    security.certs_dir = *pki;
  }
  cluster->client_security_ = security;
  cluster->client_security_.cert_name = security.insecure_loopback ? "" : "admin";
  for (std::size_t id = 1; id <= options.replicas; ++id)
    if (auto s = cluster->spawn_replica(options, id); !s) return s.error();
  return cluster;
}

Status LocalStoreCluster::spawn_replica(const LocalStoreClusterOptions& options, std::size_t id) {
  auto log = dir_ + "/r" + std::to_string(id) + ".log";
  std::vector<std::string> args{options.binary, options.servers ? "server" : "store",
                                "--id",         std::to_string(id),
                                "--peers",      endpoints_,
                                "--data",       dir_ + "/d" + std::to_string(id),
                                "--tick-ms",    std::to_string(options.tick_ms)};
  if (options.servers) {
    args.push_back("--http");
    args.push_back("127.0.0.1:" + std::to_string(http_ports_[id - 1]));
    args.insert(args.end(), options.server_args.begin(), options.server_args.end());
  }
  if (options.security.insecure_loopback) {
    args.push_back("--insecure-loopback");
  } else {
    args.push_back("--certs");
    args.push_back(options.security.certs_dir);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, options.binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    return Error{"io", "cannot start " + options.binary + " for replica " + std::to_string(id)};
  pids_.push_back(pid);
  return Ok{};
}

std::uint64_t LocalStoreCluster::rss_bytes(std::size_t index) const {
  if (index >= pids_.size()) return 0;
  std::ifstream status("/proc/" + std::to_string(pids_[index]) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  return 0;
}

double LocalStoreCluster::cpu_seconds(std::size_t index) const {
  if (index >= pids_.size()) return 0;
  std::ifstream stat("/proc/" + std::to_string(pids_[index]) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return 0;
  // Fields after the command (which may hold spaces, hence the last ')'): state is field 3,
  // utime and stime are fields 14 and 15, in clock ticks.
  auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i >= 14) ticks += std::strtod(field.c_str(), nullptr);
  return ticks / double(::sysconf(_SC_CLK_TCK));
}

std::uint64_t LocalStoreCluster::data_bytes(std::size_t index) const {
  std::error_code ec;
  std::uint64_t total = 0;
  auto dir = dir_ + "/d" + std::to_string(index + 1);
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (struct stat st; it->is_regular_file(ec) && ::stat(it->path().c_str(), &st) == 0)
      total += std::uint64_t(st.st_blocks) * 512;  // allocated, not apparent: LMDB files are sparse
  return total;
}

void LocalStoreCluster::stop() {
  for (auto pid : pids_) ::kill(pid, SIGTERM);
  for (auto pid : pids_)
    if (!wait_exit(pid, kStopWait)) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  pids_.clear();
  if (!keep_dir_ && !dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  dir_.clear();
}

LocalStoreCluster::~LocalStoreCluster() {
  stop();
}

}  // namespace craton::bench
