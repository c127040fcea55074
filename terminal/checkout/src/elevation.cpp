#include <pos/checkout/elevation.hpp>

namespace pos::checkout {

void ApproverLockouts::apply(const CheckoutEvent& event) {
  if (const auto* failed = std::get_if<PinAttemptFailed>(&event)) {
    ++by_approver_[failed->approver].wrong_in_a_row;
  } else if (const auto* locked = std::get_if<ApproverLockedOut>(&event)) {
    State& s = by_approver_[locked->approver];
    s.locked_until = locked->until;
    s.wrong_in_a_row = 0;  // after the lockout, five fresh tries
  } else if (const auto* granted = std::get_if<OfflineGrantIssued>(&event)) {
    by_approver_[granted->approver].wrong_in_a_row = 0;
  }
}

bool ApproverLockouts::locked_out(const UserId& approver, Timestamp now) const {
  const auto until = locked_until(approver);
  return until && now < *until;
}

std::optional<Timestamp> ApproverLockouts::locked_until(const UserId& approver) const {
  const auto it = by_approver_.find(approver);
  return it == by_approver_.end() ? std::nullopt : it->second.locked_until;
}

int ApproverLockouts::wrong_pins_in_a_row(const UserId& approver) const {
  const auto it = by_approver_.find(approver);
  return it == by_approver_.end() ? 0 : it->second.wrong_in_a_row;
}

}  // namespace pos::checkout
