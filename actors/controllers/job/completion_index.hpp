// Indexed Jobs' completion indexes (Kubernetes' pkg/controller/job/indexed_job_utils.go), pure:
// how a pod carries its index, how a set of completed indexes is written in
// status.completedIndexes, and the template of the pod that runs one index.
//
// Promises: parse_completed_indexes never fails (as kube, a malformed or out-of-range part is
// skipped: the status is the controller's own writing, and a skipped index is only run again);
// format_completed_indexes(parse(x)) == x for every well-formed x; an indexed pod template
// differs from the Job's only in the index annotation and label, the JOB_COMPLETION_INDEX
// variable of each container and the hostname.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "schemas/api_pod.capnp.h"

namespace craton::controllers {

/// The annotation and label carrying an Indexed Job pod's index (batch/v1).
inline constexpr const char* kJobCompletionIndex = "batch.kubernetes.io/job-completion-index";
/// The environment variable each container of an indexed pod reads its index from.
inline constexpr const char* kJobCompletionIndexEnv = "JOB_COMPLETION_INDEX";

/// The indexes in kube's range syntax ("1,3-5"), those at or past `completions` dropped.
std::set<std::int32_t> parse_completed_indexes(std::string_view text, std::int32_t completions);

/// Sorted ranges of consecutive indexes joined by commas: {1,3,4,5} -> "1,3-5"; {} -> "".
std::string format_completed_indexes(const std::set<std::int32_t>& indexes);

/// A pod's completion index: its annotation (else its label) when it is a decimal number
/// below `completions`; nullopt otherwise (such a pod belongs to no index and is removed).
std::optional<std::int32_t> completion_index(schema::k8s::ObjectMeta::Reader meta,
                                             std::int32_t completions);

/// Turns `pod_template` (a copy the caller owns) into the template of index `index`'s pod:
/// the index annotation and label, JOB_COMPLETION_INDEX from the annotation (a fieldRef, as
/// kube adds it, unless the container defines the variable already) in every container and
/// init container, and hostname "<job>-<index>".
void make_indexed(schema::k8s::PodTemplateSpec::Builder pod_template, const std::string& job_name,
                  std::int32_t index);

}  // namespace craton::controllers
