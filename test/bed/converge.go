package bed

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// Progress records, per host, when WaitConverged first got an answer on
// its socket (Ready) and when the host first listed every disk (Done). A
// zero time means never within the timeout.
type Progress struct {
	Ready, Done []time.Time
}

// WaitConverged waits until every host lists want disks (TotalDisks when
// want is 0) and records when each first answered on its socket and when
// each listed all of them. It hardly polls: per host it opens a `debug`
// stream, then takes one `list`, and counts the disk_added and
// disk_removed events that follow, so the moment is exact to the event and
// the measurement costs the daemons almost nothing; a `list` confirms the
// count, and is asked every half second only while no event comes. A host
// whose socket is not open yet is retried every 5 ms. It fails after timeout, saying how
// many disks each late host listed.
func (b *Bed) WaitConverged(ctx context.Context, want int, timeout time.Duration) (*Progress, error) {
	if want == 0 {
		want = b.TotalDisks()
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p := &Progress{Ready: make([]time.Time, len(b.Hosts)), Done: make([]time.Time, len(b.Hosts))}
	seen := make([]int, len(b.Hosts))
	errs := make([]error, len(b.Hosts))
	var wg sync.WaitGroup
	for i, h := range b.Hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = h.watchConvergence(ctx, want, &p.Ready[i], &p.Done[i], &seen[i])
		}()
	}
	wg.Wait()
	var late []string
	for i, t := range p.Done {
		if t.IsZero() {
			late = append(late, fmt.Sprintf("%s lists %d (%v)", b.Hosts[i].Name, seen[i], errs[i]))
		}
	}
	if len(late) > 0 {
		return p, fmt.Errorf("not converged within %v (want %d disks each): %v\n%s", timeout, want, late,
			b.Hosts[0].LogTail(10))
	}
	return p, nil
}

// watchConvergence follows one host until it lists want disks; see
// WaitConverged. The events and the first list give the moment; a `list`
// confirms it (a peer that went down and came back hides and shows disks
// without disk events), and is also asked every half second when no event
// comes, so a missed event costs time, never a wrong answer.
func (h *Host) watchConvergence(ctx context.Context, want int, ready, done *time.Time, seen *int) error {
	var stream *Conn
	for stream == nil {
		var err error
		if stream, err = Dial(h.Socket, time.Second); err != nil {
			if h.hasExited() {
				return fmt.Errorf("the daemon exited: %v\n%s", h.ExitErr(), h.LogTail(5))
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("socket never answered: %w", err)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	*ready = time.Now()
	defer stream.Close()
	query, err := Dial(h.Socket, DefaultQueryTimeout)
	if err != nil {
		return err
	}
	defer query.Close()
	// Unblock both sessions at the timeout.
	stop := context.AfterFunc(ctx, func() {
		stream.c.SetDeadline(time.Now())
		query.c.SetDeadline(time.Now())
	})
	defer stop()

	stream.c.SetDeadline(time.Time{})
	if _, err := stream.c.Write([]byte("debug\n")); err != nil {
		return err
	}
	for {
		l, err := stream.r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("debug: %w", err)
		}
		if strings.HasPrefix(l, "streaming events") {
			break // subscribed: every later change is an event
		}
	}
	// Everything applied before the list is in it, everything after the
	// subscription is an event: together they miss nothing.
	var list []messages.NodeDisk
	if err := query.DoJSON("list", &list); err != nil {
		return err
	}
	have := map[string]bool{}
	for _, d := range list {
		have[d.Node+"/"+d.UUID] = true
	}
	*seen = len(have)
	candidate := time.Now()
	for len(have) < want || !h.confirm(query, want, seen) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		stream.c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		l, err := stream.r.ReadString('\n')
		if errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() == nil {
			if h.confirm(query, want, seen) {
				candidate = time.Now()
				break
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("debug stream: %w", err)
		}
		candidate = time.Now()
		// "15:04:05.000 disk_added NODE LABEL (UUID): DEVICE"
		f := strings.Fields(l)
		lp, rp := strings.LastIndexByte(l, '('), strings.LastIndexByte(l, ')')
		if len(f) < 3 || lp < 0 || rp < lp {
			continue
		}
		key := f[2] + "/" + l[lp+1:rp]
		switch f[1] {
		case messages.EventDiskAdded:
			have[key] = true
		case messages.EventDiskRemoved:
			delete(have, key)
		}
	}
	*done = candidate
	// End the stream politely: any line stops it; the status line follows.
	stream.c.SetDeadline(time.Now().Add(DefaultQueryTimeout))
	if _, err := stream.c.Write([]byte("\n")); err != nil {
		return nil
	}
	for {
		l, err := stream.r.ReadString('\n')
		if _, isStatus := lineproto.Unstuff(strings.TrimSuffix(l, "\n")); err != nil || isStatus {
			return nil
		}
	}
}

// confirm asks `list` on c whether the host lists want disks, and records
// the count in seen.
func (h *Host) confirm(c *Conn, want int, seen *int) bool {
	n, err := ListCount(c)
	if err != nil {
		return false
	}
	*seen = n
	return n == want
}
