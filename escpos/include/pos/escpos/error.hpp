// pos::escpos errors: every expected failure of the library is a value (Expected<T>) carrying a
// stable code and a plain message. Sections: ErrorCode, message table, Error, Expected.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pos::escpos {

enum class ErrorCode : std::uint8_t {
  ProfileSyntax,         // a profile file is not valid TOML
  ProfileUnknownKey,     // a key the profile schema does not have (typo-proof: refused)
  ProfileBadValue,       // wrong type or out of range
  ProfileMissingKey,     // required after inheritance, still absent
  ProfileUnknownParent,  // `inherits` names no loaded profile
  ProfileInheritCycle,   // a inherits b inherits a
  ProfileDuplicate,      // two files with the same id
  ProfileNotFound,       // lookup of an id that is not loaded
  TemplateSyntax,        // template file is not valid TOML / mustache
  TemplateUnknownKey,    // a key the template file schema does not have
  TemplateBadDirective,  // a layout line (@...) that is not understood
  TemplateNotFound,      // no template with that id and version
  ImageDecode,           // bytes are not a readable PNG
  ImageTooLarge,         // an image beyond the limits we accept
  BarcodeInvalid,        // data CODE128 cannot carry (non-ASCII, too long, empty)
  QrInvalid,             // data too long for a QR code
  StatusBadPattern,      // a byte without the fixed status bit pattern
  StatusBadLength,       // an ASB block that is not 4 bytes
  StatusBadQuery,        // DLE EOT n with n outside 1..4
  DrawerUnavailable,     // the profile has no such drawer pin
  Count
};

inline constexpr std::array<std::string_view, static_cast<std::size_t>(ErrorCode::Count)>
    kErrorCodeNames = {
        "PROFILE_SYNTAX",       "PROFILE_UNKNOWN_KEY",    "PROFILE_BAD_VALUE",
        "PROFILE_MISSING_KEY",  "PROFILE_UNKNOWN_PARENT", "PROFILE_INHERIT_CYCLE",
        "PROFILE_DUPLICATE",    "PROFILE_NOT_FOUND",      "TEMPLATE_SYNTAX",
        "TEMPLATE_UNKNOWN_KEY", "TEMPLATE_BAD_DIRECTIVE", "TEMPLATE_NOT_FOUND",
        "IMAGE_DECODE",         "IMAGE_TOO_LARGE",        "BARCODE_INVALID",
        "QR_INVALID",           "STATUS_BAD_PATTERN",     "STATUS_BAD_LENGTH",
        "STATUS_BAD_QUERY",     "DRAWER_UNAVAILABLE",
};
static_assert(kErrorCodeNames.size() == static_cast<std::size_t>(ErrorCode::Count),
              "one stable name per ErrorCode");

constexpr std::string_view error_code_name(ErrorCode code) {
  return kErrorCodeNames.at(static_cast<std::size_t>(code));
}

struct Error {
  ErrorCode code;
  std::string message;  // plain text, never contains receipt data beyond names of keys/files
};

// The library's result type: a value or an Error, checked before use.
template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Expected(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<0>(state_); }
  T& value() & { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const Error& error() const { return std::get<1>(state_); }
  const T* operator->() const { return &value(); }
  const T& operator*() const { return value(); }

 private:
  std::variant<T, Error> state_;
};

}  // namespace pos::escpos
