// Ipv4Range: an IPv4 CIDR as a numbered range of addresses, what the service cluster IP
// allocator walks (kube-apiserver's --service-cluster-ip-range, 10.96.0.0/12 by default).
// Index 0 is the network address and the last is the broadcast address; neither is handed
// out, so usable() counts the rest.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/result.hpp"

namespace craton::api {

class Ipv4Range {
 public:
  /// "10.96.0.0/12"; prefixes /8 to /30 (a service range must have room and stay sane).
  static Result<Ipv4Range> parse(std::string_view cidr);

  /// Addresses that may be allocated: all but the network and broadcast addresses.
  std::uint32_t usable() const { return size_ - 2; }
  /// The n-th usable address (0 <= n < usable()), dotted.
  std::string at(std::uint32_t n) const;
  /// The usable index of `ip`, or nullopt when it is not a usable address of the range.
  std::optional<std::uint32_t> index_of(std::string_view ip) const;
  const std::string& cidr() const { return cidr_; }

 private:
  std::uint32_t base_ = 0;
  std::uint32_t size_ = 0;
  std::string cidr_;
};

}  // namespace craton::api
