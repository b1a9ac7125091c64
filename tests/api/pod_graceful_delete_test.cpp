// Graceful deletion of pods (ApiService::remove with the pod kind's grace rule, kube's
// rest.BeforeDelete and podStrategy.CheckGracefulDelete): a bound, running pod is marked
// (deletionTimestamp = now + grace, deletionGracePeriodSeconds) and stays until deleted with
// grace 0; unbound and terminal pods and gracePeriodSeconds=0 go at once; a second DELETE may
// shorten the grace, never lengthen it; preconditions, finalizers, eviction and watches keep
// their meaning.
#define BOOST_TEST_MODULE api_pod_graceful_delete
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "actors/api/client/api_protocol.hpp"
#include "actors/api/client/kube_time.hpp"
#include "tests/api/api_fixture.hpp"

using namespace craton;
using namespace craton::api;
using json = nlohmann::json;
using namespace craton::api::testing;

namespace {

const std::string kPods = "/api/v1/namespaces/default/pods";

json pod(const std::string& name, const std::string& node, std::optional<int> grace = {}) {
  json p{{"apiVersion", "v1"},
         {"kind", "Pod"},
         {"metadata", {{"name", name}}},
         {"spec", {{"containers", json::array({{{"name", "c"}, {"image", "busybox"}}})}}}};
  if (!node.empty()) p["spec"]["nodeName"] = node;
  if (grace) p["spec"]["terminationGracePeriodSeconds"] = *grace;
  return p;
}

json create(Fixture& f, const json& p) {
  auto created = f.call("POST", kPods, p.dump());
  BOOST_REQUIRE_EQUAL(created.status, 201);
  return body(created);
}

HttpResponse remove(Fixture& f, const std::string& name, const json& options = nullptr) {
  return f.call("DELETE", kPods + "/" + name, options.is_null() ? "" : options.dump());
}

bool exists(Fixture& f, const std::string& name) {
  return f.call("GET", kPods + "/" + name).status == 200;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_bound_pod_is_marked_with_its_own_grace_and_stays) {
  Fixture f;
  create(f, pod("web", "node-a", 20));
  auto deleted = remove(f, "web");
  BOOST_TEST(deleted.status == 200);
  auto marked = body(deleted);
  BOOST_TEST(marked["metadata"]["deletionTimestamp"] == format_rfc3339(f.clock + 20));
  BOOST_TEST(marked["metadata"]["deletionGracePeriodSeconds"] == 20);
  BOOST_TEST(exists(f, "web"));
  // The default grace (30 s) when the pod names none: defaulting writes it into the spec.
  create(f, pod("default", "node-a"));
  auto defaulted = body(remove(f, "default"));
  BOOST_TEST(defaulted["metadata"]["deletionGracePeriodSeconds"] == 30);
  // DeleteOptions' grace wins over the pod's; so does the query parameter.
  create(f, pod("asked", "node-a"));
  BOOST_TEST(body(remove(f, "asked",
                         {{"gracePeriodSeconds", 5}}))["metadata"]["deletionGracePeriodSeconds"] ==
             5);
  create(f, pod("query", "node-a"));
  auto by_query = f.call("DELETE", kPods + "/query?gracePeriodSeconds=7");
  BOOST_TEST(body(by_query)["metadata"]["deletionGracePeriodSeconds"] == 7);
  // The agent's final DELETE (grace 0, the uid as precondition) removes it.
  auto uid = marked["metadata"]["uid"].get<std::string>();
  auto final_delete = f.call("DELETE", kPods + "/web", delete_options(0, uid));
  BOOST_TEST(final_delete.status == 200);
  BOOST_TEST(!exists(f, "web"));
}

BOOST_AUTO_TEST_CASE(unbound_terminal_and_forced_pods_go_at_once) {
  Fixture f;
  create(f, pod("pending", ""));
  BOOST_TEST(remove(f, "pending").status == 200);
  BOOST_TEST(!exists(f, "pending"));

  create(f, pod("done", "node-a"));
  for (const char* phase : {"Succeeded", "Failed"}) {
    if (!exists(f, "done")) create(f, pod("done", "node-a"));
    auto patched =
        f.call("PATCH", kPods + "/done/status", json{{"status", {{"phase", phase}}}}.dump(),
               "application/merge-patch+json");
    BOOST_REQUIRE_EQUAL(patched.status, 200);
    BOOST_TEST(remove(f, "done").status == 200);
    BOOST_TEST(!exists(f, "done"), phase << " pods have nothing left to stop");
  }

  // kubectl delete --force --grace-period=0
  create(f, pod("forced", "node-a"));
  BOOST_TEST(remove(f, "forced", {{"gracePeriodSeconds", 0}}).status == 200);
  BOOST_TEST(!exists(f, "forced"));
  // A pod whose own grace is 0 goes at once too.
  create(f, pod("zero", "node-a", 0));
  remove(f, "zero");
  BOOST_TEST(!exists(f, "zero"));
}

BOOST_AUTO_TEST_CASE(a_second_delete_shortens_the_grace_never_lengthens_it) {
  Fixture f;
  create(f, pod("web", "node-a", 30));
  auto first = body(remove(f, "web"));
  auto deadline = f.clock + 30;
  BOOST_TEST(first["metadata"]["deletionTimestamp"] == format_rfc3339(deadline));
  f.clock += 4;
  // Longer, equal or unspecified: nothing changes (and nothing is written).
  auto writes = f.store.writes;
  for (json options :
       {json{{"gracePeriodSeconds", 60}}, json{{"gracePeriodSeconds", 30}}, json(nullptr)}) {
    auto again = remove(f, "web", options);
    BOOST_TEST(again.status == 200);
    BOOST_TEST(body(again)["metadata"]["deletionTimestamp"] == format_rfc3339(deadline));
    BOOST_TEST(body(again)["metadata"]["deletionGracePeriodSeconds"] == 30);
  }
  BOOST_TEST(f.store.writes == writes);
  // Shorter: the deadline moves back by the difference (kube counts from the first mark).
  auto shorter = body(remove(f, "web", {{"gracePeriodSeconds", 10}}));
  BOOST_TEST(shorter["metadata"]["deletionGracePeriodSeconds"] == 10);
  BOOST_TEST(shorter["metadata"]["deletionTimestamp"] == format_rfc3339(deadline - 20));
  BOOST_TEST(exists(f, "web"));
  // And 0 ends it.
  remove(f, "web", {{"gracePeriodSeconds", 0}});
  BOOST_TEST(!exists(f, "web"));
}

BOOST_AUTO_TEST_CASE(preconditions_hold_for_graceful_and_final_deletes) {
  Fixture f;
  auto created = create(f, pod("web", "node-a"));
  auto uid = created["metadata"]["uid"].get<std::string>();
  auto wrong_uid = remove(f, "web", {{"preconditions", {{"uid", "someone-else"}}}});
  BOOST_TEST(wrong_uid.status == 409);
  BOOST_TEST(body(f.call("GET", kPods + "/web"))["metadata"].count("deletionTimestamp") == 0u);
  auto stale_rv =
      remove(f, "web", {{"preconditions", {{"resourceVersion", "1"}}}, {"gracePeriodSeconds", 0}});
  BOOST_TEST(stale_rv.status == 409);
  BOOST_TEST(exists(f, "web"));
  auto rv = created["metadata"]["resourceVersion"].get<std::string>();
  auto marked = remove(f, "web", {{"preconditions", {{"uid", uid}, {"resourceVersion", rv}}}});
  BOOST_TEST(marked.status == 200);
  BOOST_TEST(body(marked)["metadata"].contains("deletionTimestamp"));
  // A namesake made after the old pod went is not what the agent's final DELETE meant.
  remove(f, "web", {{"gracePeriodSeconds", 0}});
  create(f, pod("web", "node-a"));
  BOOST_TEST(f.call("DELETE", kPods + "/web", delete_options(0, uid)).status == 409);
  BOOST_TEST(exists(f, "web"));
}

BOOST_AUTO_TEST_CASE(finalizers_still_hold_a_pod_after_its_grace) {
  Fixture f;
  auto p = pod("held", "node-a", 10);
  p["metadata"]["finalizers"] = {"example.com/hold"};
  create(f, p);
  auto marked = body(remove(f, "held"));
  BOOST_TEST(marked["metadata"]["deletionGracePeriodSeconds"] == 10);
  BOOST_TEST(marked["metadata"]["finalizers"][0] == "example.com/hold");
  // The agent's grace-0 DELETE: still held, now marked for immediate deletion.
  auto final_delete = remove(f, "held", {{"gracePeriodSeconds", 0}});
  BOOST_TEST(final_delete.status == 200);
  // 0 is written, as Kubernetes does while deletionTimestamp is set (Kind::zero_fields).
  BOOST_TEST(body(final_delete)["metadata"].value("deletionGracePeriodSeconds", -1) == 0);
  BOOST_TEST(body(final_delete)["metadata"]["deletionTimestamp"] == format_rfc3339(f.clock));
  BOOST_TEST(exists(f, "held"));
  f.call("PATCH", kPods + "/held", R"({"metadata":{"finalizers":null}})",
         "application/merge-patch+json");
  BOOST_TEST(!exists(f, "held"));
}

BOOST_AUTO_TEST_CASE(watchers_see_the_mark_then_the_deletion) {
  Fixture f;
  create(f, pod("web", "node-a"));
  auto w = f.watch(kPods + "?watch=1&resourceVersion=" +
                   body(f.call("GET", kPods))["metadata"]["resourceVersion"].get<std::string>());
  BOOST_REQUIRE(w->streaming);
  remove(f, "web");
  remove(f, "web", {{"gracePeriodSeconds", 0}});
  BOOST_REQUIRE_EQUAL(w->events.size(), 2u);
  BOOST_TEST(w->events[0]["type"] == "MODIFIED");
  BOOST_TEST(w->events[0]["object"]["metadata"].contains("deletionTimestamp"));
  BOOST_TEST(w->events[1]["type"] == "DELETED");
}

BOOST_AUTO_TEST_CASE(eviction_deletes_gracefully) {
  Fixture f;
  create(f, pod("web", "node-a", 15));
  auto evicted = f.call("POST", kPods + "/web/eviction",
                        R"({"apiVersion":"policy/v1","kind":"Eviction",
                            "metadata":{"name":"web","namespace":"default"}})");
  BOOST_TEST(evicted.status == 201);
  auto marked = body(f.call("GET", kPods + "/web"));
  BOOST_TEST(marked["metadata"]["deletionGracePeriodSeconds"] == 15);
  // With deleteOptions asking for grace 0, at once.
  create(f, pod("now", "node-a", 15));
  f.call("POST", kPods + "/now/eviction",
         R"({"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"now"},
             "deleteOptions":{"gracePeriodSeconds":0}})");
  BOOST_TEST(!exists(f, "now"));
}

BOOST_AUTO_TEST_CASE(other_kinds_and_bad_grace_values) {
  Fixture f;
  // Kinds without a grace rule go at once whatever the options say.
  f.call("POST", "/api/v1/namespaces/default/configmaps",
         R"({"metadata":{"name":"cm"},"data":{"a":"1"}})");
  BOOST_TEST(
      f.call("DELETE", "/api/v1/namespaces/default/configmaps/cm", R"({"gracePeriodSeconds":30})")
          .status == 200);
  BOOST_TEST(f.call("GET", "/api/v1/namespaces/default/configmaps/cm").status == 404);
  create(f, pod("web", "node-a"));
  BOOST_TEST(remove(f, "web", {{"gracePeriodSeconds", "soon"}}).status == 400);
  BOOST_TEST(f.call("DELETE", kPods + "/web?gracePeriodSeconds=x").status == 400);
  // Negative: one second, as kube-apiserver.
  BOOST_TEST(body(remove(f, "web",
                         {{"gracePeriodSeconds", -5}}))["metadata"]["deletionGracePeriodSeconds"] ==
             1);
}
