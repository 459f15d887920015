// The programs' command-line parsing: a thin, non-template facade over CLI11 (issue 17). CLI11
// is header-only; every main that included <CLI/CLI.hpp> generated its code again (~12 s of CPU
// each at -O2, ~22 s under ASan). common/cli.cc is the one file that includes it: the mains
// compile against this header alone, and their --help, --version and errors are CLI11's own,
// unchanged. Only the option types and checks the programs use are offered; add an overload in
// both files for a new one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace sentinel::cli {

// One option or flag of an App; the App owns it. Each call returns this, to chain as CLI11 does.
class Option {
 public:
  Option* required();
  // --help shows the bound variable's value at registration as the option's default.
  Option* capture_default_str();
  // The value must lie in [lo, hi] ("INT in [lo - hi]" in --help), or be above 0 / at least 0.
  Option* check_range(int lo, int hi);
  Option* check_range(double lo, double hi);
  Option* check_positive();
  Option* check_non_negative();
  // The value must be one of these ("{a,b}" in --help).
  Option* check_one_of(const std::vector<std::string>& values);
  // Giving both options is an error, whichever comes first.
  Option* excludes(Option* other);
  // How many times the option was given (after App::parse).
  size_t count() const;

 private:
  friend class App;
  explicit Option(CLI::Option* option) : option_(option) {}
  CLI::Option* option_;
};

// A program's command line (CLI::App), or one of its option groups or subcommands.
class App {
 public:
  explicit App(std::string description);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Binds an option to a variable; name as CLI11's: "-c,--config", "--x", or "name" (positional).
  Option* add_option(std::string name, std::string& value, std::string description = "");
  Option* add_option(std::string name, std::vector<std::string>& values,
                     std::string description = "");
  Option* add_option(std::string name, int& value, std::string description = "");
  Option* add_option(std::string name, int64_t& value, std::string description = "");
  Option* add_option(std::string name, uint32_t& value, std::string description = "");
  Option* add_option(std::string name, uint64_t& value, std::string description = "");
  Option* add_option(std::string name, double& value, std::string description = "");
  Option* add_option(std::string name, std::optional<uint32_t>& value,
                     std::string description = "");
  Option* add_option(std::string name, std::optional<uint64_t>& value,
                     std::string description = "");
  Option* add_option(std::string name, std::optional<double>& value, std::string description = "");
  Option* add_flag(std::string name, bool& value, std::string description = "");
  // The flag prints `version` and exits 0.
  void set_version_flag(std::string name, std::string version);
  // Text printed at the end of --help.
  void footer(std::string text);
  // Options listed under their own heading in --help.
  App* add_option_group(std::string name);
  App* add_subcommand(std::string name, std::string description = "");
  void require_subcommand(int count);
  // A subcommand: whether the command line chose it.
  explicit operator bool() const;

  // Parses the command line. Empty: go on. Otherwise --help or --version was printed (0) or the
  // error was (CLI11's exit code): return it from main.
  [[nodiscard]] std::optional<int> parse(int argc, char** argv);

 private:
  struct Owned;
  App(CLI::App* app, Owned* owned);
  template <typename T>
  Option* bind(std::string name, T& value, std::string description);

  std::unique_ptr<Owned> root_;  // the top-level App only: CLI11's App and every facade object
  CLI::App* app_;
  Owned* owned_;
};

}  // namespace sentinel::cli
