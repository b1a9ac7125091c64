// The one JSON form of workload records (docs/research.md "Workload format"): each record is
// one object with a "kind", fields named with their units, empty optional fields left out.
// `canonical_line` is the form the writer prints and the hash covers: nlohmann's dump of the
// object, keys sorted, no spaces, so equal records give equal bytes.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "runtime/result.hpp"
#include "sim/workload/workload.hpp"

namespace craton::workload {

nlohmann::json header_to_json(const WorkloadHeader& header);
nlohmann::json record_to_json(const WorkloadRecord& record);

/// The canonical one-line text of a record (no newline).
std::string canonical_line(const WorkloadRecord& record);

/// A header object; an error names the bad field, and an unknown version is refused.
Result<WorkloadHeader> header_from_json(const nlohmann::json& j);

/// A Node, Pod or NodeEvent object; an error names the kind and the bad field.
Result<WorkloadRecord> record_from_json(const nlohmann::json& j);

std::string_view node_event_type_name(NodeEventType type);

}  // namespace craton::workload
