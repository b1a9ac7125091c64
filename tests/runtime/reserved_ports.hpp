// ReservedPorts: consecutive loopback ports for a test that binds them itself or hands them to
// child processes, including a peer that is stopped and must come back on the same port.
//
// Promises (the same rule as pick_ports in tests/store/process_lib.sh, so the shell and the
// C++ tests keep out of each other's way):
// - The ports lie below the kernel's ephemeral range (ip_local_port_range). A port the kernel
//   hands out for port 0 lies inside it, so any process's outgoing connection could take it
//   while the test's peer is down (or a reconnecting link could connect to itself).
// - They are reserved against other tests with an flock on
//   $TMPDIR/craton-test-ports/<first port>.lock for the life of this object (the kernel drops
//   the lock when the process dies, so a killed test leaves no stale reservation).
// - Each port could be bound on 127.0.0.1 when reserved (no socket in any state held it).
// A bounded number of random bases is tried; reserve() throws if none is free (test setup).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

namespace craton::testing {

class ReservedPorts {
 public:
  static constexpr int kLow = 20000;  ///< the lowest base (as PORT_LOW in process_lib.sh)
  static constexpr int kStride = 10;  ///< ports per base, the most one test may ask for
  static constexpr int kTriesMax = 50;

  /// Reserves count (1..kStride) consecutive ports; throws std::runtime_error if it cannot.
  static ReservedPorts reserve(int count) {
    if (count < 1 || count > kStride) throw std::runtime_error("ReservedPorts: bad count");
    int slots = (ephemeral_low() - kLow) / kStride;
    if (slots < 1) throw std::runtime_error("ReservedPorts: no ports below the ephemeral range");
    auto dir = lock_dir();
    std::filesystem::create_directories(dir);
    std::mt19937 rng{std::random_device{}()};  // tests only: spread processes over the range
    for (int i = 0; i < kTriesMax; ++i) {
      int base = kLow + int(rng() % unsigned(slots)) * kStride;
      int fd = ::open((dir / (std::to_string(base) + ".lock")).c_str(),
                      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd < 0) continue;
      if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && all_bindable(base, count))
        return ReservedPorts(fd, base);
      ::close(fd);
    }
    throw std::runtime_error("ReservedPorts: no free base in " + std::to_string(kTriesMax) +
                             " tries");
  }

  ReservedPorts(ReservedPorts&& o) noexcept : fd_(o.fd_), base_(o.base_) { o.fd_ = -1; }
  ReservedPorts& operator=(ReservedPorts&&) = delete;
  ReservedPorts(const ReservedPorts&) = delete;
  ~ReservedPorts() {
    if (fd_ >= 0) ::close(fd_);
  }

  /// The i-th reserved port (i < the count given to reserve()).
  std::uint16_t port(int i) const { return std::uint16_t(base_ + i); }

 private:
  ReservedPorts(int fd, int base) : fd_(fd), base_(base) {}

  static int ephemeral_low() {
    std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
    int low = 0;
    if (!(in >> low)) throw std::runtime_error("ReservedPorts: cannot read ip_local_port_range");
    return low;
  }

  static std::filesystem::path lock_dir() {
    const char* tmp = std::getenv("TMPDIR");
    return std::filesystem::path(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") /
           "craton-test-ports";
  }

  // Without SO_REUSEADDR a bind fails while any socket, TIME-WAIT included, holds the port.
  static bool all_bindable(int base, int count) {
    for (int i = 0; i < count; ++i) {
      int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (s < 0) return false;
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(std::uint16_t(base + i));
      bool ok = ::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
      ::close(s);
      if (!ok) return false;
    }
    return true;
  }

  int fd_;
  int base_;
};

}  // namespace craton::testing
