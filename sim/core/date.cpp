#include "core/date.hpp"

#include <chrono>
#include <cmath>
#include <fmt/format.h>

namespace gwsim {

namespace chr = std::chrono;

long Date::days_since_epoch() const {
  const chr::sys_days d{chr::year{year} / chr::month{static_cast<unsigned>(month)} /
                        chr::day{static_cast<unsigned>(day)}};
  return d.time_since_epoch().count();
}

Date Date::from_days_since_epoch(long days) {
  const chr::year_month_day ymd{chr::sys_days{chr::days{days}}};
  return Date{int(ymd.year()), int(unsigned(ymd.month())), int(unsigned(ymd.day()))};
}

std::string Date::iso() const { return fmt::format("{:04d}-{:02d}-{:02d}", year, month, day); }

std::optional<Date> Date::parse(std::string_view t) {
  int y = 0, m = 0, d = 0;
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  for (std::size_t i = 0; i < 10; ++i) {
    if (i == 4 || i == 7) continue;
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
  }
  y = std::stoi(std::string(t.substr(0, 4)));
  m = std::stoi(std::string(t.substr(5, 2)));
  d = std::stoi(std::string(t.substr(8, 2)));
  const chr::year_month_day ymd{chr::year{y} / chr::month{static_cast<unsigned>(m)} /
                                chr::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return Date{y, m, d};
}

std::string iso_datetime(const Date& start, double days) {
  const double whole = std::floor(days);
  long seconds = std::lround((days - whole) * 86400.0);
  long day_count = start.days_since_epoch() + static_cast<long>(whole);
  if (seconds >= 86400) {
    seconds -= 86400;
    ++day_count;
  }
  const Date d = Date::from_days_since_epoch(day_count);
  return fmt::format("{}T{:02d}:{:02d}:{:02d}", d.iso(), seconds / 3600, (seconds / 60) % 60,
                     seconds % 60);
}

} // namespace gwsim
