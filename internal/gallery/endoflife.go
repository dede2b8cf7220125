package gallery

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseEndOfLife parses an end_of_life_date: an RFC 3339 time, a plain date (YYYY-MM-DD, midnight
// UTC), or a duration from now such as "90d", "12h", "2w" or Go's "36h30m". The result must lie after
// now, since Azure refuses an end of life in the past.
func ParseEndOfLife(s string, now time.Time) (time.Time, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return time.Time{}, fmt.Errorf("end of life is empty; write an RFC 3339 time, a date such as 2027-01-31, or a duration such as 90d")
	}
	t, err := parseEndOfLife(in, now)
	if err != nil {
		return time.Time{}, err
	}
	if !t.After(now) {
		return time.Time{}, fmt.Errorf("end of life %q is %s, not in the future; choose a later date or a positive duration such as 90d", s, t.UTC().Format(time.RFC3339))
	}
	return t.UTC(), nil
}

func parseEndOfLife(in string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, in); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, in); err == nil {
		return t, nil
	}
	if d, ok, err := parseDayWeekDuration(in); ok {
		if err != nil {
			return time.Time{}, err
		}
		return now.Add(d), nil
	}
	if d, err := time.ParseDuration(in); err == nil {
		return now.Add(d), nil
	}
	return time.Time{}, fmt.Errorf("end of life %q is not a date; write an RFC 3339 time (2027-01-31T00:00:00Z), a date (2027-01-31), or a duration from now (90d, 12h, 2w)", in)
}

// parseDayWeekDuration handles the units Go's ParseDuration lacks: "<n>d" and "<n>w". ok is false when
// the input is not of that shape, so other parsers can try.
func parseDayWeekDuration(in string) (time.Duration, bool, error) {
	if len(in) < 2 {
		return 0, false, nil
	}
	unit := in[len(in)-1]
	var per time.Duration
	switch unit {
	case 'd':
		per = 24 * time.Hour
	case 'w':
		per = 7 * 24 * time.Hour
	default:
		return 0, false, nil
	}
	digits := in[:len(in)-1]
	for _, r := range digits {
		if r < '0' || r > '9' {
			return 0, false, nil
		}
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > int64(math.MaxInt64/per) {
		return 0, true, fmt.Errorf("end of life %q is too far in the future; use a date instead", in)
	}
	return time.Duration(n) * per, true, nil
}
