// Ipam: the node's local address allocator for pods, over the node's spec.podCIDR
// ("10.244.1.0/24"). The first usable address (.1) is the gateway, held by the pod bridge; the
// network and broadcast addresses are never handed out. Each pod uid holds at most one address
// (asking again returns the same one). Allocation continues after the last address handed out
// and wraps around, as CNI's host-local plugin does, so a freed address is not reused at once by
// a new pod while peers may still hold the old pod's connections.
//
// Every change is written to <state_dir>/ipam.json (a temporary file, then rename; no fsync, see
// ipam.cpp) before it is reported, so an agent that restarts, SIGKILLed or not, finds every pod's
// address again. A change that cannot be persisted is undone: the caller sees an error and nothing
// changed. A different CIDR is refused while pods hold addresses in the old one (the overlay issue
// will drive the CIDR later and must drain the node first).
//
// Pure (files only, no root); not thread-safe: PodNetwork serializes its calls.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "actors/api/meta/ip_range.hpp"
#include "runtime/result.hpp"

namespace craton::agent {

/// Stable error codes of the IPAM (Error::code).
namespace ipam_error {
inline constexpr const char* invalid = "invalid";            ///< bad CIDR or pod uid
inline constexpr const char* exhausted = "ipam_exhausted";   ///< every address is held
inline constexpr const char* cidr_changed = "cidr_changed";  ///< refused while pods hold addresses
inline constexpr const char* corrupt_state = "corrupt_state";  ///< ipam.json is unreadable
inline constexpr const char* io = "io";
}  // namespace ipam_error

class Ipam {
 public:
  /// The state file's name under the state directory.
  static constexpr const char* state_file_name = "ipam.json";
  /// A larger state file is refused as corrupt (a /8 full of pods is far below this).
  static constexpr std::uintmax_t state_file_bytes_max = 64 * 1024 * 1024;
  /// Pod uids longer than this are refused (Kubernetes' are 36-character UUIDs).
  static constexpr std::size_t pod_uid_bytes_max = 128;

  /// Opens the allocator for `cidr` (prefixes /8 to /30), creating `state_dir` if needed and
  /// loading the allocations a previous run persisted there. Refuses a CIDR other than the
  /// persisted one while any pod holds an address; with none held, the new CIDR replaces it.
  static Result<Ipam> open(const std::string& cidr, const std::filesystem::path& state_dir);

  /// The pod's address ("10.244.1.5"): the one it already holds, or the next free one,
  /// persisted before it is returned.
  Result<std::string> allocate(const std::string& pod_uid);
  /// Frees the pod's address; a pod holding none is a success (idempotent).
  Status release(const std::string& pod_uid);

  /// The address the pod holds, if any.
  std::optional<std::string> address_of(const std::string& pod_uid) const;
  /// Every allocation: pod uid -> address.
  const std::map<std::string, std::string>& allocations() const { return by_pod_; }

  const std::string& cidr() const { return range_.cidr(); }
  /// The gateway address (the CIDR's first usable address, held by the bridge).
  std::string gateway() const { return range_.at(0); }
  /// The CIDR's prefix length (24 for a /24).
  int prefix_length() const;
  /// How many pods the CIDR can hold at once (usable addresses minus the gateway).
  std::uint32_t capacity() const { return range_.usable() - 1; }

 private:
  Ipam(api::Ipv4Range range, std::filesystem::path state_file)
      : range_(std::move(range)), state_file_(std::move(state_file)) {}

  Status load();
  Status persist() const;
  std::optional<std::uint32_t> next_free() const;

  api::Ipv4Range range_;
  std::filesystem::path state_file_;
  std::map<std::string, std::string> by_pod_;      ///< pod uid -> address
  std::map<std::uint32_t, std::string> by_index_;  ///< usable index -> pod uid
  std::uint32_t last_index_ = 0;                   ///< the last index handed out (0: none yet)
};

}  // namespace craton::agent
