package render

import (
	"github.com/diskd-actors/diskd-actors/actors/identity"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// PieceSize is about how many bytes of an answer a Stream renders at a
// time: what a session holds of a streamed answer (one row may add to it).
const PieceSize = 32 << 10

// A Stream renders one answer piece by piece, as it is written: Next
// appends the next piece, encoded for the line protocol (data lines
// dot-stuffed, then the status line), to b and reports whether more
// follow. The answer is the same, byte for byte, as the one a whole-answer
// renderer gives (tests hold List and ListStream equal).
type Stream interface {
	Next(b []byte) (out []byte, more bool)
}

// ListStream answers "list" from a view of the inventory: one JSON array
// on one data line, written disk by disk; or the table, whose column
// widths a first pass over the view measures at the first Next (the view
// is read twice, not copied). The table ends with List's warnings of
// duplicate disks, found among the disks with a hardware id.
func ListStream(v *messages.InventoryView, jsonOut bool) Stream {
	return &listStream{v: v, json: jsonOut, status: lineproto.StatusLine("", plural(v.Disks, "disk"))}
}

type listStream struct {
	v       *messages.InventoryView
	json    bool
	w       columns
	status  string
	node, i int // the next disk: v.Nodes[node].Disks[i]
	written int // disks rendered
	started bool
}

func (s *listStream) Next(b []byte) ([]byte, bool) {
	start := len(b)
	if !s.started {
		s.started = true
		if s.json {
			b = append(b, '[')
		} else { // measured here, by the writer, not by whoever made the stream
			s.w.fit(diskHeader)
			s.v.Each(func(nd messages.NodeDisk) bool {
				s.w.fit(diskRow(nd))
				return true
			})
			b = lineproto.AppendData(b, string(s.w.appendRow(nil, diskHeader)))
		}
	}
	var row []byte
	for s.node < len(s.v.Nodes) && len(b)-start < PieceSize {
		n := s.v.Nodes[s.node]
		if s.i >= len(n.Disks) {
			s.node, s.i = s.node+1, 0
			continue
		}
		nd := messages.NodeDisk{Node: n.Node, Local: n.Local, Disk: n.Disks[s.i]}
		if s.json {
			if s.written > 0 {
				b = append(b, ',')
			}
			b = AppendNodeDiskJSON(b, nd)
		} else {
			row = s.w.appendRow(row[:0], diskRow(nd))
			b = lineproto.AppendData(b, string(row))
		}
		s.i++
		s.written++
	}
	if s.node < len(s.v.Nodes) {
		return b, true
	}
	if s.json {
		b = append(b, "]\n"...)
	} else {
		for _, line := range duplicateLines(s.duplicates()) {
			b = lineproto.AppendData(b, line)
		}
	}
	b = append(b, s.status...)
	return append(b, '\n'), false
}

// duplicates finds the view's duplicates as Info does for List. Only
// disks with a hardware id can be one (identity.Duplicates skips the
// rest), so only they are copied: none on a LAN without identity.
func (s *listStream) duplicates() []messages.Duplicate {
	var candidates []messages.NodeDisk
	s.v.Each(func(nd messages.NodeDisk) bool {
		if nd.WWN != "" || nd.Serial != "" { // nd.HardwareID() != "", without building it
			candidates = append(candidates, nd)
		}
		return true
	})
	if len(candidates) < 2 {
		return nil
	}
	return identity.Duplicates(candidates)
}
