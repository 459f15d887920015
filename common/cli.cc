// CLI11 compiled once for every program (common/cli.h says why): each facade call is the CLI11
// call the mains made before, with the same value types, so help, checks and errors are CLI11's.
#include "common/cli.h"

#include <CLI/CLI.hpp>
#include <utility>

namespace sentinel::cli {

struct App::Owned {
  std::unique_ptr<CLI::App> app;
  std::vector<std::unique_ptr<App>> apps;  // option groups and subcommands
  std::vector<std::unique_ptr<Option>> options;
};

Option* Option::required() {
  option_->required();
  return this;
}

Option* Option::capture_default_str() {
  option_->capture_default_str();
  return this;
}

Option* Option::check_range(int lo, int hi) {
  option_->check(CLI::Range(lo, hi));
  return this;
}

Option* Option::check_range(double lo, double hi) {
  option_->check(CLI::Range(lo, hi));
  return this;
}

Option* Option::check_positive() {
  option_->check(CLI::PositiveNumber);
  return this;
}

Option* Option::check_non_negative() {
  option_->check(CLI::NonNegativeNumber);
  return this;
}

Option* Option::check_one_of(const std::vector<std::string>& values) {
  option_->check(CLI::IsMember(values));
  return this;
}

Option* Option::excludes(Option* other) {
  option_->excludes(other->option_);
  return this;
}

size_t Option::count() const { return option_->count(); }

App::App(std::string description)
    : root_(std::make_unique<Owned>()), app_(nullptr), owned_(root_.get()) {
  root_->app = std::make_unique<CLI::App>(std::move(description));
  app_ = root_->app.get();
}

App::App(CLI::App* app, Owned* owned) : app_(app), owned_(owned) {}

App::~App() = default;

template <typename T>
Option* App::bind(std::string name, T& value, std::string description) {
  CLI::Option* option = app_->add_option(std::move(name), value, std::move(description));
  owned_->options.push_back(std::unique_ptr<Option>(new Option(option)));
  return owned_->options.back().get();
}

Option* App::add_option(std::string name, std::string& value, std::string description) {
  return bind(std::move(name), value, std::move(description));
}
Option* App::add_option(std::string name, std::vector<std::string>& values,
                        std::string description) {
  return bind(std::move(name), values, std::move(description));
}
Option* App::add_option(std::string name, int& value, std::string description) {
  return bind(std::move(name), value, std::move(description));
}
Option* App::add_option(std::string name, int64_t& value, std::string description) {
  return bind(std::move(name), value, std::move(description));
}
Option* App::add_option(std::string name, uint32_t& value, std::string description) {
  return bind(std::move(name), value, std::move(description));
}
Option* App::add_option(std::string name, uint64_t& value, std::string description) {
  return bind(std::move(name), value, std::move(description));
}
Option* App::add_option(std::string name, double& value, std::string description) {
  return bind(std::move(name), value, std::move(description));
}
Option* App::add_option(std::string name, std::optional<uint32_t>& value, std::string description) {
  return bind(std::move(name), value, std::move(description));
}
Option* App::add_option(std::string name, std::optional<uint64_t>& value, std::string description) {
  return bind(std::move(name), value, std::move(description));
}
Option* App::add_option(std::string name, std::optional<double>& value, std::string description) {
  return bind(std::move(name), value, std::move(description));
}

Option* App::add_flag(std::string name, bool& value, std::string description) {
  CLI::Option* option = app_->add_flag(std::move(name), value, std::move(description));
  owned_->options.push_back(std::unique_ptr<Option>(new Option(option)));
  return owned_->options.back().get();
}

void App::set_version_flag(std::string name, std::string version) {
  app_->set_version_flag(std::move(name), version);
}

void App::footer(std::string text) { app_->footer(std::move(text)); }

App* App::add_option_group(std::string name) {
  CLI::App* group = app_->add_option_group(std::move(name));
  owned_->apps.push_back(std::unique_ptr<App>(new App(group, owned_)));
  return owned_->apps.back().get();
}

App* App::add_subcommand(std::string name, std::string description) {
  CLI::App* sub = app_->add_subcommand(std::move(name), std::move(description));
  owned_->apps.push_back(std::unique_ptr<App>(new App(sub, owned_)));
  return owned_->apps.back().get();
}

void App::require_subcommand(int count) { app_->require_subcommand(count); }

App::operator bool() const { return static_cast<bool>(*app_); }

std::optional<int> App::parse(int argc, char** argv) {
  try {
    app_->parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app_->exit(e);  // prints --help, the version or the error, as CLI11_PARSE
  }
  return std::nullopt;
}

}  // namespace sentinel::cli
