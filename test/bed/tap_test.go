package bed

import (
	"context"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// The tap hears a mass start of two hosts from the first datagram: their
// announces and chunks, each by its node; a legacy datagram and garbage
// sent to the group count as legacy and other; its socket drops nothing.
func TestTap_countsByKindAndNode(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping a test that runs daemons")
	}
	b := New(t, Options{Hosts: 2, Announce: time.Second, DeferStart: true})
	tap, err := b.Tap()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.StartAll(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.WaitConverged(context.Background(), 0, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	c := tap.Counts()
	if c.ByKind[wire.KindAnnounce] == 0 || c.ByKind[wire.KindChunk] == 0 {
		t.Errorf("after convergence the tap counted %v, want announces and chunks", c.ByKind)
	}
	for _, h := range b.Hosts {
		if c.ByNode[h.Name] == 0 {
			t.Errorf("the tap counted nothing from %s: %v", h.Name, c.ByNode)
		}
	}
	var sum int64
	for _, v := range c.ByKind {
		sum += v
	}
	if sum != c.Datagrams || c.Bytes <= 0 {
		t.Errorf("kinds sum to %d of %d datagrams, %d bytes", sum, c.Datagrams, c.Bytes)
	}
	if err := b.Send([]byte("diskd:---\n- - 11111111-2222-3333-4444-555555555555\n  - x\n  - /dev/x\n")); err != nil {
		t.Fatal(err)
	}
	if err := b.Send([]byte("not a datagram of any diskd")); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 10*time.Second, "the tap counts the legacy datagram and the garbage", func() (bool, error) {
		c := tap.Counts()
		return c.ByKind[TapLegacy] >= 1 && c.ByKind[TapOther] >= 1, nil
	})
	if d := tap.Dropped(); d != 0 {
		t.Errorf("tap socket drops = %d, want 0", d)
	}
	if err := tap.Close(); err != nil {
		t.Fatal(err)
	}
}
