// `craton check linearizable --model register|kv [--json] HISTORY.jsonl`: checks a recorded
// history (format in docs/linearizability.md) with the linearizability checker.
// Exit codes: 0 linearizable, 1 not linearizable, 2 bad input or usage (one line on stderr),
// 3 undecided (the search reached its limits).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "cmd/commands.hpp"
#include "sim/linearizability/check_report.hpp"
#include "sim/linearizability/checker.hpp"

namespace craton::cmd {
namespace {

namespace lin = craton::linearizability;

constexpr int kExitLinearizable = 0;
constexpr int kExitNotLinearizable = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitUnknown = 3;

struct LinearizableOptions {
  std::string model;
  std::string path;
  bool json = false;
};

int fail_input(const std::string& message) {
  std::cerr << "craton check linearizable: " << message << "\n";
  return kExitBadInput;
}

int run_linearizable(const LinearizableOptions& opts) {
  if (opts.model.empty()) return fail_input("--model register|kv is required");
  auto model = lin::parse_model(opts.model);
  if (!model) return fail_input(model.error().message);
  if (opts.path.empty()) return fail_input("a HISTORY.jsonl file is required");
  std::error_code ec;
  if (std::filesystem::is_directory(opts.path, ec))
    return fail_input(opts.path + ": is a directory");
  std::ifstream file(opts.path, std::ios::binary);
  if (!file) return fail_input(opts.path + ": cannot open");
  auto history = lin::parse_history_jsonl(file);
  if (!history) return fail_input(opts.path + ": " + history.error().message);
  auto result = lin::check_history(history.value(), model.value());
  if (!result) return fail_input(opts.path + ": " + result.error().message);
  if (opts.json)
    std::cout << lin::to_json(result.value()).dump(2) << "\n";
  else
    std::cout << lin::format_text(result.value());
  switch (result->verdict) {
    case lin::Verdict::linearizable:
      return kExitLinearizable;
    case lin::Verdict::not_linearizable:
      return kExitNotLinearizable;
    case lin::Verdict::unknown:
      return kExitUnknown;
  }
  return kExitUnknown;
}

}  // namespace

void add_check_command(CLI::App& app, int& exit_code) {
  auto* check = app.add_subcommand("check", "Check recorded histories");
  check->require_subcommand(1);
  auto opts = std::make_shared<LinearizableOptions>();
  auto* lin_cmd =
      check->add_subcommand("linearizable",
                            "Check that a JSON-lines history of register or kv operations is "
                            "linearizable (exit 0 yes, 1 no, 2 bad input, 3 undecided)");
  // Validated in the callback rather than by CLI11 so that bad input always exits with 2.
  lin_cmd->add_option("--model", opts->model, "register or kv");
  lin_cmd->add_flag("--json", opts->json, "print the result as JSON");
  lin_cmd->add_option("history", opts->path, "the history, one JSON event per line");
  lin_cmd->callback([opts, &exit_code] { exit_code = run_linearizable(*opts); });
}

}  // namespace craton::cmd
