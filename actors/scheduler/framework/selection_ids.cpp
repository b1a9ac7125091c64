// SelectionIds: the text of a selection and the process-wide numbering (see the header).
#include "actors/scheduler/framework/selection_ids.hpp"

#include <atomic>

namespace craton::scheduler {

namespace {
std::uint64_t next_selection_id() {
  static std::atomic<std::uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}
}  // namespace

std::shared_ptr<const Selection> SelectionIds::selection_of(const std::string& namespace_,
                                                            const api::LabelSelector& selector) {
  // A namespace name holds no newline, so the split between the two parts is unambiguous.
  auto text = namespace_ + "\n" + selector.to_string();
  auto found = selections_.find(text);
  if (found != selections_.end()) return found->second;
  if (selections_.size() >= kTextsMax) selections_.clear();
  auto made =
      std::make_shared<const Selection>(Selection{next_selection_id(), namespace_, selector});
  return selections_.emplace(std::move(text), std::move(made)).first->second;
}

}  // namespace craton::scheduler
