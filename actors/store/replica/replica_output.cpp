// ReplicaOutput: appending one output to another, field by field.
#include "actors/store/replica/replica_output.hpp"

#include <iterator>

namespace craton::store {
namespace {

template <class T>
void move_all(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

void ReplicaOutput::append(ReplicaOutput&& more) {
  move_all(messages, more.messages);
  move_all(replies, more.replies);
  move_all(fetches, more.fetches);
  move_all(chunks, more.chunks);
  move_all(watch, more.watch);
  move_all(closed_streams, more.closed_streams);
}

}  // namespace craton::store
