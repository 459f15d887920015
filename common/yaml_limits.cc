// YAML event-stream checks: recursive aliases, alias expansion, nesting depth, collection keys.
#include "common/yaml_limits.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <map>
#include <sstream>
#include <vector>

namespace sentinel {
namespace {

struct LimitExceeded {
  YamlLimitError error;
};

// Counts the nodes of the document as if every alias were expanded, without expanding anything:
// a closed anchor remembers its expanded size and height, and an alias adds them.
class LimitChecker : public YAML::EventHandler {
 public:
  explicit LimitChecker(const YamlLimits& limits) : limits_(limits) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnAnchor(const YAML::Mark&, const std::string& name) override { pending_name_ = name; }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    leaf(mark, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) return;  // yaml-cpp refuses unknown anchors itself
    const Anchor& a = it->second;
    if (a.open) {
      fail(mark, fmt::format("alias *{} refers to its own anchor &{} (line {}), which contains it: "
                             "a recursive alias cannot be expanded",
                             a.name, a.name, a.line + 1));
    }
    child(mark, a.collection, fmt::format("alias *{}", a.name));
    add(mark, a.nodes, a.height, fmt::format("alias *{}", a.name));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor, false);
  }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor, true);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapEnd() override { close(); }

 private:
  struct Anchor {
    std::string name;
    int line = -1;
    bool open = false;
    bool collection = false;
    size_t nodes = 1;
    size_t height = 1;
  };
  struct Frame {
    YAML::anchor_t anchor = 0;
    bool map = false;
    size_t children = 0;
    size_t nodes_before = 0;  // total_ before this collection's own node
    size_t height = 1;        // of the subtree, grows as children close
  };

  [[noreturn]] void fail(const YAML::Mark& mark, std::string message) {
    throw LimitExceeded{{mark.line, std::move(message)}};
  }

  // A node begins as a child of the innermost open collection: a key must be a single value.
  void child(const YAML::Mark& mark, bool collection, const std::string& what) {
    if (frames_.empty()) return;
    Frame& parent = frames_.back();
    bool is_key = parent.map && parent.children % 2 == 0;
    ++parent.children;
    if (is_key && collection) {
      fail(mark, fmt::format("{} is a mapping key: expected a single value as a key, not a list or "
                             "mapping",
                             what));
    }
  }

  // `nodes` more nodes, `height` levels deep below the current collection.
  void add(const YAML::Mark& mark, size_t nodes, size_t height, const std::string& what) {
    total_ += nodes;
    if (total_ > limits_.max_nodes) {
      fail(mark,
           fmt::format("{} makes the document larger than {} values once aliases are expanded "
                       "(a config this large is refused)",
                       what, limits_.max_nodes));
    }
    if (frames_.size() + height > limits_.max_depth) {
      fail(mark, fmt::format("{} nests deeper than {} levels", what, limits_.max_depth));
    }
    if (!frames_.empty()) {
      Frame& parent = frames_.back();
      parent.height = std::max(parent.height, height + 1);
    }
  }

  void name_anchor(const YAML::Mark& mark, YAML::anchor_t anchor, bool collection) {
    if (anchor == 0) return;
    Anchor& a = anchors_[anchor];
    a.name = pending_name_;
    a.line = mark.line;
    a.collection = collection;
    a.open = collection;
    pending_name_.clear();
  }

  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    child(mark, false, "a value");
    name_anchor(mark, anchor, false);
    add(mark, 1, 1, "this value");
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor, bool map) {
    child(mark, true, map ? "a mapping" : "a list");
    name_anchor(mark, anchor, true);
    Frame f;
    f.anchor = anchor;
    f.map = map;
    f.nodes_before = total_;
    // The collection itself counts as one node, and opens one level.
    add(mark, 1, 1, map ? "this mapping" : "this list");
    frames_.push_back(f);
  }

  void close() {
    Frame f = frames_.back();
    frames_.pop_back();
    if (!frames_.empty()) frames_.back().height = std::max(frames_.back().height, f.height + 1);
    if (f.anchor == 0) return;
    Anchor& a = anchors_[f.anchor];
    a.open = false;
    a.nodes = total_ - f.nodes_before;
    a.height = f.height;
  }

  YamlLimits limits_;
  std::string pending_name_;
  std::map<YAML::anchor_t, Anchor> anchors_;
  std::vector<Frame> frames_;
  size_t total_ = 0;
};

}  // namespace

std::optional<YamlLimitError> check_yaml_limits(const std::string& text, const YamlLimits& limits) {
  std::istringstream in(text);
  LimitChecker checker(limits);
  try {
    YAML::Parser parser(in);
    parser.HandleNextDocument(checker);
  } catch (const LimitExceeded& e) {
    return e.error;
  } catch (const YAML::Exception&) {
    return std::nullopt;  // a syntax error: the loader reports it
  }
  return std::nullopt;
}

}  // namespace sentinel
