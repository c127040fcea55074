// Step-up elevation (BILL-DEC-010): a supervisor approves an override, an over-limit payment or
// a reprint, online with a backend token or offline with their PIN.
//
// Sections: OnlineElevation (token in memory only) · ApproverLockouts (5 wrong PINs -> 30
// minutes, rebuilt from events) · Approval (what a command is given as evidence)
//
// Online: POST /billing/auth/elevate returns a token that lives at most 5 minutes and is used
// once, for one checkout and one action. The app puts it in an OnlineElevation and hands the
// checkout a reference; the checkout refuses it when it is for another checkout or action,
// when expiresAt has passed by the terminal's own clock, or when it was already used, and marks
// it used when the command succeeds. The app sends the token with the request and then drops the
// OnlineElevation, whose destructor wipes it (sodium_memzero). It is never stored.
//
// Offline: Checkout::verify_offline_approver checks the PIN against the roster's Argon2id
// verifier only while the roster is fresh and the rules allow offline elevation, records an
// OfflineGrantIssued event (synced later for audit), and the override or payment then names
// that grant. Five wrong PINs in a row lock that supervisor out for 30 minutes; the failed
// attempts and the lockout are events, so a restart does not reset them.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <variant>

#include <pos/checkout/clock.hpp>
#include <pos/checkout/events.hpp>
#include <pos/checkout/ids.hpp>
#include <pos/checkout/secret.hpp>

namespace pos::checkout {

inline constexpr int kWrongPinsBeforeLockout = 5;
inline constexpr std::chrono::minutes kApproverLockoutDuration{30};
// The contract's upper bound on a token's life; a longer expiresAt is cut to this from receipt.
inline constexpr std::chrono::minutes kMaxElevationLifetime{5};

// The answer of POST /billing/auth/elevate, held in memory only.
struct OnlineElevation {
  UserId approver;
  CheckoutId checkout;
  ElevationAction action;
  Timestamp expires_at;
  Timestamp received_at;  // the terminal's clock when the answer arrived
  SecretText token;
  bool used = false;  // set by the checkout when a command spends it

  // The earlier of expiresAt and received_at + 5 minutes: the terminal's own clock decides too.
  [[nodiscard]] Timestamp effective_expiry() const noexcept {
    const Timestamp cap = received_at + kMaxElevationLifetime;
    return expires_at < cap ? expires_at : cap;
  }
};

// Evidence of one supervisor's approval given to a command: an offline grant recorded earlier
// in this checkout, or an online elevation held by the app (referenced, so the app keeps the
// token to send it and wipes it afterwards).
using Approval = std::variant<OfflineGrantId, std::reference_wrapper<OnlineElevation>>;

// Lockout state of every supervisor, rebuilt from PinAttemptFailed, ApproverLockedOut and
// OfflineGrantIssued events of all checkouts (the app feeds it from the ledger at start-up and
// each new event after). A success resets the count; so does the end of a lockout.
class ApproverLockouts {
 public:
  void apply(const CheckoutEvent& event);

  [[nodiscard]] bool locked_out(const UserId& approver, Timestamp now) const;
  [[nodiscard]] std::optional<Timestamp> locked_until(const UserId& approver) const;
  // Wrong PINs in a row since the last success or lockout.
  [[nodiscard]] int wrong_pins_in_a_row(const UserId& approver) const;

 private:
  struct State {
    int wrong_in_a_row = 0;
    std::optional<Timestamp> locked_until;
  };
  std::map<UserId, State> by_approver_;
};

}  // namespace pos::checkout
