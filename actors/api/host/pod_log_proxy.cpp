#include "actors/api/host/pod_log_proxy.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <limits>

namespace craton::api {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

// Runs the relay's own io_context until `done`, `limit` has passed or the proxy stops (checked
// every 200 ms, so stop() never waits on a silent agent). True when `done`.
bool run_until(asio::io_context& io, const bool& done, std::chrono::milliseconds limit,
               const std::atomic<bool>& stopping) {
  auto deadline = Clock::now() + limit;
  while (!done && !stopping && Clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(200));
  }
  return done;
}

}  // namespace

void PodLogProxy::relay(PodLogTarget target, std::shared_ptr<Exchange> exchange) {
  bool started = !stopping_ && threads_.try_run([this, target = std::move(target), exchange] {
    run(target, *exchange);
  });
  if (!started)
    exchange->respond(status_response(429, "TooManyRequests",
                                      "the API server relays at most " +
                                          std::to_string(options_.threads_max) +
                                          " log streams at once"));
}

void PodLogProxy::stop() {
  stopping_ = true;
  threads_.close();
}

void PodLogProxy::run(const PodLogTarget& target, Exchange& exchange) {
  const std::string agent = target.host + ":" + std::to_string(target.port);
  auto unreachable = [&](const std::string& why) {
    exchange.respond(status_response(503, "ServiceUnavailable",
                                     "cannot reach the node agent at " + agent + ": " + why));
  };
  boost::system::error_code parsed;
  auto address = asio::ip::make_address(target.host, parsed);
  if (parsed) return unreachable("'" + target.host + "' is not an IP address");

  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  bool done = false;
  socket.async_connect({address, target.port}, [&](boost::system::error_code e) {
    ec = e;
    done = true;
  });
  if (!run_until(io, done, options_.connect_timeout, stopping_))
    return unreachable("no connection within " + std::to_string(options_.connect_timeout.count()) +
                       " ms");
  if (ec) return unreachable(ec.message());

  http::request<http::empty_body> request{http::verb::get, target.target, 11};
  request.set(http::field::host, agent);
  done = false;
  http::async_write(socket, request, [&](boost::system::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  if (!run_until(io, done, options_.answer_timeout, stopping_) || ec)
    return unreachable(ec ? ec.message() : "the request was not taken");

  boost::beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  // A log is as long as it is (pieces are bounded below). Not boost::none: Boost 1.74 compares
  // a Content-Length with an empty limit as "greater" and refuses every such body.
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  done = false;
  http::async_read_header(socket, buffer, parser, [&](boost::system::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  if (!run_until(io, done, options_.answer_timeout, stopping_) || ec)
    return unreachable(ec ? ec.message() : "no answer");

  // Reads the next piece of the body into `piece`; false at the end or on an error.
  std::array<char, 64 * 1024> storage;
  auto next_piece = [&](std::string& piece, std::chrono::milliseconds limit) {
    piece.clear();
    if (parser.is_done()) return false;
    parser.get().body().data = storage.data();
    parser.get().body().size = storage.size();
    done = false;
    http::async_read(socket, buffer, parser, [&](boost::system::error_code e, std::size_t) {
      ec = e == http::error::need_buffer ? boost::system::error_code() : e;
      done = true;
    });
    if (!run_until(io, done, limit, stopping_) || ec) return false;
    piece.assign(storage.data(), storage.size() - parser.get().body().size);
    return true;
  };

  std::string piece;
  int status = int(parser.get().result_int());
  if (status != 200) {  // the agent's refusal (a Status), passed on as it said it
    std::string body;
    while (body.size() < options_.error_body_max && next_piece(piece, options_.answer_timeout))
      body += piece;
    HttpResponse response{status, std::string(parser.get()[http::field::content_type]), body};
    return exchange.respond(std::move(response));
  }
  exchange.start_stream(200, "text/plain");
  constexpr std::chrono::milliseconds no_deadline{std::chrono::hours(24 * 365)};
  while (next_piece(piece, no_deadline))
    if (!piece.empty() && !exchange.write(std::move(piece))) break;  // the client left
  exchange.end();
}

}  // namespace craton::api
