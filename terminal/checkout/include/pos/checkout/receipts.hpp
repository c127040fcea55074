// Receipts: the receipt reference, the receipt delivery choice, and the reprint policy
// (BILL-DEC-011, BILL-DEC-012).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include <pos/checkout/clock.hpp>
#include <pos/checkout/refusal.hpp>
#include <pos/checkout/result.hpp>

namespace pos::checkout {

// "RCP-{invoiceNumber}-{yyyymmddThhmmssZ}-{seq:03}", e.g. RCP-INV-12345-20260105T143022Z-001.
// seq is the receipt's number on the invoice (1 for the first payment), at least 3 digits.
[[nodiscard]] std::string receipt_reference(std::string_view invoice_number, Timestamp created_at,
                                            int seq);

// What the customer asked for at the counter. NoReceipt still makes the receipt record
// (deliverySuppressed = true), so it can be reprinted later if the policy allows.
enum class ReceiptDelivery { Print, Email, NoReceipt };

// The receipt's reprintPolicy as the backend last sent it (offline: the last one seen).
struct ReprintPolicy {
  int remaining_reprints = 0;
  std::optional<Timestamp> window_ends_at;  // null: no time limit
  bool requires_reason_code = true;
  bool requires_elevation = true;
  friend bool operator==(const ReprintPolicy&, const ReprintPolicy&) = default;
};

[[nodiscard]] Result<ReprintPolicy, Refusal> parse_reprint_policy(const nlohmann::json& json);

// An e-mail address typed at the counter for a receipt (EMAIL_INVALID otherwise): 3 to 254
// bytes of printable ASCII, one '@', a dot-atom local part of at most 64 characters that is not
// a card number, and a domain of letter/digit/hyphen labels with a dot. No control bytes, no
// spaces, so it can never inject a header line (CR/LF, "Bcc:") or an escape sequence.
[[nodiscard]] std::optional<Refusal> check_email_address(std::string_view address);

}  // namespace pos::checkout
