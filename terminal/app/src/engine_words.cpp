// The engine's small value types that need no worker: PinEntry (a wiped keypad buffer) and the
// words tables of Busy and ReceiptOutcome, each checked against its enum at compile time.
#include <pos/app/engine.hpp>

#include <sodium.h>

namespace pos::app {

bool PinEntry::push(char digit) noexcept {
  if (digit < '0' || digit > '9' || size_ >= kMaxDigits) return false;
  digits_[size_++] = digit;
  return true;
}

void PinEntry::pop() noexcept {
  if (size_ == 0) return;
  digits_[--size_] = 0;
}

void PinEntry::clear() noexcept {
  sodium_memzero(digits_.data(), digits_.size());
  size_ = 0;
}

checkout::SecretText PinEntry::take() {
  checkout::SecretText secret(std::string_view(digits_.data(), size_));
  clear();
  return secret;
}

namespace {

constexpr std::array<std::string_view, static_cast<std::size_t>(Busy::kCount)> kBusyWords{
    "",
    "Signing in…",
    "Loading the invoice…",
    "Checking the account's rules…",
    "Recording the PO…",
    "Checking the supervisor's PIN…",
    "Recording the override…",
    "Taking the payment…",
    "Printing the receipt…",
    "Sending the e-mail…",
    "Printing a copy…",
    "Working on the shift…",
    "Syncing…",
    "Looking for printers…",
    "Refreshing the offline copies…",
    "Checking the ledger…",
    "Comparing with the backend…",
};
static_assert(kBusyWords.size() == static_cast<std::size_t>(Busy::kCount));

constexpr std::array<std::string_view, static_cast<std::size_t>(ReceiptOutcome::kCount)>
    kOutcomeNames{"PENDING", "SENT", "FAILED", "POSSIBLY_PRINTED", "SUPPRESSED", "BOUNCED"};
static_assert(kOutcomeNames.size() == static_cast<std::size_t>(ReceiptOutcome::kCount));

}  // namespace

std::string_view busyText(Busy busy) noexcept {
  const auto i = static_cast<std::size_t>(busy);
  return i < kBusyWords.size() ? kBusyWords[i] : std::string_view{};
}

std::string_view to_string(ReceiptOutcome outcome) noexcept {
  const auto i = static_cast<std::size_t>(outcome);
  return i < kOutcomeNames.size() ? kOutcomeNames[i] : std::string_view{"UNKNOWN"};
}

}  // namespace pos::app
