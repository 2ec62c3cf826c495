package actors

import (
	"slices"
	"testing"

	"github.com/diskd-actors/diskd-actors/messages"
)

func TestHeardOn(t *testing.T) {
	mc, cl := messages.TransportMulticast, messages.TransportCluster
	for _, tc := range []struct {
		set       []string
		transport string
		same      bool
		want      []string
	}{
		{nil, "", false, []string{mc}},
		{nil, cl, false, []string{cl}},
		{[]string{mc}, cl, true, []string{cl, mc}},
		{[]string{cl, mc}, "", true, []string{cl, mc}},
		{[]string{cl, mc}, cl, false, []string{cl}}, // a new instance starts afresh
	} {
		got := heardOn(slices.Clone(tc.set), tc.transport, tc.same)
		if !slices.Equal(got, tc.want) {
			t.Errorf("heardOn(%v, %q, %v) = %v, want %v", tc.set, tc.transport, tc.same, got, tc.want)
		}
	}
}
