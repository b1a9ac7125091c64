// ApiPath: Kubernetes' URL layout for resources.
#include "actors/api/server/api_path.hpp"

#include <vector>

namespace craton::api {
namespace {

std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t at = 0;
  while (at < path.size()) {
    auto next = path.find('/', at);
    if (next == std::string_view::npos) next = path.size();
    if (next > at) parts.emplace_back(path.substr(at, next - at));
    at = next + 1;
  }
  return parts;
}

}  // namespace

std::optional<ApiPath> parse_api_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  auto parts = split(path);
  ApiPath out;
  std::size_t i = 0;
  if (parts.size() >= 2 && parts[0] == "api") {
    out.version = parts[1];
    i = 2;
  } else if (parts.size() >= 3 && parts[0] == "apis") {
    out.group = parts[1];
    out.version = parts[2];
    i = 3;
  } else {
    return std::nullopt;
  }
  auto rest = std::vector<std::string>(parts.begin() + std::ptrdiff_t(i), parts.end());
  if (rest.empty()) return std::nullopt;  // discovery
  // namespaces/<ns>/<resource>...: a scope, unless what follows is the namespace's own
  // subresource (status, finalize) or nothing.
  if (rest[0] == "namespaces" && rest.size() >= 3 && rest[2] != "status" && rest[2] != "finalize") {
    out.namespace_ = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.size() > 3) return std::nullopt;
  out.resource = rest[0];
  if (rest.size() >= 2) out.name = rest[1];
  if (rest.size() == 3) out.subresource = rest[2];
  return out;
}

}  // namespace craton::api
