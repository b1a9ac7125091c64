// PodNetwork: the pod network on one host, the SandboxNetwork the Linux driver plugs pods in
// with. A Linux bridge ("craton0") holds the gateway address of the node's pod CIDR; each pod
// gets a veth pair whose host side ("vcr" + 12 hex digits of its uid's hash) is a port of the
// bridge and whose other side is the pod namespace's eth0, with an address from the Ipam and a
// default route via the gateway. Pods reach each other over the bridge and the host through the
// gateway; with forwarding and masquerade on, they reach beyond the host with its address.
// hostNetwork pods are never attached: the driver leaves them in the host's namespace and
// reports the host's address.
//
// Promises: attach is idempotent per pod (a working pod keeps its devices, a half-made one is
// rebuilt with the same address); detach and sweep succeed when nothing is left; an agent
// restart finds every address again (ipam.hpp); bad input is refused before anything changes.
// Every public method may block on netlink and may be called from several threads: what pods
// share (the bridge, the Ipam, sweep and teardown) is serialized by one mutex; attach does a
// pod's own veth pair outside it, so one pod's attach and detach must not overlap (the
// driver's callers keep one pod's calls in order).
//
// Netlink through libnl-route-3; the masquerade and forwarding rules through the `iptables`
// command, which libnl cannot program (iptables' own library has no stable API).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "actors/agent/linux/sandbox_network.hpp"
#include "actors/agent/podnet/ipam.hpp"
#include "runtime/result.hpp"

namespace craton::agent {

struct PodNetworkConfig {
  std::string bridge_name = "craton0";  ///< 1 to 15 characters, as every interface name
  std::string pod_cidr;                 ///< the node's spec.podCIDR, "10.244.1.0/24"
  std::filesystem::path state_dir;      ///< where the Ipam keeps ipam.json
  int mtu = 1500;                       ///< of the bridge and every veth
  /// Sets net.ipv4.ip_forward=1 (the host routes pods' traffic beyond the bridge).
  bool enable_forwarding = true;
  /// Adds `iptables -t nat POSTROUTING -s CIDR ! -d CIDR -j MASQUERADE`, so pods reach
  /// beyond the host with its address, and accepts FORWARD in and out of the bridge (ahead of
  /// a DROP policy). teardown() removes these rules.
  bool masquerade = true;
};

/// Stable error codes beyond the Ipam's (Error::code).
namespace pod_network_error {
inline constexpr const char* invalid = "invalid";           ///< bad configuration or argument
inline constexpr const char* netlink = "netlink";           ///< the kernel refused a change
inline constexpr const char* no_netns = "no_netns";         ///< the namespace path is not one
inline constexpr const char* iptables = "iptables_failed";  ///< the masquerade/forward rules
}  // namespace pod_network_error

class PodNetwork final : public SandboxNetwork {
 public:
  static constexpr int mtu_min = 576;
  static constexpr int mtu_max = 9216;
  /// The interface name inside every pod's namespace.
  static constexpr const char* pod_interface = "eth0";

  /// Validates the configuration, opens the Ipam and makes sure the bridge exists, is up and
  /// holds the gateway address (other IPv4 addresses on it are removed); enables forwarding and
  /// the iptables rules when configured. Needs CAP_NET_ADMIN.
  static Result<std::unique_ptr<PodNetwork>> create(PodNetworkConfig config);

  /// The host-side veth name of a pod: "vcr" + the first 12 hex digits of the FNV-1a hash of
  /// its uid (15 characters, the kernel's limit).
  static std::string host_veth_name(const std::string& pod_uid);

  /// Connects the namespace at netns_path (a bind-mounted /proc/PID/ns/net) and returns the
  /// pod's address. The namespace gets lo up and eth0 with ADDR/prefix and a default route via
  /// the gateway.
  Result<std::string> attach(const std::string& pod_uid, const std::string& netns_path) override;
  /// Deletes the pod's veth pair (its eth0 goes with it) and releases its address.
  Status detach(const std::string& pod_uid) override;

  /// After an agent restart: detaches every pod not in live_pod_uids, whether it holds an
  /// address or only a veth on the bridge. Tries every pod; reports the first failure.
  Status sweep(const std::set<std::string>& live_pod_uids);

  /// Removes everything this network made on the host: every pod's veth and address, the
  /// bridge, the iptables rules. Forwarding stays on (others may rely on it).
  Status teardown();

  const PodNetworkConfig& config() const { return config_; }
  std::string gateway() const;
  int prefix_length() const;

 private:
  PodNetwork(PodNetworkConfig config, Ipam ipam)
      : config_(std::move(config)), ipam_(std::move(ipam)) {}

  Status ensure_bridge();
  Status detach_locked(const std::string& pod_uid);

  PodNetworkConfig config_;
  mutable std::mutex mutex_;  ///< guards ipam_ and serializes every netlink change
  Ipam ipam_;
};

}  // namespace craton::agent
