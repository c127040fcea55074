// Result<T, E>: a value, or the reason it could not be had.
//
// The checkout's expected failures (a PO in the wrong format, an amount over the balance) are
// values the caller must look at, never exceptions (STYLE.md, "Errors"). C++20 has no
// std::expected, so this is the small subset the domain needs. Asking a failed result for its
// value is a programming error and throws std::logic_error.
#pragma once

#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

namespace pos::checkout {

// Wraps an error so that Result<T, E> can be built from it even when T and E convert to each other.
template <class E>
struct Failure {
  E error;
};

template <class E>
Failure<std::decay_t<E>> fail(E&& error) {
  return Failure<std::decay_t<E>>{std::forward<E>(error)};
}

template <class T, class E>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  using error_type = E;

  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  template <class F>
  Result(Failure<F> failure)  // NOLINT: implicit by design
      : state_(std::in_place_index<1>, E(std::move(failure.error))) {}

  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  [[nodiscard]] const T& value() const& {
    if (!ok()) throw std::logic_error("Result::value() on a failed result");
    return std::get<0>(state_);
  }
  [[nodiscard]] T& value() & {
    if (!ok()) throw std::logic_error("Result::value() on a failed result");
    return std::get<0>(state_);
  }
  [[nodiscard]] T&& value() && {
    if (!ok()) throw std::logic_error("Result::value() on a failed result");
    return std::get<0>(std::move(state_));
  }
  [[nodiscard]] const E& error() const& {
    if (ok()) throw std::logic_error("Result::error() on a successful result");
    return std::get<1>(state_);
  }
  const T* operator->() const { return &value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, E> state_;
};

// A result with nothing to return on success.
struct Done {
  friend bool operator==(Done, Done) = default;
};

}  // namespace pos::checkout
