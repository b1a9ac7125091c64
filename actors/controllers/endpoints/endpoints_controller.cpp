// The Endpoints controller's reconcile core (see the header).
#include "actors/controllers/endpoints/endpoints_controller.hpp"

#include <capnp/message.h>

#include <map>

#include "actors/api/client/typed_selector.hpp"
#include "actors/api/informer/informer_cache.hpp"
#include "actors/controllers/endpoints/endpoint_subsets.hpp"
#include "runtime/flat_message.hpp"

namespace craton::controllers {
namespace k8s = schema::k8s;
namespace {

constexpr const char* kByNamespace = "namespace";
// The mark of an Endpoints this controller writes (Kubernetes' label telling the EndpointSlice
// mirroring controller that a controller manages it): only marked ones are ever deleted.
// Ours: not skip-mirror alone, which the API server's own `kubernetes` Endpoints carries too
// (a Service without a selector: the mark would have it deleted).
constexpr const char* kManagedLabel = "endpoints.craton.io/managed";
constexpr const char* kSkipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror";
constexpr const char* kHeadlessLabel = "service.kubernetes.io/headless";
constexpr const char* kOverCapacity = "endpoints.kubernetes.io/over-capacity";

using StringMap = std::map<std::string, std::string>;

StringMap map_of(k8s::StringMap::Reader m) {
  StringMap out;
  for (auto e : m.getEntries()) out[e.getKey().cStr()] = e.getValue().cStr();
  return out;
}

void set_map(k8s::StringMap::Builder out, const StringMap& m) {
  auto entries = out.initEntries(unsigned(m.size()));  // std::map: sorted by key, as required
  unsigned i = 0;
  for (const auto& [key, value] : m) {
    entries[i].setKey(key);
    entries[i++].setValue(value);
  }
}

// A Service this controller keeps Endpoints for.
bool selects_pods(k8s::Service::Reader service) {
  auto spec = service.getSpec();
  return spec.getSelector().getEntries().size() > 0 && spec.getType() != "ExternalName";
}

bool managed(k8s::Endpoints::Reader endpoints) {
  auto value = api::label_value(endpoints.getMetadata().getLabels(), kManagedLabel);
  return value != nullptr && std::string_view(value) == "true";
}

// What the Endpoints of a Service should hold.
struct Wanted {
  StringMap labels;
  EndpointSubsets subsets;
  bool truncated = false;
};

bool agrees(k8s::Endpoints::Reader endpoints, const Wanted& wanted) {
  auto annotations = map_of(endpoints.getMetadata().getAnnotations());
  return map_of(endpoints.getMetadata().getLabels()) == wanted.labels &&
         annotations.count(kOverCapacity) == (wanted.truncated ? 1u : 0u) &&
         subsets_of(endpoints) == wanted.subsets;
}

// The Endpoints to write: the cached one (its resourceVersion, annotations and the rest kept)
// or a new one named after the Service, with the wanted labels and subsets.
std::string endpoints_bytes(k8s::Service::Reader service,
                            const std::optional<api::InformerObject>& current,
                            const Wanted& wanted) {
  capnp::MallocMessageBuilder message;
  if (current) {
    message.setRoot(current->as<k8s::Endpoints>());
  } else {
    auto fresh = message.initRoot<k8s::Endpoints>();
    fresh.setApiVersion("v1");
    fresh.setKind("Endpoints");
    fresh.initMetadata().setName(service.getMetadata().getName());
    fresh.getMetadata().setNamespace(service.getMetadata().getNamespace());
  }
  auto endpoints = message.getRoot<k8s::Endpoints>();
  auto meta = endpoints.getMetadata();
  set_map(meta.initLabels(), wanted.labels);
  auto annotations = map_of(meta.asReader().getAnnotations());
  if (wanted.truncated)
    annotations[kOverCapacity] = "truncated";
  else
    annotations.erase(kOverCapacity);
  if (!annotations.empty())
    set_map(meta.initAnnotations(), annotations);
  else if (meta.hasAnnotations())
    meta.disownAnnotations();  // none left: no empty map in the object
  set_subsets(endpoints, wanted.subsets);
  return flat_bytes(message);
}

class EndpointsController final : public Controller {
 public:
  EndpointsController(const ControllerContext& context, EndpointsConfig config)
      : config_(config),
        pods_(context.informer(pods_resource())),
        services_(context.informer(services_resource())),
        endpoints_(context.informer(endpoints_resource())),
        enqueue_(context.enqueue) {
    pods_.ensure_index(kByNamespace, api::index_by_namespace());
    services_.ensure_index(kByNamespace, api::index_by_namespace());
    auto by_key = api::InformerHandlers{
        [this](const api::InformerObject& o) { enqueue_(o.key()); },
        [this](const api::InformerObject&, const api::InformerObject& o) { enqueue_(o.key()); },
        [this](const api::InformerObject& o, bool) { enqueue_(o.key()); },
    };
    services_.add_handlers(by_key);
    endpoints_.add_handlers(by_key);
    pods_.add_handlers({
        [this](const api::InformerObject& pod) { pod_changed(nullptr, pod); },
        [this](const api::InformerObject& old, const api::InformerObject& pod) {
          if (old.resource_version() != pod.resource_version()) pod_changed(&old, pod);
        },
        [this](const api::InformerObject& pod, bool) { pod_changed(nullptr, pod); },
    });
  }

  const char* name() const override { return "endpoints"; }
  SyncResult sync(const std::string& key, std::int64_t now_ms) override;
  bool on_reply(const std::string&, const api::ApiCall& call, const api::ApiReply& reply) override {
    if (reply.ok()) return true;
    // Gone already is what a delete wanted; anything else (409: the cache was stale) retries.
    return call.verb == api::ApiVerb::remove && reply.code == 404;
  }
  void reset() override {}  // nothing is expected: every sync starts from the caches

 private:
  // Every Service of the pod's namespace whose selector matches its old or new labels.
  void pod_changed(const api::InformerObject* old, const api::InformerObject& pod) {
    auto labels = pod.as<k8s::Pod>().getMetadata().getLabels();
    for (const auto& o : services_.cache().by_index(kByNamespace, pod.name_space())) {
      auto service = o.as<k8s::Service>();
      if (!selects_pods(service)) continue;
      auto selector = service.getSpec().getSelector();
      if (api::labels_contain(labels, selector) ||
          (old && api::labels_contain(old->as<k8s::Pod>().getMetadata().getLabels(), selector)))
        enqueue_(o.key());
    }
  }
  Wanted wanted(k8s::Service::Reader service, const std::string& namespace_) const {
    auto objects = pods_.cache().by_index(kByNamespace, namespace_);
    std::vector<k8s::Pod::Reader> pods;
    for (const auto& o : objects) pods.push_back(o.as<k8s::Pod>());
    Wanted w{map_of(service.getMetadata().getLabels()), desired_subsets(service, pods), false};
    w.labels[kManagedLabel] = "true";
    w.labels[kSkipMirrorLabel] = "true";  // as Kubernetes' endpoints controller marks its own
    if (service.getSpec().getClusterIP() == "None") w.labels[kHeadlessLabel] = "";
    w.truncated = truncate(w.subsets, config_.addresses_max);
    return w;
  }

  EndpointsConfig config_;
  api::Informer& pods_;
  api::Informer& services_;
  api::Informer& endpoints_;
  std::function<void(const std::string&)> enqueue_;
};

SyncResult EndpointsController::sync(const std::string& key, std::int64_t) {
  SyncResult out;
  auto service = services_.cache().get(key);
  auto current = endpoints_.cache().get(key);
  const auto& resource = endpoints_resource();
  if (!service || !selects_pods(service->as<k8s::Service>())) {
    if (current && managed(current->as<k8s::Endpoints>()))
      out.calls.push_back(
          resource.call(api::ApiVerb::remove, current->name_space(), current->name()));
    return out;
  }
  auto svc = service->as<k8s::Service>();
  auto w = wanted(svc, service->name_space());
  if (current && agrees(current->as<k8s::Endpoints>(), w)) return out;
  auto call = current ? resource.call(api::ApiVerb::update, current->name_space(), current->name())
                      : resource.call(api::ApiVerb::create, service->name_space());
  call.object = endpoints_bytes(svc, current, w);
  out.calls.push_back(std::move(call));
  return out;
}

}  // namespace

ControllerFactory endpoints_controller(EndpointsConfig config) {
  return [config](const ControllerContext& context) -> std::unique_ptr<Controller> {
    return std::make_unique<EndpointsController>(context, config);
  };
}

}  // namespace craton::controllers
