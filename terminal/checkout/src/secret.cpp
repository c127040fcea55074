#include <pos/checkout/secret.hpp>

#include <sodium.h>

#include <cstring>

namespace pos::checkout {

SecretText::SecretText(std::string_view text)
    : bytes_(new char[text.size() + 1]), size_(text.size()) {
  std::memcpy(bytes_.get(), text.data(), text.size());
  bytes_[text.size()] = '\0';
}

SecretText SecretText::take(std::string& source) {
  SecretText secret{std::string_view(source)};
  sodium_memzero(source.data(), source.size());
  source.clear();
  return secret;
}

SecretText::SecretText(SecretText&& other) noexcept
    : bytes_(std::move(other.bytes_)), size_(other.size_) {
  other.size_ = 0;
}

SecretText& SecretText::operator=(SecretText&& other) noexcept {
  if (this != &other) {
    wipe();
    bytes_ = std::move(other.bytes_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

void SecretText::wipe() noexcept {
  if (bytes_) sodium_memzero(bytes_.get(), size_ + 1);
  bytes_.reset();
  size_ = 0;
}

}  // namespace pos::checkout
