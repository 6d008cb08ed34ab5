// Calendar times in UTC: epoch seconds from a proleptic Gregorian date, and back to text.
#pragma once

#include <string>

namespace snapflow {

// Seconds since 1970-01-01T00:00:00Z of a UTC date and time.
double epoch_seconds(long year, int month, int day, int hour = 0, int minute = 0,
                     double second = 0.0);

// "2013-11-01T00:10:00Z" (whole seconds, UTC).
std::string format_utc(double epoch_seconds);

}  // namespace snapflow
