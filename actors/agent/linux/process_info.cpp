// process_info.hpp: /proc/<pid>/stat parsing and the wall clock.
#include "actors/agent/linux/process_info.hpp"

#include <unistd.h>

#include <chrono>
#include <sstream>
#include <vector>

#include "actors/agent/linux/state_files.hpp"

namespace craton::agent::linux_driver {
namespace {

/// Fields 3 to 22 of /proc/<pid>/stat (index 0: field 3, the state letter's place); the
/// command (field 2) may hold spaces and parentheses, so parsing starts after its last ')'.
bool read_stat(int pid, char& state, std::vector<std::int64_t>& fields) {
  auto text = read_file("/proc/" + std::to_string(pid) + "/stat", 64 * 1024);
  if (!text) return false;
  auto close = text->rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream in(text->substr(close + 1));
  in >> state;
  fields.assign(20, 0);
  for (int field = 4; field <= 22; ++field) in >> fields[field - 3];
  return static_cast<bool>(in);
}

bool read_stat(int pid, char& state, std::int64_t& start_ticks) {
  std::vector<std::int64_t> fields;
  if (!read_stat(pid, state, fields)) return false;
  start_ticks = fields[22 - 3];
  return true;
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

double process_cpu_ms(int pid) {
  if (pid <= 0) return -1;
  if (auto text = read_file("/proc/" + std::to_string(pid) + "/schedstat", 4096)) {
    std::istringstream in(text.value());
    double on_cpu_ns = 0;
    if (in >> on_cpu_ns) return on_cpu_ns / 1e6;
  }
  char state = 0;
  std::vector<std::int64_t> fields;
  if (pid <= 0 || !read_stat(pid, state, fields)) return -1;
  std::int64_t ticks = 0;
  for (int field = 14; field <= 17; ++field) ticks += fields[field - 3];
  return 1000.0 * static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
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
