// Status: construction, reasons and messages.
#include "actors/scheduler/framework/status.hpp"

#include <new>

#include "runtime/assert.hpp"

namespace craton::scheduler {

std::string_view code_name(Code code) {
  switch (code) {
    case Code::success:
      return "Success";
    case Code::error:
      return "Error";
    case Code::unschedulable:
      return "Unschedulable";
    case Code::unschedulable_and_unresolvable:
      return "UnschedulableAndUnresolvable";
    case Code::wait:
      return "Wait";
    case Code::skip:
      return "Skip";
  }
  return "Unknown";
}

Status::Status(Code code, std::initializer_list<std::string_view> reasons) : code_(code) {
  for (auto r : reasons) add_reason(r);
}

void Status::add_reason(std::string_view reason) {
  CRATON_ASSERT(count_ < kStatusReasonsMax, "at most kStatusReasonsMax reasons in a Status");
  new (&reasons_.items[count_++]) std::string_view(reason);
}

std::string Status::message() const {
  std::string out;
  for (auto r : reasons()) {
    if (!out.empty()) out += ", ";
    out += r;
  }
  return out;
}

}  // namespace craton::scheduler
