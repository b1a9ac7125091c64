// The Endpoints controller, run by the controller manager against a real API service in one
// thread (controllers_world.hpp): each rule of issue 12's Endpoints paragraph, checked by what
// ends up stored.
#define BOOST_TEST_MODULE controllers_endpoints
#include <boost/test/unit_test.hpp>

#include "actors/controllers/endpoints/endpoints_controller.hpp"
#include "tests/controllers/controllers_world.hpp"

using namespace craton;
using namespace craton::controllers;
using craton::controllers::testing::json;
using craton::controllers::testing::World;

namespace {

const std::string kServices = "/api/v1/namespaces/default/services";
const std::string kEndpoints = "/api/v1/namespaces/default/endpoints";
const std::string kPods = "/api/v1/namespaces/default/pods";

json service(const std::string& name, json ports, json selector = {{"app", "web"}}) {
  json spec = {{"ports", ports}};
  if (!selector.is_null()) spec["selector"] = selector;
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", name}, {"labels", {{"team", "a"}}}}},
          {"spec", spec}};
}

json port(const std::string& name, int number, json target) {
  json p = {{"port", number}, {"targetPort", target}};
  if (!name.empty()) p["name"] = name;
  return p;
}

// A pod on node n1 whose container offers the named ports ({"http", 8080}...).
json pod(const std::string& name, json container_ports = json::array(), std::string app = "web") {
  json container = {{"name", "c"}, {"image", "nginx"}};
  if (!container_ports.empty()) container["ports"] = container_ports;
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"labels", {{"app", app}}}}},
          {"spec", {{"nodeName", "n1"}, {"containers", {container}}}}};
}

json named(const std::string& name, int number) {
  return {{"name", name}, {"containerPort", number}};
}

struct Manager : World {
  explicit Manager(EndpointsConfig config = {}) {
    manager.add(endpoints_controller(config));
    manager.set_acting(true);
    run();
  }
  // Posts a pod and gives it an IP, Running, Ready or not (as a kubelet would).
  json started(json object, const std::string& ip, bool ready, std::string phase = "Running") {
    auto p = post(kPods, object);
    p["status"] = {{"phase", phase},
                   {"podIP", ip},
                   {"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}};
    auto r = api.call("PUT", kPods + "/" + p["metadata"]["name"].get<std::string>() + "/status",
                      p.dump());
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    return json::parse(r.body);
  }
  bool exists(const std::string& name) {
    return api.call("GET", kEndpoints + "/" + name).status == 200;
  }
  std::size_t endpoint_writes() const {
    std::size_t n = 0;
    for (const auto& c : calls) n += c.resource == "endpoints";
    return n;
  }
};

std::vector<std::string> ips(const json& addresses) {
  std::vector<std::string> out;
  for (const auto& a : addresses) out.push_back(a["ip"]);
  return out;
}

using Ips = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_CASE(lists_ready_and_not_ready_pods_of_the_selector_with_their_target) {
  Manager w;
  w.post(kServices, service("web", {port("", 80, 8080)}));
  auto b = w.started(pod("b"), "10.0.0.2", true);
  w.started(pod("a"), "10.0.0.9", true);
  w.started(pod("c"), "10.0.0.5", false);
  w.post(kPods, pod("no-ip"));                                     // no IP yet: left out
  w.started(pod("other", json::array(), "db"), "10.0.0.7", true);  // another selector
  w.run();
  auto ep = w.get(kEndpoints + "/web");
  BOOST_TEST(ep["metadata"]["labels"]["team"] == "a");  // the Service's labels
  BOOST_REQUIRE_EQUAL(ep["subsets"].size(), 1u);
  auto s = ep["subsets"][0];
  BOOST_TEST(ips(s["addresses"]) == (Ips{"10.0.0.2", "10.0.0.9"}),
             boost::test_tools::per_element());
  BOOST_TEST(ips(s["notReadyAddresses"]) == (Ips{"10.0.0.5"}), boost::test_tools::per_element());
  auto a = s["addresses"][0];
  BOOST_TEST(a["nodeName"] == "n1");
  BOOST_TEST(a["targetRef"]["kind"] == "Pod");
  BOOST_TEST(a["targetRef"]["namespace"] == "default");
  BOOST_TEST(a["targetRef"]["name"] == "b");
  BOOST_TEST(a["targetRef"]["uid"] == b["metadata"]["uid"]);
  BOOST_REQUIRE_EQUAL(s["ports"].size(), 1u);
  BOOST_TEST(s["ports"][0]["port"] == 8080);
  BOOST_TEST(s["ports"][0]["protocol"] == "TCP");
  BOOST_TEST(!s["ports"][0].contains("name"));  // an unnamed Service port stays unnamed
}

BOOST_AUTO_TEST_CASE(a_named_target_port_is_resolved_on_each_pod_and_pods_without_it_left_out) {
  Manager w;
  w.post(kServices, service("web", {port("http", 80, "http")}));
  w.started(pod("a", {named("http", 8080)}), "10.0.0.1", true);
  w.started(pod("b", {named("http", 9090)}), "10.0.0.2", true);
  w.started(pod("c", {named("admin", 8080)}), "10.0.0.3", true);  // no "http" port
  w.run();
  auto subsets = w.get(kEndpoints + "/web")["subsets"];
  BOOST_REQUIRE_EQUAL(subsets.size(), 2u);  // one per port number, in a stable order
  BOOST_TEST(subsets[0]["ports"][0]["port"] == 8080);
  BOOST_TEST(subsets[0]["ports"][0]["name"] == "http");
  BOOST_TEST(ips(subsets[0]["addresses"]) == (Ips{"10.0.0.1"}), boost::test_tools::per_element());
  BOOST_TEST(subsets[1]["ports"][0]["port"] == 9090);
  BOOST_TEST(ips(subsets[1]["addresses"]) == (Ips{"10.0.0.2"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(pods_are_grouped_by_the_set_of_ports_they_serve) {
  Manager w;
  w.post(kServices, service("web", {port("web", 80, 8080), port("metrics", 9100, "metrics")}));
  w.started(pod("a", {named("metrics", 9100)}), "10.0.0.1", true);
  w.started(pod("b"), "10.0.0.2", true);
  w.run();
  auto subsets = w.get(kEndpoints + "/web")["subsets"];
  BOOST_REQUIRE_EQUAL(subsets.size(), 2u);
  // a serves both ports, b only web: {a}:[metrics] and {a, b}:[web].
  BOOST_TEST(subsets[0]["ports"][0]["name"] == "metrics");
  BOOST_TEST(ips(subsets[0]["addresses"]) == (Ips{"10.0.0.1"}), boost::test_tools::per_element());
  BOOST_TEST(subsets[1]["ports"][0]["name"] == "web");
  BOOST_TEST(ips(subsets[1]["addresses"]) == (Ips{"10.0.0.1", "10.0.0.2"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_endpoints_are_written_only_when_they_change) {
  Manager w;
  w.post(kServices, service("web", {port("", 80, 8080)}));
  w.started(pod("a"), "10.0.0.1", false);
  w.run();
  auto version = w.get(kEndpoints + "/web")["metadata"]["resourceVersion"];
  auto writes = w.endpoint_writes();
  // A change that does not show in the Endpoints (an annotation of the pod): nothing written.
  w.patch(kPods + "/a", {{"metadata", {{"annotations", {{"x", "1"}}}}}});
  w.run();
  BOOST_TEST(w.endpoint_writes() == writes);
  BOOST_TEST(w.get(kEndpoints + "/web")["metadata"]["resourceVersion"] == version);
  // The pod becomes ready: it moves from notReadyAddresses to addresses.
  w.patch(kPods + "/a/status",
          {{"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}});
  w.run();
  auto s = w.get(kEndpoints + "/web")["subsets"][0];
  BOOST_TEST(ips(s["addresses"]) == (Ips{"10.0.0.1"}), boost::test_tools::per_element());
  BOOST_TEST(!s.contains("notReadyAddresses"));
}

BOOST_AUTO_TEST_CASE(the_endpoints_go_with_the_service) {
  Manager w;
  w.post(kServices, service("web", {port("", 80, 8080)}));
  w.started(pod("a"), "10.0.0.1", true);
  w.run();
  BOOST_REQUIRE(w.exists("web"));
  BOOST_REQUIRE_EQUAL(w.api.call("DELETE", kServices + "/web").status, 200);
  w.run();
  BOOST_TEST(!w.exists("web"));
}

BOOST_AUTO_TEST_CASE(the_endpoints_go_when_the_service_loses_its_selector) {
  Manager w;
  w.post(kServices, service("web", {port("", 80, 8080)}));
  w.started(pod("a"), "10.0.0.1", true);
  w.run();
  BOOST_REQUIRE(w.exists("web"));
  w.patch(kServices + "/web", {{"spec", {{"selector", nullptr}}}});
  w.run();
  BOOST_TEST(!w.exists("web"));
}

BOOST_AUTO_TEST_CASE(endpoints_of_a_service_without_selector_are_the_users_and_left_alone) {
  Manager w;
  w.post(kServices, service("ext", {port("", 80, 80)}, nullptr));
  json mine = {
      {"apiVersion", "v1"},
      {"kind", "Endpoints"},
      {"metadata", {{"name", "ext"}}},
      {"subsets", {{{"addresses", {{{"ip", "192.168.1.1"}}}}, {"ports", {{{"port", 80}}}}}}}};
  w.post(kEndpoints, mine);
  w.started(pod("a"), "10.0.0.1", true);
  w.run();
  auto ep = w.get(kEndpoints + "/ext");
  BOOST_TEST(ips(ep["subsets"][0]["addresses"]) == (Ips{"192.168.1.1"}),
             boost::test_tools::per_element());
  BOOST_TEST(w.endpoint_writes() == 0u);
  BOOST_REQUIRE_EQUAL(w.api.call("DELETE", kServices + "/ext").status, 200);
  w.run();
  BOOST_TEST(w.exists("ext"));  // not ours to delete
}

BOOST_AUTO_TEST_CASE(publish_not_ready_addresses_makes_every_address_ready) {
  Manager w;
  auto s = service("web", {port("", 80, 8080)});
  s["spec"]["publishNotReadyAddresses"] = true;
  w.post(kServices, s);
  w.started(pod("a"), "10.0.0.1", false);
  w.run();
  auto subset = w.get(kEndpoints + "/web")["subsets"][0];
  BOOST_TEST(ips(subset["addresses"]) == (Ips{"10.0.0.1"}), boost::test_tools::per_element());
  BOOST_TEST(!subset.contains("notReadyAddresses"));
}

BOOST_AUTO_TEST_CASE(finished_pods_are_left_out) {
  Manager w;
  w.post(kServices, service("web", {port("", 80, 8080)}));
  w.started(pod("done"), "10.0.0.1", false, "Succeeded");
  w.started(pod("failed"), "10.0.0.2", false, "Failed");
  w.started(pod("a"), "10.0.0.3", true);
  w.run();
  auto subsets = w.get(kEndpoints + "/web")["subsets"];
  BOOST_REQUIRE_EQUAL(subsets.size(), 1u);
  BOOST_TEST(ips(subsets[0]["addresses"]) == (Ips{"10.0.0.3"}), boost::test_tools::per_element());
  BOOST_TEST(!subsets[0].contains("notReadyAddresses"));
}

BOOST_AUTO_TEST_CASE(a_headless_service_without_ports_lists_its_pods_and_is_labelled) {
  Manager w;
  auto s = service("db", json::array());
  s["spec"]["clusterIP"] = "None";
  w.post(kServices, s);
  auto p = pod("a");
  p["spec"]["hostname"] = "a";
  p["spec"]["subdomain"] = "db";
  w.started(p, "10.0.0.1", true);
  w.run();
  auto ep = w.get(kEndpoints + "/db");
  BOOST_TEST(ep["metadata"]["labels"].contains("service.kubernetes.io/headless"));
  BOOST_REQUIRE_EQUAL(ep["subsets"].size(), 1u);
  BOOST_TEST(ips(ep["subsets"][0]["addresses"]) == (Ips{"10.0.0.1"}),
             boost::test_tools::per_element());
  BOOST_TEST(ep["subsets"][0]["addresses"][0]["hostname"] == "a");  // its subdomain names it
  BOOST_TEST(!ep["subsets"][0].contains("ports"));
}

BOOST_AUTO_TEST_CASE(a_deleted_endpoints_of_a_selector_service_is_put_back) {
  Manager w;
  w.post(kServices, service("web", {port("", 80, 8080)}));
  w.started(pod("a"), "10.0.0.1", true);
  w.run();
  BOOST_REQUIRE_EQUAL(w.api.call("DELETE", kEndpoints + "/web").status, 200);
  w.run();
  BOOST_TEST(w.exists("web"));
}

BOOST_AUTO_TEST_CASE(past_addresses_max_not_ready_addresses_go_first_and_it_says_so) {
  Manager w(EndpointsConfig{2});
  w.post(kServices, service("web", {port("", 80, 8080)}));
  w.started(pod("a"), "10.0.0.1", true);
  w.started(pod("b"), "10.0.0.2", false);
  w.started(pod("c"), "10.0.0.3", false);
  w.run();
  auto ep = w.get(kEndpoints + "/web");
  BOOST_TEST(ep["metadata"]["annotations"]["endpoints.kubernetes.io/over-capacity"] == "truncated");
  auto s = ep["subsets"][0];
  BOOST_TEST(ips(s["addresses"]) == (Ips{"10.0.0.1"}), boost::test_tools::per_element());
  BOOST_TEST(s["notReadyAddresses"].size() == 1u);
  // Back under the bound: the annotation goes.
  BOOST_REQUIRE_EQUAL(w.api.call("DELETE", kPods + "/c").status, 200);
  w.run();
  ep = w.get(kEndpoints + "/web");
  BOOST_TEST(!ep["metadata"].contains("annotations"));
  BOOST_TEST(ep["subsets"][0]["notReadyAddresses"].size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_stale_endpoints_cache_converges_once_its_watch_catches_up) {
  Manager w;
  w.post(kServices, service("web", {port("", 80, 8080)}));
  w.started(pod("a"), "10.0.0.1", true);
  w.run();
  w.held.insert("endpoints");  // the controller does not see its own next write
  w.started(pod("b"), "10.0.0.2", true);
  w.run();
  w.started(pod("c"), "10.0.0.3", true);
  w.run();  // its update at the old resourceVersion is refused (409) and retried
  w.held.clear();
  w.now_ms += 60'000;  // past the key's back-off
  w.run();
  auto s = w.get(kEndpoints + "/web")["subsets"][0];
  BOOST_TEST(ips(s["addresses"]) == (Ips{"10.0.0.1", "10.0.0.2", "10.0.0.3"}),
             boost::test_tools::per_element());
}
