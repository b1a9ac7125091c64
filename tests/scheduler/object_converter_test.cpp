// The converter from the API's Cap'n Proto Pod, Node, Service, ReplicaSet and Namespace to the
// scheduler's model
// (actors/scheduler/framework/object_converter.hpp), fed with Kubernetes JSON through the API's
// own JSON -> Cap'n Proto converter, as objects arrive from the API.
#define BOOST_TEST_MODULE scheduler_object_converter
#include <boost/test/unit_test.hpp>

#include <string>

#include "actors/api/convert/kube_json.hpp"
#include "actors/scheduler/framework/framework.hpp"
#include "actors/scheduler/framework/object_converter.hpp"
#include "actors/scheduler/plugins/default_plugins.hpp"

namespace api = craton::api;
namespace k8s = craton::schema::k8s;
using namespace craton::scheduler;

namespace {

craton::Result<PodInfo> pod_from(const std::string& json, ResourceNames& names) {
  api::KubeJson codec;
  auto message = codec.decode<k8s::Pod>(json);
  BOOST_REQUIRE_MESSAGE(message.ok(), (message.ok() ? "" : message.error().message));
  return ObjectConverter(names).pod((*message)->getRoot<k8s::Pod>().asReader());
}

craton::Result<NodeInfo> node_from(const std::string& json, ResourceNames& names) {
  api::KubeJson codec;
  auto message = codec.decode<k8s::Node>(json);
  BOOST_REQUIRE_MESSAGE(message.ok(), (message.ok() ? "" : message.error().message));
  return ObjectConverter(names).node((*message)->getRoot<k8s::Node>().asReader());
}

template <typename T>
typename T::Reader decoded(const std::string& json, api::KubeJson& codec,
                           std::unique_ptr<capnp::MallocMessageBuilder>& keep) {
  auto message = codec.decode<T>(json);
  BOOST_REQUIRE_MESSAGE(message.ok(), (message.ok() ? "" : message.error().message));
  keep = std::move(*message);
  return keep->getRoot<T>().asReader();
}

}  // namespace

BOOST_AUTO_TEST_CASE(
    effective_request_is_max_of_containers_sum_and_each_init_container_plus_overhead) {
  // Containers: 500m + 250m cpu, 1Gi + (none) memory, 1 + 1 GPUs. Init containers: 1 cpu (more
  // than the 750m sum), 512Mi, 3 GPUs (more than 2). Overhead 100m, 64Mi.
  //   cpu    max(750, 1000) + 100         = 1100m
  //   memory max(1Gi, 512Mi) + 64Mi       = 1088Mi
  //   gpu    max(2, 3)                    = 3
  // Non-zero (scoring): the second container has no memory request -> 200Mi:
  //   memory max(1Gi + 200Mi, 512Mi) + 64Mi = 1288Mi; cpu as above, 1100m.
  ResourceNames names;
  auto pod = pod_from(R"({
    "metadata": {"name": "web", "namespace": "prod", "uid": "u1", "labels": {"app": "web"}},
    "spec": {
      "priority": 1000, "schedulerName": "default-scheduler",
      "containers": [
        {"name": "a", "resources": {"requests": {"cpu": "500m", "memory": "1Gi",
                                                  "nvidia.com/gpu": "1"}},
         "ports": [{"containerPort": 80, "hostPort": 8080}, {"containerPort": 81}]},
        {"name": "b", "resources": {"requests": {"cpu": "250m", "nvidia.com/gpu": "1"}},
         "ports": [{"containerPort": 53, "hostPort": 53, "protocol": "UDP", "hostIP": "10.0.0.1"}]}
      ],
      "initContainers": [
        {"name": "init", "resources": {"requests": {"cpu": "1", "memory": "512Mi",
                                                     "nvidia.com/gpu": "3"}}}
      ],
      "overhead": {"cpu": "100m", "memory": "64Mi"}
    }})",
                      names);
  BOOST_REQUIRE(pod.ok());
  BOOST_TEST(pod->namespace_ == "prod");
  BOOST_TEST(pod->name == "web");
  BOOST_TEST(pod->uid == "u1");
  BOOST_TEST(pod->priority == 1000);
  BOOST_TEST(pod->scheduler_name == "default-scheduler");
  BOOST_TEST(pod->labels.at("app") == "web");
  constexpr std::int64_t Mi = 1024 * 1024;
  BOOST_TEST(pod->requests.milli_cpu == 1100);
  BOOST_TEST(pod->requests.memory_bytes == 1088 * Mi);
  BOOST_TEST(pod->requests.pods == 1);
  const ResourceId* gpu = names.find("nvidia.com/gpu");
  BOOST_REQUIRE(gpu != nullptr);
  BOOST_TEST(pod->requests.get(*gpu) == 3);
  BOOST_TEST(pod->non_zero_milli_cpu == 1100);
  BOOST_TEST(pod->non_zero_memory_bytes == 1288 * Mi);
  BOOST_REQUIRE(pod->host_ports.size() == 2u);  // the port without hostPort is not one
  BOOST_TEST(pod->host_ports[0].port == 8080);
  BOOST_TEST(static_cast<int>(pod->host_ports[1].protocol) == static_cast<int>(PortProtocol::udp));
  BOOST_TEST(pod->host_ports[1].ip == "10.0.0.1");
}

BOOST_AUTO_TEST_CASE(a_pod_without_requests_gets_the_non_zero_defaults_for_scoring_only) {
  ResourceNames names;
  auto pod = pod_from(R"({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"},
                           {"name": "b"}]}})",
                      names);
  BOOST_REQUIRE(pod.ok());
  BOOST_TEST(pod->requests.milli_cpu == 0);
  BOOST_TEST(pod->requests.memory_bytes == 0);
  BOOST_TEST(pod->non_zero_milli_cpu == 2 * kDefaultMilliCpuRequest);
  BOOST_TEST(pod->non_zero_memory_bytes == 2 * kDefaultMemoryRequestBytes);
  BOOST_TEST(pod->priority == 0);
  BOOST_TEST(!pod->required_node_affinity.has_value());
}

BOOST_AUTO_TEST_CASE(affinity_tolerations_and_spread_are_decoded_once) {
  ResourceNames names;
  auto pod = pod_from(R"({"metadata": {"name": "p", "namespace": "default"}, "spec": {
    "containers": [{"name": "a"}],
    "nodeSelector": {"disk": "ssd"},
    "affinity": {
      "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
          {"matchExpressions": [{"key": "kernel", "operator": "Gt", "values": ["4"]},
                                {"key": "zone", "operator": "In", "values": ["b", "a"]}]},
          {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n9"]}]},
          {"matchExpressions": [{"key": "x", "operator": "Gt", "values": ["not-a-number"]}]},
          {"matchExpressions": [{"key": "x", "operator": "Near", "values": ["1"]}]}
        ]},
        "preferredDuringSchedulingIgnoredDuringExecution": [
          {"weight": 7, "preference": {"matchExpressions": [{"key": "gpu", "operator": "Exists"}]}},
          {"weight": 0, "preference": {"matchExpressions": [{"key": "gpu", "operator": "Exists"}]}},
          {"weight": 3, "preference": {}}
        ]
      },
      "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}
      ]}
    },
    "tolerations": [{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"},
                    {"key": "k", "value": "v", "tolerationSeconds": 30}],
    "topologySpreadConstraints": [{"maxSkew": 2, "topologyKey": "zone",
      "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"app": "web"}}}]
  }})",
                      names);
  BOOST_REQUIRE(pod.ok());
  BOOST_TEST(pod->node_selector.at("disk") == "ssd");
  BOOST_REQUIRE(pod->required_node_affinity.has_value());
  const auto& terms = *pod->required_node_affinity;
  BOOST_REQUIRE(terms.size() == 4u);
  api::Labels fitting = {{"kernel", "5"}, {"zone", "a"}};
  BOOST_TEST(terms[0].matches(fitting, "n1"));
  BOOST_TEST(!terms[0].matches({{"kernel", "3"}, {"zone", "a"}}, "n1"));
  BOOST_TEST(terms[1].matches({}, "n9"));
  BOOST_TEST(!terms[1].matches({}, "n1"));
  BOOST_TEST(!terms[2].valid);  // Gt needs an integer: the term matches nothing
  BOOST_TEST(!terms[2].matches({{"x", "5"}}, "n1"));
  BOOST_TEST(!terms[3].valid);                               // unknown operator
  BOOST_REQUIRE(pod->preferred_node_affinity.size() == 1u);  // weight 0 and empty term dropped
  BOOST_TEST(pod->preferred_node_affinity[0].weight == 7);
  BOOST_REQUIRE(pod->pod_anti_affinity_required.size() == 1u);
  BOOST_TEST(pod->pod_anti_affinity_required[0].topology_key == "kubernetes.io/hostname");
  BOOST_TEST(pod->pod_anti_affinity_required[0].selector->matches({{"app", "web"}}));
  BOOST_TEST(pod->pod_anti_affinity_required[0].namespaces ==
             std::vector<std::string>{"default"});  // the pod's own namespace
  BOOST_REQUIRE(pod->tolerations.size() == 2u);
  BOOST_TEST(static_cast<int>(pod->tolerations[0].op) ==
             static_cast<int>(TolerationOperator::exists));
  BOOST_TEST(static_cast<int>(pod->tolerations[0].effect) ==
             static_cast<int>(TaintEffect::no_schedule));
  BOOST_TEST(static_cast<int>(pod->tolerations[1].op) ==
             static_cast<int>(TolerationOperator::equal));
  BOOST_TEST(pod->tolerations[1].toleration_seconds.value_or(-1) == 30);
  BOOST_REQUIRE(pod->topology_spread_constraints.size() == 1u);
  BOOST_TEST(pod->topology_spread_constraints[0].max_skew == 2);
  BOOST_TEST(static_cast<int>(pod->topology_spread_constraints[0].when_unsatisfiable) ==
             static_cast<int>(WhenUnsatisfiable::schedule_anyway));
}

BOOST_AUTO_TEST_CASE(namespace_selectors_and_the_controller_are_decoded) {
  ResourceNames names;
  auto pod = pod_from(R"({"metadata": {"name": "p", "namespace": "default",
    "ownerReferences": [
      {"apiVersion": "v1", "kind": "ConfigMap", "name": "cm", "uid": "u0"},
      {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "u1",
       "controller": true}]},
    "spec": {"containers": [{"name": "a"}], "affinity": {"podAffinity": {
      "requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "zone",
         "namespaceSelector": {"matchLabels": {"team": "b"}}, "namespaces": ["x"]},
        {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "zone",
         "namespaceSelector": {}}]}}}})",
                      names);
  BOOST_REQUIRE(pod.ok());
  BOOST_REQUIRE(pod->controller.has_value());
  BOOST_TEST(pod->controller->name == "web-1");
  BOOST_TEST(static_cast<int>(pod->controller->kind) ==
             static_cast<int>(ControllerKind::replica_set));
  const auto& terms = pod->pod_affinity_required;
  BOOST_REQUIRE(terms.size() == 2u);
  BOOST_TEST(terms[0].namespaces == std::vector<std::string>{"x"});  // no own namespace added
  BOOST_TEST(!terms[0].all_namespaces);
  BOOST_REQUIRE(terms[0].namespace_selector.has_value());
  PodInfo db;
  db.labels = {{"app", "db"}};
  db.namespace_ = "ns-b";
  api::Labels team_b = {{"team", "b"}}, team_c = {{"team", "c"}};
  BOOST_TEST(terms[0].selects(db, &team_b));
  BOOST_TEST(!terms[0].selects(db, &team_c));
  BOOST_TEST(!terms[0].selects(db));    // namespace labels unknown
  BOOST_TEST(terms[1].all_namespaces);  // empty: every namespace
  BOOST_TEST(!terms[1].namespace_selector.has_value());
  BOOST_TEST(terms[1].selects(db));
}

BOOST_AUTO_TEST_CASE(a_node_becomes_a_node_info_with_taint_reasons_and_allocatable) {
  ResourceNames names;
  auto node = node_from(R"({
    "metadata": {"name": "n1", "labels": {"zone": "a"}},
    "spec": {"unschedulable": true,
             "taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"},
                        {"key": "soft", "effect": "PreferNoSchedule"}]},
    "status": {"allocatable": {"cpu": "3500m", "memory": "16Gi", "pods": "110",
                               "ephemeral-storage": "100G", "nvidia.com/gpu": "4"}}})",
                        names);
  BOOST_REQUIRE(node.ok());
  BOOST_TEST(node->name() == "n1");
  BOOST_TEST(node->labels().at("zone") == "a");
  BOOST_TEST(node->unschedulable());
  BOOST_TEST(node->allocatable().milli_cpu == 3500);
  BOOST_TEST(node->allocatable().memory_bytes == 16LL * 1024 * 1024 * 1024);
  BOOST_TEST(node->allocatable().pods == 110);
  BOOST_TEST(node->allocatable().ephemeral_storage_bytes == 100'000'000'000LL);
  BOOST_TEST(node->allocatable().get(*names.find("nvidia.com/gpu")) == 4);
  BOOST_REQUIRE(node->taints().size() == 2u);
  BOOST_TEST(node->taints()[0].untolerated_reason ==
             "node(s) had untolerated taint {dedicated: gpu}");
  BOOST_TEST(static_cast<int>(node->taints()[1].effect) ==
             static_cast<int>(TaintEffect::prefer_no_schedule));
}

BOOST_AUTO_TEST_CASE(a_malformed_quantity_is_an_error_naming_the_object) {
  ResourceNames names;
  auto pod = pod_from(R"({"metadata": {"name": "p", "namespace": "ns"}, "spec": {"containers": [
                           {"name": "a", "resources": {"requests": {"cpu": "lots"}}}]}})",
                      names);
  // The JSON converter keeps quantities as text; the scheduler's converter parses them.
  BOOST_REQUIRE(!pod.ok());
  BOOST_TEST(pod.error().message.find("pod ns/p container a: cpu") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(node_info_keeps_requested_equal_to_its_pods) {
  ResourceNames names;
  auto node =
      node_from(R"({"metadata": {"name": "n"}, "status": {"allocatable": {"cpu": "4"}}})", names);
  BOOST_REQUIRE(node.ok());
  auto p1 = pod_from(R"({"metadata": {"name": "a", "uid": "a"}, "spec": {"containers": [
      {"name": "c", "resources": {"requests": {"cpu": "1"}},
       "ports": [{"containerPort": 1, "hostPort": 8080}]}]}})",
                     names);
  BOOST_REQUIRE(p1.ok());
  auto generation = node->generation();
  node->add_pod(std::make_shared<PodInfo>(*p1));
  BOOST_TEST(node->generation() > generation);
  BOOST_TEST(node->requested().milli_cpu == 1000);
  BOOST_TEST(node->requested().pods == 1);
  BOOST_TEST(node->used_ports().size() == 1u);
  BOOST_TEST(!node->remove_pod("nope"));
  generation = node->generation();
  BOOST_TEST(node->remove_pod("a"));
  BOOST_TEST(node->generation() > generation);
  BOOST_TEST(node->requested().milli_cpu == 0);
  BOOST_TEST(node->used_ports().empty());
  BOOST_TEST(node->pods().empty());
}

BOOST_AUTO_TEST_CASE(objects_from_json_are_placed_by_the_default_profile) {
  // n1 in zone a; n2 in zone b, tainted; n3 in zone b with 1 cpu. A pod needing 2 cpu in zone b
  // that tolerates the taint goes to n2; without the toleration every node refuses it, each
  // for its own reason.
  ResourceNames names;
  std::vector<NodeInfo> nodes;
  for (auto json : {
           R"({"metadata": {"name": "n1", "labels": {"zone": "a"}},
               "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}})",
           R"({"metadata": {"name": "n2", "labels": {"zone": "b"}},
               "spec": {"taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]},
               "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}})",
           R"({"metadata": {"name": "n3", "labels": {"zone": "b"}},
               "status": {"allocatable": {"cpu": "1", "memory": "8Gi", "pods": "110"}}})"}) {
    auto node = node_from(json, names);
    BOOST_REQUIRE(node.ok());
    nodes.push_back(std::move(*node));
  }
  std::vector<const NodeInfo*> list;
  for (const auto& n : nodes) list.push_back(&n);
  const std::string spec =
      R"("containers": [{"name": "c", "resources": {"requests": {"cpu": "2"}}}],
      "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
        {"nodeSelectorTerms": [{"matchExpressions": [
          {"key": "zone", "operator": "In", "values": ["b"]}]}]}}})";
  auto tolerant =
      pod_from(R"({"metadata": {"name": "t", "namespace": "default"}, "spec": {)" + spec +
                   R"(, "tolerations": [{"key": "dedicated", "operator": "Exists"}]}})",
               names);
  auto plain = pod_from(
      R"({"metadata": {"name": "p", "namespace": "default"}, "spec": {)" + spec + "}}", names);
  BOOST_REQUIRE(tolerant.ok());
  BOOST_REQUIRE(plain.ok());
  auto registry = default_registry();
  auto framework = Framework::create(registry, default_profile(), names);
  BOOST_REQUIRE(framework.ok());
  CycleState s1, s2;
  BOOST_TEST((*framework)->schedule(s1, *tolerant, list, {}).suggested_host == "n2");
  BOOST_TEST((*framework)->schedule(s2, *plain, list, {}).message ==
             "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node "
             "affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}.");
}

// kube's GetPodServices: a Service without a selector selects no pod (skipped, not "every
// pod"); an empty one is kept (it selects every pod and adds no requirement).
BOOST_AUTO_TEST_CASE(a_services_selector_keeps_absent_apart_from_empty) {
  struct Row {
    const char* spec;
    std::optional<api::Labels> selector;
  };
  for (const Row& row :
       {Row{R"({"ports":[{"port":80}]})", std::nullopt}, Row{R"({"selector":{}})", api::Labels{}},
        Row{R"({"selector":{"app":"web"}})", api::Labels{{"app", "web"}}}}) {
    BOOST_TEST_CONTEXT(row.spec) {
      api::KubeJson codec;
      std::unique_ptr<capnp::MallocMessageBuilder> keep;
      auto service = ObjectConverter::service(decoded<k8s::Service>(
          std::string(R"({"apiVersion":"v1","kind":"Service",)") +
              R"("metadata":{"name":"web","namespace":"shop"},"spec":)" + row.spec + "}",
          codec, keep));
      BOOST_TEST(service.namespace_ == "shop");
      BOOST_TEST(service.name == "web");
      BOOST_TEST((service.selector == row.selector));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_replica_sets_selector_and_a_namespaces_labels_are_decoded) {
  api::KubeJson codec;
  std::unique_ptr<capnp::MallocMessageBuilder> keep_rs, keep_ns;
  auto selector = ObjectConverter::replica_set_selector(decoded<k8s::ReplicaSet>(
      R"({"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"web-1"},
          "spec":{"selector":{"matchLabels":{"app":"web"},
                  "matchExpressions":[{"key":"tier","operator":"In","values":["b","a"]}]}}})",
      codec, keep_rs));
  BOOST_TEST(selector.requirements().size() == 2u);
  BOOST_TEST(selector.matches(api::Labels{{"app", "web"}, {"tier", "a"}}));
  BOOST_TEST(!selector.matches(api::Labels{{"app", "web"}, {"tier", "c"}}));
  BOOST_TEST(!selector.matches(api::Labels{{"tier", "a"}}));
  auto ns = ObjectConverter::namespace_labels(decoded<k8s::Namespace>(
      R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a","labels":{"team":"a"}}})",
      codec, keep_ns));
  BOOST_TEST(ns.name == "team-a");
  BOOST_TEST((ns.labels == api::Labels{{"team", "a"}}));
}
