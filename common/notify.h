// The systemd notify protocol (sd_notify(3)), spoken directly over $NOTIFY_SOCKET.
//
// Silent without systemd: when NOTIFY_SOCKET is unset every call does nothing. Implemented
// without libsystemd (as collectd does) because libsystemd and the libraries it loads would
// add about a megabyte of resident memory to the agent, whose budget is 8 MB.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel {

class SystemdNotifier {
 public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from the environment.
  SystemdNotifier();

  bool active() const { return !socket_path_.empty(); }
  void ready();
  void status(std::string_view text);
  void reloading();  // RELOADING=1 with MONOTONIC_USEC, as Type=notify-reload expects
  void stopping();
  void watchdog();

  // Half of WATCHDOG_USEC when the watchdog is enabled for this process, as sd_watchdog_enabled(3)
  // recommends; nullopt otherwise.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_interval_; }

  // Sends one datagram; returns false (and never throws) when it could not be sent.
  bool send(std::string_view message);

 private:
  std::string socket_path_;
  std::optional<std::chrono::microseconds> watchdog_interval_;
};

}  // namespace sentinel
