// Percentages of replicas, rounded as Kubernetes rounds them.
#include "actors/controllers/deployment/fenceposts.hpp"

#include <charconv>
#include <string_view>

namespace craton::controllers {

Result<std::int32_t> scaled_value(schema::k8s::IntOrString::Reader value, std::int32_t total,
                                  bool round_up) {
  if (value.isIntVal()) return value.getIntVal();
  std::string_view text(value.getStrVal().cStr(), value.getStrVal().size());
  std::int64_t percent = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), percent);
  if (text.size() < 2 || text.back() != '%' || ec != std::errc{} ||
      end != text.data() + text.size() - 1 || percent < 0)
    return Error{"invalid", "invalid value for IntOrString: \"" + std::string(text) + "\""};
  auto scaled = percent * std::int64_t(total);
  return std::int32_t(round_up ? (scaled + 99) / 100 : scaled / 100);
}

Result<Fenceposts> resolve_fenceposts(schema::k8s::IntOrString::Reader max_surge,
                                      schema::k8s::IntOrString::Reader max_unavailable,
                                      std::int32_t replicas) {
  auto surge = scaled_value(max_surge, replicas, true);
  if (!surge) return surge.error();
  auto unavailable = scaled_value(max_unavailable, replicas, false);
  if (!unavailable) return unavailable.error();
  Fenceposts f{*surge, *unavailable};
  if (f.max_surge == 0 && f.max_unavailable == 0) f.max_unavailable = 1;
  return f;
}

}  // namespace craton::controllers
