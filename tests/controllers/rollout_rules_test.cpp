// The ReplicaSet's scale-down order and the Deployment's rolling-update bounds
// (actors/controllers/replicaset/pod_ranking.hpp, deployment/fenceposts.hpp), as tables.
#define BOOST_TEST_MODULE controllers_rollout_rules
#include <boost/test/unit_test.hpp>

#include <capnp/message.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "actors/controllers/deployment/fenceposts.hpp"
#include "actors/controllers/replicaset/pod_ranking.hpp"
#include "schemas/api_apps.capnp.h"

using namespace craton;
using namespace craton::controllers;
namespace k8s = craton::schema::k8s;

namespace {

struct PodSpec {
  std::string name;
  std::string node;  // "" : unscheduled
  std::string phase = "Running";
  bool ready = true;
  std::string ready_since = "2027-01-01T00:00:00Z";
  int restarts = 0;
  std::string created = "2027-01-01T00:00:00Z";
  std::string cost;  // pod-deletion-cost annotation, "" for none
};

std::unique_ptr<capnp::MallocMessageBuilder> make_pod(const PodSpec& p) {
  auto m = std::make_unique<capnp::MallocMessageBuilder>();
  auto pod = m->initRoot<k8s::Pod>();
  pod.getMetadata().setName(p.name);
  pod.getMetadata().setCreationTimestamp(p.created);
  if (!p.cost.empty()) {
    auto e = pod.getMetadata().initAnnotations().initEntries(1)[0];
    e.setKey("controller.kubernetes.io/pod-deletion-cost");
    e.setValue(p.cost);
  }
  pod.getSpec().setNodeName(p.node);
  pod.getStatus().setPhase(p.phase);
  auto ready = pod.getStatus().initConditions(1)[0];
  ready.setType("Ready");
  ready.setStatus(p.ready ? "True" : "False");
  ready.setLastTransitionTime(p.ready_since);
  pod.getStatus().initContainerStatuses(1)[0].setRestartCount(p.restarts);
  return m;
}

std::vector<std::string> order(const std::vector<PodSpec>& specs) {
  std::vector<std::unique_ptr<capnp::MallocMessageBuilder>> pods;
  for (const auto& s : specs) pods.push_back(make_pod(s));
  std::vector<k8s::Pod::Reader> readers;
  for (auto& p : pods) readers.push_back(p->getRoot<k8s::Pod>().asReader());
  std::sort(readers.begin(), readers.end(), delete_before);
  std::vector<std::string> names;
  for (auto r : readers) names.push_back(r.getMetadata().getName());
  return names;
}

Result<Fenceposts> fenceposts(std::string surge, std::string unavailable, std::int32_t replicas) {
  capnp::MallocMessageBuilder m;
  auto pair = m.initRoot<k8s::Deployment>().getSpec().getStrategy().getRollingUpdate();
  auto set = [](k8s::IntOrString::Builder b, const std::string& v) {
    if (!v.empty() && v.back() != '%' && std::isdigit(static_cast<unsigned char>(v[0])))
      b.setIntVal(std::stoi(v));
    else
      b.setStrVal(v);
  };
  set(pair.initMaxSurge(), surge);
  set(pair.initMaxUnavailable(), unavailable);
  auto r = pair.asReader();
  return resolve_fenceposts(r.getMaxSurge(), r.getMaxUnavailable(), replicas);
}

}  // namespace

BOOST_AUTO_TEST_CASE(scale_down_deletes_the_least_valuable_pods_first) {
  auto names = order({
      {"running-old", "n1"},
      {"unscheduled", "", "Pending", false},
      {"pending", "n1", "Pending", false},
      {"unknown", "n1", "Unknown", false},
      {"not-ready", "n1", "Running", false},
      {"costly", "n1", "Running", true, "2027-01-01T00:00:00Z", 0, "2027-01-01T00:00:00Z", "100"},
      {"cheap", "n1", "Running", true, "2027-01-01T00:00:00Z", 0, "2027-01-01T00:00:00Z", "-5"},
      {"ready-lately", "n1", "Running", true, "2027-01-02T00:00:00Z"},
      {"restarting", "n1", "Running", true, "2027-01-01T00:00:00Z", 3},
      {"running-new", "n1", "Running", true, "2027-01-01T00:00:00Z", 0, "2027-01-03T00:00:00Z"},
  });
  std::vector<std::string> want{"unscheduled", "pending",      "unknown",    "not-ready",
                                "cheap",       "ready-lately", "restarting", "running-new",
                                "running-old", "costly"};
  BOOST_TEST(names == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(rolling_update_bounds_round_as_kubernetes_does) {
  struct Row {
    std::string surge, unavailable;
    std::int32_t replicas, want_surge, want_unavailable;
  };
  for (const auto& row : std::vector<Row>{
           {"25%", "25%", 10, 3, 2},  // 2.5 up, 2.5 down
           {"25%", "25%", 1, 1, 0},
           {"25%", "25%", 3, 1, 0},
           {"0", "0", 5, 0, 1},  // both 0: one may be unavailable
           {"0%", "0%", 5, 0, 1},
           {"10%", "0", 5, 1, 0},
           {"2", "1", 10, 2, 1},
           {"50%", "50%", 3, 2, 1},
           {"100%", "0", 4, 4, 0},
           {"30%", "30%", 0, 0, 1},
       }) {
    auto f = fenceposts(row.surge, row.unavailable, row.replicas);
    BOOST_REQUIRE(f.ok());
    BOOST_TEST(f->max_surge == row.want_surge, row.surge << " of " << row.replicas);
    BOOST_TEST(f->max_unavailable == row.want_unavailable,
               row.unavailable << " of " << row.replicas);
  }
  for (const auto& bad : {"abc", "%", "-10%", "x10", "1.5%"})
    BOOST_TEST(!fenceposts(bad, "0", 10).ok(), bad);
}
