// The Job controller's reconcile core (see the header).
#include "actors/controllers/job/job_controller.hpp"

#include <capnp/message.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "actors/api/client/kube_time.hpp"
#include "actors/api/informer/informer_cache.hpp"
#include "actors/controllers/expectations.hpp"
#include "actors/controllers/job/completion_index.hpp"
#include "actors/controllers/pod_control.hpp"
#include "actors/controllers/pods.hpp"
#include "actors/controllers/replicaset/pod_ranking.hpp"
#include "runtime/assert.hpp"
#include "runtime/flat_message.hpp"

namespace craton::controllers {
namespace k8s = schema::k8s;
namespace {

constexpr const char* kByNamespace = "namespace";
constexpr const char* kByOwner = "owner-uid";  // the garbage collector's index of the same name
constexpr std::int32_t kBackoffLimitDefault = 6;
constexpr std::int32_t kParallelismDefault = 1;

bool being_deleted(k8s::ObjectMeta::Reader meta) {
  return meta.getDeletionTimestamp().size() > 0;
}

bool has_finalizer(k8s::ObjectMeta::Reader meta, const char* name) {
  for (auto f : meta.getFinalizers())
    if (f == name) return true;
  return false;
}

// The template's pod (pod_from_template) carrying the job-tracking finalizer; for an Indexed
// Job, index `index`'s pod (make_indexed), generateName "<job>-<index>-" as kube names it.
std::string job_pod(k8s::PodTemplateSpec::Reader pod_template, const std::string& namespace_,
                    const Owner& owner, std::optional<std::int32_t> index) {
  capnp::MallocMessageBuilder indexed;
  if (index) {
    indexed.setRoot(pod_template);
    make_indexed(indexed.getRoot<k8s::PodTemplateSpec>(), owner.name, *index);
    pod_template = indexed.getRoot<k8s::PodTemplateSpec>().asReader();
  }
  auto made = FlatMessage::open(pod_from_template(pod_template, namespace_, owner));
  CRATON_ASSERT(made.ok(), "pod_from_template made unreadable bytes");
  capnp::MallocMessageBuilder message;
  message.setRoot(made->root<k8s::Pod>());
  auto meta = message.getRoot<k8s::Pod>().getMetadata();
  if (index) meta.setGenerateName(owner.name + "-" + std::to_string(*index) + "-");
  auto old = meta.asReader().getFinalizers();
  std::vector<std::string> names;
  for (auto f : old) names.push_back(f.cStr());
  names.push_back(kJobTrackingFinalizer);
  auto list = meta.initFinalizers(unsigned(names.size()));
  for (unsigned i = 0; i < names.size(); ++i) list.set(i, names[i]);
  return flat_bytes(message);
}

// The type of the Job's finished condition (Complete or Failed with status True), if any.
std::optional<std::string> finished_as(k8s::Job::Reader job) {
  for (auto c : job.getStatus().getConditions())
    if ((c.getType() == "Complete" || c.getType() == "Failed") && c.getStatus() == "True")
      return std::string(c.getType().cStr());
  return std::nullopt;
}

// Failures since the last success, and when the last was counted (Kubernetes' backoffRecord).
struct Backoff {
  std::int64_t failures = 0;
  std::int64_t last_failure_ms = 0;

  void count(std::size_t succeeded, std::size_t failed, std::int64_t now_ms) {
    if (succeeded > 0) failures = 0;
    if (failed == 0) return;
    failures += std::int64_t(failed);
    last_failure_ms = now_ms;
  }
  // How long a new pod must still wait: base * 2^(failures-1), capped, from the last failure.
  std::int64_t remaining_ms(const JobConfig& config, std::int64_t now_ms) const {
    if (failures == 0) return 0;
    auto delay = config.backoff_ms;
    for (std::int64_t i = 1; i < failures && delay < config.backoff_ms_max; ++i) delay *= 2;
    delay = std::min(delay, config.backoff_ms_max);
    auto elapsed = now_ms - last_failure_ms;
    if (elapsed < 0) return delay;
    return std::max<std::int64_t>(0, delay - elapsed);
  }
};

// An Event the Job controller records once the status write that carries it is stored.
struct JobEvent {
  api::EventType type = api::EventType::normal;
  std::string reason, message;
};

// What the controller keeps of one Job between syncs.
struct JobState {
  std::set<std::string> counted;   ///< uids in the stored counts whose finalizer may remain
  std::set<std::string> counting;  ///< uids in the status write in flight
  std::uint64_t status_rv = 0;     ///< the resourceVersion our last status write made
  Backoff backoff, pending_backoff;
  std::vector<JobEvent> announcing;  ///< recorded once the status write in flight is stored
};

// The Job's pods as one sync sees them.
struct PodView {
  std::vector<api::InformerObject> active;
  std::vector<api::InformerObject> unfinalize;  ///< counted: their finalizer goes
  std::vector<std::string> new_succeeded, new_failed;
  std::vector<std::int32_t> succeeded_indexes;  ///< of new_succeeded (Indexed Jobs)
  std::int32_t ready = 0;
  std::int64_t restarts = 0;  ///< container restarts of the Pending and Running pods
};

std::int64_t restarts_of(k8s::Pod::Reader pod) {
  auto phase = pod.getStatus().getPhase();
  if (phase != "Pending" && phase != "Running") return 0;
  std::int64_t n = 0;
  for (auto c : pod.getStatus().getContainerStatuses()) n += c.getRestartCount();
  for (auto c : pod.getStatus().getInitContainerStatuses()) n += c.getRestartCount();
  return n;
}

bool suspended(k8s::Job::Reader job) {
  return job.getSpec().hasSuspend() && job.getSpec().getSuspend().getValue();
}

bool indexed(k8s::Job::Spec::Reader spec) {
  return spec.getCompletionMode() == "Indexed" && spec.hasCompletions();
}

// A suspended Job's pod deleted before it finished is not a failure but the suspension's doing.
PodView view_of(const std::vector<api::InformerObject>& owned, const JobState& state,
                k8s::Job::Reader job) {
  bool suspended_now = suspended(job);
  auto spec = job.getSpec();
  PodView v;
  for (const auto& o : owned) {
    auto pod = o.as<k8s::Pod>();
    if (pod_active(pod)) {
      v.active.push_back(o);
      if (pod_ready(pod)) ++v.ready;
    }
    v.restarts += restarts_of(pod);
    if (!has_finalizer(pod.getMetadata(), kJobTrackingFinalizer)) continue;
    auto phase = pod.getStatus().getPhase();
    bool finished = phase == "Succeeded" || phase == "Failed";
    if (state.counted.count(o.uid()) ||
        (suspended_now && !finished && being_deleted(pod.getMetadata()))) {
      v.unfinalize.push_back(o);
    } else if (phase == "Succeeded") {
      v.new_succeeded.push_back(o.uid());
      auto index = completion_index(pod.getMetadata(), spec.getCompletions().getValue());
      if (indexed(spec) && index) v.succeeded_indexes.push_back(*index);
    } else if (phase == "Failed" || being_deleted(pod.getMetadata())) {
      v.new_failed.push_back(o.uid());  // deleted before it succeeded: a failure
    }
  }
  return v;
}

struct Condition {
  std::string type, status, reason, message;
};

// The status one sync wants stored.
struct Status {
  std::string start_time, completion_time;
  std::optional<std::string> completed_indexes;  ///< Indexed Jobs only
  std::int32_t active = 0, ready = 0, succeeded = 0, failed = 0;
  std::optional<Condition> finish;
  std::optional<Condition> suspension;  ///< Suspended turned True or False
};

// The change of the Suspended condition the spec asks for, if any (kube's
// ensureJobConditionStatus: a Job never suspended gets no Suspended=False).
std::optional<Condition> suspension_change(k8s::Job::Reader job) {
  std::optional<bool> now;
  for (auto c : job.getStatus().getConditions())
    if (c.getType() == "Suspended") now = c.getStatus() == "True";
  if (suspended(job) && now != true)
    return Condition{"Suspended", "True", "JobSuspended", "Job suspended"};
  if (!suspended(job) && now == true)
    return Condition{"Suspended", "False", "JobResumed", "Job resumed"};
  return std::nullopt;
}

bool differs(k8s::Job::Status::Reader now, const Status& s) {
  return s.finish || s.suspension || now.getStartTime() != s.start_time.c_str() ||
         now.getCompletionTime() != s.completion_time.c_str() || now.getActive() != s.active ||
         !now.hasReady() || now.getReady().getValue() != s.ready ||
         now.getSucceeded() != s.succeeded || now.getFailed() != s.failed ||
         (s.completed_indexes && now.getCompletedIndexes() != s.completed_indexes->c_str());
}

void set_condition(k8s::WorkloadCondition::Builder c, const Condition& to, const std::string& at) {
  c.setType(to.type);
  c.setStatus(to.status);
  c.setLastProbeTime(at);
  c.setLastTransitionTime(at);
  if (!to.reason.empty())
    c.setReason(to.reason);
  else
    c.disownReason();
  if (!to.message.empty())
    c.setMessage(to.message);
  else
    c.disownMessage();
}

// The conditions with `changes` applied: one of the same type is updated in place, a new type
// is appended.
void change_conditions(capnp::MessageBuilder& message, k8s::Job::Status::Builder status,
                       const std::vector<Condition>& changes, const std::string& at) {
  auto old = status.asReader().getConditions();
  std::vector<const Condition*> appended;
  for (const auto& change : changes) {
    bool found = false;
    for (auto c : old) found = found || c.getType() == change.type.c_str();
    if (!found) appended.push_back(&change);
  }
  auto orphan = message.getOrphanage().newOrphan<capnp::List<k8s::WorkloadCondition>>(
      old.size() + unsigned(appended.size()));
  auto list = orphan.get();
  for (unsigned i = 0; i < old.size(); ++i) {
    list.setWithCaveats(i, old[i]);
    for (const auto& change : changes)
      if (old[i].getType() == change.type.c_str()) set_condition(list[i], change, at);
  }
  for (unsigned i = 0; i < appended.size(); ++i)
    set_condition(list[old.size() + i], *appended[i], at);
  status.adoptConditions(std::move(orphan));
}

std::string with_status(const api::InformerObject& object, const Status& s, const std::string& at) {
  capnp::MallocMessageBuilder message;
  message.setRoot(object.as<k8s::Job>());
  auto status = message.getRoot<k8s::Job>().getStatus();
  if (!s.start_time.empty())
    status.setStartTime(s.start_time);
  else
    status.disownStartTime();
  if (!s.completion_time.empty()) status.setCompletionTime(s.completion_time);
  if (s.completed_indexes && !s.completed_indexes->empty())
    status.setCompletedIndexes(*s.completed_indexes);
  else
    status.disownCompletedIndexes();
  status.setActive(s.active);
  status.initReady().setValue(s.ready);
  status.setSucceeded(s.succeeded);
  status.setFailed(s.failed);
  std::vector<Condition> changes;
  if (s.suspension) changes.push_back(*s.suspension);
  if (s.finish) changes.push_back(*s.finish);
  if (!changes.empty()) change_conditions(message, status, changes, at);
  return flat_bytes(message);
}

// The Events kube's job controller records for the conditions this status sets.
std::vector<JobEvent> events_of(const Status& s) {
  std::vector<JobEvent> out;
  if (s.suspension)
    out.push_back(s.suspension->status == "True"
                      ? JobEvent{api::EventType::normal, "Suspended", "Job suspended"}
                      : JobEvent{api::EventType::normal, "Resumed", "Job resumed"});
  if (s.finish && s.finish->type == "Complete")
    out.push_back({api::EventType::normal, "Completed", "Job completed"});
  else if (s.finish)  // kube's Failed events carry the condition's reason and message
    out.push_back({api::EventType::warning, s.finish->reason, s.finish->message});
  return out;
}

class JobController final : public Controller {
 public:
  JobController(const ControllerContext& context, JobConfig config)
      : config_(config),
        pods_(context.informer(pods_resource())),
        jobs_(context.informer(jobs_resource())),
        enqueue_(context.enqueue),
        now_ms_(context.now_ms),
        record_(context.record) {
    pods_.ensure_index(kByNamespace, api::index_by_namespace());
    pods_.ensure_index(kByOwner, api::index_by_owner_uid());
    jobs_.add_handlers({
        [this](const api::InformerObject& job) { enqueue_(job.key()); },
        [this](const api::InformerObject&, const api::InformerObject& job) { enqueue_(job.key()); },
        [this](const api::InformerObject& job, bool) { enqueue_(job.key()); },
    });
    pods_.add_handlers({
        [this](const api::InformerObject& pod) { pod_seen(pod, true); },
        [this](const api::InformerObject& old, const api::InformerObject& pod) {
          if (old.resource_version() != pod.resource_version()) pod_seen(pod, false);
        },
        [this](const api::InformerObject& pod, bool) { pod_gone(pod); },
    });
  }

  const char* name() const override { return "job"; }
  SyncResult sync(const std::string& key, std::int64_t now_ms) override;
  bool on_reply(const std::string& key, const api::ApiCall& call,
                const api::ApiReply& reply) override;
  void reset() override {
    expectations_.clear();
    states_.clear();
  }

 private:
  // The key of the Job controlling a pod (whether or not that Job is still cached).
  static std::optional<std::string> job_key(const api::InformerObject& pod) {
    auto ref = controller_of(pod.as<k8s::Pod>().getMetadata());
    if (!ref || ref->getKind() != "Job") return std::nullopt;
    return object_key(pod.name_space(), ref->getName());
  }
  void pod_seen(const api::InformerObject& pod, bool added) {
    auto key = job_key(pod);
    if (!key) return;
    if (being_deleted(pod.as<k8s::Pod>().getMetadata())) {
      expectations_.observed_delete(*key, pod.key());
    } else if (added) {
      auto job = jobs_.cache().get(*key);
      auto ref = controller_of(pod.as<k8s::Pod>().getMetadata());
      if (job && job->uid() == ref->getUid().cStr()) expectations_.observed_add(*key);
    }
    enqueue_(*key);
  }
  void pod_gone(const api::InformerObject& pod) {
    auto key = job_key(pod);
    if (!key) return;
    expectations_.observed_delete(*key, pod.key());
    enqueue_(*key);
  }

  std::vector<api::InformerObject> owned(const api::InformerObject& job) const {
    std::vector<api::InformerObject> out;
    for (const auto& o : pods_.cache().by_index(kByOwner, job.uid())) {
      auto ref = controller_of(o.as<k8s::Pod>().getMetadata());
      if (ref && ref->getUid() == job.uid().c_str()) out.push_back(o);
    }
    return out;
  }
  SyncResult release(const std::string& key);
  void reconcile(const api::InformerObject& object, JobState& state, const PodView& pods,
                 Status& next, SyncResult& out, std::int64_t now_ms);
  using Indexes = std::vector<std::optional<std::int32_t>>;
  void manage(const api::InformerObject& object, const JobState& state, const PodView& pods,
              Status& next, SyncResult& out, std::int64_t now_ms);
  void manage_indexed(const api::InformerObject& object, const JobState& state, const PodView& pods,
                      Status& next, SyncResult& out, std::int64_t now_ms);
  void create_pods(const api::InformerObject& object, const JobState& state, Indexes indexes,
                   Status& next, SyncResult& out, std::int64_t now_ms);
  void delete_pods(const std::string& key, std::vector<api::InformerObject> victims,
                   SyncResult& out, std::int64_t now_ms);
  std::int64_t wall_ms(std::int64_t now_ms) const {
    return config_.wall_clock_base_s * 1000 + now_ms;
  }
  // An Event about the Job `key`, as kube's job-controller writes them.
  void event(const std::string& key, const JobEvent& e) {
    auto job = jobs_.cache().get(key);
    if (!job || !record_) return;
    record_(api::EventReport{event_ref(*job, "Job", "batch/v1"), e.type, e.reason, e.message,
                             "job-controller", ""});
  }

  JobConfig config_;
  api::Informer& pods_;
  api::Informer& jobs_;
  std::function<void(const std::string&)> enqueue_;
  std::function<std::int64_t()> now_ms_;
  std::function<void(api::EventReport)> record_;
  Expectations expectations_;
  std::map<std::string, JobState> states_;
};

api::ApiCall unfinalize_call(const api::InformerObject& pod) {
  auto call = pods_resource().call(api::ApiVerb::update, pod.name_space(), pod.name());
  call.object = without_finalizer(pod.reader(), kJobTrackingFinalizer);
  return call;
}

// A Job that is gone or being deleted keeps none of its pods from going: their finalizers go.
SyncResult JobController::release(const std::string& key) {
  SyncResult out;
  auto [namespace_, name] = split_key(key);
  auto job = jobs_.cache().get(key);
  if (!job) {
    expectations_.forget(key);
    states_.erase(key);
  }
  for (const auto& o : pods_.cache().by_index(kByNamespace, namespace_)) {
    auto meta = o.as<k8s::Pod>().getMetadata();
    auto ref = controller_of(meta);
    if (!ref || ref->getKind() != "Job" || ref->getName() != name) continue;
    if (job && ref->getUid() != job->uid().c_str()) continue;
    if (has_finalizer(meta, kJobTrackingFinalizer)) out.calls.push_back(unfinalize_call(o));
  }
  return out;
}

SyncResult JobController::sync(const std::string& key, std::int64_t now_ms) {
  auto object = jobs_.cache().get(key);
  if (!object || being_deleted(object->as<k8s::Job>().getMetadata())) return release(key);
  auto& state = states_[key];
  SyncResult out;
  if (object->resource_version() < state.status_rv) return out;  // its watch event re-queues it
  auto job = object->as<k8s::Job>();
  auto pods = view_of(owned(*object), state, job);
  state.counted.clear();  // what is left to un-finalize: the rest is gone or done
  for (const auto& o : pods.unfinalize) state.counted.insert(o.uid());
  auto status = job.getStatus();

  Status next;
  if (!finished_as(job)) next.suspension = suspension_change(job);
  // startTime is when the Job last started running: none while suspended, anew on resume (so
  // activeDeadlineSeconds counts the time it runs without a break, as kube's does).
  next.start_time = status.getStartTime().cStr();
  if (suspended(job) && !finished_as(job))
    next.start_time.clear();
  else if (next.start_time.empty() || (next.suspension && next.suspension->status == "False"))
    next.start_time = api::kube_time(wall_ms(now_ms));
  next.completion_time = status.getCompletionTime().cStr();
  next.active = std::int32_t(pods.active.size());
  next.ready = pods.ready;
  next.succeeded = status.getSucceeded() + std::int32_t(pods.new_succeeded.size());
  if (indexed(job.getSpec())) {  // succeeded counts the indexes done, not the pods
    auto done = parse_completed_indexes(status.getCompletedIndexes().cStr(),
                                        job.getSpec().getCompletions().getValue());
    done.insert(pods.succeeded_indexes.begin(), pods.succeeded_indexes.end());
    next.succeeded = std::int32_t(done.size());
    next.completed_indexes = format_completed_indexes(done);
  }
  next.failed = status.getFailed() + std::int32_t(pods.new_failed.size());
  state.pending_backoff = state.backoff;
  state.pending_backoff.count(pods.new_succeeded.size(), pods.new_failed.size(), now_ms);

  if (!finished_as(job) && expectations_.satisfied(key, now_ms))
    reconcile(*object, state, pods, next, out, now_ms);
  for (const auto& o : pods.unfinalize) out.calls.push_back(unfinalize_call(o));
  if (differs(status, next)) {
    auto call = jobs_resource().call(api::ApiVerb::update, object->name_space(), object->name());
    call.subresource = "status";
    call.object = with_status(*object, next, api::kube_time(wall_ms(now_ms)));
    out.calls.push_back(std::move(call));
    state.announcing = events_of(next);
    state.counting.clear();
    state.counting.insert(pods.new_succeeded.begin(), pods.new_succeeded.end());
    state.counting.insert(pods.new_failed.begin(), pods.new_failed.end());
  }
  return out;
}

// The finished condition, or the pods it takes to get there (steps 2 and 3 of the header).
void JobController::reconcile(const api::InformerObject& object, JobState& state,
                              const PodView& pods, Status& next, SyncResult& out,
                              std::int64_t now_ms) {
  auto spec = object.as<k8s::Job>().getSpec();
  auto limit = spec.hasBackoffLimit() ? spec.getBackoffLimit().getValue() : kBackoffLimitDefault;
  bool on_failure = spec.getTemplate().getSpec().getRestartPolicy() == "OnFailure";
  bool restarts_exceed = on_failure && (limit == 0 ? pods.restarts > 0 : pods.restarts >= limit);
  std::optional<std::int64_t> deadline_ms;
  if (spec.hasActiveDeadlineSeconds()) {
    auto start_s = api::parse_rfc3339(next.start_time);
    if (start_s)
      deadline_ms =
          (*start_s + spec.getActiveDeadlineSeconds().getValue() - config_.wall_clock_base_s) *
          1000;
  }
  if (next.failed > limit || restarts_exceed) {
    next.finish = Condition{"Failed", "True", "BackoffLimitExceeded",
                            "Job has reached the specified backoff limit"};
  } else if (deadline_ms && now_ms >= *deadline_ms) {
    next.finish = Condition{"Failed", "True", "DeadlineExceeded",
                            "Job was active longer than specified deadline"};
  }
  if (next.finish) {
    delete_pods(object.key(), pods.active, out, now_ms);
    next.active = 0;
    next.suspension.reset();  // a finished Job is neither suspended nor resumed
    return;
  }
  if (suspended(object.as<k8s::Job>())) {  // no pod runs while suspended
    delete_pods(object.key(), pods.active, out, now_ms);
    next.active = 0;
    return;
  }
  manage(object, state, pods, next, out, now_ms);
  if (deadline_ms) out.again_no_later_than(*deadline_ms);
  bool done = spec.hasCompletions() ? next.succeeded >= spec.getCompletions().getValue()
                                    : next.succeeded > 0;
  if (done && next.active == 0) {
    next.finish = Condition{"Complete", "True", "", ""};
    next.completion_time = api::kube_time(wall_ms(now_ms));
  }
}

// Brings the active pods to what the Job wants now (Kubernetes' manageJob, NonIndexed).
void JobController::manage(const api::InformerObject& object, const JobState& state,
                           const PodView& pods, Status& next, SyncResult& out,
                           std::int64_t now_ms) {
  auto spec = object.as<k8s::Job>().getSpec();
  if (indexed(spec)) return manage_indexed(object, state, pods, next, out, now_ms);
  std::int64_t parallelism =
      spec.hasParallelism() ? spec.getParallelism().getValue() : kParallelismDefault;
  std::int64_t active = std::int64_t(pods.active.size());
  std::int64_t want = 0;
  if (!spec.hasCompletions())
    want = next.succeeded > 0 ? active : parallelism;
  else
    want =
        std::clamp<std::int64_t>(spec.getCompletions().getValue() - next.succeeded, 0, parallelism);
  if (active > want) {
    auto victims = pods.active;
    std::stable_sort(victims.begin(), victims.end(), [](const auto& a, const auto& b) {
      return delete_before(a.template as<k8s::Pod>(), b.template as<k8s::Pod>());
    });
    victims.erase(victims.begin() + std::min(active - want, config_.burst_pods), victims.end());
    next.active -= std::int32_t(victims.size());
    delete_pods(object.key(), std::move(victims), out, now_ms);
    return;
  }
  if (active < want)
    create_pods(object, state, Indexes(std::size_t(want - active)), next, out, now_ms);
}

// manageJob for an Indexed Job: one active pod per index not yet succeeded, lowest first; a pod
// without a valid index, of an index already done, or a second pod of one index is deleted.
void JobController::manage_indexed(const api::InformerObject& object, const JobState& state,
                                   const PodView& pods, Status& next, SyncResult& out,
                                   std::int64_t now_ms) {
  auto spec = object.as<k8s::Job>().getSpec();
  auto completions = spec.getCompletions().getValue();
  auto done = parse_completed_indexes(next.completed_indexes.value_or(""), completions);
  std::map<std::int32_t, api::InformerObject> running;
  std::vector<api::InformerObject> victims, spare;
  for (const auto& o : pods.active) {
    auto index = completion_index(o.as<k8s::Pod>().getMetadata(), completions);
    if (!index || done.count(*index) || running.count(*index))
      victims.push_back(o);
    else
      running.emplace(*index, o);
  }
  std::int64_t parallelism =
      spec.hasParallelism() ? spec.getParallelism().getValue() : kParallelismDefault;
  auto want = std::min<std::int64_t>(parallelism, completions - std::int64_t(done.size()));
  for (const auto& [index, o] : running) spare.push_back(o);
  if (std::int64_t(spare.size()) > want) {  // parallelism lowered: the least valuable go
    std::stable_sort(spare.begin(), spare.end(), [](const auto& a, const auto& b) {
      return delete_before(a.template as<k8s::Pod>(), b.template as<k8s::Pod>());
    });
    victims.insert(victims.end(), spare.begin(), spare.end() - want);
  }
  if (!victims.empty()) {
    if (std::int64_t(victims.size()) > config_.burst_pods)
      victims.erase(victims.begin() + config_.burst_pods, victims.end());
    next.active -= std::int32_t(victims.size());
    delete_pods(object.key(), std::move(victims), out, now_ms);
    return;
  }
  Indexes missing;
  for (std::int32_t i = 0; i < completions && std::int64_t(missing.size() + running.size()) < want;
       ++i)
    if (!done.count(i) && !running.count(i)) missing.push_back(i);
  create_pods(object, state, std::move(missing), next, out, now_ms);
}

// One pod per entry of `indexes` (nullopt: a NonIndexed pod), at most burst_pods, once the
// pod-failure back-off passed.
void JobController::create_pods(const api::InformerObject& object, const JobState& state,
                                Indexes indexes, Status& next, SyncResult& out,
                                std::int64_t now_ms) {
  if (indexes.empty()) return;
  if (auto wait_ms = state.pending_backoff.remaining_ms(config_, now_ms); wait_ms > 0) {
    out.again_at_ms = now_ms + wait_ms;  // the pod-failure back-off
    return;
  }
  if (std::int64_t(indexes.size()) > config_.burst_pods)
    indexes.resize(std::size_t(config_.burst_pods));
  expectations_.expect(object.key(), std::int64_t(indexes.size()), {}, now_ms);
  auto pod_template = object.as<k8s::Job>().getSpec().getTemplate();
  Owner self{jobs_resource().api_version(), "Job", object.name(), object.uid()};
  for (auto index : indexes) {
    auto call = pods_resource().call(api::ApiVerb::create, object.name_space());
    call.object = job_pod(pod_template, object.name_space(), self, index);
    out.calls.push_back(std::move(call));
  }
  next.active += std::int32_t(indexes.size());
}

void JobController::delete_pods(const std::string& key, std::vector<api::InformerObject> victims,
                                SyncResult& out, std::int64_t now_ms) {
  if (victims.empty()) return;
  std::vector<std::string> keys;
  for (const auto& v : victims) keys.push_back(v.key());
  expectations_.expect(key, 0, keys, now_ms);
  for (const auto& v : victims)
    out.calls.push_back(pods_resource().call(api::ApiVerb::remove, v.name_space(), v.name()));
}

bool JobController::on_reply(const std::string& key, const api::ApiCall& call,
                             const api::ApiReply& reply) {
  if (call.resource == "jobs" && call.subresource == "status") {
    auto it = states_.find(key);
    if (it == states_.end()) return reply.ok();
    auto& state = it->second;
    if (reply.ok()) {  // the counts are stored: these pods' finalizers may go now
      state.counted.insert(state.counting.begin(), state.counting.end());
      state.backoff = state.pending_backoff;
      state.status_rv = std::uint64_t(reply.object.resource_version);
      for (const auto& e : state.announcing) event(key, e);
    }
    state.counting.clear();
    state.announcing.clear();
    return reply.ok();
  }
  auto settled = settle_pod_call(key, call, reply, expectations_, now_ms_(),
                                 [&](api::EventType type, const char* reason, std::string text) {
                                   event(key, JobEvent{type, reason, std::move(text)});
                                 });
  if (settled) return *settled;
  return reply.ok() || reply.code == 404;  // a finalizer removal: a pod gone needs none
}

}  // namespace

ControllerFactory job_controller(JobConfig config) {
  return [config](const ControllerContext& context) -> std::unique_ptr<Controller> {
    return std::make_unique<JobController>(context, config);
  };
}

}  // namespace craton::controllers
