// Maps LMDB return codes to craton::Error values with a stable code and a readable message.
// Callers act on the codes: "no_space" (map or quota full), "not_found", "too_large" (a key or
// value LMDB refuses), "corrupt" (a record that does not decode), "storage" (anything else).
#pragma once

#include <string_view>

#include "runtime/result.hpp"

namespace craton::storage {

/// Error for LMDB return code `rc` (non-zero) raised while doing `what` ("open env", "put").
Error lmdb_error(int rc, std::string_view what);

/// Error for a stored record that fails to decode; `what` names the record.
Error corrupt_error(std::string_view what);

}  // namespace craton::storage
