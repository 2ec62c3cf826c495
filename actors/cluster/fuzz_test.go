package cluster

import "testing"

// FuzzDecode: any bytes a cluster peer (or an outsider, without keys) can
// send: Decode returns a valid payload or an error, never panics, and what
// it accepts encodes again.
func FuzzDecode(f *testing.F) {
	for _, p := range []*Payload{
		{Kind: KindState, Node: "n1", Instance: "abc", Gen: 7, Digest: "d", Count: 2},
		{Kind: KindRequest, Node: "n2", Instance: "def", To: "n1"},
		{Kind: KindGoodbye, Node: "n1", Instance: "abc"},
		{Kind: KindStates, Node: "n1", Instance: "abc", States: []Payload{{Kind: KindState, Node: "n2", Instance: "d", Gen: 1}}},
		inventory(),
	} {
		b, err := Encode(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("\x01{}"))
	f.Add([]byte("\x01null"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Decode(b)
		if err != nil {
			return
		}
		if _, err := Encode(p); err != nil {
			t.Errorf("decoded %+v does not encode: %v", p, err)
		}
	})
}

// FuzzDecodeMeta: node metadata from any member.
func FuzzDecodeMeta(f *testing.F) {
	f.Add([]byte(`{"i":"abc","a":"diskd-actors/1"}`))
	f.Add([]byte(`{"i":""}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMeta(b)
		if err == nil && m.Instance == "" {
			t.Errorf("accepted %q without instance", b)
		}
	})
}
