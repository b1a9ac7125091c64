// SandboxNetwork: how the Linux driver gives a pod's network namespace its network. The driver
// creates the namespace (a bind-mounted /proc/<pid>/ns/net, as `ip netns add` does) and hands
// its path here; the implementation (pod_network.hpp: a bridge, a veth per pod, an address from
// the node's pod CIDR) plugs the namespace in and says which address the pod got. Kept apart so
// the driver's own tests can run pods with loopback only, and so the overlay network issue can
// later swap the implementation without touching the driver.
#pragma once

#include <string>

#include "runtime/result.hpp"

namespace craton::agent {

class SandboxNetwork {
 public:
  virtual ~SandboxNetwork() = default;
  /// Brings up `lo` in the namespace at netns_path and connects it; returns the pod's IPv4
  /// address ("10.244.1.5"). Idempotent per pod_uid: a second call returns the same address.
  virtual Result<std::string> attach(const std::string& pod_uid, const std::string& netns_path) = 0;
  /// Releases the pod's address and removes its host-side devices. Succeeds when nothing is left.
  virtual Status detach(const std::string& pod_uid) = 0;
};

}  // namespace craton::agent
