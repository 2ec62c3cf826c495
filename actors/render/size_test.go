package render

import "testing"

func TestBytes_cases(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1, "1 B"}, {1023, "1023 B"}, {1024, "1 KiB"}, {1536, "1.5 KiB"}, {12 << 10, "12 KiB"},
		{10188, "9.9 KiB"}, {10189, "10 KiB"}, {1<<20 - 1, "1 MiB"}, {3_722_553, "3.6 MiB"},
		{3 << 29, "1.5 GiB"}, {64 << 20, "64 MiB"}, {1 << 40, "1 TiB"}, {-2048, "-2 KiB"},
		{1<<63 - 1, "8 EiB"},
	} {
		if got := Bytes(c.n); got != c.want {
			t.Errorf("Bytes(%d): got %q, want %q", c.n, got, c.want)
		}
	}
	if got := Bytes(uint64(1) << 63); got != "8 EiB" {
		t.Errorf("Bytes(1<<63 as uint64): got %q", got)
	}
}
