#include "runtime/address.hpp"

namespace craton {

Status validate_name(std::string_view name) {
  if (name.empty() || name.size() > kNameBytesMax)
    return Error{"bad_name", "name must be 1 to 64 bytes: '" + std::string(name) + "'"};
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok)
      return Error{"bad_name", "name may hold only [A-Za-z0-9._-]: '" + std::string(name) + "'"};
  }
  return Ok{};
}

Status validate_node_id(std::string_view id) {
  auto at = id.find('@');
  if (at == std::string_view::npos) return validate_name(id);
  auto session = id.substr(at + 1);
  bool hex = !session.empty() && session.size() <= 16 &&
             session.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  if (!hex)
    return Error{"bad_name",
                 "a node session must be NAME@ and 1 to 16 hex digits: '" + std::string(id) + "'"};
  if (auto s = validate_name(id.substr(0, at)); !s) return s;
  if (id.size() > kNameBytesMax)
    return Error{"bad_name", "node id longer than 64 bytes: '" + std::string(id) + "'"};
  return Ok{};
}

std::string_view certified_name(std::string_view id) {
  return id.substr(0, id.find('@'));
}

Result<Address> parse_address(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos)
    return Error{"bad_address", "address must be node/actor: '" + std::string(text) + "'"};
  Address a{std::string(text.substr(0, slash)), std::string(text.substr(slash + 1))};
  if (auto s = validate_node_id(a.node); !s) return s.error();
  if (auto s = validate_name(a.actor); !s) return s.error();
  return a;
}

}  // namespace craton
