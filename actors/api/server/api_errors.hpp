// Kubernetes Status responses for what the API service refuses, with the reasons, codes and
// messages kube-apiserver uses (so kubectl prints `Error from server (NotFound): configmaps
// "x" not found`), and the mapping of store errors onto them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "actors/api/http/http_server.hpp"
#include "actors/api/kinds/kinds.hpp"
#include "runtime/result.hpp"

namespace craton::api {

HttpResponse json_response(int code, const nlohmann::json& body);
HttpResponse status_error(int code, const std::string& reason, const std::string& message,
                          nlohmann::json details = nullptr);
HttpResponse not_found(const Kind& kind, const std::string& name);
HttpResponse already_exists(const Kind& kind, const std::string& name);
HttpResponse conflict(const Kind& kind, const std::string& name, const std::string& why);
/// 422 Invalid: `Kind "name" is invalid: [field: message, ...]` with the causes in details.
HttpResponse invalid(const Kind& kind, const std::string& name,
                     const std::vector<StatusCause>& causes);
HttpResponse bad_request(const std::string& message);
/// 405: the verb is not served on this path.
HttpResponse method_not_allowed();
/// A store or codec error: exists -> 409, conflict -> 409, not_found -> 404, timeout -> 504,
/// unavailable -> 503, too_large -> 413, anything else -> 500.
HttpResponse from_error(const Error& error, const Kind& kind, const std::string& name);

}  // namespace craton::api
