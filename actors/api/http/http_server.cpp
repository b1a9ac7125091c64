// HttpServer: one Session per connection, reading a request's header and body under their own
// deadlines with Beast's parser limits, answering errors as Kubernetes Status objects.
#include "actors/api/http/http_server.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <cctype>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

namespace craton::api {

// RFC 7234's Warning header as kube-apiserver writes it: code 299, agent "-", the text quoted
// with its quotes and backslashes escaped.
std::string warning_header(const std::string& text) {
  std::string out = "299 - \"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out + "\"";
}

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding; '+' is a space in queries only. Malformed escapes stay as they are.
std::string decode(std::string_view s, bool query) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += char(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else if (query && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

void split_target(std::string_view target, HttpRequest& r) {
  auto q = target.find('?');
  r.path = decode(target.substr(0, q), false);
  if (q == std::string_view::npos) return;
  auto query = target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (!pair.empty())
      r.query[decode(pair.substr(0, eq), true)] =
          eq == std::string_view::npos ? "" : decode(pair.substr(eq + 1), true);
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::ip::tcp::socket socket, const HttpServerOptions& options,
          const HttpServer::Handler& handler, std::shared_ptr<HttpServerCounts> counts,
          std::shared_ptr<std::atomic<std::size_t>> open)
      : stream_(std::move(socket)),
        options_(options),
        handler_(handler),
        counts_(std::move(counts)),
        open_(std::move(open)) {
    ++*open_;
  }
  ~Session() { --*open_; }

  void start() { read_header(); }

  // Called by the Exchange, from any thread.
  void respond(HttpResponse response) {
    asio::post(stream_.get_executor(),
               [self = shared_from_this(), r = std::move(response)]() mutable {
                 self->write(std::move(r), self->keep_alive_);
               });
  }

  void start_stream(int status, const std::string& content_type) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), status, content_type] {
      self->write_stream_header(status, content_type);
    });
  }

  bool write_piece(std::string piece) {
    {
      std::lock_guard lock(mutex_);
      if (stream_ended_ || ending_) return false;
      if (queued_bytes_ + piece.size() > options_.stream_queue_bytes_max) {
        stream_ended_ = true;
        ++counts_->slow_streams;
        asio::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
        return false;
      }
      queued_bytes_ += piece.size();
      pieces_.push_back(std::move(piece));
    }
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->pump(); });
    return true;
  }

  void end_stream() {
    {
      std::lock_guard lock(mutex_);
      if (stream_ended_ || ending_) return;
      ending_ = true;
    }
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->pump(); });
  }

 private:
  class SessionExchange : public Exchange {
   public:
    explicit SessionExchange(std::shared_ptr<Session> s) : session_(std::move(s)) {}
    void respond(HttpResponse response) override {
      if (auto s = std::exchange(session_, nullptr)) s->respond(std::move(response));
    }
    void start_stream(int status, const std::string& content_type) override {
      if (session_) session_->start_stream(status, content_type);
    }
    bool write(std::string piece) override {
      return session_ && session_->write_piece(std::move(piece));
    }
    void end() override {
      if (auto s = std::exchange(session_, nullptr)) s->end_stream();
    }

   private:
    std::shared_ptr<Session> session_;
  };

  // A streamed response: the header (chunked, connection closed at the end), then pieces as
  // they are queued. A read that completes while streaming means the client left.
  void write_stream_header(int status, const std::string& content_type) {
    auto res = std::make_shared<http::response<http::empty_body>>(http::status(status), 11);
    res->set(http::field::server, "craton");
    res->set(http::field::content_type, content_type);
    res->keep_alive(false);
    res->chunked(true);
    auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*res);
    stream_.expires_never();
    watch_client();
    stream_.expires_after(options_.body_timeout);
    http::async_write_header(stream_, *sr,
                             [self = shared_from_this(), res, sr](error_code ec, std::size_t) {
                               if (ec) return self->stream_failed();
                               self->header_sent_ = true;
                               self->pump();
                             });
  }

  void watch_client() {
    stream_.async_read_some(
        asio::buffer(probe_), [self = shared_from_this()](error_code, std::size_t) {
          self->stream_failed();  // a client says nothing during a stream: it closed or reset
        });
  }

  void pump() {
    if (!header_sent_ || piece_writing_) return;
    std::string* next = nullptr;
    bool last = false;
    {
      std::lock_guard lock(mutex_);
      if (stream_ended_) return;
      if (!pieces_.empty())
        next = &pieces_.front();
      else
        last = ending_;
    }
    if (!next && !last) return;
    piece_writing_ = true;
    stream_.expires_after(options_.body_timeout);
    auto done = [self = shared_from_this(), last](error_code ec, std::size_t) {
      self->piece_writing_ = false;
      if (ec) return self->stream_failed();
      if (last) return self->close();
      {
        std::lock_guard lock(self->mutex_);
        self->queued_bytes_ -= self->pieces_.front().size();
        self->pieces_.pop_front();
      }
      self->pump();
    };
    if (last)
      asio::async_write(stream_, http::make_chunk_last(), done);
    else
      asio::async_write(stream_, http::make_chunk(asio::buffer(*next)), done);
  }

  void stream_failed() {
    {
      std::lock_guard lock(mutex_);
      stream_ended_ = true;
    }
    close();
  }

  void read_header() {
    parser_.emplace();
    parser_->header_limit(std::uint32_t(options_.header_bytes_max));
    parser_->body_limit(options_.body_bytes_max);
    stream_.expires_after(first_ ? options_.header_timeout : options_.idle_timeout);
    first_ = false;
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(error_code ec) {
    if (ec) return fail(ec);
    auto length = parser_->content_length();
    if (length && *length > options_.body_bytes_max)
      return refuse(
          413, "RequestEntityTooLarge",
          "the request body is larger than " + std::to_string(options_.body_bytes_max) + " bytes");
    stream_.expires_after(options_.body_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](error_code ec, std::size_t) { self->on_body(ec); });
  }

  void on_body(error_code ec) {
    if (ec) return fail(ec);
    stream_.expires_never();  // the handler may take its time; the response write has its own
    ++counts_->requests;
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    HttpRequest r;
    r.method = std::string(msg.method_string());
    split_target(std::string_view(msg.target().data(), msg.target().size()), r);
    r.content_type = std::string(msg[http::field::content_type]);
    r.accept = std::string(msg[http::field::accept]);
    r.if_none_match = std::string(msg[http::field::if_none_match]);
    r.body = std::move(msg.body());
    handler_(std::move(r), std::make_shared<SessionExchange>(shared_from_this()));
  }

  void fail(error_code ec) {
    if (ec == beast::error::timeout) {
      ++counts_->timed_out;
      return close();
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
      return close();
    if (ec == http::error::header_limit)
      return refuse(431, "RequestHeaderFieldsTooLarge",
                    "the request header is larger than " +
                        std::to_string(options_.header_bytes_max) + " bytes");
    if (ec == http::error::body_limit)
      return refuse(
          413, "RequestEntityTooLarge",
          "the request body is larger than " + std::to_string(options_.body_bytes_max) + " bytes");
    refuse(400, "BadRequest", "malformed HTTP request: " + ec.message());
  }

  // An error the server answers itself: counted, answered, and the connection closed.
  void refuse(int code, const std::string& reason, const std::string& message) {
    ++counts_->bad_requests;
    write(status_response(code, reason, message), false);
  }

  template <class Body>
  static void set_header(http::response<Body>& res, const HttpResponse& r, bool keep_alive) {
    res.set(http::field::server, "craton");
    if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
    if (!r.etag.empty()) res.set(http::field::etag, r.etag);
    for (const auto& w : r.warnings) res.insert(http::field::warning, warning_header(w));
    res.keep_alive(keep_alive);
  }

  void after_write(error_code ec, bool keep_alive) {
    if (ec || !keep_alive) return close();
    read_header();
  }

  void write(HttpResponse r, bool keep_alive) {
    if (!r.pieces.empty()) return write_pieces(std::move(r), keep_alive);
    auto res = std::make_shared<http::response<http::string_body>>(http::status(r.status), 11);
    set_header(*res, r, keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    stream_.expires_after(options_.body_timeout);  // a client that never reads is closed
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, keep_alive](error_code ec, std::size_t) {
                        self->after_write(ec, keep_alive);
                      });
  }

  // A body of shared pieces: the header, then every piece straight from where it is held
  // (gathered writes), so a 30 MiB LIST is never copied into one buffer first.
  void write_pieces(HttpResponse r, bool keep_alive) {
    auto held = std::make_shared<HttpResponse>(std::move(r));
    auto buffers = std::make_shared<std::vector<asio::const_buffer>>();
    buffers->reserve(held->pieces.size() + 1);
    std::size_t length = held->body.size();
    buffers->push_back(asio::buffer(held->body));
    for (const auto& piece : held->pieces) {
      length += piece->size();
      buffers->push_back(asio::buffer(*piece));
    }
    auto res = std::make_shared<http::response<http::empty_body>>(http::status(held->status), 11);
    set_header(*res, *held, keep_alive);
    res->content_length(length);
    auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*res);
    stream_.expires_after(options_.body_timeout);  // a client that never reads is closed
    http::async_write_header(stream_, *sr,
                             [self = shared_from_this(), res, sr, held, buffers, keep_alive](
                                 error_code ec, std::size_t) {
                               if (ec) return self->close();
                               asio::async_write(
                                   self->stream_, *buffers,
                                   [self, held, buffers, keep_alive](error_code ec, std::size_t) {
                                     self->after_write(ec, keep_alive);
                                   });
                             });
  }

  void close() {
    error_code ec;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  const HttpServerOptions& options_;
  const HttpServer::Handler& handler_;
  std::shared_ptr<HttpServerCounts> counts_;
  std::shared_ptr<std::atomic<std::size_t>> open_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool first_ = true;
  bool keep_alive_ = true;
  // Streaming: pieces_, queued_bytes_ and the two flags are shared with writers (mutex_);
  // the rest is the io thread's.
  std::mutex mutex_;
  std::deque<std::string> pieces_;
  std::size_t queued_bytes_ = 0;
  bool stream_ended_ = false;  ///< the client left or fell behind: refuse more
  bool ending_ = false;        ///< end() was called: the last chunk after the queue
  bool header_sent_ = false;
  bool piece_writing_ = false;
  std::array<char, 512> probe_{};
};

}  // namespace

std::string joined_body(const HttpResponse& response) {
  std::size_t length = response.body.size();
  for (const auto& piece : response.pieces) length += piece->size();
  std::string out;
  out.reserve(length);
  out += response.body;
  for (const auto& piece : response.pieces) out += *piece;
  return out;
}

std::string percent_encoded(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

HttpResponse status_response(int code, const std::string& reason, const std::string& message) {
  nlohmann::json status{
      {"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", nlohmann::json::object()},
      {"status", "Failure"}, {"message", message}, {"reason", reason},
      {"code", code}};
  return HttpResponse{code, "application/json", status.dump()};
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(const asio::ip::tcp::endpoint& at,
                                                      HttpServerOptions options, Handler handler) {
  std::unique_ptr<HttpServer> s(new HttpServer);
  s->options_ = options;
  s->handler_ = std::move(handler);
  s->acceptor_ = std::make_unique<asio::ip::tcp::acceptor>(s->io_);
  error_code ec;
  s->acceptor_->open(at.protocol(), ec);
  if (!ec) s->acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s->acceptor_->bind(at, ec);
  if (!ec) s->acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Error{"unavailable", "cannot listen on " + at.address().to_string() + ":" +
                                    std::to_string(at.port()) + ": " + ec.message()};
  s->port_ = s->acceptor_->local_endpoint().port();
  s->accept_next();
  s->thread_ = std::thread([io = &s->io_] { io->run(); });
  return s;
}

void HttpServer::accept_next() {
  acceptor_->async_accept([this](error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
    if (!ec) {
      if (open_->load() >= options_.connections_max) {
        ++counts_->refused_connections;
        socket.close(ec);
      } else {
        // No Nagle, as Go's net/http (kube-apiserver) has it: a response's last partial
        // segment, and a watch event written after another, would otherwise wait for the
        // client's (possibly delayed) ACK.
        socket.set_option(asio::ip::tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(socket), options_, handler_, counts_, open_)->start();
      }
    }
    accept_next();
  });
}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  asio::post(io_, [this] {
    error_code ec;
    acceptor_->close(ec);
    io_.stop();
  });
  if (thread_.joinable()) thread_.join();
}

}  // namespace craton::api
