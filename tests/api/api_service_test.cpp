// The API service (actors/api/server/api_service.hpp) against a map-backed ObjectStore that
// feeds the watch caches as the store's watch would: Kubernetes' API semantics request by
// request (CRUD, conflicts, selectors, pagination, watches and 410s, dryRun, finalizers,
// namespaces, patches, tables). kubectl against a real `craton server` is
// tests/api/server_kubectl_test.sh.
#define BOOST_TEST_MODULE api_service
#include <boost/test/unit_test.hpp>

#include <map>
#include <nlohmann/json.hpp>

#include "actors/api/server/patch.hpp"
#include "tests/api/api_fixture.hpp"

using namespace craton;
using namespace craton::api;
using json = nlohmann::json;
using namespace craton::api::testing;

namespace {

const std::string kCms = "/api/v1/namespaces/default/configmaps";

std::string configmap(const std::string& name, const json& labels = json::object(),
                      const json& data = {{"a", "1"}}) {
  return json{{"apiVersion", "v1"},
              {"kind", "ConfigMap"},
              {"metadata", {{"name", name}, {"labels", labels}}},
              {"data", data}}
      .dump();
}

}  // namespace

BOOST_AUTO_TEST_CASE(default_namespaces_exist_from_the_start) {
  Fixture f;
  auto list = body(f.call("GET", "/api/v1/namespaces"));
  std::vector<std::string> names;
  for (const auto& item : list["items"]) names.push_back(item["metadata"]["name"]);
  BOOST_TEST((names == std::vector<std::string>{"default", "kube-node-lease", "kube-public",
                                                "kube-system"}));
  BOOST_TEST(list["items"][0]["status"]["phase"] == "Active");
  BOOST_TEST(list["items"][0]["metadata"]["labels"]["kubernetes.io/metadata.name"] == "default");
}

BOOST_AUTO_TEST_CASE(create_get_and_already_exists) {
  Fixture f;
  auto created = f.call("POST", kCms, configmap("game"));
  BOOST_TEST(created.status == 201);
  auto object = body(created);
  BOOST_TEST(object["metadata"]["uid"] == "uid-6");  // after the defaults: 4 namespaces, a service
  BOOST_TEST(object["metadata"]["resourceVersion"] == std::to_string(f.store.revision));
  BOOST_TEST(object["metadata"]["creationTimestamp"] == "2027-01-15T08:00:00Z");
  BOOST_TEST(!object["metadata"].contains("generation"));  // ConfigMaps have none
  auto got = body(f.call("GET", kCms + "/game"));
  BOOST_TEST(got == object);
  auto again = f.call("POST", kCms, configmap("game"));
  BOOST_TEST(again.status == 409);
  BOOST_TEST(body(again)["reason"] == "AlreadyExists");
  BOOST_TEST(body(again)["message"] == "configmaps \"game\" already exists");
  auto missing = f.call("GET", kCms + "/nope");
  BOOST_TEST(missing.status == 404);
  BOOST_TEST(body(missing)["message"] == "configmaps \"nope\" not found");
}

const std::string kEvents = "/api/v1/namespaces/default/events";

std::string event(const std::string& name, int count = 1) {
  return json{{"apiVersion", "v1"},
              {"kind", "Event"},
              {"metadata", {{"name", name}}},
              {"involvedObject", {{"kind", "Pod"}, {"name", "web"}, {"namespace", "default"}}},
              {"reason", "Pulled"},
              {"message", "pulled"},
              {"type", "Normal"},
              {"count", count}}
      .dump();
}

BOOST_AUTO_TEST_CASE(events_are_stored_with_the_event_ttl_and_other_kinds_without) {
  Fixture f(10000, 120);
  BOOST_TEST(f.call("POST", kEvents, event("pulled")).status == 201);
  const std::string key = "/registry/events/default/pulled";
  BOOST_TEST(f.store.ttls_s.at(key) == 120);
  BOOST_TEST(f.call("POST", kCms, configmap("game")).status == 201);
  BOOST_TEST(f.store.ttls_s.at("/registry/configmaps/default/game") == 0);
  // Each update starts the TTL again (the store attaches a fresh lease): PUT and PATCH.
  f.store.ttls_s.erase(key);
  BOOST_TEST(f.call("PUT", kEvents + "/pulled", event("pulled", 2)).status == 200);
  BOOST_TEST(f.store.ttls_s.at(key) == 120);
  f.store.ttls_s.erase(key);
  auto patched =
      f.call("PATCH", kEvents + "/pulled", R"({"count": 3})", "application/merge-patch+json");
  BOOST_TEST(patched.status == 200);
  BOOST_TEST(f.store.ttls_s.at(key) == 120);
  // The default namespaces and service never expire.
  BOOST_TEST(f.store.ttls_s.at("/registry/namespaces/default") == 0);
}

BOOST_AUTO_TEST_CASE(an_event_ttl_of_zero_keeps_events_forever) {
  Fixture f(10000, 0);
  BOOST_TEST(f.call("POST", kEvents, event("pulled")).status == 201);
  BOOST_TEST(f.store.ttls_s.at("/registry/events/default/pulled") == 0);
}

// A kind without a status has no status subresource (Kind info's subresources): writes to it are
// 404 and change nothing. The status-only write path (status_to_json, with_status_from_json)
// relies on that: it reads the kind's status field.
BOOST_AUTO_TEST_CASE(a_kind_without_status_has_no_status_subresource) {
  Fixture f;
  BOOST_REQUIRE(f.call("POST", kCms, configmap("held")).status == 201);
  auto writes = f.store.writes;
  BOOST_TEST(f.call("PATCH", kCms + "/held/status", R"({"data":{"a":"b"}})",
                    "application/merge-patch+json")
                 .status == 404);
  BOOST_TEST(f.call("PUT", kCms + "/held/status", configmap("held")).status == 404);
  BOOST_TEST(f.call("GET", kCms + "/held/status").status == 404);
  BOOST_TEST(f.store.writes == writes);
}

BOOST_AUTO_TEST_CASE(bad_input_is_a_status_and_stores_nothing) {
  Fixture f;
  auto writes = f.store.writes;
  auto invalid = f.call("POST", kCms, configmap("Bad_Name", {{"x", "-bad-"}}));
  BOOST_TEST(invalid.status == 422);
  auto status = body(invalid);
  BOOST_TEST(status["reason"] == "Invalid");
  BOOST_TEST(status["details"]["causes"].size() >= 2u);
  BOOST_TEST(status["details"]["causes"][0]["field"] == "metadata.name");
  BOOST_TEST(f.call("POST", kCms, "{\"metadata\":").status == 400);
  BOOST_TEST(f.call("POST", kCms, "[1,2]").status == 400);
  // Nesting that would exhaust the stack in dump/compare/destroy is refused before parsing.
  std::string deep = R"({"metadata":{"name":"d"},"data":)";
  for (int i = 0; i < 200000; ++i) deep += R"({"a":)";
  deep += "1" + std::string(200000, '}') + "}";
  BOOST_TEST(f.call("POST", kCms, deep).status == 400);
  BOOST_TEST(f.call("POST", kCms, std::string(3000000, '[')).status == 400);
  f.call("POST", kCms, configmap("p"));
  std::string deep_patch;
  for (int i = 0; i < 200000; ++i) deep_patch += R"({"a":)";
  deep_patch += "1" + std::string(200000, '}');
  BOOST_TEST(f.call("PATCH", kCms + "/p", deep_patch, "application/merge-patch+json").status ==
             422);
  ++writes;  // the create of p
  // Fields of the wrong type in the parts the server reads itself.
  BOOST_TEST(f.call("POST", kCms, R"({"apiVersion":5,"metadata":{"name":"t"}})").status == 400);
  BOOST_TEST(f.call("PUT", kCms + "/p", R"({"metadata":{"name":5}})").status == 400);
  BOOST_TEST(
      f.call("PUT", kCms + "/p", R"({"metadata":{"name":"p","resourceVersion":7}})").status == 400);
  BOOST_TEST(f.call("DELETE", kCms + "/p", R"({"preconditions":{"uid":1}})").status == 400);
  BOOST_TEST(f.call("DELETE", kCms + "/p", R"({"propagationPolicy":[]})").status == 400);
  BOOST_TEST(f.call("GET", kCms + "/p").status == 200);
  BOOST_TEST(f.call("POST", kCms, configmap("x"), "application/xml").status == 415);
  auto wrong_kind =
      f.call("POST", kCms, json{{"kind", "Secret"}, {"metadata", {{"name", "x"}}}}.dump());
  BOOST_TEST(wrong_kind.status == 400);
  BOOST_TEST(f.call("POST", "/api/v1/namespaces/nowhere/configmaps", configmap("x")).status == 404);
  auto bad_data = f.call("POST", kCms, configmap("x", json::object(), {{"not a key", "v"}}));
  BOOST_TEST(bad_data.status == 422);
  BOOST_TEST(f.call("GET", "/api/v1/namespaces/default/widgets").status == 404);
  BOOST_TEST(f.call("GET", kCms + "/x/status").status == 404);  // configmaps have none
  BOOST_TEST(f.call("GET", kCms + "?labelSelector=a in (").status == 400);
  BOOST_TEST(f.call("GET", kCms + "?fieldSelector=spec.nodeName=x").status == 400);
  BOOST_TEST(f.store.writes == writes);
}

BOOST_AUTO_TEST_CASE(strict_field_validation_refuses_unknown_fields) {
  Fixture f;
  auto cm = json::parse(configmap("a"));
  cm["dta"] = {{"x", "1"}};
  cm["metadata"]["lables"] = {{"x", "1"}};
  auto strict = f.call("POST", kCms + "?fieldValidation=Strict", cm.dump());
  BOOST_TEST(strict.status == 400);
  BOOST_TEST(body(strict)["message"] ==
             "strict decoding error: unknown field \"dta\", unknown field \"metadata.lables\"");
  BOOST_TEST(f.call("GET", kCms + "/a").status == 404);
  auto ignored = f.call("POST", kCms + "?fieldValidation=Ignore", cm.dump());
  BOOST_TEST(ignored.status == 201);
  BOOST_TEST(ignored.warnings.empty());
  auto patched = f.call("PATCH", kCms + "/a?fieldValidation=Strict", R"({"spec":{"x":1}})",
                        "application/merge-patch+json");
  BOOST_TEST(patched.status == 400);
  // Warn (and no fieldValidation at all) stores the object and says what was dropped.
  cm["metadata"]["name"] = "b";
  auto warned = f.call("POST", kCms, cm.dump());
  BOOST_TEST(warned.status == 201);
  BOOST_TEST((warned.warnings == std::vector<std::string>{"unknown field \"dta\"",
                                                          "unknown field \"metadata.lables\""}));
  auto patched_warn = f.call("PATCH", kCms + "/b?fieldValidation=Warn", R"({"spec":{"x":1}})",
                             "application/merge-patch+json");
  BOOST_TEST(patched_warn.status == 200);
  BOOST_TEST(patched_warn.warnings.size() == 1u);
  BOOST_TEST(f.call("POST", kCms + "?fieldValidation=Sometimes", cm.dump()).status == 400);
  BOOST_TEST(warning_header("unknown field \"dta\"") == "299 - \"unknown field \\\"dta\\\"\"");
}

BOOST_AUTO_TEST_CASE(stale_resource_version_is_a_conflict) {
  Fixture f;
  auto object = body(f.call("POST", kCms, configmap("game")));
  auto first = object;
  object["data"]["a"] = "2";
  auto updated = f.call("PUT", kCms + "/game", object.dump());
  BOOST_TEST(updated.status == 200);
  BOOST_TEST(body(updated)["metadata"]["resourceVersion"] != first["metadata"]["resourceVersion"]);
  first["data"]["a"] = "3";
  auto stale = f.call("PUT", kCms + "/game", first.dump());
  BOOST_TEST(stale.status == 409);
  BOOST_TEST(body(stale)["reason"] == "Conflict");
  BOOST_TEST(body(f.call("GET", kCms + "/game"))["data"]["a"] == "2");
  auto renamed = body(updated);
  renamed["metadata"]["name"] = "other";
  BOOST_TEST(f.call("PUT", kCms + "/game", renamed.dump()).status == 400);
}

BOOST_AUTO_TEST_CASE(label_and_field_selectors) {
  Fixture f;
  f.call("POST", kCms, configmap("a", {{"app", "web"}, {"tier", "1"}}));
  f.call("POST", kCms, configmap("b", {{"app", "db"}}));
  f.call("POST", kCms, configmap("c", {{"app", "web"}, {"tier", "3"}}));
  auto names = [&](const std::string& query) {
    std::vector<std::string> out;
    auto listed = body(f.call("GET", kCms + "?" + query));
    for (const auto& i : listed["items"]) out.push_back(i["metadata"]["name"]);
    return out;
  };
  BOOST_TEST((names("labelSelector=app=web") == std::vector<std::string>{"a", "c"}));
  BOOST_TEST((names("labelSelector=app notin (web)") == std::vector<std::string>{"b"}));
  BOOST_TEST((names("labelSelector=tier>2") == std::vector<std::string>{"c"}));
  BOOST_TEST((names("labelSelector=!tier") == std::vector<std::string>{"b"}));
  BOOST_TEST((names("fieldSelector=metadata.name=b") == std::vector<std::string>{"b"}));
  BOOST_TEST((names("fieldSelector=metadata.name!=b") == std::vector<std::string>{"a", "c"}));
}

BOOST_AUTO_TEST_CASE(delete_collection_deletes_what_its_selectors_pick) {
  Fixture f;
  f.call("POST", kCms, configmap("a", {{"app", "web"}}));
  f.call("POST", kCms, configmap("b", {{"app", "db"}}));
  f.call("POST", kCms, configmap("c", {{"app", "web"}}));
  BOOST_TEST(f.call("DELETE", kCms + "?labelSelector=app in (").status == 400);
  auto r = f.call("DELETE", kCms + "?labelSelector=app=web");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(body(r)["status"] == "Success");
  BOOST_TEST(f.call("GET", kCms + "/a").status == 404);
  BOOST_TEST(f.call("GET", kCms + "/b").status == 200);
  BOOST_TEST(f.call("GET", kCms + "/c").status == 404);
  BOOST_TEST(f.call("DELETE", "/api/v1/configmaps").status == 405);  // no namespace
}

BOOST_AUTO_TEST_CASE(pages_continue_at_their_revision_and_expire_with_the_window) {
  Fixture f(8);
  for (const char* n : {"a", "b", "c", "d", "e"}) f.call("POST", kCms, configmap(n));
  auto page = body(f.call("GET", kCms + "?limit=2"));
  BOOST_TEST(page["items"].size() == 2u);
  BOOST_TEST(page["metadata"]["remainingItemCount"] == 3);
  auto token = page["metadata"]["continue"].get<std::string>();
  f.call("DELETE", kCms + "/d");  // after the first page: the next pages still show d
  auto second = body(f.call("GET", kCms + "?limit=2&continue=" + token));
  BOOST_TEST(second["items"][0]["metadata"]["name"] == "c");
  BOOST_TEST(second["items"][1]["metadata"]["name"] == "d");
  BOOST_TEST(second["metadata"]["resourceVersion"] == page["metadata"]["resourceVersion"]);
  for (int i = 0; i < 10; ++i) f.call("POST", kCms, configmap("x" + std::to_string(i)));
  auto gone = f.call(
      "GET", kCms + "?limit=2&continue=" + second["metadata"]["continue"].get<std::string>());
  BOOST_TEST(gone.status == 410);
  BOOST_TEST(body(gone)["reason"] == "Expired");
  BOOST_TEST(f.call("GET", kCms + "?continue=zz").status == 400);
}

BOOST_AUTO_TEST_CASE(watch_from_a_revision_resumes_without_gaps_and_410s_when_compacted) {
  Fixture f(8);
  auto created = body(f.call("POST", kCms, configmap("a")));
  auto from = created["metadata"]["resourceVersion"].get<std::string>();
  f.call("POST", kCms, configmap("b"));
  auto w = f.watch(kCms + "?watch=1&resourceVersion=" + from);
  BOOST_TEST(w->streaming);
  f.call("DELETE", kCms + "/a");
  BOOST_REQUIRE(w->events.size() == 2u);
  BOOST_TEST(w->events[0]["type"] == "ADDED");
  BOOST_TEST(w->events[0]["object"]["metadata"]["name"] == "b");
  BOOST_TEST(w->events[1]["type"] == "DELETED");
  BOOST_TEST(w->events[1]["object"]["metadata"]["name"] == "a");
  // A client resuming from its last event sees what came after, once.
  auto last = w->events[0]["object"]["metadata"]["resourceVersion"].get<std::string>();
  auto resumed = f.watch(kCms + "?watch=1&resourceVersion=" + last);
  BOOST_REQUIRE(resumed->events.size() == 1u);
  BOOST_TEST(resumed->events[0]["type"] == "DELETED");
  for (int i = 0; i < 10; ++i) f.call("POST", kCms, configmap("x" + std::to_string(i)));
  auto old = f.watch(kCms + "?watch=1&resourceVersion=" + from);
  BOOST_REQUIRE(old->events.size() == 1u);
  BOOST_TEST(old->events[0]["type"] == "ERROR");
  BOOST_TEST(old->events[0]["object"]["code"] == 410);
  BOOST_TEST(old->ended);
}

BOOST_AUTO_TEST_CASE(a_watch_sees_objects_leave_and_enter_its_selection) {
  Fixture f;
  auto w = f.watch(kCms + "?watch=1&labelSelector=app=web");
  BOOST_TEST(w->events.empty());
  auto object = body(f.call("POST", kCms, configmap("a", {{"app", "web"}})));
  object["metadata"]["labels"]["app"] = "db";
  f.call("PUT", kCms + "/a", object.dump());
  f.call("POST", kCms, configmap("b", {{"app", "db"}}));
  BOOST_REQUIRE(w->events.size() == 2u);
  BOOST_TEST(w->events[0]["type"] == "ADDED");
  BOOST_TEST(w->events[1]["type"] == "DELETED");
  BOOST_TEST(f.service->watcher_count() == 1u);
  // No revision: the current objects first, as ADDED.
  auto all = f.watch(kCms + "?watch=1");
  BOOST_TEST(all->events.size() == 2u);
}

BOOST_AUTO_TEST_CASE(bookmarks_and_timeouts) {
  Fixture f;
  auto w = f.watch(kCms + "?watch=1&allowWatchBookmarks=true&timeoutSeconds=100");
  f.clock += 61;
  f.service->tick();
  BOOST_REQUIRE(w->events.size() == 1u);
  BOOST_TEST(w->events[0]["type"] == "BOOKMARK");
  BOOST_TEST(w->events[0]["object"]["metadata"]["resourceVersion"] ==
             std::to_string(f.store.revision));
  f.clock += 40;
  f.service->tick();
  BOOST_TEST(w->ended);
  BOOST_TEST(f.service->watcher_count() == 0u);
}

BOOST_AUTO_TEST_CASE(dry_run_changes_nothing) {
  Fixture f;
  auto writes = f.store.writes;
  auto r = f.call("POST", kCms + "?dryRun=All", configmap("a"));
  BOOST_TEST(r.status == 201);
  BOOST_TEST(f.store.writes == writes);
  BOOST_TEST(f.call("GET", kCms + "/a").status == 404);
  BOOST_TEST(f.call("POST", kCms + "?dryRun=Some", configmap("a")).status == 400);
}

BOOST_AUTO_TEST_CASE(finalizers_hold_a_deleted_object_until_removed) {
  Fixture f;
  auto cm = json::parse(configmap("a"));
  cm["metadata"]["finalizers"] = {"example.com/hold"};
  f.call("POST", kCms, cm.dump());
  auto deleted = f.call("DELETE", kCms + "/a");
  BOOST_TEST(deleted.status == 200);
  auto held = body(f.call("GET", kCms + "/a"));
  BOOST_TEST(held["metadata"]["deletionTimestamp"] == "2027-01-15T08:00:00Z");
  auto released = f.call("PATCH", kCms + "/a", R"({"metadata":{"finalizers":null}})",
                         "application/merge-patch+json");
  BOOST_TEST(released.status == 200);
  BOOST_TEST(f.call("GET", kCms + "/a").status == 404);
  // propagationPolicy is kept as the garbage collector's finalizer.
  f.call("POST", kCms, configmap("b"));
  f.call("DELETE", kCms + "/b", R"({"propagationPolicy":"Orphan"})");
  BOOST_TEST(body(f.call("GET", kCms + "/b"))["metadata"]["finalizers"][0] == "orphan");
  auto stale = f.call("DELETE", kCms + "/b", R"({"preconditions":{"uid":"other"}})");
  BOOST_TEST(stale.status == 409);
}

BOOST_AUTO_TEST_CASE(deleting_a_namespace_deletes_what_is_in_it) {
  Fixture f;
  f.call("POST", "/api/v1/namespaces", R"({"metadata":{"name":"team"}})");
  f.call("POST", "/api/v1/namespaces/team/configmaps", configmap("a"));
  f.call("POST", "/api/v1/namespaces/team/secrets", R"({"metadata":{"name":"s"}})");
  auto r = f.call("DELETE", "/api/v1/namespaces/team");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(body(r)["status"]["phase"] == "Terminating");
  BOOST_TEST(f.call("GET", "/api/v1/namespaces/team").status == 404);
  BOOST_TEST(f.call("GET", "/api/v1/namespaces/team/configmaps/a").status == 404);
  BOOST_TEST(f.call("GET", "/api/v1/namespaces/team/secrets/s").status == 404);
}

BOOST_AUTO_TEST_CASE(patches_of_every_kind) {
  Fixture f;
  f.call("POST", kCms, configmap("a", {{"app", "web"}}, {{"a", "1"}, {"b", "2"}}));
  auto merged = body(f.call("PATCH", kCms + "/a", R"({"data":{"a":null,"c":"3"}})",
                            "application/merge-patch+json"));
  BOOST_TEST(merged["data"] == (json{{"b", "2"}, {"c", "3"}}));
  auto patched =
      body(f.call("PATCH", kCms + "/a", R"([{"op":"replace","path":"/data/b","value":"9"}])",
                  "application/json-patch+json"));
  BOOST_TEST(patched["data"]["b"] == "9");
  auto failed = f.call("PATCH", kCms + "/a", R"([{"op":"test","path":"/data/b","value":"0"}])",
                       "application/json-patch+json");
  BOOST_TEST(failed.status == 422);
  auto smp = body(f.call("PATCH", kCms + "/a", R"({"metadata":{"labels":{"tier":"x"}}})",
                         "application/strategic-merge-patch+json"));
  BOOST_TEST(smp["metadata"]["labels"] == (json{{"app", "web"}, {"tier", "x"}}));
  BOOST_TEST(f.call("PATCH", kCms + "/a", "{}", "text/plain").status == 415);
  auto stale = f.call("PATCH", kCms + "/a", R"({"metadata":{"resourceVersion":"2"}})",
                      "application/merge-patch+json");
  BOOST_TEST(stale.status == 409);
}

BOOST_AUTO_TEST_CASE(strategic_merge_patch_merges_lists_by_key) {
  json pod = json::parse(R"({"spec":{"containers":[
      {"name":"app","image":"a:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
       "ports":[{"containerPort":80}]},
      {"name":"side","image":"s:1"}],
    "tolerations":[{"key":"x"}]},"metadata":{"finalizers":["a"]}})");
  auto patched = apply_patch(pod, R"({"spec":{"containers":[
      {"name":"app","image":"a:2","env":[{"name":"B","value":"3"},{"name":"C","value":"4"}],
       "ports":[{"containerPort":443}]},
      {"name":"side","$patch":"delete"}],
    "tolerations":[{"key":"y"}]},"metadata":{"finalizers":["b"]}})",
                             PatchType::strategic);
  BOOST_REQUIRE(patched.ok());
  auto containers = (*patched)["spec"]["containers"];
  BOOST_REQUIRE(containers.size() == 1u);
  BOOST_TEST(containers[0]["image"] == "a:2");
  BOOST_TEST(
      containers[0]["env"] ==
      json::parse(
          R"([{"name":"A","value":"1"},{"name":"B","value":"3"},{"name":"C","value":"4"}])"));
  BOOST_TEST(containers[0]["ports"].size() == 2u);
  BOOST_TEST((*patched)["spec"]["tolerations"] == json::parse(R"([{"key":"y"}])"));  // replaced
  BOOST_TEST((*patched)["metadata"]["finalizers"] == json::parse(R"(["a","b"])"));
  auto removed = apply_patch(
      *patched,
      R"({"$deleteFromPrimitiveList/metadata":[],"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})",
      PatchType::strategic);
  BOOST_REQUIRE(removed.ok());
  BOOST_TEST((*removed)["metadata"]["finalizers"] == json::parse(R"(["b"])"));
  BOOST_TEST(!apply_patch(pod, "{", PatchType::strategic).ok());
  BOOST_TEST(
      !apply_patch(pod, R"({"spec":{"containers":[{"image":"x"}]}})", PatchType::strategic).ok());
}

BOOST_AUTO_TEST_CASE(tables_have_kube_apiservers_columns) {
  Fixture f;
  f.call("POST", kCms, configmap("a", json::object(), {{"x", "1"}, {"y", "2"}}));
  f.clock += 330;
  auto table = body(f.call("GET", kCms, "", "application/json",
                           "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"));
  BOOST_TEST(table["kind"] == "Table");
  std::vector<std::string> columns;
  for (const auto& c : table["columnDefinitions"]) columns.push_back(c["name"]);
  BOOST_TEST((columns == std::vector<std::string>{"Name", "Data", "Age"}));
  BOOST_TEST(table["rows"][0]["cells"] == json::parse(R"(["a", 2, "5m30s"])"));
  BOOST_TEST(table["rows"][0]["object"]["kind"] == "PartialObjectMetadata");
  auto ns = body(f.call("GET", "/api/v1/namespaces/default", "", "application/json",
                        "application/json;as=Table;v=v1;g=meta.k8s.io"));
  BOOST_TEST(ns["rows"][0]["cells"][1] == "Active");
}

BOOST_AUTO_TEST_CASE(writes_over_a_behind_cache_retry_from_the_store) {
  Fixture f;
  f.call("POST", kCms, configmap("game"));
  const std::string key = "/registry/configmaps/default/game";
  // Another API server wrote the object; this one's cache has not seen that write yet.
  auto behind = [&] { f.store.objects[key].mod_revision = ++f.store.revision; };
  behind();
  auto patched =
      f.call("PATCH", kCms + "/game", R"({"data":{"b":"2"}})", "application/merge-patch+json");
  BOOST_TEST(patched.status == 200);
  BOOST_TEST(body(patched)["data"]["b"] == "2");
  behind();
  auto object = body(f.call("GET", kCms + "/game"));
  object["metadata"]["resourceVersion"] = std::to_string(f.store.revision);
  object["data"]["c"] = "3";
  BOOST_TEST(f.call("PUT", kCms + "/game", object.dump()).status == 200);
  object["data"]["c"] = "4";  // now stale: the store moved past it
  BOOST_TEST(f.call("PUT", kCms + "/game", object.dump()).status == 409);
}

BOOST_AUTO_TEST_CASE(a_name_field_selector_reads_only_that_name) {
  Fixture f;
  for (const char* name : {"game", "game2", "other"}) f.call("POST", kCms, configmap(name));
  auto list = body(f.call("GET", kCms + "?fieldSelector=metadata.name=game"));
  BOOST_TEST_REQUIRE(list["items"].size() == 1u);  // not game2, though its key starts alike
  BOOST_TEST(list["items"][0]["metadata"]["name"] == "game");
  auto all = body(f.call("GET", "/api/v1/configmaps?fieldSelector=metadata.name=game"));
  BOOST_TEST(all["items"].size() == 1u);  // across namespaces: no narrowing, same answer
  auto w = f.watch(kCms + "?watch=1&fieldSelector=metadata.name=game");
  f.call("PATCH", kCms + "/game2", R"({"data":{"b":"2"}})", "application/merge-patch+json");
  f.call("PATCH", kCms + "/game", R"({"data":{"b":"2"}})", "application/merge-patch+json");
  BOOST_TEST_REQUIRE(w->events.size() == 2u);  // the initial ADDED and game's MODIFIED only
  BOOST_TEST(w->events[1]["type"] == "MODIFIED");
  BOOST_TEST(w->events[1]["object"]["metadata"]["name"] == "game");
}

BOOST_AUTO_TEST_CASE(every_discovered_resource_is_served) {
  for (const auto& info : all_resources())
    BOOST_TEST(find_kind(info.group, info.version, info.plural) != nullptr, info.plural);
}

BOOST_AUTO_TEST_CASE(a_write_whose_answer_was_lost_is_read_back) {
  // The store applied the write once and refused its copy ("duplicate" with client sessions,
  // "exists" for a create without one): the object holding exactly what was written means the
  // write succeeded.
  for (const std::string code : {"duplicate", "exists"}) {
    Fixture f;
    f.store.lost_answer = code;
    auto created = f.call("POST", kCms, R"({"metadata":{"name":"lost"},"data":{"a":"1"}})");
    BOOST_TEST(created.status == 201, code);
    auto body = json::parse(created.body);
    BOOST_TEST(
        body["metadata"]["resourceVersion"] ==
        std::to_string(f.store.objects.at("/registry/configmaps/default/lost").mod_revision));
    if (code != "duplicate") continue;
    auto patched =
        f.call("PATCH", kCms + "/lost", R"({"data":{"a":"2"}})", "application/merge-patch+json");
    BOOST_TEST(patched.status == 200);
    BOOST_TEST(json::parse(patched.body)["data"]["a"] == "2");
  }
  // Someone else's object under the name: "exists" stands (409).
  Fixture f;
  BOOST_TEST(f.call("POST", kCms, R"({"metadata":{"name":"taken"}})").status == 201);
  BOOST_TEST(f.call("POST", kCms, R"({"metadata":{"name":"taken"}})").status == 409);
}
