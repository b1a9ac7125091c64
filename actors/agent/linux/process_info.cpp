// process_info.hpp: /proc/<pid>/stat parsing and the wall clock.
#include "actors/agent/linux/process_info.hpp"

#include <chrono>
#include <sstream>

#include "actors/agent/linux/state_files.hpp"

namespace craton::agent::linux_driver {
namespace {

/// State (field 3) and start time (field 22) of /proc/<pid>/stat; the command (field 2) may
/// hold spaces and parentheses, so parsing starts after its last ')'.
bool read_stat(int pid, char& state, std::int64_t& start_ticks) {
  auto text = read_file("/proc/" + std::to_string(pid) + "/stat", 64 * 1024);
  if (!text) return false;
  auto close = text->rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream in(text->substr(close + 1));
  in >> state;
  std::string skip;
  for (int field = 4; field < 22; ++field) in >> skip;
  in >> start_ticks;
  return static_cast<bool>(in);
}

}  // namespace

std::int64_t process_start_ticks(int pid) {
  char state = 0;
  std::int64_t ticks = -1;
  if (pid <= 0 || !read_stat(pid, state, ticks)) return -1;
  return ticks;
}

bool process_is(int pid, std::int64_t start_ticks) {
  char state = 0;
  std::int64_t ticks = -1;
  if (pid <= 0 || !read_stat(pid, state, ticks)) return false;
  return ticks == start_ticks && state != 'Z' && state != 'X';
}

std::int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t wall_clock_ns() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace craton::agent::linux_driver
