package render

import (
	"strconv"
	"strings"
)

// Bytes is a byte count for people, in IEC units: "512 B", "1.5 KiB",
// "12 KiB", "3.7 MiB", "1.5 GiB". Below 10 of a unit it keeps one decimal
// (dropped when it is 0), above it none; the exact count stays in --json.
func Bytes[T ~int | ~int64 | ~uint64](n T) string {
	if n < 0 {
		return "-" + Bytes(-int64(n))
	}
	v := float64(n)
	if v < 1024 {
		return strconv.FormatUint(uint64(n), 10) + " B"
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	u := -1
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	// Round first: 1023.96 KiB is "1 MiB", not "1024 KiB".
	digits := 0
	if v < 9.95 {
		digits = 1
	}
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if s == "1024" && u < len(units)-1 {
		s, u = "1", u+1
	}
	return strings.TrimSuffix(s, ".0") + " " + units[u]
}
