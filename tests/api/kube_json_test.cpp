// KubeJson (actors/api/convert/): Kubernetes JSON objects, written as the Kubernetes docs show
// them (tests/api/fixtures/), decode into schemas/api_meta.capnp and encode back field for
// field; malformed input is an error and a wrong type is named.
#define BOOST_TEST_MODULE api_kube_json
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "actors/api/convert/kube_json.hpp"
#include "schemas/api_apps.capnp.h"
#include "schemas/api_cluster.capnp.h"
#include "schemas/api_meta.capnp.h"
#include "schemas/api_pod.capnp.h"

using namespace craton;
using namespace craton::api;
namespace k8s = craton::schema::k8s;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(CRATON_SOURCE_DIR) + "/tests/api/fixtures/" + name);
  BOOST_REQUIRE(in);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

template <class T>
void round_trip(const std::string& name) {
  KubeJson json;
  auto text = fixture(name);
  auto message = json.decode<T>(text);
  BOOST_REQUIRE_MESSAGE(message.ok(), (message ? "" : message.error().message));
  auto back = json.encode((*message)->template getRoot<T>().asReader());
  auto want = nlohmann::json::parse(text);
  auto got = nlohmann::json::parse(back);
  BOOST_TEST(got == want, name << "\nwant " << want.dump() << "\ngot  " << got.dump());
}

}  // namespace

BOOST_AUTO_TEST_CASE(kubernetes_objects_round_trip_field_for_field) {
  round_trip<k8s::ConfigMap>("configmap.json");
  round_trip<k8s::Namespace>("namespace.json");
}

BOOST_AUTO_TEST_CASE(decoded_fields_are_typed) {
  KubeJson json;
  auto m = json.decode<k8s::Namespace>(fixture("namespace.json"));
  BOOST_REQUIRE(m.ok());
  auto ns = (*m)->getRoot<k8s::Namespace>();
  BOOST_TEST(ns.getMetadata().getGeneration() == 2);
  BOOST_TEST(ns.getMetadata().getDeletionGracePeriodSeconds() == 30);
  BOOST_TEST(std::string(ns.getStatus().getPhase().cStr()) == "Terminating");
  auto labels = ns.getMetadata().getLabels().getEntries();
  BOOST_REQUIRE(labels.size() == 1u);
  BOOST_TEST(std::string(labels[0].getKey().cStr()) == "kubernetes.io/metadata.name");
}

BOOST_AUTO_TEST_CASE(bad_json_is_an_error_that_says_what) {
  KubeJson json;
  for (auto bad : {"", "{", "{\"metadata\": {\"labels\": {\"a\": 1}}}", "[1,2]",
                   "{\"metadata\": {\"generation\": \"x\"}}",
                   "{\"metadata\": {\"generation\": 1.5}}", "{\"metadata\": \"not an object\"}"}) {
    auto r = json.decode<k8s::ConfigMap>(bad);
    BOOST_TEST(!r.ok(), bad);
    if (!r.ok()) BOOST_TEST(r.error().code == "bad_request");
  }
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "{\"metadata\":";
  deep += "{}";
  for (int i = 0; i < 100; ++i) deep += "}";
  BOOST_TEST(!json.decode<k8s::ConfigMap>(deep).ok());
  // Unknown fields are ignored, as kube-apiserver does without strict decoding.
  auto extra = json.decode<k8s::ConfigMap>("{\"kind\": \"ConfigMap\", \"spec\": {\"x\": 1}}");
  BOOST_REQUIRE(extra.ok());
  BOOST_TEST(json.encode((*extra)->getRoot<k8s::ConfigMap>().asReader()) ==
             "{\"kind\":\"ConfigMap\"}");
}

// The text is written straight from the message: fields in schema order, the codec's escapes
// (quote, backslash, short control escapes, \u00XX for the other control characters), every
// other byte as it is (DEL, UTF-8), int64 as a number.
BOOST_AUTO_TEST_CASE(encoded_text_is_compact_json_in_schema_order_with_the_codecs_escapes) {
  KubeJson json;
  capnp::MallocMessageBuilder m;
  auto cm = m.initRoot<k8s::ConfigMap>();
  cm.setKind("ConfigMap");
  cm.setApiVersion("v1");
  cm.getMetadata().setName("c");
  cm.getMetadata().setGeneration(9007199254740991);
  const std::string value = "a\"b\\c\n\t\x01\x7f caf\xc3\xa9";
  auto data = cm.initData().initEntries(1);
  data[0].setKey("k");
  data[0].setValue(value);
  std::string want =
      "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\","
      "\"generation\":9007199254740991},\"data\":{\"k\":"
      "\"a\\\"b\\\\c\\n\\t\\u0001\x7f caf\xc3\xa9\"}}";
  BOOST_TEST(json.encode(cm.asReader()) == want);
  auto back = json.decode<k8s::ConfigMap>(want);
  BOOST_REQUIRE(back.ok());
  auto entries = (*back)->getRoot<k8s::ConfigMap>().getData().getEntries();
  BOOST_REQUIRE(entries.size() == 1u);
  BOOST_TEST(std::string(entries[0].getValue().cStr()) == value);
}

// Fields are found by their JSON name: $Json.name where there is one (DaemonEndpoint's "Port",
// not its Cap'n Proto name "port"), else the field's own; the answers are the same however
// often and in whatever order schemas are asked (the index is built once per schema).
BOOST_AUTO_TEST_CASE(fields_are_found_by_their_json_name_every_time) {
  auto endpoint = capnp::Schema::from<k8s::Node::DaemonEndpoint>();
  auto meta = capnp::Schema::from<k8s::ObjectMeta>();
  for (int round = 0; round < 3; ++round) {
    auto port = find_json_field(endpoint, "Port");
    BOOST_REQUIRE(port.has_value());
    BOOST_TEST(std::string(port->getProto().getName().cStr()) == "port");
    BOOST_TEST(!find_json_field(endpoint, "port").has_value());
    auto name = find_json_field(meta, "name");
    BOOST_REQUIRE(name.has_value());
    BOOST_TEST(name->getIndex() == meta.getFieldByName("name").getIndex());
    BOOST_TEST(find_json_field(meta, "ownerReferences")->getIndex() ==
               meta.getFieldByName("ownerReferences").getIndex());
    BOOST_TEST(!find_json_field(meta, "nosuchfield").has_value());
    BOOST_TEST(!find_json_field(meta, "").has_value());
  }
}

// decode_parsed takes the values a handler already holds, with the codec's rules: int32 from a
// whole number or a string holding one, int64 from a number only, IntOrString either way, a
// box's null left empty; a wrong type is refused naming where it was, and nothing comes back.
BOOST_AUTO_TEST_CASE(parsed_values_decode_with_the_codecs_rules_and_errors_say_where) {
  KubeJson json;
  auto pod = json.decode_parsed<k8s::Pod>(nlohmann::json::parse(R"({
    "metadata": {"name": "p", "generation": 3.0, "unknown": {"deep": [1, 2]}},
    "spec": {"containers": [{"name": "c", "ports": [{"containerPort": "8080"}, {"containerPort": 81}]}],
             "terminationGracePeriodSeconds": 30}})"));
  BOOST_REQUIRE_MESSAGE(pod.ok(), (pod ? "" : pod.error().message));
  auto p = (*pod)->getRoot<k8s::Pod>();
  BOOST_TEST(p.getMetadata().getGeneration() == 3);
  auto ports = p.getSpec().getContainers()[0].getPorts();
  BOOST_REQUIRE(ports.size() == 2u);
  BOOST_TEST(ports[0].getContainerPort() == 8080);
  BOOST_TEST(ports[1].getContainerPort() == 81);

  auto deployment = json.decode_parsed<k8s::Deployment>(nlohmann::json::parse(
      R"({"spec": {"strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}}}})"));
  BOOST_REQUIRE(deployment.ok());
  auto rolling =
      (*deployment)->getRoot<k8s::Deployment>().getSpec().getStrategy().getRollingUpdate();
  BOOST_TEST(std::string(rolling.getMaxSurge().getStrVal().cStr()) == "25%");
  BOOST_TEST(rolling.getMaxUnavailable().getIntVal() == 1);

  struct Bad {
    const char* json;
    const char* where;
  };
  for (auto bad : {Bad{R"({"metadata": {"generation": "3"}})", "metadata.generation"},
                   Bad{R"({"spec": {"containers": [{"ports": [{}, {"containerPort": 80.5}]}]}})",
                       "spec.containers[0].ports[1].containerPort"},
                   Bad{R"({"spec": {"containers": [{"ports": [{"containerPort": 3000000000}]}]}})",
                       "spec.containers[0].ports[0].containerPort"},
                   Bad{R"({"metadata": {"labels": {"a": true}}})", "metadata.labels"},
                   Bad{R"({"spec": {"containers": {"name": "c"}}})", "spec.containers"}}) {
    auto r = json.decode_parsed<k8s::Pod>(nlohmann::json::parse(bad.json));
    BOOST_REQUIRE_MESSAGE(!r.ok(), bad.json);
    BOOST_TEST(r.error().code == "bad_request");
    BOOST_TEST(r.error().message.find(bad.where) != std::string::npos, r.error().message);
  }
}
