// The `kubernetes` Service's Endpoints with several API servers over one store
// (actors/api/server/endpoint_reconciler.cpp; the store feeds every server's caches), as
// kube-apiserver's lease reconciler keeps them: each server lists its own --advertise-address, a
// server that stops renewing its lease leaves them once the lease has run out (and its lease is
// removed), and the defaults made by several servers starting together all succeed.
#define BOOST_TEST_MODULE api_endpoint_reconciler
#include <boost/test/unit_test.hpp>

#include "tests/api/api_fixture.hpp"

using namespace craton;
using namespace craton::api;
using namespace craton::api::testing;

namespace {

struct Cluster {
  MemoryStore store;  ///< feeds every server (MemoryStore::also)
  std::int64_t clock = 1'800'000'000;
  int uids = 0;
  std::vector<std::unique_ptr<ApiService>> servers;

  explicit Cluster(int n) {
    for (int i = 1; i <= n; ++i) {
      ApiServiceOptions options;
      options.cache_wait = std::chrono::milliseconds(50);
      options.now_s = [this] { return clock; };
      options.monotonic_ms = [] { return std::int64_t{0}; };
      options.new_uid = [this] { return "uid-" + std::to_string(++uids); };
      options.name_suffix = [] { return std::string("abcde"); };
      options.advertise_address = "10.0.0." + std::to_string(i);
      options.advertise_port = 6443;
      servers.push_back(std::make_unique<ApiService>(store, options));
      if (i == 1)
        store.service = servers.back().get();
      else
        store.also.push_back(servers.back().get());
      servers.back()->reset(1, {});
    }
  }

  Status run(Task<Status> task) {
    std::optional<Status> done;
    start(std::move(task), [&done](Status s) { done = std::move(s); });
    BOOST_REQUIRE(done.has_value());
    return *done;
  }

  json get(std::size_t server, const std::string& path) {
    auto r = std::make_shared<Recorder>();
    servers[server]->handle(Fixture::request("GET", path, "", "", "application/json"), r);
    BOOST_REQUIRE(r->response.has_value());
    BOOST_REQUIRE_MESSAGE(r->response->status == 200, r->response->body);
    return body(*r->response);
  }

  std::vector<std::string> listed(std::size_t server = 0) {
    std::vector<std::string> out;
    auto endpoints = get(server, "/api/v1/namespaces/default/endpoints/kubernetes");
    for (const auto& a : endpoints["subsets"][0]["addresses"]) out.push_back(a["ip"]);
    return out;
  }
};

const std::string kLeases = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases";

}  // namespace

BOOST_AUTO_TEST_CASE(every_server_lists_its_own_address) {
  Cluster c(3);
  for (auto& server : c.servers) {
    auto made = c.run(server->ensure_defaults());
    BOOST_TEST(made.ok(), (made.ok() ? "" : made.error().message));
  }
  auto want = std::vector<std::string>{"10.0.0.1", "10.0.0.2", "10.0.0.3"};
  BOOST_TEST(c.listed(0) == want, boost::test_tools::per_element());
  BOOST_TEST(c.listed(2) == want, boost::test_tools::per_element());
  auto endpoints = c.get(1, "/api/v1/namespaces/default/endpoints/kubernetes");
  BOOST_TEST(endpoints["subsets"][0]["ports"][0]["port"] == 6443);
  BOOST_TEST(c.get(0, kLeases)["items"].size() == 3u);
  // A pass with nothing new writes nothing.
  auto before = c.store.revision;
  BOOST_TEST(c.run(c.servers[0]->reconcile_endpoints()).ok());
  BOOST_TEST(c.store.revision <= before + 1);  // at most its own lease's renewal
}

BOOST_AUTO_TEST_CASE(a_dead_servers_address_goes_once_its_lease_runs_out) {
  Cluster c(3);
  for (auto& server : c.servers) BOOST_REQUIRE(c.run(server->ensure_defaults()).ok());
  // Server 2 dies: 1 and 3 go on renewing every 10 s.
  for (int pass = 0; pass < 3; ++pass) {
    c.clock += 10;
    BOOST_REQUIRE(c.run(c.servers[0]->reconcile_endpoints()).ok());
    BOOST_REQUIRE(c.run(c.servers[2]->reconcile_endpoints()).ok());
  }
  auto want = std::vector<std::string>{"10.0.0.1", "10.0.0.3"};
  BOOST_TEST(c.listed(0) == want, boost::test_tools::per_element());
  BOOST_TEST(c.get(0, kLeases)["items"].size() == 2u);  // its expired lease was removed
  // It comes back: listed again at its first pass.
  BOOST_REQUIRE(c.run(c.servers[1]->reconcile_endpoints()).ok());
  want = {"10.0.0.1", "10.0.0.2", "10.0.0.3"};
  BOOST_TEST(c.listed(2) == want, boost::test_tools::per_element());
}
