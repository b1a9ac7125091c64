// Request bodies in YAML and Kubernetes' protobuf: real kubectl 1.32 protobuf bodies decode to the
// JSON the same kubectl prints for the object (--dry-run=client -o json), and bad input of every
// kind (truncated, wrong magic, foreign kinds, deep nesting, huge expansions, several documents)
// is refused with a clear message.
#define BOOST_TEST_MODULE api_request_body
#include <boost/test/included/unit_test.hpp>

#include <string>

#include "actors/api/server/request_body.hpp"
#include "actors/api/server/yaml_body.hpp"
#include "actors/api/wire/protobuf_body.hpp"
#include "tests/api/kubectl_protobuf_bodies.hpp"

using nlohmann::json;
using namespace craton;
using namespace craton::api;
namespace pb = craton::testing::kubectl_protobuf;

namespace {

constexpr std::string_view kProtobuf = "application/vnd.kubernetes.protobuf";

json decoded(std::string_view body) {
  auto j = parse_request_body(kProtobuf, body);
  BOOST_REQUIRE_MESSAGE(j.ok(), (j.ok() ? std::string() : j.error().message));
  return *j;
}

std::string error_of(std::string_view content_type, std::string_view body) {
  auto j = parse_request_body(content_type, body);
  BOOST_REQUIRE_MESSAGE(!j.ok(), ("accepted: " + (j.ok() ? j->dump() : std::string())));
  return j.error().code + ": " + j.error().message;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

// What `kubectl <command> --dry-run=client -o json` prints for the command each body came from.
BOOST_AUTO_TEST_CASE(kubectl_protobuf_bodies_decode_to_the_json_kubectl_would_send) {
  struct Case {
    std::string_view body;
    const char* json;
  };
  const Case
      cases[] =
          {
              {pb::kNamespaceX1,
               R"({"kind":"Namespace","apiVersion":"v1","metadata":{"name":"x1","creationTimestamp":null},"spec":{},"status":{}})"},
              {pb::kConfigMapC1,
               R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c1","creationTimestamp":null},"data":{"a":"b","empty":""}})"},
              {pb::kSecretGenericS1,
               R"({"kind":"Secret","apiVersion":"v1","metadata":{"name":"s1","creationTimestamp":null},"data":{"a":"Yg=="},"type":"Opaque"})"},
              {pb::kSecretDockerRegistryD1,
               R"({"kind":"Secret","apiVersion":"v1","metadata":{"name":"d1","creationTimestamp":null},"data":{".dockerconfigjson":"eyJhdXRocyI6eyJodHRwczovL2luZGV4LmRvY2tlci5pby92MS8iOnsidXNlcm5hbWUiOiJ1IiwicGFzc3dvcmQiOiJwIiwiYXV0aCI6ImRUcHcifX19"},"type":"kubernetes.io/dockerconfigjson"})"},
              {pb::kServiceClusterIpSv1,
               R"({"kind":"Service","apiVersion":"v1","metadata":{"name":"sv1","creationTimestamp":null,"labels":{"app":"sv1"}},"spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080}],"selector":{"app":"sv1"},"type":"ClusterIP"},"status":{"loadBalancer":{}}})"},
              {pb::kServiceNodePortSv2,
               R"({"kind":"Service","apiVersion":"v1","metadata":{"name":"sv2","creationTimestamp":null,"labels":{"app":"sv2"}},"spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080,"nodePort":30080}],"selector":{"app":"sv2"},"type":"NodePort"},"status":{"loadBalancer":{}}})"},
              {pb::kServiceLoadBalancerSv3,
               R"({"kind":"Service","apiVersion":"v1","metadata":{"name":"sv3","creationTimestamp":null,"labels":{"app":"sv3"}},"spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080}],"selector":{"app":"sv3"},"type":"LoadBalancer"},"status":{"loadBalancer":{}}})"},
              {pb::kServiceExternalNameSv4,
               R"({"kind":"Service","apiVersion":"v1","metadata":{"name":"sv4","creationTimestamp":null,"labels":{"app":"sv4"}},"spec":{"selector":{"app":"sv4"},"type":"ExternalName","externalName":"a.b.c"},"status":{"loadBalancer":{}}})"},
              {pb::kServiceAccountSa1,
               R"({"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"sa1","creationTimestamp":null}})"},
              {pb::kDeploymentDep1,
               R"({"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"dep1","creationTimestamp":null,"labels":{"app":"dep1"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"dep1"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"dep1"}},"spec":{"containers":[{"name":"nginx","image":"nginx","ports":[{"containerPort":80}],"resources":{}}]}},"strategy":{}},"status":{}})"},
              {pb::kDeploymentDep0,
               R"({"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"dep0","creationTimestamp":null,"labels":{"app":"dep0"}},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"dep0"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"dep0"}},"spec":{"containers":[{"name":"nginx","image":"nginx","resources":{}}]}},"strategy":{}},"status":{}})"},
              {pb::kPriorityClassPc1,
               R"({"kind":"PriorityClass","apiVersion":"scheduling.k8s.io/v1","metadata":{"name":"pc1","creationTimestamp":null},"value":1000,"description":"d","preemptionPolicy":"PreemptLowerPriority"})"},
              {pb::kPriorityClassPc0,
               R"({"kind":"PriorityClass","apiVersion":"scheduling.k8s.io/v1","metadata":{"name":"pc0","creationTimestamp":null},"value":0,"preemptionPolicy":"Never"})"},
              {pb::kPdbMinAvailable,
               R"({"kind":"PodDisruptionBudget","apiVersion":"policy/v1","metadata":{"name":"pdb1","creationTimestamp":null},"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"a"}}},"status":{"disruptionsAllowed":0,"currentHealthy":0,"desiredHealthy":0,"expectedPods":0}})"},
              {pb::kPdbMaxUnavailable,
               R"({"kind":"PodDisruptionBudget","apiVersion":"policy/v1","metadata":{"name":"pdb2","creationTimestamp":null},"spec":{"selector":{"matchLabels":{"app":"a"}},"maxUnavailable":"50%"},"status":{"disruptionsAllowed":0,"currentHealthy":0,"desiredHealthy":0,"expectedPods":0}})"},
          };
  for (const auto& c : cases) BOOST_TEST(decoded(c.body) == json::parse(c.json));
}

BOOST_AUTO_TEST_CASE(a_job_keeps_its_command_and_the_zero_values_go_would_send) {
  auto job = decoded(pb::kJobJ1);
  BOOST_TEST(job["kind"] == "Job");
  BOOST_TEST(job["apiVersion"] == "batch/v1");
  auto container = job["spec"]["template"]["spec"]["containers"][0];
  BOOST_TEST(container["image"] == "busybox");
  BOOST_TEST(container["command"] == json::array({"echo", "hi"}));
  BOOST_TEST(job["spec"]["template"]["spec"]["restartPolicy"] == "Never");
}

BOOST_AUTO_TEST_CASE(a_kind_without_a_message_is_unsupported_media_type) {
  auto e = error_of(kProtobuf, pb::kClusterRoleR);
  BOOST_TEST(contains(e, "unsupported_media_type: protobuf request bodies of kind \"ClusterRole\""),
             e);
}

BOOST_AUTO_TEST_CASE(wrong_magic_truncation_and_garbage_are_bad_requests) {
  std::string body(pb::kConfigMapC1);
  BOOST_TEST(contains(error_of(kProtobuf, "k8x" + body.substr(3)), "k8s\\x00"));
  BOOST_TEST(contains(error_of(kProtobuf, ""), "k8s\\x00"));
  BOOST_TEST(contains(error_of(kProtobuf, "k8s"), "k8s\\x00"));
  // No strict prefix decodes to a smaller object: each is refused, or (cut between the
  // envelope's trailing empty contentEncoding and contentType, where protobuf cannot tell) is
  // the whole object.
  auto whole = decoded(body);
  for (std::size_t n = 4; n < body.size(); ++n) {
    auto j = parse_request_body(kProtobuf, body.substr(0, n));
    if (j.ok())
      BOOST_TEST(*j == whole, "a prefix of " << n << " bytes decoded: " << j->dump());
    else
      BOOST_TEST(j.error().code == "bad_request", n << ": " << j.error().message);
  }
  BOOST_TEST(contains(error_of(kProtobuf, std::string("k8s\0\xff\xff\xff\xff", 8)), "malformed"));
}

// A field number our .proto lacks (ConfigMap field 9 does not exist) is refused, not dropped.
BOOST_AUTO_TEST_CASE(a_field_the_server_does_not_know_is_refused_by_number) {
  std::string body(pb::kConfigMapC1);
  // The raw ConfigMap is the envelope's field 2: append field 9 (varint 1) to it and grow
  // the raw's length byte (a single byte in this small body, right after the tag 0x12).
  auto raw_tag = body.find('\x12', 4 + 2 + std::size_t(body[5]));
  body[raw_tag + 1] = char(body[raw_tag + 1] + 2);
  body.insert(raw_tag + 2 + std::size_t(body[raw_tag + 1]) - 2, "\x48\x01");
  auto e = error_of(kProtobuf, body);
  BOOST_TEST(contains(e, "field 9 of ConfigMap"), e);
}

std::string varint(std::size_t n) {
  std::string out;
  for (; n >= 0x80; n >>= 7) out += char(0x80 | (n & 0x7f));
  return out + char(n);
}

// k8s\0 + runtime.Unknown{typeMeta{apps/v1, Deployment}, raw}.
std::string deployment_envelope(const std::string& raw) {
  std::string type_meta =
      "\x0a\x07"
      "apps/v1"
      "\x12\x0a"
      "Deployment";
  return std::string("k8s\0", 4) + "\x0a" + varint(type_meta.size()) + type_meta + "\x12" +
         varint(raw.size()) + raw;
}

// Our messages nest about a dozen levels at most, but groups of unknown fields nest as deep as
// the bytes say, and protobuf's parser recurses per level: the depth bound refuses them.
BOOST_AUTO_TEST_CASE(protobuf_nested_deeper_than_the_bound_is_refused) {
  std::string groups(100000, '\x5b');  // field 11, start group, 100000 times
  auto e = error_of(kProtobuf, deployment_envelope(groups));
  BOOST_TEST(contains(e, "bad_request: the protobuf request body is malformed"), e);
  std::string shallow = std::string(3, '\x5b') + std::string(3, '\x5c');  // balanced groups
  e = error_of(kProtobuf, deployment_envelope(shallow));
  BOOST_TEST(contains(e, "field 11 of Deployment"), e);
}

BOOST_AUTO_TEST_CASE(protobuf_bodies_over_the_size_bound_are_refused) {
  std::string body(pb::kConfigMapC1);
  auto j = wire::protobuf_body_to_json(body, {.body_bytes_max = 16});
  BOOST_TEST(!j.ok());
  BOOST_TEST(contains(j.error().message, "larger than 16 bytes"));
}

BOOST_AUTO_TEST_CASE(yaml_bodies_decode_as_kubernetes_reads_them) {
  auto j = parse_request_body("application/yaml; charset=utf-8", R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: game   # a comment
  labels: {app: web, "tier": 'front'}
data:
  quoted: "1"
  plain: x y
  multi: |
    line one
    line two
spec:
  replicas: 3
  hex: 0x1f
  octal: 017
  ratio: 0.5
  on: yes
  off: false
  nothing: ~
  list:
  - a
  - - nested
  - {k: v}
)");
  BOOST_REQUIRE_MESSAGE(j.ok(), (j.ok() ? std::string() : j.error().message));
  BOOST_TEST(*j == json::parse(R"({"apiVersion":"v1","kind":"ConfigMap",
    "metadata":{"name":"game","labels":{"app":"web","tier":"front"}},
    "data":{"quoted":"1","plain":"x y","multi":"line one\nline two\n"},
    "spec":{"replicas":3,"hex":31,"octal":15,"ratio":0.5,"on":true,"off":false,"nothing":null,
            "list":["a",["nested"],{"k":"v"}]}})"));
}

BOOST_AUTO_TEST_CASE(malformed_and_truncated_yaml_are_bad_requests) {
  BOOST_TEST(contains(error_of("application/yaml", "a: [1, 2"),
                      "bad_request: the request body is not valid YAML"));
  BOOST_TEST(contains(error_of("application/yaml", "a: b\n c: d\n- e"), "not valid YAML"));
  BOOST_TEST(contains(error_of("application/yaml", "key: \"unterminated"), "not valid YAML"));
  BOOST_TEST(contains(error_of("application/yaml", ""), "empty"));
  BOOST_TEST(contains(error_of("application/yaml", "? [a, b]\n: c"), "not a scalar"));
}

BOOST_AUTO_TEST_CASE(several_yaml_documents_are_refused) {
  auto e = error_of("application/yaml", "a: 1\n---\nb: 2\n");
  BOOST_TEST(contains(e, "holds 2 YAML documents"), e);
  // A leading or trailing separator alone is still one document.
  BOOST_TEST(parse_request_body("application/yaml", "---\na: 1\n---\n").ok());
}

// Nesting is counted before yaml-cpp, whose parser recurses per level, sees the document.
BOOST_AUTO_TEST_CASE(deeply_nested_yaml_is_refused_before_it_is_parsed) {
  std::string flow(100000, '[');
  BOOST_TEST(contains(error_of("application/yaml", flow), "nests deeper than 64 levels"));
  std::string dashes;
  for (int i = 0; i < 100000; ++i) dashes += "- ";
  BOOST_TEST(contains(error_of("application/yaml", dashes + "x"), "nests deeper"));
  std::string block;
  for (int i = 0; i < 2000; ++i) block += std::string(std::size_t(i), ' ') + "k:\n";
  BOOST_TEST(contains(error_of("application/yaml", block), "nests deeper"));
  // Brackets inside quotes and comments do not count.
  BOOST_TEST(
      parse_request_body("application/yaml", "a: '" + std::string(200, '[') + "' # [[[[").ok());
}

BOOST_AUTO_TEST_CASE(yaml_aliases_that_expand_hugely_are_refused) {
  std::string laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  char previous = 'a';
  for (char name = 'b'; name <= 'j'; ++name, ++previous)
    laughs += std::string(1, name) + ": &" + name + " [*" + previous + ", *" + previous + ", *" +
              previous + ", *" + previous + ", *" + previous + ", *" + previous + ", *" + previous +
              ", *" + previous + ", *" + previous + "]\n";
  BOOST_TEST(laughs.size() < 1000);
  BOOST_TEST(contains(error_of("application/yaml", laughs), "aliases included"));
  // Long scalars repeated by aliases are bounded by bytes.
  std::string big = "a: &a " + std::string(1 << 20, 'x') + "\nb: [*a, *a, *a, *a, *a, *a, *a]\n";
  BOOST_TEST(contains(error_of("application/yaml", big), "bytes (aliases included)"));
  // A few aliases are fine.
  auto j = parse_request_body("application/yaml", "a: &x {k: v}\nb: *x\n");
  BOOST_REQUIRE(j.ok());
  BOOST_TEST((*j)["b"] == json::parse(R"({"k":"v"})"));
}

BOOST_AUTO_TEST_CASE(unknown_media_types_are_unsupported_and_json_still_works) {
  auto e = error_of("text/plain", "{}");
  BOOST_TEST(contains(e, "unsupported_media_type"));
  BOOST_TEST(contains(e, "application/yaml"));
  BOOST_TEST(parse_request_body("", "{\"a\": 1}").ok());
  BOOST_TEST(parse_request_body("Application/JSON", "{\"a\": 1}").ok());
}
