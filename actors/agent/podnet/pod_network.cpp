// PodNetwork: the bridge, the per-pod veth pairs and the pod side's configuration over
// libnl-route-3, and the masquerade and forwarding rules through the iptables command.
#include "actors/agent/podnet/pod_network.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <sched.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include "runtime/stable_hash.hpp"

extern char** environ;

namespace craton::agent {
namespace {

namespace err = pod_network_error;

// Owning handles for libnl objects: each frees with its own function.
template <class T, void (*Free)(T*)>
struct NlFree {
  void operator()(T* p) const { Free(p); }
};
using Socket = std::unique_ptr<nl_sock, NlFree<nl_sock, nl_socket_free>>;
using Link = std::unique_ptr<rtnl_link, NlFree<rtnl_link, rtnl_link_put>>;
using Addr = std::unique_ptr<rtnl_addr, NlFree<rtnl_addr, rtnl_addr_put>>;
using Route = std::unique_ptr<rtnl_route, NlFree<rtnl_route, rtnl_route_put>>;
using NlAddr = std::unique_ptr<nl_addr, NlFree<nl_addr, nl_addr_put>>;
using Cache = std::unique_ptr<nl_cache, NlFree<nl_cache, nl_cache_free>>;

// An owned file descriptor.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Error netlink_error(const std::string& what, int code) {
  return Error{err::netlink, what + ": " + nl_geterror(code)};
}

std::string errno_text() {
  return std::error_code(errno, std::generic_category()).message();
}

Result<Socket> connect_route_socket() {
  Socket sock(nl_socket_alloc());
  if (!sock) return Error{err::netlink, "cannot allocate a netlink socket"};
  if (int rc = nl_connect(sock.get(), NETLINK_ROUTE); rc < 0)
    return netlink_error("cannot open a route netlink socket", rc);
  return sock;
}

// The link named `name` in the socket's namespace, or nullptr when there is none.
Result<Link> find_link(nl_sock* sock, const std::string& name) {
  rtnl_link* raw = nullptr;
  int rc = rtnl_link_get_kernel(sock, 0, name.c_str(), &raw);
  if (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV) return Link(nullptr);
  if (rc < 0) return netlink_error("cannot look up " + name, rc);
  return Link(raw);
}

bool is_kind(rtnl_link* link, const char* kind) {
  const char* type = rtnl_link_get_type(link);
  return type != nullptr && std::strcmp(type, kind) == 0;
}

Status set_up(nl_sock* sock, rtnl_link* link, int mtu) {
  Link change(rtnl_link_alloc());
  if (!change) return Error{err::netlink, "out of memory"};
  rtnl_link_set_flags(change.get(), IFF_UP);
  if (mtu > 0) rtnl_link_set_mtu(change.get(), unsigned(mtu));
  if (int rc = rtnl_link_change(sock, link, change.get(), 0); rc < 0)
    return netlink_error(std::string("cannot bring up ") + rtnl_link_get_name(link), rc);
  return Ok{};
}

// Deletes the link named `name`; a link that is not there is a success.
Status delete_link(nl_sock* sock, const std::string& name) {
  Link link(rtnl_link_alloc());
  if (!link) return Error{err::netlink, "out of memory"};
  rtnl_link_set_name(link.get(), name.c_str());
  int rc = rtnl_link_delete(sock, link.get());
  if (rc < 0 && rc != -NLE_OBJ_NOTFOUND && rc != -NLE_NODEV)
    return netlink_error("cannot delete " + name, rc);
  return Ok{};
}

Result<NlAddr> parse_address(const std::string& text) {
  nl_addr* raw = nullptr;
  if (int rc = nl_addr_parse(text.c_str(), AF_INET, &raw); rc < 0)
    return netlink_error("bad address " + text, rc);
  return NlAddr(raw);
}

// Puts ADDR/prefix on the interface; an address already there is kept (NLM_F_REPLACE).
Status add_address(nl_sock* sock, int ifindex, const std::string& cidr_address) {
  auto local = parse_address(cidr_address);
  if (!local) return local.error();
  Addr addr(rtnl_addr_alloc());
  if (!addr) return Error{err::netlink, "out of memory"};
  rtnl_addr_set_ifindex(addr.get(), ifindex);
  rtnl_addr_set_family(addr.get(), AF_INET);
  rtnl_addr_set_local(addr.get(), local->get());  // also takes the prefix length
  if (int rc = rtnl_addr_add(sock, addr.get(), NLM_F_REPLACE); rc < 0)
    return netlink_error("cannot add " + cidr_address, rc);
  return Ok{};
}

// Removes every IPv4 address of the interface but `keep` (ADDR/prefix), so a bridge left with
// an old CIDR's gateway does not route to pods that no longer exist.
Status remove_other_addresses(nl_sock* sock, int ifindex, const std::string& keep) {
  auto wanted = parse_address(keep);
  if (!wanted) return wanted.error();
  nl_cache* raw = nullptr;
  if (int rc = rtnl_addr_alloc_cache(sock, &raw); rc < 0)
    return netlink_error("cannot list addresses", rc);
  Cache cache(raw);
  std::vector<rtnl_addr*> stale;
  for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
    auto* addr = reinterpret_cast<rtnl_addr*>(o);
    if (rtnl_addr_get_ifindex(addr) != ifindex || rtnl_addr_get_family(addr) != AF_INET) continue;
    if (nl_addr_cmp(rtnl_addr_get_local(addr), wanted->get()) != 0) stale.push_back(addr);
  }
  for (rtnl_addr* addr : stale)
    if (int rc = rtnl_addr_delete(sock, addr, 0); rc < 0 && rc != -NLE_NOADDR)
      return netlink_error("cannot remove a stale bridge address", rc);
  return Ok{};
}

Status add_default_route(nl_sock* sock, int ifindex, const std::string& gateway) {
  auto dst = parse_address("0.0.0.0/0");
  auto via = parse_address(gateway);
  if (!dst) return dst.error();
  if (!via) return via.error();
  Route route(rtnl_route_alloc());
  rtnl_nexthop* hop = rtnl_route_nh_alloc();
  if (!route || !hop) {
    if (hop) rtnl_route_nh_free(hop);
    return Error{err::netlink, "out of memory"};
  }
  rtnl_route_set_family(route.get(), AF_INET);
  rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
  rtnl_route_set_scope(route.get(), RT_SCOPE_UNIVERSE);
  rtnl_route_set_protocol(route.get(), RTPROT_BOOT);
  rtnl_route_set_type(route.get(), RTN_UNICAST);
  rtnl_route_set_dst(route.get(), dst->get());
  rtnl_route_nh_set_ifindex(hop, ifindex);
  rtnl_route_nh_set_gateway(hop, via->get());
  rtnl_route_add_nexthop(route.get(), hop);  // the route owns the hop from here
  if (int rc = rtnl_route_add(sock, route.get(), NLM_F_REPLACE); rc < 0)
    return netlink_error("cannot add the default route via " + gateway, rc);
  return Ok{};
}

// Opens the namespace file and checks that it is a network namespace other than the host's
// own (configuring eth0 in the host's namespace would break the host).
Result<int> open_pod_netns(const std::string& netns_path) {
  int fd = ::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{err::no_netns, "cannot open " + netns_path + ": " + errno_text()};
  Fd owned(fd);
  if (::ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)
    return Error{err::no_netns, netns_path + " is not a network namespace"};
  struct stat pod {
  }, host{};
  if (::fstat(fd, &pod) != 0 || ::stat("/proc/self/ns/net", &host) != 0)
    return Error{err::no_netns, "cannot stat " + netns_path + ": " + errno_text()};
  if (pod.st_dev == host.st_dev && pod.st_ino == host.st_ino)
    return Error{err::no_netns, netns_path + " is the host's own network namespace"};
  owned.fd = -1;
  return fd;
}

// Runs `work` inside the network namespace `netns_fd` on a thread of its own. setns changes
// the namespace of the calling thread only, so a dedicated thread that ends right after leaves
// every other thread (the driver's, CAF's) where it was, and cannot be reused by mistake in the
// pod's namespace if switching back failed. A fork would do too, but forking a multithreaded
// process allows only async-signal-safe calls in the child, and libnl allocates.
Status in_netns(int netns_fd, const std::function<Status()>& work) {
  std::optional<Status> outcome;
  std::thread worker([&] {
    if (::setns(netns_fd, CLONE_NEWNET) != 0) {
      outcome = Error{err::no_netns, "cannot enter the pod's namespace: " + errno_text()};
      return;
    }
    outcome = work();
  });
  worker.join();
  return *outcome;
}

// Turns IPv6 off on one interface of the calling thread's network namespace (the sysctl
// files under /proc/sys/net are the reading thread's namespace's), before it goes up. The pod
// network is IPv4 (IPAM hands out addresses of spec.podCIDR); left on, every veth end that goes
// up gets a link-local address, duplicate address detection and MLD reports, kernel work that
// cost ~1.9 ms of CPU per pod start (kworkers: mld_ifc_work, addrconf_dad_work, mld_dad_work;
// perf over 100 pod starts) for addresses nothing uses. A pod's lo keeps ::1 (it exists before
// this runs). A kernel without IPv6 has no such file: nothing to turn off.
Status disable_ipv6(const std::string& ifname) {
  std::string path = "/proc/sys/net/ipv6/conf/" + ifname + "/disable_ipv6";
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Ok{};
    return Error{err::netlink, "cannot open " + path + ": " + errno_text()};
  }
  Fd owned(fd);
  if (::write(fd, "1\n", 2) != 2)
    return Error{err::netlink, "cannot write " + path + ": " + errno_text()};
  return Ok{};
}

// Inside the pod's namespace: lo and eth0 up (eth0 without IPv6), ADDR/prefix on eth0, default
// route via the gateway. Every step is idempotent, so a half-made pod is completed by running
// it again.
Status configure_pod_side(const std::string& cidr_address, const std::string& gateway, int mtu) {
  auto sock = connect_route_socket();  // opened here so it belongs to the pod's namespace
  if (!sock) return sock.error();
  auto lo = find_link(sock->get(), "lo");
  auto eth0 = find_link(sock->get(), PodNetwork::pod_interface);
  if (!lo) return lo.error();
  if (!eth0) return eth0.error();
  if (!*eth0 || !*lo)
    return Error{err::netlink, std::string("the pod's namespace has no ") +
                                   (*lo ? PodNetwork::pod_interface : "lo")};
  if (auto up = set_up(sock->get(), lo->get(), 0); !up) return up;
  if (auto off = disable_ipv6(PodNetwork::pod_interface); !off) return off;
  if (auto up = set_up(sock->get(), eth0->get(), mtu); !up) return up;
  int ifindex = rtnl_link_get_ifindex(eth0->get());
  if (auto added = add_address(sock->get(), ifindex, cidr_address); !added) return added;
  return add_default_route(sock->get(), ifindex, gateway);
}

// Creates the pair: host_name on the bridge in the host's namespace, eth0 directly in the pod's
// namespace (so no temporary name can collide with the host's links).
Status create_veth(nl_sock* sock, const std::string& host_name, int bridge_ifindex, int netns_fd,
                   int mtu) {
  Link host(rtnl_link_veth_alloc());
  if (!host) return Error{err::netlink, "out of memory"};
  Link peer(rtnl_link_veth_get_peer(host.get()));
  rtnl_link_set_name(host.get(), host_name.c_str());
  rtnl_link_set_master(host.get(), bridge_ifindex);
  rtnl_link_set_mtu(host.get(), unsigned(mtu));
  rtnl_link_set_name(peer.get(), PodNetwork::pod_interface);
  rtnl_link_set_mtu(peer.get(), unsigned(mtu));
  rtnl_link_set_ns_fd(peer.get(), netns_fd);
  if (int rc = rtnl_link_add(sock, host.get(), NLM_F_CREATE | NLM_F_EXCL); rc < 0)
    return netlink_error("cannot create the veth pair " + host_name, rc);
  auto made = find_link(sock, host_name);
  if (!made) return made.error();
  if (!*made) return Error{err::netlink, host_name + " vanished right after its creation"};
  if (auto off = disable_ipv6(host_name); !off) return off;  // a bridge port needs no address
  return set_up(sock, made->get(), mtu);
}

// The host-side veths on the bridge that the network made ("vcr..." veths).
Result<std::vector<std::string>> veths_on_bridge(nl_sock* sock, int bridge_ifindex) {
  nl_cache* raw = nullptr;
  if (int rc = rtnl_link_alloc_cache(sock, AF_UNSPEC, &raw); rc < 0)
    return netlink_error("cannot list links", rc);
  Cache cache(raw);
  std::vector<std::string> names;
  for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
    auto* link = reinterpret_cast<rtnl_link*>(o);
    std::string name = rtnl_link_get_name(link);
    if (rtnl_link_get_master(link) == bridge_ifindex && is_kind(link, "veth") &&
        name.rfind("vcr", 0) == 0)
      names.push_back(name);
  }
  return names;
}

// Runs argv (argv[0] looked up on PATH) with its output discarded; returns its exit status.
// posix_spawn rather than fork: the agent is multithreaded.
Result<int> run_quietly(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    return Error{err::iptables, "cannot run " + argv[0] + ": " +
                                    std::error_code(rc, std::generic_category()).message()};
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// One iptables rule the network owns: its table, chain, where it goes (-A or -I) and its match.
struct HostRule {
  std::string table;
  std::string chain;
  std::string add_op;
  std::vector<std::string> args;
};

// The rules that let pods reach beyond the host: their traffic leaving the pod CIDR goes out
// with the host's address (nat), and forwarding to and from the bridge is accepted ahead of
// whatever drops it (a FORWARD policy of DROP, as Docker sets; br_netfilter also sends bridged
// pod-to-pod frames through FORWARD). The comment names the bridge so each network finds its own.
std::vector<HostRule> host_rules(const std::string& cidr, const std::string& bridge) {
  const std::vector<std::string> tag{"-m", "comment", "--comment", "craton pod network " + bridge};
  auto with_tag = [&](std::vector<std::string> match, const char* target) {
    match.insert(match.end(), tag.begin(), tag.end());
    match.insert(match.end(), {"-j", target});
    return match;
  };
  return {{"nat", "POSTROUTING", "-A", with_tag({"-s", cidr, "!", "-d", cidr}, "MASQUERADE")},
          {"filter", "FORWARD", "-I", with_tag({"-i", bridge}, "ACCEPT")},
          {"filter", "FORWARD", "-I", with_tag({"-o", bridge}, "ACCEPT")}};
}

// Runs `iptables -t TABLE OP CHAIN ARGS`; returns its exit status (1 for -C: no such rule).
Result<int> iptables(const HostRule& rule, const std::string& op) {
  std::vector<std::string> argv{"iptables", "-w", "10", "-t", rule.table, op, rule.chain};
  argv.insert(argv.end(), rule.args.begin(), rule.args.end());
  return run_quietly(argv);
}

Status ensure_host_rules(const std::string& cidr, const std::string& bridge) {
  for (const HostRule& rule : host_rules(cidr, bridge)) {
    auto present = iptables(rule, "-C");
    if (!present) return present.error();
    if (*present == 0) continue;
    auto added = iptables(rule, rule.add_op);
    if (!added) return added.error();
    if (*added != 0)
      return Error{err::iptables, "iptables could not add a rule to " + rule.table + " " +
                                      rule.chain + " for " + bridge};
  }
  return Ok{};
}

Status remove_host_rules(const std::string& cidr, const std::string& bridge) {
  constexpr int copies_max = 16;  // a rule added twice by hand is removed too, within bounds
  for (const HostRule& rule : host_rules(cidr, bridge)) {
    int copies = 0;
    for (; copies < copies_max; ++copies) {
      auto removed = iptables(rule, "-D");
      if (!removed) return removed.error();
      if (*removed != 0) break;  // no such rule left
    }
    if (copies == copies_max)
      return Error{err::iptables, "more than 16 copies of a rule for " + bridge + " in " +
                                      rule.table + " " + rule.chain};
  }
  return Ok{};
}

Status enable_ipv4_forwarding() {
  const char* path = "/proc/sys/net/ipv4/ip_forward";
  std::ofstream out(path);
  out << "1\n";
  out.flush();
  if (!out) return Error{err::invalid, std::string("cannot write ") + path};
  return Ok{};
}

Status check_config(const PodNetworkConfig& c) {
  const auto& name = c.bridge_name;
  bool name_ok = !name.empty() && name.size() < IFNAMSIZ && name != "." && name != ".." &&
                 name.find_first_of("/ \t\n:") == std::string::npos;
  if (!name_ok)
    return Error{err::invalid, "bridge name \"" + name +
                                   "\" must have 1 to 15 characters, none of '/', ':' or spaces"};
  if (c.mtu < PodNetwork::mtu_min || c.mtu > PodNetwork::mtu_max)
    return Error{err::invalid, "MTU " + std::to_string(c.mtu) + " is outside " +
                                   std::to_string(PodNetwork::mtu_min) + ".." +
                                   std::to_string(PodNetwork::mtu_max)};
  if (c.state_dir.empty()) return Error{err::invalid, "the pod network needs a state directory"};
  return Ok{};
}

// The bridge's ifindex, after making sure it exists, is a bridge, is up with the MTU and holds
// exactly the gateway address.
Result<int> ensure_bridge_on(nl_sock* sock, const PodNetworkConfig& c, const std::string& gw) {
  auto existing = find_link(sock, c.bridge_name);
  if (!existing) return existing.error();
  if (!*existing) {
    Link bridge(rtnl_link_bridge_alloc());
    if (!bridge) return Error{err::netlink, "out of memory"};
    rtnl_link_set_name(bridge.get(), c.bridge_name.c_str());
    rtnl_link_set_mtu(bridge.get(), unsigned(c.mtu));
    if (int rc = rtnl_link_add(sock, bridge.get(), NLM_F_CREATE | NLM_F_EXCL);
        rc < 0 && rc != -NLE_EXIST)
      return netlink_error("cannot create the bridge " + c.bridge_name, rc);
    existing = find_link(sock, c.bridge_name);
    if (!existing) return existing.error();
    if (!*existing) return Error{err::netlink, c.bridge_name + " vanished after its creation"};
  }
  rtnl_link* bridge = existing->get();
  if (!is_kind(bridge, "bridge"))
    return Error{err::invalid, c.bridge_name + " exists and is not a bridge; not touching it"};
  int ifindex = rtnl_link_get_ifindex(bridge);
  if (auto added = add_address(sock, ifindex, gw); !added) return added.error();
  if (auto cleaned = remove_other_addresses(sock, ifindex, gw); !cleaned) return cleaned.error();
  if (auto up = set_up(sock, bridge, c.mtu); !up) return up.error();
  return ifindex;
}

}  // namespace

std::string PodNetwork::host_veth_name(const std::string& pod_uid) {
  StableHash h;
  h.add(pod_uid);
  return "vcr" + h.hex().substr(0, 12);
}

Result<std::unique_ptr<PodNetwork>> PodNetwork::create(PodNetworkConfig config) {
  if (auto valid = check_config(config); !valid) return valid.error();
  auto ipam = Ipam::open(config.pod_cidr, config.state_dir);
  if (!ipam) return ipam.error();
  std::unique_ptr<PodNetwork> network(new PodNetwork(std::move(config), std::move(*ipam)));
  std::lock_guard lock(network->mutex_);
  if (auto bridge = network->ensure_bridge(); !bridge) return bridge.error();
  if (network->config_.enable_forwarding)
    if (auto on = enable_ipv4_forwarding(); !on) return on.error();
  if (network->config_.masquerade)
    if (auto rules = ensure_host_rules(network->ipam_.cidr(), network->config_.bridge_name); !rules)
      return rules.error();
  return network;
}

std::string PodNetwork::gateway() const {
  std::lock_guard lock(mutex_);
  return ipam_.gateway();
}

int PodNetwork::prefix_length() const {
  std::lock_guard lock(mutex_);
  return ipam_.prefix_length();
}

Status PodNetwork::ensure_bridge() {
  auto sock = connect_route_socket();
  if (!sock) return sock.error();
  auto gw = ipam_.gateway() + "/" + std::to_string(ipam_.prefix_length());
  auto bridge = ensure_bridge_on(sock->get(), config_, gw);
  if (!bridge) return bridge.error();
  return Ok{};
}

Result<std::string> PodNetwork::attach(const std::string& pod_uid, const std::string& netns_path) {
  auto netns = open_pod_netns(netns_path);
  if (!netns) return netns.error();
  Fd netns_fd(*netns);
  auto sock = connect_route_socket();
  if (!sock) return sock.error();
  // What pods share -- the bridge and the address allocator -- under the lock; the pod's own
  // veth pair and its namespace's setup outside it (the caller never attaches one pod twice at
  // once), so pods starting side by side queue only for the short shared part.
  int bridge = 0;
  std::string ip, gateway;
  int prefix = 0;
  {
    std::lock_guard lock(mutex_);
    gateway = ipam_.gateway();
    prefix = ipam_.prefix_length();
    auto made = ensure_bridge_on(sock->get(), config_, gateway + "/" + std::to_string(prefix));
    if (!made) return made.error();
    bridge = *made;
    auto allocated = ipam_.allocate(pod_uid);
    if (!allocated) return allocated.error();
    ip = *allocated;
  }

  const std::string host_name = host_veth_name(pod_uid);
  const std::string pod_address = ip + "/" + std::to_string(prefix);
  auto configure = [&] { return configure_pod_side(pod_address, gateway, config_.mtu); };
  auto existing = find_link(sock->get(), host_name);
  if (!existing) return existing.error();
  if (*existing) {
    // Attached before (a retry, or the agent restarted): keep the pair if its eth0 is in this
    // namespace and completes; otherwise it belongs to an old sandbox and is rebuilt.
    if (rtnl_link_get_master(existing->get()) == bridge && in_netns(netns_fd.fd, configure) &&
        set_up(sock->get(), existing->get(), config_.mtu))
      return ip;
    if (auto gone = delete_link(sock->get(), host_name); !gone) return gone.error();
  }
  Status made = create_veth(sock->get(), host_name, bridge, netns_fd.fd, config_.mtu);
  if (made) made = in_netns(netns_fd.fd, configure);
  if (!made) {
    (void)detach(pod_uid);  // leave nothing half-made; the error below is the news
    return made.error();
  }
  return ip;
}

Status PodNetwork::detach(const std::string& pod_uid) {
  // The pod's veth pair is its own (outside the lock, as in attach); its address is shared.
  auto sock = connect_route_socket();
  if (!sock) return sock.error();
  if (auto gone = delete_link(sock->get(), host_veth_name(pod_uid)); !gone) return gone;
  std::lock_guard lock(mutex_);
  return ipam_.release(pod_uid);
}

Status PodNetwork::detach_locked(const std::string& pod_uid) {
  auto sock = connect_route_socket();
  if (!sock) return sock.error();
  // Deleting the host side deletes the pair, so the pod's eth0 goes with it.
  if (auto gone = delete_link(sock->get(), host_veth_name(pod_uid)); !gone) return gone;
  return ipam_.release(pod_uid);
}

Status PodNetwork::sweep(const std::set<std::string>& live_pod_uids) {
  std::lock_guard lock(mutex_);
  Status first = Ok{};
  auto keep = [&](Status s) {
    if (first && !s) first = s;
  };
  std::vector<std::string> stale;
  for (const auto& [uid, ip] : ipam_.allocations())
    if (!live_pod_uids.count(uid)) stale.push_back(uid);
  for (const auto& uid : stale) keep(detach_locked(uid));

  // Veths on the bridge with no live pod: made by a run that died before persisting, or by a
  // pod whose address was released by hand.
  auto sock = connect_route_socket();
  if (!sock) return sock.error();
  auto bridge = find_link(sock->get(), config_.bridge_name);
  if (!bridge) return bridge.error();
  if (!*bridge) return first;
  std::set<std::string> live_veths;
  for (const auto& uid : live_pod_uids) live_veths.insert(host_veth_name(uid));
  auto veths = veths_on_bridge(sock->get(), rtnl_link_get_ifindex(bridge->get()));
  if (!veths) return veths.error();
  for (const auto& name : *veths)
    if (!live_veths.count(name)) keep(delete_link(sock->get(), name));
  return first;
}

Status PodNetwork::teardown() {
  Status swept = sweep({});
  std::lock_guard lock(mutex_);
  auto sock = connect_route_socket();
  if (!sock) return sock.error();
  auto found = find_link(sock->get(), config_.bridge_name);
  Status bridge = !found ? Status(found.error()) : Ok{};
  if (found && *found && is_kind(found->get(), "bridge"))
    bridge = delete_link(sock->get(), config_.bridge_name);
  Status rule = config_.masquerade ? remove_host_rules(ipam_.cidr(), config_.bridge_name) : Ok{};
  if (!swept) return swept;
  if (!bridge) return bridge;
  return rule;
}

}  // namespace craton::agent
