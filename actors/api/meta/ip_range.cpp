#include "actors/api/meta/ip_range.hpp"

#include <arpa/inet.h>

namespace craton::api {
namespace {

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  std::string s(text);
  in_addr addr{};
  if (inet_pton(AF_INET, s.c_str(), &addr) != 1) return std::nullopt;
  return ntohl(addr.s_addr);
}

}  // namespace

Result<Ipv4Range> Ipv4Range::parse(std::string_view cidr) {
  auto slash = cidr.find('/');
  auto bad = Error{"invalid", "\"" + std::string(cidr) + "\" is not an IPv4 CIDR from /8 to /30"};
  if (slash == std::string_view::npos) return bad;
  auto ip = parse_ipv4(cidr.substr(0, slash));
  auto bits_text = std::string(cidr.substr(slash + 1));
  if (!ip || bits_text.empty() || bits_text.size() > 2 ||
      bits_text.find_first_not_of("0123456789") != std::string::npos)
    return bad;
  int bits = std::stoi(bits_text);
  if (bits < 8 || bits > 30) return bad;
  Ipv4Range r;
  r.size_ = std::uint32_t(1) << (32 - bits);
  r.base_ = *ip & ~(r.size_ - 1);
  r.cidr_ = std::string(cidr);
  return r;
}

std::string Ipv4Range::at(std::uint32_t n) const {
  in_addr addr{};
  addr.s_addr = htonl(base_ + 1 + n);
  char buffer[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &addr, buffer, sizeof buffer);
  return buffer;
}

std::optional<std::uint32_t> Ipv4Range::index_of(std::string_view ip) const {
  auto value = parse_ipv4(ip);
  if (!value || *value <= base_ || *value >= base_ + size_ - 1) return std::nullopt;
  return *value - base_ - 1;
}

}  // namespace craton::api
