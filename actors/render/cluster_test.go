package render

import (
	"strings"
	"testing"

	"github.com/diskd-actors/diskd-actors/messages"
)

func TestClusterStatusRow(t *testing.T) {
	row := clusterStatusRow(&messages.ClusterStatus{Members: 3, Joined: true, Encrypted: true, Label: "home",
		Advertise: "198.18.0.2:7947", Broadcasts: 5, Pruned: 2, SendsBusy: 1, BytesOut: 3 << 20, PacketsOut: 40})
	got := strings.Join(row, " ")
	for _, want := range []string{"cluster:", "3 members, joined, encrypted, label home, as 198.18.0.2:7947",
		"5 of 1024 broadcasts (2 pruned), 1 sends refused", "40 packets out (3 MiB)"} {
		if !strings.Contains(got, want) {
			t.Errorf("row %q lacks %q", got, want)
		}
	}
	row = clusterStatusRow(&messages.ClusterStatus{JoinTries: 4})
	if got := strings.Join(row, " "); !strings.Contains(got, "NOT JOINED (4 attempts), UNENCRYPTED") {
		t.Errorf("an unjoined, unkeyed cluster: %q", got)
	}
}
