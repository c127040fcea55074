// The anchor file: the chain's length and head hash, kept apart from the database (issue 12).
//
// Layout: two 64-byte copies ("slots"), each "PLA1" | length (int64, little endian) | head (32
// bytes) | the first 20 bytes of SHA-256 over the 44 bytes before. A write puts the new record
// in the slot that does not hold the newest whole copy, so a torn write (power cut, two
// processes) leaves the other copy whole; a reader takes the whole copy with the larger length.
// The file is created whole (temporary file, fsync, rename, fsync of the directory), then
// updated in place under flock, never shortened.
//
// Why a record is not fsynced after every commit: the capture's commit is the one fsync a
// payment pays for (issue 14). The anchor only ever claims what is already committed with
// synchronous=FULL, so a power cut can leave it behind the database (an older claim, still
// true) but never ahead of it: no false alarm. Everything the OS has accepted survives a killed
// process and is what a stopped terminal holds on disk (a deleted -wal, a copied-back file).
// durable=true (shift close, verify) syncs it too.
#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "ledger_tables.hpp"

namespace pos::ledger {

namespace {

constexpr std::size_t kSlot = 64;
constexpr std::size_t kBody = 44;  // magic + length + head
constexpr std::size_t kCheck = 20;
constexpr char kMagic[4] = {'P', 'L', 'A', '1'};

using Slot = std::array<unsigned char, kSlot>;

Slot encode(const AnchorRecord& r) {
  Slot s{};
  std::memcpy(s.data(), kMagic, 4);
  auto len = static_cast<std::uint64_t>(r.length);
  for (int i = 0; i < 8; ++i) s[4 + static_cast<std::size_t>(i)] = (len >> (8 * i)) & 0xff;
  std::memcpy(s.data() + 12, r.head.data(), 32);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, s.data(), kBody);
  std::memcpy(s.data() + kBody, digest, kCheck);
  return s;
}

bool decode(const unsigned char* s, AnchorRecord& out) {
  if (std::memcmp(s, kMagic, 4) != 0) return false;
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, s, kBody);
  if (sodium_memcmp(digest, s + kBody, kCheck) != 0) return false;
  std::uint64_t len = 0;
  for (int i = 0; i < 8; ++i) len |= std::uint64_t{s[4 + i]} << (8 * i);
  if (len > static_cast<std::uint64_t>(INT64_MAX)) return false;
  out.length = static_cast<std::int64_t>(len);
  std::memcpy(out.head.data(), s + 12, 32);
  return true;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool write_all_at(int fd, const unsigned char* p, std::size_t n, off_t at) {
  while (n > 0) {
    const auto w = ::pwrite(fd, p, n, at);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
    at += w;
  }
  return true;
}

// Reads both slots; returns the index of the newest whole one (or -1) and its record.
int newest(const unsigned char* file, std::size_t size, AnchorRecord& out) {
  int best = -1;
  for (int i = 0; i < 2; ++i) {
    const auto off = static_cast<std::size_t>(i) * kSlot;
    if (size < off + kSlot) break;
    AnchorRecord r;
    if (decode(file + off, r) && (best < 0 || r.length > out.length)) {
      out = r;
      best = i;
    }
  }
  return best;
}

// A whole new file: both slots hold the record.
bool create(const std::filesystem::path& path, const AnchorRecord& r) {
  const auto tmp = std::filesystem::path{path.string() + ".tmp"};
  {
    Fd f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
    if (f.fd < 0) return false;
    const Slot s = encode(r);
    std::array<unsigned char, 2 * kSlot> both{};
    std::memcpy(both.data(), s.data(), kSlot);
    std::memcpy(both.data() + kSlot, s.data(), kSlot);
    if (!write_all_at(f.fd, both.data(), both.size(), 0) || ::fsync(f.fd) != 0) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return false;
  auto dir = path.parent_path();
  if (dir.empty()) dir = ".";
  Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  return d.fd >= 0 && ::fsync(d.fd) == 0;
}

}  // namespace

AnchorRead read_anchor(const std::filesystem::path& path, AnchorRecord& out) noexcept {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return errno == ENOENT ? AnchorRead::Missing : AnchorRead::Unreadable;
  std::array<unsigned char, 2 * kSlot> buf{};
  std::size_t got = 0;
  while (got < buf.size()) {
    const auto r = ::pread(f.fd, buf.data() + got, buf.size() - got, static_cast<off_t>(got));
    if (r < 0) return AnchorRead::Unreadable;
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return newest(buf.data(), got, out) >= 0 ? AnchorRead::Found : AnchorRead::Unreadable;
}

bool write_anchor(const std::filesystem::path& path, const AnchorRecord& record,
                  bool durable) noexcept {
  Fd f{::open(path.c_str(), O_RDWR | O_CLOEXEC)};
  if (f.fd < 0) return errno == ENOENT && create(path, record);
  if (::flock(f.fd, LOCK_EX) != 0) return false;
  std::array<unsigned char, 2 * kSlot> buf{};
  const auto got = ::pread(f.fd, buf.data(), buf.size(), 0);
  AnchorRecord current;
  const int best = newest(buf.data(), got > 0 ? static_cast<std::size_t>(got) : 0, current);
  // Never backwards: another process may have anchored a longer chain meanwhile.
  if (best >= 0 && current.length >= record.length) {
    if (current.length > record.length ||
        sodium_memcmp(current.head.data(), record.head.data(), record.head.size()) == 0) {
      return !durable || ::fdatasync(f.fd) == 0;
    }
  }
  const int slot = best == 0 ? 1 : 0;
  const Slot s = encode(record);
  if (!write_all_at(f.fd, s.data(), kSlot, static_cast<off_t>(slot) * static_cast<off_t>(kSlot)))
    return false;
  return !durable || ::fdatasync(f.fd) == 0;
}

}  // namespace pos::ledger
