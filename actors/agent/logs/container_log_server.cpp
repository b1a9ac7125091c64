#include "actors/agent/logs/container_log_server.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <thread>

#include "actors/api/client/kube_time.hpp"

namespace craton::agent {
namespace {

using api::HttpResponse;
using api::status_response;

Result<std::int64_t> non_negative(const api::HttpRequest& request, const std::string& key) {
  const auto& text = request.query.at(key);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0)
    return Error{"bad_request", key + ": must be a non-negative integer, not '" + text + "'"};
  return value;
}

Result<bool> flag(const api::HttpRequest& request, const std::string& key) {
  auto it = request.query.find(key);
  if (it == request.query.end() || it->second.empty() || it->second == "false" || it->second == "0")
    return false;
  if (it->second == "true" || it->second == "1") return true;
  return Error{"bad_request", key + ": must be true or false, not '" + it->second + "'"};
}

// Splits "/containerLogs/ns/pod/container" into its three names.
std::optional<std::array<std::string, 3>> path_names(const std::string& path) {
  constexpr std::string_view prefix = "/containerLogs/";
  if (path.rfind(prefix, 0) != 0) return std::nullopt;
  std::array<std::string, 3> names;
  std::size_t at = prefix.size();
  for (std::size_t i = 0; i < 3; ++i) {
    auto slash = path.find('/', at);
    if ((slash == std::string::npos) != (i == 2)) return std::nullopt;
    names[i] = path.substr(at, slash == std::string::npos ? std::string::npos : slash - at);
    if (names[i].empty()) return std::nullopt;
    at = slash + 1;
  }
  return names;
}

}  // namespace

Result<LogRequest> parse_log_request(const api::HttpRequest& request, std::int64_t now_ms) {
  auto names = path_names(request.path);
  if (!names)
    return Error{"not_found", "no such path: " + request.path +
                                  " (serving /containerLogs/<namespace>/<pod>/<container>)"};
  LogRequest r;
  r.pod_namespace = (*names)[0];
  r.pod_name = (*names)[1];
  r.container = (*names)[2];
  for (auto [key, into] : {std::pair{"follow", &r.follow},
                           {"previous", &r.previous},
                           {"timestamps", &r.query.timestamps}}) {
    auto value = flag(request, key);
    if (!value) return value.error();
    *into = *value;
  }
  if (r.follow && r.previous) return Error{"bad_request", "follow and previous cannot be combined"};
  if (request.query.count("tailLines")) {
    auto n = non_negative(request, "tailLines");
    if (!n) return n.error();
    r.query.tail_lines = *n;
  }
  if (request.query.count("limitBytes")) {
    auto n = non_negative(request, "limitBytes");
    if (!n) return n.error();
    if (*n == 0) return Error{"bad_request", "limitBytes: must be greater than 0"};
    r.limit_bytes = *n;
    r.query.limit_bytes = std::min(r.query.limit_bytes, *n);
  }
  if (request.query.count("sinceSeconds") && request.query.count("sinceTime"))
    return Error{"bad_request", "at most one of sinceTime or sinceSeconds may be specified"};
  if (request.query.count("sinceSeconds")) {
    auto n = non_negative(request, "sinceSeconds");
    if (!n) return n.error();
    if (*n == 0) return Error{"bad_request", "sinceSeconds: must be greater than 0"};
    r.query.since_ms = now_ms - *n * 1000;
  }
  if (request.query.count("sinceTime")) {
    auto seconds = api::parse_rfc3339(request.query.at("sinceTime"));
    if (!seconds)
      return Error{"bad_request",
                   "sinceTime: not an RFC 3339 time: '" + request.query.at("sinceTime") + "'"};
    r.query.since_ms = *seconds * 1000;
  }
  return r;
}

Result<std::unique_ptr<ContainerLogServer>> ContainerLogServer::start(
    const boost::asio::ip::tcp::endpoint& at, PodDriver& driver,
    ContainerLogServerOptions options) {
  if (!options.now_ms) return Error{"bad_config", "container log server: no clock"};
  std::unique_ptr<ContainerLogServer> server(new ContainerLogServer(driver, std::move(options)));
  auto* s = server.get();
  auto http = api::HttpServer::start(
      at, api::HttpServerOptions{},
      [s](api::HttpRequest request, std::shared_ptr<api::Exchange> exchange) {
        s->accept(std::move(request), std::move(exchange));
      });
  if (!http) return http.error();
  server->http_ = std::move(*http);
  return server;
}

ContainerLogServer::~ContainerLogServer() {
  stop();
}

std::uint16_t ContainerLogServer::port() const {
  return http_->port();
}

void ContainerLogServer::stop() {
  stopping_ = true;
  if (http_) http_->stop();  // no new requests after this
  requests_.close();         // follows see stopping_ within a poll
}

void ContainerLogServer::accept(api::HttpRequest request, std::shared_ptr<api::Exchange> exchange) {
  if (stopping_)
    return exchange->respond(status_response(503, "ServiceUnavailable", "the agent is stopping"));
  bool started = requests_.try_run(
      [this, request = std::move(request), exchange] { serve(request, *exchange); });
  if (!started)
    exchange->respond(status_response(
        429, "TooManyRequests",
        "the agent serves at most " + std::to_string(options_.requests_max) + " log requests"));
}

void ContainerLogServer::serve(const api::HttpRequest& request, api::Exchange& exchange) {
  if (request.method != "GET")
    return exchange.respond(status_response(405, "MethodNotAllowed", "only GET is served"));
  auto parsed = parse_log_request(request, options_.now_ms());
  if (!parsed) {
    bool missing = parsed.error().code == "not_found";
    return exchange.respond(status_response(
        missing ? 404 : 400, missing ? "NotFound" : "BadRequest", parsed.error().message));
  }
  auto& r = *parsed;
  // The pod's uid and the container's newest attempt, as the driver holds them.
  // `previous` is the newest attempt before it that the host still keeps.
  std::string uid;
  int newest = -1, previous = -1;
  for (const auto& pod : driver_.list()) {
    if (pod.pod_namespace != r.pod_namespace || pod.pod_name != r.pod_name) continue;
    uid = pod.sandbox.pod_uid;
    for (const auto& c : pod.containers)
      if (c.name == r.container && c.attempt > newest) {
        previous = newest;
        newest = c.attempt;
      } else if (c.name == r.container && c.attempt > previous && c.attempt < newest) {
        previous = c.attempt;
      }
  }
  const std::string who = "container \"" + r.container + "\" in pod \"" + r.pod_name + "\"";
  if (uid.empty())
    return exchange.respond(
        status_response(404, "NotFound", "pod \"" + r.pod_name + "\" is not running on this node"));
  if (newest < 0)
    return exchange.respond(
        status_response(400, "BadRequest", who + " is waiting to start: ContainerCreating"));
  r.query.attempt = r.previous ? previous : newest;
  if (r.query.attempt < 0)
    return exchange.respond(
        status_response(400, "BadRequest", "previous terminated " + who + " not found"));

  auto chunk = driver_.read_log(uid, r.container, r.query);
  if (!chunk) {
    bool gone = chunk.error().code == driver_error::no_container ||
                chunk.error().code == driver_error::no_sandbox;
    return exchange.respond(status_response(gone ? 404 : 500, gone ? "NotFound" : "InternalError",
                                            chunk.error().message));
  }
  // Chunk after chunk, streamed: a log may be larger than one read. Without follow the answer
  // ends where the log ends now; with follow it ends when the attempt has exited or the client
  // has left. Later reads continue from the offset, without tail or since (they chose the
  // start). Without limitBytes there is no cap on the whole.
  exchange.start_stream(200, "text/plain");
  std::int64_t remaining = r.limit_bytes.value_or(std::numeric_limits<std::int64_t>::max()) -
                           std::int64_t(chunk->data.size());
  LogQuery next = r.query;
  next.tail_lines.reset();
  next.since_ms.reset();
  for (;;) {
    bool read_nothing = chunk->data.empty();
    if (!read_nothing && !exchange.write(std::move(chunk->data))) return;
    if (chunk->finished || remaining <= 0 || stopping_) break;
    if (read_nothing) {
      if (!r.follow) break;
      std::this_thread::sleep_for(options_.follow_poll);
    }
    next.from_offset = chunk->next_offset;
    next.limit_bytes = std::min(r.query.limit_bytes, remaining);
    chunk = driver_.read_log(uid, r.container, next);
    if (!chunk) break;
    remaining -= std::int64_t(chunk->data.size());
  }
  exchange.end();
}

}  // namespace craton::agent
