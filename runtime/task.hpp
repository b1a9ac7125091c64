// Task<T>: a C++20 coroutine that computes one T, for request handlers that must run both on
// a thread that may block (a process's worker pool) and inside an actor that never may (the
// deterministic simulator runs every actor on one thread). The handler is written once, as
// straight-line code that `co_await`s each slow step:
//
//   Task<Response> create(Request r) {
//     auto revision = co_await callback<Result<std::int64_t>>(
//         [&](auto done) { store.create(key, value, std::move(done)); });
//     ...
//     co_return response;
//   }
//   start(create(r), [](Response response) { ... });   // runs until its first suspension
//
// A Task is lazy (it starts when awaited or started) and owns its frame; awaiting a Task
// resumes the awaiter when it finishes (symmetric transfer: no stack growth along a chain).
// callback<T>(start) suspends until `start`'s completion is called, on whatever thread calls
// it; when it is called before start returns (a blocking or in-memory implementation), the
// coroutine goes on without suspending at all. Exceptions propagate to the awaiter.
//
// Traps (g++ 12): a coroutine that falls off its end returns nothing (no warning; the
// awaiter's assertion fires); `c ? co_await a : co_await b` is miscompiled (heap corruption):
// write two ifs; `co_await f().x` awaits `f().x`: write `(co_await f()).x`.
#pragma once

#include <atomic>
#include <coroutine>
#include <exception>
#include <functional>
#include <optional>
#include <utility>

#include "runtime/assert.hpp"

namespace craton {

template <class T>
class [[nodiscard]] Task {
 public:
  struct promise_type {
    std::optional<T> value;
    std::exception_ptr error;
    std::coroutine_handle<> continuation;

    Task get_return_object() {
      return Task(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct Final {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        auto next = h.promise().continuation;
        return next ? next : std::noop_coroutine();
      }
      void await_resume() noexcept {}
    };
    Final final_suspend() noexcept { return {}; }
    template <class U>
    void return_value(U&& v) {
      value.emplace(std::forward<U>(v));
    }
    void unhandled_exception() { error = std::current_exception(); }
  };

  Task(Task&& other) noexcept : frame_(std::exchange(other.frame_, {})) {}
  Task& operator=(Task&&) = delete;
  Task(const Task&) = delete;
  ~Task() {
    if (frame_) frame_.destroy();
  }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) noexcept {
    frame_.promise().continuation = awaiter;
    return frame_;
  }
  T await_resume() {
    auto& p = frame_.promise();
    if (p.error) std::rethrow_exception(p.error);
    CRATON_ASSERT(p.value.has_value(), "a finished Task holds its value");
    return std::move(*p.value);
  }

 private:
  explicit Task(std::coroutine_handle<promise_type> frame) : frame_(frame) {}
  std::coroutine_handle<promise_type> frame_;
};

namespace detail {
// A coroutine that owns itself: it starts at once and frees its frame when it ends.
struct Detached {
  struct promise_type {
    Detached get_return_object() { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() {}
    [[noreturn]] void unhandled_exception() { std::terminate(); }
  };
};

template <class T, class Done>
Detached run(Task<T> task, Done done) {
  done(co_await std::move(task));
}
}  // namespace detail

/// Runs `task` now, on this thread, until it first suspends; `done` gets its value, on the
/// thread that finishes it. An exception the task lets out ends the process (handlers catch
/// what they expect).
template <class T, class Done>
void start(Task<T> task, Done done) {
  detail::run(std::move(task), std::move(done));
}

/// Awaitable: calls `start(done)` and suspends until `done(value)` is called, once.
template <class T>
class Callback {
 public:
  using Done = std::function<void(T)>;
  explicit Callback(std::function<void(Done)> start) : start_(std::move(start)) {}
  Callback(Callback&&) = delete;

  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> awaiter) {
    awaiter_ = awaiter;
    start_([this](T value) {
      CRATON_ASSERT(!result_.has_value(), "a Callback completes once");
      result_.emplace(std::move(value));
      // Whoever comes second resumes: the completion, if the coroutine has suspended.
      if (state_.exchange(kDone) == kSuspended) awaiter_.resume();
    });
    int expected = kRunning;
    return state_.compare_exchange_strong(expected, kSuspended);
  }
  T await_resume() { return std::move(*result_); }

 private:
  static constexpr int kRunning = 0, kSuspended = 1, kDone = 2;
  std::function<void(Done)> start_;
  std::optional<T> result_;
  std::atomic<int> state_{kRunning};
  std::coroutine_handle<> awaiter_;
};

template <class T, class Start>
Callback<T> callback(Start start) {
  return Callback<T>(std::function<void(typename Callback<T>::Done)>(std::move(start)));
}

}  // namespace craton
