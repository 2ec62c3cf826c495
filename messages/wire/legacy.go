package wire

// The wire format of the original Perl diskd (App::Diskd 0.01), for
// interoperating with it: one UDP datagram, the ASCII prefix "diskd:" and a
// YAML document, a sequence of [uuid, label, device] records:
//
//	diskd:---
//	- - 11111112-aaaa-bbbb-cccc-000000000002
//	  - host2-root
//	  - /dev/sd2a1
//	- - 22222222-aaaa-bbbb-cccc-000000000002
//	  - backup 2
//	  - /dev/sd2b1
//
// An absent value is "~" (YAML null, Perl undef). The original dies on any
// other shape (see DecodeLegacy), so the decoder here accepts exactly this
// shape and nothing more.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/diskd-actors/diskd-actors/messages"
	"go.yaml.in/yaml/v3"
)

const (
	// LegacyPrefix starts every datagram of the original diskd.
	LegacyPrefix = "diskd:"
	// LegacyInstance is the instance id given to peers running the
	// original, which has none.
	LegacyInstance = "legacy"
	// MaxLegacyDatagram is the most the original reads from one datagram,
	// and so the most EncodeLegacy produces.
	MaxLegacyDatagram = 1500
	// MaxLegacyDisks bounds the records of one legacy datagram.
	MaxLegacyDisks = 128

	// DropLegacyInvalid is the drop reason of a legacy datagram that is not
	// exactly the original's shape.
	DropLegacyInvalid = "legacy_invalid"
)

// ErrLegacyTooLarge is returned by EncodeLegacy when the disks do not fit in
// MaxLegacyDatagram bytes (or MaxLegacyDisks records). The list is never
// cut: the original would store the last record corrupt.
var ErrLegacyTooLarge = errors.New("messages: disks do not fit in one legacy datagram")

// DecodeLegacy decodes one whole datagram of the original diskd. Errors are
// *DropError with Reason DropOversize or DropLegacyInvalid.
//
// The document must be one YAML sequence of at most MaxLegacyDisks records,
// each a sequence of exactly three scalars [uuid, label, device]. Rejected:
// any other shape (mappings, scalars, [1, 2, 3], deeper nesting), anchors
// and aliases (the original never sends them; rejecting them makes alias
// bombs cheap), explicit tags other than !!str, a second document, and
// anything that is not valid UTF-8. Plain scalars keep their literal text
// whatever YAML type they resolve to (2019, yes, 1e3 stay that text); null
// (~, null, empty) reads as "". Records with neither uuid nor
// label are skipped, as the original does; every other record must pass
// ValidDisk. The parse is bounded by the datagram size and the walk visits
// at most 2+4*MaxLegacyDisks nodes before it accepts or rejects.
func DecodeLegacy(b []byte) (disks []messages.Disk, err error) {
	if len(b) > MaxLegacyDatagram {
		return nil, drop(DropOversize, "%d bytes, limit %d", len(b), MaxLegacyDatagram)
	}
	if !bytes.HasPrefix(b, []byte(LegacyPrefix)) {
		return nil, drop(DropLegacyInvalid, "no %q prefix", LegacyPrefix)
	}
	body := b[len(LegacyPrefix):]
	if !utf8.Valid(body) {
		// Also keeps the YAML reader from switching to UTF-16 on a BOM.
		return nil, drop(DropLegacyInvalid, "not valid UTF-8")
	}
	defer func() {
		if r := recover(); r != nil {
			disks, err = nil, drop(DropLegacyInvalid, "yaml parser panic: %.80v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(body))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, drop(DropLegacyInvalid, "no YAML document")
		}
		return nil, drop(DropLegacyInvalid, "%.120v", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, drop(DropLegacyInvalid, "more than one YAML document")
	}
	disks, err = legacyWalk(&doc)
	if err != nil {
		return nil, drop(DropLegacyInvalid, "%v", err)
	}
	return disks, nil
}

// legacyWalk checks the shape of a decoded document and extracts the disks.
func legacyWalk(doc *yaml.Node) ([]messages.Disk, error) {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errors.New("not one YAML document")
	}
	top := doc.Content[0]
	if err := legacyPlainNode(top); err != nil {
		return nil, err
	}
	if top.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("top level is a %s, want a sequence of records", kindName(top.Kind))
	}
	if len(top.Content) > MaxLegacyDisks {
		return nil, fmt.Errorf("%d records, limit %d", len(top.Content), MaxLegacyDisks)
	}
	disks := make([]messages.Disk, 0, len(top.Content))
	for i, rec := range top.Content {
		if err := legacyPlainNode(rec); err != nil {
			return nil, fmt.Errorf("record %d: %v", i, err)
		}
		if rec.Kind != yaml.SequenceNode || len(rec.Content) != 3 {
			return nil, fmt.Errorf("record %d: a %s of %d entries, want a sequence of 3",
				i, kindName(rec.Kind), len(rec.Content))
		}
		var f [3]string
		for j, n := range rec.Content {
			s, err := legacyScalar(n)
			if err != nil {
				return nil, fmt.Errorf("record %d entry %d: %v", i, j, err)
			}
			f[j] = s
		}
		d := messages.Disk{UUID: f[0], Label: f[1], Device: f[2]}
		if d.UUID == "" && d.Label == "" {
			continue
		}
		if err := ValidDisk(d); err != nil {
			return nil, fmt.Errorf("record %d: %v", i, err)
		}
		disks = append(disks, d)
	}
	return disks, nil
}

// legacyPlainNode rejects anchors, aliases and explicit tags on a
// collection.
func legacyPlainNode(n *yaml.Node) error {
	switch {
	case n.Kind == yaml.AliasNode:
		return errors.New("alias")
	case n.Anchor != "":
		return errors.New("anchor")
	case n.Kind != yaml.ScalarNode && n.Style&yaml.TaggedStyle != 0:
		return fmt.Errorf("explicit tag %.40q", n.Tag)
	}
	return nil
}

// legacyScalar returns the text of one record entry.
func legacyScalar(n *yaml.Node) (string, error) {
	if err := legacyPlainNode(n); err != nil {
		return "", err
	}
	if n.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("a %s, want a scalar", kindName(n.Kind))
	}
	switch tag := n.ShortTag(); {
	case n.Style&yaml.TaggedStyle != 0 && tag != "!!str":
		return "", fmt.Errorf("explicit tag %.40q", n.Tag)
	case tag == "!!null":
		return "", nil
	}
	return n.Value, nil
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.DocumentNode:
		return "document"
	case yaml.SequenceNode:
		return "sequence"
	case yaml.MappingNode:
		return "mapping"
	case yaml.ScalarNode:
		return "scalar"
	case yaml.AliasNode:
		return "alias"
	}
	return "node"
}

// EncodeLegacy builds the datagram the original diskd sends for disks:
// "diskd:---\n- - uuid\n  - label\n  - device\n...", an empty field as "~".
// Text that YAML would read as something else (quotes, "~", "null",
// numbers, leading indicators) is quoted, so that both the original (its
// YAML::XS is libyaml, of which go.yaml.in/yaml is a port) and DecodeLegacy
// read back exactly the same strings. Only uuid, label and
// device are carried. Every disk must pass ValidDisk. It returns
// ErrLegacyTooLarge, and no datagram, when the result would exceed
// MaxLegacyDatagram bytes or MaxLegacyDisks records.
func EncodeLegacy(disks []messages.Disk) ([]byte, error) {
	if len(disks) > MaxLegacyDisks {
		return nil, fmt.Errorf("%w: %d disks, limit %d", ErrLegacyTooLarge, len(disks), MaxLegacyDisks)
	}
	if len(disks) == 0 {
		return []byte(LegacyPrefix + "--- []\n"), nil
	}
	top := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for i, d := range disks {
		if err := ValidDisk(d); err != nil {
			return nil, fmt.Errorf("messages: legacy disk %d: %v", i, err)
		}
		rec := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, s := range [...]string{d.UUID, d.Label, d.Device} {
			n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
			if s == "" {
				n.Tag, n.Value = "!!null", "~"
			}
			rec.Content = append(rec.Content, n)
		}
		top.Content = append(top.Content, rec)
	}
	var buf bytes.Buffer
	buf.WriteString(LegacyPrefix + "---\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(top); err != nil {
		return nil, fmt.Errorf("messages: legacy encode: %v", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("messages: legacy encode: %v", err)
	}
	if buf.Len() > MaxLegacyDatagram {
		return nil, fmt.Errorf("%w: %d disks take %d bytes, limit %d",
			ErrLegacyTooLarge, len(disks), buf.Len(), MaxLegacyDatagram)
	}
	return buf.Bytes(), nil
}
