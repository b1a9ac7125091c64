// Pod, Node, Service and Endpoints through the API service (actors/api/kinds/pod_kind.cpp,
// cluster_kinds.cpp, pod_spec.cpp; server/api_subresources.cpp): Kubernetes-documented
// objects round-trip with kube-apiserver's defaults added, bad objects are 422 with the
// fields named and store nothing, tables read as kubectl prints them, and the pod
// subresources (binding, eviction) and Priority admission behave as on Kubernetes.
#define BOOST_TEST_MODULE api_core_kinds
#include <boost/test/unit_test.hpp>

#include "tests/api/api_fixture.hpp"

using namespace craton;
using namespace craton::api;
using namespace craton::api::testing;

namespace {

const std::string kPods = "/api/v1/namespaces/default/pods";
const std::string kTable = "application/json;as=Table;g=meta.k8s.io;v=v1";

// The pod of Kubernetes' "Configure a Pod" pages, with a bit of everything a spec holds.
json web_pod() {
  return json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {
      "containers": [{
        "name": "nginx", "image": "nginx:1.14.2",
        "ports": [{"containerPort": 80, "name": "http"}],
        "env": [{"name": "MODE", "value": "prod"},
                {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
        "resources": {"requests": {"cpu": "250m"}, "limits": {"memory": "128Mi", "cpu": 0.5}},
        "volumeMounts": [{"name": "config", "mountPath": "/etc/nginx/conf.d", "readOnly": true}],
        "livenessProbe": {"httpGet": {"port": "http"}, "initialDelaySeconds": 3},
        "readinessProbe": {"tcpSocket": {"port": 80}}
      }],
      "volumes": [{"name": "config", "configMap": {"name": "nginx-conf"}},
                  {"name": "scratch"}],
      "nodeSelector": {"disktype": "ssd"},
      "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "web",
                       "effect": "NoSchedule"}],
      "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [
          {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["a", "b"]}]}]}},
        "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{
          "weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
            "labelSelector": {"matchLabels": {"app": "web"}}}}]}},
      "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
        "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"app": "web"}}}]
    }
  })");
}

std::vector<std::string> fields_of(const HttpResponse& r) {
  std::vector<std::string> out;
  auto status = body(r);  // (not a range-for over a temporary's member: it would dangle)
  for (const auto& c : status["details"]["causes"]) out.push_back(c.value("field", ""));
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_documented_pod_round_trips_with_kubernetes_defaults) {
  Fixture f;
  auto in = web_pod();
  in["metadata"]["creationTimestamp"] = nullptr;  // as kubectl and client-go write "unset"
  auto created = f.call("POST", kPods, in.dump());
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  auto pod = body(created);
  // What was given comes back as given.
  BOOST_TEST(pod["spec"]["affinity"] == in["spec"]["affinity"]);
  BOOST_TEST(pod["spec"]["topologySpreadConstraints"] == in["spec"]["topologySpreadConstraints"]);
  BOOST_TEST(pod["spec"]["nodeSelector"] == in["spec"]["nodeSelector"]);
  BOOST_TEST(pod["spec"]["containers"][0]["env"] == in["spec"]["containers"][0]["env"]);
  BOOST_TEST(pod["spec"]["containers"][0]["livenessProbe"]["httpGet"]["port"] == "http");
  BOOST_TEST(pod["spec"]["containers"][0]["readinessProbe"]["tcpSocket"]["port"] == 80);
  // kube-apiserver's defaults.
  const auto& spec = pod["spec"];
  BOOST_TEST(spec["restartPolicy"] == "Always");
  BOOST_TEST(spec["terminationGracePeriodSeconds"] == 30);
  BOOST_TEST(spec["dnsPolicy"] == "ClusterFirst");
  BOOST_TEST(spec["schedulerName"] == "default-scheduler");
  BOOST_TEST(spec["serviceAccountName"] == "default");
  BOOST_TEST(spec["enableServiceLinks"] == true);
  BOOST_TEST(spec["priority"] == 0);
  BOOST_TEST(spec["securityContext"] == json::object());
  const auto& c = spec["containers"][0];
  BOOST_TEST(c["imagePullPolicy"] == "IfNotPresent");
  BOOST_TEST(c["terminationMessagePath"] == "/dev/termination-log");
  BOOST_TEST(c["terminationMessagePolicy"] == "File");
  BOOST_TEST(c["ports"][0]["protocol"] == "TCP");
  BOOST_TEST(c["livenessProbe"]["httpGet"]["path"] == "/");
  BOOST_TEST(c["livenessProbe"]["httpGet"]["scheme"] == "HTTP");
  BOOST_TEST(c["livenessProbe"]["periodSeconds"] == 10);
  BOOST_TEST(c["livenessProbe"]["timeoutSeconds"] == 1);
  BOOST_TEST(c["livenessProbe"]["failureThreshold"] == 3);
  // Quantities canonical (0.5 -> "500m"), requests filled from limits.
  BOOST_TEST(c["resources"]["limits"] == json({{"cpu", "500m"}, {"memory", "128Mi"}}));
  BOOST_TEST(c["resources"]["requests"] == json({{"cpu", "250m"}, {"memory", "128Mi"}}));
  BOOST_TEST(spec["volumes"][0]["configMap"]["defaultMode"] == 420);
  BOOST_TEST(spec["volumes"][1]["emptyDir"] == json::object());
  // DefaultTolerationSeconds: not-ready and unreachable, five minutes.
  BOOST_TEST(spec["tolerations"].size() == 3u);
  BOOST_TEST(spec["tolerations"][1]["key"] == "node.kubernetes.io/not-ready");
  BOOST_TEST(spec["tolerations"][1]["tolerationSeconds"] == 300);
  BOOST_TEST(pod["status"]["phase"] == "Pending");
  BOOST_TEST(pod["status"]["qosClass"] == "Burstable");
  // :latest and untagged images are always pulled.
  auto latest = web_pod();
  latest["metadata"]["name"] = "latest";
  latest["spec"]["containers"][0]["image"] = "registry:5000/nginx";
  BOOST_TEST(body(f.call("POST", kPods,
                         latest.dump()))["spec"]["containers"][0]["imagePullPolicy"] == "Always");
}

BOOST_AUTO_TEST_CASE(bad_pods_name_every_field_and_store_nothing) {
  Fixture f;
  auto writes = f.store.writes;
  auto pod = web_pod();
  pod["spec"]["containers"].push_back(
      {{"name", "nginx"}, {"volumeMounts", {{{"name", "missing"}, {"mountPath", "/x"}}}}});
  pod["spec"]["containers"][0]["resources"]["requests"]["memory"] = "1Gi";
  pod["spec"]["restartPolicy"] = "Sometimes";
  pod["spec"]["tolerations"][0]["operator"] = "Exists";
  pod["spec"]["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]
     ["weight"] = 101;
  pod["spec"]["containers"][0]["ports"][0]["containerPort"] = 70000;
  pod["spec"]["containers"][0]["env"][0]["name"] = "1BAD";
  auto r = f.call("POST", kPods, pod.dump());
  BOOST_TEST(r.status == 422);
  auto fields = fields_of(r);
  BOOST_TEST(has(fields, "spec.containers[1].name"));  // duplicate
  BOOST_TEST(has(fields, "spec.containers[1].image"));
  BOOST_TEST(has(fields, "spec.containers[1].volumeMounts[0].name"));
  BOOST_TEST(has(fields, "spec.containers[0].resources.requests"));  // above the limit
  BOOST_TEST(has(fields, "spec.restartPolicy"));
  BOOST_TEST(has(fields, "spec.tolerations[0].operator"));
  BOOST_TEST(has(fields,
                 "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]"
                 ".weight"));
  BOOST_TEST(has(fields, "spec.containers[0].ports[0].containerPort"));
  BOOST_TEST(has(fields, "spec.containers[0].env[0].name"));
  BOOST_TEST(body(r)["message"].get<std::string>().find("Pod \"web\" is invalid") == 0u);
  auto empty = json{{"metadata", {{"name", "empty"}}}, {"spec", json::object()}};
  BOOST_TEST(has(fields_of(f.call("POST", kPods, empty.dump())), "spec.containers"));
  auto bad_quantity = web_pod();
  bad_quantity["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "lots";
  BOOST_TEST(has(fields_of(f.call("POST", kPods, bad_quantity.dump())),
                 "spec.containers[0].resources.limits[cpu]"));
  auto wrong_shape = web_pod();
  wrong_shape["spec"]["containers"][0]["ports"][0]["containerPort"] = "eighty";
  BOOST_TEST(f.call("POST", kPods, wrong_shape.dump()).status == 400);
  BOOST_TEST(f.store.writes == writes);
}

BOOST_AUTO_TEST_CASE(a_pod_spec_is_immutable_but_for_images) {
  Fixture f;
  auto pod = body(f.call("POST", kPods, web_pod().dump()));
  pod["spec"]["containers"][0]["image"] = "nginx:1.16.1";
  auto updated = f.call("PUT", kPods + "/web", pod.dump());
  BOOST_TEST_REQUIRE(updated.status == 200, updated.body);
  pod = body(updated);
  pod["spec"]["containers"][0]["command"] = json::array({"sh"});
  auto refused = f.call("PUT", kPods + "/web", pod.dump());
  BOOST_TEST(refused.status == 422);
  BOOST_TEST(body(refused)["message"].get<std::string>().find("pod updates may not change") !=
             std::string::npos);
  // A merge patch of labels is a metadata change: allowed.
  auto labelled = f.call("PATCH", kPods + "/web", R"({"metadata":{"labels":{"tier":"front"}}})",
                         "application/merge-patch+json");
  BOOST_TEST(labelled.status == 200);
}

BOOST_AUTO_TEST_CASE(the_pod_table_reads_as_kubectl_prints_it) {
  Fixture f;
  f.call("POST", kPods, web_pod().dump());
  auto status = json::parse(R"({"status": {
    "phase": "Running", "podIP": "10.244.1.7", "podIPs": [{"ip": "10.244.1.7"}],
    "conditions": [{"type": "Ready", "status": "True"}],
    "containerStatuses": [{"name": "nginx", "ready": true, "restartCount": 2,
      "state": {"running": {"startedAt": "2027-01-15T07:55:00Z"}},
      "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2027-01-15T07:55:00Z"}}}]}})");
  f.clock = 1'800'000'000;  // 2027-01-15T08:00:00Z
  auto patched =
      f.call("PATCH", kPods + "/web/status", status.dump(), "application/merge-patch+json");
  BOOST_TEST_REQUIRE(patched.status == 200, patched.body);
  auto table = body(f.call("GET", kPods, "", "", kTable));
  std::vector<std::string> names;
  for (const auto& c : table["columnDefinitions"]) names.push_back(c["name"]);
  BOOST_TEST((names == std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age", "IP",
                                                "Node", "Nominated Node", "Readiness Gates"}));
  auto cells = table["rows"][0]["cells"];
  BOOST_TEST(cells[0] == "web");
  BOOST_TEST(cells[1] == "1/1");
  BOOST_TEST(cells[2] == "Running");
  BOOST_TEST(cells[3] == "2 (5m ago)");
  BOOST_TEST(cells[5] == "10.244.1.7");
  BOOST_TEST(cells[6] == "<none>");
  // A crash-looping container shows its waiting reason; a deleted pod with a finalizer,
  // Terminating.
  status["status"]["containerStatuses"][0]["ready"] = false;
  status["status"]["containerStatuses"][0]["state"] =
      json{{"waiting", {{"reason", "CrashLoopBackOff"}}}};
  f.call("PATCH", kPods + "/web/status", status.dump(), "application/merge-patch+json");
  BOOST_TEST(body(f.call("GET", kPods, "", "", kTable))["rows"][0]["cells"][2] ==
             "CrashLoopBackOff");
  f.call("PATCH", kPods + "/web", R"({"metadata":{"finalizers":["example.com/hold"]}})",
         "application/merge-patch+json");
  f.call("DELETE", kPods + "/web");
  BOOST_TEST(body(f.call("GET", kPods, "", "", kTable))["rows"][0]["cells"][2] == "Terminating");
  // The status subresource changed nothing but status.
  BOOST_TEST(body(f.call("GET", kPods + "/web"))["spec"]["containers"][0]["image"] ==
             "nginx:1.14.2");
}

BOOST_AUTO_TEST_CASE(binding_assigns_a_pod_to_a_node_once) {
  Fixture f;
  f.call("POST", kPods, web_pod().dump());
  auto binding = json{{"apiVersion", "v1"},
                      {"kind", "Binding"},
                      {"metadata", {{"name", "web"}}},
                      {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", "node-1"}}}};
  auto bound = f.call("POST", kPods + "/web/binding", binding.dump());
  BOOST_TEST_REQUIRE(bound.status == 201, bound.body);
  BOOST_TEST(body(bound)["status"] == "Success");
  auto pod = body(f.call("GET", kPods + "/web"));
  BOOST_TEST(pod["spec"]["nodeName"] == "node-1");
  BOOST_TEST(pod["status"]["conditions"][0]["type"] == "PodScheduled");
  BOOST_TEST(pod["status"]["conditions"][0]["status"] == "True");
  binding["target"]["name"] = "node-2";
  auto again = f.call("POST", kPods + "/web/binding", binding.dump());
  BOOST_TEST(again.status == 409);
  BOOST_TEST(body(again)["message"].get<std::string>().find("already assigned to node") !=
             std::string::npos);
  BOOST_TEST(body(f.call("GET", kPods + "?fieldSelector=spec.nodeName=node-1"))["items"].size() ==
             1u);
  BOOST_TEST(f.call("GET", kPods + "/web/binding").status == 405);
  BOOST_TEST(f.call("POST", kPods + "/nobody/binding", binding.dump()).status == 404);
  // nodeName is set once: an update may not move the pod.
  pod["spec"]["nodeName"] = "node-3";
  BOOST_TEST(f.call("PUT", kPods + "/web", pod.dump()).status == 422);
}

BOOST_AUTO_TEST_CASE(binding_annotations_land_on_the_pod) {
  // kube's setPodHostAndAnnotations: the Binding's annotations are added to the pod's, a key
  // in both takes the Binding's value, the others stay.
  Fixture f;
  auto pod = web_pod();
  pod["metadata"]["annotations"] = {{"kept", "yes"}, {"craton.io/gpu-index", "old"}};
  f.call("POST", kPods, pod.dump());
  auto binding =
      json{{"apiVersion", "v1"},
           {"kind", "Binding"},
           {"metadata", {{"name", "web"}, {"annotations", {{"craton.io/gpu-index", "3"}}}}},
           {"target", {{"kind", "Node"}, {"name", "node-1"}}}};
  auto bad = binding;
  bad["metadata"]["annotations"] = {{"not a key!", "x"}};
  auto refused = f.call("POST", kPods + "/web/binding", bad.dump());
  BOOST_TEST(refused.status == 422);
  BOOST_TEST(body(f.call("GET", kPods + "/web"))["spec"].value("nodeName", "") == "");
  auto bound = f.call("POST", kPods + "/web/binding", binding.dump());
  BOOST_TEST_REQUIRE(bound.status == 201, bound.body);
  auto annotations = body(f.call("GET", kPods + "/web"))["metadata"]["annotations"];
  BOOST_TEST(annotations["craton.io/gpu-index"] == "3");
  BOOST_TEST(annotations["kept"] == "yes");
}

BOOST_AUTO_TEST_CASE(priority_comes_from_the_pods_priority_class) {
  Fixture f;
  auto pc = [](const std::string& name, int value, bool global) {
    return json{{"apiVersion", "scheduling.k8s.io/v1"},
                {"kind", "PriorityClass"},
                {"metadata", {{"name", name}}},
                {"value", value},
                {"globalDefault", global}}
        .dump();
  };
  const std::string kClasses = "/apis/scheduling.k8s.io/v1/priorityclasses";
  BOOST_TEST(f.call("POST", kClasses, pc("high", 1000, false)).status == 201);
  // value has no omitempty in Kubernetes: a class of value 0 says so, in GET and LIST.
  BOOST_TEST(f.call("POST", kClasses, pc("zero", 0, false)).status == 201);
  BOOST_TEST(body(f.call("GET", kClasses + "/zero"))["value"] == 0);
  for (const auto& item : body(f.call("GET", kClasses))["items"])
    BOOST_TEST(item.contains("value"));
  auto pod = web_pod();
  pod["spec"]["priorityClassName"] = "high";
  auto high = body(f.call("POST", kPods, pod.dump()));
  BOOST_TEST(high["spec"]["priority"] == 1000);
  BOOST_TEST(high["spec"]["preemptionPolicy"] == "PreemptLowerPriority");
  pod["metadata"]["name"] = "lost";
  pod["spec"]["priorityClassName"] = "missing";
  auto refused = f.call("POST", kPods, pod.dump());
  BOOST_TEST(refused.status == 403);
  BOOST_TEST(body(refused)["message"] ==
             "pods \"lost\" is forbidden: no PriorityClass with name missing was found");
  pod["spec"]["priorityClassName"] = "high";
  pod["spec"]["priority"] = 5;
  BOOST_TEST(f.call("POST", kPods, pod.dump()).status == 403);
  // The global default class applies to pods naming none.
  BOOST_TEST(f.call("POST", kClasses, pc("normal", 10, true)).status == 201);
  auto plain = web_pod();
  plain["metadata"]["name"] = "plain";
  auto defaulted = body(f.call("POST", kPods, plain.dump()));
  BOOST_TEST(defaulted["spec"]["priority"] == 10);
  BOOST_TEST(defaulted["spec"]["priorityClassName"] == "normal");
}

BOOST_AUTO_TEST_CASE(eviction_deletes_a_pod_without_a_budget) {
  Fixture f;
  f.call("POST", kPods, web_pod().dump());
  auto eviction = json{{"apiVersion", "policy/v1"},
                       {"kind", "Eviction"},
                       // kubectl drain's body, nulls and all.
                       {"metadata", {{"name", "web"}, {"creationTimestamp", nullptr}}},
                       {"deleteOptions", {{"gracePeriodSeconds", 0}}}};
  auto evicted = f.call("POST", kPods + "/web/eviction", eviction.dump());
  BOOST_TEST_REQUIRE(evicted.status == 201, evicted.body);
  BOOST_TEST(f.call("GET", kPods + "/web").status == 404);
  BOOST_TEST(f.call("POST", kPods + "/web/eviction", eviction.dump()).status == 404);
  auto wrong = eviction;
  wrong["kind"] = "Binding";
  BOOST_TEST(f.call("POST", kPods + "/web/eviction", wrong.dump()).status == 400);
}

BOOST_AUTO_TEST_CASE(nodes_print_status_roles_and_version) {
  Fixture f;
  auto node = json::parse(R"j({
    "apiVersion": "v1", "kind": "Node",
    "metadata": {"name": "node-1", "labels": {"node-role.kubernetes.io/control-plane": ""}},
    "spec": {"podCIDR": "10.244.1.0/24", "taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]},
    "status": {"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
               "allocatable": {"cpu": "3800m", "memory": "7.5Gi", "pods": "110"},
               "conditions": [{"type": "Ready", "status": "True"}],
               "addresses": [{"type": "InternalIP", "address": "192.168.1.10"}],
               "nodeInfo": {"kubeletVersion": "v1.32.0", "osImage": "Debian GNU/Linux 12 (bookworm)"},
               "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}}}
  })j");
  auto created = f.call("POST", "/api/v1/nodes", node.dump() + "", "application/json");
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  BOOST_TEST(body(created)["status"]["allocatable"]["memory"] == "7680Mi");
  // Kubernetes spells this one field with a capital; it survives the schema and no warning
  // calls it unknown.
  BOOST_TEST(body(created)["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"] == 10250);
  BOOST_TEST(created.warnings.empty());
  auto cells = body(f.call("GET", "/api/v1/nodes", "", "", kTable))["rows"][0]["cells"];
  BOOST_TEST(cells[1] == "Ready");
  BOOST_TEST(cells[2] == "control-plane");
  BOOST_TEST(cells[4] == "v1.32.0");
  BOOST_TEST(cells[5] == "192.168.1.10");
  BOOST_TEST(cells[6] == "<none>");
  f.call("PATCH", "/api/v1/nodes/node-1", R"({"spec":{"unschedulable":true}})",
         "application/merge-patch+json");
  BOOST_TEST(body(f.call("GET", "/api/v1/nodes", "", "", kTable))["rows"][0]["cells"][1] ==
             "Ready,SchedulingDisabled");
  BOOST_TEST(
      body(f.call("GET", "/api/v1/nodes?fieldSelector=spec.unschedulable=true"))["items"].size() ==
      1u);
  auto bad = node;
  bad["metadata"]["name"] = "node-2";
  bad["spec"]["taints"][0]["effect"] = "Sometimes";
  bad["spec"]["podCIDR"] = "10.244.2.0/99";
  auto fields = fields_of(f.call("POST", "/api/v1/nodes", bad.dump()));
  BOOST_TEST(has(fields, "spec.taints[0].effect"));
  BOOST_TEST(has(fields, "spec.podCIDR"));
  // podCIDR is assigned once.
  BOOST_TEST(f.call("PATCH", "/api/v1/nodes/node-1", R"({"spec":{"podCIDR":"10.244.9.0/24"}})",
                    "application/merge-patch+json")
                 .status == 422);
}

BOOST_AUTO_TEST_CASE(services_default_validate_and_print_their_ports) {
  Fixture f;
  const std::string kServices = "/api/v1/namespaces/default/services";
  auto service = json::parse(R"({
    "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
    "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}],
             "clusterIP": "10.96.0.20"}
  })");
  auto created = f.call("POST", kServices, service.dump());
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  auto spec = body(created)["spec"];
  BOOST_TEST(spec["type"] == "ClusterIP");
  BOOST_TEST(spec["sessionAffinity"] == "None");
  BOOST_TEST(spec["ports"][0]["protocol"] == "TCP");
  BOOST_TEST(spec["ports"][0]["targetPort"] == "http");
  BOOST_TEST(spec["clusterIPs"] == json::array({"10.96.0.20"}));
  BOOST_TEST(spec["ipFamilies"] == json::array({"IPv4"}));
  auto node_port = json::parse(R"({
    "metadata": {"name": "edge"},
    "spec": {"type": "NodePort", "ports": [{"port": 443, "nodePort": 30443}]}
  })");
  BOOST_TEST(f.call("POST", kServices, node_port.dump()).status == 201);
  auto table = body(f.call("GET", kServices, "", "", kTable));
  BOOST_TEST(table["rows"][0]["cells"][1] == "NodePort");
  BOOST_TEST(table["rows"][0]["cells"][4] == "443:30443/TCP");
  BOOST_TEST(body(created)["spec"]["ports"][0]["targetPort"].is_string());
  // The cluster's own `kubernetes` service, made with the default namespaces: the first
  // address, https on 443.
  BOOST_TEST(table["rows"][1]["cells"][0] == "kubernetes");
  BOOST_TEST(table["rows"][1]["cells"][2] == "10.96.0.1");
  BOOST_TEST(table["rows"][1]["cells"][4] == "443/TCP");
  BOOST_TEST(table["rows"][2]["cells"][2] == "10.96.0.20");
  BOOST_TEST(table["rows"][2]["cells"][3] == "<none>");
  BOOST_TEST(table["rows"][2]["cells"][4] == "80/TCP");
  BOOST_TEST(table["rows"][2]["cells"][6] == "app=web");
  auto bad = json::parse(R"({
    "metadata": {"name": "bad"},
    "spec": {"type": "Bogus", "ports": [{"port": 80, "nodePort": 30080}, {"port": 0}]}
  })");
  auto fields = fields_of(f.call("POST", kServices, bad.dump()));
  BOOST_TEST(has(fields, "spec.type"));
  BOOST_TEST(has(fields, "spec.ports[0].name"));
  BOOST_TEST(has(fields, "spec.ports[1].port"));
  // Cluster IPs come from 10.96.0.0/12, lowest free first, 10.96.0.1 kept for `kubernetes`.
  auto auto_ip =
      json::parse(R"({"metadata": {"name": "auto"}, "spec": {"ports": [{"port": 53}]}})");
  auto allocated = body(f.call("POST", kServices, auto_ip.dump()));
  BOOST_TEST(body(f.call("GET", kServices + "/edge"))["spec"]["clusterIP"] == "10.96.0.2");
  BOOST_TEST(allocated["spec"]["clusterIP"] == "10.96.0.3");
  BOOST_TEST(f.store.objects.count("/registry/ipaddresses/10.96.0.3") == 1u);
  auto headless = json::parse(
      R"({"metadata": {"name": "db"}, "spec": {"clusterIP": "None", "ports": [{"port": 5432}]}})");
  BOOST_TEST(body(f.call("POST", kServices, headless.dump()))["spec"]["clusterIP"] == "None");
  auto taken = auto_ip;
  taken["metadata"]["name"] = "taken";
  taken["spec"]["clusterIP"] = "10.96.0.3";
  auto refused = f.call("POST", kServices, taken.dump());
  BOOST_TEST(refused.status == 422);
  BOOST_TEST(body(refused)["message"].get<std::string>().find("already allocated") !=
             std::string::npos);
  taken["spec"]["clusterIP"] = "192.168.0.1";
  BOOST_TEST(f.call("POST", kServices, taken.dump()).status == 422);
  // A deleted service's claim is taken over once stale.
  BOOST_TEST(f.call("DELETE", kServices + "/auto").status == 200);
  taken["spec"].erase("clusterIP");
  BOOST_TEST(body(f.call("POST", kServices, taken.dump()))["spec"]["clusterIP"] == "10.96.0.4");
  f.clock += 120;
  taken["metadata"]["name"] = "later";
  BOOST_TEST(body(f.call("POST", kServices, taken.dump()))["spec"]["clusterIP"] == "10.96.0.3");
  // A cluster IP does not change once set.
  auto moved = body(created);
  moved["spec"]["clusterIP"] = "10.96.0.21";
  moved["spec"]["clusterIPs"] = json::array({"10.96.0.21"});
  BOOST_TEST(f.call("PUT", kServices + "/web", moved.dump()).status == 422);
}

BOOST_AUTO_TEST_CASE(endpoints_print_the_first_three_addresses) {
  Fixture f;
  auto endpoints = json::parse(R"({
    "apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "web"},
    "subsets": [{"addresses": [{"ip": "10.244.1.2"}, {"ip": "10.244.1.3"}, {"ip": "10.244.2.2"},
                               {"ip": "10.244.2.3"}],
                 "ports": [{"port": 80}]}]
  })");
  auto created = f.call("POST", "/api/v1/namespaces/default/endpoints", endpoints.dump());
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  auto cells = body(
      f.call("GET", "/api/v1/namespaces/default/endpoints", "", "", kTable))["rows"][0]["cells"];
  BOOST_TEST(cells[1] == "10.244.1.2:80,10.244.1.3:80,10.244.2.2:80 + 1 more...");
  endpoints["metadata"]["name"] = "bad";
  endpoints["subsets"][0]["addresses"][0]["ip"] = "not-an-ip";
  BOOST_TEST(
      has(fields_of(f.call("POST", "/api/v1/namespaces/default/endpoints", endpoints.dump())),
          "subsets[0].addresses[0].ip"));
}

BOOST_AUTO_TEST_CASE(scale_reads_and_writes_a_deployments_replicas) {
  Fixture f;
  const std::string kDeploys = "/apis/apps/v1/namespaces/default/deployments";
  auto deployment = json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}
  })");
  BOOST_TEST_REQUIRE(f.call("POST", kDeploys, deployment.dump()).status == 201);
  auto scale = body(f.call("GET", kDeploys + "/web/scale"));
  BOOST_TEST(scale["kind"] == "Scale");
  BOOST_TEST(scale["apiVersion"] == "autoscaling/v1");
  BOOST_TEST(scale["spec"]["replicas"] == 2);
  BOOST_TEST(scale["status"]["selector"] == "app=web");
  // What `kubectl scale` sends; zero is a count, not "unset".
  auto scaled = f.call("PATCH", kDeploys + "/web/scale", R"({"spec":{"replicas":0}})",
                       "application/merge-patch+json");
  BOOST_TEST_REQUIRE(scaled.status == 200, scaled.body);
  BOOST_TEST(body(scaled)["spec"]["replicas"] == 0);
  auto after = body(f.call("GET", kDeploys + "/web"));
  BOOST_TEST(after["spec"]["replicas"] == 0);
  BOOST_TEST(after["metadata"]["generation"] == 2);
  // PUT with a stale resourceVersion is a conflict; a negative count is invalid.
  BOOST_TEST(f.call("PUT", kDeploys + "/web/scale", scale.dump()).status == 409);
  scale["metadata"]["resourceVersion"] = after["metadata"]["resourceVersion"];
  scale["spec"]["replicas"] = -1;
  auto negative = f.call("PUT", kDeploys + "/web/scale", scale.dump());
  BOOST_TEST(negative.status == 422);
  BOOST_TEST(has(fields_of(negative), "spec.replicas"));
  BOOST_TEST(f.call("GET", kPods + "/web/scale").status == 404);  // pods have no scale
  BOOST_TEST(f.call("DELETE", kDeploys + "/web/scale").status == 405);
}

BOOST_AUTO_TEST_CASE(eviction_respects_the_pods_disruption_budget) {
  Fixture f;
  auto pod = web_pod();
  f.call("POST", kPods, pod.dump());
  f.call("PATCH", kPods + "/web/status", R"({"status":{"phase":"Running"}})",
         "application/merge-patch+json");
  const std::string kBudgets = "/apis/policy/v1/namespaces/default/poddisruptionbudgets";
  auto pdb = json::parse(R"({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
    "metadata": {"name": "web"},
    "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}})");
  BOOST_TEST_REQUIRE(f.call("POST", kBudgets, pdb.dump()).status == 201);
  auto status = [&](int allowed) {
    auto generation = body(f.call("GET", kBudgets + "/web"))["metadata"]["generation"];
    return json{{"status",
                 {{"observedGeneration", generation},
                  {"disruptionsAllowed", allowed},
                  {"currentHealthy", 1},
                  {"desiredHealthy", 1},
                  {"expectedPods", 1}}}}
        .dump();
  };
  f.call("PATCH", kBudgets + "/web/status", status(0), "application/merge-patch+json");
  auto eviction =
      json{{"apiVersion", "policy/v1"}, {"kind", "Eviction"}, {"metadata", {{"name", "web"}}}}
          .dump();
  auto refused = f.call("POST", kPods + "/web/eviction", eviction);
  BOOST_TEST(refused.status == 429);
  BOOST_TEST(body(refused)["details"]["causes"][0]["reason"] == "DisruptionBudget");
  BOOST_TEST(f.call("GET", kPods + "/web").status == 200);
  // One disruption allowed: the eviction spends it and the pod goes.
  f.call("PATCH", kBudgets + "/web/status", status(1), "application/merge-patch+json");
  BOOST_TEST(f.call("POST", kPods + "/web/eviction", eviction).status == 201);
  BOOST_TEST(f.call("GET", kPods + "/web").status == 404);
  auto spent = body(f.call("GET", kBudgets + "/web"))["status"];
  BOOST_TEST(spent.size() > 0u);
  BOOST_TEST(spent.value("disruptionsAllowed", 0) == 0);  // zero is omitted, as int32 zeros are
  BOOST_TEST(spent["disruptedPods"].contains("web"));
}
