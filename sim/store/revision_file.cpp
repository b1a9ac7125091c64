// A watcher's persisted revision: one fixed-width decimal line.
#include "sim/store/revision_file.hpp"

#include <cstdio>
#include <fstream>

namespace craton::sim {

std::int64_t load_revision(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::int64_t rev = 0;
  if (in >> rev && rev > 0) return rev;
  return 0;
}

// Overwrites in place: truncating the file on every batch costs a synchronous discard on some
// filesystems (it made the store scenario three times slower).
void save_revision(const std::filesystem::path& path, std::int64_t revision) {
  char text[32];
  int n = std::snprintf(text, sizeof(text), "%020lld\n", static_cast<long long>(revision));
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  if (f) {
    f.write(text, n);
    return;
  }
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary).write(text, n);
}

}  // namespace craton::sim
