// HttpServer: the API server's HTTP/1.1 front door on Boost.Beast (issue 11), with the bounds
// a server facing kubectl and strangers needs:
// - a request's header block at most header_bytes_max (431 beyond it), its body at most
//   body_bytes_max (413: kube-apiserver's 3 MiB), read within header_timeout and
//   body_timeout (a slowloris client is closed), keep-alive connections closed after
//   idle_timeout, at most connections_max open (the rest closed at once);
// - every error the server makes itself is a Kubernetes Status object (status.hpp), so
//   kubectl prints its message.
// Requests go to the handler one at a time per connection, on the io thread; the handler
// answers through the Exchange, now or later (from any thread, while the server runs):
// respond() once, or a streamed (chunked) response for watches: start_stream(), write()
// pieces, end(). A stream ends when the client goes away or falls stream_queue_bytes_max
// behind (kube-apiserver drops slow watchers too): write() returns false from then on and
// the connection is closed.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runtime/result.hpp"

namespace craton::api {

struct HttpRequest {
  std::string method;                        ///< GET, POST, PUT, PATCH, DELETE, ...
  std::string path;                          ///< percent-decoded, without the query
  std::map<std::string, std::string> query;  ///< decoded; a repeated key keeps the last
  std::string content_type;
  std::string accept;
  std::string if_none_match;  ///< the If-None-Match header, as sent
  std::string body;
};

/// Text shared between a response and whoever else holds it (a cache), never copied.
using SharedText = std::shared_ptr<const std::string>;

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string etag = "";  ///< sent as the ETag header when set (quoted, as HTTP writes it)
  /// Each sent as a `Warning: 299 - "<text>"` header, which kubectl prints as "Warning: <text>"
  /// (kube-apiserver's warnings: unknown fields under fieldValidation=Warn, ...).
  std::vector<std::string> warnings = {};
  /// More of the body, after `body`: shared texts sent one after the other, never joined into
  /// one buffer (a LIST of 10,000 cached objects is 30 MiB of JSON the cache already holds).
  std::vector<SharedText> pieces = {};
};

/// The whole body as one string: `body`, then every piece (for callers that read the body
/// rather than send it).
std::string joined_body(const HttpResponse& response);

/// `text` with all but RFC 3986's unreserved characters percent-encoded (a query value).
std::string percent_encoded(const std::string& text);

/// `text` as the value of a Warning header (`299 - "text"`).
std::string warning_header(const std::string& text);

/// One request's answer channel; respond() once, from any thread.
class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual void respond(HttpResponse response) = 0;
  virtual void start_stream(int status, const std::string& content_type) = 0;
  /// Queues one piece of a started stream; false if the stream has ended (nothing queued).
  virtual bool write(std::string piece) = 0;
  /// Ends a started stream after what is queued.
  virtual void end() = 0;
};

struct HttpServerOptions {
  std::size_t header_bytes_max = 64 * 1024;
  std::size_t body_bytes_max = 3 * 1024 * 1024;
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{60000};
  std::chrono::milliseconds idle_timeout{60000};
  std::size_t connections_max = 4096;
  std::size_t stream_queue_bytes_max = 16 * 1024 * 1024;
};

struct HttpServerCounts {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> refused_connections{0};  ///< over connections_max
  std::atomic<std::uint64_t> timed_out{0};            ///< header, body or idle timeout
  std::atomic<std::uint64_t> bad_requests{0};         ///< malformed, too large
  std::atomic<std::uint64_t> slow_streams{0};         ///< ended: the client fell behind
};

class HttpServer {
 public:
  using Handler = std::function<void(HttpRequest, std::shared_ptr<Exchange>)>;

  /// Listens on `at` and runs its own io thread. Port 0: any (see port()).
  static Result<std::unique_ptr<HttpServer>> start(const boost::asio::ip::tcp::endpoint& at,
                                                   HttpServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const { return port_; }
  const HttpServerCounts& counts() const { return *counts_; }
  std::size_t open_connections() const { return open_->load(); }
  void stop();

 private:
  HttpServer() = default;
  void accept_next();

  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::thread thread_;
  HttpServerOptions options_;
  Handler handler_;
  std::uint16_t port_ = 0;
  std::shared_ptr<HttpServerCounts> counts_ = std::make_shared<HttpServerCounts>();
  std::shared_ptr<std::atomic<std::size_t>> open_ = std::make_shared<std::atomic<std::size_t>>(0);
  bool stopped_ = false;
};

/// A Kubernetes Status object (kind Status, apiVersion v1, status Failure) as JSON:
/// `reason` is Kubernetes' (NotFound, RequestEntityTooLarge, BadRequest, ...).
HttpResponse status_response(int code, const std::string& reason, const std::string& message);

}  // namespace craton::api
