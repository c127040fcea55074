// ReceiptContent -> mustache data -> layout text (values escaped, layout.hpp). Sections: mustache
// data, render_layout.
#include "mustache_view.hpp"

#include <algorithm>
#include <kainjow/mustache.hpp>
#include <mutex>

#include "layout.hpp"

namespace pos::escpos {
namespace {

namespace mu = kainjow::mustache;

// ---- mustache data ----------------------------------------------------------------------------
mu::data to_data(const ReceiptTemplate& tmpl, const ReceiptContent& c, bool narrow) {
  mu::data d;
  auto text = [&d](const char* key, const std::string& value) {
    if (!value.empty()) d.set(key, value);  // empty = absent, so {{#key}} sections vanish
  };
  text("shop_name", c.shop_name);
  mu::list shop_lines;
  for (const auto& l : c.shop_lines) shop_lines.push_back(mu::object{{"line", l}});
  d.set("shop_lines", shop_lines);
  text("tax_id", c.tax_id);
  text("receipt_reference", c.receipt_reference);
  text("invoice_number", c.invoice_number);
  text("payment_id", c.payment_id);
  text("terminal_id", c.terminal_id);
  text("cashier", c.cashier);
  text("local_time", c.local_time);
  text("currency", c.currency);
  d.set("narrow", narrow);
  d.set("wide", !narrow);
  const std::size_t max_lines =
      static_cast<std::size_t>(std::max(1, narrow ? tmpl.max_lines_narrow : tmpl.max_lines_wide));
  const bool summarise = c.lines.size() > max_lines;
  const std::size_t shown = summarise ? max_lines - 1 : c.lines.size();
  mu::list items;
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& l = c.lines[i];
    items.push_back(mu::object{{"quantity", l.quantity},
                               {"description", l.description},
                               {"unit_price", l.unit_price},
                               {"amount", l.amount}});
  }
  d.set("items", items);
  d.set("items_summarized", summarise);
  d.set("items_hidden_count", std::to_string(c.lines.size() - shown));
  d.set("items_count", std::to_string(c.lines.size()));
  mu::list totals;
  for (const auto& t : c.totals)
    totals.push_back(mu::object{{"label", t.label}, {"amount", t.amount}});
  d.set("totals", totals);
  text("total", c.total);
  mu::list tenders;
  for (const auto& t : c.tenders) {
    mu::object o{{"method", t.method}, {"amount", t.amount}};
    if (!t.detail.empty()) o.emplace("detail", t.detail);
    tenders.push_back(o);
  }
  d.set("tenders", tenders);
  d.set("has_cash", !c.cash_tendered.empty());
  text("cash_tendered", c.cash_tendered);
  text("change", c.change);
  d.set("paid_in_full", c.payment_state == PaymentState::PaidInFull);
  d.set("partial_payment", c.payment_state == PaymentState::PartialPayment);
  text("remaining_balance", c.remaining_balance);
  d.set("copy", c.copy.has_value());
  if (c.copy) {
    text("copy_mark", c.copy->mark);
    text("copy_time", c.copy->time);
    text("copy_user", c.copy->user);
    text("copy_reason", c.copy->reason);
  }
  d.set("logo", c.logo != nullptr);
  text("barcode", c.barcode);
  text("qr", c.qr);
  mu::list footer;
  for (const auto& l : c.footer) footer.push_back(mu::object{{"line", l}});
  d.set("footer", footer);
  return d;
}

}  // namespace

namespace detail {
struct CompiledTemplate {
  explicit CompiledTemplate(const std::string& body) : view(body) {}
  std::mutex lock;  // kainjow's render is not const (it records errors): one render at a time
  mu::mustache view;
};
}  // namespace detail

namespace {

Expected<std::string> render_with(detail::CompiledTemplate& compiled, const ReceiptTemplate& tmpl,
                                  const ReceiptContent& content, bool narrow) {
  const mu::data data = to_data(tmpl, content, narrow);
  const std::lock_guard<std::mutex> guard(compiled.lock);
  std::string layout = compiled.view.render(data);
  if (!compiled.view.is_valid()) {
    return Error{ErrorCode::TemplateSyntax, "mustache: " + compiled.view.error_message()};
  }
  return layout;
}

}  // namespace

Expected<std::shared_ptr<detail::CompiledTemplate>> compile_template(const std::string& body) {
  auto compiled = std::make_shared<detail::CompiledTemplate>(body);
  if (!compiled->view.is_valid()) {
    return Error{ErrorCode::TemplateSyntax, "mustache: " + compiled->view.error_message()};
  }
  compiled->view.set_custom_escape(layout::escape_value);
  return compiled;
}

Expected<std::string> render_layout(const ReceiptTemplate& tmpl, const ReceiptContent& content,
                                    bool narrow) {
  if (tmpl.compiled) return render_with(*tmpl.compiled, tmpl, content, narrow);
  auto compiled = compile_template(tmpl.body);
  if (!compiled) return compiled.error();
  return render_with(*compiled.value(), tmpl, content, narrow);
}

}  // namespace pos::escpos
