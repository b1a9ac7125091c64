#include "runtime/peer_list.hpp"

#include <charconv>
#include <set>

#include "runtime/address.hpp"

namespace craton {
namespace {

constexpr std::size_t kHostBytesMax = 253;  // longest DNS name

Status validate_host(std::string_view host) {
  if (host.empty() || host.size() > kHostBytesMax)
    return Error{"bad_endpoint", "host must be 1 to 253 bytes: '" + std::string(host) + "'"};
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-';
    if (!ok)
      return Error{"bad_endpoint", "host may hold only [A-Za-z0-9.-]: '" + std::string(host) + "'"};
  }
  return Ok{};
}

}  // namespace

Result<Endpoint> parse_endpoint(std::string_view text, bool allow_any_port) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos)
    return Error{"bad_endpoint", "endpoint must be host:port: '" + std::string(text) + "'"};
  auto host = text.substr(0, colon);
  auto port_text = text.substr(colon + 1);
  if (auto s = validate_host(host); !s) return s.error();
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() ||
      port > 65535)
    return Error{"bad_endpoint", "port must be a number in 0..65535: '" + std::string(text) + "'"};
  if (port == 0 && !allow_any_port)
    return Error{"bad_endpoint", "port 0 is not allowed here: '" + std::string(text) + "'"};
  return Endpoint{std::string(host), static_cast<std::uint16_t>(port)};
}

Result<std::vector<PeerSpec>> parse_peer_list(std::string_view text) {
  std::vector<PeerSpec> peers;
  std::set<std::string> seen;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    auto eq = item.find('=');
    if (eq == std::string_view::npos)
      return Error{"bad_peer", "peer must be node=host:port: '" + std::string(item) + "'"};
    PeerSpec peer{std::string(item.substr(0, eq)), {}};
    if (auto s = validate_name(peer.node); !s) return Error{"bad_peer", s.error().message};
    auto endpoint = parse_endpoint(item.substr(eq + 1));
    if (!endpoint) return endpoint.error();
    peer.endpoint = *endpoint;
    if (!seen.insert(peer.node).second)
      return Error{"bad_peer", "peer '" + peer.node + "' is listed twice"};
    if (peers.size() == kPeersMax)
      return Error{"bad_peer", "more than " + std::to_string(kPeersMax) + " peers"};
    peers.push_back(std::move(peer));
  }
  return peers;
}

}  // namespace craton
