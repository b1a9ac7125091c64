// The pod network (actors/agent/podnet/pod_network.hpp) on the real kernel, as root: two network
// namespaces attached to a bridge reach each other and the host; detach and sweep leave no veth
// and free the addresses; a second attach and an agent restart keep a pod's address; bad input
// changes nothing; teardown removes the bridge and the masquerade rule. Each test uses a bridge,
// namespaces and a /24 of 172.30.0.0/16 named after its process, and removes them even when it
// fails, so it never touches a real craton0 nor another run.
#define BOOST_TEST_MODULE agent_pod_network
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "actors/agent/podnet/pod_network.hpp"
#include "tests/agent/shell_commands.hpp"

using craton::agent::PodNetwork;
using craton::agent::PodNetworkConfig;
namespace fs = std::filesystem;

namespace {

using craton::agent::testing::output_of;
using craton::agent::testing::run;

// "iptables -t TABLE OP CHAIN MATCH..." for a rule written "TABLE CHAIN MATCH...".
std::string iptables_command(const std::string& op, const std::string& rule) {
  auto table_end = rule.find(' ');
  return "iptables -t " + rule.substr(0, table_end) + " " + op + rule.substr(table_end);
}

bool link_exists(const std::string& name) {
  return run("ip link show dev " + name) == 0;
}

std::string unique_suffix() {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%x", unsigned(::getpid()) & 0xfffffu);
  return buffer;
}

// "A.B.X." for a /24 of A.B.0.0/16 that no route of the host uses yet ("172.30." -> "172.30.7.").
std::string free_test_prefix(const std::string& a_b) {
  std::string routes = output_of("ip -4 route show table all");
  for (unsigned i = 0; i < 256; ++i) {
    std::string prefix = a_b + std::to_string((unsigned(::getpid()) + i) % 256) + ".";
    if (routes.find(prefix) == std::string::npos) return prefix;
  }
  BOOST_FAIL("no free /24 in " + a_b + "0.0/16");
  return "";
}

// A network namespace made as `ip netns add` makes it (a bind-mounted file), deleted at the end.
struct Netns {
  std::string name;
  explicit Netns(std::string n) : name(std::move(n)) {
    BOOST_REQUIRE_MESSAGE(run("ip netns add " + name) == 0, "ip netns add " + name);
  }
  ~Netns() { run("ip netns del " + name); }
  std::string path() const { return "/run/netns/" + name; }
  // Retries a lost first ping (ARP, a port coming up); never asserts on time.
  bool pings(const std::string& address) const {
    for (int i = 0; i < 5; ++i)
      if (run("ip netns exec " + name + " busybox ping -c1 -W2 " + address) == 0) return true;
    return false;
  }
};

bool host_pings(const std::string& address) {
  for (int i = 0; i < 5; ++i)
    if (run("busybox ping -c1 -W2 " + address) == 0) return true;
  return false;
}

// Everything one test makes on the host, removed when it ends whatever happened.
struct TestHost {
  std::string suffix = unique_suffix();
  std::string bridge = "crtb" + suffix;
  std::string cidr = free_test_prefix("172.30.") + "0/24";
  fs::path state_dir;
  std::unique_ptr<PodNetwork> network;

  TestHost() {
    std::string pattern = (fs::temp_directory_path() / "craton-podnet-XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    state_dir = pattern;
  }
  ~TestHost() {
    if (network) (void)network->teardown();
    if (link_exists(bridge)) run("ip link del " + bridge);
    for (const auto& rule : rules())
      for (int i = 0; i < 4 && run(iptables_command("-D", rule)) == 0; ++i) {
      }
    std::error_code ec;
    fs::remove_all(state_dir, ec);
  }
  // The rules a network with `masquerade` adds: "TABLE CHAIN MATCH...", for iptables_command.
  std::vector<std::string> rules() const {
    std::string tag = " -m comment --comment 'craton pod network " + bridge + "'";
    return {"nat POSTROUTING -s " + cidr + " ! -d " + cidr + tag + " -j MASQUERADE",
            "filter FORWARD -i " + bridge + tag + " -j ACCEPT",
            "filter FORWARD -o " + bridge + tag + " -j ACCEPT"};
  }
  // On: a host that drops forwarded (or br_netfilter'd bridged) traffic still passes the pods'.
  PodNetworkConfig config(bool masquerade = true) const {
    PodNetworkConfig c;
    c.bridge_name = bridge;
    c.pod_cidr = cidr;
    c.state_dir = state_dir;
    c.enable_forwarding = false;  // pods on one bridge need no routing; leave the host's sysctl
    c.masquerade = masquerade;
    return c;
  }
  PodNetwork& open(bool masquerade = true) {
    auto made = PodNetwork::create(config(masquerade));
    BOOST_REQUIRE_MESSAGE(made.ok(), (made.ok() ? "" : made.error().message));
    network = std::move(made.value());
    return *network;
  }
  std::string net(int host_part) const {
    return cidr.substr(0, cidr.rfind('.') + 1) + std::to_string(host_part);
  }
};

std::string attach_ok(PodNetwork& network, const std::string& uid, const Netns& ns) {
  auto ip = network.attach(uid, ns.path());
  BOOST_REQUIRE_MESSAGE(ip.ok(), (ip.ok() ? "" : ip.error().message));
  return ip.value();
}

}  // namespace

BOOST_AUTO_TEST_CASE(two_pods_reach_each_other_and_the_host_and_detach_leaves_nothing) {
  TestHost host;
  PodNetwork& network = host.open();
  BOOST_TEST(output_of("ip -4 addr show dev " + host.bridge).find(host.net(1) + "/24") !=
             std::string::npos);
  Netns a("crta" + host.suffix), b("crtc" + host.suffix);
  std::string ip_a = attach_ok(network, "pod-a-" + host.suffix, a);
  std::string ip_b = attach_ok(network, "pod-b-" + host.suffix, b);
  BOOST_TEST(ip_a == host.net(2));
  BOOST_TEST(ip_b == host.net(3));
  BOOST_TEST(link_exists(PodNetwork::host_veth_name("pod-a-" + host.suffix)));
  BOOST_TEST(
      output_of("ip netns exec " + a.name + " ip -4 route").find("default via " + host.net(1)) !=
      std::string::npos);

  BOOST_TEST(a.pings(ip_b));
  BOOST_TEST(b.pings(ip_a));
  BOOST_TEST(a.pings(host.net(1)));  // the host, through the gateway
  BOOST_TEST(host_pings(ip_a));
  BOOST_TEST(host_pings(ip_b));

  BOOST_REQUIRE(network.detach("pod-a-" + host.suffix).ok());
  BOOST_TEST(!link_exists(PodNetwork::host_veth_name("pod-a-" + host.suffix)));
  BOOST_TEST(run("ip netns exec " + a.name + " ip link show eth0") != 0);
  BOOST_TEST(network.detach("pod-a-" + host.suffix).ok());  // gone already: still a success
  BOOST_REQUIRE(network.detach("pod-b-" + host.suffix).ok());
  BOOST_TEST(!link_exists(PodNetwork::host_veth_name("pod-b-" + host.suffix)));
  BOOST_TEST(output_of("ip link show master " + host.bridge).empty());
}

// podstart: the pod network is IPv4; both ends of a pod's veth come up without IPv6, so the
// kernel spends nothing on link-local addresses, duplicate address detection and MLD reports
// for them. The pod's lo keeps ::1; the pod still reaches the host over IPv4.
BOOST_AUTO_TEST_CASE(a_pods_veth_comes_up_without_ipv6) {
  if (!fs::exists("/proc/sys/net/ipv6")) return;  // a kernel without IPv6: nothing to check
  TestHost host;
  PodNetwork& network = host.open();
  Netns a("crta" + host.suffix);
  const std::string uid = "pod-a-" + host.suffix, veth = PodNetwork::host_veth_name(uid);
  std::string ip = attach_ok(network, uid, a);
  BOOST_TEST(output_of("cat /proc/sys/net/ipv6/conf/" + veth + "/disable_ipv6") == "1\n");
  BOOST_TEST(output_of("ip -6 addr show dev " + veth).empty());
  std::string in_pod = "ip netns exec " + a.name + " ";
  BOOST_TEST(output_of(in_pod + "cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6") == "1\n");
  BOOST_TEST(output_of(in_pod + "ip -6 addr show dev eth0").empty());
  BOOST_TEST(output_of(in_pod + "ip -6 addr show dev lo").find("::1/128") != std::string::npos);
  BOOST_TEST(a.pings(host.net(1)));
  BOOST_TEST(host_pings(ip));
}

BOOST_AUTO_TEST_CASE(attaching_again_keeps_the_pair_and_a_half_made_pod_is_rebuilt) {
  TestHost host;
  PodNetwork& network = host.open();
  Netns a("crta" + host.suffix);
  const std::string uid = "pod-a-" + host.suffix, veth = PodNetwork::host_veth_name(uid);
  std::string ip = attach_ok(network, uid, a);
  std::string index = output_of("cat /sys/class/net/" + veth + "/ifindex");
  BOOST_TEST(attach_ok(network, uid, a) == ip);
  BOOST_TEST(output_of("cat /sys/class/net/" + veth + "/ifindex") == index);

  // Half-made: the pod lost its address and route (a crash mid-attach looks like this).
  BOOST_REQUIRE(run("ip netns exec " + a.name + " ip addr flush dev eth0") == 0);
  BOOST_TEST(attach_ok(network, uid, a) == ip);
  BOOST_TEST(host_pings(ip));

  // A new sandbox namespace for the same pod: the old pair is replaced, the address kept.
  Netns renewed("crtr" + host.suffix);
  BOOST_TEST(attach_ok(network, uid, renewed) == ip);
  BOOST_TEST(run("ip netns exec " + a.name + " ip link show eth0") != 0);
  BOOST_TEST(host_pings(ip));
}

BOOST_AUTO_TEST_CASE(a_restarted_network_finds_every_address_again) {
  TestHost host;
  Netns a("crta" + host.suffix), b("crtc" + host.suffix);
  std::string ip_b;
  {
    PodNetwork& network = host.open();
    attach_ok(network, "pod-a-" + host.suffix, a);
    ip_b = attach_ok(network, "pod-b-" + host.suffix, b);
    host.network.reset();  // the agent dies; its devices stay
  }
  PodNetwork& restarted = host.open();
  BOOST_TEST(attach_ok(restarted, "pod-b-" + host.suffix, b) == ip_b);
  BOOST_TEST(host_pings(ip_b));
}

BOOST_AUTO_TEST_CASE(sweep_removes_deleted_pods_and_orphan_veths_and_keeps_live_ones) {
  TestHost host;
  PodNetwork& network = host.open();
  Netns live("crta" + host.suffix), stale("crtc" + host.suffix);
  const std::string live_uid = "pod-live-" + host.suffix, stale_uid = "pod-gone-" + host.suffix;
  std::string ip_live = attach_ok(network, live_uid, live);
  attach_ok(network, stale_uid, stale);
  // A veth on the bridge that no allocation knows (a run that died mid-attach).
  const std::string orphan = "vcr0000" + host.suffix;
  BOOST_REQUIRE(run("ip link add " + orphan + " type veth peer name crto" + host.suffix) == 0);
  BOOST_REQUIRE(run("ip link set " + orphan + " master " + host.bridge) == 0);

  BOOST_REQUIRE(network.sweep({live_uid}).ok());
  BOOST_TEST(!link_exists(PodNetwork::host_veth_name(stale_uid)));
  BOOST_TEST(!link_exists(orphan));
  BOOST_TEST(link_exists(PodNetwork::host_veth_name(live_uid)));
  BOOST_TEST(host_pings(ip_live));
  auto reopened = craton::agent::Ipam::open(host.cidr, host.state_dir);
  BOOST_REQUIRE(reopened.ok());
  BOOST_TEST(reopened->allocations().size() == 1u);
  BOOST_TEST(reopened->address_of(live_uid).value_or("") == ip_live);
}

BOOST_AUTO_TEST_CASE(bad_input_is_refused_and_changes_nothing) {
  TestHost host;
  PodNetwork& network = host.open();
  for (const char* path : {"/nonexistent/netns", "/etc/hostname", "/proc/self/ns/net"}) {
    auto refused = network.attach("pod-x-" + host.suffix, path);
    BOOST_TEST(!refused.ok(), path);
    if (!refused.ok()) BOOST_TEST(refused.error().code == "no_netns");
  }
  BOOST_TEST(!link_exists(PodNetwork::host_veth_name("pod-x-" + host.suffix)));
  BOOST_TEST(!link_exists("eth0-" + host.suffix));
  auto ipam = craton::agent::Ipam::open(host.cidr, host.state_dir);
  BOOST_REQUIRE(ipam.ok());
  BOOST_TEST(ipam->allocations().empty());

  auto config = host.config();
  config.bridge_name = "a-name-over-15-chars";
  BOOST_TEST(!PodNetwork::create(config).ok());
  config = host.config();
  config.mtu = 70000;
  BOOST_TEST(!PodNetwork::create(config).ok());
  config = host.config();
  config.bridge_name = "lo";  // exists and is not a bridge: refused, untouched
  auto not_bridge = PodNetwork::create(config);
  BOOST_REQUIRE(!not_bridge.ok());
  BOOST_TEST(not_bridge.error().code == "invalid");
}

BOOST_AUTO_TEST_CASE(teardown_removes_the_bridge_and_the_iptables_rules) {
  TestHost host;
  PodNetwork& network = host.open(/*masquerade=*/true);
  for (const auto& rule : host.rules()) BOOST_TEST(run(iptables_command("-C", rule)) == 0, rule);
  Netns a("crta" + host.suffix);
  attach_ok(network, "pod-a-" + host.suffix, a);
  auto again = PodNetwork::create(host.config(true));  // a restart adds no second copy
  BOOST_REQUIRE(again.ok());
  BOOST_REQUIRE(network.teardown().ok());
  for (const auto& rule : host.rules()) BOOST_TEST(run(iptables_command("-C", rule)) != 0, rule);
  BOOST_TEST(!link_exists(host.bridge));
  BOOST_TEST(!link_exists(PodNetwork::host_veth_name("pod-a-" + host.suffix)));
}

BOOST_AUTO_TEST_CASE(without_masquerade_no_iptables_rule_is_added) {
  TestHost host;
  host.open(/*masquerade=*/false);
  for (const auto& rule : host.rules()) BOOST_TEST(run(iptables_command("-C", rule)) != 0, rule);
}

// A "world" beyond the host: a namespace behind its own veth, with no route back to the pods,
// so a pod reaches it only if the host forwards and masquerades its traffic.
struct OutsideWorld {
  Netns ns;
  std::string host_end, prefix = free_test_prefix("198.18.");
  std::string saved_forwarding = output_of("cat /proc/sys/net/ipv4/ip_forward");
  explicit OutsideWorld(const std::string& suffix)
      : ns("crtw" + suffix), host_end("crtw" + suffix) {
    BOOST_REQUIRE(run("ip link add " + host_end + " type veth peer name eth0 netns " + ns.name) ==
                  0);
    BOOST_REQUIRE(run("ip addr add " + prefix + "1/30 dev " + host_end) == 0);
    BOOST_REQUIRE(run("ip link set " + host_end + " up") == 0);
    BOOST_REQUIRE(run("ip netns exec " + ns.name + " ip addr add " + prefix + "2/30 dev eth0") ==
                  0);
    BOOST_REQUIRE(run("ip netns exec " + ns.name + " ip link set eth0 up") == 0);
  }
  ~OutsideWorld() {
    run("ip link del " + host_end);
    std::ofstream("/proc/sys/net/ipv4/ip_forward") << saved_forwarding.substr(0, 1) << "\n";
  }
  std::string address() const { return prefix + "2"; }
};

BOOST_AUTO_TEST_CASE(with_forwarding_and_masquerade_a_pod_reaches_beyond_the_host) {
  TestHost host;
  OutsideWorld world(host.suffix);
  auto config = host.config(/*masquerade=*/true);
  config.enable_forwarding = true;
  auto made = PodNetwork::create(config);
  BOOST_REQUIRE_MESSAGE(made.ok(), (made.ok() ? "" : made.error().message));
  host.network = std::move(made.value());
  BOOST_TEST(output_of("cat /proc/sys/net/ipv4/ip_forward").substr(0, 1) == "1");
  Netns a("crta" + host.suffix);
  attach_ok(*host.network, "pod-a-" + host.suffix, a);
  BOOST_TEST(a.pings(world.address()));
}
