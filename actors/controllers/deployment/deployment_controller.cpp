// The Deployment controller's reconcile core (see the header).
#include "actors/controllers/deployment/deployment_controller.hpp"

#include <capnp/any.h>
#include <capnp/message.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <map>
#include <vector>

#include "actors/api/client/kube_time.hpp"
#include "actors/api/client/typed_selector.hpp"
#include "actors/api/informer/informer_cache.hpp"
#include "actors/controllers/deployment/fenceposts.hpp"
#include "actors/controllers/deployment/own_writes.hpp"
#include "actors/controllers/pod_events.hpp"
#include "actors/controllers/pods.hpp"
#include "runtime/flat_message.hpp"

namespace craton::controllers {
namespace k8s = schema::k8s;
namespace {

constexpr const char* kHashLabel = "pod-template-hash";
constexpr const char* kRevision = "deployment.kubernetes.io/revision";
constexpr const char* kRevisionHistory = "deployment.kubernetes.io/revision-history";
constexpr const char* kDesiredReplicas = "deployment.kubernetes.io/desired-replicas";
constexpr const char* kMaxReplicas = "deployment.kubernetes.io/max-replicas";
constexpr std::int32_t kRevisionHistoryLimitDefault = 10;
constexpr std::int32_t kProgressDeadlineDefault_s = 600;

using StringMap = std::map<std::string, std::string>;

StringMap read_map(k8s::StringMap::Reader in) {
  StringMap out;
  for (auto e : in.getEntries()) out[e.getKey().cStr()] = e.getValue().cStr();
  return out;
}

void write_map(k8s::StringMap::Builder out, const StringMap& in) {
  auto entries = out.initEntries(unsigned(in.size()));
  unsigned i = 0;
  for (const auto& [key, value] : in) {
    entries[i].setKey(key);
    entries[i++].setValue(value);
  }
}

std::int64_t parse_int(const StringMap& map, const char* key, std::int64_t absent) {
  auto it = map.find(key);
  if (it == map.end()) return absent;
  try {
    return std::stoll(it->second);
  } catch (const std::exception&) {
    return absent;
  }
}

// kube's copyDeploymentAnnotationsToReplicaSet leaves these to the controller.
bool copied_to_replicaset(const std::string& key) {
  return key != "kubectl.kubernetes.io/last-applied-configuration" && key != kRevision &&
         key != kRevisionHistory && key != kDesiredReplicas && key != kMaxReplicas &&
         key != "deprecated.deployment.rollback.to";
}

// The template's canonical bytes with its pod-template-hash label taken out.
kj::Array<capnp::word> canonical_without_hash(k8s::PodTemplateSpec::Reader pod_template) {
  capnp::MallocMessageBuilder message;
  message.setRoot(pod_template);
  auto meta = message.getRoot<k8s::PodTemplateSpec>().getMetadata();
  auto labels = read_map(pod_template.getMetadata().getLabels());
  labels.erase(kHashLabel);
  if (labels.empty())
    meta.disownLabels();  // absent and empty mean the same
  else
    write_map(meta.initLabels(), labels);
  return capnp::AnyStruct::Reader(message.getRoot<k8s::PodTemplateSpec>().asReader())
      .canonicalize();
}

}  // namespace

std::string pod_template_hash(k8s::PodTemplateSpec::Reader pod_template,
                              std::optional<std::int32_t> collision_count) {
  std::uint32_t hash = 2166136261u;  // FNV-32a
  auto mix = [&hash](const unsigned char* bytes, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) hash = (hash ^ bytes[i]) * 16777619u;
  };
  auto words = canonical_without_hash(pod_template);
  auto chars = words.asBytes();
  mix(chars.begin(), chars.size());
  if (collision_count) {  // as kube: 8 bytes, the count little-endian in the first 4
    unsigned char bytes[8] = {};
    for (int i = 0; i < 4; ++i) bytes[i] = (std::uint32_t(*collision_count) >> (8 * i)) & 0xff;
    mix(bytes, sizeof bytes);
  }
  // SafeEncodeString over the decimal text: no vowels, no look-alike characters.
  static constexpr char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string out = std::to_string(hash);
  for (auto& c : out) c = alphabet[int(c) % (sizeof alphabet - 1)];
  return out;
}

bool templates_equal_ignoring_hash(k8s::PodTemplateSpec::Reader a, k8s::PodTemplateSpec::Reader b) {
  auto x = canonical_without_hash(a);
  auto y = canonical_without_hash(b);
  return x.asBytes() == y.asBytes();
}

namespace {

struct Condition {
  std::string type, status, reason, message, last_update, last_transition;
  bool operator==(const Condition&) const = default;
};

struct Status {
  std::int64_t observed_generation = 0;
  std::int32_t replicas = 0, updated = 0, ready = 0, available = 0, unavailable = 0;
  std::optional<std::int32_t> collision_count;
  std::vector<Condition> conditions;
  bool operator==(const Status&) const = default;
};

Status read_status(k8s::Deployment::Status::Reader s) {
  Status out;
  out.observed_generation = s.getObservedGeneration();
  out.replicas = s.getReplicas();
  out.updated = s.getUpdatedReplicas();
  out.ready = s.getReadyReplicas();
  out.available = s.getAvailableReplicas();
  out.unavailable = s.getUnavailableReplicas();
  if (s.hasCollisionCount()) out.collision_count = s.getCollisionCount().getValue();
  for (auto c : s.getConditions())
    out.conditions.push_back({c.getType(), c.getStatus(), c.getReason(), c.getMessage(),
                              c.getLastUpdateTime(), c.getLastTransitionTime()});
  return out;
}

Condition* find_condition(std::vector<Condition>& conditions, const std::string& type) {
  for (auto& c : conditions)
    if (c.type == type) return &c;
  return nullptr;
}

void remove_condition(std::vector<Condition>& conditions, const std::string& type) {
  std::erase_if(conditions, [&](const Condition& c) { return c.type == type; });
}

// kube's SetDeploymentCondition: same status and reason is no change at all (not even the
// message or lastUpdateTime); same status keeps the transition time.
void set_condition(std::vector<Condition>& conditions, Condition c) {
  auto* current = find_condition(conditions, c.type);
  if (current && current->status == c.status && current->reason == c.reason) return;
  if (current && current->status == c.status) c.last_transition = current->last_transition;
  remove_condition(conditions, c.type);
  conditions.push_back(std::move(c));
}

// What a Deployment's spec says, defaulted as kube-apiserver defaults it.
struct Params {
  std::int32_t replicas = 1;
  bool rolling = true;
  std::int32_t max_surge = 0;        // kube's MaxSurge(d): 0 for Recreate
  std::int32_t max_unavailable = 0;  // kube's MaxUnavailable(d): capped at replicas
  bool paused = false;
  std::int32_t min_ready_seconds = 0;
  std::int32_t history_limit = kRevisionHistoryLimitDefault;
  std::optional<std::int32_t> deadline_s;  // none: no progress deadline
};

Result<Params> read_params(k8s::Deployment::Spec::Reader spec) {
  Params p;
  if (spec.hasReplicas()) p.replicas = spec.getReplicas().getValue();
  p.rolling = spec.getStrategy().getType() != "Recreate";
  p.paused = spec.getPaused();
  p.min_ready_seconds = spec.getMinReadySeconds();
  if (spec.hasRevisionHistoryLimit()) p.history_limit = spec.getRevisionHistoryLimit().getValue();
  auto deadline = spec.hasProgressDeadlineSeconds() ? spec.getProgressDeadlineSeconds().getValue()
                                                    : kProgressDeadlineDefault_s;
  if (deadline != INT32_MAX) p.deadline_s = deadline;
  if (!p.rolling) return p;
  capnp::MallocMessageBuilder defaults;  // 25% / 25% where the spec says nothing
  auto bounds = defaults.initRoot<k8s::RollingUpdate>();
  auto given = spec.getStrategy().getRollingUpdate();
  if (given.hasMaxSurge())
    bounds.setMaxSurge(given.getMaxSurge());
  else
    bounds.initMaxSurge().setStrVal("25%");
  if (given.hasMaxUnavailable())
    bounds.setMaxUnavailable(given.getMaxUnavailable());
  else
    bounds.initMaxUnavailable().setStrVal("25%");
  auto f = resolve_fenceposts(bounds.asReader().getMaxSurge(),
                              bounds.asReader().getMaxUnavailable(), p.replicas);
  if (!f) return f.error();
  p.max_surge = f->max_surge;
  p.max_unavailable = std::min(f->max_unavailable, p.replicas);
  return p;
}

// One ReplicaSet of the Deployment as this sync sees and changes it.
struct ReplicaSetView {
  std::optional<api::InformerObject> object;  // none: created by this sync
  std::string name;
  std::int64_t created_s = 0;
  std::int32_t replicas = 0;  // spec.replicas as this sync leaves it
  std::int32_t status_replicas = 0, ready = 0, available = 0;
  StringMap annotations;
  std::int32_t min_ready_seconds = 0;
  bool dirty = false;

  std::int64_t revision() const { return parse_int(annotations, kRevision, 0); }
  bool alive() const {
    return !object ||
           object->as<k8s::ReplicaSet>().getMetadata().getDeletionTimestamp().size() == 0;
  }
};

ReplicaSetView view_of(const api::InformerObject& object) {
  auto rs = object.as<k8s::ReplicaSet>();
  ReplicaSetView v;
  v.object = object;
  v.name = object.name();
  v.created_s = api::parse_rfc3339(rs.getMetadata().getCreationTimestamp()).value_or(0);
  v.replicas = rs.getSpec().hasReplicas() ? rs.getSpec().getReplicas().getValue() : 1;
  v.status_replicas = rs.getStatus().getReplicas();
  v.ready = rs.getStatus().getReadyReplicas();
  v.available = rs.getStatus().getAvailableReplicas();
  v.annotations = read_map(rs.getMetadata().getAnnotations());
  v.min_ready_seconds = rs.getSpec().getMinReadySeconds();
  return v;
}

// kube's ReplicaSetsByCreationTimestamp: oldest first, then by name.
bool created_before(const ReplicaSetView* a, const ReplicaSetView* b) {
  if (a->created_s != b->created_s) return a->created_s < b->created_s;
  return a->name < b->name;
}

class DeploymentController final : public Controller {
 public:
  DeploymentController(const ControllerContext& context, DeploymentConfig config);
  const char* name() const override { return "deployment"; }
  SyncResult sync(const std::string& key, std::int64_t now_ms) override;
  bool on_reply(const std::string& key, const api::ApiCall& call,
                const api::ApiReply& reply) override;
  void reset() override { own_writes_.clear(); }

  api::Informer& deployments_;
  api::Informer& sets_;
  api::Informer& pods_;
  DeploymentConfig config_;

 private:
  std::optional<std::string> owner_key(const api::InformerObject& rs) const;
  void enqueue_matching(const api::InformerObject& rs);
  void set_changed(const api::InformerObject* old, const api::InformerObject& rs);
  void pod_deleted(const api::InformerObject& pod);

  std::function<void(const std::string&)> enqueue_;
  std::function<std::int64_t()> now_ms_;
  std::function<void(api::EventReport)> record_;

 public:
  /// A ReplicaSet's spec.replicas before the update in flight scales it (its event says it).
  std::map<std::string, std::int32_t> scaled_from;
  /// The ReplicaSet writes of each Deployment's last sync, until the informer shows them.
  OwnWrites own_writes_;
};

// One sync of one Deployment: the steps of kube's syncDeployment over in-memory views, then
// the calls that make the views true.
class DeploymentSync {
 public:
  DeploymentSync(DeploymentController& c, const api::InformerObject& d, const Params& p,
                 std::int64_t now_ms)
      : c_(c),
        object_(d),
        d_(d.as<k8s::Deployment>()),
        p_(p),
        now_ms_(now_ms),
        now_s_(c.config_.wall_clock_base_s + now_ms / 1000),
        current_(read_status(d_.getStatus())),
        conditions_(current_.conditions),
        annotations_(read_map(d_.getMetadata().getAnnotations())) {}

  SyncResult run();

 private:
  bool claim();
  std::vector<ReplicaSetView*> old_sets();
  ReplicaSetView* new_set() { return new_index_ < 0 ? nullptr : &sets_[new_index_]; }
  void find_new();
  void sync_new_revision();
  bool create_new();
  void get_new(bool create);
  std::int32_t new_set_replicas();
  bool scale(ReplicaSetView& rs, std::int32_t to, bool annotations_alone = false);
  bool scaling_event();
  void scale_proportionally();
  void rolling();
  bool reconcile_new();
  bool reconcile_old();
  std::int32_t cleanup_unhealthy(std::int32_t max);
  std::int32_t scale_down_old();
  void recreate();
  bool old_pods_running();
  void cleanup();
  void check_paused_condition();
  Status calculate_status();
  void rollout_status();
  bool complete(const Status& s) const;
  bool progressing(const Status& s) const;
  bool timed_out();
  Condition condition(std::string type, std::string status, std::string reason,
                      std::string message) const;
  void emit(const Status& status);
  std::string replicaset_update(const ReplicaSetView& v) const;
  std::string replicaset_create(const ReplicaSetView& v) const;

  DeploymentController& c_;
  const api::InformerObject& object_;
  k8s::Deployment::Reader d_;
  Params p_;
  std::int64_t now_ms_, now_s_;
  Status current_;
  std::vector<Condition> conditions_;
  StringMap annotations_;
  bool annotations_dirty_ = false;
  std::optional<std::int32_t> collision_count_;
  std::vector<ReplicaSetView> sets_;
  int new_index_ = -1;
  bool revision_synced_ = false;
  SyncResult out_;
  std::optional<Status> status_;  // what to write to /status
};

bool DeploymentSync::claim() {
  bool deleting = d_.getMetadata().getDeletionTimestamp().size() > 0;
  Owner self{deployments_resource().api_version(), "Deployment", object_.name(), object_.uid()};
  const auto& sets = replicasets_resource();
  for (const auto& o : claim_candidates(c_.sets_, object_.name_space(), object_.uid())) {
    auto meta = o.as<k8s::ReplicaSet>().getMetadata();
    bool matches = api::selector_matches(d_.getSpec().getSelector(), meta.getLabels());
    auto ref = controller_of(meta);
    if (ref && ref->getUid() != object_.uid().c_str()) continue;
    if (ref && matches) {
      sets_.push_back(view_of(o));
    } else if (ref && !deleting && meta.getDeletionTimestamp().size() == 0) {
      auto call = sets.call(api::ApiVerb::update, o.name_space(), o.name());
      call.object = without_owner(o.reader(), object_.uid());
      out_.calls.push_back(std::move(call));
    } else if (!ref && matches && !deleting && meta.getDeletionTimestamp().size() == 0) {
      auto call = sets.call(api::ApiVerb::update, o.name_space(), o.name());
      call.object = with_controller(o.reader(), self);
      out_.calls.push_back(std::move(call));
    }
  }
  return out_.calls.empty();
}

std::vector<ReplicaSetView*> DeploymentSync::old_sets() {
  std::vector<ReplicaSetView*> out;
  for (std::size_t i = 0; i < sets_.size(); ++i)
    if (int(i) != new_index_) out.push_back(&sets_[i]);
  std::sort(out.begin(), out.end(), created_before);
  return out;
}

// kube's FindNewReplicaSet: the oldest ReplicaSet running the Deployment's template.
void DeploymentSync::find_new() {
  std::vector<std::size_t> order(sets_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](auto a, auto b) { return created_before(&sets_[a], &sets_[b]); });
  for (auto i : order) {
    auto t = sets_[i].object->as<k8s::ReplicaSet>().getSpec().getTemplate();
    if (templates_equal_ignoring_hash(t, d_.getSpec().getTemplate())) {
      new_index_ = int(i);
      return;
    }
  }
  // The one named by this template's hash is new too: the API may have written the template a
  // little differently (defaults, empty lists), and a mismatch must not create it again and
  // again under ever new collision counts.
  auto name = object_.name() + "-" +
              pod_template_hash(d_.getSpec().getTemplate(), current_.collision_count);
  for (std::size_t i = 0; i < sets_.size(); ++i)
    if (sets_[i].name == name) new_index_ = int(i);
}

// kube's SetNewReplicaSetAnnotations on the existing new ReplicaSet, and the Deployment's own
// revision annotation following it.
void DeploymentSync::sync_new_revision() {
  if (revision_synced_ || !new_set()) return;
  revision_synced_ = true;
  auto& n = *new_set();
  std::int64_t max_old = 0;
  for (auto* o : old_sets()) max_old = std::max(max_old, o->revision());
  auto before = n.annotations;
  for (const auto& [key, value] : annotations_)
    if (copied_to_replicaset(key)) n.annotations[key] = value;
  auto old_revision = n.annotations.find(kRevision);
  if (n.revision() < max_old + 1) {
    if (old_revision != n.annotations.end() && !old_revision->second.empty()) {
      auto& history = n.annotations[kRevisionHistory];
      history = history.empty() ? old_revision->second : history + "," + old_revision->second;
    }
    n.annotations[kRevision] = std::to_string(max_old + 1);
  }
  if (n.annotations != before || n.min_ready_seconds != p_.min_ready_seconds) n.dirty = true;
  n.min_ready_seconds = p_.min_ready_seconds;
  if (annotations_[kRevision] != n.annotations[kRevision]) {
    annotations_[kRevision] = n.annotations[kRevision];
    annotations_dirty_ = true;
  }
  if (p_.deadline_s && !find_condition(conditions_, "Progressing"))
    set_condition(conditions_, condition("Progressing", "True", "FoundNewReplicaSet",
                                         "Found new replica set \"" + n.name + "\""));
}

// A new ReplicaSet for the template; false when its name is taken by another (the collision
// count goes up, and the next sync hashes again).
bool DeploymentSync::create_new() {
  collision_count_ = current_.collision_count;
  auto hash = pod_template_hash(d_.getSpec().getTemplate(), collision_count_);
  auto name = object_.name() + "-" + hash;
  if (c_.sets_.cache().get(object_key(object_.name_space(), name))) {
    collision_count_ = collision_count_.value_or(0) + 1;
    return false;
  }
  std::int64_t max_old = 0;
  for (auto* o : old_sets()) max_old = std::max(max_old, o->revision());
  ReplicaSetView v;
  v.name = name;
  v.created_s = LLONG_MAX;  // the newest
  v.min_ready_seconds = p_.min_ready_seconds;
  for (const auto& [key, value] : annotations_)
    if (copied_to_replicaset(key)) v.annotations[key] = value;
  v.annotations[kRevision] = std::to_string(max_old + 1);
  v.annotations[kDesiredReplicas] = std::to_string(p_.replicas);
  v.annotations[kMaxReplicas] = std::to_string(p_.replicas + p_.max_surge);
  sets_.push_back(std::move(v));
  new_index_ = int(sets_.size()) - 1;
  sets_.back().replicas = new_set_replicas();
  if (p_.deadline_s)
    set_condition(conditions_, condition("Progressing", "True", "NewReplicaSetCreated",
                                         "Created new replica set \"" + name + "\""));
  return true;
}

// kube's getAllReplicaSetsAndSyncRevision.
void DeploymentSync::get_new(bool create) {
  if (new_index_ < 0 && !revision_synced_) find_new();
  sync_new_revision();
  if (create && new_index_ < 0) create_new();
}

// kube's NewRSNewReplicas: how far the new ReplicaSet may grow now.
std::int32_t DeploymentSync::new_set_replicas() {
  auto& n = *new_set();
  if (!p_.rolling) return p_.replicas;
  std::int32_t current = 0;
  for (const auto& s : sets_) current += s.replicas;
  auto max_total = p_.replicas + p_.max_surge;
  if (current >= max_total) return n.replicas;
  return n.replicas + std::min(max_total - current, p_.replicas - n.replicas);
}

// Scales one ReplicaSet (and sets its replica annotations). True when its size changed.
bool DeploymentSync::scale(ReplicaSetView& rs, std::int32_t to, bool annotations_alone) {
  auto desired = std::to_string(p_.replicas);
  auto max = std::to_string(p_.replicas + p_.max_surge);
  bool size = rs.replicas != to;
  bool annotations =
      rs.annotations[kDesiredReplicas] != desired || rs.annotations[kMaxReplicas] != max;
  if (!size && !(annotations_alone && annotations)) return false;
  if (size && rs.object) c_.scaled_from[rs.name] = rs.replicas;  // for the event
  rs.replicas = to;
  rs.annotations[kDesiredReplicas] = desired;
  rs.annotations[kMaxReplicas] = max;
  rs.dirty = true;
  return size;
}

// kube's isScalingEvent: an active ReplicaSet was sized for another spec.replicas.
bool DeploymentSync::scaling_event() {
  get_new(false);
  for (const auto& s : sets_) {
    if (s.replicas <= 0) continue;
    auto desired = parse_int(s.annotations, kDesiredReplicas, -1);
    if (desired >= 0 && desired != p_.replicas) return true;
  }
  return false;
}

// kube's scale(): one active ReplicaSet takes spec.replicas; a saturated new one makes the old
// ones 0; otherwise a rolling update's extra (or missing) replicas are shared in proportion to
// each ReplicaSet's size, the rounding leftover going to the largest.
void DeploymentSync::scale_proportionally() {
  auto olds = old_sets();
  std::vector<ReplicaSetView*> active;
  for (auto* s : olds)
    if (s->replicas > 0) active.push_back(s);
  if (new_set() && new_set()->replicas > 0) active.push_back(new_set());
  if (active.size() <= 1) {
    auto* target = !active.empty() ? active[0]
                   : new_set()     ? new_set()
                   : olds.empty()  ? nullptr
                                   : olds.back();
    if (target && target->replicas != p_.replicas) scale(*target, p_.replicas, true);
    return;
  }
  auto* n = new_set();
  if (n && parse_int(n->annotations, kDesiredReplicas, -1) == p_.replicas &&
      n->replicas == p_.replicas && n->available == p_.replicas) {
    for (auto* s : olds)
      if (s->replicas > 0) scale(*s, 0, true);
    return;
  }
  if (!p_.rolling) return;
  std::int32_t total = 0;
  for (auto* s : active) total += s->replicas;
  std::int32_t allowed = p_.replicas > 0 ? p_.replicas + p_.max_surge : 0;
  std::int32_t to_add = allowed - total;
  // Larger first; ties: newer first when growing, older first when shrinking.
  std::stable_sort(active.begin(), active.end(), [to_add](auto* a, auto* b) {
    if (a->replicas != b->replicas) return a->replicas > b->replicas;
    return to_add > 0 ? created_before(b, a) : created_before(a, b);
  });
  std::map<std::string, std::int32_t> sizes;
  std::int32_t added = 0;
  for (auto* s : active) {
    std::int32_t proportion = 0;
    if (to_add != 0 && to_add != added && s->replicas != 0) {
      std::int32_t fraction = -s->replicas;
      if (p_.replicas != 0) {
        auto annotated = parse_int(s->annotations, kMaxReplicas, current_.replicas);
        auto size = double(s->replicas) * double(p_.replicas + p_.max_surge) / double(annotated);
        fraction = std::int32_t(std::round(size)) - s->replicas;
      }
      auto left = to_add - added;
      proportion = to_add > 0 ? std::min(fraction, left) : std::max(fraction, left);
    }
    sizes[s->name] = s->replicas + proportion;
    added += proportion;
  }
  if (to_add != 0) sizes[active[0]->name] = std::max(0, sizes[active[0]->name] + to_add - added);
  for (auto* s : active) scale(*s, sizes[s->name], true);
}

void DeploymentSync::rolling() {
  get_new(true);
  if (!new_set()) return;  // a name collision: the status says so
  if (reconcile_new() || reconcile_old()) return rollout_status();
  if (complete(current_)) cleanup();
  rollout_status();
}

bool DeploymentSync::reconcile_new() {
  auto& n = *new_set();
  if (n.replicas == p_.replicas) return false;
  if (n.replicas > p_.replicas) return scale(n, p_.replicas);
  return scale(n, new_set_replicas());
}

bool DeploymentSync::reconcile_old() {
  auto olds = old_sets();
  std::int32_t old_count = 0, all = 0;
  for (auto* s : olds) old_count += s->replicas;
  for (const auto& s : sets_) all += s.replicas;
  if (old_count == 0) return false;
  auto& n = *new_set();
  auto min_available = p_.replicas - p_.max_unavailable;
  auto new_unavailable = n.replicas - (n.object ? n.available : 0);
  auto max_scaled_down = all - min_available - new_unavailable;
  if (max_scaled_down <= 0) return false;
  auto cleaned = cleanup_unhealthy(max_scaled_down);
  return cleaned + scale_down_old() > 0;
}

// Old ReplicaSets' unavailable replicas go first: removing them costs no availability.
std::int32_t DeploymentSync::cleanup_unhealthy(std::int32_t max) {
  std::int32_t done = 0;
  for (auto* s : old_sets()) {
    if (done >= max) break;
    if (s->replicas == 0) continue;
    auto unhealthy = s->replicas - s->available;
    if (unhealthy <= 0) continue;
    auto count = std::min(max - done, unhealthy);
    scale(*s, s->replicas - count);
    done += count;
  }
  return done;
}

// Then available old replicas, as long as spec.replicas - maxUnavailable stay available.
// A ReplicaSet counts at most spec.replicas available pods (kube counts status alone): right
// after an earlier scale-down its status still counts the pods it is about to delete, and
// counting those let the simulator's rollouts dip below the availability bound.
std::int32_t DeploymentSync::scale_down_old() {
  std::int32_t available = 0;
  for (const auto& s : sets_) available += s.object ? std::min(s.available, s.replicas) : 0;
  auto min_available = p_.replicas - p_.max_unavailable;
  if (available <= min_available) return 0;
  auto total = available - min_available;
  std::int32_t done = 0;
  for (auto* s : old_sets()) {
    if (done >= total) break;
    if (s->replicas == 0) continue;
    auto count = std::min(s->replicas, total - done);
    scale(*s, s->replicas - count);
    done += count;
  }
  return done;
}

void DeploymentSync::recreate() {
  get_new(false);
  bool scaled = false;
  for (auto* s : old_sets())
    if (s->replicas > 0) scaled = scale(*s, 0) || scaled;
  if (scaled || old_pods_running()) return rollout_status();
  if (!new_set() && !create_new()) return;
  scale(*new_set(), p_.replicas);
  if (complete(current_)) cleanup();
  rollout_status();
}

// Recreate starts the new pods only once no old pod runs.
bool DeploymentSync::old_pods_running() {
  std::vector<std::string> old_uids;
  std::int32_t old_status_replicas = 0;
  for (auto* s : old_sets()) {
    old_status_replicas += s->status_replicas;
    old_uids.push_back(s->object->uid());
  }
  if (old_status_replicas > 0) return true;
  for (const auto& uid : old_uids)
    for (const auto& o : c_.pods_.cache().by_index(kByControllerUid, uid)) {
      auto phase = o.as<k8s::Pod>().getStatus().getPhase();
      if (phase != "Failed" && phase != "Succeeded") return true;
    }
  return false;
}

// kube's cleanupDeployment: the oldest revisions beyond the limit, once scaled to 0 and seen so
// by their ReplicaSet controller, are deleted.
void DeploymentSync::cleanup() {
  std::vector<ReplicaSetView*> cleanable;
  for (auto* s : old_sets())
    if (s->alive()) cleanable.push_back(s);
  auto diff = std::int64_t(cleanable.size()) - p_.history_limit;
  if (diff <= 0) return;
  std::stable_sort(cleanable.begin(), cleanable.end(), [](auto* a, auto* b) {
    if (a->revision() != b->revision()) return a->revision() < b->revision();
    return created_before(a, b);
  });
  for (std::int64_t i = 0; i < diff; ++i) {
    auto* s = cleanable[std::size_t(i)];
    auto rs = s->object->as<k8s::ReplicaSet>();
    if (s->replicas != 0 || s->status_replicas != 0 || s->dirty ||
        rs.getMetadata().getGeneration() > rs.getStatus().getObservedGeneration())
      continue;
    out_.calls.push_back(
        replicasets_resource().call(api::ApiVerb::remove, object_.name_space(), s->name));
  }
}

// kube's checkPausedConditions: Progressing says Unknown while paused.
void DeploymentSync::check_paused_condition() {
  if (!p_.deadline_s) return;
  auto* current = find_condition(conditions_, "Progressing");
  if (current && current->reason == "ProgressDeadlineExceeded") return;
  bool paused_shown = current && current->reason == "DeploymentPaused";
  if (p_.paused && !paused_shown)
    set_condition(conditions_,
                  condition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused"));
  else if (!p_.paused && paused_shown)
    set_condition(conditions_, condition("Progressing", "Unknown", "DeploymentResumed",
                                         "Deployment is resumed"));
}

Status DeploymentSync::calculate_status() {
  Status s;
  std::int32_t total = 0;
  for (const auto& v : sets_) {
    total += v.replicas;
    if (!v.object) continue;
    s.replicas += v.status_replicas;
    s.ready += v.ready;
    s.available += v.available;
  }
  if (new_set() && new_set()->object) s.updated = new_set()->status_replicas;
  s.unavailable = std::max(0, total - s.available);
  s.observed_generation = d_.getMetadata().getGeneration();
  s.collision_count = collision_count_ ? collision_count_ : current_.collision_count;
  if (s.available >= p_.replicas - p_.max_unavailable)
    set_condition(conditions_, condition("Available", "True", "MinimumReplicasAvailable",
                                         "Deployment has minimum availability."));
  else
    set_condition(conditions_, condition("Available", "False", "MinimumReplicasUnavailable",
                                         "Deployment does not have minimum availability."));
  s.conditions = conditions_;
  return s;
}

bool DeploymentSync::complete(const Status& s) const {
  return s.updated == p_.replicas && s.replicas == p_.replicas && s.available == p_.replicas &&
         s.observed_generation >= d_.getMetadata().getGeneration();
}

bool DeploymentSync::progressing(const Status& s) const {
  auto old_before = current_.replicas - current_.updated;
  auto old_now = s.replicas - s.updated;
  return s.updated > current_.updated || old_now < old_before || s.ready > current_.ready ||
         s.available > current_.available;
}

bool DeploymentSync::timed_out() {
  auto* c = find_condition(conditions_, "Progressing");
  if (!p_.deadline_s || !c || c->reason == "NewReplicaSetAvailable") return false;
  if (c->reason == "ProgressDeadlineExceeded") return true;
  auto from = api::parse_rfc3339(c->last_update);
  return from && *from + *p_.deadline_s < now_s_;
}

// kube's syncRolloutStatus: the Progressing condition follows the rollout, and a rollout
// that has not moved for progressDeadlineSeconds is marked ProgressDeadlineExceeded.
void DeploymentSync::rollout_status() {
  auto s = calculate_status();
  if (!p_.deadline_s) remove_condition(conditions_, "Progressing");
  auto* current = find_condition(conditions_, "Progressing");
  bool done = s.replicas == s.updated && current && current->reason == "NewReplicaSetAvailable";
  auto subject = new_set() ? "ReplicaSet \"" + new_set()->name + "\""
                           : "Deployment \"" + object_.name() + "\"";
  if (p_.deadline_s && !done) {
    if (complete(s)) {
      set_condition(conditions_, condition("Progressing", "True", "NewReplicaSetAvailable",
                                           subject + " has successfully progressed."));
    } else if (progressing(s)) {
      auto c = condition("Progressing", "True", "ReplicaSetUpdated", subject + " is progressing.");
      if (current && current->status == "True") c.last_transition = current->last_transition;
      remove_condition(conditions_, "Progressing");
      set_condition(conditions_, c);
    } else if (timed_out()) {
      set_condition(conditions_, condition("Progressing", "False", "ProgressDeadlineExceeded",
                                           subject + " has timed out progressing."));
    }
  }
  s.conditions = conditions_;
  status_ = s;
  current = find_condition(conditions_, "Progressing");
  if (p_.deadline_s && current && !complete(s) && current->reason != "ProgressDeadlineExceeded") {
    auto from = api::parse_rfc3339(current->last_update).value_or(now_s_);
    auto at_ms = (from + *p_.deadline_s + 1 - c_.config_.wall_clock_base_s) * 1000;
    out_.again_at_ms = std::max(at_ms, now_ms_ + 1);
  }
}

Condition DeploymentSync::condition(std::string type, std::string status, std::string reason,
                                    std::string message) const {
  auto now = api::format_rfc3339(now_s_);
  return {std::move(type), std::move(status), std::move(reason), std::move(message), now, now};
}

SyncResult DeploymentSync::run() {
  if (!claim()) return std::move(out_);  // adoption and release first, alone
  if (d_.getMetadata().getDeletionTimestamp().size() > 0) {
    get_new(false);
    status_ = calculate_status();
  } else {
    check_paused_condition();
    if (p_.paused || scaling_event()) {
      get_new(false);
      scale_proportionally();
      if (p_.paused) cleanup();
      status_ = calculate_status();
    } else if (p_.rolling) {
      rolling();
    } else {
      recreate();
    }
  }
  if (!status_) status_ = calculate_status();
  emit(*status_);
  return std::move(out_);
}

std::string DeploymentSync::replicaset_update(const ReplicaSetView& v) const {
  capnp::MallocMessageBuilder message;
  message.setRoot(v.object->as<k8s::ReplicaSet>());
  auto rs = message.getRoot<k8s::ReplicaSet>();
  rs.getSpec().initReplicas().setValue(v.replicas);
  rs.getSpec().setMinReadySeconds(v.min_ready_seconds);
  write_map(rs.getMetadata().initAnnotations(), v.annotations);
  return flat_bytes(message);
}

std::string DeploymentSync::replicaset_create(const ReplicaSetView& v) const {
  auto hash = v.name.substr(object_.name().size() + 1);
  capnp::MallocMessageBuilder message;
  auto rs = message.initRoot<k8s::ReplicaSet>();
  rs.setApiVersion("apps/v1");
  rs.setKind("ReplicaSet");
  auto meta = rs.initMetadata();
  meta.setName(v.name);
  meta.setNamespace(object_.name_space());
  auto labels = read_map(d_.getSpec().getTemplate().getMetadata().getLabels());
  labels[kHashLabel] = hash;
  write_map(meta.initLabels(), labels);
  write_map(meta.initAnnotations(), v.annotations);
  auto ref = meta.initOwnerReferences(1)[0];
  ref.setApiVersion(deployments_resource().api_version());
  ref.setKind("Deployment");
  ref.setName(object_.name());
  ref.setUid(object_.uid());
  ref.setController(true);
  ref.setBlockOwnerDeletion(true);
  auto spec = rs.initSpec();
  spec.initReplicas().setValue(v.replicas);
  spec.setMinReadySeconds(v.min_ready_seconds);
  spec.setSelector(d_.getSpec().getSelector());
  auto match = read_map(d_.getSpec().getSelector().getMatchLabels());
  match[kHashLabel] = hash;
  write_map(spec.getSelector().initMatchLabels(), match);
  spec.setTemplate(d_.getSpec().getTemplate());
  write_map(spec.getTemplate().getMetadata().initLabels(), labels);
  return flat_bytes(message);
}

void write_status(k8s::Deployment::Status::Builder out, const Status& s) {
  out.setObservedGeneration(s.observed_generation);
  out.setReplicas(s.replicas);
  out.setUpdatedReplicas(s.updated);
  out.setReadyReplicas(s.ready);
  out.setAvailableReplicas(s.available);
  out.setUnavailableReplicas(s.unavailable);
  if (s.collision_count) out.initCollisionCount().setValue(*s.collision_count);
  auto conditions = out.initConditions(unsigned(s.conditions.size()));
  for (unsigned i = 0; i < s.conditions.size(); ++i) {
    const auto& c = s.conditions[i];
    conditions[i].setType(c.type);
    conditions[i].setStatus(c.status);
    conditions[i].setReason(c.reason);
    conditions[i].setMessage(c.message);
    conditions[i].setLastUpdateTime(c.last_update);
    conditions[i].setLastTransitionTime(c.last_transition);
  }
}

void DeploymentSync::emit(const Status& status) {
  const auto& sets = replicasets_resource();
  for (const auto& v : sets_) {
    if (!v.object) {
      auto call = sets.call(api::ApiVerb::create, object_.name_space());
      call.object = replicaset_create(v);
      out_.calls.push_back(std::move(call));
    } else if (v.dirty) {
      auto call = sets.call(api::ApiVerb::update, object_.name_space(), v.name);
      call.object = replicaset_update(v);
      out_.calls.push_back(std::move(call));
    }
  }
  const auto& deployments = deployments_resource();
  capnp::MallocMessageBuilder message;
  message.setRoot(d_);
  auto d = message.getRoot<k8s::Deployment>();
  auto call = deployments.call(api::ApiVerb::update, object_.name_space(), object_.name());
  if (annotations_dirty_) {  // the main resource; the status follows at the next sync
    write_map(d.getMetadata().initAnnotations(), annotations_);
  } else if (!(status == current_)) {
    call.subresource = "status";
    write_status(d.initStatus(), status);
  } else {
    return;
  }
  call.object = flat_bytes(message);
  out_.calls.push_back(std::move(call));
}

DeploymentController::DeploymentController(const ControllerContext& context,
                                           DeploymentConfig config)
    : deployments_(context.informer(deployments_resource())),
      sets_(context.informer(replicasets_resource())),
      pods_(context.informer(pods_resource())),
      config_(config),
      enqueue_(context.enqueue),
      now_ms_(context.now_ms),
      record_(context.record) {
  deployments_.ensure_index(kByNamespace, api::index_by_namespace());
  ensure_replica_set_claim_indexes(sets_);
  ensure_claim_indexes(pods_);
  deployments_.add_handlers({
      [this](const api::InformerObject& d) { enqueue_(d.key()); },
      [this](const api::InformerObject&, const api::InformerObject& d) { enqueue_(d.key()); },
      [this](const api::InformerObject& d, bool) {
        own_writes_.forget(d.key());
        enqueue_(d.key());
      },
  });
  sets_.add_handlers({
      [this](const api::InformerObject& rs) { set_changed(nullptr, rs); },
      [this](const api::InformerObject& old, const api::InformerObject& rs) {
        set_changed(&old, rs);
      },
      [this](const api::InformerObject& rs, bool) {
        if (auto key = owner_key(rs)) enqueue_(*key);
      },
  });
  pods_.add_handlers({
      nullptr,
      nullptr,
      [this](const api::InformerObject& pod, bool) { pod_deleted(pod); },
  });
}

// The Deployment controlling a ReplicaSet, when it exists in the cache with that uid.
std::optional<std::string> DeploymentController::owner_key(const api::InformerObject& rs) const {
  auto ref = controller_of(rs.as<k8s::ReplicaSet>().getMetadata());
  if (!ref || ref->getKind() != "Deployment") return std::nullopt;
  auto key = object_key(rs.name_space(), ref->getName());
  auto d = deployments_.cache().get(key);
  if (!d || d->uid() != ref->getUid().cStr()) return std::nullopt;
  return key;
}

// Every Deployment whose selector matches an orphan ReplicaSet (it may adopt it).
void DeploymentController::enqueue_matching(const api::InformerObject& rs) {
  auto labels = rs.as<k8s::ReplicaSet>().getMetadata().getLabels();
  for (const auto& d : deployments_.cache().by_index(kByNamespace, rs.name_space()))
    if (api::selector_matches(d.as<k8s::Deployment>().getSpec().getSelector(), labels))
      enqueue_(d.key());
}

void DeploymentController::set_changed(const api::InformerObject* old,
                                       const api::InformerObject& rs) {
  if (old && old->resource_version() == rs.resource_version()) return;  // a resync
  auto old_owner = old ? owner_key(*old) : std::nullopt;
  auto owner = owner_key(rs);
  if (old_owner && old_owner != owner) enqueue_(*old_owner);
  if (owner)
    enqueue_(*owner);
  else if (!controller_of(rs.as<k8s::ReplicaSet>().getMetadata()))
    enqueue_matching(rs);
}

// A pod gone may be the last old one a Recreate waits for.
void DeploymentController::pod_deleted(const api::InformerObject& pod) {
  auto ref = controller_of(pod.as<k8s::Pod>().getMetadata());
  if (!ref || ref->getKind() != "ReplicaSet") return;
  auto rs = sets_.cache().get(object_key(pod.name_space(), ref->getName()));
  if (rs && rs->uid() == ref->getUid().cStr())
    if (auto key = owner_key(*rs)) enqueue_(*key);
}

SyncResult DeploymentController::sync(const std::string& key, std::int64_t now_ms) {
  auto object = deployments_.cache().get(key);
  if (!object) {
    own_writes_.forget(key);
    return {};
  }
  auto cached = [this](const std::string& rs) -> std::optional<std::int64_t> {
    auto o = sets_.cache().get(rs);
    if (!o) return std::nullopt;
    return std::int64_t(o->resource_version());
  };
  std::optional<std::int64_t> due_ms;
  if (!own_writes_.settled(key, cached, now_ms, due_ms)) return {{}, due_ms};
  auto d = object->as<k8s::Deployment>();
  auto selector = d.getSpec().getSelector();
  if (selector.getMatchLabels().getEntries().size() == 0 &&
      selector.getMatchExpressions().size() == 0)
    return {};  // kube refuses a selector that selects everything
  auto params = read_params(d.getSpec());
  if (!params) return {};  // an invalid maxSurge/maxUnavailable: nothing to do until fixed
  return DeploymentSync(*this, *object, *params, now_ms).run();
}

bool DeploymentController::on_reply(const std::string& key, const api::ApiCall& call,
                                    const api::ApiReply& reply) {
  // kube's ScalingReplicaSet events, which `kubectl describe deployment` lists.
  bool scaled_set = call.resource == "replicasets" && call.subresource.empty() &&
                    (call.verb == api::ApiVerb::create || call.verb == api::ApiVerb::update);
  std::optional<FlatMessage> rs;
  if (scaled_set)
    if (auto opened = FlatMessage::open(call.object); opened.ok()) rs = std::move(*opened);
  if (rs) {
    auto meta = rs->root<k8s::ReplicaSet>().getMetadata();
    auto written_at = std::strtoll(meta.getResourceVersion().cStr(), nullptr, 10);
    own_writes_.answered(key, object_key(call.namespace_, meta.getName()), reply.code,
                         reply.object.resource_version, written_at, now_ms_());
  }
  auto deployment = deployments_.cache().get(key);
  if (reply.ok() && rs && deployment && record_) {
    auto spec = rs->root<k8s::ReplicaSet>().getSpec();
    auto to = spec.hasReplicas() ? spec.getReplicas().getValue() : 1;
    std::string name = rs->root<k8s::ReplicaSet>().getMetadata().getName();
    std::int32_t from = to;  // an update of annotations alone: no event
    if (auto it = scaled_from.find(name); it != scaled_from.end()) {
      from = it->second;
      scaled_from.erase(it);
    }
    std::string message;
    if (call.verb == api::ApiVerb::create || to > from)
      message = "Scaled up replica set " + name + " to " + std::to_string(to);
    else if (to < from)
      message = "Scaled down replica set " + name + " to " + std::to_string(to) + " from " +
                std::to_string(from);
    if (!message.empty() && (call.verb != api::ApiVerb::create || to > 0))
      record_(api::EventReport{
          {"Deployment", deployment->name_space(), deployment->name(), deployment->uid(), "apps/v1",
           std::to_string(deployment->resource_version()), ""},
          api::EventType::normal,
          "ScalingReplicaSet",
          message,
          "deployment-controller",
          ""});
  }
  if (reply.ok()) return true;
  if (call.verb == api::ApiVerb::remove && reply.code == 404) return true;  // gone already
  return false;  // a conflict or a refusal: look again after the back-off
}

}  // namespace

ControllerFactory deployment_controller(DeploymentConfig config) {
  return [config](const ControllerContext& context) -> std::unique_ptr<Controller> {
    return std::make_unique<DeploymentController>(context, config);
  };
}

}  // namespace craton::controllers
