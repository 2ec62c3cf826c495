package test

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/render"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// "list --json" of a peer's 3,000 disks is streamed: one valid JSON line
// with every disk as the peer has it. A client that stops reading in the
// middle of it holds one answer being written, is disconnected once it
// has taken no byte for the bound (and counted), and meanwhile another
// client is answered in full.
func TestList_StreamedToTheEndAndSlowReaderCut(t *testing.T) {
	t.Parallel()
	const peerDisks = 3000
	b := bed.New(t, bed.Options{Hosts: 2, Bin: bin, Disks: func(i int) []bed.Disk {
		if i == 1 {
			return bed.Disks(i, peerDisks)
		}
		return bed.Disks(i, 2)
	}})
	h := b.Hosts[0]
	eventually(t, 60*time.Second, "the peer's disks arrive", func() bool {
		c, err := h.Dial()
		if err != nil {
			return false
		}
		defer c.Close()
		n, err := bed.ListCount(c)
		return err == nil && n == peerDisks+2
	})

	stalled, err := net.DialTimeout("unix", h.Socket, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	sr := bufio.NewReader(stalled)
	stalled.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := sr.ReadString('\n'); err != nil {
		t.Fatalf("greeting: %v", err)
	}
	io.WriteString(stalled, "list --json\n")
	if _, err := io.ReadFull(sr, make([]byte, 64<<10)); err != nil { // the start of it, then nothing
		t.Fatalf("the start of the answer: %v", err)
	}

	c, err := h.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var got []messages.NodeDisk
	if err := c.DoJSON("list", &got); err != nil || len(got) != peerDisks+2 {
		t.Fatalf("list --json beside a stalled client: got %d disks, %v; want %d", len(got), err, peerDisks+2)
	}
	want := bed.Disks(1, peerDisks)
	byUUID := map[string]messages.NodeDisk{}
	for _, d := range got {
		byUUID[d.UUID] = d
	}
	for _, w := range want {
		d, ok := byUUID[w.UUID]
		if !ok || d.Node != b.Hosts[1].Name || d.Label != w.Label || d.Device != w.Device || d.Type != w.Type || d.Local {
			t.Fatalf("disk %s: got %+v (listed %v), want %+v on %s", w.UUID, d, ok, w, b.Hosts[1].Name)
		}
	}
	st, err := h.Status()
	if err != nil || st.Sessions.Writing < 1 {
		t.Fatalf("status with a stalled list: %+v, %v; want an answer being written", st.Sessions, err)
	}
	eventually(t, 60*time.Second, "the stalled client disconnected and counted", func() bool {
		st, err := h.Status()
		return err == nil && st.Sessions.SlowClients == 1
	})
	stalled.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.Copy(io.Discard, sr); err != nil {
		t.Errorf("the stalled client after the bound: %v, want the connection closed", err)
	}
}

// Labels in wide and combining characters do not shift the columns of
// `list` as the client prints it: DEVICE starts at one display column on
// every row; hostile ones are quoted.
func TestList_WideLabelsKeepColumns(t *testing.T) {
	t.Parallel()
	labels := []string{"写真2026", "e\u0301te\u0301", "\U0001F4F7cam", "plain", "\u202eevil", "a\u009b2J"}
	b := bed.New(t, bed.Options{Hosts: 1, Bin: bin, Disks: func(int) []bed.Disk {
		ds := bed.Disks(0, len(labels))
		for i := range ds {
			ds[i].Label = labels[i]
		}
		return ds
	}})
	out, errs, code, err := b.Hosts[0].Client("list")
	if err != nil || code != 0 {
		t.Fatalf("list: exit %d, %v: %s", code, err, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) < len(labels)+1 {
		t.Fatalf("list: got %q, want a header and %d rows", out, len(labels))
	}
	col := strings.Index(lines[0], "DEVICE")
	for _, l := range lines[1 : len(labels)+1] {
		i := strings.Index(l, "/dev/")
		if i < 0 || render.Width(l[:i]) != col {
			t.Errorf("row %q: DEVICE at display column %d, want %d", l, render.Width(l[:max(i, 0)]), col)
		}
	}
	for _, want := range labels[:4] {
		if !strings.Contains(out, want) {
			t.Errorf("list: %q not shown as it is in\n%s", want, out)
		}
	}
	// A label that would reorder the row (bidi override) or draw on the
	// terminal (C1 CSI) is quoted, and nothing of it reaches the output raw.
	for _, want := range []string{`"\u202eevil"`, `"a\u009b2J"`} {
		if !strings.Contains(out, want) {
			t.Errorf("list: %s not shown quoted in\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\u202e\u009b") {
		t.Errorf("list: a raw bidi override or C1 control in\n%q", out)
	}
}
