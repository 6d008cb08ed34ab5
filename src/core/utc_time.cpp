#include "snapflow/core/utc_time.hpp"

#include <cmath>
#include <ctime>

namespace snapflow {

double epoch_seconds(long year, int month, int day, int hour, int minute, double second) {
  // Days from 1970-01-01 of a proleptic Gregorian date (eras of 400 years).
  year -= month <= 2;
  const long era = (year >= 0 ? year : year - 399) / 400;
  const long year_of_era = year - era * 400;
  const long day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const long day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  const long days = era * 146097 + day_of_era - 719468;
  return static_cast<double>(days) * 86400.0 + hour * 3600.0 + minute * 60.0 + second;
}

std::string format_utc(double epoch_seconds) {
  const std::time_t whole = static_cast<std::time_t>(std::floor(epoch_seconds));
  std::tm parts{};
  gmtime_r(&whole, &parts);
  char text[40];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

}  // namespace snapflow
