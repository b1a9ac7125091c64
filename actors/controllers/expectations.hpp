// Expectations: what a controller is still waiting to SEE in its informer caches after it made
// changes (client-go's UIDTrackingControllerExpectations). A ReplicaSet that asked for 3 pods
// must not count its pods again before the 3 creations reached its cache, or a slow watch would
// make it create 3 more. So a controller records what it expects before it sends the calls,
// the informer handlers lower the counts as the changes arrive, and the controller acts on a key
// only while its expectations are satisfied:
//
//   expect(key, adds, deleted pod keys, now)   before the calls go out
//   observed_add(key) / observed_delete(key, pod)   from the pod informer's handlers
//   lower_adds(key) / lower_delete(key, pod)       a call failed: that change will never come
//   uncertain_add(key, now)   a create whose outcome is unknown (504, no answer): it may still
//                             be applied, so it is waited for until uncertain_ms has passed
//                             (Kubernetes lowers the count at once, and a create applied late
//                             then makes one pod too many: the simulator saw it)
//   satisfied(key, now)   nothing recorded, everything observed, or the record is older than
//                         ttl_ms (5 minutes, Kubernetes' ExpectationsTimeout: a lost event
//                         must not stall a controller forever)
//
// Deletions are tracked by the deleted object's key, so a pod seen deleted twice (a DELETED
// event, then the relist's synthetic delete) lowers the count once. Pure; the caller's clock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace craton::controllers {

class Expectations {
 public:
  explicit Expectations(std::int64_t ttl_ms = 5 * 60 * 1000, std::int64_t uncertain_ms = 20'000)
      : ttl_ms_(ttl_ms), uncertain_ms_(uncertain_ms) {}

  /// Replaces the record of `key`. Preconditions: adds >= 0.
  void expect(const std::string& key, std::int64_t adds, const std::vector<std::string>& deletes,
              std::int64_t now_ms);
  void observed_add(const std::string& key);
  void observed_delete(const std::string& key, const std::string& deleted);
  void lower_adds(const std::string& key) { observed_add(key); }
  void lower_delete(const std::string& key, const std::string& deleted) {
    observed_delete(key, deleted);
  }
  void uncertain_add(const std::string& key, std::int64_t now_ms);
  /// A create of `key`'s answered `code`: unknown outcome (0: no answer, 504) -> uncertain_add,
  /// any other refusal -> lower_adds. What every pod-creating controller does on a failure.
  void creation_failed(const std::string& key, int code, std::int64_t now_ms) {
    if (code == 0 || code == 504)
      uncertain_add(key, now_ms);
    else
      lower_adds(key);
  }
  bool satisfied(const std::string& key, std::int64_t now_ms) const;
  /// When an unsatisfied record will be satisfied by time alone (its uncertain creations given
  /// up, or its TTL): the controller looks at the key again then, or it would wait for an
  /// event that may never come. None: nothing recorded.
  std::optional<std::int64_t> due_ms(const std::string& key) const;
  /// The owner went away: its record with it.
  void forget(const std::string& key) { records_.erase(key); }
  /// A controller that stops acting (lost its lease) forgets everything it expected.
  void clear() { records_.clear(); }

  std::int64_t pending_adds(const std::string& key) const;
  std::size_t pending_deletes(const std::string& key) const;

 private:
  struct Record {
    std::int64_t adds = 0;       ///< creations not yet seen, certain to come
    std::int64_t uncertain = 0;  ///< creations not yet seen whose outcome is unknown
    std::int64_t uncertain_until_ms = 0;
    std::set<std::string> deletes;
    std::int64_t at_ms = 0;
  };
  std::int64_t ttl_ms_;
  std::int64_t uncertain_ms_;
  std::map<std::string, Record> records_;
};

}  // namespace craton::controllers
