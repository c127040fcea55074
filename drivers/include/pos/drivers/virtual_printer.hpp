// The virtual printer: the default when no printer is configured or found. Each job's bytes go
// to SPOOL/<job>.bin, and a preview of what a printer would print to SPOOL/<job>.png (and the
// decoded text to SPOOL/<job>.txt) when a preview renderer is given.
//
// It always reports paper fine, cover closed, online; a spool folder that cannot be written is
// an I/O error like any other link's.
#pragma once

#include <pos/drivers/transport.hpp>
#include <pos/escpos/profile.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace pos::drivers {

struct JobPreview {
  Bytes png;
  std::string text;
};

// Turns a job's ESC/POS bytes into a picture and text (escpos's decoder, for the printer's
// profile). nullopt when the bytes cannot be decoded; the .bin file is written regardless.
using PreviewRenderer = std::function<std::optional<JobPreview>(ByteView escpos)>;

// The preview the terminal uses: escpos's decoder at the profile's dot width, as PNG and text.
// nullopt when the bytes hold a command the decoder does not know (the .bin is still written).
PreviewRenderer escpos_preview(std::shared_ptr<const escpos::PrinterProfile> profile);

class VirtualPrinter final : public Transport {
 public:
  explicit VirtualPrinter(std::filesystem::path spool_dir, PreviewRenderer preview = {});
  ~VirtualPrinter() override;

  WriteResult write(ByteView bytes, Deadline deadline) override;
  ReadResult read(std::size_t max_bytes, Deadline deadline) override;
  StatusResult status(Deadline deadline) override;
  // Writes the job's files: <job_name>.bin, and .png/.txt with a preview renderer.
  void end_job(std::string_view job_name) override;
  std::string describe() const override;
  void close() override;

  const std::filesystem::path& spool_dir() const { return dir_; }
  // The .bin file of the last finished job (empty before the first).
  const std::filesystem::path& last_job_file() const { return last_job_; }

 private:
  std::filesystem::path dir_;
  PreviewRenderer preview_;
  int fd_ = -1;    // the job being written
  Bytes pending_;  // its bytes, kept only for the preview
  std::size_t unnamed_jobs_ = 0;
  std::filesystem::path last_job_;
};

}  // namespace pos::drivers
