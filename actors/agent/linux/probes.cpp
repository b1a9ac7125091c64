// linux_driver.hpp: probe_tcp and probe_http, the kubelet's network probes over plain sockets
// with a deadline for the whole probe; HTTPS through OpenSSL without verifying the server's
// certificate, as the kubelet does.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/ssl.h>
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

/// A probe's connection: a plain socket, or TLS over it.
struct ProbeConnection {
  int fd = -1;
  SSL_CTX* context = nullptr;
  SSL* tls = nullptr;
  ~ProbeConnection() {
    if (tls) SSL_free(tls);
    if (context) SSL_CTX_free(context);
    if (fd >= 0) ::close(fd);
  }
};

/// Waits for what OpenSSL (or a plain socket: `events`) asks for; false past the deadline.
bool wait_for(const ProbeConnection& c, int result, short events, Clock::time_point deadline) {
  if (c.tls) {
    int error = SSL_get_error(c.tls, result);
    if (error == SSL_ERROR_WANT_READ)
      events = POLLIN;
    else if (error == SSL_ERROR_WANT_WRITE)
      events = POLLOUT;
    else
      return false;
  } else if (errno != EAGAIN && errno != EINTR) {
    return false;
  }
  pollfd p{c.fd, events, 0};
  return ::poll(&p, 1, ms_left(deadline)) == 1;
}

bool start_tls(ProbeConnection& c, const std::string& host, Clock::time_point deadline) {
  c.context = SSL_CTX_new(TLS_client_method());
  if (!c.context) return false;
  SSL_CTX_set_verify(c.context, SSL_VERIFY_NONE, nullptr);
  c.tls = SSL_new(c.context);
  if (!c.tls || SSL_set_fd(c.tls, c.fd) != 1) return false;
  in6_addr ignored;
  if (::inet_pton(AF_INET, host.c_str(), &ignored) != 1 &&
      ::inet_pton(AF_INET6, host.c_str(), &ignored) != 1)
    SSL_set_tlsext_host_name(c.tls, host.c_str());
  while (true) {
    int rc = SSL_connect(c.tls);
    if (rc == 1) return true;
    if (!wait_for(c, rc, POLLOUT, deadline)) return false;
  }
}

bool send_before(const ProbeConnection& c, const std::string& data, Clock::time_point deadline) {
  std::size_t done = 0;
  while (done < data.size()) {
    int n =
        c.tls
            ? SSL_write(c.tls, data.data() + done, static_cast<int>(data.size() - done))
            : static_cast<int>(::send(c.fd, data.data() + done, data.size() - done, MSG_NOSIGNAL));
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (!wait_for(c, n, POLLOUT, deadline)) return false;
  }
  return true;
}

/// The status code of the answer's first line ("HTTP/1.1 200 OK"), or 0.
int read_status_before(const ProbeConnection& c, Clock::time_point deadline) {
  std::string head;
  char buf[1024];
  while (head.find("\r\n") == std::string::npos && head.size() < kProbeResponseBytesMax) {
    int n = c.tls ? SSL_read(c.tls, buf, sizeof buf)
                  : static_cast<int>(::recv(c.fd, buf, sizeof buf, 0));
    if (n > 0) {
      head.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0 && !c.tls) break;
    if (!wait_for(c, n, POLLIN, deadline)) break;
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
  if (probe.scheme != "HTTP" && probe.scheme != "HTTPS") return ProbeOutcome::failure;
  auto deadline = Clock::now() + std::chrono::milliseconds(probe.timeout_ms);
  std::string host = probe.host.empty() ? "127.0.0.1" : probe.host;
  ProbeConnection connection;
  connection.fd = connect_before(host, probe.port, deadline);
  if (connection.fd < 0) return ProbeOutcome::failure;
  if (probe.scheme == "HTTPS" && !start_tls(connection, host, deadline))
    return ProbeOutcome::failure;
  std::string path = probe.path.empty() || probe.path[0] != '/' ? "/" + probe.path : probe.path;
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" +
                        std::to_string(probe.port) +
                        "\r\nUser-Agent: kube-probe/1.30\r\nAccept: */*\r\nConnection: close\r\n";
  for (const auto& [name, value] : probe.headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  int status =
      send_before(connection, request, deadline) ? read_status_before(connection, deadline) : 0;
  // As the kubelet: 2xx and 3xx succeed (redirects are not followed here).
  return status >= 200 && status < 400 ? ProbeOutcome::success : ProbeOutcome::failure;
}

}  // namespace craton::agent
