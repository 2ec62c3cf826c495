package mountpolicy

import (
	"testing"
	"time"
)

func TestReplayCache(t *testing.T) {
	t0 := time.Unix(1000, 0)
	r := NewReplayCache(2, time.Minute)
	for _, s := range []struct {
		id   string
		at   time.Duration
		want int
	}{
		{"a", 0, Fresh}, {"a", time.Second, Seen}, {"b", 0, Fresh}, {"c", 0, Full},
		{"a", 59 * time.Second, Seen}, {"c", time.Minute, Fresh}, {"a", 61 * time.Second, Fresh},
	} {
		if got := r.Add(s.id, t0.Add(s.at)); got != s.want {
			t.Fatalf("Add(%s, +%v) = %d, want %d", s.id, s.at, got, s.want)
		}
	}
	if r.Len() > 2 {
		t.Fatalf("holds %d ids, limit 2", r.Len())
	}
}

func TestRequesterRate(t *testing.T) {
	t0 := time.Unix(1000, 0)
	r := NewRequesterRate(2, 3, time.Second)
	for i := range 3 {
		if !r.Allow("a", t0) {
			t.Fatalf("request %d of the burst refused", i)
		}
	}
	if r.Allow("a", t0) {
		t.Fatal("the fourth request at once was allowed")
	}
	if !r.Allow("a", t0.Add(time.Second)) || r.Allow("a", t0.Add(time.Second)) {
		t.Fatal("want exactly one token after a second")
	}
	if !r.Allow("b", t0) || r.Allow("c", t0) {
		t.Fatal("a third node was tracked beyond the limit of 2")
	}
	if !r.Allow("c", t0.Add(4*time.Second)) {
		t.Fatal("a new node was refused after the others went idle")
	}
}
