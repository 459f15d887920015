// fmt's out-of-line functions, compiled once for the whole tree from Debian's <fmt/format-inl.h>.
// Every other file includes <fmt/format.h> without FMT_HEADER_ONLY and so no longer compiles
// fmt's implementation itself (~5 s of CPU per file). A static library rather than Debian's
// libfmt.so: the lean programs (sentinel-agent...) link libstdc++ statically and must not map
// another shared object that needs libstdc++.so. The instantiations below are the templates that
// <fmt/format.h> and <fmt/core.h> declare but do not define outside header-only mode.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {

template FMT_API auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template FMT_API auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;

template FMT_API locale_ref::locale_ref(const std::locale& loc);
template FMT_API auto locale_ref::get<std::locale>() const -> std::locale;

template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<wchar_t>;
template FMT_API auto decimal_point_impl(locale_ref) -> char;
template FMT_API auto decimal_point_impl(locale_ref) -> wchar_t;

template FMT_API void buffer<char>::append(const char*, const char*);
template FMT_API void buffer<wchar_t>::append(const wchar_t*, const wchar_t*);

}  // namespace detail
FMT_END_NAMESPACE
