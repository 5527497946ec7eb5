#pragma once
/// Calendar dates (proleptic Gregorian) for stress-period timing and output.
#include <optional>
#include <string>
#include <string_view>

namespace gwsim {

struct Date {
  int year = 1970;
  int month = 1; ///< 1-12
  int day = 1;   ///< 1-31

  /// Days since 1970-01-01 (negative before).
  long days_since_epoch() const;
  static Date from_days_since_epoch(long days);
  /// ISO 8601, "2015-01-01".
  std::string iso() const;
  /// Parse "YYYY-MM-DD"; nullopt if malformed or not a real date.
  static std::optional<Date> parse(std::string_view text);
  friend bool operator==(const Date&, const Date&) = default;
};

/// ISO 8601 date-time of `start` plus a fractional number of days,
/// e.g. "2015-01-31T12:00:00".
std::string iso_datetime(const Date& start, double days);

} // namespace gwsim
