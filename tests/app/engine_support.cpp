#include "engine_support.hpp"

#include <stdexcept>

namespace pos::enginetest {

Counter::Counter(const std::string& dataDir, TestClock& clock, const CounterOptions& options) {
  app::ConfigOverrides o;
  o.dataDir = dataDir;
  o.backend = options.backendUrl;
  if (!options.tokenFile.empty()) o.tokenFile = options.tokenFile;
  o.terminalId = std::string(e2e::kTerminalId);
  if (!options.printerUri.empty()) o.printerUri = options.printerUri;
  if (!options.configToml.empty()) {
    configDir_ = std::make_unique<testing::TempDir>();
    testing::writeFile(configDir_->file("terminal.toml"), options.configToml);
    o.configFile = configDir_->file("terminal.toml");
  }
  auto config = app::loadConfig(o, POS_ASSETS_DIR);
  if (auto* e = std::get_if<app::ConfigError>(&config))
    throw std::runtime_error("config: " + e->describe());
  auto opened = app::Terminal::open(std::get<app::TerminalConfig>(std::move(config)),
                                    app::OpenMode::ReadWrite, &clock);
  if (auto* e = std::get_if<app::StartupError>(&opened))
    throw std::runtime_error("open: " + e->message);
  terminal_ = std::move(std::get<std::unique_ptr<app::Terminal>>(opened));
  auto printer = app::PrinterService::open(*terminal_);
  if (auto* e = std::get_if<app::StartupError>(&printer))
    throw std::runtime_error("printer: " + e->message);
  printer_ = std::move(std::get<std::unique_ptr<app::PrinterService>>(printer));
  renderer_ = std::make_unique<app::ReceiptRenderer>(*terminal_);
  engine_ = std::make_unique<app::CounterEngine>(*terminal_, *printer_, *renderer_, options.engine);
}

Counter::~Counter() {
  engine_.reset();  // the worker stops before the parts it uses go
}

std::shared_ptr<const app::Snapshot> Counter::step(app::Intent intent) {
  engine_->post(std::move(intent));
  return engine_->settle(std::chrono::minutes(2));
}

std::shared_ptr<const app::Snapshot> Counter::signIn(const char* who, const char* digits) {
  return step(app::intent::SignIn{user(who), pin(digits)});
}

std::shared_ptr<const app::Snapshot> Counter::cash(const std::string& amount,
                                                   std::optional<std::string> tendered,
                                                   app::ReceiptChoice receipt) {
  app::intent::TakePayment p;
  p.tender = checkout::TenderKind::Cash;
  p.amount = amount;
  p.tendered = std::move(tendered);
  p.receipt = receipt;
  return step(std::move(p));
}

void EngineShop::SetUp() {
  term.online(backend);
  auto pulled = term.run({"pull"});
  ASSERT_RUN(pulled, 0);
}

CounterOptions EngineShop::online(std::string printerUri) const {
  CounterOptions o;
  o.backendUrl = backend.url();
  o.tokenFile = term.tokenFile();
  o.printerUri = std::move(printerUri);
  return o;
}

json EngineShop::queue() const {
  auto r = term.run({"queue"});
  if (r.exitCode != 0 || !r.json.is_object()) throw std::runtime_error("queue: " + r.describe());
  return r.json;
}

}  // namespace pos::enginetest
