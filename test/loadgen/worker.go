package loadgen

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"hash"
	"math"
	"net"
	"sync"
	"time"

	"golang.org/x/net/ipv4"
)

// worker is one sending goroutine: it owns some sender sockets, the peers
// that send from them, and their sequence state, and paces its share of
// the total rate with a token bucket.
type worker struct {
	g       *Gen
	socks   []*sender
	reqs    chan request
	mac     hash.Hash // nil without a key
	hostile [][]byte
	bySock  map[int]*sender // by socket index
	tokens  float64
	rr      int // the socket that gets the next remainder
}

// sender is one UDP socket bound to 127.0.0.1 that sends to the group on
// lo, with the peers that send from it.
type sender struct {
	conn   net.PacketConn
	pc     *ipv4.PacketConn
	peers  []int
	cursor int     // Flood: the next peer to send
	queue  []item  // Steady: datagrams waiting to be sent
	acc    float64 // Flood: hostile datagrams owed, in units of one
	kind   int     // the next hostile kind
	last   []byte  // Flood: the last valid datagram, for "replay"
	bufs   [maxBatch][]byte
	msgs   []ipv4.Message
	g      *Gen
}

// item is a datagram waiting in a Steady queue: a chunk index of a peer,
// or -1 for its announce.
type item struct{ peer, chunk int }

// request is a daemon's request routed to the worker that owns the peer.
type request struct {
	peer    int
	gen     uint64
	missing []int
}

// maxQueue bounds a Steady queue, so that requests cannot grow it without
// limit when the rate is low.
const maxQueue = 1 << 16

func newWorker(g *Gen) *worker {
	w := &worker{g: g, reqs: make(chan request, 1024), bySock: map[int]*sender{}}
	if len(g.cfg.Key) > 0 {
		w.mac = hmac.New(sha256.New, g.cfg.Key)
	}
	w.hostile = g.hostileDgs
	return w
}

func (w *worker) addSocket(s *sender, idx int) {
	s.g = w.g
	w.bySock[idx] = s
	for p := idx; p < len(w.g.peers); p += w.g.cfg.Sockets {
		s.peers = append(s.peers, p)
	}
	for i := range s.bufs {
		s.bufs[i] = make([]byte, 0, 2048)
	}
	s.msgs = make([]ipv4.Message, 0, maxBatch)
	w.socks = append(w.socks, s)
}

// socketOf returns the index of the socket peer p sends from.
func (g *Gen) socketOf(p int) int { return p % g.cfg.Sockets }

// route hands a request to the worker owning the peer; it never blocks.
func (g *Gen) route(r request) {
	w := g.workers[g.socketOf(r.peer)%g.cfg.Workers]
	select {
	case w.reqs <- r:
	default:
		g.reqDropped.Add(1)
	}
}

func (w *worker) run(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	g := w.g
	steady := g.cfg.Mode == Steady
	nextAnnounce := time.Now().Add(g.cfg.AnnounceEvery)
	if steady {
		for _, s := range w.socks {
			for _, p := range s.peers {
				for c := range g.peers[p].chunks {
					s.push(item{p, c})
				}
				s.push(item{p, -1})
			}
		}
	}
	share := float64(len(w.socks)) / float64(g.cfg.Sockets)
	last := time.Now()
	tick := time.NewTimer(time.Millisecond)
	defer tick.Stop()
	for {
		if ctx.Err() != nil {
			return
		}
		now := time.Now()
		if steady && !now.Before(nextAnnounce) {
			for _, s := range w.socks {
				for _, p := range s.peers {
					s.push(item{p, -1})
				}
			}
			nextAnnounce = nextAnnounce.Add(g.cfg.AnnounceEvery)
			if nextAnnounce.Before(now) {
				nextAnnounce = now.Add(g.cfg.AnnounceEvery)
			}
		}
		rate := math.Float64frombits(g.rate.Load()) * share
		budget := maxBatch * len(w.socks)
		if rate > 0 {
			w.tokens = min(w.tokens+now.Sub(last).Seconds()*rate, max(maxBatch, rate/100))
			budget = int(w.tokens)
		}
		last = now
		n, err := w.send(budget)
		if rate > 0 {
			w.tokens -= float64(n)
		}
		if g.sent.Add(uint64(n)) >= g.cfg.MaxDatagrams {
			g.cancel()
			return
		}
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if rate > 0 || n == 0 || err != nil {
			tick.Reset(time.Millisecond)
			select {
			case <-ctx.Done():
				return
			case r := <-w.reqs:
				w.handle(r, time.Now())
			case <-tick.C:
			}
		}
		for drained := false; !drained; {
			select {
			case r := <-w.reqs:
				w.handle(r, now)
			default:
				drained = true
			}
		}
	}
}

// send sends up to budget datagrams, spread evenly over the sockets.
func (w *worker) send(budget int) (int, error) {
	if budget <= 0 {
		return 0, nil
	}
	n := len(w.socks)
	each, extra := budget/n, budget%n
	total := 0
	var firstErr error
	for i := range n {
		s := w.socks[(w.rr+i)%n]
		k := each
		if i < extra {
			k++
		}
		for k > 0 {
			batch := min(k, maxBatch)
			sent, err := w.sendBatch(s, batch)
			total += sent
			k -= batch
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				break
			}
			if sent < batch { // a Steady queue ran dry
				break
			}
		}
	}
	w.rr = (w.rr + extra) % n
	return total, firstErr
}

// sendBatch builds up to k datagrams for socket s and sends them with one
// sendmmsg (more if the kernel takes fewer at once).
func (w *worker) sendBatch(s *sender, k int) (int, error) {
	g := w.g
	s.msgs = s.msgs[:0]
	for i := 0; i < k; i++ {
		b, ok := w.nextDatagram(s, s.bufs[i][:0])
		if !ok {
			break
		}
		s.bufs[i] = b
		s.msgs = append(s.msgs, ipv4.Message{Buffers: [][]byte{b}, Addr: g.group})
	}
	sent := 0
	for sent < len(s.msgs) {
		n, err := s.pc.WriteBatch(s.msgs[sent:], 0)
		sent += max(n, 0)
		if err != nil {
			g.sendErrors.Add(uint64(len(s.msgs) - sent))
			return sent, err
		}
	}
	return sent, nil
}

// nextDatagram appends the socket's next datagram to dst; false when a
// Steady queue is empty.
func (w *worker) nextDatagram(s *sender, dst []byte) ([]byte, bool) {
	g := w.g
	if g.cfg.Mode == Steady {
		if len(s.queue) == 0 {
			return dst, false
		}
		it := s.queue[0]
		s.queue = s.queue[1:]
		if len(s.queue) == 0 {
			s.queue = s.queue[:0:0] // let the backing array go
		}
		return g.peers[it.peer].build(dst, it.chunk, w.mac), true
	}
	if s.acc += g.cfg.Hostile; s.acc >= 1 {
		s.acc--
		kind := s.kind
		s.kind = (s.kind + 1) % len(HostileKinds)
		b := w.hostile[kind]
		if b == nil { // replay
			if b = s.last; b == nil {
				kind, b = 0, w.hostile[0]
			}
		}
		g.hostile.Add(1)
		g.hostileKind[kind].Add(1)
		return append(dst, b...), true
	}
	p := g.peers[s.peers[s.cursor]]
	s.cursor = (s.cursor + 1) % len(s.peers)
	if g.cfg.Mode == FloodAnnounces {
		dst = p.nextAnnounce(dst, w.mac)
	} else {
		dst = p.next(dst, w.mac)
	}
	if g.cfg.Hostile > 0 {
		s.last = append(s.last[:0], dst...)
	}
	return dst, true
}

func (s *sender) push(it item) {
	if len(s.queue) >= maxQueue {
		s.g.queueDropped.Add(1)
		return
	}
	s.queue = append(s.queue, it)
}

// handle queues the answer to a request: the chunks asked for (all when
// none are named), each at most once per resendEvery; or the announce when
// the request is for another generation.
func (w *worker) handle(r request, now time.Time) {
	g := w.g
	p := g.peers[r.peer]
	s := w.bySock[g.socketOf(r.peer)]
	if r.gen != p.gen {
		if now.Sub(p.announAt) >= resendEvery {
			p.announAt = now
			s.push(item{r.peer, -1})
			g.resent.Add(1)
		}
		return
	}
	want := r.missing
	if len(want) == 0 {
		want = make([]int, len(p.chunks))
		for i := range want {
			want[i] = i
		}
	}
	for _, c := range want {
		if c >= 0 && c < len(p.chunks) && now.Sub(p.resent[c]) >= resendEvery {
			p.resent[c] = now
			s.push(item{r.peer, c})
			g.resent.Add(1)
		}
	}
}
