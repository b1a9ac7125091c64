// Writes the research report of the hand-made runs (research_sample_runs.hpp: two policies, two
// seeds) into the folder given, for the browser test (research_report_browser_test.sh).
#include <iostream>

#include "sim/research/report_files.hpp"
#include "tests/sim/research_sample_runs.hpp"

int main(int argc, char** argv) {
  using namespace craton::research;
  if (argc != 2) {
    std::cerr << "usage: research_report_sample DIR\n";
    return 2;
  }
  auto runs = testing::sample_runs(2);
  std::vector<RunCost> costs(runs.size());
  CompareRecord record{"research_report_sample " + std::string(argv[1]),
                       "sample.jsonl",
                       "sha256:00ff",
                       {1, 2},
                       std::nullopt};
  auto status = check_report_dir(argv[1], false);
  if (status) status = write_report(argv[1], runs, costs, record);
  if (!status) {
    std::cerr << "research_report_sample: " << status.error().message << "\n";
    return 1;
  }
  return 0;
}
