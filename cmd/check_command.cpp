// `craton check linearizable --model register|kv [--json] [--all-keys] [--search-limit N]
// HISTORY.jsonl`: checks a recorded history (format in docs/linearizability.md) with the
// linearizability checker. It stops at the first key proven not linearizable (the verdict is
// then known) unless --all-keys asks for every key; the report names the keys not checked.
// Exit codes: 0 linearizable, 1 not linearizable, 2 bad input or usage (one line on stderr),
// 3 undecided (the search reached its limits).
#include <charconv>
#include <cstdint>
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
  bool all_keys = false;
  std::string search_limit = std::to_string(lin::CheckLimits{}.steps_max);
};

constexpr std::uint64_t kSearchLimitMax = 1'000'000'000'000;  // far past any useful search

int fail_input(const std::string& message) {
  std::cerr << "craton check linearizable: " << message << "\n";
  return kExitBadInput;
}

Result<std::uint64_t> parse_search_limit(const std::string& text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v < 1 ||
      v > kSearchLimitMax)
    return Error{"bad_flag", "--search-limit must be a number of steps in 1.." +
                                 std::to_string(kSearchLimitMax) + ": '" + text + "'"};
  return v;
}

int run_linearizable(const LinearizableOptions& opts) {
  auto steps_max = parse_search_limit(opts.search_limit);
  if (!steps_max) return fail_input(steps_max.error().message);
  lin::CheckLimits limits;
  limits.steps_max = *steps_max;
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
  auto scope = opts.all_keys ? lin::KeyScope::all_keys : lin::KeyScope::until_first_violation;
  auto result = lin::check_history(history.value(), model.value(), limits, scope);
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
  lin_cmd->add_flag("--all-keys", opts->all_keys,
                    "search every key; by default the check stops at the first key proven not "
                    "linearizable and lists the keys it did not check");
  lin_cmd->add_option("--search-limit", opts->search_limit,
                      "search steps allowed per key before its verdict is 'unknown' (exit 3); "
                      "bounds time, and with it the memory of visited configurations (at most " +
                          std::to_string(lin::CheckLimits{}.cache_entries_max) +
                          " per key) (default " + opts->search_limit + ")");
  lin_cmd->add_option("history", opts->path, "the history, one JSON event per line");
  lin_cmd->callback([opts, &exit_code] { exit_code = run_linearizable(*opts); });
}

}  // namespace craton::cmd
