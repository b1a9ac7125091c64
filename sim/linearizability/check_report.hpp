// How `craton check linearizable` shows a CheckResult: a text report for people (the verdict on
// the first line, then, when not linearizable, the failing window of the first failing key) and
// a JSON document with the same content for tools.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/linearizability/checker.hpp"

namespace craton::linearizability {

/// First line: `linearizable`, `not linearizable` or `unknown`; then details: whether the check
/// stopped early and which keys it did not check, then the failing keys. At most `keys_max`
/// keys of each list are named; the first failing key is shown in full.
std::string format_text(const CheckResult& result, std::size_t keys_max = 20);

/// {"verdict", "linearizable", "operations", "keys" (checked), "stopped_early",
/// "unchecked_keys": [...], "failing_keys": [...]} (see docs/linearizability.md).
nlohmann::json to_json(const CheckResult& result);

}  // namespace craton::linearizability
