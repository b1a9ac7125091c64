// The namespace controller: finishes the deletion of Terminating namespaces (see the header).
#include "actors/controllers/namespace/namespace_controller.hpp"

#include "schemas/api_meta.capnp.h"

namespace craton::controllers {
namespace {

class NamespaceController final : public Controller {
 public:
  NamespaceController(const ControllerContext& context, NamespaceConfig config)
      : config_(config),
        namespaces_(context.informer(namespaces_resource())),
        enqueue_(context.enqueue) {
    namespaces_.add_handlers({
        [this](const api::InformerObject& ns) { enqueue_(ns.key()); },
        [this](const api::InformerObject&, const api::InformerObject& ns) { enqueue_(ns.key()); },
        {},
    });
  }

  const char* name() const override { return "namespace"; }

  SyncResult sync(const std::string& key, std::int64_t now_ms) override {
    SyncResult out;
    auto ns = namespaces_.cache().get(key);
    if (!ns || ns->as<schema::k8s::Namespace>().getStatus().getPhase() != "Terminating") return out;
    out.calls.push_back(namespaces_resource().call(api::ApiVerb::remove, "", ns->name()));
    out.again_at_ms = now_ms + config_.retry_ms;  // until it is gone
    return out;
  }

  bool on_reply(const std::string&, const api::ApiCall&, const api::ApiReply& reply) override {
    return reply.ok() || reply.code == 404;
  }

  void reset() override {}

 private:
  NamespaceConfig config_;
  api::Informer& namespaces_;
  std::function<void(const std::string&)> enqueue_;
};

}  // namespace

ControllerFactory namespace_controller(NamespaceConfig config) {
  return [config](const ControllerContext& context) -> std::unique_ptr<Controller> {
    return std::make_unique<NamespaceController>(context, config);
  };
}

}  // namespace craton::controllers
