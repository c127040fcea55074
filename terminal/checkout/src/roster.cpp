// Roster parsing and Argon2id PIN verification (libsodium crypto_pwhash).
#include <pos/checkout/roster.hpp>

#include <sodium.h>

#include <cstring>
#include <stdexcept>

#include "json_reader.hpp"

namespace pos::checkout {

using detail::JsonReader;
using nlohmann::json;

namespace {

constexpr std::uint64_t kMaxOpsLimit = 16;
constexpr std::size_t kMaxMemLimit = std::size_t{1} << 30;

template <std::size_t N>
bool decode_base64(const std::string& text, std::array<std::uint8_t, N>& out) {
  std::size_t length = 0;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return false;
  }
  return length == N;
}

template <std::size_t N>
std::string encode_base64(const std::array<std::uint8_t, N>& bytes) {
  std::string out(sodium_base64_ENCODED_LEN(N, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

}  // namespace

bool pin_matches(const PinVerifier& verifier, const SecretText& pin) {
  if (sodium_init() < 0) return false;
  std::array<std::uint8_t, 32> computed{};
  const auto pin_bytes = pin.reveal();
  const int rc = crypto_pwhash(computed.data(), computed.size(), pin_bytes.data(), pin_bytes.size(),
                               verifier.salt.data(), verifier.ops_limit, verifier.mem_limit_bytes,
                               crypto_pwhash_ALG_ARGON2ID13);
  const bool match =
      rc == 0 && sodium_memcmp(computed.data(), verifier.hash.data(), computed.size()) == 0;
  sodium_memzero(computed.data(), computed.size());
  return match;
}

PinVerifier make_pin_verifier(const SecretText& pin, RandomSource& random, std::uint64_t ops_limit,
                              std::size_t mem_limit_bytes) {
  PinVerifier v{};
  std::array<std::byte, 16> salt{};
  random.fill(salt);
  for (std::size_t i = 0; i < salt.size(); ++i) v.salt[i] = std::to_integer<std::uint8_t>(salt[i]);
  v.ops_limit = ops_limit;
  v.mem_limit_bytes = mem_limit_bytes;
  if (sodium_init() < 0 ||
      crypto_pwhash(v.hash.data(), v.hash.size(), pin.reveal().data(), pin.size(), v.salt.data(),
                    ops_limit, mem_limit_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("crypto_pwhash failed (out of memory?)");
  }
  return v;
}

json to_json(const PinVerifier& v) {
  return json{{"alg", "argon2id"},
              {"salt", encode_base64(v.salt)},
              {"opsLimit", v.ops_limit},
              {"memLimitBytes", v.mem_limit_bytes},
              {"hash", encode_base64(v.hash)}};
}

const Staff* Roster::find(const UserId& user) const noexcept {
  for (const Staff& s : staff_) {
    if (s.user_id == user) return &s;
  }
  return nullptr;
}

bool Roster::fresh_at(Timestamp now) const noexcept {
  const auto age = now - issued_at_;
  return age <= max_offline_age_ && age >= -max_offline_age_;
}

Result<Roster, Refusal> parse_roster(const json& in) {
  JsonReader r;
  std::vector<Staff> staff;
  auto issued_at = r.time(in, "", "issuedAt");
  auto max_age = r.integer(in, "", "maxOfflineAgeSeconds");
  if (max_age && *max_age < 0) r.note_wrong("maxOfflineAgeSeconds", "zero or more");
  if (const auto* list = r.array(in, "", "staff")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const json& entry = (*list)[i];
      const std::string path = JsonReader::index("", "staff", i);
      auto user_id = r.id<UserId>(entry, path, "userId");
      auto display_name = r.string(entry, path, "displayName");
      PermissionSet permissions;
      if (const auto* names = r.array(entry, path, "permissions")) {
        for (const json& name : *names) {
          if (!name.is_string()) {
            r.note_wrong(path + ".permissions", "a list of strings");
            break;
          }
          if (auto p = permission_from_string(name.get_ref<const std::string&>()))
            permissions.grant(*p);
        }
      }
      auto payment_limit = r.money(entry, path, "paymentLimit", false);
      std::vector<Money> payment_limits;
      if (const auto* limits = r.array(entry, path, "paymentLimits", false)) {
        for (std::size_t k = 0; k < limits->size(); ++k) {
          auto m = money_from_json((*limits)[k]);
          if (!m) {
            r.note_wrong(JsonReader::index(path, "paymentLimits", k), "a Money");
            continue;
          }
          for (const Money& known : payment_limits) {
            if (known.currency() == m.value().currency())
              r.note_wrong(JsonReader::index(path, "paymentLimits", k), "one limit per currency");
          }
          payment_limits.push_back(m.value());
        }
      }
      std::optional<PinVerifier> verifier;
      const std::string vpath = path + ".pinVerifier";
      if (const auto* v = r.field(entry, path, "pinVerifier", true)) {
        auto alg = r.string(*v, vpath, "alg");
        auto salt = r.string(*v, vpath, "salt");
        auto ops = r.integer(*v, vpath, "opsLimit");
        auto mem = r.integer(*v, vpath, "memLimitBytes");
        auto hash = r.string(*v, vpath, "hash");
        PinVerifier pv{};
        bool good = alg && salt && ops && mem && hash;
        if (alg && *alg != "argon2id") {
          r.note_wrong(vpath + ".alg", "\"argon2id\"");
          good = false;
        }
        if (salt && !decode_base64(*salt, pv.salt)) {
          r.note_wrong(vpath + ".salt", "16 bytes of base64");
          good = false;
        }
        if (hash && !decode_base64(*hash, pv.hash)) {
          r.note_wrong(vpath + ".hash", "32 bytes of base64");
          good = false;
        }
        if (ops && (*ops < static_cast<std::int64_t>(crypto_pwhash_OPSLIMIT_MIN) ||
                    static_cast<std::uint64_t>(*ops) > kMaxOpsLimit)) {
          r.note_wrong(vpath + ".opsLimit", "between 1 and 16");
          good = false;
        }
        if (mem && (*mem < static_cast<std::int64_t>(crypto_pwhash_MEMLIMIT_MIN) ||
                    static_cast<std::uint64_t>(*mem) > kMaxMemLimit)) {
          r.note_wrong(vpath + ".memLimitBytes", "between 8 KiB and 1 GiB");
          good = false;
        }
        if (good) {
          pv.ops_limit = static_cast<std::uint64_t>(*ops);
          pv.mem_limit_bytes = static_cast<std::size_t>(*mem);
          verifier = pv;
        }
      }
      if (user_id && display_name && verifier) {
        staff.push_back(Staff{*user_id, *display_name, permissions, *verifier, payment_limit,
                              std::move(payment_limits)});
      }
    }
  }
  if (r.failed()) return fail(r.refusal(RefusalCode::RosterMalformed));
  return Roster{std::move(staff), *issued_at, std::chrono::seconds{*max_age}};
}

std::optional<Money> Staff::limit_in(Currency currency) const {
  for (const Money& m : payment_limits)
    if (m.currency() == currency) return m;
  if (payment_limit && payment_limit->currency() == currency) return payment_limit;
  if (!payment_limit && payment_limits.empty()) return std::nullopt;
  return Money::zero(currency);
}

}  // namespace pos::checkout
