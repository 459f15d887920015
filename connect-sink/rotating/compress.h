// Compression of a rotated archive file into "<file>.gz" (gzip, zlib) or "<file>.zst" (zstd),
// published durably: the data goes to a hidden "<dir>/.<name>.<ext>.partial", is fsynced, renamed
// into place and the directory fsynced; only then is the plain file removed. A crash at any step
// leaves either the plain file, or both (the compressed one complete), never neither.
#pragma once

#include <atomic>
#include <string>

#include "common/confined_fs.h"

namespace sentinel::archive {

// "gz" or "zst" for "gzip" / "zstd"; "" for "none".
std::string codec_extension(const std::string& compression);

// The hidden temporary the compressed data is written to before it is renamed into place.
std::string partial_path(const std::string& plain_path, const std::string& ext);

enum class CompressResult { kDone, kStopped, kFailed };

// Compresses `plain_path` with `ext` ("gz" / "zst"), every file reached beneath `root`. kStopped
// (partial file removed) when `stop` became true; kFailed with *error naming the call and file.
CompressResult compress_file(const confined::Root& root, const std::string& plain_path,
                             const std::string& ext, const std::atomic<bool>& stop,
                             std::string* error);

}  // namespace sentinel::archive
