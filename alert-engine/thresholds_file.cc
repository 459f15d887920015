// The thresholds file shared by the HTTP error-rate rules and sentinel-thresholds (see
// thresholds_file.h).
#include "alert-engine/thresholds_file.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/config.h"
#include "common/whole_file.h"

namespace sentinel::alerts {

const char* dimension_name(Dimension d) {
  switch (d) {
    case Dimension::kGlobal:
      return "global";
    case Dimension::kIp:
      return "ip";
    case Dimension::kUrl:
      return "url";
  }
  return "?";
}

const char* status_class_name(StatusClass c) { return c == StatusClass::k5xx ? "5xx" : "4xx"; }

const DimensionThresholds& Thresholds::of(Dimension d) const {
  switch (d) {
    case Dimension::kGlobal:
      return global;
    case Dimension::kIp:
      return ip;
    case Dimension::kUrl:
      return url;
  }
  return global;
}

DimensionThresholds& Thresholds::of(Dimension d) {
  return const_cast<DimensionThresholds&>(std::as_const(*this).of(d));
}

std::optional<double> Thresholds::lookup(Dimension d, StatusClass c, std::string_view key) const {
  const DimensionThresholds& dim = of(d);
  if (!dim.keys.empty()) {
    // The map's comparator is not transparent: look up through a reused string, no allocation
    // once it has grown.
    thread_local std::string buffer;
    buffer.assign(key);
    if (auto it = dim.keys.find(buffer); it != dim.keys.end()) {
      if (auto v = it->second.get(c)) return v;
    }
  }
  return dim.shares.get(c);
}

namespace {

bool same(const ClassShares& a, const ClassShares& b) {
  return a.err5xx == b.err5xx && a.err4xx == b.err4xx;
}

bool same(const DimensionThresholds& a, const DimensionThresholds& b) {
  if (!same(a.shares, b.shares) || a.keys.size() != b.keys.size()) return false;
  for (auto ia = a.keys.begin(), ib = b.keys.begin(); ia != a.keys.end(); ++ia, ++ib) {
    if (ia->first != ib->first || !same(ia->second, ib->second)) return false;
  }
  return true;
}

std::string number_text(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : std::to_string(v);
}

const char* type_name(const nlohmann::json& j) {
  if (j.is_null()) return "null";
  if (j.is_boolean()) return "a boolean";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "an array";
  return "an object";
}

class ThresholdsReader {
 public:
  explicit ThresholdsReader(const std::string& source) : source_(source) {}

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw ConfigError(source_ + ": " + (path.empty() ? "" : path + ": ") + what);
  }

  double share(const nlohmann::json& j, const std::string& path) const {
    if (!j.is_number()) {
      fail(path, std::string("expected a share between 0 and 1, got ") + type_name(j));
    }
    double v = j.get<double>();
    if (!(v >= 0.0 && v <= 1.0)) {
      fail(path, "expected a share between 0 and 1, got " + number_text(v));
    }
    return v;
  }

  // A number (both classes) or {"5xx", "4xx"} (and "keys" when allow_keys).
  ClassShares classes(const nlohmann::json& j, const std::string& path,
                      DimensionThresholds* dim) const {
    ClassShares out;
    if (j.is_number()) {
      double v = share(j, path);
      out.err5xx = v;
      out.err4xx = v;
      return out;
    }
    if (!j.is_object()) {
      fail(path, std::string(dim ? "expected a share or an object with 5xx, 4xx and keys, got "
                                 : "expected a share or an object with 5xx and 4xx, got ") +
                     type_name(j));
    }
    for (const auto& [k, v] : j.items()) {
      std::string sub = path + "." + k;
      if (k == "5xx") {
        out.err5xx = share(v, sub);
      } else if (k == "4xx") {
        out.err4xx = share(v, sub);
      } else if (k == "keys" && dim) {
        if (!v.is_object()) fail(sub, std::string("expected an object, got ") + type_name(v));
        for (const auto& [key, value] : v.items()) {
          dim->keys[key] = classes(value, sub + "." + key, nullptr);
        }
      } else {
        fail(sub,
             dim ? "unknown key: expected 5xx, 4xx or keys" : "unknown key: expected 5xx or 4xx");
      }
    }
    return out;
  }

 private:
  const std::string& source_;
};

}  // namespace

bool Thresholds::operator==(const Thresholds& other) const {
  return same(global, other.global) && same(ip, other.ip) && same(url, other.url);
}

Thresholds parse_thresholds(std::string_view text, const std::string& source) {
  ThresholdsReader reader(source);
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    reader.fail("", std::string("not valid JSON: ") + e.what());
  }
  if (!root.is_object()) {
    reader.fail(
        "", std::string("expected a JSON object with global, ip and url, got ") + type_name(root));
  }
  Thresholds t;
  t.source = source;
  for (const auto& [key, value] : root.items()) {
    if (!key.empty() && key.front() == '_') continue;  // _meta, _comment: for people
    Dimension d;
    if (key == "global") {
      d = Dimension::kGlobal;
    } else if (key == "ip") {
      d = Dimension::kIp;
    } else if (key == "url") {
      d = Dimension::kUrl;
    } else {
      reader.fail(key, "unknown key: expected global, ip or url");
    }
    DimensionThresholds& dim = t.of(d);
    dim.shares = reader.classes(value, key, &dim);
  }
  return t;
}

Thresholds load_thresholds(const std::string& path) {
  std::string why;
  std::optional<std::string> text = read_whole_file(path, &why);
  if (!text) throw ConfigError(path + ": cannot read: " + why);
  return parse_thresholds(*text, path);
}

std::string thresholds_to_json(const Thresholds& t, const std::string& meta_json) {
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  auto put_classes = [](nlohmann::ordered_json& j, const ClassShares& c) {
    if (c.err5xx) j["5xx"] = *c.err5xx;
    if (c.err4xx) j["4xx"] = *c.err4xx;
  };
  for (Dimension d : {Dimension::kGlobal, Dimension::kIp, Dimension::kUrl}) {
    const DimensionThresholds& dim = t.of(d);
    if (!dim.shares.err5xx && !dim.shares.err4xx && dim.keys.empty()) continue;
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    put_classes(j, dim.shares);
    if (!dim.keys.empty()) {
      nlohmann::ordered_json keys = nlohmann::ordered_json::object();
      for (const auto& [key, shares] : dim.keys) {  // std::map: sorted, stable
        nlohmann::ordered_json k = nlohmann::ordered_json::object();
        put_classes(k, shares);
        keys[key] = std::move(k);
      }
      j["keys"] = std::move(keys);
    }
    root[dimension_name(d)] = std::move(j);
  }
  if (!meta_json.empty()) root["_meta"] = nlohmann::ordered_json::parse(meta_json);
  return root.dump(2) + "\n";
}

}  // namespace sentinel::alerts
