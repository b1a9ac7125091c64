// Deployment, ReplicaSet, DaemonSet, Job and PodDisruptionBudget through the API service
// (actors/api/kinds/workload_kinds.cpp): the objects of Kubernetes' documentation come back
// with kube-apiserver's defaults, bad ones are 422 naming each field and store nothing,
// selectors (and a Job's template) cannot change, generation counts spec changes only (and a
// Deployment's annotations), and
// tables read as kubectl prints them.
#define BOOST_TEST_MODULE api_workload_kinds
#include <boost/test/unit_test.hpp>

#include "actors/api/meta/time.hpp"
#include "tests/api/api_fixture.hpp"

using namespace craton;
using namespace craton::api;
using namespace craton::api::testing;

namespace {

const std::string kDeployments = "/apis/apps/v1/namespaces/default/deployments";
const std::string kReplicaSets = "/apis/apps/v1/namespaces/default/replicasets";
const std::string kDaemonSets = "/apis/apps/v1/namespaces/default/daemonsets";
const std::string kJobs = "/apis/batch/v1/namespaces/default/jobs";
const std::string kBudgets = "/apis/policy/v1/namespaces/default/poddisruptionbudgets";
const std::string kTable = "application/json;as=Table;g=meta.k8s.io;v=v1";
const std::string kMerge = "application/merge-patch+json";

// concepts/workloads/controllers/nginx-deployment.yaml
json nginx_deployment() {
  return json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "nginx-deployment", "labels": {"app": "nginx"}},
    "spec": {
      "replicas": 3,
      "selector": {"matchLabels": {"app": "nginx"}},
      "template": {
        "metadata": {"labels": {"app": "nginx"}},
        "spec": {"containers": [{"name": "nginx", "image": "nginx:1.14.2",
                                 "ports": [{"containerPort": 80}]}]}
      }
    }
  })");
}

// controllers/frontend.yaml
json frontend_replicaset() {
  return json::parse(R"({
    "apiVersion": "apps/v1", "kind": "ReplicaSet",
    "metadata": {"name": "frontend", "labels": {"app": "guestbook", "tier": "frontend"}},
    "spec": {
      "replicas": 3,
      "selector": {"matchLabels": {"tier": "frontend"}},
      "template": {
        "metadata": {"labels": {"tier": "frontend"}},
        "spec": {"containers": [{"name": "php-redis",
                                 "image": "us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5"}]}
      }
    }
  })");
}

// controllers/daemonset.yaml (without its volumes)
json fluentd_daemonset() {
  return json::parse(R"({
    "apiVersion": "apps/v1", "kind": "DaemonSet",
    "metadata": {"name": "fluentd-elasticsearch", "labels": {"k8s-app": "fluentd-logging"}},
    "spec": {
      "selector": {"matchLabels": {"name": "fluentd-elasticsearch"}},
      "template": {
        "metadata": {"labels": {"name": "fluentd-elasticsearch"}},
        "spec": {
          "tolerations": [{"key": "node-role.kubernetes.io/control-plane",
                           "operator": "Exists", "effect": "NoSchedule"}],
          "nodeSelector": {"kubernetes.io/os": "linux"},
          "containers": [{"name": "fluentd-elasticsearch",
                          "image": "quay.io/fluentd_elasticsearch/fluentd:v2.5.2",
                          "resources": {"limits": {"memory": "200Mi"},
                                        "requests": {"cpu": "100m", "memory": "200Mi"}}}],
          "terminationGracePeriodSeconds": 30
        }
      }
    }
  })");
}

// controllers/job.yaml
json pi_job() {
  return json::parse(R"json({
    "apiVersion": "batch/v1", "kind": "Job",
    "metadata": {"name": "pi"},
    "spec": {
      "template": {
        "spec": {"containers": [{"name": "pi", "image": "perl:5.34.0",
                                 "command": ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]}],
                 "restartPolicy": "Never"}
      },
      "backoffLimit": 4
    }
  })json");
}

// policy/zookeeper-pod-disruption-budget-minavailable.yaml
json zk_budget() {
  return json::parse(R"({
    "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
    "metadata": {"name": "zk-pdb"},
    "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "zookeeper"}}}
  })");
}

// The fields of a 422's causes, and each cause as "field: message".
std::vector<std::string> fields_of(const HttpResponse& r) {
  std::vector<std::string> out;
  auto status = body(r);
  for (const auto& c : status["details"]["causes"]) out.push_back(c.value("field", ""));
  return out;
}

std::string causes_of(const HttpResponse& r) {
  std::string out;
  auto status = body(r);
  for (const auto& c : status["details"]["causes"])
    out += c.value("field", "") + ": " + c.value("message", "") + "\n";
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Creating `object` is refused with a 422 naming `field` (and nothing is stored).
void expect_invalid(Fixture& f, const std::string& collection, const json& object,
                    const std::string& field, const std::string& message_part = "") {
  auto r = f.call("POST", collection, object.dump());
  BOOST_TEST_REQUIRE(r.status == 422, field << ": " << r.body);
  BOOST_TEST(body(r)["reason"] == "Invalid");
  BOOST_TEST(has(fields_of(r), field), field << " not in\n" << causes_of(r));
  if (!message_part.empty())
    BOOST_TEST(causes_of(r).find(message_part) != std::string::npos, message_part << " not in\n"
                                                                                  << causes_of(r));
  auto name = object["metadata"].value("name", "");
  BOOST_TEST(f.call("GET", collection + "/" + name).status == 404);
}

std::vector<std::string> column_names(const json& table) {
  std::vector<std::string> names;
  for (const auto& c : table["columnDefinitions"]) names.push_back(c["name"]);
  return names;
}

}  // namespace

// ---- Deployment ----

BOOST_AUTO_TEST_CASE(a_documented_deployment_gets_kubernetes_defaults) {
  Fixture f;
  auto created = f.call("POST", kDeployments, nginx_deployment().dump());
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  auto d = body(created);
  BOOST_TEST(d["metadata"]["generation"] == 1);
  BOOST_TEST(d["spec"]["replicas"] == 3);
  BOOST_TEST(d["spec"]["strategy"] == json::parse(R"({"type": "RollingUpdate",
                             "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})"));
  BOOST_TEST(d["spec"]["revisionHistoryLimit"] == 10);
  BOOST_TEST(d["spec"]["progressDeadlineSeconds"] == 600);
  // The template gets the pod spec's defaults.
  const auto& pod = d["spec"]["template"]["spec"];
  BOOST_TEST(pod["restartPolicy"] == "Always");
  BOOST_TEST(pod["dnsPolicy"] == "ClusterFirst");
  BOOST_TEST(pod["terminationGracePeriodSeconds"] == 30);
  BOOST_TEST(pod["schedulerName"] == "default-scheduler");
  BOOST_TEST(pod["containers"][0]["imagePullPolicy"] == "IfNotPresent");
  BOOST_TEST(pod["containers"][0]["ports"][0]["protocol"] == "TCP");
  BOOST_TEST(!pod.contains("serviceAccountName"));  // admission sets that on pods, not templates
  // replicas: 0 is not "unset"; absent is 1. Recreate gets no rollingUpdate.
  auto zero = nginx_deployment();
  zero["metadata"]["name"] = "zero";
  zero["spec"]["replicas"] = 0;
  BOOST_TEST(body(f.call("POST", kDeployments, zero.dump()))["spec"]["replicas"] == 0);
  auto unset = nginx_deployment();
  unset["metadata"]["name"] = "unset";
  unset["spec"].erase("replicas");
  unset["spec"]["strategy"] = {{"type", "Recreate"}};
  auto u = body(f.call("POST", kDeployments, unset.dump()));
  BOOST_TEST(u["spec"]["replicas"] == 1);
  BOOST_TEST(u["spec"]["strategy"] == json({{"type", "Recreate"}}));
}

BOOST_AUTO_TEST_CASE(bad_deployments_name_their_fields_and_store_nothing) {
  Fixture f;
  auto bad = [](auto change) {
    auto d = nginx_deployment();
    change(d);
    return d;
  };
  expect_invalid(f, kDeployments, bad([](json& d) { d["spec"]["selector"] = json::object(); }),
                 "spec.selector", "empty selector is invalid for deployment");
  expect_invalid(f, kDeployments, bad([](json& d) { d["spec"].erase("selector"); }),
                 "spec.selector", "Required value");
  expect_invalid(
      f, kDeployments, bad([](json& d) { d["spec"]["selector"]["matchLabels"]["app"] = "web"; }),
      "spec.template.metadata.labels",
      "Invalid value: map[string]string{\"app\":\"nginx\"}: `selector` does not match template "
      "`labels`");
  expect_invalid(f, kDeployments, bad([](json& d) { d["spec"]["replicas"] = -1; }), "spec.replicas",
                 "must be greater than or equal to 0");
  expect_invalid(f, kDeployments,
                 bad([](json& d) { d["spec"]["template"]["spec"]["restartPolicy"] = "Never"; }),
                 "spec.template.spec.restartPolicy", "supported values: \"Always\"");
  expect_invalid(
      f, kDeployments, bad([](json& d) {
        d["spec"]["strategy"] = {{"type", "Recreate"}, {"rollingUpdate", {{"maxSurge", 1}}}};
      }),
      "spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'");
  expect_invalid(
      f, kDeployments, bad([](json& d) {
        d["spec"]["strategy"]["rollingUpdate"] = {{"maxSurge", 0}, {"maxUnavailable", "0%"}};
      }),
      "spec.strategy.rollingUpdate.maxUnavailable", "may not be 0 when `maxSurge` is 0");
  expect_invalid(f, kDeployments,
                 bad([](json& d) { d["spec"]["strategy"]["rollingUpdate"]["maxSurge"] = "a%"; }),
                 "spec.strategy.rollingUpdate.maxSurge", "a valid percent string");
  expect_invalid(f, kDeployments, bad([](json& d) {
                   d["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] = "120%";
                 }),
                 "spec.strategy.rollingUpdate.maxUnavailable", "must not be greater than 100%");
  expect_invalid(f, kDeployments, bad([](json& d) { d["spec"]["strategy"]["type"] = "BlueGreen"; }),
                 "spec.strategy", "supported values: \"Recreate\", \"RollingUpdate\"");
  expect_invalid(f, kDeployments, bad([](json& d) { d["spec"]["minReadySeconds"] = 700; }),
                 "spec.progressDeadlineSeconds", "must be greater than minReadySeconds");
  // The pod spec's own rules apply under spec.template.spec.
  expect_invalid(f, kDeployments,
                 bad([](json& d) { d["spec"]["template"]["spec"]["containers"] = json::array(); }),
                 "spec.template.spec.containers", "Required value");
}

BOOST_AUTO_TEST_CASE(selectors_of_apps_kinds_are_immutable) {
  Fixture f;
  struct Case {
    std::string collection;
    json object;
  };
  for (auto& c : std::vector<Case>{{kDeployments, nginx_deployment()},
                                   {kReplicaSets, frontend_replicaset()},
                                   {kDaemonSets, fluentd_daemonset()}}) {
    auto created = f.call("POST", c.collection, c.object.dump());
    BOOST_TEST_REQUIRE(created.status == 201, created.body);
    auto changed = body(created);
    auto& labels = changed["spec"]["template"]["metadata"]["labels"];
    labels["extra"] = "yes";
    changed["spec"]["selector"]["matchLabels"]["extra"] = "yes";
    auto name = changed["metadata"]["name"].get<std::string>();
    auto r = f.call("PUT", c.collection + "/" + name, changed.dump());
    BOOST_TEST_REQUIRE(r.status == 422, r.body);
    BOOST_TEST(has(fields_of(r), "spec.selector"), causes_of(r));
    BOOST_TEST(causes_of(r).find("field is immutable") != std::string::npos, causes_of(r));
    BOOST_TEST(
        causes_of(r).find("v1.LabelSelector{MatchLabels:map[string]string{") != std::string::npos,
        causes_of(r));
  }
}

BOOST_AUTO_TEST_CASE(generation_counts_spec_changes_only) {
  Fixture f;
  f.call("POST", kDeployments, nginx_deployment().dump());
  auto path = kDeployments + "/nginx-deployment";
  auto generation = [&] { return body(f.call("GET", path))["metadata"]["generation"]; };
  BOOST_TEST(generation() == 1);
  f.call("PATCH", path, R"({"metadata":{"labels":{"tier":"web"}}})", kMerge);
  BOOST_TEST(generation() == 1);
  auto status = f.call("PATCH", path + "/status", R"({"status":{"readyReplicas":2}})", kMerge);
  BOOST_TEST(status.status == 200, status.body);
  BOOST_TEST(generation() == 1);
  auto image = f.call("PATCH", path,
                      R"({"spec":{"template":{"spec":{"containers":[
                            {"name":"nginx","image":"nginx:1.16.1"}]}}}})",
                      "application/strategic-merge-patch+json");
  BOOST_TEST_REQUIRE(image.status == 200, image.body);
  BOOST_TEST(generation() == 2);
  f.call("PATCH", path, R"({"spec":{"replicas":5}})", kMerge);
  BOOST_TEST(generation() == 3);
  // The same spec again changes nothing.
  f.call("PATCH", path, R"({"spec":{"replicas":5}})", kMerge);
  BOOST_TEST(generation() == 3);
  // A Deployment's annotations count as its spec (kube's strategy: rollbacks live there);
  // a ReplicaSet's do not.
  f.call("PATCH", path, R"({"metadata":{"annotations":{"kubernetes.io/change-cause":"x"}}})",
         kMerge);
  BOOST_TEST(generation() == 4);
}

BOOST_AUTO_TEST_CASE(a_created_workload_starts_with_an_empty_status) {
  Fixture f;
  auto d = nginx_deployment();
  d["status"] = {{"readyReplicas", 3}, {"replicas", 3}};
  auto created = body(f.call("POST", kDeployments, d.dump()));
  BOOST_TEST((!created.contains("status") || created["status"].value("readyReplicas", 0) == 0));
}

BOOST_AUTO_TEST_CASE(deployment_tables_read_as_kubectl_prints_them) {
  Fixture f;
  f.call("POST", kDeployments, nginx_deployment().dump());
  f.call("PATCH", kDeployments + "/nginx-deployment/status",
         R"({"status":{"replicas":3,"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}})",
         kMerge);
  f.clock += 300;
  auto table = body(f.call("GET", kDeployments, "", "", kTable));
  BOOST_TEST(
      (column_names(table) == std::vector<std::string>{"Name", "Ready", "Up-to-date", "Available",
                                                       "Age", "Containers", "Images", "Selector"}));
  BOOST_TEST(table["rows"][0]["cells"] ==
             json::parse(R"(["nginx-deployment", "2/3", 3, 2, "5m", "nginx", "nginx:1.14.2",
                             "app=nginx"])"));
}

// ---- ReplicaSet ----

BOOST_AUTO_TEST_CASE(replicasets_default_replicas_and_check_their_template) {
  Fixture f;
  auto rs = frontend_replicaset();
  rs["spec"].erase("replicas");
  auto created = f.call("POST", kReplicaSets, rs.dump());
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  BOOST_TEST(body(created)["spec"]["replicas"] == 1);
  BOOST_TEST(body(created)["spec"]["template"]["spec"]["restartPolicy"] == "Always");
  auto bad = frontend_replicaset();
  bad["metadata"]["name"] = "bad";
  bad["spec"]["selector"] = json::object();
  bad["spec"]["template"]["spec"]["activeDeadlineSeconds"] = 30;
  expect_invalid(f, kReplicaSets, bad, "spec.selector", "empty selector is invalid for deployment");
  expect_invalid(f, kReplicaSets, bad, "spec.template.spec.activeDeadlineSeconds",
                 "activeDeadlineSeconds in ReplicaSet is not Supported");
  auto expressions = frontend_replicaset();
  expressions["metadata"]["name"] = "expressions";
  expressions["spec"]["selector"] = json::parse(
      R"({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["frontend", "web"]}]})");
  BOOST_TEST(f.call("POST", kReplicaSets, expressions.dump()).status == 201);
  expressions["metadata"]["name"] = "wrong-operator";
  expressions["spec"]["selector"]["matchExpressions"][0]["operator"] = "Near";
  expect_invalid(f, kReplicaSets, expressions, "spec.selector.matchExpressions[0].operator");
}

BOOST_AUTO_TEST_CASE(replicaset_tables_read_as_kubectl_prints_them) {
  Fixture f;
  f.call("POST", kReplicaSets, frontend_replicaset().dump());
  f.call("PATCH", kReplicaSets + "/frontend/status",
         R"({"status":{"replicas":3,"readyReplicas":1}})", kMerge);
  auto table = body(f.call("GET", kReplicaSets, "", "", kTable));
  BOOST_TEST(
      (column_names(table) == std::vector<std::string>{"Name", "Desired", "Current", "Ready", "Age",
                                                       "Containers", "Images", "Selector"}));
  auto cells = table["rows"][0]["cells"];
  BOOST_TEST(cells == json::parse(R"(["frontend", 3, 3, 1, "0s", "php-redis",
      "us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5", "tier=frontend"])"));
  // status.replicas is a field selector of ReplicaSets.
  auto listed = body(f.call("GET", kReplicaSets + "?fieldSelector=status.replicas=3"));
  BOOST_TEST(listed["items"].size() == 1u);
}

// ---- DaemonSet ----

BOOST_AUTO_TEST_CASE(a_documented_daemonset_gets_kubernetes_defaults) {
  Fixture f;
  auto created = f.call("POST", kDaemonSets, fluentd_daemonset().dump());
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  auto ds = body(created);
  BOOST_TEST(ds["spec"]["updateStrategy"] == json::parse(R"({"type": "RollingUpdate",
                             "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})"));
  BOOST_TEST(ds["spec"]["revisionHistoryLimit"] == 10);
  BOOST_TEST(ds["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent");
  BOOST_TEST(ds["metadata"]["generation"] == 1);
}

BOOST_AUTO_TEST_CASE(bad_daemonsets_name_their_fields) {
  Fixture f;
  auto bad = [](auto change) {
    auto d = fluentd_daemonset();
    change(d);
    return d;
  };
  expect_invalid(f, kDaemonSets, bad([](json& d) {
                   d["spec"]["updateStrategy"] = {
                       {"type", "RollingUpdate"},
                       {"rollingUpdate", {{"maxUnavailable", 1}, {"maxSurge", "10%"}}}};
                 }),
                 "spec.updateStrategy.rollingUpdate.maxSurge",
                 "may not be set when maxUnavailable is non-zero");
  expect_invalid(f, kDaemonSets, bad([](json& d) {
                   d["spec"]["updateStrategy"] = {{"rollingUpdate", {{"maxUnavailable", 0}}}};
                 }),
                 "spec.updateStrategy.rollingUpdate.maxUnavailable",
                 "cannot be 0 when maxSurge is 0");
  expect_invalid(f, kDaemonSets,
                 bad([](json& d) { d["spec"]["updateStrategy"]["type"] = "Never"; }),
                 "spec.updateStrategy");
  expect_invalid(f, kDaemonSets, bad([](json& d) { d["spec"]["selector"] = json::object(); }),
                 "spec.selector", "empty selector is invalid for daemonset");
  expect_invalid(f, kDaemonSets,
                 bad([](json& d) { d["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure"; }),
                 "spec.template.spec.restartPolicy");
  // OnDelete takes no rolling update defaults and passes.
  auto on_delete = fluentd_daemonset();
  on_delete["spec"]["updateStrategy"] = {{"type", "OnDelete"}};
  auto created = f.call("POST", kDaemonSets, on_delete.dump());
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  BOOST_TEST(body(created)["spec"]["updateStrategy"] == json({{"type", "OnDelete"}}));
}

BOOST_AUTO_TEST_CASE(daemonset_tables_read_as_kubectl_prints_them) {
  Fixture f;
  f.call("POST", kDaemonSets, fluentd_daemonset().dump());
  f.call("PATCH", kDaemonSets + "/fluentd-elasticsearch/status",
         R"({"status":{"desiredNumberScheduled":2,"currentNumberScheduled":2,"numberReady":1,
                       "updatedNumberScheduled":2,"numberAvailable":1}})",
         kMerge);
  auto table = body(f.call("GET", kDaemonSets, "", "", kTable));
  BOOST_TEST(
      (column_names(table) == std::vector<std::string>{"Name", "Desired", "Current", "Ready",
                                                       "Up-to-date", "Available", "Node Selector",
                                                       "Age", "Containers", "Images", "Selector"}));
  BOOST_TEST(table["rows"][0]["cells"] == json::parse(R"(["fluentd-elasticsearch", 2, 2, 1, 2, 1,
      "kubernetes.io/os=linux", "0s", "fluentd-elasticsearch",
      "quay.io/fluentd_elasticsearch/fluentd:v2.5.2", "name=fluentd-elasticsearch"])"));
}

// ---- Job ----

BOOST_AUTO_TEST_CASE(a_documented_job_gets_defaults_and_a_selector_from_its_uid) {
  Fixture f;
  auto created = f.call("POST", kJobs, pi_job().dump());
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  auto job = body(created);
  auto uid = job["metadata"]["uid"].get<std::string>();
  BOOST_TEST(!uid.empty());
  const auto& spec = job["spec"];
  BOOST_TEST(spec["parallelism"] == 1);
  BOOST_TEST(spec["completions"] == 1);
  BOOST_TEST(spec["backoffLimit"] == 4);
  BOOST_TEST(spec["completionMode"] == "NonIndexed");
  BOOST_TEST(spec["suspend"] == false);
  BOOST_TEST(spec["selector"] ==
             json({{"matchLabels", {{"batch.kubernetes.io/controller-uid", uid}}}}));
  BOOST_TEST(spec["template"]["metadata"]["labels"] ==
             json({{"batch.kubernetes.io/controller-uid", uid},
                   {"batch.kubernetes.io/job-name", "pi"},
                   {"controller-uid", uid},
                   {"job-name", "pi"}}));
  BOOST_TEST(spec["template"]["spec"]["restartPolicy"] == "Never");
  BOOST_TEST(job["metadata"]["generation"] == 1);
  // backoffLimit defaults to 6; parallelism alone leaves completions unset (a work queue).
  auto queue = pi_job();
  queue["metadata"]["name"] = "queue";
  queue["spec"].erase("backoffLimit");
  queue["spec"]["parallelism"] = 2;
  queue["spec"]["template"]["metadata"]["labels"] = {{"app", "queue"}};
  auto q = body(f.call("POST", kJobs, queue.dump()));
  BOOST_TEST(q["spec"]["backoffLimit"] == 6);
  BOOST_TEST(!q["spec"].contains("completions"));
  // A Job without labels takes its template's (those given, not the generated ones).
  BOOST_TEST(q["metadata"]["labels"] == json({{"app", "queue"}}));
}

BOOST_AUTO_TEST_CASE(bad_jobs_name_their_fields) {
  Fixture f;
  auto bad = [](auto change) {
    auto j = pi_job();
    change(j);
    return j;
  };
  expect_invalid(
      f, kJobs, bad([](json& j) { j["spec"]["template"]["spec"].erase("restartPolicy"); }),
      "spec.template.spec.restartPolicy", "Required value: valid values: \"OnFailure\", \"Never\"");
  expect_invalid(f, kJobs, bad([](json& j) { j["spec"]["parallelism"] = -1; }), "spec.parallelism");
  expect_invalid(f, kJobs, bad([](json& j) { j["spec"]["completions"] = -2; }), "spec.completions");
  expect_invalid(f, kJobs, bad([](json& j) { j["spec"]["backoffLimit"] = -1; }),
                 "spec.backoffLimit");
  expect_invalid(f, kJobs, bad([](json& j) { j["spec"]["activeDeadlineSeconds"] = -5; }),
                 "spec.activeDeadlineSeconds");
  expect_invalid(f, kJobs, bad([](json& j) { j["spec"]["completionMode"] = "Sometimes"; }),
                 "spec.completionMode");
  expect_invalid(f, kJobs, bad([](json& j) {
                   j["spec"]["completionMode"] = "Indexed";
                   j["spec"]["parallelism"] = 2;
                 }),
                 "spec.completions", "when completion mode is Indexed");
  // A manual selector must be given, and the generated labels are not faked.
  expect_invalid(f, kJobs, bad([](json& j) { j["spec"]["manualSelector"] = true; }),
                 "spec.selector", "Required value");
  expect_invalid(f, kJobs, bad([](json& j) {
                   j["spec"]["template"]["metadata"]["labels"] = {{"controller-uid", "forged"}};
                 }),
                 "spec.template.metadata.labels[controller-uid]", "must be 'uid-");
}

BOOST_AUTO_TEST_CASE(a_jobs_template_and_completions_are_immutable) {
  Fixture f;
  auto job = body(f.call("POST", kJobs, pi_job().dump()));
  auto put = [&](auto change) {
    auto j = job;
    change(j);
    return f.call("PUT", kJobs + "/pi", j.dump());
  };
  auto image =
      put([](json& j) { j["spec"]["template"]["spec"]["containers"][0]["image"] = "perl"; });
  BOOST_TEST_REQUIRE(image.status == 422, image.body);
  BOOST_TEST(has(fields_of(image), "spec.template"), causes_of(image));
  auto completions = put([](json& j) { j["spec"]["completions"] = 3; });
  BOOST_TEST_REQUIRE(completions.status == 422, completions.body);
  BOOST_TEST(
      causes_of(completions).find("spec.completions: Invalid value: 3: field is immutable") !=
          std::string::npos,
      causes_of(completions));
  auto selector = put([](json& j) { j["spec"]["selector"]["matchLabels"]["job-name"] = "pi"; });
  BOOST_TEST(has(fields_of(selector), "spec.selector"), causes_of(selector));
  // What Kubernetes lets change: parallelism, activeDeadlineSeconds, suspend, labels.
  auto allowed = put([](json& j) {
    j["spec"]["parallelism"] = 0;
    j["spec"]["activeDeadlineSeconds"] = 600;
    j["spec"]["suspend"] = true;
    j["metadata"]["labels"] = {{"team", "math"}};
  });
  BOOST_TEST_REQUIRE(allowed.status == 200, allowed.body);
  BOOST_TEST(body(allowed)["metadata"]["generation"] == 2);
}

BOOST_AUTO_TEST_CASE(a_suspended_job_that_never_started_may_change_where_it_runs) {
  Fixture f;
  auto suspended = pi_job();
  suspended["spec"]["suspend"] = true;
  auto job = body(f.call("POST", kJobs, suspended.dump()));
  job["spec"]["template"]["spec"]["nodeSelector"] = {{"disktype", "ssd"}};
  job["spec"]["template"]["spec"]["tolerations"] =
      json::parse(R"([{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}])");
  job["spec"]["template"]["metadata"]["annotations"] = {{"note", "moved"}};
  auto moved = f.call("PUT", kJobs + "/pi", job.dump());
  BOOST_TEST_REQUIRE(moved.status == 200, moved.body);
  BOOST_TEST(body(moved)["spec"]["template"]["spec"]["nodeSelector"] ==
             json({{"disktype", "ssd"}}));
  // Not its containers, and not once it has started.
  auto changed = body(moved);
  changed["spec"]["template"]["spec"]["containers"][0]["image"] = "perl:5.36";
  BOOST_TEST(f.call("PUT", kJobs + "/pi", changed.dump()).status == 422);
  f.call("PATCH", kJobs + "/pi/status",
         R"({"status":{"startTime":")" + format_rfc3339(f.clock) + R"("}})", kMerge);
  auto started = body(f.call("GET", kJobs + "/pi"));
  started["spec"]["template"]["spec"]["nodeSelector"] = {{"disktype", "hdd"}};
  BOOST_TEST(f.call("PUT", kJobs + "/pi", started.dump()).status == 422);
}

BOOST_AUTO_TEST_CASE(job_tables_read_as_kubectl_1_32_prints_them) {
  Fixture f;
  f.call("POST", kJobs, pi_job().dump());
  auto table = body(f.call("GET", kJobs, "", "", kTable));
  BOOST_TEST(
      (column_names(table) == std::vector<std::string>{"Name", "Status", "Completions", "Duration",
                                                       "Age", "Containers", "Images", "Selector"}));
  auto cells = table["rows"][0]["cells"];
  BOOST_TEST(cells[1] == "Running");
  BOOST_TEST(cells[2] == "0/1");
  BOOST_TEST(cells[3] == "");  // not started
  BOOST_TEST(cells[5] == "pi");
  BOOST_TEST(cells[6] == "perl:5.34.0");
  BOOST_TEST(cells[7].get<std::string>().rfind("batch.kubernetes.io/controller-uid=uid-", 0) == 0);
  // Running for 90 s, then complete after 2m8s.
  auto start = format_rfc3339(f.clock);
  f.call("PATCH", kJobs + "/pi/status", R"({"status":{"startTime":")" + start + R"(","active":1}})",
         kMerge);
  f.clock += 90;
  cells = body(f.call("GET", kJobs, "", "", kTable))["rows"][0]["cells"];
  BOOST_TEST(cells[3] == "90s");
  f.call("PATCH", kJobs + "/pi/status",
         R"({"status":{"active":0,"succeeded":1,"completionTime":")" +
             format_rfc3339(f.clock + 38) +
             R"(","conditions":[{"type":"Complete","status":"True"}]}})",
         kMerge);
  f.clock += 3600;
  cells = body(f.call("GET", kJobs, "", "", kTable))["rows"][0]["cells"];
  BOOST_TEST(cells[1] == "Complete");
  BOOST_TEST(cells[2] == "1/1");
  BOOST_TEST(cells[3] == "2m8s");
  // A work queue run in parallel: "succeeded/1 of parallelism".
  auto queue = pi_job();
  queue["metadata"]["name"] = "queue";
  queue["spec"]["parallelism"] = 3;
  queue["spec"]["suspend"] = true;
  auto queued = f.call("POST", kJobs, queue.dump());
  BOOST_TEST_REQUIRE(queued.status == 201, queued.body);
  auto suspended =
      f.call("PATCH", kJobs + "/queue/status",
             R"({"status":{"conditions":[{"type":"Suspended","status":"True"}]}})", kMerge);
  BOOST_TEST_REQUIRE(suspended.status == 200, suspended.body);
  auto rows = body(f.call("GET", kJobs, "", "", kTable))["rows"];
  BOOST_TEST(rows[1]["cells"][1] == "Suspended");
  BOOST_TEST(rows[1]["cells"][2] == "0/1 of 3");
}

// ---- PodDisruptionBudget ----

BOOST_AUTO_TEST_CASE(budgets_take_one_bound_and_print_na_for_the_other) {
  Fixture f;
  auto created = f.call("POST", kBudgets, zk_budget().dump());
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  BOOST_TEST(body(created)["metadata"]["generation"] == 1);
  // The status counts have no omitempty in Kubernetes: a new budget shows them as 0.
  BOOST_TEST(body(created)["status"]["disruptionsAllowed"] == 0);
  BOOST_TEST(body(created)["status"]["expectedPods"] == 0);
  auto percent = zk_budget();
  percent["metadata"]["name"] = "percent";
  percent["spec"].erase("minAvailable");
  percent["spec"]["maxUnavailable"] = "25%";
  BOOST_TEST(f.call("POST", kBudgets, percent.dump()).status == 201);
  f.call("PATCH", kBudgets + "/zk-pdb/status", R"({"status":{"disruptionsAllowed":1}})", kMerge);
  auto table = body(f.call("GET", kBudgets, "", "", kTable));
  BOOST_TEST(
      (column_names(table) == std::vector<std::string>{"Name", "Min Available", "Max Unavailable",
                                                       "Allowed Disruptions", "Age"}));
  BOOST_TEST(table["rows"][0]["cells"] == json::parse(R"(["percent", "N/A", "25%", 0, "0s"])"));
  BOOST_TEST(table["rows"][1]["cells"] == json::parse(R"(["zk-pdb", "2", "N/A", 1, "0s"])"));
}

BOOST_AUTO_TEST_CASE(bad_budgets_name_their_fields) {
  Fixture f;
  auto bad = [](auto change) {
    auto b = zk_budget();
    change(b);
    return b;
  };
  expect_invalid(f, kBudgets, bad([](json& b) { b["spec"]["maxUnavailable"] = 1; }), "spec",
                 "minAvailable and maxUnavailable cannot be both set");
  expect_invalid(f, kBudgets, bad([](json& b) { b["spec"]["minAvailable"] = -1; }),
                 "spec.minAvailable", "must be greater than or equal to 0");
  expect_invalid(f, kBudgets, bad([](json& b) { b["spec"]["minAvailable"] = "half"; }),
                 "spec.minAvailable", "a valid percent string");
  expect_invalid(f, kBudgets, bad([](json& b) { b["spec"]["minAvailable"] = "150%"; }),
                 "spec.minAvailable", "must not be greater than 100%");
  expect_invalid(f, kBudgets, bad([](json& b) {
                   b["spec"]["selector"] = {{"matchLabels", {{"bad key!", "x"}}}};
                 }),
                 "spec.selector.matchLabels");
  expect_invalid(f, kBudgets,
                 bad([](json& b) { b["spec"]["unhealthyPodEvictionPolicy"] = "Sometimes"; }),
                 "spec.unhealthyPodEvictionPolicy");
  // policy/v1 budgets may change their spec, selector included.
  f.call("POST", kBudgets, zk_budget().dump());
  auto changed = f.call("PATCH", kBudgets + "/zk-pdb",
                        R"({"spec":{"selector":{"matchLabels":{"app":"zk"}}}})", kMerge);
  BOOST_TEST(changed.status == 200, changed.body);
  BOOST_TEST(body(changed)["metadata"]["generation"] == 2);
}
