// Power cut: captures through the fault VFS, the power cut at a random write or sync, the files
// reopened as the machine would find them. synchronous=FULL loses no acknowledged capture;
// synchronous=NORMAL (the control) does, which shows the test can tell the difference.
// Runs: POS_POWERCUT_RUNS (default 500) with FULL, POS_POWERCUT_CONTROL_RUNS (default 100).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>

#include "../sync_db/temp_dir.hpp"
#include "durability_fixture.hpp"
#include "fault_vfs.hpp"
#include "shop.hpp"

namespace pos::ledger {
namespace {

using checkout::Currencies;
using test::FaultMode;
using test::FaultVfs;

struct Outcome {
  std::int64_t reported = 0;
  std::int64_t lost = 0;
  std::int64_t runs_losing = 0;
};

Outcome run_cuts(sync::Synchronous mode, std::int64_t runs, std::uint32_t seed) {
  test::TempDir dir;
  const auto tmpl = dir / "template.db";
  {
    sync::Database db = test::open_terminal_db(tmpl);
    test::Shop shop(db);
    shop.open_shift();
  }
  auto& vfs = FaultVfs::instance();
  std::mt19937 rng(seed);
  Outcome out;
  constexpr int kCaptures = 12;
  // One run's series on the copy at `path`, through the fault VFS: a checkout started, then the
  // captures until one fails. `armed` runs once the checkout is open, before the captures; the
  // ids of the captures acknowledged to the advisor are returned.
  auto series = [&](const std::filesystem::path& path, int autocheckpoint, auto start,
                    auto&& armed) {
    std::vector<std::string> reported;
    sync::Database db = test::open_terminal_db(path, mode, FaultVfs::kName, autocheckpoint);
    test::Shop shop(db, start);
    const auto co = shop.new_checkout(shop.ledger().current_shift().value()->shift_id);
    armed();
    for (int i = 0; i < kCaptures; ++i) {
      auto cap = shop.capture(co, Money{Currencies::USD, 100 + i}, Tender::Cash);
      if (!shop.ledger().record_capture(cap).ok()) break;
      reported.push_back(cap.payment.payment_id.to_string());
    }
    if (!vfs.is_cut()) vfs.cut();  // the power goes after the last acknowledgement
    return reported;               // the dead connection closes: nothing more reaches the files
  };
  // Every other run checkpoints after almost every capture, so cuts also land in checkpoints;
  // the others let the WAL grow (where NORMAL loses its commits).
  auto autocheckpoint_of = [](std::int64_t run) { return run % 2 == 0 ? 8 : 1000; };
  // The writes and syncs of the captures, counted once for each checkpoint setting with the
  // power left on: each cut lands at one of them (a commit's WAL frames are one write or two,
  // so they are counted, not guessed).
  std::int64_t series_ops[2] = {0, 0};
  for (int setting = 0; setting < 2; ++setting) {
    const auto path = dir / ("count-" + std::to_string(setting) + ".db");
    std::filesystem::copy_file(tmpl, path);
    vfs.reset();
    std::int64_t before = 0;
    const auto acknowledged = series(path, autocheckpoint_of(setting), test::kShopStart,
                                     [&] { before = vfs.writes() + vfs.syncs(); });
    EXPECT_EQ(acknowledged.size(), static_cast<std::size_t>(kCaptures));
    series_ops[setting] = vfs.writes() + vfs.syncs() - before;
  }
  for (std::int64_t run = 0; run < runs; ++run) {
    const auto path = dir / ("run-" + std::to_string(run) + ".db");
    std::filesystem::copy_file(tmpl, path);
    vfs.reset();
    vfs.set_mode(FaultMode::PowerCut);
    // Cut anywhere in the captures (one op more: now and then after all of them).
    const auto reported =
        series(path, autocheckpoint_of(run), test::kShopStart + std::chrono::hours(run), [&] {
          vfs.arm_cut_after(1 + static_cast<std::int64_t>(
                                    rng() % static_cast<std::uint64_t>(series_ops[run % 2] + 1)));
        });
    vfs.reset();
    sync::Database db = test::open_terminal_db(path);
    const auto present = test::check_whole(db);
    std::int64_t lost = 0;
    for (const auto& id : reported) lost += present.count(id) == 0 ? 1 : 0;
    auto verified = Ledger(db).verify();
    EXPECT_TRUE(verified.ok() && verified.value().sound()) << "run " << run;
    out.reported += static_cast<std::int64_t>(reported.size());
    out.lost += lost;
    out.runs_losing += lost > 0 ? 1 : 0;
    if (::testing::Test::HasFailure()) break;
    std::filesystem::remove(path);
  }
  return out;
}

TEST(PowerCut, SynchronousFullLosesNoAcknowledgedCapture) {
  const auto runs = test::env_count("POS_POWERCUT_RUNS", 500);
  const auto t0 = std::chrono::steady_clock::now();
  const auto o = run_cuts(sync::Synchronous::Full, runs, 20261121U);
  const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "FULL: " << runs << " power cuts, " << o.reported << " captures acknowledged, "
            << o.lost << " lost (" << secs << " s)\n";
  RecordProperty("acknowledged", static_cast<int>(o.reported));
  EXPECT_GT(o.reported, runs);  // the cuts fell after many acknowledgements, not only before
  EXPECT_EQ(o.lost, 0);
}

TEST(PowerCut, SynchronousNormalControlDoesLoseCommits) {
  const auto runs = test::env_count("POS_POWERCUT_CONTROL_RUNS", 100);
  const auto o = run_cuts(sync::Synchronous::Normal, runs, 7U);
  std::cout << "NORMAL (control): " << runs << " power cuts, " << o.reported
            << " captures acknowledged, " << o.lost << " lost in " << o.runs_losing << " runs\n";
  EXPECT_GT(o.lost, 0) << "the control must show that NORMAL loses acknowledged commits";
}

}  // namespace
}  // namespace pos::ledger
