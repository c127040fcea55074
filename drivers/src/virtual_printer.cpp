// The virtual printer (see virtual_printer.hpp). Files are written to a temporary name, synced
// and renamed, so a reader never sees half a job.
#include <pos/drivers/virtual_printer.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <pos/escpos/decoder.hpp>
#include <pos/escpos/image.hpp>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace pos::drivers {
namespace {

// A file name made only of safe characters: job names carry receipt references.
std::string safe_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    out.push_back(ok ? c : '_');
  }
  if (out.empty() || out.front() == '.') out.insert(out.begin(), 'j');
  return out.substr(0, 200);
}

// Spool files hold customer names and card last 4: private to the terminal's user (0600),
// whatever the umask, also when an older file of that name had other bits.
int open_private(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0 && ::fchmod(fd, 0600) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

// The spool folder and every folder made for it: 0700 whatever the umask (mkdir with 0700, then
// chmod, since a umask may also take the owner's bits). An existing spool folder of ours that
// others can read (one made by an older version or by hand) is closed too; folders above it
// that exist already are left as they are (they may be shared, like /tmp).
std::error_code make_private_folder(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path made;
  for (const auto& part : dir) {
    made /= part;
    if (made == made.root_path() || made.empty()) continue;
    if (::mkdir(made.c_str(), 0700) == 0) {
      if (::chmod(made.c_str(), 0700) != 0) return {errno, std::generic_category()};
    } else if (errno != EEXIST) {
      return {errno, std::generic_category()};
    }
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return {errno, std::generic_category()};
  if (!S_ISDIR(st.st_mode)) return std::make_error_code(std::errc::not_a_directory);
  if (st.st_uid == ::geteuid() && (st.st_mode & 0077) != 0 &&
      ::chmod(dir.c_str(), st.st_mode & 0700) != 0) {
    return {errno, std::generic_category()};
  }
  return ec;
}

bool write_file(const std::filesystem::path& path, ByteView data, std::string& error) {
  const auto tmp = path.string() + ".tmp";
  const int fd = open_private(tmp);
  if (fd < 0) {
    error = fmt::format("cannot create {}: {}", tmp, std::strerror(errno));
    return false;
  }
  std::size_t done = 0;
  while (done < data.size()) {
    const auto n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = fmt::format("cannot write {}: {}", tmp, std::strerror(errno));
      ::close(fd);
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    error = fmt::format("cannot rename {}: {}", tmp, std::strerror(errno));
    return false;
  }
  return true;
}

constexpr const char* kInProgress = ".job-in-progress.bin";

}  // namespace

PreviewRenderer escpos_preview(std::shared_ptr<const escpos::PrinterProfile> profile) {
  return [profile = std::move(profile)](ByteView bytes) -> std::optional<JobPreview> {
    if (!profile) return std::nullopt;
    auto decoded = escpos::decode(bytes, *profile);
    // A drawer pulse alone has nothing to show.
    if (decoded.picture.height == 0) return std::nullopt;
    return JobPreview{escpos::encode_png(decoded.picture), std::move(decoded.text)};
  };
}

VirtualPrinter::VirtualPrinter(std::filesystem::path spool_dir, PreviewRenderer preview)
    : dir_(std::move(spool_dir)), preview_(std::move(preview)) {}

VirtualPrinter::~VirtualPrinter() {
  close();
}

WriteResult VirtualPrinter::write(ByteView bytes, Deadline) {
  // The bytes reach the disk here, not at end_job(), so a spool folder that cannot be written
  // fails the write (FAILED, nothing printed) instead of losing a "printed" receipt.
  if (fd_ < 0) {
    if (const auto ec = make_private_folder(dir_))
      return {0, LinkError::kIo, fmt::format("spool folder {}: {}", dir_.string(), ec.message())};
    const auto path = dir_ / kInProgress;
    fd_ = open_private(path.string());
    if (fd_ < 0)
      return {0, LinkError::kIo,
              fmt::format("cannot create {}: {}", path.string(), std::strerror(errno))};
  }
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return {done, LinkError::kIo, fmt::format("spool write: {}", std::strerror(errno))};
    done += static_cast<std::size_t>(n);
  }
  if (preview_) pending_.insert(pending_.end(), bytes.begin(), bytes.end());
  return {bytes.size(), LinkError::kNone, {}};
}

ReadResult VirtualPrinter::read(std::size_t, Deadline) {
  return {{}, LinkError::kTimedOut, "the virtual printer sends nothing"};
}

StatusResult VirtualPrinter::status(Deadline) {
  if (const auto ec = make_private_folder(dir_))
    return {{}, LinkError::kIo, fmt::format("spool folder {}: {}", dir_.string(), ec.message())};
  return {{Paper::kOk, Cover::kClosed, Online::kOnline, false}, LinkError::kNone, {}};
}

void VirtualPrinter::end_job(std::string_view job_name) {
  if (fd_ < 0) return;  // nothing was written for this job
  ::close(fd_);
  fd_ = -1;
  const auto base = dir_ / safe_name(job_name);
  std::string error;
  auto bin = base;
  bin += ".bin";
  std::error_code ec;
  std::filesystem::rename(dir_ / kInProgress, bin, ec);
  if (!ec) last_job_ = bin;
  if (preview_) {
    if (auto p = preview_(pending_)) {
      auto png = base;
      png += ".png";
      write_file(png, p->png, error);
      auto txt = base;
      txt += ".txt";
      write_file(txt,
                 ByteView(reinterpret_cast<const std::uint8_t*>(p->text.data()), p->text.size()),
                 error);
    }
  }
  pending_.clear();
}

std::string VirtualPrinter::describe() const {
  return "virtual printer in " + dir_.string();
}

void VirtualPrinter::close() {
  // Bytes written without end_job() (a caller that is not the spooler) are kept, not lost.
  if (fd_ >= 0) end_job(fmt::format("unnamed-{}", ++unnamed_jobs_));
}

}  // namespace pos::drivers
