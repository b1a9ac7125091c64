// OwnWrites (see the header).
#include "actors/controllers/deployment/own_writes.hpp"

#include <algorithm>

namespace craton::controllers {

void OwnWrites::answered(const std::string& owner, const std::string& object, int code,
                         std::int64_t resource_version, std::int64_t written_at,
                         std::int64_t now_ms) {
  bool created = written_at == 0;
  if (code >= 200 && code < 300) {
    awaited_[owner][object] =
        Awaited{std::max<std::int64_t>(resource_version, 1), now_ms + ttl_ms_, created};
  } else if (code == 0 || code == 504) {
    awaited_[owner][object] = Awaited{written_at + 1, now_ms + unknown_ms_, created};
  }
}

bool OwnWrites::settled(const std::string& owner, const Lookup& cached, std::int64_t now_ms,
                        std::optional<std::int64_t>& due_ms) {
  due_ms.reset();
  auto it = awaited_.find(owner);
  if (it == awaited_.end()) return true;
  auto& objects = it->second;
  for (auto o = objects.begin(); o != objects.end();) {
    auto version = cached(o->first);
    bool shown = version ? *version >= o->second.version : !o->second.created;
    if (now_ms >= o->second.until_ms || shown) {
      o = objects.erase(o);
      continue;
    }
    due_ms = due_ms ? std::min(*due_ms, o->second.until_ms) : o->second.until_ms;
    ++o;
  }
  if (!objects.empty()) return false;
  awaited_.erase(it);
  return true;
}

}  // namespace craton::controllers
