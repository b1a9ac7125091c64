// The last revision a simulated watcher delivered, persisted in its node's data directory so
// that a crash and restart of the node resumes the watch from there (the resumable guarantee,
// across incarnations). Used by the store watcher and the API watcher.
#pragma once

#include <cstdint>
#include <filesystem>

namespace craton::sim {

/// The revision stored at `path`, or 0 when there is none.
std::int64_t load_revision(const std::filesystem::path& path);
/// Stores `revision` at `path`, overwriting the fixed-width number in place.
void save_revision(const std::filesystem::path& path, std::int64_t revision);

}  // namespace craton::sim
