package statefile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/diskd-actors/diskd-actors/messages"
)

// ErrDecoderPanic marks a recovered YAML decoder panic: the daemon survives
// it, and the fuzz target fails on it.
var ErrDecoderPanic = errors.New("statefile: YAML decoder panicked")

var yamlLine = regexp.MustCompile(`line (\d+)`)

// decodeYAML reads the state file format before JSON (version 1): exactly
// one YAML document, no unknown keys, the same limits as JSON. The YAML
// library's messages quote the input, so only their line and the kind of
// problem are kept.
func decodeYAML(b []byte) (snap *messages.StateSnapshot, err error) {
	defer func() {
		if r := recover(); r != nil {
			snap, err = nil, fmt.Errorf("%w: %w", ErrDecoderPanic, &Error{noPos: true, Reason: "YAML decoder failed"})
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var s messages.StateSnapshot
	if err := dec.Decode(&s); err != nil {
		if err == io.EOF {
			return nil, ErrEmpty
		}
		return nil, yamlError(err)
	}
	// Unmarshal would ignore a second document; a Decoder does not.
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Error{noPos: true, Reason: "more than one YAML document"}
	} else if err != io.EOF {
		e := yamlError(err)
		e.Reason += " after the first document"
		return nil, e
	}
	if s.Version != legacyVersion {
		return nil, &Error{noPos: true, Path: "version", Reason: fmt.Sprintf("unsupported or missing version, want %d", legacyVersion)}
	}
	if path, err := validSnapshotHead(&s); err != nil {
		return nil, &Error{noPos: true, Path: path, Reason: err.Error()}
	}
	if len(s.Peers) > MaxPeers {
		return nil, &Error{noPos: true, Path: "peers", Reason: fmt.Sprintf("more than %d peers", MaxPeers)}
	}
	seen := make(map[string]struct{}, len(s.Peers))
	for i := range s.Peers {
		path, err := validPeer(&s.Peers[i])
		if err == nil {
			if _, dup := seen[s.Peers[i].Node]; dup {
				path, err = "node", errors.New("duplicate peer")
			}
			seen[s.Peers[i].Node] = struct{}{}
		}
		if err != nil {
			return nil, &Error{noPos: true, Path: fmt.Sprintf("peers[%d].%s", i, path), Reason: err.Error()}
		}
	}
	if len(s.Sightings) > MaxSightings {
		return nil, &Error{noPos: true, Path: "sightings", Reason: fmt.Sprintf("more than %d sightings", MaxSightings)}
	}
	for i := range s.Sightings {
		if path, err := validSighting(&s.Sightings[i]); err != nil {
			return nil, &Error{noPos: true, Path: fmt.Sprintf("sightings[%d].%s", i, path), Reason: err.Error()}
		}
	}
	s.Version = messages.StateVersion
	return &s, nil
}

// yamlError keeps the line of a YAML error and a reason without quotes.
func yamlError(err error) *Error {
	msg := err.Error()
	e := &Error{noPos: true, Reason: "malformed YAML"}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
	}
	var te *yaml.TypeError
	switch {
	case strings.Contains(msg, "already defined") || strings.Contains(msg, "already set"):
		e.Reason = "repeated field"
	case strings.Contains(msg, "parsing time"):
		e.Reason = "not a time"
	case strings.Contains(msg, "control characters are not allowed"):
		e.Reason = "control characters are not allowed"
	case strings.Contains(msg, "unexpected end of stream"):
		e.Reason = "unexpected end of file"
	case errors.As(err, &te) && strings.Contains(msg, "not found in type"):
		e.Reason = "unknown field"
	case errors.As(err, &te):
		e.Reason = "wrong type"
	case strings.Contains(msg, "excessive aliasing"):
		e.Reason = "excessive aliasing"
	}
	return e
}
