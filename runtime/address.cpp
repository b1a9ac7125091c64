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

Result<Address> parse_address(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos)
    return Error{"bad_address", "address must be node/actor: '" + std::string(text) + "'"};
  Address a{std::string(text.substr(0, slash)), std::string(text.substr(slash + 1))};
  if (auto s = validate_name(a.node); !s) return s.error();
  if (auto s = validate_name(a.actor); !s) return s.error();
  return a;
}

}  // namespace craton
