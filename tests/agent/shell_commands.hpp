// Shell helpers for the agent's root tests that look at the host (ip, iptables, ls /proc):
// run() a command quietly and get its exit status, output_of() a command's stdout and stderr.
#pragma once

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace craton::agent::testing {

inline int run(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str());
}

inline std::string output_of(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen((command + " 2>&1").c_str(), "r"), ::pclose);
  if (!pipe) return out;
  std::array<char, 512> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe.get())) out += buffer.data();
  return out;
}

}  // namespace craton::agent::testing
