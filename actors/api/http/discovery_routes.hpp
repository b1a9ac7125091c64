// The discovery and health endpoints kubectl reads before anything else: /version, /api,
// /api/v1, /apis, /apis/<group>/<version>, /healthz, /livez, /readyz (resources.hpp's table).
#pragma once

#include <optional>

#include "actors/api/http/http_server.hpp"

namespace craton::api {

/// The response for a discovery or health path (GET only), or nullopt if `request` is not one.
std::optional<HttpResponse> discovery_response(const HttpRequest& request);

}  // namespace craton::api
