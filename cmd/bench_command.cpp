// Placeholder: the bench subcommand is being built; it reports that and fails.
#include <iostream>

#include "cmd/commands.hpp"

namespace craton::cmd {

void add_bench_command(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand("bench", "(not yet built)");
  sub->allow_extras();
  sub->callback([&exit_code] {
    std::cerr << "craton bench: not built yet\n";
    exit_code = 2;
  });
}

}  // namespace craton::cmd
