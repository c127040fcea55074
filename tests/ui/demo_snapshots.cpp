// Demo-shop snapshots for the screen tests, screenshots and benchmark (demo_snapshots.hpp).
#include "demo_snapshots.hpp"

#include <stb_image_write.h>

#include <filesystem>
#include <stdexcept>

// The engine's views hold Money (no default: no currency by accident), so the fixtures name
// the Money members with designated initializers and set the rest after; GCC would list every
// member left to its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace pos::ui::testing {

using checkout::Currencies;
using checkout::Money;

checkout::UserId user(const std::string& id) {
  auto u = checkout::UserId::parse(id);
  if (!u) throw std::invalid_argument("bad user id");
  return *u;
}

Money usd(std::int64_t cents) {
  return Money(Currencies::USD, cents);
}

checkout::Timestamp at(int hour, int minute) {
  using namespace std::chrono;
  return time_point_cast<milliseconds>(sys_days{year{2026} / November / 21} + hours{hour} +
                                       minutes{minute});
}

namespace {

std::vector<app::StaffMember> roster() {
  return {{user("adv-anna"), "Anna Advisor", false},
          {user("cash-carl"), "Carl Cashier", false},
          {user("sup-sara"), "Sara Supervisor", true},
          {user("sup-sam"), "Sam Supervisor", true}};
}

app::Snapshot base() {
  app::Snapshot s;
  s.version = 7;
  s.at = at(10, 45);
  s.terminalId = "T-DEMO-01";
  s.shopName = "Demo Service Shop";
  s.timeZone = "UTC";
  s.staff = roster();
  s.printer = {"Virtual printer (spool folder)", "READY", "", true};
  s.connectivity.backendConfigured = true;
  s.connectivity.online = true;
  s.overrideReasons = {{"PO_TO_FOLLOW", "Customer will send the PO later", true},
                       {"ACCOUNT_MANAGER_APPROVED", "Approved by the account manager", false},
                       {"EMERGENCY_REPAIR", "Emergency roadside repair", true}};
  s.reprintReasons = {{"CUSTOMER_REQUEST", "Customer asked for a copy", false},
                      {"PRINTER_JAM", "First print was unreadable", false}};
  return s;
}

app::Snapshot signedInBase() {
  app::Snapshot s = base();
  app::SignedIn u{.id = user("adv-anna")};
  u.displayName = "Anna Advisor";
  u.permissions = {checkout::Permission::PoCapture, checkout::Permission::PoOverride,
                   checkout::Permission::ReceiptView, checkout::Permission::ReceiptDeliver,
                   checkout::Permission::ReceiptReprint};
  u.noPaymentLimit = true;
  u.since = at(8, 2);
  u.idleSignOutAt = at(11, 15);
  s.user = std::move(u);
  s.shift = app::ShiftView{
      "0193a1b0-5d00-7000-8000-00000000aa01", at(8, 0), user("adv-anna"), true, {usd(20000)}};
  s.recent = {{"WO-1006", "INV-1006", "Jordan Rivera", usd(20000),
               checkout::PaymentType::PartialPayment, at(9, 12)},
              {"WO-1007", "INV-1007", "Müller & Söhne Transporte", Money(Currencies::EUR, 17184),
               checkout::PaymentType::PaidInFull, at(9, 40)},
              {"WO-1008", "INV-1008", "Sakura Motors KK", Money(Currencies::JPY, 10670),
               checkout::PaymentType::PaidInFull, at(10, 5)}};
  return s;
}

app::CheckoutView consumerCheckout() {
  app::CheckoutView c{.subtotal = usd(9394),
                      .taxTotal = usd(742),
                      .feeTotal = usd(0),
                      .discountTotal = usd(0),
                      .grandTotal = usd(10136),
                      .balanceDue = usd(10136)};
  c.checkoutId = "0193a1b0-6e00-7000-8000-000000000c01";
  c.correlationId = "0193a1b0-6e00-7000-8000-0000000000e1";
  c.stage = checkout::CheckoutStage::TakingPayment;
  c.workOrderId = "WO-1001";
  c.invoiceId = "0193a1b0-4c00-7000-8000-000000001001";
  c.invoiceNumber = "INV-1001";
  c.customerName = "Jordan Rivera";
  c.customerAccountId = "ACC-CONS-0001";
  c.accountType = "CONSUMER";
  c.status = "ISSUED";
  c.lines = {{"Oil change, synthetic 5W-30", "1", usd(6499), usd(6499)},
             {"Tire rotation", "1", usd(2500), usd(2500)},
             {"Shop supplies", "1", usd(395), usd(395)}};
  c.links = {{"workorders", "WorkOrder", "WO-1001"}};
  c.evaluated = true;
  c.messages = {{"CONSUMER_NO_PO", "INFO", "Consumer invoice: no PO needed."}};
  c.poCompliance = "COMPLIANT";
  c.mayTakePayment = true;
  c.mayCapturePo = true;
  c.partialPaymentsAllowed = true;
  return c;
}

}  // namespace

app::Snapshot signedOut() {
  return base();
}

app::Snapshot signInWrongPin() {
  app::Snapshot s = base();
  s.signIn.user = user("cash-carl");
  s.signIn.triesLeft = 2;
  s.signIn.wrongPinCount = 3;
  return s;
}

app::Snapshot signInLockedOut() {
  app::Snapshot s = base();
  s.signIn.user = user("cash-carl");
  s.signIn.triesLeft = 0;
  s.signIn.wrongPinCount = 5;
  s.signIn.lockedUntil = at(11, 0);
  return s;
}

app::Snapshot counterIdle() {
  return signedInBase();
}

app::Snapshot invoiceConsumer() {
  app::Snapshot s = signedInBase();
  s.checkout = consumerCheckout();
  return s;
}

app::Snapshot invoicePoRequired() {
  app::Snapshot s = signedInBase();
  auto c = consumerCheckout();
  c.stage = checkout::CheckoutStage::AwaitingPo;
  c.checkoutId = "0193a1b0-6e00-7000-8000-000000000c02";
  c.workOrderId = "WO-1002";
  c.invoiceNumber = "INV-1002";
  c.customerName = "ACME Fleet Services";
  c.customerAccountId = "ACC-ACME-0001";
  c.accountType = "COMMERCIAL";
  c.grandTotal = c.balanceDue = usd(48914);
  c.poRequired = true;
  c.poCompliance = "BLOCKED";
  c.poFormatHint = "two capital letters, a dash, six digits (AB-123456)";
  c.overrideAllowed = true;
  c.mayOverridePo = true;
  c.messages = {{"PO_REQUIRED", "BLOCKING", "This account requires a PO number before payment."}};
  s.checkout = c;
  return s;
}

app::Snapshot invoiceUnknownStatus() {
  app::Snapshot s = signedInBase();
  auto c = consumerCheckout();
  c.stage = checkout::CheckoutStage::InvoiceUnknownStatus;
  c.checkoutId = "0193a1b0-6e00-7000-8000-000000000c10";
  c.workOrderId = "WO-1010";
  c.invoiceNumber = "INV-1010";
  c.status = "DISPUTED";
  c.statusKnown = false;
  c.mayTakePayment = false;
  c.messages.clear();
  s.checkout = c;
  return s;
}

app::Snapshot overrideTwoApprovers() {
  app::Snapshot s = invoicePoRequired();
  s.checkout->checkoutId = "0193a1b0-6e00-7000-8000-000000000c05";
  s.checkout->workOrderId = "WO-1005";
  s.checkout->invoiceNumber = "INV-1005";
  s.checkout->customerName = "City Public Works";
  s.checkout->overrideNeedsSecondApprover = true;
  app::PendingApproval a;
  a.action = checkout::ElevationAction::PoOverride;
  a.what = "Override PO requirement · INV-1005 · reason PO_TO_FOLLOW";
  a.reasonCode = "PO_TO_FOLLOW";
  a.needed = 2;
  a.eligible = {{{user("sup-sara"), "Sara Supervisor", true}, 5, std::nullopt},
                {{user("sup-sam"), "Sam Supervisor", true}, 4, std::nullopt}};
  a.online = true;
  s.approval = a;
  return s;
}

app::Snapshot paymentNoPartial() {
  app::Snapshot s = signedInBase();
  auto c = consumerCheckout();
  c.checkoutId = "0193a1b0-6e00-7000-8000-000000000c03";
  c.workOrderId = "WO-1003";
  c.invoiceNumber = "INV-1003";
  c.customerName = "Blue Line Logistics";
  c.accountType = "COMMERCIAL";
  c.grandTotal = c.balanceDue = usd(20241);
  c.partialPaymentsAllowed = false;
  c.chargeAccountEligible = true;
  c.creditAvailable = usd(500000);
  c.poNumber = "BL-000123";
  c.poCapturedBy = user("adv-anna");
  c.poCapturedAt = at(10, 40);
  s.checkout = c;
  return s;
}

namespace {
app::ReceiptView receiptFor(const app::CheckoutView& c) {
  app::ReceiptView r{.amount = c.grandTotal, .remainingBalance = usd(0)};
  r.receiptId = "0193a1b0-7f00-7000-8000-000000000f01";
  r.receiptReference = "R-T-DEMO-01-20261121T104700Z-0001";
  r.invoiceNumber = c.invoiceNumber;
  r.workOrderId = c.workOrderId;
  r.paymentType = checkout::PaymentType::PaidInFull;
  r.channel = "PRINT";
  r.createdAt = at(10, 47);
  r.mayDeliver = true;
  r.mayReprint = true;
  r.text = "DEMO SERVICE SHOP\nINV-1001  WO-1001\nTOTAL 101.36 USD\nCASH 120.00\nCHANGE 18.64";
  return r;
}

app::CheckoutView paidCheckout() {
  auto c = consumerCheckout();
  c.stage = checkout::CheckoutStage::PaidInFull;
  c.balanceDue = usd(0);
  app::PaymentView p{.amount = usd(10136)};
  p.billingPaymentId = "0193a1b0-7f00-7000-8000-0000000000b1";
  p.tender = checkout::TenderKind::Cash;
  p.tenderText = "CASH 120.00";
  p.change = usd(1864);
  p.capturedAt = at(10, 47);
  c.payments = {p};
  return c;
}
}  // namespace

app::Snapshot doneFailedPrint() {
  app::Snapshot s = signedInBase();
  s.checkout = paidCheckout();
  auto r = receiptFor(*s.checkout);
  r.outcome = app::ReceiptOutcome::Failed;
  r.printerMessage = "Printer unavailable. Load paper or select email option.";
  r.failureReason = "PAPER_OUT";
  s.receipt = r;
  s.printer = {"Virtual printer (spool folder)", "PAPER_OUT", "Load paper", false};
  return s;
}

app::Snapshot donePrinted(const std::string& previewPng) {
  app::Snapshot s = signedInBase();
  s.checkout = paidCheckout();
  auto r = receiptFor(*s.checkout);
  r.outcome = app::ReceiptOutcome::Sent;
  r.preview = previewPng;
  s.receipt = r;
  return s;
}

app::Snapshot offlineCounter() {
  app::Snapshot s = signedInBase();
  s.connectivity.online = false;
  s.connectivity.offlineSince = at(10, 42);
  s.queue.depth = 3;
  s.queue.oldestUnsent = at(10, 43);
  s.allowance.totalLeft = {usd(150000)};
  s.allowance.largestSinglePayment = {usd(50000)};
  s.allowance.paymentsStopAt = at(14, 43);
  return s;
}

app::Snapshot syncWithAttention() {
  app::Snapshot s = signedInBase();
  s.queue.depth = 4;
  s.queue.needsAttention = 1;
  app::QueueItemView bad;
  bad.id = 41;
  bad.kind = "payment";
  bad.state = "REJECTED";
  bad.attempts = 3;
  bad.errorCode = "PAYMENT_AMOUNT_MISMATCH";
  bad.errorText = "The backend holds a different amount for this payment.";
  bad.correlationId = "0193a1b0-6e00-7000-8000-0000000000e9";
  bad.waitingBehind = 2;
  s.queue.attention = {bad};
  s.queue.items = {bad};
  for (std::int64_t i = 42; i < 45; ++i) {
    app::QueueItemView q;
    q.id = i;
    q.kind = i == 42 ? "receipt" : "delivery";
    q.state = "QUEUED";
    s.queue.items.push_back(q);
  }
  return s;
}

app::Snapshot receiptsList(const std::string& previewPng) {
  app::Snapshot s = signedInBase();
  auto r = receiptFor(consumerCheckout());
  r.outcome = app::ReceiptOutcome::Sent;
  r.preview = previewPng;
  r.reprintCount = 1;
  auto r2 = r;
  r2.receiptId = "0193a1b0-7f00-7000-8000-000000000f02";
  r2.receiptReference = "R-T-DEMO-01-20261121T091200Z-0002";
  r2.invoiceNumber = "INV-1006";
  r2.paymentType = checkout::PaymentType::PartialPayment;
  r2.amount = usd(20000);
  r2.reprintCount = 0;
  r2.outcome = app::ReceiptOutcome::Suppressed;
  s.receipts = {r, r2};
  s.receipt = r;
  return s;
}

app::Snapshot shiftWithReport() {
  app::Snapshot s = signedInBase();
  app::ReportView rep;
  rep.shiftId = s.shift->shiftId;
  rep.openedAt = at(8, 0);
  app::CurrencyReportView usdReport{.currency = Currencies::USD,
                                    .paymentCount = 2,
                                    .paymentsTotal = usd(30136),
                                    .openingFloat = usd(20000),
                                    .cashTaken = usd(30136),
                                    .changeGiven = usd(1864),
                                    .paidIn = usd(0),
                                    .paidOut = usd(0),
                                    .cashExpected = usd(48272)};
  rep.currencies = {usdReport};
  rep.text =
      "X REPORT  Demo Service Shop  T-DEMO-01\nShift opened 08:00 by adv-anna\n"
      "USD  payments 2  total 301.36\n  CASH 2  301.36\n  float 200.00  expected cash 482.72\n"
      "EUR  payments 1  total 171.84\nJPY  payments 1  total 10,670";
  s.report = rep;
  return s;
}

app::Snapshot printersListed() {
  app::Snapshot s = signedInBase();
  s.printers = {
      {"file:///var/lib/pos-terminal/spool", "Virtual printer (spool folder)", "generic-80mm",
       "READY", ""},
      {"usb://04b8:0202/1", "EPSON TM-T20III", "epson-tm-t20iii", "PAPER_OUT", "Load paper"}};
  return s;
}

// A fresh install: no roster until the backend is reached (or IT runs `pull`).
app::Snapshot signedOutNoRoster() {
  app::Snapshot s = signedOut();
  s.staff.clear();
  return s;
}

std::vector<ScreenCase> allScreens(const std::string& previewPng) {
  return {
      {"sign-in", Screen::SignIn, signedOut},
      {"sign-in-no-roster", Screen::SignIn, signedOutNoRoster},
      {"sign-in-wrong-pin", Screen::SignIn, signInWrongPin},
      {"sign-in-locked", Screen::SignIn, signInLockedOut},
      {"counter", Screen::Counter, counterIdle},
      {"counter-offline", Screen::Counter, offlineCounter},
      {"invoice", Screen::Invoice, invoiceConsumer},
      {"invoice-po", Screen::Invoice, invoicePoRequired},
      {"invoice-unknown-status", Screen::Invoice, invoiceUnknownStatus},
      {"override", Screen::Override, invoicePoRequired},
      {"approval", Screen::Override, overrideTwoApprovers},
      {"payment", Screen::Payment, invoiceConsumer},
      {"payment-no-partial", Screen::Payment, paymentNoPartial},
      {"done-failed", Screen::Done, doneFailedPrint},
      {"done-printed", Screen::Done, [previewPng] { return donePrinted(previewPng); }},
      {"sync", Screen::Sync, syncWithAttention},
      {"receipts", Screen::Receipts, [previewPng] { return receiptsList(previewPng); }},
      {"shift", Screen::Shift, shiftWithReport},
      {"drawer", Screen::Drawer, counterIdle},
      {"printer", Screen::Printer, printersListed},
  };
}

std::string writePreviewPng(const std::string& dir) {
  // A 384-dot wide receipt-like picture: black bars for lines of text on white.
  const int w = 384, h = 520;
  std::vector<unsigned char> px(static_cast<std::size_t>(w * h), 255);
  for (int row = 16; row < h - 16; row += 28) {
    const int len = 120 + (row * 37) % 220;
    for (int y = row; y < row + 12; ++y) {
      for (int x = 16; x < 16 + len && x < w - 16; ++x) px[static_cast<std::size_t>(y * w + x)] = 0;
    }
  }
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/receipt-preview.png";
  stbi_write_png(path.c_str(), w, h, 1, px.data(), w);
  return path;
}

}  // namespace pos::ui::testing
