// The command line's runners on the counter engine (counter_commands.cpp).
#pragma once

#include <pos/app/engine.hpp>
#include <pos/app/services.hpp>

#include "engine_impl.hpp"

namespace pos::app {

CommandResult runCheckout(CounterEngine& engine, const CheckoutCommand& cmd, PinReader& pins);
CommandResult runReprint(CounterEngine& engine, const ReceiptCommand& cmd, PinReader& pins);
CommandResult runCloseShift(CounterEngine& engine, const ReportCommand& cmd, PinReader& pins);
CommandResult runReceiptEmail(CounterEngine& engine, const ReceiptCommand& cmd, PinReader& pins);
CommandResult runShiftOpen(CounterEngine& engine, const ShiftOpenCommand& cmd, PinReader& pins);
CommandResult runDrawerOpen(CounterEngine& engine, const DrawerOpenCommand& cmd, PinReader& pins);
CommandResult runCashMovement(CounterEngine& engine, const CashMovementCommand& cmd,
                              PinReader& pins);
CommandResult runResolve(CounterEngine& engine, const QueueCommand& cmd, PinReader& pins);
nlohmann::json reportJson(const ReportView& report);
// The snapshot's refusal as cli.md's error object and exit code (a business rule 3, the backend
// or a device 5, configuration or storage 6).
CommandResult fromRefusal(const RefusalView& refusal);

}  // namespace pos::app
