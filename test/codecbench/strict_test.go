package codecbench

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/diskd-actors/diskd-actors/messages/wire"
)

const okBody = `{"v":2,"kind":"chunk","node":"n","instance":"0123456789abcdef","seq":1,"gen":1,"chunks":1,"index":0,"disks":[{"label":"x"}]}`

// strictCases are the hostile bodies the wire must drop or read exactly;
// each result is "reject", or the node and first disk label decoded.
var strictCases = []struct{ name, body string }{
	{"valid", okBody},
	{"invalid UTF-8 in a string", strings.Replace(okBody, `"x"`, "\"x\xff\"", 1)},
	{"trailing garbage", okBody + "x"},
	{"two values", okBody + okBody},
	{"duplicate key", strings.Replace(okBody, `"node":"n"`, `"node":"m","node":"n"`, 1)},
	{"key by case", strings.Replace(okBody, `"node":"n"`, `"NODE":"n"`, 1)},
	{"unknown field", strings.Replace(okBody, `"v":2`, `"v":2,"future":[1]`, 1)},
	{"wrong type", strings.Replace(okBody, `"node":"n"`, `"node":5`, 1)},
	{"fraction into an integer", strings.Replace(okBody, `"seq":1`, `"seq":1.0`, 1)},
	{"lone surrogate", strings.Replace(okBody, `"x"`, `"\ud800"`, 1)},
	{"truncated", okBody[:60]},
	{"control character", strings.Replace(okBody, `"x"`, "\"x\x01\"", 1)},
}

// TestStrictness pins what each candidate does with hostile bodies, as
// measured at the versions in go.mod; docs/benchmarks.md (Ingest) quotes
// the gaps. The daemon's own decoder (wire) must give what encoding/json
// gives under the UTF-8 check, which it runs first.
func TestStrictness(t *testing.T) {
	want := map[string]map[string]string{} // case -> codec -> outcome, filled below
	for _, c := range strictCases {
		row := map[string]string{}
		for _, cd := range codecs {
			var e wire.Envelope
			row[cd.name] = outcome(cd.decode([]byte(c.body), &e), &e)
		}
		b := []byte(c.body)
		e, err := wire.DecodeDatagram(wire.EncodeFrame(b, nil), nil)
		if err != nil {
			row["wire"] = "reject"
		} else {
			row["wire"] = outcome(nil, e)
		}
		want[c.name] = row
		t.Logf("%-26s %v", c.name, row)
		std := row["encoding/json, as before (head + envelope, two Decoders)"]
		if !utf8.Valid(b) {
			continue // wire checks UTF-8 first, and drops what encoding/json would patch
		}
		if row["wire"] != std {
			t.Errorf("%s: wire %s, encoding/json %s", c.name, row["wire"], std)
		}
	}
	for name, row := range expected {
		for codec, o := range row {
			if got := want[name][codec]; got != o {
				t.Errorf("%s, %s: %s, pinned %s", name, codec, got, o)
			}
		}
	}
}

func outcome(err error, e *wire.Envelope) string {
	if err != nil {
		return "reject"
	}
	label := ""
	if len(e.Disks) > 0 {
		label = e.Disks[0].Label
	}
	return "node=" + e.Node + " label=" + label
}

// expected pins the strictness gaps, as measured at the versions in
// go.mod: no candidate checks UTF-8 (each turns bad bytes into U+FFFD),
// every one takes duplicate keys (the last wins), keys by case (but
// segmentio's with DontMatchCaseInsensitiveStructFields) and unknown
// fields (but with DisallowUnknownFields); decoders, unlike Unmarshal,
// stop after the first value and leave trailing data to the caller.
var expected = map[string]map[string]string{
	"invalid UTF-8 in a string": {
		"encoding/json Unmarshal":      "node=n label=x\uFFFD",
		"goccy/go-json Unmarshal":      "node=n label=x\uFFFD",
		"segmentio/encoding Unmarshal": "node=n label=x\uFFFD",
		"wire":                         "reject",
	},
	"trailing garbage": {
		"encoding/json Decoder, DisallowUnknownFields": "node=n label=x",
		"goccy/go-json, DisallowUnknownFields":         "node=n label=x",
		"goccy/go-json Unmarshal":                      "reject",
		"segmentio/encoding Unmarshal":                 "reject",
		"wire":                                         "reject",
	},
	"duplicate key": {
		"goccy/go-json Unmarshal":      "node=n label=x",
		"segmentio/encoding Unmarshal": "node=n label=x",
		"wire":                         "node=n label=x",
	},
	"key by case": {
		"goccy/go-json Unmarshal":                "node=n label=x",
		"segmentio/encoding Unmarshal":           "node=n label=x",
		"segmentio/encoding Parse, strict flags": "node= label=x",
		"wire":                                   "node=n label=x",
	},
	"unknown field": {
		"encoding/json Decoder, DisallowUnknownFields": "reject",
		"goccy/go-json, DisallowUnknownFields":         "reject",
		"goccy/go-json Unmarshal":                      "node=n label=x",
		"wire":                                         "node=n label=x",
	},
	"lone surrogate": {
		"goccy/go-json Unmarshal":      "node=n label=\uFFFD",
		"segmentio/encoding Unmarshal": "node=n label=\uFFFD",
		"wire":                         "node=n label=\uFFFD",
	},
}
