// pods/<name>/log, as kube-apiserver answers it (pkg/registry/core/pod/rest/log.go and
// strategy.go's LogLocation): the query is checked here, the container is chosen from the pod
// (the only one, or the one named), the pod's node says where its agent listens, and the
// agent's answer (the kubelet's /containerLogs/...) is relayed to the client as it comes.
#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "actors/api/server/api_errors.hpp"
#include "actors/api/server/api_internal.hpp"

namespace craton::api {
namespace {

// The parameters of kube's PodLogOptions, which the agent receives as they came, and
// `timeout`, the request timeout every kube-apiserver request may carry (kubectl
// --request-timeout sends it): accepted, not relayed.
const std::set<std::string> kLogParameters{
    "container",  "follow",    "previous",   "sinceSeconds", "sinceTime",
    "timestamps", "tailLines", "limitBytes", "pretty",       "insecureSkipTLSVerifyBackend",
    "timeout"};
// What the agent is not sent: the container is in the path; the rest concern this server.
const std::set<std::string> kNotRelayed{"container", "pretty", "insecureSkipTLSVerifyBackend",
                                        "timeout"};

// kube prints a []string with %s: "[a b c]".
std::string go_list(const std::vector<std::string>& names) {
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? " " : "") + names[i];
  return out + "]";
}

std::vector<std::string> names_of(const nlohmann::json& containers) {
  std::vector<std::string> names;
  if (containers.is_array())
    for (const auto& c : containers)
      if (c.is_object() && c.contains("name")) names.push_back(c["name"].get<std::string>());
  return names;
}

// Where the node's agent listens: its InternalIP (else any address) and the kubelet port it
// reports.
std::optional<std::pair<std::string, std::uint16_t>> agent_of(const nlohmann::json& node) {
  const auto& status = node.value("status", nlohmann::json::object());
  auto port = status.value("daemonEndpoints", nlohmann::json::object())
                  .value("kubeletEndpoint", nlohmann::json::object())
                  .value("Port", 0);
  std::string host;
  for (const auto& a : status.value("addresses", nlohmann::json::array())) {
    if (!a.is_object() || !a.contains("address")) continue;
    if (a.value("type", "") == "InternalIP") {
      host = a["address"].get<std::string>();
      break;
    }
    if (host.empty()) host = a["address"].get<std::string>();
  }
  if (host.empty() || port <= 0 || port > 65535) return std::nullopt;
  return std::pair{host, std::uint16_t(port)};
}

}  // namespace

Task<std::optional<HttpResponse>> ApiService::pod_log(Request r,
                                                      std::shared_ptr<Exchange> exchange) {
  for (const auto& [key, value] : r.http.query)
    if (!kLogParameters.count(key))
      co_return bad_request("unknown query parameter \"" + key + "\" for pods/log");
  if (!options_.pod_log)
    co_return status_error(503, "ServiceUnavailable",
                           "this API server cannot reach node agents for logs");

  Request pod_get = r;
  pod_get.path.subresource.clear();
  pod_get.http.query.clear();
  pod_get.table = pod_get.native = false;
  auto pod_response = co_await get(pod_get);
  if (pod_response.status != 200) co_return pod_response;
  auto pod = nlohmann::json::parse(joined_body(pod_response));
  const auto& spec = pod.value("spec", nlohmann::json::object());
  auto containers = names_of(spec.value("containers", nlohmann::json::array()));
  auto init_containers = names_of(spec.value("initContainers", nlohmann::json::array()));

  const auto& name = r.path.name;
  auto container = r.param("container");
  if (container.empty()) {
    if (containers.size() != 1) {
      std::string message = "a container name must be specified for pod " + name +
                            ", choose one of: " + go_list(containers);
      if (!init_containers.empty())
        message += " or one of the init containers: " + go_list(init_containers);
      co_return bad_request(message);
    }
    container = containers.front();
  } else if (std::find(containers.begin(), containers.end(), container) == containers.end() &&
             std::find(init_containers.begin(), init_containers.end(), container) ==
                 init_containers.end()) {
    co_return bad_request("container " + container + " is not valid for pod " + name);
  }
  auto node_name = spec.value("nodeName", "");
  if (node_name.empty()) co_return bad_request("pod " + name + " does not have a host assigned");

  Request node_get;
  node_get.kind = find_kind("", "v1", "nodes");
  node_get.path = ApiPath{"", "v1", "", "nodes", node_name, ""};
  auto node_response = co_await get(node_get);
  if (node_response.status != 200)
    co_return status_error(503, "ServiceUnavailable",
                           "node " + node_name + " of pod " + name + " is not registered");
  auto agent = agent_of(nlohmann::json::parse(joined_body(node_response)));
  if (!agent)
    co_return status_error(503, "ServiceUnavailable",
                           "node " + node_name +
                               " reports no agent address and port "
                               "(status.addresses, status.daemonEndpoints.kubeletEndpoint.Port)");

  PodLogTarget target{agent->first, agent->second,
                      "/containerLogs/" + r.path.namespace_ + "/" + name + "/" + container};
  std::string query;
  for (const auto& [key, value] : r.http.query)
    if (!kNotRelayed.count(key))
      query += (query.empty() ? "?" : "&") + key + "=" + percent_encoded(value);
  target.target += query;
  options_.pod_log(std::move(target), std::move(exchange));
  co_return std::nullopt;
}

}  // namespace craton::api
