// The Node the agent registers and the status it posts (actors/agent/core/node_status.hpp),
// field by field against what kubelet v1.32 writes (pkg/kubelet/nodestatus/setters.go), the
// reservation arithmetic of allocatable, the label rules of --node-labels, and the host's
// figures as read on this machine (actors/agent/linux/host_facts.hpp).
#define BOOST_TEST_MODULE agent_node_status
#include <boost/test/unit_test.hpp>

#include <string>

#include "actors/agent/core/node_object.hpp"
#include "actors/agent/core/node_status.hpp"
#include "actors/agent/linux/host_facts.hpp"
#include "actors/api/convert/kube_json.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_cluster.capnp.h"

using namespace craton::agent;
using nlohmann::json;

namespace {

constexpr std::int64_t kMi = 1024 * 1024;
constexpr std::int64_t kGi = 1024 * kMi;

HostFacts host() {
  HostFacts f;
  f.cpu_cores = 4;
  f.memory_bytes = 8 * kGi;
  f.memory_available_bytes = 6 * kGi;
  f.storage_bytes = 100 * kGi;
  f.storage_available_bytes = 50 * kGi;
  f.kernel_version = "6.1.0-18-amd64";
  f.os_image = "Debian GNU/Linux 12 (bookworm)";
  f.architecture = "amd64";
  f.hostname = "Worker-1";
  f.internal_ip = "10.0.0.7";
  f.machine_id = "0123456789abcdef";
  f.boot_id = "b0075e1d";
  return f;
}

NodeConfig config() {
  NodeConfig c;
  c.name = "worker-1";
  return c;
}

const json& condition(const json& status, const std::string& type) {
  for (const auto& c : status["conditions"])
    if (c["type"] == type) return c;
  BOOST_FAIL("no condition " + type);
  static json none;
  return none;
}

}  // namespace

BOOST_AUTO_TEST_CASE(capacity_is_the_hosts_in_canonical_quantities) {
  auto status = node_status_json(host(), config(), {});
  auto capacity = status["capacity"];
  BOOST_TEST(capacity["cpu"] == "4");
  BOOST_TEST(capacity["memory"] == "8Gi");
  BOOST_TEST(capacity["ephemeral-storage"] == "100Gi");
  BOOST_TEST(capacity["pods"] == "110");
  BOOST_TEST(capacity["hugepages-1Gi"] == "0");
  BOOST_TEST(capacity["hugepages-2Mi"] == "0");
  // Kubelet writes what cadvisor measured, in binary SI.
  BOOST_TEST(byte_quantity(8344072192) == "8148508Ki");
  BOOST_TEST(byte_quantity(1023) == "1023");
  BOOST_TEST(byte_quantity(0) == "0");
}

BOOST_AUTO_TEST_CASE(allocatable_is_capacity_less_reservations_and_eviction_thresholds) {
  auto c = config();
  c.system_reserved = Reservation{100, 256 * kMi, 0};
  c.kube_reserved = Reservation{100, 256 * kMi, kGi};
  auto allocatable = node_status_json(host(), c, {})["allocatable"];
  BOOST_TEST(allocatable["cpu"] == "3800m");
  // 8Gi - 512Mi reserved - 100Mi memory.available threshold.
  BOOST_TEST(allocatable["memory"] == "7580Mi");
  // 100Gi - 1Gi reserved - 10% nodefs.available threshold.
  BOOST_TEST(allocatable["ephemeral-storage"] == "89Gi");
  BOOST_TEST(allocatable["pods"] == "110");
  // Without reservations only the thresholds are held back.
  auto plain = node_status_json(host(), config(), {})["allocatable"];
  BOOST_TEST(plain["cpu"] == "4");
  BOOST_TEST(plain["memory"] == "8092Mi");
}

BOOST_AUTO_TEST_CASE(allocatable_never_goes_below_zero) {
  auto c = config();
  c.system_reserved = Reservation{8000, 16 * kGi, 200 * kGi};
  auto allocatable = node_status_json(host(), c, {})["allocatable"];
  BOOST_TEST(allocatable["cpu"] == "0");
  BOOST_TEST(allocatable["memory"] == "0");
  BOOST_TEST(allocatable["ephemeral-storage"] == "0");
}

BOOST_AUTO_TEST_CASE(conditions_carry_the_kubelets_types_reasons_and_messages_in_order) {
  auto conditions = node_conditions(host(), config(), NodeHealth{});
  BOOST_REQUIRE_EQUAL(conditions.size(), 4u);
  BOOST_TEST(conditions[0].type == "MemoryPressure");
  BOOST_TEST(conditions[0].status == "False");
  BOOST_TEST(conditions[0].reason == "KubeletHasSufficientMemory");
  BOOST_TEST(conditions[0].message == "kubelet has sufficient memory available");
  BOOST_TEST(conditions[1].type == "DiskPressure");
  BOOST_TEST(conditions[1].reason == "KubeletHasNoDiskPressure");
  BOOST_TEST(conditions[1].message == "kubelet has no disk pressure");
  BOOST_TEST(conditions[2].type == "PIDPressure");
  BOOST_TEST(conditions[2].reason == "KubeletHasSufficientPID");
  BOOST_TEST(conditions[2].message == "kubelet has sufficient PID available");
  BOOST_TEST(conditions[3].type == "Ready");
  BOOST_TEST(conditions[3].status == "True");
  BOOST_TEST(conditions[3].reason == "KubeletReady");
  BOOST_TEST(conditions[3].message == "kubelet is posting ready status");
}

BOOST_AUTO_TEST_CASE(pressure_is_true_under_the_eviction_thresholds_and_not_ready_says_why) {
  auto f = host();
  f.memory_available_bytes = 99 * kMi;
  f.storage_available_bytes = 9 * kGi;
  auto conditions = node_conditions(f, config(), NodeHealth{"container runtime is down"});
  BOOST_TEST(conditions[0].status == "True");
  BOOST_TEST(conditions[0].reason == "KubeletHasInsufficientMemory");
  BOOST_TEST(conditions[1].status == "True");
  BOOST_TEST(conditions[1].reason == "KubeletHasDiskPressure");
  BOOST_TEST(conditions[3].status == "False");
  BOOST_TEST(conditions[3].reason == "KubeletNotReady");
  BOOST_TEST(conditions[3].message == "container runtime is down");
}

BOOST_AUTO_TEST_CASE(transition_time_moves_only_when_a_status_changes) {
  ConditionTimes times;
  auto ready = node_conditions(host(), config(), NodeHealth{});
  times.stamp(ready, 1'000'000);
  times.stamp(ready, 1'010'000);
  BOOST_TEST(ready[3].heartbeat_ms == 1'010'000);
  BOOST_TEST(ready[3].transition_ms == 1'000'000);
  auto down = node_conditions(host(), config(), NodeHealth{"runtime down"});
  times.stamp(down, 1'020'000);
  BOOST_TEST(down[3].transition_ms == 1'020'000);
  BOOST_TEST(down[0].transition_ms == 1'000'000);  // MemoryPressure stayed False
  auto status = node_status_json(host(), config(), down);
  BOOST_TEST(condition(status, "Ready")["lastTransitionTime"] == "1970-01-01T00:17:00Z");
  BOOST_TEST(condition(status, "Ready")["lastHeartbeatTime"] == "1970-01-01T00:17:00Z");
}

BOOST_AUTO_TEST_CASE(fingerprint_ignores_heartbeats_but_not_transitions) {
  ConditionTimes times;
  auto a = node_conditions(host(), config(), NodeHealth{});
  times.stamp(a, 1'000'000);
  auto b = a;
  times.stamp(b, 1'060'000);
  BOOST_TEST(status_fingerprint(node_status_json(host(), config(), a)) ==
             status_fingerprint(node_status_json(host(), config(), b)));
  auto c = node_conditions(host(), config(), NodeHealth{"down"});
  times.stamp(c, 1'070'000);
  BOOST_TEST(status_fingerprint(node_status_json(host(), config(), a)) !=
             status_fingerprint(node_status_json(host(), config(), c)));
}

BOOST_AUTO_TEST_CASE(addresses_node_info_and_daemon_endpoints_are_the_kubelets) {
  auto status = node_status_json(host(), config(), {});
  BOOST_TEST(status["addresses"] == json::parse(R"([{"type":"InternalIP","address":"10.0.0.7"},
                             {"type":"Hostname","address":"worker-1"}])"));
  auto info = status["nodeInfo"];
  BOOST_TEST(info["kubeletVersion"] == "v1.32.0-craton");
  BOOST_TEST(info["containerRuntimeVersion"] == "craton://v1.32.0-craton");
  BOOST_TEST(info["kernelVersion"] == "6.1.0-18-amd64");
  BOOST_TEST(info["osImage"] == "Debian GNU/Linux 12 (bookworm)");
  BOOST_TEST(info["operatingSystem"] == "linux");
  BOOST_TEST(info["architecture"] == "amd64");
  BOOST_TEST(info["machineID"] == "0123456789abcdef");
  BOOST_TEST(info["bootID"] == "b0075e1d");
  BOOST_TEST(status["daemonEndpoints"]["kubeletEndpoint"]["Port"] == 10250);
  auto no_ip = host();
  no_ip.internal_ip.clear();
  BOOST_TEST(node_status_json(no_ip, config(), {})["addresses"].size() == 1u);
}

BOOST_AUTO_TEST_CASE(labels_are_the_defaults_then_the_operators) {
  auto c = config();
  c.instance_type = "m5.large";
  c.labels = {{"example.com/rack", "r1"}, {"kubernetes.io/hostname", "alias"}};
  auto labels = node_labels(host(), c);
  BOOST_TEST(labels["kubernetes.io/os"] == "linux");
  BOOST_TEST(labels["kubernetes.io/arch"] == "amd64");
  BOOST_TEST(labels["beta.kubernetes.io/arch"] == "amd64");
  BOOST_TEST(labels["node.kubernetes.io/instance-type"] == "m5.large");
  BOOST_TEST(labels["example.com/rack"] == "r1");
  BOOST_TEST(labels["kubernetes.io/hostname"] == "alias");  // --node-labels win, as kubelet's
  BOOST_TEST(node_labels(host(), config())["kubernetes.io/hostname"] == "worker-1");
  BOOST_TEST(node_labels(host(), config()).count("node.kubernetes.io/instance-type") == 0u);
}

BOOST_AUTO_TEST_CASE(node_config_refuses_what_kubelet_refuses) {
  BOOST_TEST(check_node_config(config()).ok());
  auto bad = [](auto change) {
    auto c = config();
    change(c);
    auto checked = check_node_config(c);
    BOOST_TEST(!checked.ok());
    return checked.ok() ? std::string() : checked.error().message;
  };
  BOOST_TEST(bad([](NodeConfig& c) { c.name = "Worker_1"; }).find("Worker_1") != std::string::npos);
  BOOST_TEST(bad([](NodeConfig& c) {
               c.labels["node-role.kubernetes.io/master"] = "";
             }).find("node-role.kubernetes.io/master") != std::string::npos);
  bad([](NodeConfig& c) { c.labels["k8s.io/x"] = "y"; });
  bad([](NodeConfig& c) { c.labels["bad key!"] = "y"; });
  bad([](NodeConfig& c) { c.taints.push_back({"dedicated", "gpu", "Sometimes"}); });
  bad([](NodeConfig& c) { c.pod_cidr = "10.244.1.0/33"; });
  bad([](NodeConfig& c) { c.system_reserved.cpu_milli = -1; });
  auto fine = config();
  fine.labels = {{"node.kubernetes.io/pool", "a"},
                 {"topology.kubernetes.io/zone", "z1"},
                 {"example.com/x", "y"}};
  BOOST_TEST(check_node_config(fine).ok());
}

BOOST_AUTO_TEST_CASE(the_node_object_decodes_as_the_apis_node) {
  auto c = config();
  c.pod_cidr = "10.244.1.0/24";
  c.taints = {{"dedicated", "gpu", "NoSchedule"}};
  ConditionTimes times;
  auto conditions = node_conditions(host(), c, NodeHealth{});
  times.stamp(conditions, 1'800'000'000'000);
  auto node = node_json(host(), c, conditions);
  BOOST_TEST(node["metadata"]["name"] == "worker-1");
  BOOST_TEST(node["spec"]["podCIDR"] == "10.244.1.0/24");
  BOOST_TEST(node["spec"]["podCIDRs"] == json::array({"10.244.1.0/24"}));
  BOOST_TEST(node["spec"]["taints"][0]["effect"] == "NoSchedule");
  craton::api::KubeJson codec;
  auto decoded = codec.decode<craton::schema::k8s::Node>(node.dump());
  BOOST_REQUIRE_MESSAGE(decoded.ok(), (decoded.ok() ? std::string() : decoded.error().message));
  auto n = (*decoded)->getRoot<craton::schema::k8s::Node>();
  BOOST_TEST(n.getStatus().getConditions().size() == 4u);
  BOOST_TEST(std::string(n.getStatus().getNodeInfo().getKubeletVersion().cStr()) ==
             "v1.32.0-craton");
  BOOST_TEST(std::string(n.getStatus().getConditions()[3].getLastHeartbeatTime().cStr()) ==
             "2027-01-15T08:00:00Z");
}

BOOST_AUTO_TEST_CASE(reservations_parse_as_kubelet_flags) {
  auto r = parse_reservation("cpu=100m,memory=256Mi,ephemeral-storage=1Gi");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->cpu_milli == 100);
  BOOST_TEST(r->memory_bytes == 256 * kMi);
  BOOST_TEST(r->ephemeral_storage_bytes == kGi);
  BOOST_TEST(parse_reservation("").ok());
  BOOST_TEST(!parse_reservation("gpu=1").ok());
  BOOST_TEST(!parse_reservation("cpu").ok());
  BOOST_TEST(!parse_reservation("memory=lots").ok());
  BOOST_TEST(!parse_reservation("cpu=-1").ok());
}

BOOST_AUTO_TEST_CASE(host_texts_parse_as_the_kernel_and_debian_write_them) {
  BOOST_TEST(go_arch("x86_64") == "amd64");
  BOOST_TEST(go_arch("aarch64") == "arm64");
  BOOST_TEST(os_release_pretty_name("NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux "
                                    "12 (bookworm)\"\nID=debian\n") ==
             "Debian GNU/Linux 12 (bookworm)");
  BOOST_TEST(os_release_pretty_name("ID=x\n") == "");
  std::string route =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "eth1\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
      "eth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n";
  BOOST_TEST(default_route_interface(route) == "eth0");
  BOOST_TEST(default_route_interface("Iface\tDestination\n") == "");
}

BOOST_AUTO_TEST_CASE(this_hosts_figures_are_read) {
  HostFactsOptions options;
  options.data_dir = "/tmp";
  auto facts = read_host_facts(options);
  BOOST_REQUIRE_MESSAGE(facts.ok(), (facts.ok() ? std::string() : facts.error().message));
  BOOST_TEST(facts->cpu_cores >= 1);
  BOOST_TEST(facts->memory_bytes > 64 * kMi);
  BOOST_TEST(facts->memory_available_bytes <= facts->memory_bytes);
  BOOST_TEST(facts->storage_bytes > 0);
  BOOST_TEST(!facts->kernel_version.empty());
  BOOST_TEST(!facts->os_image.empty());
  BOOST_TEST(!facts->architecture.empty());
  BOOST_TEST(facts->architecture != "x86_64");
  options.data_dir = "/no/such/dir";
  auto missing = read_host_facts(options);
  BOOST_REQUIRE(!missing.ok());
  BOOST_TEST(missing.error().message.find("/no/such/dir") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_agents_node_message_agrees_with_the_apis_converter) {
  auto c = config();
  c.pod_cidr = "10.244.1.0/24";
  c.labels = {{"example.com/rack", "r1"}};
  c.taints = {{"dedicated", "gpu", "NoSchedule"}, {"spot", "", "NoExecute"}};
  ConditionTimes times;
  auto conditions = node_conditions(host(), c, NodeHealth{});
  times.stamp(conditions, 1'800'000'000'000);
  auto node = node_json(host(), c, conditions);
  auto bytes = node_object_bytes(node);
  BOOST_REQUIRE(bytes.ok());
  auto ours = craton::FlatMessage::open(*bytes);
  BOOST_REQUIRE(ours.ok());
  craton::api::KubeJson codec;
  auto theirs = codec.decode<craton::schema::k8s::Node>(node.dump());
  BOOST_REQUIRE(theirs.ok());
  auto schema = capnp::Schema::from<craton::schema::k8s::Node>();
  BOOST_TEST(codec.encode(ours->root(schema)) ==
             codec.encode((*theirs)->getRoot<capnp::DynamicStruct>(schema).asReader()));
  BOOST_TEST(!node_object_bytes(json{{"metadata", {{"name", 7}}}}).ok());
}

BOOST_AUTO_TEST_CASE(extended_resources_are_advertised_in_capacity_and_allocatable) {
  auto c = config();
  c.system_reserved = Reservation{100, 256 * kMi, 0};
  c.extended_resources = {{"nvidia.com/gpu", 2}, {"craton.io/gpu-milli", 2000}};
  BOOST_TEST(check_node_config(c).ok());
  auto status = node_status_json(host(), c, {});
  for (const char* part : {"capacity", "allocatable"}) {
    BOOST_TEST(status[part]["nvidia.com/gpu"] == "2");
    BOOST_TEST(status[part]["craton.io/gpu-milli"] == "2000");
  }
  // The Node still decodes as the API's, extended resources and all.
  craton::api::KubeJson codec;
  auto decoded = codec.decode<craton::schema::k8s::Node>(node_json(host(), c, {}).dump());
  BOOST_REQUIRE_MESSAGE(decoded.ok(), (decoded.ok() ? std::string() : decoded.error().message));
  auto bad = [](std::string name, std::int64_t count) {
    auto b = config();
    b.extended_resources[name] = count;
    auto checked = check_node_config(b);
    BOOST_TEST(!checked.ok(), name);
    return checked.ok() ? std::string() : checked.error().message;
  };
  BOOST_TEST(bad("gpu", 1).find("domain prefix") != std::string::npos);
  BOOST_TEST(bad("kubernetes.io/gpu", 1).find("kubernetes.io") != std::string::npos);
  bad("x.k8s.io/gpu", 1);
  BOOST_TEST(bad("example.com/fpga", -1).find("negative") != std::string::npos);
}

// The host's internal IP becomes the Node's InternalIP and every pod's status.hostIP, which the
// API refuses when malformed: the agent refuses such a host instead of starting pods whose
// statuses can never be written (a simulator run at 300 nodes gave workers "10.0.256.1").
BOOST_AUTO_TEST_CASE(a_host_ip_that_does_not_parse_is_refused) {
  auto f = host();
  for (const char* ip : {"", "10.0.255.1", "192.168.1.7", "fd00::1"}) {
    f.internal_ip = ip;
    BOOST_TEST(check_host_facts(f).ok(), ip);
  }
  for (const char* ip : {"10.0.256.1", "10.0.1", "host-1", "10.0.0.1/24"}) {
    f.internal_ip = ip;
    auto checked = check_host_facts(f);
    BOOST_REQUIRE_MESSAGE(!checked.ok(), ip);
    BOOST_TEST(checked.error().code == "invalid");
    BOOST_TEST(checked.error().message.find(ip) != std::string::npos, checked.error().message);
  }
}
