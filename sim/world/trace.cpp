#include "sim/world/trace.hpp"

namespace craton::sim {

void Trace::record(std::int64_t time_ms, std::string_view kind, std::string_view details) {
  line_.clear();
  line_ += std::to_string(time_ms);
  line_ += ' ';
  line_ += kind;
  if (!details.empty()) {
    line_ += ' ';
    line_ += details;
  }
  line_ += '\n';
  hash_.add(line_);
  ++events_;
  if (out_) out_->write(line_.data(), static_cast<std::streamsize>(line_.size()));
}

}  // namespace craton::sim
