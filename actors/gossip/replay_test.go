package gossip

import (
	"math"
	"testing"
)

type replayStep struct {
	seq  uint64
	want bool
}

func TestReplayWindow(t *testing.T) {
	const top = math.MaxUint64
	type step = replayStep
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"zero is never accepted", []step{{0, false}, {1, true}, {0, false}, {5, true}, {0, false}}},
		{"in order", []step{{1, true}, {2, true}, {3, true}, {4, true}}},
		{"first number may be high", []step{{1000, true}, {1001, true}}},
		{"duplicates", []step{{1, true}, {1, false}, {2, true}, {2, false}, {1, false}}},
		{"gaps", []step{{1, true}, {5, true}, {9, true}, {5, false}, {9, false}}},
		{"reordered within the window", []step{
			{10, true}, {12, true}, {11, true}, {9, true}, {13, true}, {11, false}, {12, false}, {8, true}, {8, false},
		}},
		{"below the first number, within the window", []step{{100, true}, {37, true}, {36, false}, {99, true}, {37, false}}},
		{"edges of the window", []step{
			{100, true},
			{100 - 63, true},  // the oldest number in the window
			{100 - 64, false}, // just outside
			{100 - 63, false},
		}},
		{"slide by one moves the edge", []step{{100, true}, {101, true}, {37, false}, {38, true}, {38, false}}},
		{"slide by 63 keeps the highest", []step{{100, true}, {163, true}, {100, false}, {101, true}}},
		{"slide by 64 forgets everything", []step{{100, true}, {164, true}, {100, false}, {101, true}, {164, false}}},
		{"jump of more than 64", []step{
			{1, true}, {2, true}, {3, true}, {1000, true}, {3, false}, {999, true}, {937, true}, {936, false}, {1000, false},
		}},
		{"jump from a full window", append(replaySteps(1, 64, true), step{200, true}, step{64, false}, step{199, true}, step{137, true})},
		{"full window, then duplicates of each", append(replaySteps(1, 64, true), replaySteps(1, 64, false)...)},
		{"top of uint64", []step{
			{top - 1, true}, {top, true}, {top, false}, {top - 1, false}, {top - 63, true}, {top - 64, false}, {1, false},
		}},
		{"from 1 straight to the top", []step{{1, true}, {top, true}, {1, false}, {top - 2, true}}},
		{"the top first", []step{{top, true}, {top, false}, {top - 1, true}, {0, false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w replayWindow
			for i, s := range tc.steps {
				if got := w.accept(s.seq); got != s.want {
					t.Fatalf("step %d: accept(%d): got %v, want %v (highest %d, bits %064b)", i, s.seq, got, s.want, w.highest, w.bits)
				}
			}
		})
	}
}

// replaySteps offers from..to in order, each expected to get want.
func replaySteps(from, to uint64, want bool) []replayStep {
	var s []replayStep
	for n := from; n <= to; n++ {
		s = append(s, replayStep{n, want})
	}
	return s
}

// Against a model that remembers every number: within the window the two
// agree; every number is accepted at most once.
func TestReplayWindow_Model(t *testing.T) {
	var w replayWindow
	seen := map[uint64]bool{}
	var highest uint64
	x := uint64(12345)
	for i := range 20000 {
		x = x*6364136223846793005 + 1442695040888963407 // a fixed LCG: reproducible
		seq := highest + x>>58                          // 0..63 ahead
		if x&(1<<20) != 0 && highest > 70 {
			seq = highest - (x>>40)%70 // up to 69 behind
		}
		want := seq != 0 && !seen[seq] && (seq > highest || highest-seq < replayWindowSize)
		if got := w.accept(seq); got != want {
			t.Fatalf("step %d: accept(%d) with highest %d: got %v, want %v", i, seq, highest, got, want)
		}
		if want {
			seen[seq] = true
			highest = max(highest, seq)
		}
	}
}
