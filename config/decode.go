package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxVisits bounds the nodes the walker visits. A real file has a few dozen;
// anchors and merge keys can make a small file expand exponentially.
const maxVisits = 10_000

var durationType = reflect.TypeFor[time.Duration]()

// decode decodes data onto c. It parses the document into a yaml.Node tree,
// walks the tree against the shape of Config to report unknown keys, wrong
// kinds and bad values with their dotted key path and line, and then decodes
// the bytes onto c with a KnownFields decoder, whose own complaints the walk
// has already described better. It reports whether c now holds the values of
// the file, to be validated, and returns the line of each key in the file.
func decode(data []byte, c *Config) (lines map[string]int, ps []*KeyError, decoded bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var doc yaml.Node
	if err := dec.Decode(&doc); err == io.EOF {
		return nil, nil, true // an empty file: the defaults
	} else if err != nil {
		return nil, yamlProblems(err, data), false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, []*KeyError{{Line: extra.Line, Msg: "a second YAML document (after ---) is not allowed"}}, false
	} else if err != io.EOF {
		return nil, yamlProblems(err, data), false
	}
	w := &walker{lines: map[string]int{}, active: map[*yaml.Node]bool{}}
	if len(doc.Content) == 1 {
		w.value(doc.Content[0], reflect.TypeFor[Config](), "")
	}
	if w.visits > maxVisits {
		return nil, w.problems, false
	}
	dec = yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && len(w.problems) == 0 {
		return nil, yamlProblems(err, data), false
	}
	return w.lines, w.problems, true
}

// yamlProblems turns an error from the yaml package into problems with lines.
func yamlProblems(err error, data []byte) []*KeyError {
	msgs := []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	if te := (*yaml.TypeError)(nil); errors.As(err, &te) {
		msgs = te.Errors
	}
	ps := make([]*KeyError, 0, len(msgs))
	for _, m := range msgs {
		p := &KeyError{Msg: m}
		if rest, ok := strings.CutPrefix(m, "line "); ok {
			if num, msg, ok := strings.Cut(rest, ": "); ok {
				if n, err := strconv.Atoi(num); err == nil {
					p.Line, p.Msg = n, msg
				}
			}
		}
		if indentedWithTab(data, p.Line) {
			p.Msg += " (YAML does not allow tabs for indentation: use spaces)"
		}
		ps = append(ps, p)
	}
	return ps
}

// indentedWithTab reports whether line n (from 1) or the line before it
// starts with whitespace containing a tab.
func indentedWithTab(data []byte, n int) bool {
	for i, line := range bytes.Split(data, []byte("\n")) {
		if i+1 == n-1 || i+1 == n {
			rest := bytes.TrimLeft(line, " \t")
			if bytes.ContainsRune(line[:len(line)-len(rest)], '\t') {
				return true
			}
		}
	}
	return false
}

// walker checks a yaml.Node tree against the shape of a Go type.
type walker struct {
	problems []*KeyError
	lines    map[string]int      // key path → line of the key
	active   map[*yaml.Node]bool // aliases being expanded, to catch cycles
	visits   int
}

func (w *walker) addf(line int, key, format string, args ...any) {
	w.problems = append(w.problems, &KeyError{Key: key, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// budget counts a visit and reports false once the document is too big.
func (w *walker) budget(n *yaml.Node) bool {
	w.visits++
	if w.visits == maxVisits+1 {
		w.addf(n.Line, "", "the document expands to more than %d values (anchors, aliases and merge keys); simplify it", maxVisits)
	}
	return w.visits <= maxVisits
}

// alias walks the node an alias refers to with f, refusing cycles.
func (w *walker) alias(n *yaml.Node, path string, f func(*yaml.Node)) {
	if n.Alias == nil || w.active[n] {
		w.addf(n.Line, path, "%s: alias *%s refers to itself", label(path), n.Value)
		return
	}
	w.active[n] = true
	f(n.Alias)
	delete(w.active, n)
}

// value checks n as a value of type t at key path.
func (w *walker) value(n *yaml.Node, t reflect.Type, path string) {
	if !w.budget(n) {
		return
	}
	if n.Kind == yaml.AliasNode {
		w.alias(n, path, func(a *yaml.Node) { w.value(a, t, path) })
		return
	}
	switch {
	case t.Kind() == reflect.Struct:
		if !isNull(n) { // an empty section keeps its defaults
			w.mapping(n, t, path, true)
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		w.list(n, t.Elem(), path)
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct: // an optional section (mount.policy)
		if !isNull(n) {
			w.mapping(n, t.Elem(), path, true)
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct: // a list of sections (mount.policy.rules)
		w.list(n, t.Elem(), path)
	case t == durationType:
		if w.scalar(n, path, "a duration such as 30s") {
			if _, err := time.ParseDuration(n.Value); err != nil || n.ShortTag() != "!!str" {
				w.addf(n.Line, path, "%s: %q is not a duration (use e.g. 30s)", path, n.Value)
			}
		}
	case t.Kind() == reflect.Bool:
		if w.scalar(n, path, "true or false") && n.ShortTag() != "!!bool" {
			w.addf(n.Line, path, "%s: %q is not a boolean (use true or false)", path, n.Value)
		}
	case t.Kind() == reflect.Int:
		if w.scalar(n, path, "an integer") {
			var v int
			if n.ShortTag() != "!!int" || n.Decode(&v) != nil {
				w.addf(n.Line, path, "%s: %q is not an integer", path, n.Value)
			}
		}
	case t.Kind() == reflect.String:
		if w.scalar(n, path, "a string") && n.Style&yaml.TaggedStyle != 0 {
			if tag := n.ShortTag(); tag != "!!str" && tag != "!!binary" {
				w.addf(n.Line, path, "%s: tag %s is not allowed on a string", path, tag)
			}
		}
	default:
		panic("config: no check for " + t.String() + " at " + path) // a new field type needs a case
	}
}

// scalar reports whether n is a scalar with a value; if not, it says why.
func (w *walker) scalar(n *yaml.Node, path, want string) bool {
	switch {
	case n.Kind != yaml.ScalarNode:
		w.addf(n.Line, path, "%s: expected %s, got %s", path, want, describe(n))
	case isNull(n):
		w.addf(n.Line, path, "%s: no value (delete the key to keep its default)", path)
	default:
		return true
	}
	return false
}

func (w *walker) list(n *yaml.Node, elem reflect.Type, path string) {
	switch {
	case isNull(n):
		w.addf(n.Line, path, "%s: no value (delete the key to keep its default)", path)
	case n.Kind != yaml.SequenceNode:
		w.addf(n.Line, path, "%s: expected a list such as [blkid, -o, export], got %s", path, describeAt(n, path))
	default:
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			w.lines[p] = item.Line
			w.value(item, elem, p)
		}
	}
}

// mapping checks the keys of n against the fields of struct type t. Keys
// given explicitly are recorded in w.lines ahead of keys merged in with "<<".
func (w *walker) mapping(n *yaml.Node, t reflect.Type, path string, explicit bool) {
	if n.Kind != yaml.MappingNode {
		w.addf(n.Line, path, "%s: expected a mapping of keys (%s), got %s", label(path), strings.Join(fieldNames(t), ", "), describeAt(n, path))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMerge(k) {
			w.merge(v, t, path, true)
			continue
		}
		line := k.Line
		if k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias // an alias as a key: "*name: value"
		}
		if k.Kind != yaml.ScalarNode {
			w.addf(line, path, "%s: a key must be a string, got %s", label(path), describe(k))
			continue
		}
		key := k.Value
		if path != "" {
			key = path + "." + k.Value
		}
		f, ok := fieldByKey(t, k.Value)
		if !ok || k.ShortTag() != "!!str" {
			w.addf(line, key, "unknown key %q (known: %s)", key, strings.Join(fieldNames(t), ", "))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			w.addf(line, key, "duplicate key %q (first at line %d)", key, first)
			continue
		}
		seen[k.Value] = line
		if _, ok := w.lines[key]; explicit || !ok {
			w.lines[key] = line
		}
		w.value(v, f.Type, key)
	}
}

// merge checks the value of a merge key: a mapping, or a list of mappings,
// possibly aliases, whose keys must be keys of t.
func (w *walker) merge(v *yaml.Node, t reflect.Type, path string, top bool) {
	if !w.budget(v) {
		return
	}
	switch {
	case v.Kind == yaml.AliasNode && v.Alias != nil && v.Alias.Kind == yaml.MappingNode:
		w.alias(v, path, func(a *yaml.Node) { w.mapping(a, t, path, false) })
	case v.Kind == yaml.MappingNode:
		w.mapping(v, t, path, false)
	case v.Kind == yaml.SequenceNode && top:
		for _, item := range v.Content {
			w.merge(item, t, path, false)
		}
	default:
		w.addf(v.Line, path, "%s: a merge key (<<) takes a mapping or a list of mappings, got %s", label(path), describe(v))
	}
}

// isMerge reports whether k is the merge key "<<", as the yaml package does.
func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "" || k.Tag == "!" || k.ShortTag() == "!!merge")
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// fieldNames lists the yaml keys of struct type t in declaration order.
func fieldNames(t reflect.Type) []string {
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = t.Field(i).Tag.Get("yaml")
	}
	return names
}

func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); f.Tag.Get("yaml") == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func label(path string) string {
	if path == "" {
		return "top level"
	}
	return path
}

// describeAt describes n, the value at key path, as describe does, but
// without quoting a scalar where a secret may have been written: a key
// given as "auth: KEY" or "auth.keys: KEY" rather than in a list.
func describeAt(n *yaml.Node, path string) string {
	if (path == "auth" || path == "auth.keys") && n.Kind == yaml.ScalarNode && !isNull(n) {
		return "a single value (not shown: it may be a key)"
	}
	return describe(n)
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if isNull(n) {
		return "no value"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:40] + "..."
	}
	return strconv.Quote(v)
}
