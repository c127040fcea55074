// SecretText: a PIN or an elevation token, held only as long as needed and wiped afterwards.
//
// Why a type: secrets must never reach a log, the database, an error message or stdout
// (BILL-DEC-010, BILL-DEC-015). SecretText cannot be copied, printed or converted to a string;
// its bytes are wiped with sodium_memzero when it is destroyed, moved from, or wipe()d, so the
// compiler cannot drop the wipe as a dead store. reveal() exists for the two places that must
// see the bytes: the PIN hash and the HTTP request body.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace pos::checkout {

class SecretText {
 public:
  SecretText() = default;
  // Copies the bytes; the caller wipes its own buffer (or uses take()).
  explicit SecretText(std::string_view text);
  // Moves the text out of `source` and wipes what was there.
  [[nodiscard]] static SecretText take(std::string& source);

  SecretText(const SecretText&) = delete;
  SecretText& operator=(const SecretText&) = delete;
  SecretText(SecretText&& other) noexcept;
  SecretText& operator=(SecretText&& other) noexcept;
  ~SecretText() { wipe(); }

  void wipe() noexcept;
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::string_view reveal() const noexcept { return {bytes_.get(), size_}; }

 private:
  std::unique_ptr<char[]> bytes_;
  std::size_t size_ = 0;
};

}  // namespace pos::checkout
