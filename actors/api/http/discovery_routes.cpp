#include "actors/api/http/discovery_routes.hpp"

#include "actors/api/meta/resources.hpp"

namespace craton::api {

std::optional<HttpResponse> discovery_response(const HttpRequest& request) {
  const auto& p = request.path;
  if (p == "/healthz" || p == "/livez" || p == "/readyz")
    return HttpResponse{200, "text/plain; charset=utf-8", "ok"};
  bool discovery = p == "/version" || p == "/api" || p == "/apis" || p.rfind("/api/", 0) == 0 ||
                   p.rfind("/apis/", 0) == 0;
  if (!discovery) return std::nullopt;
  if (p == "/version")
    return HttpResponse{200, "application/json", discovery_version("v1.32.0-craton")};
  if (p == "/api") return HttpResponse{200, "application/json", discovery_api_versions()};
  if (p == "/apis") return HttpResponse{200, "application/json", discovery_group_list()};
  // /api/v1 and /apis/<group>/<version>: deeper paths are resources, not discovery.
  std::optional<std::string> list;
  if (p == "/api/v1") list = discovery_resource_list("", "v1");
  if (p.rfind("/apis/", 0) == 0) {
    auto rest = p.substr(6);
    auto slash = rest.find('/');
    if (slash != std::string::npos && rest.find('/', slash + 1) == std::string::npos)
      list = discovery_resource_list(rest.substr(0, slash), rest.substr(slash + 1));
    else if (slash != std::string::npos)
      return std::nullopt;
    else
      return status_response(404, "NotFound", "the server could not find the requested resource");
  } else if (p != "/api/v1") {
    return std::nullopt;
  }
  if (!list)
    return status_response(404, "NotFound", "the server could not find the requested resource");
  if (request.method != "GET")
    return status_response(405, "MethodNotAllowed", request.method + " is not allowed on " + p);
  return HttpResponse{200, "application/json", *list};
}

}  // namespace craton::api
