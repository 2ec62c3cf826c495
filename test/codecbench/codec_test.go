// Package codecbench compares the JSON codecs that could decode the wire
// envelope (issue 9, "Ingest"), in a module of its own so that the
// candidates that lost do not become dependencies of the daemon:
//
//	cd test/codecbench && go test -run Strictness -v . && go test -run '^$' -bench . -benchmem .
package codecbench

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"io"
	"testing"

	goccy "github.com/goccy/go-json"
	segjson "github.com/segmentio/encoding/json"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// chunkBody is the JSON body of a chunk as the load generator's peers
// send it: 6 disks, half of them mounted, about 1,000 bytes.
func chunkBody(tb testing.TB) (frame, body []byte) {
	var disks []messages.Disk
	for d := range 6 {
		label := fmt.Sprintf("ingest-0042-disk-%03d", d)
		disk := messages.Disk{UUID: fmt.Sprintf("%08x-1c2d-4e5f-8a9b-%012x", 0x5eed0000+d, 0xabcdef000000+d),
			Label: label, Device: fmt.Sprintf("/dev/sd%c%d", 'a'+d, d+1), Type: "ext4"}
		if d%2 == 0 {
			disk.Mounts = []messages.Mount{{Path: "/srv/" + label, FSType: "ext4"}}
		}
		disks = append(disks, disk)
	}
	frame, err := wire.EncodeDatagram(&wire.Envelope{Kind: wire.KindChunk, Node: "ingest-0042",
		Instance: "0123456789abcdef", Seq: 123456, Agent: "diskd-actors/loadgen", Gen: 77, Chunks: 17, Index: 3,
		Disks: disks}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return frame, frame[wire.FrameHeader:]
}

// codec decodes one body into an envelope.
type codec struct {
	name   string
	decode func([]byte, *wire.Envelope) error
}

var codecs = []codec{
	{"encoding/json, as before (head + envelope, two Decoders)", func(b []byte, e *wire.Envelope) error {
		var head struct {
			V    *int   `json:"v"`
			Kind string `json:"kind"`
		}
		if err := stdDecodeOne(b, &head); err != nil {
			return err
		}
		return stdDecodeOne(b, e)
	}},
	{"encoding/json Unmarshal", func(b []byte, e *wire.Envelope) error { return stdjson.Unmarshal(b, e) }},
	{"encoding/json Decoder, DisallowUnknownFields", func(b []byte, e *wire.Envelope) error {
		d := stdjson.NewDecoder(bytes.NewReader(b))
		d.DisallowUnknownFields()
		return d.Decode(e)
	}},
	{"goccy/go-json Unmarshal", func(b []byte, e *wire.Envelope) error { return goccy.Unmarshal(b, e) }},
	{"goccy/go-json, DisallowUnknownFields", func(b []byte, e *wire.Envelope) error {
		d := goccy.NewDecoder(bytes.NewReader(b))
		d.DisallowUnknownFields()
		return d.Decode(e)
	}},
	{"segmentio/encoding Unmarshal", func(b []byte, e *wire.Envelope) error { return segjson.Unmarshal(b, e) }},
	{"segmentio/encoding Parse, strict flags", func(b []byte, e *wire.Envelope) error {
		rest, err := segjson.Parse(b, e, segjson.DontMatchCaseInsensitiveStructFields)
		if err == nil && len(bytes.TrimSpace(rest)) > 0 {
			return errors.New("trailing data")
		}
		return err
	}},
}

func stdDecodeOne(b []byte, v any) error {
	dec := stdjson.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// BenchmarkCodec decodes the chunk body with each candidate (the body
// only: no frame, no UTF-8 check, no validation), and the daemon's own
// one-pass decoder over the whole frame (UTF-8 check and validation
// included).
func BenchmarkCodec(b *testing.B) {
	frame, body := chunkBody(b)
	for _, c := range codecs {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var e wire.Envelope
				if err := c.decode(body, &e); err != nil || len(e.Disks) != 6 {
					b.Fatal(err, len(e.Disks))
				}
			}
		})
	}
	b.Run("wire.Decoder one pass (frame, UTF-8, validation included)", func(b *testing.B) {
		dec := wire.NewDecoder(nil)
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if e, err := dec.Decode(frame); err != nil || len(e.Disks) != 6 {
				b.Fatal(err)
			}
		}
	})
}
