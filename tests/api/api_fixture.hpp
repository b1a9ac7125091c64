// An ApiService over a map-backed ObjectStore that feeds the watch caches as the store's
// watch would (every write applied at once), with a fixed clock, counted uids and a
// request helper: what the API service's unit tests share.
#pragma once

#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "actors/api/server/api_service.hpp"
#include "actors/api/server/memory_object_store.hpp"

namespace craton::api::testing {

using json = nlohmann::json;

// The map-backed store, every write applied to the service at once (memory_object_store.hpp).
using MemoryStore = MemoryObjectStore;

struct Recorder final : Exchange {
  std::optional<HttpResponse> response;
  bool streaming = false;
  bool ended = false;
  std::vector<json> events;
  void respond(HttpResponse r) override {  // the body as a client reads it: one text
    if (!r.pieces.empty()) r.body = joined_body(r);
    r.pieces.clear();
    response = std::move(r);
  }
  void start_stream(int, const std::string&) override { streaming = true; }
  bool write(std::string piece) override {
    if (ended) return false;
    events.push_back(json::parse(piece));
    return true;
  }
  void end() override { ended = true; }
};

struct Fixture {
  MemoryStore store;
  std::int64_t clock = 1'800'000'000;
  std::int64_t ms = 0;  ///< the service's monotonic clock
  int uids = 0;
  int suffixes = 0;
  std::unique_ptr<ApiService> service;
  /// Where pods/log goes (the API host's proxy in production); unset: 503 as without one.
  std::function<void(PodLogTarget, std::shared_ptr<Exchange>)> pod_log;

  explicit Fixture(std::size_t window = 10000, std::int64_t event_ttl_s = 3600) {
    ApiServiceOptions options;
    options.cache_window = window;
    options.event_ttl_s = event_ttl_s;
    options.cache_wait = std::chrono::milliseconds(50);
    options.now_s = [this] { return clock; };
    options.monotonic_ms = [this] { return ms; };
    options.new_uid = [this] { return "uid-" + std::to_string(++uids); };
    // Counted, so that generated names differ: "abcda", "abcdb", ...
    options.name_suffix = [this] { return "abcd" + std::string(1, char('a' + suffixes++ % 26)); };
    options.pod_log = [this](PodLogTarget target, std::shared_ptr<Exchange> exchange) {
      if (pod_log) return pod_log(std::move(target), std::move(exchange));
      exchange->respond(status_response(503, "ServiceUnavailable", "no proxy in this test"));
    };
    service = std::make_unique<ApiService>(store, options);
    store.service = service.get();
    service->reset(1, {});
    std::optional<Status> ready;
    start(service->ensure_defaults(), [&ready](Status s) { ready = std::move(s); });
    BOOST_REQUIRE(ready.has_value());
    BOOST_REQUIRE_MESSAGE(ready->ok(), (ready->ok() ? std::string() : ready->error().message));
  }

  HttpResponse call(const std::string& method, const std::string& target,
                    const std::string& body = "",
                    const std::string& content_type = "application/json",
                    const std::string& accept = "application/json") {
    auto r = std::make_shared<Recorder>();
    service->handle(request(method, target, body, content_type, accept), r);
    if (!r->response) {  // parked on the watch cache: let its wait run out
      ms += 60'000;
      service->tick();
    }
    BOOST_REQUIRE(r->response.has_value());
    return *r->response;
  }

  std::shared_ptr<Recorder> watch(const std::string& target, const std::string& accept = "") {
    auto r = std::make_shared<Recorder>();
    service->handle(request("GET", target, "", "", accept), r);
    if (!r->response && !r->streaming) {  // parked on the watch cache: let its wait run out
      ms += 60'000;
      service->tick();
    }
    return r;
  }

  static HttpRequest request(const std::string& method, const std::string& target,
                             const std::string& body, const std::string& content_type,
                             const std::string& accept) {
    HttpRequest h;
    h.method = method;
    auto q = target.find('?');
    h.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string query = target.substr(q + 1);
      std::size_t at = 0;
      while (at <= query.size()) {
        auto amp = query.find('&', at);
        auto part = query.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
        auto eq = part.find('=');
        h.query[part.substr(0, eq)] = eq == std::string::npos ? "" : part.substr(eq + 1);
        if (amp == std::string::npos) break;
        at = amp + 1;
      }
    }
    h.body = body;
    h.content_type = content_type;
    h.accept = accept;
    return h;
  }
};

inline json body(const HttpResponse& r) {
  return json::parse(r.body);
}

}  // namespace craton::api::testing
