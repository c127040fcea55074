// Google Benchmark: the receipt of ../shared/bench/escpos_peer_bench.js (same content: shop
// header, invoice line, 3..8 items with accents and a euro sign, subtotal/tax/total, cash
// tendered and change, deposit, PARTIAL PAYMENT remaining balance, CODE128 of the invoice
// number, QR of the receipt URL, partial cut; 80 mm, 48 columns, font A, Epson TM-T20III
// profile, native QR) encoded by pos::escpos, plus the template path and the decoder.
// Counters: receipts/s (items_per_second), bytes/receipt. Run from the Release build:
//   build-escpos-release/tests/escpos/escpos_bench --benchmark_min_time=2s
#include <benchmark/benchmark.h>

#include <array>
#include <charconv>
#include <cmath>
#include <pos/escpos/decoder.hpp>
#include <pos/escpos/encoder.hpp>
#include <pos/escpos/profile_files.hpp>
#include <pos/escpos/receipt.hpp>

namespace pos::escpos {
namespace {

// ---- the peer benchmark's receipt data (makeReceipt in escpos_peer_bench.js) -------------------
struct CatalogItem {
  const char* name;
  long price;
};
constexpr CatalogItem kCatalog[] = {
    {"Diagnostic check", 2500},    {"Screen protector fitting", 900},
    {"Battery replacement", 4990}, {"Cleaning service", 1200},
    {"Café crème", 320},           {"Cable USB-C 1m", 799},
    {"Labour (per 15 min)", 1500}, {"Data backup", 3000},
    {"Keyboard repair kit", 2150}, {"Express handling fee", 500},
    {"Phone case (black)", 1499},  {"Warranty extension 12m", 3900},
};
constexpr long kTaxBp = 825;

struct Item {
  long qty;
  const char* name;
  long price;
  long amount;
};

struct PeerReceipt {
  std::vector<Item> items;
  long subtotal, tax, total, deposit, tendered, change, remaining;
  std::string invoice, url;
};

PeerReceipt make_receipt(int i) {
  PeerReceipt r;
  const int count = 3 + (i % 6);
  r.subtotal = 0;
  for (int k = 0; k < count; ++k) {
    const auto& c = kCatalog[(i * 7 + k * 5) % 12];
    const long qty = 1 + ((i + k) % 3);
    r.items.push_back({qty, c.name, c.price, qty * c.price});
    r.subtotal += qty * c.price;
  }
  r.tax = std::lround(static_cast<double>(r.subtotal * kTaxBp) / 10000.0);  // Math.round
  r.total = r.subtotal + r.tax;
  r.deposit = std::max(
      100L, static_cast<long>(std::floor(static_cast<double>(r.total) * 0.6 / 100.0)) * 100);
  r.tendered = static_cast<long>(std::ceil(static_cast<double>(r.deposit + 1) / 1000.0)) * 1000;
  r.change = r.tendered - r.deposit;
  r.remaining = r.total - r.deposit;
  r.invoice = "INV-" + std::to_string(100000 + i);
  r.url = "https://shop.example/r/" + r.invoice;
  return r;
}

// money(cents) of the JS: "12.34"; formatted per receipt, as the peers do.
struct Money {
  std::array<char, 24> buf{};
  std::size_t len = 0;
  explicit Money(long cents, const char* suffix = "") {
    char* p = buf.data();
    if (cents < 0) *p++ = '-';
    const long a = std::labs(cents);
    p = std::to_chars(p, buf.data() + 16, a / 100).ptr;
    *p++ = '.';
    *p++ = static_cast<char>('0' + (a % 100) / 10);
    *p++ = static_cast<char>('0' + a % 10);
    for (const char* s = suffix; *s != 0; ++s) *p++ = *s;
    len = static_cast<std::size_t>(p - buf.data());
  }
  std::string_view view() const { return {buf.data(), len}; }
};

const PrinterProfile& tm_t20iii() {
  static const ProfileCatalog catalog =
      load_profile_directory(std::filesystem::path(POS_ASSETS_DIR) / "printers").value();
  return *catalog.find("epson-tm-t20iii");
}

const std::vector<PeerReceipt>& receipts() {
  static const std::vector<PeerReceipt> all = [] {
    std::vector<PeerReceipt> v;
    for (int i = 0; i < 60; ++i) v.push_back(make_receipt(i));
    return v;
  }();
  return all;
}

// The peers' layout: 4/22/9/10 item columns, 36/12 totals, 24/24 header.
void encode_peer_receipt(Encoder& e, const PeerReceipt& r) {
  e.initialize().align(Align::Center).emphasis(Emphasis::DoubleWidth | Emphasis::DoubleHeight);
  e.line("ACME SERVICE COUNTER").emphasis(Emphasis::None);
  e.line("12 Market Street, Springfield")
      .line("Tel 555-0100  VAT NL123456789B01")
      .align(Align::Left);
  const Column head[] = {{r.invoice, 0, Align::Left}, {"2024-05-01 14:32", 24, Align::Right}};
  e.row(head);
  e.line("Clerk: Sam").rule();
  const Column titles[] = {{"Qty", 4, Align::Right},
                           {"Item", 0, Align::Left},
                           {"Price", 9, Align::Right},
                           {"Amount", 10, Align::Right}};
  e.row(titles).rule();
  for (const auto& it : r.items) {
    char qty[8];
    const auto q = std::to_chars(qty, qty + sizeof(qty), it.qty);
    const Money price(it.price), amount(it.amount);
    const Column cols[] = {
        {std::string_view(qty, static_cast<std::size_t>(q.ptr - qty)), 4, Align::Right},
        {it.name, 0, Align::Left},
        {price.view(), 9, Align::Right},
        {amount.view(), 10, Align::Right}};
    e.row(cols);
  }
  e.rule();
  auto two = [&e](std::string_view label, std::string_view amount) {
    const Column c[] = {{label, 0, Align::Left}, {amount, 12, Align::Right}};
    e.row(c);
  };
  two("Subtotal", Money(r.subtotal).view());
  two("Tax 8.25%", Money(r.tax).view());
  e.emphasis(Emphasis::Bold);
  two("TOTAL EUR", Money(r.total, " €").view());
  e.emphasis(Emphasis::None);
  two("CASH tendered", Money(r.tendered).view());
  two("Change", Money(r.change).view());
  two("Paid (deposit)", Money(r.deposit).view());
  e.emphasis(Emphasis::Bold);
  two("PARTIAL PAYMENT remaining balance", Money(r.remaining, " €").view());
  e.emphasis(Emphasis::None).newline().align(Align::Center);
  (void)e.barcode128(r.invoice, {60, 2, HriPosition::Below});
  e.newline();
  (void)e.qr(r.url, {5, QrErrorCorrection::M});
  e.line("Thank you - keep this receipt").cut(Cut::Partial);
}

void BM_EncodePeerReceipt(benchmark::State& state) {
  Encoder e(tm_t20iii());
  const auto& all = receipts();
  std::size_t i = 0, bytes = 0, n = 0;
  for (auto _ : state) {
    e.clear();
    encode_peer_receipt(e, all[i++ % all.size()]);
    benchmark::DoNotOptimize(e.bytes().data());
    bytes += e.bytes().size();
    ++n;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.counters["bytes_per_receipt"] = static_cast<double>(bytes) / static_cast<double>(n);
  state.counters["replaced"] = static_cast<double>(e.replaced_characters());
}
BENCHMARK(BM_EncodePeerReceipt)->UseRealTime();  // wall clock, as the JS peers measure

// Same, but a new Encoder and a fresh byte vector handed out per receipt (no buffer reuse).
void BM_EncodePeerReceiptFreshBuffer(benchmark::State& state) {
  const auto& all = receipts();
  std::size_t i = 0, bytes = 0, n = 0;
  for (auto _ : state) {
    Encoder e(tm_t20iii());
    encode_peer_receipt(e, all[i++ % all.size()]);
    auto out = e.take_bytes();
    benchmark::DoNotOptimize(out.data());
    bytes += out.size();
    ++n;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.counters["bytes_per_receipt"] = static_cast<double>(bytes) / static_cast<double>(n);
}
BENCHMARK(BM_EncodePeerReceiptFreshBuffer)->UseRealTime();  // wall clock, as the JS peers measure

// The content of the production path as the app fills it in: every amount formatted, every
// string its own.
ReceiptContent counter_content(const PeerReceipt& r) {
  ReceiptContent c;
  c.shop_name = "ACME SERVICE COUNTER";
  c.shop_lines = {"12 Market Street, Springfield", "Tel 555-0100"};
  c.tax_id = "NL123456789B01";
  c.receipt_reference = "RCP-" + r.invoice + "-20240501T123200Z-001";
  c.invoice_number = r.invoice;
  c.cashier = "Sam";
  c.local_time = "2024-05-01 14:32 CEST";
  c.currency = "EUR";
  for (const auto& it : r.items) {
    c.lines.push_back({std::to_string(it.qty), it.name, std::string(Money(it.price).view()),
                       std::string(Money(it.amount).view())});
  }
  c.totals = {{"Subtotal", std::string(Money(r.subtotal).view())},
              {"Tax 8.25%", std::string(Money(r.tax).view())}};
  c.total = std::string(Money(r.total, " €").view());
  c.tenders = {{"CASH", std::string(Money(r.deposit).view()), ""}};
  c.cash_tendered = std::string(Money(r.tendered).view());
  c.change = std::string(Money(r.change).view());
  c.payment_state = PaymentState::PartialPayment;
  c.remaining_balance = std::string(Money(r.remaining, " €").view());
  c.barcode = r.invoice;
  c.qr = r.url;
  c.footer = {"Thank you - keep this receipt"};
  return c;
}

const ReceiptTemplate& counter_template() {
  static const auto templates =
      load_template_directory(std::filesystem::path(POS_ASSETS_DIR) / "templates").value();
  static const auto tmpl = templates.latest("counter-receipt").value();
  return *tmpl;
}

// The production path: the same content through the counter-receipt template (compiled once
// into a program of layout operations; see template_program.hpp). The content is built once.
void BM_RenderCounterTemplate(benchmark::State& state) {
  const ReceiptTemplate* tmpl = &counter_template();
  std::vector<ReceiptContent> contents;
  for (const auto& r : receipts()) contents.push_back(counter_content(r));
  std::size_t i = 0, bytes = 0, n = 0;
  for (auto _ : state) {
    auto out = render_receipt(*tmpl, contents[i++ % contents.size()], tm_t20iii());
    benchmark::DoNotOptimize(out.value().bytes.data());
    bytes += out.value().bytes.size();
    ++n;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.counters["bytes_per_receipt"] = static_cast<double>(bytes) / static_cast<double>(n);
}
BENCHMARK(BM_RenderCounterTemplate)->UseRealTime();  // wall clock, as the JS peers measure

// The same, with the content built per receipt too (amounts formatted, strings allocated), as
// the JS peers format theirs per receipt: the whole production path from the sale's figures.
void BM_RenderCounterTemplateWithContent(benchmark::State& state) {
  const ReceiptTemplate& tmpl = counter_template();
  const auto& all = receipts();
  std::size_t i = 0, bytes = 0, n = 0;
  for (auto _ : state) {
    const ReceiptContent c = counter_content(all[i++ % all.size()]);
    auto out = render_receipt(tmpl, c, tm_t20iii());
    benchmark::DoNotOptimize(out.value().bytes.data());
    bytes += out.value().bytes.size();
    ++n;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.counters["bytes_per_receipt"] = static_cast<double>(bytes) / static_cast<double>(n);
}
BENCHMARK(BM_RenderCounterTemplateWithContent)->UseRealTime();  // wall clock, as the JS peers

void decode_bench(benchmark::State& state, DrawMode mode) {
  std::vector<std::vector<std::uint8_t>> encoded;
  for (const auto& r : receipts()) {
    Encoder e(tm_t20iii());
    encode_peer_receipt(e, r);
    encoded.push_back(e.take_bytes());
  }
  std::size_t i = 0, bytes = 0, n = 0;
  for (auto _ : state) {
    const auto& in = encoded[i++ % encoded.size()];
    auto d = decode(in, tm_t20iii(), mode);
    benchmark::DoNotOptimize(d.text.data());
    bytes += in.size();
    ++n;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
void BM_DecodeTextOnly(benchmark::State& state) {
  decode_bench(state, DrawMode::TextOnly);
}
void BM_DecodeWithPicture(benchmark::State& state) {
  decode_bench(state, DrawMode::TextAndPicture);
}
BENCHMARK(BM_DecodeTextOnly)->UseRealTime();     // wall clock, as the JS peers measure
BENCHMARK(BM_DecodeWithPicture)->UseRealTime();  // wall clock, as the JS peers measure

void BM_PreviewPng(benchmark::State& state) {
  Encoder e(tm_t20iii());
  encode_peer_receipt(e, receipts()[5]);
  const auto d = decode(e.bytes(), tm_t20iii());
  std::size_t n = 0;
  for (auto _ : state) {
    auto png = encode_png(d.picture);
    benchmark::DoNotOptimize(png.data());
    ++n;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
}
BENCHMARK(BM_PreviewPng)->UseRealTime();  // wall clock, as the JS peers measure

}  // namespace
}  // namespace pos::escpos

BENCHMARK_MAIN();
