// SnapshotStaging: where a replica collects a snapshot received in chunks (see TableExport)
// before it replaces its own tables. The staged copy lives in a scratch LMDB environment of its
// own directory, so that a half-received snapshot never mixes with live data.
//
// Promises:
// - create() starts from an empty directory (whatever an earlier, interrupted transfer left
//   is removed first); discard() removes it. A replica calls discard() at open, so a crash in
//   the middle of a transfer leaves its old state exactly as it was.
// - add() checks a whole chunk before writing any of it: a malformed chunk, a table the caller
//   excluded (the Raft log's), or one table too many is an error and changes nothing.
// - install() replaces the target's tables with the staged ones in ONE write transaction of
//   the target: every table of the target not in `excluded` is emptied, then filled with the
//   staged records (tables present only in the snapshot are created). Either all of it is
//   committed or none of it.
// - The staging environment skips fsync: it is rebuilt from the sender after any crash.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "runtime/result.hpp"
#include "storage/lmdb_env.hpp"

namespace craton::storage {

struct StagingOptions {
  std::string path;                         ///< a directory of its own (removed and recreated)
  std::size_t map_size_bytes = 8ull << 30;  ///< the largest the staged copy may grow
  std::set<std::string> excluded;           ///< tables a snapshot must not carry
  std::size_t tables_max = 16;              ///< distinct tables a snapshot may carry
};

class SnapshotStaging {
 public:
  /// Removes anything at options.path and opens an empty staging environment there.
  static Result<SnapshotStaging> create(StagingOptions options);
  /// Removes the staging directory at `path` (nothing to do when it does not exist).
  static Status discard(const std::string& path);

  SnapshotStaging(SnapshotStaging&&) noexcept = default;
  SnapshotStaging& operator=(SnapshotStaging&&) noexcept = default;

  /// Stages one chunk's records (TableChunk::records), all or nothing.
  Status add(std::string_view records);

  /// Replaces every table of `target` except options.excluded with the staged tables, in one
  /// write transaction. The target must not be in a write transaction on this thread.
  Status install(Environment& target);

  std::uint64_t records() const { return records_; }
  std::uint64_t bytes() const { return bytes_; }
  const std::string& path() const { return options_.path; }

 private:
  SnapshotStaging(StagingOptions options, Environment env)
      : options_(std::move(options)), env_(std::move(env)) {}
  Status check(std::string_view records, std::set<std::string>& new_tables) const;

  StagingOptions options_;
  Environment env_;
  std::map<std::string, Database, std::less<>> tables_;  ///< staged tables by name
  std::uint64_t records_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace craton::storage
