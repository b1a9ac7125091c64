// Stand-in for run_research (research_run.hpp) until issue 15's research run lands: every call
// answers an Error, so `craton research compare` checks its inputs and says plainly that runs
// are not in this build. Delete this file (and its line in sim/CMakeLists.txt) when the real
// definition arrives.
#include "sim/research/research_run.hpp"

namespace craton::research {

Result<ResearchRunOutput> run_research(const ResearchRunOptions&) {
  return Error{"unavailable",
               "research runs are not in this build yet (issue 15: sim/research/research_run)"};
}

}  // namespace craton::research
