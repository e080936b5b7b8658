#pragma once

#include <string>
#include <string_view>

namespace corvette::events {

// Writes `bytes` to `path` so that after a crash the path holds either nothing (or its old
// content) or all of `bytes`: a temporary file in the same folder ("<name>.tmp-<pid>-<n>", created
// exclusively), written, fsynced, renamed over `path`, then the folder fsynced. When it returns the
// file is durable. Throws std::system_error naming the path on failure (the temporary is removed).
// Thread-safe.
void WriteFileAtomically(const std::string& path, std::string_view bytes);

// True for the names WriteFileAtomically uses for its temporaries (for a startup sweep).
bool IsAtomicTemporaryName(std::string_view file_name);

}  // namespace corvette::events
