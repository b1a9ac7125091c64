// SchedulerApiBinder: binds through an in-process ApiService (see the header).
#include "bench/scheduler_api_binder.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>

#include "actors/api/actor/api_call_http.hpp"
#include "actors/api/server/api_service.hpp"
#include "actors/api/server/memory_object_store.hpp"
#include "actors/scheduler/service/binding_call.hpp"

namespace craton::bench {

namespace {

/// The one answer of a request the service handles at once (its store answers at once).
struct AnswerExchange final : api::Exchange {
  std::optional<api::HttpResponse> response;
  void respond(api::HttpResponse r) override {
    if (!r.pieces.empty()) r.body = api::joined_body(r);
    r.pieces.clear();
    response = std::move(r);
  }
  void start_stream(int, const std::string&) override {}
  bool write(std::string) override { return false; }
  void end() override {}
};

}  // namespace

struct SchedulerApiBinder::World {
  api::MemoryObjectStore store;
  api::KubeJson codec;
  std::unique_ptr<api::ApiService> service;
  std::string next_uid;  ///< the uid the next created object gets
  std::uint64_t uids = 0;

  api::HttpResponse handle(api::HttpRequest request) {
    auto exchange = std::make_shared<AnswerExchange>();
    service->handle(std::move(request), exchange);
    if (!exchange->response) return {504, "application/json", "no answer (parked on the cache)"};
    return std::move(*exchange->response);
  }
};

SchedulerApiBinder::SchedulerApiBinder(std::unique_ptr<World> world) : world_(std::move(world)) {}
SchedulerApiBinder::~SchedulerApiBinder() = default;

Result<std::unique_ptr<SchedulerApiBinder>> SchedulerApiBinder::create() {
  auto world = std::make_unique<World>();
  World* w = world.get();
  api::ApiServiceOptions options;
  options.now_s = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  options.new_uid = [w] {
    if (!w->next_uid.empty()) return std::exchange(w->next_uid, std::string());
    return "bench-uid-" + std::to_string(++w->uids);
  };
  options.name_suffix = [w] { return "b" + std::to_string(++w->uids % 10000); };
  w->service = std::make_unique<api::ApiService>(w->store, options);
  w->store.service = w->service.get();
  w->service->reset(1, {});
  std::optional<Status> ready;
  start(w->service->ensure_defaults(), [&ready](Status s) { ready = std::move(s); });
  if (!ready) return Error{"api", "the API service did not finish its defaults at once"};
  if (!ready->ok()) return ready->error();
  auto binder = std::unique_ptr<SchedulerApiBinder>(new SchedulerApiBinder(std::move(world)));
  binder->namespaces_.insert("default");
  return binder;
}

Result<Ok> SchedulerApiBinder::post(const std::string& path, const std::string& json_body) {
  api::HttpRequest request;
  request.method = "POST";
  request.path = path;
  request.content_type = "application/json";
  request.accept = "application/json";
  request.body = json_body;
  auto response = world_->handle(std::move(request));
  if (response.status != 201)
    return Error{"api", "POST " + path + ": " + std::to_string(response.status) + " " +
                            response.body.substr(0, 300)};
  return Ok{};
}

Result<Ok> SchedulerApiBinder::create_pod(const scheduler::PodInfo& pod) {
  if (!namespaces_.count(pod.namespace_)) {
    nlohmann::json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}};
    ns["metadata"]["name"] = pod.namespace_;
    if (auto ok = post("/api/v1/namespaces", ns.dump()); !ok) return ok.error();
    namespaces_.insert(pod.namespace_);
  }
  // The API object carries what identifies the pod; the scheduling model stays the PodInfo's.
  nlohmann::json p = {{"apiVersion", "v1"}, {"kind", "Pod"}};
  p["metadata"]["name"] = pod.name;
  p["metadata"]["namespace"] = pod.namespace_;
  p["spec"]["containers"] = nlohmann::json::array({{{"name", "c"}, {"image", "pause"}}});
  world_->next_uid = pod.uid;
  return post("/api/v1/namespaces/" + pod.namespace_ + "/pods", p.dump());
}

Result<Ok> SchedulerApiBinder::bind(const scheduler::PodInfo& pod, std::string_view node) {
  auto call = scheduler::binding_call(pod, node, {});
  auto request = api::http_request_of(call, world_->codec);
  if (!request) return request.error();
  auto reply = api::reply_of(world_->handle(std::move(*request)), call, world_->codec);
  if (!reply.ok())
    return Error{"bind", "pod " + pod.key() + " to " + std::string(node) + ": " +
                             std::to_string(reply.code) + " " + reply.failure.message};
  return Ok{};
}

Result<std::size_t> SchedulerApiBinder::bound_pods() {
  api::HttpRequest request;
  request.method = "GET";
  request.path = "/api/v1/pods";
  request.accept = "application/json";
  auto response = world_->handle(std::move(request));
  if (response.status != 200)
    return Error{"api", "GET /api/v1/pods: " + std::to_string(response.status)};
  auto list = nlohmann::json::parse(response.body, nullptr, false);
  if (list.is_discarded() || !list.contains("items")) return Error{"api", "pods: not a list"};
  std::size_t n = 0;
  for (const auto& pod : list["items"])
    if (!pod.value("spec", nlohmann::json::object()).value("nodeName", "").empty()) ++n;
  return n;
}

}  // namespace craton::bench
