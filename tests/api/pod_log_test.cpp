// pods/<name>/log: the API service's checks and its choice of agent and container (kube's
// LogLocation), and the host's proxy relaying a real HTTP agent's answer: a streamed log, a
// refusal passed on as the agent said it, an unreachable agent, and the bound on relays.
#define BOOST_TEST_MODULE api_pod_log
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <thread>

#include "actors/api/host/pod_log_proxy.hpp"
#include "tests/api/api_fixture.hpp"

using namespace craton;
using namespace craton::api;
using namespace craton::api::testing;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

void add_node(Fixture& f, const std::string& name, int port) {
  json status = {{"addresses",
                  {{{"type", "Hostname"}, {"address", name}},
                   {{"type", "InternalIP"}, {"address", "10.0.0.7"}}}}};
  if (port) status["daemonEndpoints"] = {{"kubeletEndpoint", {{"Port", port}}}};
  json node = {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}}}};
  BOOST_REQUIRE_EQUAL(f.call("POST", "/api/v1/nodes", node.dump()).status, 201);
  json patch = {{"status", status}};
  BOOST_REQUIRE_EQUAL(f.call("PATCH", "/api/v1/nodes/" + name + "/status", patch.dump(),
                             "application/merge-patch+json")
                          .status,
                      200);
}

void add_pod(Fixture& f, const std::string& name, const std::string& node,
             std::vector<std::string> containers, std::vector<std::string> init = {}) {
  json spec = {{"containers", json::array()}};
  for (const auto& c : containers)
    spec["containers"].push_back({{"name", c}, {"image", "busybox"}});
  for (const auto& c : init) spec["initContainers"].push_back({{"name", c}, {"image", "busybox"}});
  if (!node.empty()) spec["nodeName"] = node;
  json pod = {
      {"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", name}}}, {"spec", spec}};
  BOOST_REQUIRE_EQUAL(f.call("POST", "/api/v1/namespaces/default/pods", pod.dump()).status, 201);
}

std::string message(const HttpResponse& r) {
  return body(r).value("message", "");
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_service_picks_the_agent_and_the_container_as_kube_does) {
  Fixture f;
  std::vector<PodLogTarget> relayed;
  f.pod_log = [&](PodLogTarget target, std::shared_ptr<Exchange> exchange) {
    relayed.push_back(target);
    exchange->respond(HttpResponse{200, "text/plain", "relayed"});
  };
  add_node(f, "n1", 10250);
  add_node(f, "n2", 0);  // reports no agent port
  add_pod(f, "one", "n1", {"app"});
  add_pod(f, "two", "n1", {"a", "b"}, {"setup"});
  add_pod(f, "pending", "", {"app"});
  add_pod(f, "elsewhere", "n2", {"app"});
  add_pod(f, "lost", "n9", {"app"});

  auto only = f.call("GET", "/api/v1/namespaces/default/pods/one/log?follow=true&tailLines=10");
  BOOST_TEST(only.status == 200);
  BOOST_TEST(only.body == "relayed");
  BOOST_REQUIRE(relayed.size() == 1u);
  BOOST_TEST(relayed[0].host == "10.0.0.7");  // InternalIP, not the Hostname
  BOOST_TEST(relayed[0].port == 10250);
  BOOST_TEST(relayed[0].target == "/containerLogs/default/one/app?follow=true&tailLines=10");

  f.call("GET",
         "/api/v1/namespaces/default/pods/two/log?container=setup&sinceTime=2026-12-05T07:00:00Z");
  BOOST_TEST(relayed.back().target ==
             "/containerLogs/default/two/setup?sinceTime=2026-12-05T07%3A00%3A00Z");

  // kubectl --request-timeout adds `timeout`: accepted, as kube-apiserver does, not relayed.
  f.call("GET", "/api/v1/namespaces/default/pods/one/log?timeout=10s&tailLines=1");
  BOOST_TEST(relayed.back().target == "/containerLogs/default/one/app?tailLines=1");

  auto which = f.call("GET", "/api/v1/namespaces/default/pods/two/log");
  BOOST_TEST(which.status == 400);
  BOOST_TEST(message(which) ==
             "a container name must be specified for pod two, choose one of: [a b] or one of "
             "the init containers: [setup]");
  auto invalid = f.call("GET", "/api/v1/namespaces/default/pods/two/log?container=c");
  BOOST_TEST(invalid.status == 400);
  BOOST_TEST(message(invalid) == "container c is not valid for pod two");
  auto pending = f.call("GET", "/api/v1/namespaces/default/pods/pending/log");
  BOOST_TEST(pending.status == 400);
  BOOST_TEST(message(pending) == "pod pending does not have a host assigned");
  BOOST_TEST(f.call("GET", "/api/v1/namespaces/default/pods/elsewhere/log").status == 503);
  BOOST_TEST(f.call("GET", "/api/v1/namespaces/default/pods/lost/log").status == 503);
  BOOST_TEST(f.call("GET", "/api/v1/namespaces/default/pods/nope/log").status == 404);
  BOOST_TEST(f.call("GET", "/api/v1/namespaces/default/pods/one/log?bogus=1").status == 400);
  BOOST_TEST(f.call("POST", "/api/v1/namespaces/default/pods/one/log", "{}").status == 405);
  BOOST_TEST(relayed.size() == 3u);  // nothing refused reached an agent
}

namespace {

// An agent on loopback: answers /containerLogs/default/web/app with a stream of three pieces,
// anything else with the kubelet's 400.
struct FakeAgent {
  std::unique_ptr<HttpServer> server;
  std::atomic<int> requests{0};
  std::mutex mutex;
  std::vector<std::thread> streams;  // joined before the server goes
  ~FakeAgent() {
    std::lock_guard lock(mutex);
    for (auto& t : streams) t.join();
  }
  FakeAgent() {
    auto started = HttpServer::start(
        {asio::ip::make_address("127.0.0.1"), 0}, {},
        [this](HttpRequest request, std::shared_ptr<Exchange> exchange) {
          ++requests;
          if (request.path != "/containerLogs/default/web/app")
            return exchange->respond(status_response(
                400, "BadRequest", "container \"x\" in pod \"web\" is waiting to start"));
          std::lock_guard lock(mutex);
          streams.emplace_back([exchange, hold = request.query.count("hold")] {
            exchange->start_stream(200, "text/plain");
            for (auto piece : {"one\n", "two\n", "three\n"}) {
              exchange->write(piece);
              std::this_thread::sleep_for(hold ? 1000ms : 20ms);
            }
            exchange->end();
          });
        });
    BOOST_REQUIRE(started.ok());
    server = std::move(*started);
  }
};

struct Collector final : Exchange {
  std::mutex mutex;
  std::optional<HttpResponse> response;
  bool streaming = false, ended = false;
  std::string streamed;
  void respond(HttpResponse r) override {
    std::lock_guard lock(mutex);
    response = std::move(r);
  }
  void start_stream(int, const std::string&) override { streaming = true; }
  bool write(std::string piece) override {
    std::lock_guard lock(mutex);
    streamed += piece;
    return true;
  }
  void end() override {
    std::lock_guard lock(mutex);
    ended = true;
  }
  bool finished() {
    std::lock_guard lock(mutex);
    return ended || response.has_value();
  }
};

bool wait_for(const std::function<bool()>& condition) {
  for (int i = 0; i < 3000 && !condition(); ++i) std::this_thread::sleep_for(10ms);
  return condition();
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_proxy_relays_streams_and_refusals_from_a_real_agent) {
  FakeAgent agent;
  PodLogProxy proxy;
  auto log = std::make_shared<Collector>();
  proxy.relay({"127.0.0.1", agent.server->port(), "/containerLogs/default/web/app"}, log);
  BOOST_REQUIRE(wait_for([&] { return log->finished(); }));
  BOOST_TEST(log->streaming);
  BOOST_TEST(log->streamed == "one\ntwo\nthree\n");

  auto refused = std::make_shared<Collector>();
  proxy.relay({"127.0.0.1", agent.server->port(), "/containerLogs/default/web/x"}, refused);
  BOOST_REQUIRE(wait_for([&] { return refused->finished(); }));
  BOOST_REQUIRE(refused->response.has_value());
  BOOST_TEST(refused->response->status == 400);
  BOOST_TEST(body(*refused->response)["message"] ==
             "container \"x\" in pod \"web\" is waiting to start");

  // Nobody listens on a port just released.
  std::uint16_t closed;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    closed = a.local_endpoint().port();
  }
  auto unreachable = std::make_shared<Collector>();
  proxy.relay({"127.0.0.1", closed, "/containerLogs/default/web/app"}, unreachable);
  BOOST_REQUIRE(wait_for([&] { return unreachable->finished(); }));
  BOOST_TEST(unreachable->response->status == 503);
  BOOST_TEST(body(*unreachable->response)["message"].get<std::string>().find(
                 "cannot reach the node agent at 127.0.0.1:") == 0);
}

BOOST_AUTO_TEST_CASE(relays_beyond_the_bound_are_refused_and_stop_ends_the_rest) {
  FakeAgent agent;
  PodLogProxyOptions options;
  options.threads_max = 1;
  PodLogProxy proxy(options);
  auto held = std::make_shared<Collector>();
  proxy.relay({"127.0.0.1", agent.server->port(), "/containerLogs/default/web/app?hold=1"}, held);
  BOOST_REQUIRE(wait_for([&] { return agent.requests == 1; }));
  auto second = std::make_shared<Collector>();
  proxy.relay({"127.0.0.1", agent.server->port(), "/containerLogs/default/web/app"}, second);
  BOOST_REQUIRE(second->response.has_value());  // answered at once, not queued
  BOOST_TEST(second->response->status == 429);
  proxy.stop();  // returns although the agent has more to say
  BOOST_TEST(held->ended);
  BOOST_TEST(held->streamed.size() < std::string("one\ntwo\nthree\n").size());
}
