// HttpClient: one keep-alive HTTP/1.1 connection to a loopback port, as the benchmarks' clients
// use it (blocking, one request at a time: each client runs on a thread of its own).
// Benchmark code only.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdint>
#include <string>

namespace craton::bench {

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port);
  /// The status code, and the body in `out` if given, read into `out`'s own storage (-1: a
  /// transport error).
  int call(boost::beast::http::verb verb, const std::string& target, const std::string& body,
           const std::string& content_type, std::string* out = nullptr);

 private:
  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace craton::bench
