// Writing the research report's files (report_files.hpp).
#include "sim/research/report_files.hpp"

#include <fstream>

#include "sim/research/report_charts.hpp"
#include "sim/research/report_html.hpp"
#include "sim/research/run_figures.hpp"

namespace craton::research {
namespace {

namespace fs = std::filesystem;

Status write_file(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return Error{"io", "cannot create " + path.parent_path().string() + ": " + ec.message()};
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Error{"io", "cannot write " + path.string()};
  return Ok{};
}

std::vector<const RunResult*> runs_of(const std::vector<RunResult>& runs,
                                      const std::string& policy) {
  std::vector<const RunResult*> out;
  for (const auto& r : runs)
    if (r.run.policy == policy) out.push_back(&r);
  return out;
}

Status write_policy_files(const fs::path& dir, const std::vector<RunResult>& runs,
                          const std::string& policy) {
  auto mine = runs_of(runs, policy);
  if (auto ok = write_file(dir / policy / "timeseries.csv", timeseries_csv(mine)); !ok) return ok;
  return write_file(dir / policy / "pods.csv", pods_csv(mine));
}

}  // namespace

Status check_policy_name(const std::string& policy) {
  bool plain = !policy.empty() && policy.size() <= 100 && policy.front() != '.';
  for (char ch : policy)
    plain = plain &&
            (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.');
  if (!plain)
    return Error{"usage", "policy name \"" + policy +
                              "\" is not a plain name (letters, digits, '-', '_', '.')"};
  return Ok{};
}

Status check_report_dir(const fs::path& dir, bool force) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    return Error{"usage", dir.string() + " exists and is not a directory"};
  if (fs::is_directory(dir, ec) && !fs::is_empty(dir, ec) && !force)
    return Error{"usage", dir.string() + " is not empty (use --force to write into it)"};
  return Ok{};
}

Status write_report(const fs::path& dir, const std::vector<RunResult>& runs,
                    const std::vector<RunCost>& costs, const CompareRecord& record) {
  auto summaries = summarize_policies(runs);
  for (const auto& s : summaries)
    if (auto ok = check_policy_name(s.policy); !ok) return ok;
  auto charts = report_charts(runs, summaries);
  std::vector<std::pair<fs::path, std::string>> files = {
      {dir / "summary.json", summary_json(summaries)},
      {dir / "summary.csv", summary_csv(summaries)},
      {dir / "run.json", run_json(record, runs)},
      {dir / "cost.json", cost_json(runs, costs)},
      {dir / "index.html", report_html(summaries, charts, record, runs)},
  };
  for (const auto& chart : charts) files.push_back({dir / "charts" / chart.file, chart.svg});
  for (const auto& [path, text] : files)
    if (auto ok = write_file(path, text); !ok) return ok;
  for (const auto& s : summaries)
    if (auto ok = write_policy_files(dir, runs, s.policy); !ok) return ok;
  return Ok{};
}

}  // namespace craton::research
