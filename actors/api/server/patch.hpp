// The three patch formats kubectl sends, applied to an object's JSON:
// - application/json-patch+json (RFC 6902: a list of operations; a failed `test` fails it),
// - application/merge-patch+json (RFC 7386: objects merge, null deletes, lists replace),
// - application/strategic-merge-patch+json (Kubernetes' own, what `kubectl apply`, `edit`,
//   `label` and `scale` send for built-in types): a merge patch in which lists of objects with
//   a merge key (containers by name, ports by containerPort or port, volumes by name, ...)
//   merge element by element, `$patch: delete|replace` directives remove or replace, and
//   `$deleteFromPrimitiveList/<field>` removes values from lists of strings such as
//   finalizers; `$setElementOrder/<field>` and `$retainKeys` are accepted and ignored (they
//   only reorder or prune what the patch already names).
// Errors are "bad_patch" (malformed, or an operation that cannot apply): a 422 or 400.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "runtime/result.hpp"

namespace craton::api {

enum class PatchType { json, merge, strategic };

/// The patch type of a request's Content-Type, or "unsupported_media_type".
Result<PatchType> patch_type(std::string_view content_type);

/// `original` with `patch` (the request body) applied.
Result<nlohmann::json> apply_patch(const nlohmann::json& original, std::string_view patch,
                                   PatchType type);

}  // namespace craton::api
