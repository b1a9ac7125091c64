// The garbage collector's reconcile core (see the header).
#include "actors/controllers/garbage/garbage_collector.hpp"

#include <set>

#include "actors/api/informer/informer_cache.hpp"
#include "actors/controllers/pods.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_meta.capnp.h"

namespace craton::controllers {
namespace k8s = schema::k8s;
namespace {

constexpr const char* kByOwner = "owner-uid";
constexpr const char* kOrphan = "orphan";
constexpr const char* kForeground = "foregroundDeletion";

k8s::ObjectMeta::Reader meta_of(const api::InformerObject& o) {
  return o.reader().get("metadata").as<k8s::ObjectMeta>();
}

bool has_finalizer(k8s::ObjectMeta::Reader meta, const char* name) {
  for (auto f : meta.getFinalizers())
    if (f == name) return true;
  return false;
}

class GarbageCollector final : public Controller {
 public:
  GarbageCollector(const ControllerContext& context, GarbageCollectorConfig config)
      : config_(config), enqueue_(context.enqueue) {
    for (const auto* type : {&deployments_resource(), &replicasets_resource(),
                             &daemonsets_resource(), &jobs_resource(), &pods_resource()}) {
      auto& informer = context.informer(*type);
      informer.ensure_index(kByOwner, api::index_by_owner_uid());
      watched_.push_back({type, &informer});
      informer.add_handlers({
          [this, type](const api::InformerObject& o) { changed(*type, o); },
          [this, type](const api::InformerObject&, const api::InformerObject& o) {
            changed(*type, o);
          },
          [this, type](const api::InformerObject& o, bool) { gone(o); },
      });
    }
  }

  const char* name() const override { return "garbagecollector"; }
  SyncResult sync(const std::string& key, std::int64_t now_ms) override;
  bool on_reply(const std::string& key, const api::ApiCall& call,
                const api::ApiReply& reply) override;
  void reset() override { absent_.clear(); }

 private:
  struct Watched {
    const ResourceType* type;
    api::Informer* informer;
  };
  static std::string key_of(const ResourceType& type, const api::InformerObject& o) {
    return type.resource + ":" + o.key();
  }
  const Watched* by_resource(const std::string& resource) const {
    for (const auto& w : watched_)
      if (w.type->resource == resource) return &w;
    return nullptr;
  }
  const Watched* by_kind(const std::string& api_version, const std::string& kind) const {
    for (const auto& w : watched_)
      if (w.type->kind == kind && w.type->api_version() == api_version) return &w;
    return nullptr;
  }
  // An object changed: it may have dangling owners, or be an owner being deleted.
  void changed(const ResourceType& type, const api::InformerObject& o) {
    auto meta = meta_of(o);
    if (meta.getOwnerReferences().size() > 0 ||
        (meta.getDeletionTimestamp().size() > 0 && meta.getFinalizers().size() > 0))
      enqueue_(key_of(type, o));
    enqueue_owners(o);
  }
  // An object went: its dependents may dangle now; owners waiting for it may finish.
  void gone(const api::InformerObject& o) {
    for (const auto& w : watched_)
      for (const auto& d : w.informer->cache().by_index(kByOwner, o.uid()))
        enqueue_(key_of(*w.type, d));
    enqueue_owners(o);
  }
  void enqueue_owners(const api::InformerObject& o) {
    for (auto ref : meta_of(o).getOwnerReferences())
      if (auto* w = by_kind(ref.getApiVersion(), ref.getKind()))
        enqueue_(w->type->resource + ":" + object_key(o.name_space(), ref.getName()));
  }
  std::vector<std::pair<const Watched*, api::InformerObject>> dependents(const std::string& uid) {
    std::vector<std::pair<const Watched*, api::InformerObject>> out;
    for (const auto& w : watched_)
      for (const auto& d : w.informer->cache().by_index(kByOwner, uid)) out.push_back({&w, d});
    return out;
  }
  void remember_absent(const std::string& uid) {
    if (absent_.size() >= config_.absent_uids_max) absent_.clear();  // they are confirmed again
    absent_.insert(uid);
  }

  GarbageCollectorConfig config_;
  std::function<void(const std::string&)> enqueue_;
  std::vector<Watched> watched_;
  std::set<std::string> absent_;  ///< owner uids the API confirmed absent
  /// "<key>|<owner resource>/<owner name>" -> the owner uid a GET is confirming.
  std::map<std::string, std::string> confirming_;
};

SyncResult GarbageCollector::sync(const std::string& key, std::int64_t) {
  SyncResult out;
  auto colon = key.find(':');
  const Watched* self = by_resource(key.substr(0, colon));
  if (self == nullptr) return out;
  auto object = self->informer->cache().get(key.substr(colon + 1));
  if (!object) return out;
  auto meta = meta_of(*object);
  const auto& type = *self->type;

  // An owner being deleted with a finalizer this collector carries out.
  bool deleting = meta.getDeletionTimestamp().size() > 0;
  for (const char* finalizer : {kOrphan, kForeground}) {
    if (!deleting || !has_finalizer(meta, finalizer)) continue;
    auto deps = dependents(object->uid());
    for (const auto& [w, d] : deps) {
      if (finalizer == kOrphan) {
        auto call = w->type->call(api::ApiVerb::update, d.name_space(), d.name());
        call.object = without_owner(d.reader(), object->uid());
        out.calls.push_back(std::move(call));
      } else if (meta_of(d).getDeletionTimestamp().size() == 0) {
        auto call = w->type->call(api::ApiVerb::remove, d.name_space(), d.name());
        call.propagation_policy = "Foreground";
        out.calls.push_back(std::move(call));
      }
    }
    if (deps.empty()) {
      auto call = type.call(api::ApiVerb::update, object->name_space(), object->name());
      call.object = without_finalizer(object->reader(), finalizer);
      out.calls.push_back(std::move(call));
    }
    return out;  // one finalizer at a time; the update brings the object back here
  }

  // A dependent: are its owners there?
  auto refs = meta.getOwnerReferences();
  if (refs.size() == 0) return out;
  std::vector<std::string> dangling;
  for (auto ref : refs) {
    const Watched* owner_type = by_kind(ref.getApiVersion(), ref.getKind());
    if (owner_type == nullptr) continue;  // a kind this collector does not know: left alone
    std::string uid = ref.getUid();
    auto owner = owner_type->informer->cache().get(object_key(object->name_space(), ref.getName()));
    if (owner && owner->uid() == uid) continue;
    if (absent_.count(uid)) {
      dangling.push_back(uid);
      continue;
    }
    confirming_[key + "|" + owner_type->type->resource + "/" + std::string(ref.getName())] = uid;
    out.calls.push_back(
        owner_type->type->call(api::ApiVerb::get, object->name_space(), ref.getName()));
  }
  if (!out.calls.empty() || dangling.empty()) return out;  // confirm first
  if (dangling.size() == refs.size()) {
    auto call = type.call(api::ApiVerb::remove, object->name_space(), object->name());
    call.propagation_policy = "Background";
    out.calls.push_back(std::move(call));
    return out;
  }
  // Some owners remain: only the dangling references go.
  auto call = type.call(api::ApiVerb::update, object->name_space(), object->name());
  call.object = without_owners(object->reader(), dangling);
  out.calls.push_back(std::move(call));
  return out;
}

bool GarbageCollector::on_reply(const std::string& key, const api::ApiCall& call,
                                const api::ApiReply& reply) {
  if (call.verb != api::ApiVerb::get) return reply.ok() || reply.code == 404;
  auto it = confirming_.find(key + "|" + call.resource + "/" + call.name);
  if (it == confirming_.end()) return true;
  auto uid = it->second;
  confirming_.erase(it);
  bool absent = reply.code == 404;
  if (reply.ok()) {
    const Watched* w = by_resource(call.resource);
    auto message = FlatMessage::open(reply.object.bytes);
    if (w != nullptr && message.ok()) {
      auto meta = message->root(w->type->schema).get("metadata").as<k8s::ObjectMeta>();
      absent = meta.getUid() != uid;  // the name was taken again by a new object
    }
  }
  if (!reply.ok() && !absent) return false;  // could not confirm: retry after back-off
  if (absent) remember_absent(uid);
  enqueue_(key);  // looks again once this sync is done, with the answer known
  return true;
}

}  // namespace

ControllerFactory garbage_collector(GarbageCollectorConfig config) {
  return [config](const ControllerContext& context) -> std::unique_ptr<Controller> {
    return std::make_unique<GarbageCollector>(context, config);
  };
}

}  // namespace craton::controllers
