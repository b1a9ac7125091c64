// HttpInformer (actors/api/informer/http_informer.hpp) against a real `craton server`, started
// by this suite from the binary in $CRATON on the ports informer_server_test.sh reserved:
// ConfigMaps and Pods created, changed and deleted over HTTP reach the informers' caches and
// indexes; the server is killed (SIGKILL) and restarted on the same --data, changes are made,
// and the caches end equal to the server's own list; stop() returns promptly.
#define BOOST_TEST_MODULE api_informer_server
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/test/unit_test.hpp>
#include <map>
#include <nlohmann/json.hpp>

#include "actors/api/informer/http_informer.hpp"
#include "schemas/api_meta.capnp.h"
#include "schemas/api_pod.capnp.h"

using namespace craton;
using namespace craton::api;
namespace k8s = craton::schema::k8s;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  BOOST_REQUIRE_MESSAGE(value != nullptr, std::string(name) +
                                              " is not set: run through "
                                              "informer_server_test.sh");
  return value;
}

std::uint16_t api_port() {
  return std::uint16_t(std::stoi(env("CRATON_TEST_PORT_BASE")) + 1);
}

// One request on a fresh connection: the status (-1: no connection) and the body.
std::pair<int, std::string> call(http::verb verb, const std::string& target,
                                 const std::string& body = "",
                                 const std::string& type = "application/json") {
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), api_port()));
    http::request<http::string_body> request{verb, target, 11};
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::content_type, type);
    request.body() = body;
    request.prepare_payload();
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    return {int(response.result_int()), response.body()};
  } catch (const std::exception&) {
    return {-1, ""};
  }
}

// The `craton server` child process.
class Server {
 public:
  void start() {
    std::string work = env("CRATON_TEST_WORK");
    int base = std::stoi(env("CRATON_TEST_PORT_BASE"));
    std::string craton = env("CRATON"), data = work + "/d1", log = work + "/server.log";
    std::string listen = "127.0.0.1:" + std::to_string(base);
    std::string api = "127.0.0.1:" + std::to_string(base + 1);
    pid_ = ::fork();
    BOOST_REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execl(craton.c_str(), craton.c_str(), "server", "--data", data.c_str(), "--listen",
              listen.c_str(), "--http", api.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline) {
      if (call(http::verb::get, "/readyz").first == 200 &&
          call(http::verb::get, "/api/v1/namespaces/default").first == 200)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    BOOST_FAIL("craton server never became ready (see server.log)");
  }
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  ~Server() { kill(); }

 private:
  pid_t pid_ = -1;
};

void create(const std::string& collection, const std::string& json) {
  auto [status, body] = call(http::verb::post, collection, json);
  BOOST_REQUIRE_MESSAGE(status == 201,
                        collection + " answered " + std::to_string(status) + ": " + body);
}

std::string config_map(const std::string& name, const std::string& value) {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name +
         R"("},"data":{"k":")" + value + R"("}})";
}

std::string pod(const std::string& name, const std::string& node) {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
         R"("},"spec":{"nodeName":")" + node + R"(","containers":[{"name":"c","image":"nginx"}]}})";
}

using Revisions = std::map<std::string, std::uint64_t>;  // key -> resourceVersion

// What the server lists now, as key -> resourceVersion.
Revisions server_list(const std::string& collection) {
  auto [status, body] = call(http::verb::get, collection);
  BOOST_REQUIRE(status == 200);
  Revisions out;
  auto list = nlohmann::json::parse(body);
  for (const auto& item : list["items"]) {
    const auto& meta = item["metadata"];
    std::string ns = meta.value("namespace", "");
    out[(ns.empty() ? "" : ns + "/") + meta["name"].get<std::string>()] =
        std::stoull(meta["resourceVersion"].get<std::string>());
  }
  return out;
}

Revisions cached(const HttpInformer& informer) {
  Revisions out;
  informer.read([&](const Informer& i) {
    for (const auto& o : i.cache().list()) out[o.key()] = o.resource_version();
  });
  return out;
}

std::string shown(const Revisions& r) {
  std::string out;
  for (const auto& [key, rv] : r) out += key + "@" + std::to_string(rv) + " ";
  return out;
}

// Polls until the informer's cache equals the server's list (up to 30 s); prints both if not.
bool converges(const HttpInformer& informer, const std::string& collection) {
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    if (cached(informer) == server_list(collection)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  BOOST_TEST_MESSAGE("cache: " << shown(cached(informer)));
  BOOST_TEST_MESSAGE("server: " << shown(server_list(collection)));
  return false;
}

// Polls `condition` for up to 30 s.
bool eventually(const std::function<bool()>& condition) {
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

std::vector<std::string> in_index(const HttpInformer& informer, const std::string& index,
                                  const std::string& value) {
  std::vector<std::string> out;
  informer.read([&](const Informer& i) {
    for (const auto& o : i.cache().by_index(index, value)) out.push_back(o.key());
  });
  return out;
}

HttpInformerOptions options(const std::string& path, capnp::StructSchema schema) {
  HttpInformerOptions o;
  o.port = api_port();
  o.resource_path = path;
  o.schema = schema;
  o.list_page_items = 2;  // several pages even for a few objects: `continue` is exercised
  o.log = [](const std::string& line) { BOOST_TEST_MESSAGE(line); };
  return o;
}

}  // namespace

BOOST_AUTO_TEST_CASE(informers_follow_the_server_through_a_kill_and_restart) {
  Server server;
  server.start();
  create("/api/v1/namespaces",
         R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"blue"}})");
  create("/api/v1/namespaces/default/configmaps", config_map("before", "1"));

  HttpInformer config_maps(options("/api/v1/configmaps", capnp::Schema::from<k8s::ConfigMap>()));
  config_maps.informer().add_index("namespace", index_by_namespace());
  std::atomic<int> deletes{0};
  InformerHandlers handlers;
  handlers.on_delete = [&](const InformerObject&, bool) { ++deletes; };
  config_maps.informer().add_handlers(handlers);
  HttpInformer pods(options("/api/v1/pods", capnp::Schema::from<k8s::Pod>()));
  pods.informer().add_index("spec.nodeName", index_by_field("spec.nodeName"));
  config_maps.start();
  pods.start();
  BOOST_REQUIRE(config_maps.wait_synced(std::chrono::seconds(30)));
  BOOST_REQUIRE(pods.wait_synced(std::chrono::seconds(30)));
  BOOST_TEST(in_index(config_maps, "namespace", "default") ==
             std::vector<std::string>{"default/before"});

  for (int i = 1; i <= 3; ++i)
    create("/api/v1/namespaces/default/configmaps", config_map("cm-" + std::to_string(i), "a"));
  create("/api/v1/namespaces/blue/configmaps", config_map("cm-4", "a"));
  create("/api/v1/namespaces/default/pods", pod("p1", "node-a"));
  create("/api/v1/namespaces/blue/pods", pod("p2", "node-b"));
  BOOST_TEST(eventually([&] { return in_index(config_maps, "namespace", "blue").size() == 1; }));
  BOOST_TEST(eventually([&] { return in_index(config_maps, "namespace", "default").size() == 4; }));
  BOOST_TEST(eventually([&] { return in_index(pods, "spec.nodeName", "node-b").size() == 1; }));
  BOOST_TEST(in_index(pods, "spec.nodeName", "node-a") == std::vector<std::string>{"default/p1"});
  auto [patched, body] = call(http::verb::patch, "/api/v1/namespaces/default/configmaps/cm-2",
                              R"({"data":{"k":"b"}})", "application/merge-patch+json");
  BOOST_REQUIRE_MESSAGE(patched == 200, body);
  BOOST_TEST(converges(config_maps, "/api/v1/configmaps"));

  // The server dies; the informers keep their caches and retry with backoff.
  auto before = cached(config_maps);
  server.kill();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  BOOST_TEST(cached(config_maps) == before);

  // Back on the same data; changes made since reach the caches, which end equal to the lists.
  server.start();
  BOOST_REQUIRE(call(http::verb::delete_, "/api/v1/namespaces/default/configmaps/cm-1").first ==
                200);
  create("/api/v1/namespaces/blue/configmaps", config_map("cm-5", "a"));
  // p1 is bound and no agent runs here: deleted at once (grace 0), not left Terminating.
  BOOST_REQUIRE(
      call(http::verb::delete_, "/api/v1/namespaces/default/pods/p1?gracePeriodSeconds=0").first ==
      200);
  BOOST_TEST(converges(config_maps, "/api/v1/configmaps"));
  BOOST_TEST(converges(pods, "/api/v1/pods"));
  BOOST_TEST(in_index(config_maps, "namespace", "blue") ==
             (std::vector<std::string>{"blue/cm-4", "blue/cm-5"}));
  BOOST_TEST(in_index(pods, "spec.nodeName", "node-a").empty());
  BOOST_TEST(deletes == 1);
  config_maps.read([](const Informer& i) {
    BOOST_TEST_MESSAGE("config maps: " << i.counters().lists << " lists, "
                                       << i.counters().events_applied << " events applied, "
                                       << i.counters().synthetic_deletes << " synthetic deletes");
  });

  auto stopping = Clock::now();
  config_maps.stop();
  pods.stop();
  auto stop_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - stopping).count();
  BOOST_TEST(stop_ms < 2000);
}
