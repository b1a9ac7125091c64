// The pod garbage collector: force-deletes pods bound to nodes that do not exist (see the
// header).
#include "actors/controllers/podgc/pod_gc_controller.hpp"

#include <map>

#include "schemas/api_pod.capnp.h"

namespace craton::controllers {
namespace {

namespace k8s = schema::k8s;

std::string node_of(const api::InformerObject& pod) {
  return pod.as<k8s::Pod>().getSpec().getNodeName().cStr();
}

class PodGcController final : public Controller {
 public:
  PodGcController(const ControllerContext& context, PodGcConfig config)
      : config_(config),
        pods_(context.informer(pods_resource())),
        nodes_(context.informer(nodes_resource())),
        enqueue_(context.enqueue) {
    pods_.add_handlers({
        [this](const api::InformerObject& pod) { look_at(pod); },
        [this](const api::InformerObject&, const api::InformerObject& pod) { look_at(pod); },
        {},
    });
    nodes_.add_handlers({
        [this](const api::InformerObject& node) { missing_since_.erase(node.name()); },
        {},
        [this](const api::InformerObject& node, bool) {
          for (const auto& pod : pods_.cache().list())
            if (node_of(pod) == node.name()) enqueue_(pod.key());
        },
    });
  }

  const char* name() const override { return "podgc"; }

  SyncResult sync(const std::string& key, std::int64_t now_ms) override {
    SyncResult out;
    auto pod = pods_.cache().get(key);
    if (!pod) return out;
    auto node = node_of(*pod);
    if (node.empty()) return out;
    if (!nodes_.synced()) {  // the node may be listed yet: look again later
      out.again_at_ms = now_ms + config_.quarantine_ms;
      return out;
    }
    if (nodes_.cache().get(node)) {
      missing_since_.erase(node);
      return out;
    }
    auto since = missing_since_.try_emplace(node, now_ms).first;
    if (now_ms < since->second + config_.quarantine_ms) {
      out.again_at_ms = since->second + config_.quarantine_ms;
      return out;
    }
    auto call = pods_resource().call(api::ApiVerb::remove, pod->name_space(), pod->name());
    call.object = api::delete_options(0, pod->uid());
    out.calls.push_back(std::move(call));
    return out;
  }

  bool on_reply(const std::string&, const api::ApiCall&, const api::ApiReply& reply) override {
    // 404: gone already; 409: the name is another pod's now (its own sync decides for it).
    return reply.ok() || reply.code == 404 || reply.code == 409;
  }

  void reset() override { missing_since_.clear(); }

 private:
  void look_at(const api::InformerObject& pod) {
    auto node = node_of(pod);
    if (!node.empty() && !nodes_.cache().get(node)) enqueue_(pod.key());
  }

  PodGcConfig config_;
  api::Informer& pods_;
  api::Informer& nodes_;
  std::function<void(const std::string&)> enqueue_;
  /// Nodes seen missing, by name: when they were first seen so (the manager's clock).
  std::map<std::string, std::int64_t> missing_since_;
};

}  // namespace

ControllerFactory pod_gc_controller(PodGcConfig config) {
  return [config](const ControllerContext& context) -> std::unique_ptr<Controller> {
    return std::make_unique<PodGcController>(context, config);
  };
}

}  // namespace craton::controllers
