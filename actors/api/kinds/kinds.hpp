// Kind: what the API server knows of one resource's objects beyond their metadata: its
// Cap'n Proto type, defaulting, Kubernetes' validation rules for it, the columns kubectl
// prints for it (kube-apiserver's table printers), and the fields a field selector may name.
// The generic handling every kind shares (names, labels, uid, resourceVersion, generation) is
// registry/object_meta.hpp; this is what differs.
//
// Each family of kinds has its file (config_kinds.cpp, pod_kind.cpp, cluster_kinds.cpp,
// workload_kinds.cpp; kind_factories.hpp lists them); pod_spec.hpp holds the rules pods and
// pod templates share, checks.hpp the pieces validation is made of.
#pragma once

#include <capnp/dynamic.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "actors/api/convert/string_map.hpp"
#include "actors/api/convert/zero_fields.hpp"
#include "actors/api/kinds/empty_texts.hpp"
#include "actors/api/meta/resources.hpp"
#include "actors/api/registry/object_meta.hpp"

namespace craton::api {

struct TableColumn {
  std::string name;
  std::string type = "string";  ///< string | integer | date
  std::string format;           ///< "name" for the Name column
  std::string description;
  int priority = 0;  ///< 1: only with `-o wide`
};

using ObjectReader = capnp::DynamicStruct::Reader;
using ObjectBuilder = capnp::DynamicStruct::Builder;

struct Kind {
  ResourceInfo info;
  capnp::StructSchema schema;
  bool name_is_dns_label = false;
  /// metadata.generation counts spec changes (workloads); other kinds leave it unset.
  bool uses_generation = false;
  /// A change of metadata.annotations counts as a spec change too (Deployments: kube's
  /// strategy bumps their generation, since rollbacks and change causes live there).
  bool annotations_bump_generation = false;
  /// Which TTL objects of this kind are stored with (kube's TTLFunc): the store deletes an
  /// object that long after its last create or update. Only Events have one: the API
  /// server's event_ttl_s (ApiServiceOptions, kube-apiserver's --event-ttl); the rest never
  /// expire.
  enum class Ttl { none, event_ttl };
  Ttl ttl = Ttl::none;
  /// Fills defaults in a decoded object, on create and on update.
  std::function<void(ObjectBuilder)> defaults;
  /// What is set only when an object is created (kube's PrepareForCreate), after `defaults`
  /// and once metadata has its uid: a Job's selector generated from its uid; workloads start
  /// with an empty status.
  std::function<void(ObjectBuilder)> on_create;
  /// Graceful deletion (kube's RESTGracefulDeleteStrategy.CheckGracefulDelete): the grace
  /// period in seconds a DELETE of `object` gets, given the DeleteOptions' gracePeriodSeconds
  /// (nullopt: not given). 0 deletes at once; more marks the object (deletionTimestamp = now +
  /// grace) and leaves its deletion to whoever finishes it (the pod's node agent). Unset: the
  /// kind's objects are deleted at once (finalizers aside).
  std::function<std::int64_t(ObjectReader object, std::optional<std::int64_t> requested)>
      grace_period_s;
  /// Kubernetes' rules for this kind; `old` is set on update.
  std::function<void(ObjectReader object, const ObjectReader* old, std::vector<StatusCause>&)>
      validate;
  /// Tables start with NAME and have AGE after `columns` (false: `columns` are the whole row,
  /// as for events).
  bool name_and_age = true;
  /// Columns after NAME: `columns` before AGE, `wide_columns` after it (those of priority 1
  /// only with `-o wide`; nodes' VERSION has priority 0).
  std::vector<TableColumn> columns;
  std::vector<TableColumn> wide_columns;
  /// One cell per column, given the time now in seconds (ages, durations).
  using Cells = std::function<nlohmann::json(ObjectReader, std::int64_t now_seconds)>;
  Cells cells;       ///< one per column
  Cells wide_cells;  ///< one per wide column
  /// Go fields without `omitempty`, as dotted paths: Kubernetes JSON always has them, but the
  /// converter leaves zeros out, so they are written as their zero (0, false, "") when absent
  /// (a PriorityClass of value 0, a new PodDisruptionBudget's status counts, a container's
  /// restartCount 0). "name[]" steps into each element of a list:
  /// "status.containerStatuses[].ready". Objects on the way are made when missing until the first
  /// list (object_codec.cpp).
  std::vector<std::string> zero_fields;
  /// Fields a field selector may name beyond metadata.name and metadata.namespace.
  std::map<std::string, std::function<std::string(ObjectReader)>> fields;
  /// Where the schema's texts are, for object_to_bytes (served_kinds() fills it in).
  std::shared_ptr<const EmptyTexts> empty_texts;
  /// zero_fields compiled for the encoder (served_kinds() fills them in with zeros_of()): as
  /// they are, and with metadata.deletionGracePeriodSeconds, which Kubernetes writes (0
  /// included) while an object is marked for deletion.
  std::shared_ptr<const ZeroFields> zeros, zeros_deleting;
};

/// `kind`'s zero_fields compiled (deleting: an object marked for deletion).
std::shared_ptr<const ZeroFields> zeros_of(const Kind& kind, bool deleting);

/// Every kind served, in resources.hpp's order.
const std::vector<Kind>& served_kinds();
/// The kind served for group/version/plural, or nullptr.
const Kind* find_kind(const std::string& group, const std::string& version,
                      const std::string& plural);

}  // namespace craton::api
