#include "actors/store/replica/auto_compactor.hpp"

#include <charconv>
#include <string>

namespace craton::store {
namespace {

constexpr std::int64_t kRetentionMsMax = std::int64_t{10} * 365 * 24 * 3600 * 1000;  // 10 years

Error bad_retention(std::string_view text, const char* why) {
  return Error{"bad_flag", "--auto-compaction-retention '" + std::string(text) + "': " + why};
}

Result<std::int64_t> parse_count(std::string_view text) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || v <= 0)
    return bad_retention(text, "expected a positive number");
  return v;
}

// "1h", "30m", "90s", "500ms", or a bare number of hours (etcd's periodic default unit).
Result<std::int64_t> parse_duration_ms(std::string_view text) {
  struct Unit {
    std::string_view suffix;
    std::int64_t ms;
  };
  for (Unit u : {Unit{"ms", 1}, Unit{"h", 3'600'000}, Unit{"m", 60'000}, Unit{"s", 1000}}) {
    if (text.size() <= u.suffix.size() || !text.ends_with(u.suffix)) continue;
    auto n = parse_count(text.substr(0, text.size() - u.suffix.size()));
    if (!n) return bad_retention(text, "expected a duration like 1h, 30m, 90s or 500ms");
    if (*n > kRetentionMsMax / u.ms) return bad_retention(text, "longer than 10 years");
    return *n * u.ms;
  }
  auto hours = parse_count(text);
  if (!hours) return bad_retention(text, "expected a duration like 1h, 30m, 90s or 500ms");
  if (*hours > kRetentionMsMax / 3'600'000) return bad_retention(text, "longer than 10 years");
  return *hours * 3'600'000;
}

}  // namespace

Result<AutoCompactionConfig> parse_auto_compaction(std::string_view mode,
                                                   std::string_view retention) {
  AutoCompactionConfig c;
  if (mode.empty() || mode == "off") {
    if (!retention.empty() && retention != "0")
      return Error{"bad_flag", "--auto-compaction-retention needs --auto-compaction-mode"};
    return c;
  }
  if (retention.empty() || retention == "0")
    return Error{"bad_flag", "--auto-compaction-mode needs --auto-compaction-retention"};
  if (mode == "periodic") {
    auto ms = parse_duration_ms(retention);
    if (!ms) return ms.error();
    if (*ms < 10) return bad_retention(retention, "shorter than 10 ms");
    c.mode = AutoCompactionMode::periodic;
    c.retention_ms = *ms;
    return c;
  }
  if (mode == "revision") {
    auto n = parse_count(retention);
    if (!n) return n.error();
    c.mode = AutoCompactionMode::revision;
    c.retention_revisions = *n;
    return c;
  }
  return Error{"bad_flag",
               "--auto-compaction-mode '" + std::string(mode) + "': expected periodic or revision"};
}

std::optional<std::int64_t> AutoCompactor::decide(std::int64_t now_ms, bool leader,
                                                  std::int64_t current, std::int64_t compacted) {
  if (config_.mode == AutoCompactionMode::off) return std::nullopt;
  if (!leader) {
    leading_ = false;
    return std::nullopt;
  }
  if (!leading_) {  // a fresh leadership: start over from what this leader sees
    leading_ = true;
    samples_.clear();
    next_ms_ = now_ms;
  }
  if (config_.mode == AutoCompactionMode::periodic)
    return decide_periodic(now_ms, current, compacted);
  return decide_revision(now_ms, current, compacted);
}

std::optional<std::int64_t> AutoCompactor::decide_periodic(std::int64_t now_ms,
                                                           std::int64_t current,
                                                           std::int64_t compacted) {
  if (now_ms < next_ms_) return std::nullopt;
  const std::int64_t step_ms = std::max<std::int64_t>(1, config_.retention_ms / 10);
  next_ms_ = now_ms + step_ms;
  samples_.emplace_back(now_ms, current);
  // Keep exactly one sample at least one retention old: the newest such is the target.
  std::optional<std::int64_t> target;
  while (!samples_.empty() && now_ms - samples_.front().first >= config_.retention_ms) {
    target = samples_.front().second;
    if (samples_.size() > 1 && now_ms - samples_[1].first >= config_.retention_ms) {
      samples_.pop_front();
      continue;
    }
    break;
  }
  if (!target || *target <= compacted) return std::nullopt;
  samples_.pop_front();  // used: the next compaction needs a newer sample
  return target;
}

std::optional<std::int64_t> AutoCompactor::decide_revision(std::int64_t now_ms,
                                                           std::int64_t current,
                                                           std::int64_t compacted) {
  if (now_ms < next_ms_) return std::nullopt;
  next_ms_ = now_ms + std::max<std::int64_t>(1, config_.check_interval_ms);
  auto target = current - config_.retention_revisions;
  if (target <= compacted || target <= 0) return std::nullopt;
  return target;
}

}  // namespace craton::store
