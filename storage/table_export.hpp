// TableExport: streams the named databases ("tables") of an LMDB environment out as bounded
// chunks, all read from ONE read transaction, so that a receiver that concatenates the chunks
// gets one consistent copy of every table as of the moment begin() was called. The store uses
// it to send a replica's whole MVCC state to a follower that fell behind (snapshot transfer).
//
// Promises:
// - Every named database except the excluded ones is exported, whatever its name: tables added
//   later (client sessions, leases, ...) travel without changes here. Only plain databases
//   (no DUPSORT or integer keys) are supported; others make begin() fail with "unsupported".
// - Chunks come in (table, key) order; next(after) returns the records strictly after `after`
//   (the empty position means the beginning), at least one record when any is left, and stops
//   once max_bytes is reached. `done` tells that nothing is left. Calling next() again with the
//   same position returns the same chunk, so a lost or duplicated request is harmless.
// - The encoding is self-describing and checked by decode_table_records(): a version byte,
//   then (table, key, value) triples, each length-prefixed.
// - The read transaction is held until the TableExport is destroyed: LMDB cannot reuse pages
//   while it lives, so the owner must bound its lifetime. It must not outlive the Environment.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/result.hpp"
#include "storage/lmdb_env.hpp"

namespace craton::storage {

/// A place in an export: after `key` of `table`. An empty table name is the beginning.
struct TablePosition {
  std::string table;
  std::string key;
  bool operator==(const TablePosition&) const = default;
};

/// One chunk of an export.
struct TableChunk {
  std::string records;    ///< encoded (table, key, value) triples
  std::size_t count = 0;  ///< records in this chunk
  TablePosition last;     ///< the last record in it (the position to ask for next)
  bool done = false;      ///< no record follows this chunk
};

/// Limits for decoding a chunk received from another replica.
inline constexpr std::size_t kTableNameMax = 64;  ///< as Environment::database() allows
inline constexpr std::size_t kTableKeyMax = 511;  ///< LMDB's default key size limit

/// The names of the environment's named databases, in byte order.
Result<std::vector<std::string>> list_tables(const Environment& env);

/// Decodes `records` (as TableChunk::records), calling `visit(table, key, value)` for each
/// triple in order. Returns "malformed" for a bad encoding, a table name that is empty or too
/// long, or an empty or too long key; nothing is visited past the first error, so callers that
/// must change nothing on bad input decode once without side effects first.
Status decode_table_records(
    std::string_view records,
    const std::function<Status(std::string_view, std::string_view, std::string_view)>& visit);

class TableExport {
 public:
  /// Begins an export of every named database of `env` not in `excluded`.
  static Result<TableExport> begin(Environment& env, const std::set<std::string>& excluded);

  TableExport(TableExport&&) noexcept = default;

  /// The records after `after`, up to about max_bytes of encoded records (one record may
  /// exceed it). "invalid" when `after` names a table that is not exported.
  Result<TableChunk> next(const TablePosition& after, std::size_t max_bytes) const;

  const std::vector<std::pair<std::string, Database>>& tables() const { return tables_; }

 private:
  TableExport(ReadTxn txn, std::vector<std::pair<std::string, Database>> tables)
      : txn_(std::move(txn)), tables_(std::move(tables)) {}

  ReadTxn txn_;
  std::vector<std::pair<std::string, Database>> tables_;  ///< by name, in byte order
};

}  // namespace craton::storage
