// Snapshots of the demo shop as the engine would publish them, one per screen state, for the
// headless screen tests, the screenshot program and the UI benchmark. They are built here
// (not by the engine) so each screen is tested on exactly the state it must draw.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <pos/app/engine.hpp>
#include <pos/ui/session.hpp>

namespace pos::ui::testing {

checkout::UserId user(const std::string& id);
checkout::Money usd(std::int64_t cents);
checkout::Timestamp at(int hour, int minute);  // 2026-11-21 hh:mm UTC

app::Snapshot signedOut();
app::Snapshot counterIdle();           // adv-anna signed in, a shift, recent checkouts
app::Snapshot invoiceConsumer();       // WO-1001: a plain checkout, taking payment
app::Snapshot invoicePoRequired();     // WO-1002: PO required, format hint
app::Snapshot invoiceUnknownStatus();  // WO-1010: DISPUTED
app::Snapshot overrideTwoApprovers();  // WO-1005 with the approval pending (1 of 2)
app::Snapshot paymentNoPartial();      // WO-1003: no partial payments
app::Snapshot doneFailedPrint();       // printed: failed (paper out)
app::Snapshot donePrinted(const std::string& previewPng);
app::Snapshot offlineCounter();  // offline since 10:42 with an allowance
app::Snapshot syncWithAttention();
app::Snapshot receiptsList(const std::string& previewPng);
app::Snapshot shiftWithReport();
app::Snapshot printersListed();
app::Snapshot signInWrongPin();  // cash-carl, 2 tries left
app::Snapshot signInLockedOut();

// One named state of one screen: the snapshot and how to reach the screen from the Counter.
struct ScreenCase {
  std::string name;  // the PNG's file name
  Screen screen;
  std::function<app::Snapshot()> snapshot;
};
std::vector<ScreenCase> allScreens(const std::string& previewPng);

// A small receipt-like PNG for the preview tiles (written once, returned path).
std::string writePreviewPng(const std::string& dir);

}  // namespace pos::ui::testing
