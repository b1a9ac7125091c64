// linux_driver.hpp: probe_tcp and probe_http, the kubelet's network probes over plain sockets
// with a deadline for the whole probe. HTTPS is not done yet: it reports failure.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "actors/agent/linux/linux_driver.hpp"

namespace craton::agent {
namespace {

using Clock = std::chrono::steady_clock;

/// Largest HTTP answer head read: the status line is all a probe needs.
constexpr std::size_t kProbeResponseBytesMax = 4096;

int ms_left(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<std::int64_t>(0, left.count()));
}

/// A connected non-blocking socket, or -1 when the connect failed or ran past the deadline.
int connect_before(const std::string& host, int port, Clock::time_point deadline) {
  if (port <= 0 || port > 65535) return -1;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string target = host.empty() ? "127.0.0.1" : host;
  if (::getaddrinfo(target.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int rc = fd < 0 ? -1 : ::connect(fd, found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);
  if (fd < 0) return -1;
  if (rc != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  int error = 0;
  socklen_t length = sizeof error;
  if (rc != 0 && (::poll(&p, 1, ms_left(deadline)) != 1 ||
                  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0)) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_before(int fd, const std::string& data, Clock::time_point deadline) {
  std::size_t done = 0;
  while (done < data.size()) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, ms_left(deadline)) != 1) return false;
    ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

/// The status code of the answer's first line ("HTTP/1.1 200 OK"), or 0.
int read_status_before(int fd, Clock::time_point deadline) {
  std::string head;
  char buf[1024];
  while (head.find("\r\n") == std::string::npos && head.size() < kProbeResponseBytesMax) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, ms_left(deadline)) != 1) return 0;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) break;
    head.append(buf, static_cast<std::size_t>(n));
  }
  if (head.rfind("HTTP/", 0) != 0) return 0;
  auto space = head.find(' ');
  if (space == std::string::npos || head.size() < space + 4) return 0;
  return std::atoi(head.substr(space + 1, 3).c_str());
}

}  // namespace

ProbeOutcome LinuxDriver::probe_tcp(const TcpProbe& probe) {
  auto deadline = Clock::now() + std::chrono::milliseconds(probe.timeout_ms);
  int fd = connect_before(probe.host, probe.port, deadline);
  if (fd < 0) return ProbeOutcome::failure;
  ::close(fd);
  return ProbeOutcome::success;
}

ProbeOutcome LinuxDriver::probe_http(const HttpProbe& probe) {
  if (probe.scheme != "HTTP") return ProbeOutcome::failure;
  auto deadline = Clock::now() + std::chrono::milliseconds(probe.timeout_ms);
  int fd = connect_before(probe.host, probe.port, deadline);
  if (fd < 0) return ProbeOutcome::failure;
  std::string path = probe.path.empty() || probe.path[0] != '/' ? "/" + probe.path : probe.path;
  std::string host = probe.host.empty() ? "127.0.0.1" : probe.host;
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" +
                        std::to_string(probe.port) +
                        "\r\nUser-Agent: kube-probe/1.30\r\nAccept: */*\r\nConnection: close\r\n";
  for (const auto& [name, value] : probe.headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  int status = send_before(fd, request, deadline) ? read_status_before(fd, deadline) : 0;
  ::close(fd);
  // As the kubelet: 2xx and 3xx succeed (redirects are not followed here).
  return status >= 200 && status < 400 ? ProbeOutcome::success : ProbeOutcome::failure;
}

}  // namespace craton::agent
