// ApiHost: HTTP, workers and the cache feed around ApiService.
#include "actors/api/host/api_host.hpp"

#include "actors/api/host/store_feed.hpp"

#include <algorithm>
#include <random>

#include "actors/api/http/discovery_routes.hpp"
#include "actors/api/meta/names.hpp"
#include "actors/api/openapi/openapi.hpp"

namespace craton::api {
namespace {

// kube-apiserver's request verbs: GET of a collection is LIST, with watch=1 WATCH.
std::string verb_of(const HttpRequest& request, const std::optional<ApiPath>& path) {
  bool named = path && !path->name.empty();
  auto watch = request.query.find("watch");
  bool watching = watch != request.query.end() && (watch->second == "1" || watch->second == "true");
  if (request.method == "GET") return named ? "GET" : watching ? "WATCH" : "LIST";
  if (request.method == "DELETE" && !named) return "DELETECOLLECTION";
  return request.method == "POST" || request.method == "PUT" || request.method == "PATCH" ||
                 request.method == "DELETE"
             ? request.method
             : "OTHER";
}

// Whether an Accept header prefers gnostic's protobuf to JSON (either spelling of its type,
// named before any application/json).
bool wants_protobuf(const std::string& accept) {
  auto protobuf =
      std::min(accept.find(kOpenApiV2ProtobufAccept), accept.find(kOpenApiV2ProtobufContentType));
  return protobuf != std::string::npos && protobuf < accept.find("application/json");
}

// GET /openapi/v2 as kube-apiserver answers it: gnostic's protobuf when the Accept header asks
// for it (kubectl up to 1.27 does), JSON otherwise; 304 when If-None-Match names the document.
HttpResponse openapi_v2_response(const HttpRequest& request) {
  const auto& document = openapi_v2();
  if (request.if_none_match == document.etag) return HttpResponse{304, "", "", document.etag};
  if (wants_protobuf(request.accept))
    return HttpResponse{200, std::string(kOpenApiV2ProtobufContentType), document.protobuf,
                        document.etag};
  return HttpResponse{200, "application/json", document.json, document.etag};
}

// Counts the request with its answer's code when it is answered (a watch: when its stream
// starts) and times it.
class MeteredExchange final : public Exchange {
 public:
  MeteredExchange(std::shared_ptr<Exchange> inner, Metrics& metrics, std::string verb,
                  std::string resource)
      : inner_(std::move(inner)),
        metrics_(metrics),
        verb_(std::move(verb)),
        resource_(std::move(resource)),
        start_(std::chrono::steady_clock::now()) {}
  void respond(HttpResponse response) override {
    record(response.status);
    inner_->respond(std::move(response));
  }
  void start_stream(int status, const std::string& content_type) override {
    record(status);
    inner_->start_stream(status, content_type);
  }
  bool write(std::string piece) override { return inner_->write(std::move(piece)); }
  void end() override { inner_->end(); }

 private:
  void record(int code) {
    metrics_
        .counter("apiserver_request_total", "Requests by verb, resource and HTTP code",
                 {{"verb", verb_}, {"resource", resource_}, {"code", std::to_string(code)}})
        .Increment();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    metrics_
        .histogram("apiserver_request_duration_seconds", "Time to the response (or stream start)",
                   {0.005, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
                   {{"verb", verb_}, {"resource", resource_}})
        .Observe(seconds);
  }

  std::shared_ptr<Exchange> inner_;
  Metrics& metrics_;
  std::string verb_, resource_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

ApiHost::ApiHost(store::StoreClient& client, ApiHostOptions options)
    : client_(client),
      options_(std::move(options)),
      objects_(client, StoreObjectStoreOptions{
                           options_.store_calls_max, options_.queue_max * 4,
                           [this](std::function<void()> job) { post(std::move(job), false); }}) {}

Result<std::unique_ptr<ApiHost>> ApiHost::start(store::StoreClient& client,
                                                ApiHostOptions options) {
  std::unique_ptr<ApiHost> host(new ApiHost(client, std::move(options)));
  auto& service_options = host->options_.service;
  auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
  auto rng_mutex = std::make_shared<std::mutex>();
  if (!service_options.now_s)
    service_options.now_s = [] {
      return std::int64_t(std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count());
    };
  if (!service_options.new_uid)
    service_options.new_uid = [rng, rng_mutex] {
      std::lock_guard lock(*rng_mutex);
      return random_uid([&] { return (*rng)(); });
    };
  if (!service_options.name_suffix)
    service_options.name_suffix = [rng, rng_mutex] {
      std::lock_guard lock(*rng_mutex);
      return random_name_suffix([&] { return (*rng)(); });
    };
  // A request parked on the watch cache goes on on a worker; its place was taken when it
  // came, so the queue's bound does not refuse it (the service answers parked requests
  // itself when it goes).
  service_options.resume = [h = host.get()](std::function<void()> job) {
    h->post(std::move(job), false);
  };
  // pods/log: relayed from the pod's node agent (the kubelet's port, as kube-apiserver does).
  if (!service_options.pod_log)
    service_options.pod_log = [h = host.get()](PodLogTarget target, std::shared_ptr<Exchange> e) {
      h->logs_.relay(std::move(target), std::move(e));
    };
  // Where kubectl reaches this server: the --advertise-address given, else the HTTP host; the
  // HTTP port either way.
  if (service_options.advertise_address.empty())
    service_options.advertise_address = host->options_.http.address().to_string();
  if (host->options_.http.port() != 0) service_options.advertise_port = host->options_.http.port();
  if (!host->options_.metrics) host->options_.metrics = std::make_shared<Metrics>();
  host->service_ = std::make_unique<ApiService>(host->objects_, service_options);
  for (std::size_t i = 0; i < host->options_.workers; ++i)
    host->workers_.emplace_back([h = host.get()] { h->work(); });
  host->feed_ = std::thread([h = host.get()] { h->feed(); });
  auto http = HttpServer::start(host->options_.http, host->options_.http_options,
                                [h = host.get()](HttpRequest request, std::shared_ptr<Exchange> e) {
                                  h->serve(std::move(request), std::move(e));
                                });
  if (!http) {
    host->stop();
    return http.error();
  }
  host->http_ = std::move(*http);
  return host;
}

ApiHost::~ApiHost() {
  stop();
}

void ApiHost::stop() {
  if (stopping_.exchange(true)) return;
  if (http_) http_->stop();
  logs_.stop();
  queue_ready_.notify_all();
  for (auto& t : workers_) t.join();
  objects_.stop();  // its answers after this go to a queue no worker runs
  if (feed_.joinable()) feed_.join();
  service_.reset();
}

std::shared_ptr<Exchange> ApiHost::metered(const HttpRequest& request,
                                           std::shared_ptr<Exchange> exchange) {
  auto path = parse_api_path(request.path);
  return std::make_shared<MeteredExchange>(std::move(exchange), *options_.metrics,
                                           verb_of(request, path), path ? path->resource : "");
}

void ApiHost::serve(HttpRequest request, std::shared_ptr<Exchange> exchange) {
  if (request.method == "GET" && request.path == "/metrics") {
    options_.metrics->gauge("apiserver_registered_watchers", "Watches open now")
        .Set(double(service_->watcher_count()));
    return exchange->respond(
        HttpResponse{200, "text/plain; version=0.0.4", options_.metrics->text()});
  }
  // Not ready until the caches hold the store's objects: a load balancer (or kubectl
  // get --raw /readyz) sees it.
  if (request.method == "GET" && request.path == "/readyz" && !service_->ready())
    return exchange->respond(
        status_response(503, "ServiceUnavailable", "the watch caches are not filled yet"));
  if (auto response = discovery_response(request)) return exchange->respond(std::move(*response));
  exchange = metered(request, std::move(exchange));
  if (request.method == "GET" && request.path == "/openapi/v2")
    return exchange->respond(openapi_v2_response(request));
  if (request.method == "GET" && request.path.rfind("/openapi/v3", 0) == 0) {
    constexpr std::string_view prefix = "/openapi/v3/";
    auto document = request.path == "/openapi/v3" ? std::optional<std::string>(openapi_v3_index())
                    : request.path.size() > prefix.size()
                        ? openapi_v3_document(request.path.substr(prefix.size()))
                        : std::nullopt;
    if (!document)
      return exchange->respond(
          status_response(404, "NotFound", "no OpenAPI document at " + request.path));
    return exchange->respond(HttpResponse{200, "application/json", std::move(*document)});
  }
  if (!post([this, request = std::move(request), exchange]() mutable {
        service_->handle(std::move(request), exchange);
      }))
    exchange->respond(
        status_response(429, "TooManyRequests", "the server has too many requests queued"));
}

bool ApiHost::post(std::function<void()> job, bool bounded) {
  {
    std::lock_guard lock(queue_mutex_);
    if (bounded && (queue_.size() >= options_.queue_max || stopping_)) return false;
    queue_.push_back(std::move(job));
  }
  queue_ready_.notify_one();
  return true;
}

void ApiHost::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(queue_mutex_);
      queue_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

// kube-apiserver's endpoint reconciler loop: this server's lease renewed and the `kubernetes`
// Endpoints brought in line every 10 s, one pass at a time, on a worker.
void ApiHost::reconcile_endpoints() {
  auto now = std::chrono::steady_clock::now();
  if (reconciling_->load() || now < endpoints_due_) return;
  endpoints_due_ = now + std::chrono::seconds(10);
  reconciling_->store(true);
  bool posted = post(
      [this, flag = reconciling_, log = options_.log] {
        craton::start(service_->reconcile_endpoints(), [flag, log](const Status& s) {
          flag->store(false);
          if (!s && log) log("api: " + s.error().message);
        });
      },
      false);
  if (!posted) reconciling_->store(false);
}

void ApiHost::feed() {
  constexpr std::string_view kRoot = "/registry/";
  bool first = true;
  auto say = [this](const std::string& m) {
    if (options_.log) options_.log(m);
  };
  while (!stopping_) {
    auto listed = objects_.list(std::string(kRoot));
    if (!listed) {
      say("api: cannot list the store (" + listed.error().message + "); retrying");
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    service_->reset(listed->first, listed->second);
    if (first) {
      first = false;
      post([this, say] {
        craton::start(service_->ensure_defaults(), [say](const Status& s) {
          if (!s) say("api: " + s.error().message);
        });
      });
    }
    store::WatchRequest request;
    request.key = std::string(kRoot);
    request.range_end = storage::prefix_end(request.key);
    request.start_revision = listed->first + 1;
    request.progress_notify = true;
    auto watch = client_.watch(request);
    if (!watch) {
      say("api: cannot watch the store (" + watch.error().message + "); listing again");
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    while (!stopping_) {
      service_->tick();
      reconcile_endpoints();
      auto batch = (*watch)->next(std::chrono::milliseconds(500));
      if (!batch) {
        if (batch.error().code == "timeout") continue;
        say("api: the store watch ended (" + batch.error().message + "); listing again");
        break;
      }
      auto step = feed_step(std::move(*batch));
      if (step.progress) service_->progress(*step.progress);
      if (!step.changes.empty()) service_->apply(step.changes);  // progresses to the last
    }
  }
}

}  // namespace craton::api
