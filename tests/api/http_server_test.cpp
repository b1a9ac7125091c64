// HttpServer (actors/api/http/) over real sockets: discovery answered, errors as Kubernetes
// Status objects, and the bounds: oversized bodies and headers, malformed requests, a
// slowloris client, the connection cap, keep-alive. Then the real kubectl (if on PATH) reads
// the discovery documents: `kubectl api-resources` and `kubectl version`.
#define BOOST_TEST_MODULE api_http_server
#include <boost/test/unit_test.hpp>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <thread>

#include "actors/api/http/discovery_routes.hpp"
#include "actors/api/http/http_server.hpp"

using namespace craton;
using namespace craton::api;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

std::unique_ptr<HttpServer> serve(HttpServerOptions options = {}) {
  auto s = HttpServer::start(
      {asio::ip::make_address("127.0.0.1"), 0}, options,
      [](HttpRequest r, std::shared_ptr<Exchange> ex) {
        if (auto d = discovery_response(r)) return ex->respond(*d);
        if (r.path == "/echo")
          return ex->respond({200, "text/plain", r.method + " " + r.body + " q=" + r.query["q"]});
        ex->respond(status_response(404, "NotFound", "no " + r.path));
      });
  BOOST_REQUIRE_MESSAGE(s.ok(), (s ? "" : s.error().message));
  return std::move(*s);
}

// Sends `raw`, returns everything the server sends until it closes (or `wait` passes).
std::string exchange(std::uint16_t port, const std::string& raw,
                     std::chrono::milliseconds wait = 3s) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  boost::system::error_code ec;
  asio::write(s, asio::buffer(raw), ec);
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + wait;
  s.non_blocking(true);
  std::array<char, 65536> buf;
  while (std::chrono::steady_clock::now() < deadline) {
    auto n = s.read_some(asio::buffer(buf), ec);
    if (ec == asio::error::would_block) {
      std::this_thread::sleep_for(5ms);
      continue;
    }
    if (ec) break;  // closed
    out.append(buf.data(), n);
  }
  return out;
}

nlohmann::json body_json(const std::string& response) {
  auto at = response.find("\r\n\r\n");
  BOOST_REQUIRE(at != std::string::npos);
  return nlohmann::json::parse(response.substr(at + 4));
}

std::string run(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  while (auto n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(discovery_and_errors_in_kubernetes_shapes) {
  auto s = serve();
  auto v = exchange(s->port(), "GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  BOOST_TEST(v.rfind("HTTP/1.1 200", 0) == 0);
  BOOST_TEST(body_json(v)["major"] == "1");
  auto core = body_json(
      exchange(s->port(), "GET /api/v1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  BOOST_TEST(core["kind"] == "APIResourceList");
  bool pods = false, binding = false;
  for (auto& r : core["resources"]) {
    pods = pods || (r["name"] == "pods" && r["kind"] == "Pod" && r["namespaced"] == true);
    binding = binding || r["name"] == "pods/binding";
  }
  BOOST_TEST(pods);
  BOOST_TEST(binding);
  auto apps = body_json(
      exchange(s->port(), "GET /apis/apps/v1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  BOOST_TEST(apps["groupVersion"] == "apps/v1");
  auto missing = exchange(s->port(), "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  BOOST_TEST(missing.rfind("HTTP/1.1 404", 0) == 0);
  auto status = body_json(missing);
  BOOST_TEST(status["kind"] == "Status");
  BOOST_TEST(status["reason"] == "NotFound");
  BOOST_TEST(status["code"] == 404);
  // Keep-alive: two requests, one connection; the query is decoded.
  auto two = exchange(s->port(),
                      "POST /echo?q=a%20b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
                      "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  BOOST_TEST(two.find("POST hi q=a b") != std::string::npos);
  BOOST_TEST(two.find("\r\n\r\nok") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(oversized_malformed_and_slow_requests_are_refused) {
  HttpServerOptions o;
  o.header_timeout = 300ms;
  o.body_timeout = 300ms;
  auto s = serve(o);
  auto big =
      exchange(s->port(), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4194304\r\n\r\n");
  BOOST_TEST(big.rfind("HTTP/1.1 413", 0) == 0);
  BOOST_TEST(body_json(big)["reason"] == "RequestEntityTooLarge");
  auto header = exchange(s->port(), "GET / HTTP/1.1\r\nX: " + std::string(70000, 'a') + "\r\n\r\n");
  BOOST_TEST(header.rfind("HTTP/1.1 431", 0) == 0);
  auto junk = exchange(s->port(), "NOT HTTP AT ALL\r\n\r\n");
  BOOST_TEST(junk.rfind("HTTP/1.1 400", 0) == 0);
  BOOST_TEST(body_json(junk)["reason"] == "BadRequest");
  // Slowloris: half a header, then nothing: closed after the header timeout, no answer.
  auto t0 = std::chrono::steady_clock::now();
  auto slow = exchange(s->port(), "GET /version HTTP/1.1\r\nHost:", 5s);
  BOOST_TEST(slow.empty());
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < 3s));
  // A body that never comes: closed after the body timeout.
  auto stalled =
      exchange(s->port(), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab", 5s);
  BOOST_TEST(stalled.empty());
  BOOST_TEST(s->counts().timed_out.load() >= 2u);
  BOOST_TEST(s->counts().bad_requests.load() >= 3u);
  // The server still serves.
  auto ok = exchange(s->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  BOOST_TEST(ok.rfind("HTTP/1.1 200", 0) == 0);
}

BOOST_AUTO_TEST_CASE(connections_over_the_cap_are_closed_at_once) {
  HttpServerOptions o;
  o.connections_max = 5;
  auto s = serve(o);
  asio::io_context io;
  std::vector<asio::ip::tcp::socket> held;
  for (int i = 0; i < 10; ++i) {
    held.emplace_back(io);
    held.back().connect({asio::ip::make_address("127.0.0.1"), s->port()});
  }
  for (int i = 0; i < 100 && s->counts().refused_connections.load() < 5; ++i)
    std::this_thread::sleep_for(10ms);
  BOOST_TEST(s->counts().refused_connections.load() == 5u);
  BOOST_TEST(s->open_connections() == 5u);
}

BOOST_AUTO_TEST_CASE(kubectl_reads_the_discovery_documents) {
  if (run("command -v kubectl").empty()) {
    BOOST_TEST_MESSAGE("kubectl not on PATH: skipped");
    return;
  }
  auto s = serve();
  std::string server = "--server http://127.0.0.1:" + std::to_string(s->port());
  auto resources = run("KUBECONFIG=/dev/null kubectl " + server + " api-resources");
  BOOST_TEST_MESSAGE(resources);
  for (auto line : {"pods", "deployments", "leases", "priorityclasses", "poddisruptionbudgets"})
    BOOST_TEST(resources.find(line) != std::string::npos, line);
  BOOST_TEST(resources.find("po ") != std::string::npos);  // short names
  auto version = run("KUBECONFIG=/dev/null kubectl " + server + " version -o json");
  BOOST_TEST(version.find("\"serverVersion\"") != std::string::npos, version);
  BOOST_TEST(version.find("v1.32.0-craton") != std::string::npos, version);
}

// Watches stream: chunked pieces in order, then the last chunk; a client that leaves or stops
// reading ends the stream (write() says so) instead of holding memory.
BOOST_AUTO_TEST_CASE(streams_deliver_in_order_and_end_when_the_client_cannot_keep_up) {
  HttpServerOptions o;
  o.stream_queue_bytes_max = 1 << 20;
  std::vector<std::thread> writers;
  std::mutex mutex;
  std::atomic<int> refused_after{-1};
  auto s =
      HttpServer::start({asio::ip::make_address("127.0.0.1"), 0}, o,
                        [&](HttpRequest r, std::shared_ptr<Exchange> ex) {
                          ex->start_stream(200, "application/json");
                          std::lock_guard lock(mutex);
                          if (r.path == "/three") {
                            writers.emplace_back([ex] {
                              for (int i = 1; i <= 3; ++i) {
                                ex->write("{\"type\":\"ADDED\",\"n\":" + std::to_string(i) + "}\n");
                                std::this_thread::sleep_for(20ms);
                              }
                              ex->end();
                            });
                          } else {  // /forever: 64 KiB pieces until the stream ends
                            writers.emplace_back([ex, &refused_after] {
                              for (int i = 0; i < 2000; ++i) {
                                if (!ex->write(std::string(64 * 1024, 'x'))) {
                                  refused_after = i;
                                  return;
                                }
                                std::this_thread::sleep_for(1ms);
                              }
                            });
                          }
                        });
  BOOST_REQUIRE(s.ok());
  auto port = (*s)->port();
  auto three = exchange(port, "GET /three HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_TEST(three.find("Transfer-Encoding: chunked") != std::string::npos);
  auto p1 = three.find("\"n\":1"), p2 = three.find("\"n\":2"), p3 = three.find("\"n\":3");
  BOOST_TEST((p1 != std::string::npos && p1 < p2 && p2 < p3 && p3 != std::string::npos));
  BOOST_TEST(three.find("\r\n0\r\n\r\n") != std::string::npos);  // the last chunk
  {
    // A client that connects and never reads: the server's queue fills and the stream ends.
    asio::io_context io;
    asio::ip::tcp::socket silent(io);
    silent.connect({asio::ip::make_address("127.0.0.1"), port});
    asio::write(silent, asio::buffer(std::string("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n")));
    for (int i = 0; i < 1000 && refused_after < 0; ++i) std::this_thread::sleep_for(10ms);
    BOOST_TEST(refused_after.load() > 0);
    BOOST_TEST((*s)->counts().slow_streams.load() == 1u);
  }
  {
    // A client that leaves: the writer learns it from write().
    refused_after = -1;
    asio::io_context io;
    asio::ip::tcp::socket leaving(io);
    leaving.connect({asio::ip::make_address("127.0.0.1"), port});
    asio::write(leaving, asio::buffer(std::string("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n")));
    std::array<char, 1024> some;
    leaving.read_some(asio::buffer(some));
    leaving.close();
    for (int i = 0; i < 1000 && refused_after < 0; ++i) std::this_thread::sleep_for(10ms);
    BOOST_TEST(refused_after.load() >= 0);
    BOOST_TEST((*s)->counts().slow_streams.load() == 1u);  // left, not slow
  }
  std::lock_guard lock(mutex);
  for (auto& w : writers) w.join();
}

// A body of shared pieces (what a LIST of cached objects answers) arrives as one body with
// the right Content-Length, over many gathered writes (200 pieces, one of 1 MiB), and the
// keep-alive connection then serves the next request.
BOOST_AUTO_TEST_CASE(a_body_of_shared_pieces_arrives_whole_and_the_connection_goes_on) {
  std::vector<SharedText> pieces;
  for (int i = 0; i < 200; ++i)
    pieces.push_back(std::make_shared<const std::string>(i == 100 ? std::string(1 << 20, 'x')
                                                                  : "<" + std::to_string(i) + ">"));
  HttpResponse answer{200, "application/json", "head:"};
  answer.pieces = pieces;
  std::string expected = joined_body(answer);
  BOOST_TEST(expected.size() == 5 + 10 * 3 + 90 * 4 + (1u << 20) + 99 * 5);  // <i>, <ii>, <iii>
  BOOST_TEST(expected.rfind("head:<0><1>", 0) == 0);
  BOOST_TEST(expected.substr(expected.size() - 5) == "<199>");
  auto s = HttpServer::start(
      {asio::ip::make_address("127.0.0.1"), 0}, {},
      [&answer](HttpRequest, std::shared_ptr<Exchange> ex) { ex->respond(answer); });
  BOOST_REQUIRE(s.ok());
  auto got = exchange((*s)->port(),
                      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto first_end = got.find("\r\n\r\n");
  BOOST_REQUIRE(first_end != std::string::npos);
  auto header = got.substr(0, first_end);
  BOOST_TEST(header.find("Content-Length: " + std::to_string(expected.size())) !=
             std::string::npos);
  BOOST_TEST(got.substr(first_end + 4, expected.size()) == expected);
  auto second = got.substr(first_end + 4 + expected.size());
  BOOST_REQUIRE(second.rfind("HTTP/1.1 200", 0) == 0);
  BOOST_TEST(second.substr(second.find("\r\n\r\n") + 4) == expected);
}
