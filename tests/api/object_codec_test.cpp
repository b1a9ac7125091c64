// server/object_codec: the typed spec comparison that spares a write its JSON of the new
// object (same_typed_spec: equal only when the spec is equal; labels, annotations, status and
// the resourceVersion do not count), and object_to_json, which parses the encoded text once
// and must give what parsing object_to_json_text gives (zero fields and the deletion grace
// included).
#define BOOST_TEST_MODULE api_object_codec
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <functional>
#include <sstream>

#include "actors/api/convert/kube_json.hpp"
#include "actors/api/kinds/kinds.hpp"
#include "actors/api/server/object_codec.hpp"
#include "schemas/api_apps.capnp.h"
#include "schemas/api_pod.capnp.h"

using namespace craton;
using namespace craton::api;
using json = nlohmann::json;

namespace {

// A core/v1 kind.
const Kind& kind(const std::string& plural) {
  const Kind* k = find_kind("", "v1", plural);
  BOOST_REQUIRE(k != nullptr);
  return *k;
}

json pod(const std::string& image) {
  return {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", "web"}, {"namespace", "default"}, {"labels", {{"app", "web"}}}}},
      {"spec",
       {{"containers",
         {{{"name", "app"}, {"image", image}, {"resources", {{"requests", {{"cpu", "250m"}}}}}}}}}},
      {"status",
       {{"phase", "Running"},
        {"containerStatuses", {{{"name", "app"}, {"ready", true}, {"image", image}}}}}}};
}

Object decoded(const KubeJson& codec, const Kind& k, const json& j) {
  auto o = object_from_json(codec, k, j);
  BOOST_REQUIRE_MESSAGE(o, (o ? "" : o.error().message));
  return std::move(*o);
}

}  // namespace

BOOST_AUTO_TEST_CASE(metadata_and_status_changes_keep_the_typed_spec_equal) {
  KubeJson codec;
  const auto& pods = kind("pods");
  auto a = decoded(codec, pods, pod("web:1"));
  auto changed = pod("web:1");
  changed["metadata"]["labels"]["paced"] = "7";
  changed["metadata"]["annotations"] = {{"note", "x"}};
  changed["metadata"]["resourceVersion"] = "42";
  changed["status"]["phase"] = "Succeeded";
  auto b = decoded(codec, pods, changed);
  BOOST_TEST(same_typed_spec(a.root().asReader(), b.root().asReader()));
  BOOST_TEST(same_typed_spec(a.root().asReader(), a.root().asReader()));
}

BOOST_AUTO_TEST_CASE(a_spec_change_makes_the_typed_spec_differ) {
  KubeJson codec;
  const auto& pods = kind("pods");
  auto a = decoded(codec, pods, pod("web:1"));
  auto b = decoded(codec, pods, pod("web:2"));
  BOOST_TEST(!same_typed_spec(a.root().asReader(), b.root().asReader()));
  auto more = pod("web:1");
  more["spec"]["nodeName"] = "n1";
  auto c = decoded(codec, pods, more);
  BOOST_TEST(!same_typed_spec(a.root().asReader(), c.root().asReader()));
}

BOOST_AUTO_TEST_CASE(objects_of_different_kinds_never_compare_equal) {
  KubeJson codec;
  auto p = decoded(codec, kind("pods"), pod("web:1"));
  auto cm =
      decoded(codec, kind("configmaps"), {{"metadata", {{"name", "web"}}}, {"data", {{"k", "v"}}}});
  BOOST_TEST(!same_typed_spec(p.root().asReader(), cm.root().asReader()));
}

BOOST_AUTO_TEST_CASE(object_to_json_is_the_parsed_text_with_zero_fields) {
  KubeJson codec;
  const auto& pods = kind("pods");
  for (bool marked : {false, true}) {
    auto j = pod("web:1");
    if (marked) j["metadata"]["deletionTimestamp"] = "2026-12-06T16:00:00Z";
    auto o = decoded(codec, pods, j);
    auto parsed = object_to_json(codec, o, 17);
    BOOST_TEST(parsed == json::parse(object_to_json_text(codec, o, 17)));
    BOOST_TEST(parsed["metadata"]["resourceVersion"] == "17");
    // A zero field Kubernetes writes (restartCount) and, when marked, the grace period 0.
    BOOST_TEST(parsed["status"]["containerStatuses"][0]["restartCount"] == 0);
    BOOST_TEST(parsed["metadata"].contains("deletionGracePeriodSeconds") == marked);
  }
}

// object_to_bytes clears empty texts at every depth (in structs, lists of structs and union
// members: Kubernetes omits empty strings) and leaves everything else as it was.
BOOST_AUTO_TEST_CASE(stored_bytes_have_no_empty_texts_at_any_depth) {
  const Kind& pods = kind("pods");
  Object o{std::make_unique<capnp::MallocMessageBuilder>(), &pods};
  auto pod = o.message->getRoot<capnp::AnyPointer>().initAs<schema::k8s::Pod>();
  pod.getMetadata().setName("web");
  pod.getMetadata().setDeletionTimestamp("");
  auto containers = pod.initSpec().initContainers(2);
  containers[0].setName("app");
  containers[0].setWorkingDir("");
  containers[1].setName("");
  containers[1].setImage("busybox");
  auto bytes = object_to_bytes(o);
  auto back = object_from_bytes(pods, bytes);
  BOOST_REQUIRE(back);
  auto read = back->root().asReader().as<schema::k8s::Pod>();
  BOOST_TEST(std::string(read.getMetadata().getName()) == "web");
  BOOST_TEST(!read.getMetadata().hasDeletionTimestamp());
  BOOST_TEST_REQUIRE(read.getSpec().getContainers().size() == 2u);
  BOOST_TEST(std::string(read.getSpec().getContainers()[0].getName()) == "app");
  BOOST_TEST(!read.getSpec().getContainers()[0].hasWorkingDir());
  BOOST_TEST(!read.getSpec().getContainers()[1].hasName());
  BOOST_TEST(std::string(read.getSpec().getContainers()[1].getImage()) == "busybox");
}

BOOST_AUTO_TEST_CASE(an_empty_text_in_a_union_is_cleared_only_when_its_member_is_set) {
  const Kind* deployments = find_kind("apps", "v1", "deployments");
  BOOST_REQUIRE(deployments != nullptr);
  auto stored = [&](const std::function<void(schema::k8s::IntOrString::Builder)>& set) {
    Object o{std::make_unique<capnp::MallocMessageBuilder>(), deployments};
    auto d = o.message->getRoot<capnp::AnyPointer>().initAs<schema::k8s::Deployment>();
    d.getMetadata().setName("web");
    set(d.initSpec().initStrategy().initRollingUpdate().initMaxSurge());
    auto back = object_from_bytes(*deployments, object_to_bytes(o));
    BOOST_REQUIRE(back);
    auto copy = std::make_shared<capnp::MallocMessageBuilder>();
    copy->setRoot(back->root().asReader().as<schema::k8s::Deployment>());
    return copy;
  };
  auto empty = stored([](auto v) { v.setStrVal(""); });
  auto surge = empty->getRoot<schema::k8s::Deployment>()
                   .getSpec()
                   .getStrategy()
                   .getRollingUpdate()
                   .getMaxSurge();
  BOOST_TEST(surge.isStrVal());
  BOOST_TEST(!surge.hasStrVal());
  auto number = stored([](auto v) { v.setIntVal(3); });
  auto n = number->getRoot<schema::k8s::Deployment>()
               .getSpec()
               .getStrategy()
               .getRollingUpdate()
               .getMaxSurge();
  BOOST_TEST(n.isIntVal());
  BOOST_TEST(n.getIntVal() == 3);
  auto text = stored([](auto v) { v.setStrVal("25%"); });
  BOOST_TEST(std::string(text->getRoot<schema::k8s::Deployment>()
                             .getSpec()
                             .getStrategy()
                             .getRollingUpdate()
                             .getMaxSurge()
                             .getStrVal()
                             .cStr()) == "25%");
}

// A status write's two halves: status_to_json is object_to_json's status (zero fields
// included) with nothing of metadata but the resourceVersion, and with_status_from_json keeps
// metadata and spec as they were (typed copies) and takes the status given.
BOOST_AUTO_TEST_CASE(a_status_write_sees_and_changes_status_only) {
  KubeJson codec;
  const auto& pods = kind("pods");
  auto o = decoded(codec, pods, pod("web:1"));
  auto view = status_to_json(codec, o, 17);
  auto whole = object_to_json(codec, o, 17);
  BOOST_TEST(view["status"] == whole["status"]);
  BOOST_TEST(view["metadata"] == json({{"resourceVersion", "17"}}));
  BOOST_TEST(!view.contains("spec"));

  auto status = whole["status"];
  status["phase"] = "Succeeded";
  status["podIP"] = nullptr;
  auto changed = with_status_from_json(codec, o, status);
  BOOST_REQUIRE(changed);
  auto after = object_to_json(codec, *changed, 17);
  BOOST_TEST(after["status"]["phase"] == "Succeeded");
  BOOST_TEST(after["status"]["containerStatuses"] == whole["status"]["containerStatuses"]);
  BOOST_TEST(after["spec"] == whole["spec"]);
  BOOST_TEST(after["metadata"] == whole["metadata"]);

  auto cleared = with_status_from_json(codec, o, nullptr);
  BOOST_REQUIRE(cleared);
  BOOST_TEST(!object_to_json(codec, *cleared, 17)["status"].contains("phase"));
  BOOST_TEST(!with_status_from_json(codec, o, json{{"phase", 3}}));  // a shape error
}

// A running pod as `kubectl get pod -o json` shows one (tests/api/fixtures/pod.json: the
// fields our schema has, restartCount 0 and imageID "" as Kubernetes writes them, escapes in an
// annotation) decodes and encodes back field for field.
BOOST_AUTO_TEST_CASE(a_pod_as_kubernetes_writes_it_round_trips_field_for_field) {
  std::ifstream in(std::string(CRATON_SOURCE_DIR) + "/tests/api/fixtures/pod.json");
  BOOST_REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  auto want = json::parse(text.str());
  KubeJson codec;
  auto object = object_from_json(codec, kind("pods"), want);
  BOOST_REQUIRE_MESSAGE(object.ok(), (object ? "" : object.error().message));
  auto got = json::parse(object_to_json_text(codec, *object, 1234));
  BOOST_TEST(got == want, "\nwant " << want.dump() << "\ngot  " << got.dump());
}
