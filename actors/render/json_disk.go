package render

import (
	"encoding/json"
	"reflect"
	"strconv"
	"unicode/utf8"

	"github.com/diskd-actors/diskd-actors/messages"
)

// AppendNodeDiskJSON appends nd as JSON, byte for byte what json.Marshal
// writes (messages.NodeDisk.MarshalJSON; a test and a fuzz target hold the
// two equal). It exists for "list --json" of tens of thousands of disks:
// json.Marshal spends most of its time in reflection, in the marshaller
// per element and in re-compacting each one's output.
func AppendNodeDiskJSON(b []byte, nd messages.NodeDisk) []byte {
	if !fastDiskJSON {
		j, _ := json.Marshal(nd) // strings, bools and numbers always marshal
		return append(b, j...)
	}
	return appendNodeDisk(b, nd)
}

// fastDiskJSON reports that appendNodeDisk writes every field of a
// NodeDisk's JSON, checked once on a disk with every field set
// (knowsEveryField). A field added to the messages and not here makes
// AppendNodeDiskJSON fall back to json.Marshal, still right but about ten
// times slower, and TestAppendNodeDiskJSON_fastPath fail.
var fastDiskJSON = knowsEveryField()

func knowsEveryField() bool {
	var nd messages.NodeDisk
	fillFields(reflect.ValueOf(&nd).Elem(), "x")
	want, err := json.Marshal(nd)
	return err == nil && string(appendNodeDisk(nil, nd)) == string(want)
}

// fillFields sets every exported field of v, recursively: strings to
// their field's name, bools to true, numbers to 7, slices and pointers to
// one filled element.
func fillFields(v reflect.Value, name string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(name)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(7)
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				fillFields(v.Field(i), f.Name)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fillFields(s.Index(0), name)
		v.Set(s)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fillFields(p.Elem(), name)
		v.Set(p)
	}
}

// appendNodeDisk is the fast path of AppendNodeDiskJSON.
func appendNodeDisk(b []byte, nd messages.NodeDisk) []byte {
	b = append(b, `{"node":`...)
	b = appendJSONString(b, nd.Node)
	b = append(b, `,"local":`...)
	b = strconv.AppendBool(b, nd.Local)
	b = append(b, `,"uuid":`...)
	b = appendJSONString(b, nd.UUID)
	b = append(b, `,"label":`...)
	b = appendJSONString(b, nd.Label)
	b = append(b, `,"device":`...)
	b = appendJSONString(b, nd.Device)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, nd.Type)
	b = append(b, `,"mounts":[`...)
	for i, m := range nd.Mounts {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"path":`...)
		b = appendJSONString(b, m.Path)
		b = append(b, `,"fstype":`...)
		b = appendJSONString(b, m.FSType)
		b = append(b, `,"ro":`...)
		b = strconv.AppendBool(b, m.ReadOnly)
		b = append(b, '}')
	}
	b = append(b, ']')
	return append(appendIdentity(b, &nd.Identity), '}')
}

// appendIdentity appends the identity fields as json.Marshal does: each
// omitted when empty (zero size, "" string, nil flag). A disk without an
// identity costs one comparison.
func appendIdentity(b []byte, id *messages.Identity) []byte {
	if *id == (messages.Identity{}) {
		return b
	}
	if id.Size != 0 {
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, id.Size, 10)
	}
	b = appendOptString(b, `,"disk":`, id.WholeDisk)
	b = appendOptString(b, `,"model":`, id.Model)
	b = appendOptString(b, `,"serial":`, id.Serial)
	b = appendOptString(b, `,"wwn":`, id.WWN)
	b = appendOptString(b, `,"transport":`, id.Transport)
	b = appendOptString(b, `,"partuuid":`, id.PartUUID)
	if id.Removable != nil {
		b = append(b, `,"removable":`...)
		b = strconv.AppendBool(b, *id.Removable)
	}
	if id.Rotational != nil {
		b = append(b, `,"rotational":`...)
		b = strconv.AppendBool(b, *id.Rotational)
	}
	return b
}

// appendOptString appends key and s unless s is empty (omitempty).
func appendOptString(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendJSONString(append(b, key...), s)
}

// appendJSONString appends s as a JSON string. Strings that encoding/json
// would write as they are (valid UTF-8 without quotes, backslashes,
// controls, <, >, &, U+2028 or U+2029) are copied; the rest, rare, are
// left to encoding/json so that its escaping rules are not copied here.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < ' ' || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return appendMarshalled(b, s)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == '\u2028' || r == '\u2029' {
			return appendMarshalled(b, s)
		}
		i += n
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendMarshalled(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}
