// Placeholder: the check subcommand is being built; it reports that and fails.
#include <iostream>

#include "cmd/commands.hpp"

namespace craton::cmd {

void add_check_command(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand("check", "(not yet built)");
  sub->allow_extras();
  sub->callback([&exit_code] {
    std::cerr << "craton check: not built yet\n";
    exit_code = 2;
  });
}

}  // namespace craton::cmd
