// The JSON form of a transaction that `craton kv txn` reads from stdin, turned into a
// storage::TxnRequest. The reading is strict: every object may hold only the fields the format
// defines (a misspelled "sucess" or "valeu" is an error, not an empty branch or an empty
// value), fields have one JSON type each, and every operation and compare names its key. An
// error (code "bad_txn") names the field and where it is ("success[1].put: unknown field
// \"valeu\""), and nothing of a refused transaction is sent.
//
// The format (docs/store.md):
//   {"compare": [{"key": "k", "target": "value|version|create|mod|lease",
//                 "result": "=|!=|>|<", "value": "v" | "number": 3}],
//    "success": [{"put": {"key": "k", "value": "v", "lease": "694d...", "prev_kv": true}},
//                {"get": {"key": "k", "prefix": true}},
//                {"del": {"key": "k", "prefix": false, "prev_kv": true}}],
//    "failure": [ ...same operations... ]}
// A put's "lease" is a lease id: hex text as `craton lease grant` prints it, or a JSON number.
#pragma once

#include <string_view>

#include "runtime/result.hpp"
#include "storage/kv_types.hpp"

namespace craton::cmd {

/// Parses `text` (the whole stdin of `craton kv txn`). Error code "bad_txn".
Result<storage::TxnRequest> parse_txn_json(std::string_view text);

}  // namespace craton::cmd
