// JsonReader: reads required and optional fields of backend JSON, collecting what is missing.
//
// Private to the checkout library. Every parser of outside data (invoice, rules, evaluation,
// roster, reason codes, reprint policy) goes through it so that missing fields are named the
// same way everywhere ("lines[2].lineTotal") and nothing throws.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include <pos/checkout/clock.hpp>
#include <pos/checkout/invoice.hpp>
#include <pos/checkout/money.hpp>
#include <pos/checkout/refusal.hpp>

namespace pos::checkout::detail {

class JsonReader {
 public:
  // Field `name` of `object`, with `path` as the prefix for error names.
  const nlohmann::json* field(const nlohmann::json& object, const std::string& path,
                              const char* name, bool required) {
    const std::string full = path.empty() ? name : path + "." + name;
    if (!object.is_object()) {
      note_wrong(path.empty() ? "(top level)" : path, "an object");
      return nullptr;
    }
    const auto it = object.find(name);
    if (it == object.end() || it->is_null()) {
      if (required) missing.push_back(full);
      return nullptr;
    }
    return &*it;
  }

  std::optional<std::string> string(const nlohmann::json& object, const std::string& path,
                                    const char* name, bool required = true) {
    const auto* value = field(object, path, name, required);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) {
      note_wrong(join(path, name), "a string");
      return std::nullopt;
    }
    return value->get<std::string>();
  }

  std::optional<bool> boolean(const nlohmann::json& object, const std::string& path,
                              const char* name, bool required = true) {
    const auto* value = field(object, path, name, required);
    if (value == nullptr) return std::nullopt;
    if (!value->is_boolean()) {
      note_wrong(join(path, name), "true or false");
      return std::nullopt;
    }
    return value->get<bool>();
  }

  std::optional<std::int64_t> integer(const nlohmann::json& object, const std::string& path,
                                      const char* name, bool required = true) {
    const auto* value = field(object, path, name, required);
    if (value == nullptr) return std::nullopt;
    if (value->is_number_integer() && !value->is_number_unsigned())
      return value->get<std::int64_t>();
    if (value->is_number_unsigned() &&
        value->get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX)) {
      return static_cast<std::int64_t>(value->get<std::uint64_t>());
    }
    note_wrong(join(path, name), "a whole number");
    return std::nullopt;
  }

  std::optional<Timestamp> time(const nlohmann::json& object, const std::string& path,
                                const char* name, bool required = true) {
    const auto text = string(object, path, name, required);
    if (!text) return std::nullopt;
    if (auto t = parse_rfc3339(*text)) return t;
    note_wrong(join(path, name), "an RFC 3339 time");
    return std::nullopt;
  }

  std::optional<Money> money(const nlohmann::json& object, const std::string& path,
                             const char* name, bool required = true) {
    const auto* value = field(object, path, name, required);
    if (value == nullptr) return std::nullopt;
    auto parsed = money_from_json(*value);
    if (!parsed) {
      note_wrong(join(path, name), parsed.error().c_str());
      return std::nullopt;
    }
    return parsed.value();
  }

  template <class IdType>
  std::optional<IdType> id(const nlohmann::json& object, const std::string& path, const char* name,
                           bool required = true) {
    const auto text = string(object, path, name, required);
    if (!text) return std::nullopt;
    if (auto parsed = IdType::parse(*text)) return parsed;
    note_wrong(join(path, name), "an id");
    return std::nullopt;
  }

  const nlohmann::json* array(const nlohmann::json& object, const std::string& path,
                              const char* name, bool required = true) {
    const auto* value = field(object, path, name, required);
    if (value == nullptr) return nullptr;
    if (!value->is_array()) {
      note_wrong(join(path, name), "a list");
      return nullptr;
    }
    return value;
  }

  void note_wrong(const std::string& where, const char* expected) {
    if (wrong.empty()) wrong = where + " must be " + expected;
    wrong_fields.push_back(where);
  }

  [[nodiscard]] bool failed() const { return !missing.empty() || !wrong.empty(); }

  // A refusal naming every missing field and the first ill-typed one.
  [[nodiscard]] Refusal refusal(RefusalCode code) const {
    Refusal r{code, {}, missing};
    if (!missing.empty()) {
      r.detail = "missing: ";
      for (std::size_t i = 0; i < missing.size(); ++i) r.detail += (i ? ", " : "") + missing[i];
    }
    if (!wrong.empty()) r.detail += (r.detail.empty() ? "" : "; ") + wrong;
    return r;
  }

  static std::string join(const std::string& path, const char* name) {
    return path.empty() ? std::string(name) : path + "." + name;
  }
  static std::string index(const std::string& path, const char* name, std::size_t i) {
    return join(path, name) + "[" + std::to_string(i) + "]";
  }

  std::vector<std::string> missing;
  std::vector<std::string> wrong_fields;
  std::string wrong;
};

}  // namespace pos::checkout::detail
