// The fields Kubernetes writes even when zero (Go fields without omitempty, Kind::zero_fields,
// written by server/object_codec.cpp): a container's restartCount 0, ready false, image and
// imageID "", a terminated state's exitCode 0, a Node's nodeInfo and kubelet port, a
// ReplicaSet's and DaemonSet's status counts, an Event's reporting fields, and
// metadata.deletionGracePeriodSeconds 0 while set. Every path of every kind's table names
// fields its schema has.
#define BOOST_TEST_MODULE api_zero_fields
#include <boost/test/unit_test.hpp>

#include "actors/api/convert/kube_json.hpp"
#include "actors/api/kinds/kinds.hpp"
#include "tests/api/api_fixture.hpp"

using namespace craton;
using namespace craton::api;
using namespace craton::api::testing;

namespace {

const std::string kPods = "/api/v1/namespaces/default/pods";

json pod(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}}},
          {"spec", {{"containers", {{{"name", "app"}, {"image", "busybox"}}}}}}};
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_zero_field_path_names_fields_of_its_kinds_schema) {
  for (const auto& kind : served_kinds()) {
    for (const auto& path : kind.zero_fields) {
      capnp::StructSchema schema = kind.schema;
      std::size_t start = 0;
      bool resolved = true;
      while (resolved) {
        auto dot = path.find('.', start);
        auto name = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (name.ends_with("[]")) name.resize(name.size() - 2);
        auto field = find_json_field(schema, name);
        resolved = field.has_value();
        if (!resolved || dot == std::string::npos) break;
        auto type = field->getType();
        if (type.isList()) type = type.asList().getElementType();
        resolved = type.isStruct();
        if (resolved) schema = type.asStruct();
        start = dot + 1;
      }
      BOOST_TEST(resolved, kind.info.kind << ": " << path);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_containers_zero_counts_and_flags_are_written) {
  Fixture f;
  BOOST_REQUIRE(f.call("POST", kPods, pod("web").dump()).status == 201);
  auto r = f.call("PATCH", kPods + "/web/status",
                  R"({"status":{"phase":"Failed","containerStatuses":[{"name":"app",)"
                  R"("state":{"terminated":{"exitCode":0,"reason":"Completed"}}},)"
                  R"({"name":"side","state":{"running":{}}}]}})",
                  "application/merge-patch+json");
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  for (const auto& got :
       {body(r), body(f.call("GET", kPods + "/web")), body(f.call("GET", kPods))["items"][0]}) {
    const auto& app = got["status"]["containerStatuses"][0];
    BOOST_TEST(app["restartCount"] == 0);
    BOOST_TEST(app["ready"] == false);
    BOOST_TEST(app["image"] == "");
    BOOST_TEST(app["imageID"] == "");
    BOOST_TEST(app["state"]["terminated"]["exitCode"] == 0);
    // Pointers stay out when unset: no terminated state is made up, no lastState.
    const auto& side = got["status"]["containerStatuses"][1];
    BOOST_TEST(!side["state"].contains("terminated"));
    BOOST_TEST(!side.contains("lastState"));
    BOOST_TEST(side["restartCount"] == 0);
  }
}

BOOST_AUTO_TEST_CASE(a_set_deletion_grace_of_zero_is_written) {
  Fixture f;
  auto held = pod("held");
  held["metadata"]["finalizers"] = {"example.com/hold"};
  BOOST_REQUIRE(f.call("POST", kPods, held.dump()).status == 201);
  BOOST_TEST(
      !body(f.call("GET", kPods + "/held"))["metadata"].contains("deletionGracePeriodSeconds"));
  auto r = f.call("DELETE", kPods + "/held", R"({"gracePeriodSeconds":0})");
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  auto meta = body(f.call("GET", kPods + "/held"))["metadata"];
  BOOST_TEST(meta.contains("deletionTimestamp"));
  BOOST_TEST(meta["deletionGracePeriodSeconds"] == 0);
}

BOOST_AUTO_TEST_CASE(nodes_replica_sets_and_daemon_sets_show_their_zero_fields) {
  Fixture f;
  auto r = f.call("POST", "/api/v1/nodes",
                  R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}})");
  BOOST_REQUIRE_MESSAGE(r.status == 201, r.body);
  auto node = body(f.call("GET", "/api/v1/nodes/n1"));
  BOOST_TEST(node["status"]["nodeInfo"]["kubeletVersion"] == "");
  BOOST_TEST(node["status"]["nodeInfo"]["machineID"] == "");
  BOOST_TEST(node["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"] == 0);

  json template_ = {{"metadata", {{"labels", {{"app", "a"}}}}},
                    {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
  json rs = {{"apiVersion", "apps/v1"},
             {"kind", "ReplicaSet"},
             {"metadata", {{"name", "rs"}}},
             {"spec",
              {{"replicas", 0},
               {"selector", {{"matchLabels", {{"app", "a"}}}}},
               {"template", template_}}}};
  r = f.call("POST", "/apis/apps/v1/namespaces/default/replicasets", rs.dump());
  BOOST_REQUIRE_MESSAGE(r.status == 201, r.body);
  BOOST_TEST(body(r)["status"]["replicas"] == 0);
  json ds = {{"apiVersion", "apps/v1"},
             {"kind", "DaemonSet"},
             {"metadata", {{"name", "ds"}}},
             {"spec", {{"selector", {{"matchLabels", {{"app", "a"}}}}}, {"template", template_}}}};
  r = f.call("POST", "/apis/apps/v1/namespaces/default/daemonsets", ds.dump());
  BOOST_REQUIRE_MESSAGE(r.status == 201, r.body);
  for (const char* field :
       {"currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady"})
    BOOST_TEST(body(r)["status"][field] == 0, field);
}
