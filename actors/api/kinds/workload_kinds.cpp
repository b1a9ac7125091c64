// The workload kinds: apps/v1 Deployment, ReplicaSet and DaemonSet, batch/v1 Job and policy/v1
// PodDisruptionBudget, as kube-apiserver has them (pkg/apis/apps/v1/defaults.go,
// pkg/apis/apps/validation, pkg/apis/batch/v1/defaults.go and validation, the Job strategy's
// generated selector, pkg/apis/policy/validation, pkg/printers/internalversion).
#include <capnp/message.h>

#include <algorithm>
#include <cstdint>

#include "actors/api/convert/kube_json.hpp"
#include "actors/api/convert/string_map.hpp"
#include "actors/api/kinds/checks.hpp"
#include "actors/api/kinds/kind_factories.hpp"
#include "actors/api/kinds/pod_spec.hpp"
#include "actors/api/kinds/table_cells.hpp"
#include "actors/api/meta/names.hpp"
#include "actors/api/meta/time.hpp"
#include "schemas/api_apps.capnp.h"

namespace craton::api {
namespace {

namespace k8s = schema::k8s;

// ---- Shared by the kinds with a pod template ----

// An IntOrString's value for "both zero" checks (getIntOrPercentValue): a percentage's number,
// an integer, 0 for anything malformed.
int int_or_percent_value(k8s::IntOrString::Reader value) {
  if (value.isIntVal()) return value.getIntVal();
  auto s = text(value.getStrVal());
  if (s.size() < 2 || s.back() != '%' || s.size() > 11) return 0;
  for (std::size_t i = 0; i + 1 < s.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return 0;
  return int(std::min<long long>(std::stoll(s.substr(0, s.size() - 1)), INT32_MAX));
}

// IsNotMoreThan100Percent.
void check_at_most_100_percent(Causes& causes, const std::string& field,
                               k8s::IntOrString::Reader value) {
  if (value.isStrVal() && int_or_percent_value(value) > 100)
    invalid_go(causes, field, go_int_or_string(value), "must not be greater than 100%");
}

bool same_selector(bool has_a, k8s::LabelSelector::Reader a, bool has_b,
                   k8s::LabelSelector::Reader b) {
  if (has_a != has_b) return false;
  if (as_map(a.getMatchLabels()) != as_map(b.getMatchLabels())) return false;
  auto x = a.getMatchExpressions(), y = b.getMatchExpressions();
  if (x.size() != y.size()) return false;
  for (unsigned i = 0; i < x.size(); ++i) {
    if (x[i].getKey() != y[i].getKey() || x[i].getOperator() != y[i].getOperator()) return false;
    auto u = x[i].getValues(), v = y[i].getValues();
    if (u.size() != v.size()) return false;
    for (unsigned j = 0; j < u.size(); ++j)
      if (u[j] != v[j]) return false;
  }
  return true;
}

// apps/v1 and batch/v1 refuse a changed selector (the strategies' ValidateImmutableField).
void check_selector_unchanged(Causes& causes, bool has, k8s::LabelSelector::Reader selector,
                              bool had, k8s::LabelSelector::Reader old) {
  if (!same_selector(has, selector, had, old))
    invalid_go(causes, "spec.selector", has ? go_label_selector(selector) : "null",
               "field is immutable");
}

// The selector rules Deployment, ReplicaSet and DaemonSet share (ValidateDeploymentSpec,
// ValidateReplicaSetSpec, ValidateDaemonSetSpec): present, well formed, not empty, and matching
// the template's labels. `kind_word` is how Kubernetes names the kind in the message (a
// ReplicaSet's empty selector is "invalid for deployment" there too).
void check_workload_selector(Causes& causes, const std::string& kind_word, bool has,
                             k8s::LabelSelector::Reader selector,
                             k8s::PodTemplateSpec::Reader pod_template) {
  auto labels = as_map(pod_template.getMetadata().getLabels());
  auto mismatch = [&] {
    invalid_go(causes, "spec.template.metadata.labels", go_string_map(labels),
               "`selector` does not match template `labels`");
  };
  if (!has) {
    required(causes, "spec.selector");
    mismatch();  // a missing selector selects nothing
    return;
  }
  check_label_selector(causes, "spec.selector", selector);
  if (selector.getMatchLabels().getEntries().size() + selector.getMatchExpressions().size() == 0)
    invalid_go(causes, "spec.selector", go_label_selector(selector),
               "empty selector is invalid for " + kind_word);
  auto parsed = selector_of(selector);
  if (!parsed)
    invalid_go(causes, "spec.selector", go_label_selector(selector), "invalid label selector");
  else if (!parsed->empty() && !parsed->matches(labels))
    mismatch();
}

// ValidatePodTemplateSpec: the template's labels and annotations, then its pod spec.
void check_pod_template(Causes& causes, k8s::PodTemplateSpec::Reader pod_template) {
  auto meta = pod_template.getMetadata();
  check_label_map(causes, "spec.template.metadata.labels", as_map(meta.getLabels()));
  for (const auto& p : check_annotations(as_map(meta.getAnnotations())))
    cause(causes, "FieldValueInvalid", "spec.template.metadata.annotations", "Invalid value: " + p);
  validate_pod_spec(causes, "spec.template.spec", pod_template.getSpec());
}

// Pods of Deployments, ReplicaSets and DaemonSets run for ever: restartPolicy Always only.
void check_restarts_always(Causes& causes, k8s::PodSpec::Reader spec) {
  auto policy = text(spec.getRestartPolicy());
  if (policy != "Always")
    not_supported(causes, "spec.template.spec.restartPolicy", policy, {"Always"});
}

// The replica-set shaped kinds' shared template rules (ValidatePodTemplateSpecForReplicaSet).
void check_replicated_template(Causes& causes, k8s::PodTemplateSpec::Reader pod_template) {
  check_pod_template(causes, pod_template);
  check_restarts_always(causes, pod_template.getSpec());
  if (pod_template.getSpec().hasActiveDeadlineSeconds())
    forbidden(causes, "spec.template.spec.activeDeadlineSeconds",
              "activeDeadlineSeconds in ReplicaSet is not Supported");
}

// ValidatePositiveIntOrPercent then IsNotMoreThan100Percent of a rolling update's two bounds.
void check_rolling_bounds(Causes& causes, const std::string& path, k8s::RollingUpdate::Reader ru,
                          bool cap_surge) {
  check_int_or_percent(causes, path + ".maxUnavailable", ru.getMaxUnavailable());
  check_int_or_percent(causes, path + ".maxSurge", ru.getMaxSurge());
  check_at_most_100_percent(causes, path + ".maxUnavailable", ru.getMaxUnavailable());
  if (cap_surge) check_at_most_100_percent(causes, path + ".maxSurge", ru.getMaxSurge());
}

void set_rolling_defaults(k8s::RollingUpdate::Builder ru, bool percent, int unavailable,
                          int surge) {
  if (!ru.hasMaxUnavailable()) {
    if (percent)
      ru.initMaxUnavailable().setStrVal(std::to_string(unavailable) + "%");
    else
      ru.initMaxUnavailable().setIntVal(unavailable);
  }
  if (!ru.hasMaxSurge()) {
    if (percent)
      ru.initMaxSurge().setStrVal(std::to_string(surge) + "%");
    else
      ru.initMaxSurge().setIntVal(surge);
  }
}

void check_optional_non_negative(Causes& causes, const std::string& field, bool has,
                                 std::int64_t value) {
  if (has) check_non_negative(causes, field, value);
}

std::string int_or_string_text(k8s::IntOrString::Reader value) {
  return value.isIntVal() ? std::to_string(value.getIntVal()) : text(value.getStrVal());
}

// The wide columns of every kind with a template: CONTAINERS IMAGES SELECTOR.
std::vector<TableColumn> template_wide_columns() {
  return {{"Containers", "string", "", "Names of each container in the template.", 1},
          {"Images", "string", "", "Images referenced by each container in the template.", 1},
          {"Selector", "string", "", "Label selector for pods.", 1}};
}

nlohmann::json template_wide_cells(k8s::PodTemplateSpec::Reader pod_template,
                                   const std::string& selector) {
  auto cells = container_cells(pod_template.getSpec());
  return nlohmann::json::array({cells.names, cells.images, selector});
}

// What kube's strategies clear on create: status is the controllers' to write.
template <class T>
void clear_status(ObjectBuilder object) {
  object.as<T>().disownStatus();
}

}  // namespace

// ---- Deployment ----

static void deployment_defaults(ObjectBuilder object) {
  auto spec = object.as<k8s::Deployment>().getSpec();
  if (!spec.hasReplicas()) spec.initReplicas().setValue(1);
  auto strategy = spec.getStrategy();
  if (strategy.getType().size() == 0) strategy.setType("RollingUpdate");
  if (text(strategy.getType()) == "RollingUpdate")
    set_rolling_defaults(strategy.getRollingUpdate(), true, 25, 25);
  if (!spec.hasRevisionHistoryLimit()) spec.initRevisionHistoryLimit().setValue(10);
  if (!spec.hasProgressDeadlineSeconds()) spec.initProgressDeadlineSeconds().setValue(600);
  pod_spec_defaults(spec.getTemplate().getSpec());
}

// ValidateDeploymentStrategy and ValidateRollingUpdateDeployment.
static void check_deployment_strategy(Causes& causes, k8s::Deployment::Strategy::Reader strategy) {
  auto type = text(strategy.getType());
  if (type == "Recreate") {
    if (strategy.hasRollingUpdate())
      forbidden(causes, "spec.strategy.rollingUpdate",
                "may not be specified when strategy `type` is 'Recreate'");
  } else if (type == "RollingUpdate") {
    if (!strategy.hasRollingUpdate()) {
      required(causes, "spec.strategy.rollingUpdate", "this should be defaulted and never be nil");
      return;
    }
    auto ru = strategy.getRollingUpdate();
    check_rolling_bounds(causes, "spec.strategy.rollingUpdate", ru, false);
    if (int_or_percent_value(ru.getMaxUnavailable()) == 0 &&
        int_or_percent_value(ru.getMaxSurge()) == 0)
      invalid_go(causes, "spec.strategy.rollingUpdate.maxUnavailable",
                 go_int_or_string(ru.getMaxUnavailable()), "may not be 0 when `maxSurge` is 0");
  } else {
    not_supported(causes, "spec.strategy", type, {"Recreate", "RollingUpdate"});
  }
}

static void validate_deployment(ObjectReader object, const ObjectReader* old, Causes& causes) {
  auto spec = object.as<k8s::Deployment>().getSpec();
  check_non_negative(causes, "spec.replicas", spec.getReplicas().getValue());
  check_workload_selector(causes, "deployment", spec.hasSelector(), spec.getSelector(),
                          spec.getTemplate());
  check_replicated_template(causes, spec.getTemplate());
  check_deployment_strategy(causes, spec.getStrategy());
  check_non_negative(causes, "spec.minReadySeconds", spec.getMinReadySeconds());
  check_optional_non_negative(causes, "spec.revisionHistoryLimit", spec.hasRevisionHistoryLimit(),
                              spec.getRevisionHistoryLimit().getValue());
  if (spec.hasProgressDeadlineSeconds()) {
    auto deadline = spec.getProgressDeadlineSeconds().getValue();
    check_non_negative(causes, "spec.progressDeadlineSeconds", deadline);
    if (deadline <= spec.getMinReadySeconds())
      invalid(causes, "spec.progressDeadlineSeconds", deadline,
              "must be greater than minReadySeconds");
  }
  if (old == nullptr) return;
  auto was = old->as<k8s::Deployment>().getSpec();
  check_selector_unchanged(causes, spec.hasSelector(), spec.getSelector(), was.hasSelector(),
                           was.getSelector());
}

Kind deployment_kind() {
  Kind k;
  k.schema = capnp::Schema::from<k8s::Deployment>();
  k.uses_generation = true;
  k.annotations_bump_generation = true;
  k.defaults = deployment_defaults;
  k.on_create = clear_status<k8s::Deployment>;
  k.validate = validate_deployment;
  k.columns = {{"Ready", "string", "", "Number of the pod with ready state"},
               {"Up-to-date", "string", "",
                "Total number of non-terminated pods targeted by "
                "this deployment that have the desired template "
                "spec."},
               {"Available", "string", "",
                "Total number of available pods (ready for at least "
                "minReadySeconds) targeted by this deployment."}};
  k.wide_columns = template_wide_columns();
  k.cells = [](ObjectReader o, std::int64_t) {
    auto d = o.as<k8s::Deployment>();
    auto status = d.getStatus();
    return nlohmann::json::array({std::to_string(status.getReadyReplicas()) + "/" +
                                      std::to_string(d.getSpec().getReplicas().getValue()),
                                  status.getUpdatedReplicas(), status.getAvailableReplicas()});
  };
  k.wide_cells = [](ObjectReader o, std::int64_t) {
    // printDeployment prints the selector without FormatLabelSelector's "<none>".
    auto spec = o.as<k8s::Deployment>().getSpec();
    auto parsed = selector_of(spec.getSelector());
    return template_wide_cells(spec.getTemplate(), parsed ? parsed->to_string() : "<invalid>");
  };
  return k;
}

// ---- ReplicaSet ----

static void validate_replicaset(ObjectReader object, const ObjectReader* old, Causes& causes) {
  auto spec = object.as<k8s::ReplicaSet>().getSpec();
  check_non_negative(causes, "spec.replicas", spec.getReplicas().getValue());
  check_non_negative(causes, "spec.minReadySeconds", spec.getMinReadySeconds());
  check_workload_selector(causes, "deployment", spec.hasSelector(), spec.getSelector(),
                          spec.getTemplate());
  check_replicated_template(causes, spec.getTemplate());
  if (old == nullptr) return;
  auto was = old->as<k8s::ReplicaSet>().getSpec();
  check_selector_unchanged(causes, spec.hasSelector(), spec.getSelector(), was.hasSelector(),
                           was.getSelector());
}

Kind replicaset_kind() {
  Kind k;
  k.schema = capnp::Schema::from<k8s::ReplicaSet>();
  k.uses_generation = true;
  k.zero_fields = {"status.replicas"};  // ReplicaSetStatus.Replicas has no omitempty
  k.defaults = [](ObjectBuilder object) {
    auto spec = object.as<k8s::ReplicaSet>().getSpec();
    if (!spec.hasReplicas()) spec.initReplicas().setValue(1);
    pod_spec_defaults(spec.getTemplate().getSpec());
  };
  k.on_create = clear_status<k8s::ReplicaSet>;
  k.validate = validate_replicaset;
  k.columns = {{"Desired", "integer", "", "Replicas is the number of desired pods."},
               {"Current", "integer", "",
                "Replicas is the most recently observed number of "
                "replicas."},
               {"Ready", "integer", "", "The number of ready replicas for this replica set."}};
  k.wide_columns = template_wide_columns();
  k.cells = [](ObjectReader o, std::int64_t) {
    auto rs = o.as<k8s::ReplicaSet>();
    return nlohmann::json::array({rs.getSpec().getReplicas().getValue(),
                                  rs.getStatus().getReplicas(), rs.getStatus().getReadyReplicas()});
  };
  k.wide_cells = [](ObjectReader o, std::int64_t) {
    auto spec = o.as<k8s::ReplicaSet>().getSpec();
    return template_wide_cells(spec.getTemplate(), format_label_selector(spec.getSelector()));
  };
  k.fields["status.replicas"] = [](ObjectReader o) {
    return std::to_string(o.as<k8s::ReplicaSet>().getStatus().getReplicas());
  };
  return k;
}

// ---- DaemonSet ----

static void daemonset_defaults(ObjectBuilder object) {
  auto spec = object.as<k8s::DaemonSet>().getSpec();
  auto strategy = spec.getUpdateStrategy();
  if (strategy.getType().size() == 0) strategy.setType("RollingUpdate");
  if (text(strategy.getType()) == "RollingUpdate")
    set_rolling_defaults(strategy.getRollingUpdate(), false, 1, 0);
  if (!spec.hasRevisionHistoryLimit()) spec.initRevisionHistoryLimit().setValue(10);
  pod_spec_defaults(spec.getTemplate().getSpec());
}

// ValidateDaemonSetUpdateStrategy and ValidateRollingUpdateDaemonSet: exactly one of
// maxUnavailable and maxSurge is non-zero.
static void check_daemonset_strategy(Causes& causes,
                                     k8s::DaemonSet::UpdateStrategy::Reader strategy) {
  auto type = text(strategy.getType());
  if (type == "OnDelete") return;
  if (type != "RollingUpdate") {
    not_supported(causes, "spec.updateStrategy", type, {"RollingUpdate", "OnDelete"});
    return;
  }
  if (!strategy.hasRollingUpdate()) {
    required(causes, "spec.updateStrategy.rollingUpdate");
    return;
  }
  auto ru = strategy.getRollingUpdate();
  check_rolling_bounds(causes, "spec.updateStrategy.rollingUpdate", ru, true);
  bool unavailable = int_or_percent_value(ru.getMaxUnavailable()) != 0;
  bool surge = int_or_percent_value(ru.getMaxSurge()) != 0;
  if (unavailable && surge)
    invalid_go(causes, "spec.updateStrategy.rollingUpdate.maxSurge",
               go_int_or_string(ru.getMaxSurge()),
               "may not be set when maxUnavailable is non-zero");
  if (!unavailable && !surge)
    required(causes, "spec.updateStrategy.rollingUpdate.maxUnavailable",
             "cannot be 0 when maxSurge is 0");
}

static void validate_daemonset(ObjectReader object, const ObjectReader* old, Causes& causes) {
  auto spec = object.as<k8s::DaemonSet>().getSpec();
  check_workload_selector(causes, "daemonset", spec.hasSelector(), spec.getSelector(),
                          spec.getTemplate());
  check_pod_template(causes, spec.getTemplate());
  check_restarts_always(causes, spec.getTemplate().getSpec());
  auto pod_spec = spec.getTemplate().getSpec();
  if (pod_spec.hasActiveDeadlineSeconds())
    invalid(causes, "spec.template.spec.activeDeadlineSeconds",
            pod_spec.getActiveDeadlineSeconds().getValue(),
            "activeDeadlineSeconds must be nil for daemons");
  check_non_negative(causes, "spec.minReadySeconds", spec.getMinReadySeconds());
  check_daemonset_strategy(causes, spec.getUpdateStrategy());
  check_optional_non_negative(causes, "spec.revisionHistoryLimit", spec.hasRevisionHistoryLimit(),
                              spec.getRevisionHistoryLimit().getValue());
  if (old == nullptr) return;
  auto was = old->as<k8s::DaemonSet>().getSpec();
  check_selector_unchanged(causes, spec.hasSelector(), spec.getSelector(), was.hasSelector(),
                           was.getSelector());
}

Kind daemonset_kind() {
  Kind k;
  k.schema = capnp::Schema::from<k8s::DaemonSet>();
  k.uses_generation = true;
  k.zero_fields = {"status.currentNumberScheduled", "status.numberMisscheduled",
                   "status.desiredNumberScheduled", "status.numberReady"};  // no omitempty
  k.defaults = daemonset_defaults;
  k.on_create = clear_status<k8s::DaemonSet>;
  k.validate = validate_daemonset;
  k.columns = {{"Desired", "integer", "",
                "The total number of nodes that should be running the daemon "
                "pod."},
               {"Current", "integer", "",
                "The number of nodes that are running at least 1 daemon pod and "
                "are supposed to run the daemon pod."},
               {"Ready", "integer", "",
                "The number of nodes that should be running the daemon pod and "
                "have one or more of the daemon pod running and ready."},
               {"Up-to-date", "integer", "",
                "The total number of nodes that are running updated daemon "
                "pod"},
               {"Available", "integer", "",
                "The number of nodes that should be running the daemon pod "
                "and have one or more of the daemon pod running and available "
                "(ready for at least spec.minReadySeconds)"},
               {"Node Selector", "string", "",
                "NodeSelector is a selector which must be true for the pod "
                "to fit on a node."}};
  k.wide_columns = template_wide_columns();
  k.cells = [](ObjectReader o, std::int64_t) {
    auto ds = o.as<k8s::DaemonSet>();
    auto s = ds.getStatus();
    return nlohmann::json::array(
        {s.getDesiredNumberScheduled(), s.getCurrentNumberScheduled(), s.getNumberReady(),
         s.getUpdatedNumberScheduled(), s.getNumberAvailable(),
         format_labels(as_map(ds.getSpec().getTemplate().getSpec().getNodeSelector()))});
  };
  k.wide_cells = [](ObjectReader o, std::int64_t) {
    auto spec = o.as<k8s::DaemonSet>().getSpec();
    return template_wide_cells(spec.getTemplate(), format_label_selector(spec.getSelector()));
  };
  return k;
}

// ---- Job ----

namespace {

// The labels a Job's generated selector is made of (batch/v1 types.go), and their pre-1.27
// names, still set and checked.
constexpr const char* kControllerUid = "batch.kubernetes.io/controller-uid";
constexpr const char* kJobName = "batch.kubernetes.io/job-name";
constexpr const char* kLegacyControllerUid = "controller-uid";
constexpr const char* kLegacyJobName = "job-name";
// Indexed Jobs' cap on parallelism (it bounds status.completedIndexes).
constexpr std::int32_t kIndexedParallelismMax = 100000;

bool manual_selector(k8s::Job::Spec::Reader spec) {
  return spec.hasManualSelector() && spec.getManualSelector().getValue();
}

bool is_indexed(k8s::Job::Spec::Reader spec) {
  return text(spec.getCompletionMode()) == "Indexed";
}

// The Job strategy's generateSelector: the template is labelled with the job's uid and name
// (labels the user already set are left for validation to judge) and the selector picks the
// uid label, so a Job's pods are its own.
void generate_selector(k8s::Job::Builder job) {
  auto uid = text(job.getMetadata().getUid());
  auto name = text(job.getMetadata().getName());
  auto spec = job.getSpec();
  auto pod_meta = spec.getTemplate().getMetadata();
  auto labels = as_map(pod_meta.getLabels());
  labels.emplace(kLegacyJobName, name);
  labels.emplace(kJobName, name);
  labels.emplace(kLegacyControllerUid, uid);
  labels.emplace(kControllerUid, uid);
  set_map(pod_meta.initLabels(), labels);
  auto selector = spec.getSelector();
  auto match = as_map(selector.getMatchLabels());
  match.emplace(kControllerUid, uid);
  set_map(selector.initMatchLabels(), match);
}

// ValidateHasLabel.
void check_has_label(Causes& causes, const std::map<std::string, std::string>& labels,
                     const std::string& key, const std::string& expected) {
  auto field = "spec.template.metadata.labels[" + key + "]";
  auto it = labels.find(key);
  if (it == labels.end())
    required(causes, field, expected);
  else if (it->second != expected)
    invalid_go(causes, field, go_string_map(labels), "must be '" + expected + "'");
}

// validateGeneratedSelector: unless the selector is manual, the generated labels are on the
// template and the selector picks them.
void check_generated_selector(Causes& causes, k8s::Job::Reader job) {
  auto spec = job.getSpec();
  if (manual_selector(spec) || !spec.hasSelector()) return;
  auto uid = text(job.getMetadata().getUid());
  auto name = text(job.getMetadata().getName());
  if (uid.empty()) required(causes, "metadata.uid");
  auto labels = as_map(spec.getTemplate().getMetadata().getLabels());
  check_has_label(causes, labels, kLegacyControllerUid, uid);
  check_has_label(causes, labels, kLegacyJobName, name);
  check_has_label(causes, labels, kControllerUid, uid);
  check_has_label(causes, labels, kJobName, name);
  Labels expected = {
      {kControllerUid, uid}, {kJobName, name}, {kLegacyControllerUid, uid}, {kLegacyJobName, name}};
  auto parsed = selector_of(spec.getSelector());
  if (parsed && !parsed->matches(expected))
    invalid_go(causes, "spec.selector", go_label_selector(spec.getSelector()),
               "`selector` not auto-generated");
}

void check_job_counts(Causes& causes, k8s::Job::Spec::Reader spec) {
  check_optional_non_negative(causes, "spec.parallelism", spec.hasParallelism(),
                              spec.getParallelism().getValue());
  check_optional_non_negative(causes, "spec.completions", spec.hasCompletions(),
                              spec.getCompletions().getValue());
  check_optional_non_negative(causes, "spec.activeDeadlineSeconds", spec.hasActiveDeadlineSeconds(),
                              spec.getActiveDeadlineSeconds().getValue());
  check_optional_non_negative(causes, "spec.backoffLimit", spec.hasBackoffLimit(),
                              spec.getBackoffLimit().getValue());
  check_optional_non_negative(causes, "spec.ttlSecondsAfterFinished",
                              spec.hasTtlSecondsAfterFinished(),
                              spec.getTtlSecondsAfterFinished().getValue());
  auto mode = text(spec.getCompletionMode());
  check_enum(causes, "spec.completionMode", mode, {"NonIndexed", "Indexed"});
  if (mode != "Indexed") return;
  if (!spec.hasCompletions())
    required(causes, "spec.completions", "when completion mode is Indexed");
  if (spec.hasParallelism() && spec.getParallelism().getValue() > kIndexedParallelismMax)
    invalid(causes, "spec.parallelism", spec.getParallelism().getValue(),
            "must be less than or equal to 100000 when completion mode is Indexed");
}

// ValidateJobSpec: counts, the selector and the template, whose pods must not restart for ever.
void check_job_spec(Causes& causes, k8s::Job::Spec::Reader spec) {
  check_job_counts(causes, spec);
  check_pod_template(causes, spec.getTemplate());
  auto policy = text(spec.getTemplate().getSpec().getRestartPolicy());
  auto policy_field = "spec.template.spec.restartPolicy";
  if (policy == "Always" || policy.empty())
    required(causes, policy_field, "valid values: \"OnFailure\", \"Never\"");
  else if (policy != "OnFailure" && policy != "Never")
    not_supported(causes, policy_field, policy, {"OnFailure", "Never"});
  if (!spec.hasSelector())
    required(causes, "spec.selector");
  else
    check_label_selector(causes, "spec.selector", spec.getSelector());
  auto parsed = selector_of(spec.getSelector());
  auto labels = as_map(spec.getTemplate().getMetadata().getLabels());
  if (parsed && (!spec.hasSelector() || !parsed->matches(labels)))
    invalid_go(causes, "spec.template.metadata.labels", go_string_map(labels),
               "`selector` does not match template `labels`");
}

// Indexed pods are named <job>-<index>: the last one must still be a DNS label.
void check_indexed_name(Causes& causes, k8s::Job::Reader job) {
  auto spec = job.getSpec();
  if (!is_indexed(spec) || !spec.hasCompletions() || spec.getCompletions().getValue() <= 0) return;
  auto name = text(job.getMetadata().getName());
  auto last = name + "-" + std::to_string(spec.getCompletions().getValue() - 1);
  if (!check_dns1123_label(last).empty())
    invalid(causes, "metadata.name", name,
            "will not able to create pod with invalid DNS label: " + last);
}

// A template as JSON, to compare two (what a client sees is what must not change).
std::string template_json(k8s::PodTemplateSpec::Reader pod_template) {
  static const KubeJson codec;
  return codec.encode(capnp::toDynamic(pod_template));
}

// validatePodTemplateUpdate: a Job's template is immutable, except that a suspended Job that
// never started may change its scheduling directives (node selector and affinity, tolerations)
// and the template's labels and annotations.
void check_job_template_unchanged(Causes& causes, k8s::Job::Reader job, k8s::Job::Reader was) {
  auto now = job.getSpec().getTemplate();
  capnp::MallocMessageBuilder message;
  message.setRoot(was.getSpec().getTemplate());
  auto then = message.getRoot<k8s::PodTemplateSpec>();
  bool suspended = was.getSpec().hasSuspend() && was.getSpec().getSuspend().getValue();
  if (suspended && was.getStatus().getStartTime().size() == 0) {
    auto spec = then.getSpec();
    auto meta = then.getMetadata();
    // Copied as they are, absent included (an absent field set from its default is present).
    if (now.getSpec().hasNodeSelector())
      spec.setNodeSelector(now.getSpec().getNodeSelector());
    else
      spec.disownNodeSelector();
    if (now.getSpec().hasTolerations())
      spec.setTolerations(now.getSpec().getTolerations());
    else
      spec.disownTolerations();
    if (now.getMetadata().hasLabels())
      meta.setLabels(now.getMetadata().getLabels());
    else
      meta.disownLabels();
    if (now.getMetadata().hasAnnotations())
      meta.setAnnotations(now.getMetadata().getAnnotations());
    else
      meta.disownAnnotations();
    if (now.getSpec().hasAffinity()) {
      spec.getAffinity().setNodeAffinity(now.getSpec().getAffinity().getNodeAffinity());
      if (!now.getSpec().getAffinity().hasNodeAffinity()) spec.getAffinity().disownNodeAffinity();
    } else if (spec.hasAffinity()) {
      spec.getAffinity().disownNodeAffinity();
      auto left = spec.getAffinity();
      if (!left.hasPodAffinity() && !left.hasPodAntiAffinity()) spec.disownAffinity();
    }
  }
  if (template_json(now) != template_json(then.asReader()))
    invalid_go(causes, "spec.template", "core.PodTemplateSpec{...}", "field is immutable");
}

// ValidateJobSpecUpdate: selector, template and completion mode are fixed; completions too,
// but for Indexed Jobs, which may change them together with parallelism.
void check_job_update(Causes& causes, k8s::Job::Reader job, k8s::Job::Reader was) {
  auto spec = job.getSpec();
  auto old = was.getSpec();
  bool same_completions = spec.hasCompletions() == old.hasCompletions() &&
                          spec.getCompletions().getValue() == old.getCompletions().getValue();
  if (!same_completions && !is_indexed(spec)) {
    auto shown = spec.hasCompletions() ? std::to_string(spec.getCompletions().getValue()) : "null";
    invalid_go(causes, "spec.completions", shown, "field is immutable");
  } else if (!same_completions && spec.hasCompletions() &&
             spec.getCompletions().getValue() != spec.getParallelism().getValue()) {
    invalid(causes, "spec.completions", spec.getCompletions().getValue(),
            "can only be modified in tandem with spec.parallelism");
  }
  check_selector_unchanged(causes, spec.hasSelector(), spec.getSelector(), old.hasSelector(),
                           old.getSelector());
  check_job_template_unchanged(causes, job, was);
  if (spec.getCompletionMode() != old.getCompletionMode())
    invalid(causes, "spec.completionMode", text(spec.getCompletionMode()), "field is immutable");
}

// printJob's STATUS: the first of Complete, Failed, Terminating, Suspended, FailureTarget
// that holds, else Running.
std::string job_status(k8s::Job::Reader job) {
  auto holds = [&](const char* type) {
    for (auto c : job.getStatus().getConditions())
      if (c.getType() == type) return text(c.getStatus()) == "True";
    return false;
  };
  if (holds("Complete")) return "Complete";
  if (holds("Failed")) return "Failed";
  if (job.getMetadata().getDeletionTimestamp().size() > 0) return "Terminating";
  if (holds("Suspended")) return "Suspended";
  if (holds("FailureTarget")) return "FailureTarget";
  return "Running";
}

// printJob's COMPLETIONS: "succeeded/completions", "succeeded/1 of parallelism" for a work
// queue run in parallel, else "succeeded/1".
std::string job_completions(k8s::Job::Reader job) {
  auto spec = job.getSpec();
  auto done = std::to_string(job.getStatus().getSucceeded());
  if (spec.hasCompletions()) return done + "/" + std::to_string(spec.getCompletions().getValue());
  auto parallelism = spec.getParallelism().getValue();
  if (parallelism > 1) return done + "/1 of " + std::to_string(parallelism);
  return done + "/1";
}

// printJob's DURATION: from start to completion, or to now while running; empty before start.
std::string job_duration(k8s::Job::Reader job, std::int64_t now_seconds) {
  auto start = parse_rfc3339(text(job.getStatus().getStartTime()));
  if (!start) return "";
  auto end = parse_rfc3339(text(job.getStatus().getCompletionTime()));
  return human_duration(end ? *end - *start : now_seconds - *start);
}

}  // namespace

static void job_defaults(ObjectBuilder object) {
  auto job = object.as<k8s::Job>();
  auto spec = job.getSpec();
  if (!spec.hasCompletions() && !spec.hasParallelism()) spec.initCompletions().setValue(1);
  if (!spec.hasParallelism()) spec.initParallelism().setValue(1);
  if (!spec.hasBackoffLimit()) spec.initBackoffLimit().setValue(6);
  // A Job without labels of its own takes its template's.
  auto pod_labels = as_map(spec.getTemplate().getMetadata().getLabels());
  if (!pod_labels.empty() && job.getMetadata().getLabels().getEntries().size() == 0)
    set_map(job.getMetadata().initLabels(), pod_labels);
  if (spec.getCompletionMode().size() == 0) spec.setCompletionMode("NonIndexed");
  if (!spec.hasSuspend()) spec.initSuspend().setValue(false);
  pod_spec_defaults(spec.getTemplate().getSpec());
}

static void validate_job(ObjectReader object, const ObjectReader* old, Causes& causes) {
  auto job = object.as<k8s::Job>();
  check_generated_selector(causes, job);
  check_job_spec(causes, job.getSpec());
  check_indexed_name(causes, job);
  if (old != nullptr) check_job_update(causes, job, old->as<k8s::Job>());
}

Kind job_kind() {
  Kind k;
  k.schema = capnp::Schema::from<k8s::Job>();
  k.uses_generation = true;
  k.defaults = job_defaults;
  k.on_create = [](ObjectBuilder object) {
    auto job = object.as<k8s::Job>();
    job.disownStatus();
    if (!manual_selector(job.getSpec().asReader())) generate_selector(job);
  };
  k.validate = validate_job;
  k.columns = {{"Status", "string", "", "Status of the job."},
               {"Completions", "string", "", "The number of pods which reached phase Succeeded."},
               {"Duration", "string", "", "Time required to complete the job."}};
  k.wide_columns = template_wide_columns();
  k.cells = [](ObjectReader o, std::int64_t now_seconds) {
    auto job = o.as<k8s::Job>();
    return nlohmann::json::array(
        {job_status(job), job_completions(job), job_duration(job, now_seconds)});
  };
  k.wide_cells = [](ObjectReader o, std::int64_t) {
    auto spec = o.as<k8s::Job>().getSpec();
    return template_wide_cells(spec.getTemplate(), format_label_selector(spec.getSelector()));
  };
  k.fields["status.successful"] = [](ObjectReader o) {
    return std::to_string(o.as<k8s::Job>().getStatus().getSucceeded());
  };
  return k;
}

// ---- PodDisruptionBudget ----

static void validate_poddisruptionbudget(ObjectReader object, const ObjectReader*, Causes& causes) {
  auto spec = object.as<k8s::PodDisruptionBudget>().getSpec();
  if (spec.hasMinAvailable() && spec.hasMaxUnavailable())
    invalid_go(causes, "spec", "policy.PodDisruptionBudgetSpec{...}",
               "minAvailable and maxUnavailable cannot be both set");
  if (spec.hasMinAvailable()) {
    check_int_or_percent(causes, "spec.minAvailable", spec.getMinAvailable());
    check_at_most_100_percent(causes, "spec.minAvailable", spec.getMinAvailable());
  }
  if (spec.hasMaxUnavailable()) {
    check_int_or_percent(causes, "spec.maxUnavailable", spec.getMaxUnavailable());
    check_at_most_100_percent(causes, "spec.maxUnavailable", spec.getMaxUnavailable());
  }
  check_label_selector(causes, "spec.selector", spec.getSelector());
  check_enum(causes, "spec.unhealthyPodEvictionPolicy", text(spec.getUnhealthyPodEvictionPolicy()),
             {"AlwaysAllow", "IfHealthyBudget"});
}

Kind poddisruptionbudget_kind() {
  Kind k;
  k.schema = capnp::Schema::from<k8s::PodDisruptionBudget>();
  k.uses_generation = true;
  k.on_create = clear_status<k8s::PodDisruptionBudget>;
  k.zero_fields = {"status.currentHealthy", "status.desiredHealthy", "status.disruptionsAllowed",
                   "status.expectedPods"};
  k.validate = validate_poddisruptionbudget;
  k.columns = {
      {"Min Available", "string", "", "The minimum number of pods that must be available."},
      {"Max Unavailable", "string", "", "The maximum number of pods that may be unavailable."},
      {"Allowed Disruptions", "integer", "",
       "Calculated number of pods that may be disrupted at this time."}};
  k.cells = [](ObjectReader o, std::int64_t) {
    auto pdb = o.as<k8s::PodDisruptionBudget>();
    auto spec = pdb.getSpec();
    return nlohmann::json::array(
        {spec.hasMinAvailable() ? int_or_string_text(spec.getMinAvailable()) : "N/A",
         spec.hasMaxUnavailable() ? int_or_string_text(spec.getMaxUnavailable()) : "N/A",
         pdb.getStatus().getDisruptionsAllowed()});
  };
  return k;
}

}  // namespace craton::api
