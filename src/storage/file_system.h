#pragma once

// The seam between corvette's media writes and the file system, in the spirit of LevelDB's Env:
// the writers (the event processor's snapshots, ClipAssembler's clips) take a FileSystem, and
// tests give them one that fails chosen steps (tests/storage/fault_injecting_file_system.h).
//
// The primitives are the steps the kernel can fail: a write, an fsync, a rename. The durable
// writes (WriteFileAtomically, CommitTemporary) are built from them once, here, so a file system
// that fails a primitive fails the durable write at that step, with the same clean-up as a real
// failure.
//
// Errors are thrown as std::system_error: errno's code, the message naming the step and the path
// ("cannot fsync <path>: Input/output error").

#include <string>
#include <string_view>

namespace corvette::storage {

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates `path` (it must not exist), writes all of `bytes` to it and closes it; not durable.
  // On failure the file may be left with part of `bytes`.
  virtual void WriteNewFile(const std::string& path, std::string_view bytes) = 0;
  // fsync of the file at `path`: its content is durable.
  virtual void SyncFile(const std::string& path) = 0;
  // rename(2): `to` is replaced atomically.
  virtual void Rename(const std::string& from, const std::string& to) = 0;
  // fsync of a folder: a rename or removal in it is durable.
  virtual void SyncFolder(const std::string& folder) = 0;
  // Removes a file; false when there was none or it could not be removed. Never throws (it is the
  // clean-up of failures).
  virtual bool RemoveFile(const std::string& path) noexcept = 0;

  // Makes a written temporary durable under its final name: fsync of `temporary`, rename over
  // `final_path`, fsync of final_path's folder. When it returns, a crash (even a power loss) leaves
  // the complete file under `final_path`. When it throws, the temporary is removed and nothing of
  // it is left under `final_path` (when the folder's fsync failed, the renamed file is removed), so
  // a caller that claims the file only after a return never claims one a crash could lose. Both
  // paths must be in the same folder.
  virtual void CommitTemporary(const std::string& temporary, const std::string& final_path);
  // Writes `bytes` to `path` through a temporary beside it (media_layout.h's WriteTemporaryPath,
  // created exclusively) and CommitTemporary: after a crash `path` holds nothing, its old
  // content, or all of `bytes`. Throws as CommitTemporary, with no temporary left. Thread-safe when
  // the primitives are.
  virtual void WriteFileAtomically(const std::string& path, std::string_view bytes);
};

// The operating system's file system (POSIX calls; EINTR retried). Thread-safe.
class RealFileSystem final : public FileSystem {
 public:
  void WriteNewFile(const std::string& path, std::string_view bytes) override;
  void SyncFile(const std::string& path) override;
  void Rename(const std::string& from, const std::string& to) override;
  void SyncFolder(const std::string& folder) override;
  bool RemoveFile(const std::string& path) noexcept override;

  // The process-wide instance: the default of every Options that takes a FileSystem.
  static RealFileSystem& Instance();
};

}  // namespace corvette::storage
