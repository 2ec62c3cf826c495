package loadgen

import (
	"bytes"
	"fmt"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// HostileKinds are the hostile datagrams a Flood with Config.Hostile > 0
// mixes in, in turn:
//
//	garbage    256 bytes that are neither a frame nor JSON
//	oversize   a frame of 1,400 bytes, above wire.MaxDatagram
//	forged     a valid chunk signed with a key the daemon does not have
//	malformed  a frame (signed with Config.Key) holding cut-off JSON
//	invalid    a frame (signed) holding a chunk with a bad instance id
//	replay     the sender's previous valid datagram, byte for byte
var HostileKinds = [...]string{"garbage", "oversize", "forged", "malformed", "invalid", "replay"}

// forgedKey signs the forged datagrams.
var forgedKey = []byte("loadgen-forged-key-not-yours")

// ExpectedDrop is the drop reason a daemon counts for a hostile datagram
// of kind; keyed says whether the daemon has authentication keys (the same
// as the generator's Config.Key).
func ExpectedDrop(kind string, keyed bool) string {
	switch kind {
	case "garbage":
		if keyed {
			return wire.DropUnauthenticated
		}
		return wire.DropMalformed
	case "oversize":
		return wire.DropOversize
	case "forged":
		if keyed {
			return wire.DropBadSignature
		}
		return wire.DropUnverifiable
	case "malformed":
		return wire.DropMalformed
	case "invalid":
		return wire.DropInvalid
	case "replay":
		return wire.DropReplay
	}
	return ""
}

// hostileDatagrams builds the fixed hostile datagrams, indexed as
// HostileKinds; "replay" is nil (the sender resends its last datagram).
func hostileDatagrams(key []byte) ([][]byte, error) {
	garbage := bytes.Repeat([]byte{0xff, 0xfe, 'x', '{'}, 64)
	forged, err := wire.EncodeDatagram(&wire.Envelope{Kind: wire.KindChunk, Node: "forger",
		Instance: "00000000000000f0", Seq: 1, Agent: Agent, Gen: 1, Chunks: 1,
		Disks: []messages.Disk{{Label: "forged"}}}, forgedKey)
	if err != nil {
		return nil, fmt.Errorf("loadgen: forged datagram: %w", err)
	}
	out := [][]byte{
		garbage,
		wire.EncodeFrame(bytes.Repeat([]byte(" "), 1400-wire.FrameHeader), nil),
		forged,
		wire.EncodeFrame([]byte(`{"v":2,"kind":"chunk","node":"malfor`), key),
		wire.EncodeFrame([]byte(`{"v":2,"kind":"chunk","node":"invalid","instance":"NOT-HEX","seq":1,`+
			`"gen":1,"chunks":1,"index":0,"disks":[{"label":"invalid"}]}`), key),
		nil,
	}
	if len(out) != len(HostileKinds) {
		panic("loadgen: hostileDatagrams out of step with HostileKinds")
	}
	return out, nil
}
