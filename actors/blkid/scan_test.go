package blkid

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

func TestScan(t *testing.T) {
	script := fakeBlkid(t, `printf 'DEVNAME=/dev/sda1\nLABEL=a b\nUUID=u\n'`)
	for _, c := range []struct {
		name    string
		argv    []string
		want    []messages.Disk
		outcome string
	}{
		// The label has an unescaped space: only a raw export reads it.
		{"raw", []string{script, "-o", "export", "-d"}, []messages.Disk{{Device: "/dev/sda1", Label: "a b", UUID: "u"}}, OutcomeOK},
		{"encoded", []string{script, "-o", "export"}, nil, OutcomeParse},
		{"missing program", []string{script + ".missing"}, nil, string(NotFound)},
	} {
		t.Run(c.name, func(t *testing.T) {
			disks, err := Scan(context.Background(), c.argv, 10*time.Second)
			if got := Outcome(err); got != c.outcome || !messages.DisksEqual(disks, c.want) {
				t.Fatalf("got %+v, %v (outcome %q), want %+v, outcome %q", disks, err, got, c.want, c.outcome)
			}
		})
	}
}

func TestOutcome(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, "ok"},
		{&RunError{Kind: Timeout}, "timeout"},
		{fmt.Errorf("wrapped: %w", &RunError{Kind: Exit}), "exit"},
		{&ParseError{errors.New("line 1: garbage")}, "parse"},
		{errors.New("something else"), "error"},
	} {
		if got := Outcome(c.err); got != c.want {
			t.Errorf("Outcome(%v): got %q, want %q", c.err, got, c.want)
		}
	}
}
