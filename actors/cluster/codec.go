package cluster

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// Version is the first byte of every payload; a payload of another
// version is refused, so that a later format can be told apart.
const Version byte = 1

// Kinds of payload (docs/protocol.md, "Cluster payloads").
const (
	// KindState names an inventory: node, instance, generation, digest,
	// disk count. It is the push/pull state (LocalState) and the
	// broadcast sent on every change; a receiver that holds that
	// generation does nothing, so an unchanged inventory costs no more.
	KindState = "state"
	// KindRequest asks the node To for its inventory (reliable, TCP).
	KindRequest = "request"
	// KindInventory is the inventory itself, answering a request
	// (reliable, TCP).
	KindInventory = "inventory"
	// KindGoodbye: the node stops cleanly (broadcast just before its
	// memberlist Leave, which alone does not tell a leave from a death to
	// the event delegate: memberlist leaves Node.State unset).
	KindGoodbye = "goodbye"
	// KindStates is the push/pull state (LocalState): the sender's own
	// state and every other it knows, so that anti-entropy with any one
	// member brings every generation, not only the sender's.
	KindStates = "states"
)

// Limits of what is decoded.
const (
	MaxPayload = 8 << 20 // an inventory of wire.MaxDisksPerPeer disks fits
	MaxMeta    = 256     // memberlist allows 512
)

// Payload is one message between cluster daemons.
type Payload struct {
	Kind     string          `json:"kind"`
	Node     string          `json:"node"`
	Instance string          `json:"instance"`
	Agent    string          `json:"agent,omitempty"`
	Gen      uint64          `json:"gen,omitempty"`
	Digest   string          `json:"digest,omitempty"`
	Count    int             `json:"count,omitempty"`
	To       string          `json:"to,omitempty"`     // request: the node asked
	Disks    []messages.Disk `json:"disks,omitempty"`  // inventory
	States   []Payload       `json:"states,omitempty"` // states: KindState payloads
}

// MaxStates bounds the states of one KindStates payload.
const MaxStates = 100000

// Encode returns p's bytes: Version, then JSON.
func Encode(p *Payload) ([]byte, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return append([]byte{Version}, b...), nil
}

// Decode reads and checks a payload; errors are *wire.DropError so that
// the caller counts them under a reason.
func Decode(b []byte) (*Payload, error) {
	if len(b) == 0 || b[0] != Version {
		return nil, &wire.DropError{Reason: wire.DropVersion, Detail: "not a cluster payload of version 1"}
	}
	if len(b) > MaxPayload {
		return nil, &wire.DropError{Reason: wire.DropOversize, Detail: fmt.Sprintf("%d bytes", len(b))}
	}
	var p Payload
	dec := json.NewDecoder(bytes.NewReader(b[1:]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, &wire.DropError{Reason: wire.DropMalformed, Detail: err.Error()}
	}
	if dec.More() {
		return nil, &wire.DropError{Reason: wire.DropMalformed, Detail: "data after the payload"}
	}
	if err := p.validate(); err != nil {
		return nil, &wire.DropError{Reason: wire.DropInvalid, Detail: err.Error()}
	}
	return &p, nil
}

func (p *Payload) validate() error {
	if err := wire.ValidNodeName(p.Node); err != nil {
		return fmt.Errorf("node: %w", err)
	}
	if p.Instance == "" || len(p.Instance) > wire.MaxField || len(p.Agent) > wire.MaxField {
		return errors.New("instance or agent missing or too long")
	}
	switch p.Kind {
	case KindState:
		if len(p.States) > 0 {
			return errors.New("state with states")
		}
		if p.Gen == 0 || p.Count < 0 || p.Count > wire.MaxDisksPerPeer || len(p.Digest) > wire.MaxField || len(p.Disks) > 0 {
			return errors.New("state: bad generation, count or digest, or disks")
		}
	case KindRequest:
		if err := wire.ValidNodeName(p.To); err != nil {
			return fmt.Errorf("request: to: %w", err)
		}
		if len(p.Disks) > 0 {
			return errors.New("request with disks")
		}
	case KindInventory:
		if p.Gen == 0 || len(p.Disks) > wire.MaxDisksPerPeer || len(p.Disks) != p.Count {
			return errors.New("inventory: bad generation or disk count")
		}
		for i := range p.Disks {
			if err := wire.ValidDisk(p.Disks[i]); err != nil {
				return fmt.Errorf("inventory: disk %d: %w", i, err)
			}
		}
		if wire.Digest(p.Disks) != p.Digest {
			return errors.New("inventory: the disks do not match the digest")
		}
	case KindStates:
		if len(p.States) > MaxStates || len(p.Disks) > 0 {
			return errors.New("states: too many, or disks")
		}
		for i := range p.States {
			if p.States[i].Kind != KindState || len(p.States[i].States) > 0 {
				return fmt.Errorf("states: entry %d is not a state", i)
			}
			if err := p.States[i].validate(); err != nil {
				return fmt.Errorf("states: entry %d: %w", i, err)
			}
		}
	case KindGoodbye:
		if len(p.Disks) > 0 || p.Gen != 0 {
			return errors.New("goodbye with an inventory")
		}
	default:
		return fmt.Errorf("unknown kind %q", p.Kind)
	}
	return nil
}

// Meta is memberlist's node metadata: what the node name alone does not
// say. Kept far below memberlist's 512 bytes.
type Meta struct {
	Instance string `json:"i"`
	Agent    string `json:"a,omitempty"`
}

// EncodeMeta returns m's bytes, or an error when they exceed limit.
func EncodeMeta(m Meta, limit int) ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	if len(b) > min(limit, MaxMeta) {
		return nil, fmt.Errorf("node metadata of %d bytes, more than %d", len(b), min(limit, MaxMeta))
	}
	return b, nil
}

// DecodeMeta reads node metadata.
func DecodeMeta(b []byte) (Meta, error) {
	var m Meta
	if len(b) > MaxMeta {
		return m, fmt.Errorf("node metadata of %d bytes", len(b))
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, err
	}
	if m.Instance == "" || len(m.Instance) > wire.MaxField || len(m.Agent) > wire.MaxField {
		return m, errors.New("node metadata without instance or too long")
	}
	return m, nil
}
