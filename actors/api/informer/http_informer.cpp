// HttpInformer: process code. The LIST and WATCH requests over Boost.Beast, the thread, stop().
#include "actors/api/informer/http_informer.hpp"

#include "actors/api/http/http_server.hpp"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "actors/api/informer/informer_json.hpp"

namespace craton::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// One keep-alive connection to the API server; reopened after any failure.
struct HttpInformer::Connection {
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
};

HttpInformer::HttpInformer(HttpInformerOptions options) : options_(std::move(options)) {
  CRATON_ASSERT(!options_.resource_path.empty() && options_.resource_path[0] == '/',
                "a resource path must start with '/'");
  CRATON_ASSERT(options_.schema != capnp::StructSchema(), "an informer without a schema");
  CRATON_ASSERT(options_.list_page_items >= 1, "a list page of no items");
}

HttpInformer::~HttpInformer() {
  stop();
}

Informer& HttpInformer::informer() {
  CRATON_ASSERT(!thread_.joinable(), "the informer is configured before start()");
  return informer_;
}

void HttpInformer::start() {
  CRATON_ASSERT(!thread_.joinable() && !stopping_, "an informer starts once");
  thread_ = std::thread([this] { run(); });
}

void HttpInformer::stop() {
  stopping_ = true;
  {
    std::lock_guard lock(mutex_);
    synced_or_stopped_.notify_all();
  }
  {
    std::lock_guard lock(socket_mutex_);
    if (open_socket_ >= 0) ::shutdown(open_socket_, SHUT_RDWR);
  }
  if (thread_.joinable()) thread_.join();
}

bool HttpInformer::wait_synced(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  synced_or_stopped_.wait_for(lock, timeout, [&] { return informer_.synced() || stopping_; });
  return informer_.synced();
}

void HttpInformer::read(const std::function<void(const Informer&)>& reader) const {
  std::lock_guard lock(mutex_);
  reader(informer_);
}

void HttpInformer::log(const std::string& line) const {
  if (options_.log) options_.log("informer " + options_.resource_path + ": " + line);
}

bool HttpInformer::sleep_ms(std::int64_t delay_ms) {
  std::unique_lock lock(mutex_);
  synced_or_stopped_.wait_for(lock, std::chrono::milliseconds(delay_ms),
                              [&] { return stopping_.load(); });
  return !stopping_;
}

void HttpInformer::run() {
  Connection connection;
  NextStep next = informer_.first_step();
  while (!stopping_ && sleep_ms(next.delay_ms)) {
    if (next.action == NextStep::Action::list) {
      bool listed = list(connection);
      std::lock_guard lock(mutex_);
      next = listed ? NextStep{NextStep::Action::watch, informer_.resource_version(), 0}
                    : informer_.after_list_failure();
      if (listed) synced_or_stopped_.notify_all();
    } else {
      WatchEnd end = watch(connection, next.from_resource_version);
      if (stopping_) break;
      std::lock_guard lock(mutex_);
      next = informer_.after_watch(end);
      if (next.action == NextStep::Action::list)
        log(end == WatchEnd::expired ? "revision too old (410): listing again"
                                     : "undecodable watch stream: listing again");
    }
  }
  close(connection);
}

namespace {

// Opens the connection if closed. False (logged by the caller) when it cannot be.
bool open(std::optional<beast::tcp_stream>& stream, asio::io_context& io, const std::string& host,
          std::uint16_t port, beast::error_code& ec) {
  if (stream) return true;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return false;
  stream.emplace(io);
  stream->socket().connect(asio::ip::tcp::endpoint(address, port), ec);
  if (ec) stream.reset();
  return !ec;
}

http::request<http::empty_body> get_request(const std::string& host, const std::string& target) {
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, host);
  request.set(http::field::accept, "application/json");
  request.keep_alive(true);
  return request;
}

}  // namespace

// Sends GET `target` on the connection, opening it first (registered for stop() to cut off).
beast::error_code HttpInformer::send_get(Connection& connection, const std::string& target) {
  beast::error_code ec;
  bool was_open = connection.stream.has_value();
  if (!open(connection.stream, connection.io, options_.host, options_.port, ec)) return ec;
  if (!was_open) {
    std::lock_guard socket_lock(socket_mutex_);
    open_socket_ = connection.stream->socket().native_handle();
    if (stopping_) ::shutdown(open_socket_, SHUT_RDWR);
  }
  http::write(*connection.stream, get_request(options_.host, target), ec);
  return ec;
}

void HttpInformer::close(Connection& connection) {
  std::lock_guard socket_lock(socket_mutex_);
  open_socket_ = -1;
  connection.stream.reset();
  connection.buffer.clear();
}

bool HttpInformer::list(Connection& connection) {
  std::vector<InformerObject> items;
  std::uint64_t resource_version = 0;
  std::string token;
  do {
    std::string target = options_.resource_path +
                         "?limit=" + std::to_string(options_.list_page_items) +
                         (token.empty() ? "" : "&continue=" + percent_encoded(token));
    beast::error_code ec = send_get(connection, target);
    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.list_page_bytes_max);
    if (!ec) http::read(*connection.stream, connection.buffer, parser, ec);
    if (ec) {
      if (!stopping_) log("list failed: " + ec.message());
      close(connection);
      return false;
    }
    if (!parser.keep_alive()) close(connection);
    auto& response = parser.get();
    if (response.result() != http::status::ok) {
      log("list answered " + std::to_string(response.result_int()) + ": " + response.body());
      return false;  // 410 on a continue token included: the next list starts afresh
    }
    auto page = decode_list_page(codec_, response.body(), options_.schema);
    if (!page) {
      log("list page refused: " + page.error().message);
      return false;
    }
    resource_version = page->resource_version;
    token = page->continue_token;
    for (auto& item : page->items) items.push_back(std::move(item));
  } while (!token.empty() && !stopping_);
  if (stopping_) return false;
  std::lock_guard lock(mutex_);
  informer_.on_list(resource_version, items);
  log("listed " + std::to_string(items.size()) + " at revision " +
      std::to_string(resource_version));
  return true;
}

WatchEnd HttpInformer::watch(Connection& connection, std::uint64_t from_resource_version) {
  std::string target =
      options_.resource_path +
      "?watch=1&allowWatchBookmarks=true&resourceVersion=" + std::to_string(from_resource_version) +
      "&timeoutSeconds=" + std::to_string(options_.watch_timeout_s);
  beast::error_code ec = send_get(connection, target);
  http::response_parser<http::empty_body> parser;
  parser.body_limit(boost::none);  // a stream: each line is bounded instead
  if (!ec) http::read_header(*connection.stream, connection.buffer, parser, ec);
  std::optional<WatchEnd> end;
  if (ec) {
    end = WatchEnd::transport_error;
  } else if (parser.get().result_int() == 410) {
    end = WatchEnd::expired;
  } else if (parser.get().result() != http::status::ok) {
    log("watch answered " + std::to_string(parser.get().result_int()));
    end = WatchEnd::server_error;
  }
  std::string pending;
  auto on_line = [&](std::string_view line) {
    auto event = decode_watch_event(codec_, line, options_.schema);
    if (!event) {
      log("watch event refused: " + event.error().message);
      return std::optional<WatchEnd>(WatchEnd::decode_error);
    }
    std::lock_guard lock(mutex_);
    return informer_.on_watch_event(*event);
  };
  auto on_chunk = [&](std::uint64_t, beast::string_view body, beast::error_code& chunk_ec) {
    pending.append(body.data(), body.size());
    std::size_t eol;
    while (!end && (eol = pending.find('\n')) != std::string::npos) {
      if (eol > 0) end = on_line(std::string_view(pending).substr(0, eol));
      pending.erase(0, eol + 1);
    }
    if (!end && pending.size() > options_.watch_line_bytes_max) end = WatchEnd::decode_error;
    if (end) chunk_ec = http::error::body_limit;  // stop reading: this stream is over
    return body.size();
  };
  parser.on_chunk_body(on_chunk);
  while (!end && !stopping_ && !parser.is_done()) {
    http::read_some(*connection.stream, connection.buffer, parser, ec);
    if (ec && !end) end = WatchEnd::transport_error;
  }
  // A watch's connection is not reused: it may end in the middle of a stream.
  close(connection);
  if (end == WatchEnd::transport_error && !stopping_) log("watch failed: " + ec.message());
  return end.value_or(WatchEnd::closed);
}

}  // namespace craton::api
