package render

import (
	"fmt"

	"github.com/diskd-actors/diskd-actors/messages"
)

// clusterStatusRow is status's "cluster:" row: membership, the bounded
// queues and what they refused, and memberlist's traffic.
func clusterStatusRow(c *messages.ClusterStatus) []string {
	joined := "joined"
	if !c.Joined {
		joined = fmt.Sprintf("NOT JOINED (%d attempts)", c.JoinTries)
	}
	enc := "encrypted"
	if !c.Encrypted {
		enc = "UNENCRYPTED"
	}
	label := ""
	if c.Label != "" {
		label = ", label " + c.Label
	}
	return []string{"cluster:", fmt.Sprintf("%d members, %s, %s%s, as %s; %d queued, %d of 1024 broadcasts (%d pruned), %d sends refused, %d dropped; %d requests sent, %d answered, %d inventories received, %d states unchanged; %d packets out (%s), %d in (%s)",
		c.Members, joined, enc, label, c.Advertise, c.Queued, c.Broadcasts, c.Pruned, c.SendsBusy, c.Dropped,
		c.Requests, c.Answered, c.Received, c.Unchanged, c.PacketsOut, Bytes(c.BytesOut), c.PacketsIn, Bytes(c.BytesIn))}
}
