// gzip and zstd compression of rotated files, with a durable publish.
#include "compress.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <memory>
#include <vector>

#include "archive_state.h"
#include "common/errno_text.h"

namespace sentinel::archive {
namespace {

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t w = ::write(fd, data, size);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return false;
    data += w;
    size -= static_cast<size_t>(w);
  }
  return true;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// One codec behind a common shape: feed input, drain output into `sink`.
class Encoder {
 public:
  virtual ~Encoder() = default;
  // Compresses `in` (end=true: the last call); false on a codec error.
  virtual bool feed(const char* in, size_t size, bool end, std::vector<char>* out) = 0;
};

class GzipEncoder : public Encoder {
 public:
  GzipEncoder() { ok_ = deflateInit2(&z_, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK; }
  ~GzipEncoder() override { deflateEnd(&z_); }
  bool ok() const { return ok_; }
  bool feed(const char* in, size_t size, bool end, std::vector<char>* out) override {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in));
    z_.avail_in = static_cast<uInt>(size);
    char buf[1 << 16];
    for (;;) {
      z_.next_out = reinterpret_cast<Bytef*>(buf);
      z_.avail_out = sizeof buf;
      int rc = deflate(&z_, end ? Z_FINISH : Z_NO_FLUSH);
      if (rc == Z_STREAM_ERROR) return false;
      out->insert(out->end(), buf, buf + (sizeof buf - z_.avail_out));
      if (end ? rc == Z_STREAM_END : (z_.avail_in == 0 && z_.avail_out != 0)) return true;
    }
  }

 private:
  z_stream z_{};
  bool ok_ = false;
};

class ZstdEncoder : public Encoder {
 public:
  ZstdEncoder() : cctx_(ZSTD_createCCtx()) {
    if (cctx_) ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, 3);
  }
  ~ZstdEncoder() override { ZSTD_freeCCtx(cctx_); }
  bool ok() const { return cctx_ != nullptr; }
  bool feed(const char* in, size_t size, bool end, std::vector<char>* out) override {
    ZSTD_inBuffer input{in, size, 0};
    std::vector<char> buf(ZSTD_CStreamOutSize());
    for (;;) {
      ZSTD_outBuffer output{buf.data(), buf.size(), 0};
      size_t remaining =
          ZSTD_compressStream2(cctx_, &output, &input, end ? ZSTD_e_end : ZSTD_e_continue);
      if (ZSTD_isError(remaining)) return false;
      out->insert(out->end(), buf.data(), buf.data() + output.pos);
      if (end ? remaining == 0 : input.pos == input.size) return true;
    }
  }

 private:
  ZSTD_CCtx* cctx_;
};

}  // namespace

std::string codec_extension(const std::string& compression) {
  if (compression == "gzip") return "gz";
  if (compression == "zstd") return "zst";
  return "";
}

std::string partial_path(const std::string& plain_path, const std::string& ext) {
  size_t slash = plain_path.rfind('/');
  std::string dir = slash == std::string::npos ? "" : plain_path.substr(0, slash + 1);
  std::string name = slash == std::string::npos ? plain_path : plain_path.substr(slash + 1);
  return dir + "." + name + "." + ext + ".partial";
}

CompressResult compress_file(const confined::Root& root, const std::string& plain_path,
                             const std::string& ext, const std::atomic<bool>& stop,
                             std::string* error) {
  std::string partial = partial_path(plain_path, ext);
  std::string final_path = plain_path + "." + ext;
  std::string ignored;
  auto fail = [&](const std::string& call, const std::string& file, int err) {
    *error =
        "compression of \"" + plain_path + "\": " + call + "(\"" + file + "\"): " + errno_text(err);
    root.unlink(partial, &ignored);
    return CompressResult::kFailed;
  };
  auto refused = [&](const std::string& why) {
    *error = "compression of \"" + plain_path + "\": " + why;
    root.unlink(partial, &ignored);
    return CompressResult::kFailed;
  };
  std::string why;
  Fd in{root.open_file(plain_path, O_RDONLY, 0, &why)};
  if (in.fd < 0) return refused(why);
  Fd out{root.open_file(partial, O_WRONLY | O_CREAT | O_TRUNC, 0644, &why)};
  if (out.fd < 0) return refused(why);
  std::unique_ptr<Encoder> enc;
  if (ext == "gz") {
    auto g = std::make_unique<GzipEncoder>();
    if (g->ok()) enc = std::move(g);
  } else if (ext == "zst") {
    auto z = std::make_unique<ZstdEncoder>();
    if (z->ok()) enc = std::move(z);
  }
  if (!enc) {
    return refused("cannot initialise codec " + ext);
  }
  std::vector<char> buf(1 << 20);
  std::vector<char> packed;
  for (;;) {
    if (stop) {
      root.unlink(partial, &ignored);
      return CompressResult::kStopped;
    }
    ssize_t r = ::read(in.fd, buf.data(), buf.size());
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return fail("read", plain_path, errno);
    packed.clear();
    if (!enc->feed(buf.data(), static_cast<size_t>(r), r == 0, &packed)) {
      return refused("codec " + ext + " failed");
    }
    if (!write_all(out.fd, packed.data(), packed.size())) return fail("write", partial, errno);
    if (r == 0) break;
  }
  if (::fsync(out.fd) != 0) return fail("fsync", partial, errno);
  int fd = out.fd;
  out.fd = -1;
  if (::close(fd) != 0) return fail("close", partial, errno);
  if (!root.rename(partial, final_path, &why)) return refused(why);
  std::string dir = dir_of(plain_path);
  Fd d{root.open_dir(dir, &why)};
  if (d.fd < 0) return refused(why);
  if (::fsync(d.fd) != 0) return fail("fsync", dir, errno);
  // The compressed copy is durable: the plain file can go.
  if (!root.unlink(plain_path, &why) && errno != ENOENT) return refused(why);
  ::fsync(d.fd);
  return CompressResult::kDone;
}

}  // namespace sentinel::archive
