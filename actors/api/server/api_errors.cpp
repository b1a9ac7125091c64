// Status objects as kube-apiserver writes them (k8s.io/apimachinery/pkg/api/errors).
#include "actors/api/server/api_errors.hpp"

namespace craton::api {
namespace {

nlohmann::json details_of(const Kind& kind, const std::string& name) {
  nlohmann::json d{{"name", name}, {"kind", kind.info.plural}};
  if (!kind.info.group.empty()) d["group"] = kind.info.group;
  return d;
}

std::string qualified(const Kind& kind) {
  return kind.info.group.empty() ? kind.info.plural : kind.info.plural + "." + kind.info.group;
}

}  // namespace

HttpResponse json_response(int code, const nlohmann::json& body) {
  return HttpResponse{code, "application/json", body.dump()};
}

HttpResponse status_error(int code, const std::string& reason, const std::string& message,
                          nlohmann::json details) {
  nlohmann::json status{
      {"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", nlohmann::json::object()},
      {"status", "Failure"}, {"message", message}, {"reason", reason},
      {"code", code}};
  if (!details.is_null()) status["details"] = std::move(details);
  return json_response(code, status);
}

HttpResponse not_found(const Kind& kind, const std::string& name) {
  return status_error(404, "NotFound", qualified(kind) + " \"" + name + "\" not found",
                      details_of(kind, name));
}

HttpResponse already_exists(const Kind& kind, const std::string& name) {
  return status_error(409, "AlreadyExists", qualified(kind) + " \"" + name + "\" already exists",
                      details_of(kind, name));
}

HttpResponse conflict(const Kind& kind, const std::string& name, const std::string& why) {
  return status_error(
      409, "Conflict",
      "Operation cannot be fulfilled on " + qualified(kind) + " \"" + name + "\": " + why,
      details_of(kind, name));
}

HttpResponse invalid(const Kind& kind, const std::string& name,
                     const std::vector<StatusCause>& causes) {
  std::string list;
  auto jcauses = nlohmann::json::array();
  for (const auto& c : causes) {
    if (!list.empty()) list += ", ";
    list += (c.field.empty() ? "" : c.field + ": ") + c.message;
    jcauses.push_back({{"reason", c.reason}, {"message", c.message}, {"field", c.field}});
  }
  if (causes.size() > 1) list = "[" + list + "]";
  nlohmann::json details{{"name", name}, {"kind", kind.info.kind}, {"causes", jcauses}};
  if (!kind.info.group.empty()) details["group"] = kind.info.group;
  return status_error(422, "Invalid", kind.info.kind + " \"" + name + "\" is invalid: " + list,
                      details);
}

HttpResponse bad_request(const std::string& message) {
  return status_error(400, "BadRequest", message);
}

HttpResponse from_error(const Error& error, const Kind& kind, const std::string& name) {
  if (error.code == "exists") return already_exists(kind, name);
  if (error.code == "conflict")
    return conflict(kind, name,
                    "the object has been modified; please apply your changes to the latest "
                    "version and try again");
  if (error.code == "not_found") return not_found(kind, name);
  if (error.code == "bad_request") return bad_request(error.message);
  if (error.code == "timeout")
    return status_error(504, "Timeout", "the store did not answer in time: " + error.message);
  if (error.code == "duplicate")  // applied once, its answer lost (a remove's, never read back)
    return status_error(504, "Timeout", "the write's outcome is unknown: " + error.message);
  if (error.code == "unavailable" || error.code == "no_leader")
    return status_error(503, "ServiceUnavailable", "the store is unavailable: " + error.message);
  if (error.code == "busy")  // kube-apiserver's answer to overload: clients back off, retry
    return status_error(429, "TooManyRequests", "the store is busy: " + error.message);
  if (error.code == "too_large")
    return status_error(413, "RequestEntityTooLarge", "the object is too large: " + error.message);
  return status_error(500, "InternalError", error.code + ": " + error.message);
}

HttpResponse method_not_allowed() {
  return status_error(405, "MethodNotAllowed",
                      "the server does not allow this method on the requested resource");
}

}  // namespace craton::api
