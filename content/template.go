package content

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// UI strings are templates in a small subset of Go's text/template: {{.Field}} prints a field of the data, and
// {{if .Field}}…{{else}}…{{end}} (nestable) chooses by the field's truth. Anything else is an error the content
// check reports. The output is what text/template gives for the same template and data (the tests compare the
// two over every string); it is not text/template because that package's reflection on methods by name
// (evalField) makes the linker keep every exported method of every type in the binary: 10 MB of the 28 MB
// static binary, and more memory at start-up.

// tmpl is a parsed UI string.
type tmpl []node

// node is literal text, a field to print, or a condition.
type node struct {
	text  string
	field string // {{.field}}, or the condition of an if
	cond  bool
	then  tmpl
	els   tmpl
}

// parseTemplate parses src.
func parseTemplate(src string) (tmpl, error) {
	p := &tparser{src: src}
	t, end, err := p.list()
	if err != nil {
		return nil, err
	}
	if end != "" {
		return nil, fmt.Errorf("unexpected {{%s}}", end)
	}
	return t, nil
}

type tparser struct{ src string }

// list parses nodes up to the end of the input or an {{else}} or {{end}}, which it returns.
func (p *tparser) list() (tmpl, string, error) {
	var t tmpl
	for p.src != "" {
		i := strings.Index(p.src, "{{")
		if i < 0 {
			t = append(t, node{text: p.src})
			p.src = ""
			break
		}
		if i > 0 {
			t = append(t, node{text: p.src[:i]})
		}
		j := strings.Index(p.src[i:], "}}")
		if j < 0 {
			return nil, "", errors.New("unclosed action {{")
		}
		action := p.src[i+2 : i+j]
		p.src = p.src[i+j+2:]
		a := strings.TrimSpace(action)
		switch {
		case a == "else" || a == "end":
			return t, a, nil
		case strings.HasPrefix(a, "if "):
			f, ok := fieldName(strings.TrimSpace(a[3:]))
			if !ok {
				return nil, "", fmt.Errorf("unsupported condition {{%s}}: use {{if .Field}}", action)
			}
			then, end, err := p.list()
			if err != nil {
				return nil, "", err
			}
			n := node{cond: true, field: f, then: then}
			if end == "else" {
				if n.els, end, err = p.list(); err != nil {
					return nil, "", err
				}
			}
			if end != "end" {
				return nil, "", fmt.Errorf("{{if .%s}} without {{end}}", f)
			}
			t = append(t, n)
		default:
			f, ok := fieldName(a)
			if !ok {
				return nil, "", fmt.Errorf("unsupported action {{%s}}: only {{.Field}} and {{if .Field}}…{{else}}…{{end}}", action)
			}
			t = append(t, node{field: f})
		}
	}
	return t, "", nil
}

// fieldName reads ".Name" (an identifier after the dot).
func fieldName(s string) (string, bool) {
	name, ok := strings.CutPrefix(s, ".")
	if !ok || name == "" {
		return "", false
	}
	for i, r := range name {
		letter := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f
		if !letter && (i == 0 || r < '0' || r > '9') {
			return "", false
		}
	}
	return name, true
}

// execute renders t with data, as text/template does with its default missingkey option: a missing or nil
// field prints "<no value>".
func (t tmpl) execute(b *strings.Builder, data map[string]any) {
	for _, n := range t {
		switch {
		case n.cond:
			if truth(data[n.field]) {
				n.then.execute(b, data)
			} else {
				n.els.execute(b, data)
			}
		case n.field != "":
			b.WriteString(printable(data[n.field]))
		default:
			b.WriteString(n.text)
		}
	}
}

// truth is text/template's truth of a value: false for nil and zero numbers, empty strings, slices and maps;
// structs are true.
func truth(v any) bool {
	if v == nil {
		return false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return rv.Len() > 0
	case reflect.Bool:
		return rv.Bool()
	case reflect.Complex64, reflect.Complex128:
		return rv.Complex() != 0
	case reflect.Chan, reflect.Func, reflect.Pointer, reflect.UnsafePointer, reflect.Interface:
		return !rv.IsNil()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int() != 0
	case reflect.Float32, reflect.Float64:
		return rv.Float() != 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rv.Uint() != 0
	}
	return true
}

// printable is how text/template prints a value: a pointer prints what it points to unless it is a Stringer or
// an error itself.
func printable(v any) string {
	switch v := v.(type) {
	case nil:
		return "<no value>"
	case string:
		return v
	case fmt.Stringer, error:
		return fmt.Sprint(v)
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
		if s, ok := rv.Interface().(fmt.Stringer); ok {
			return s.String()
		}
	}
	return fmt.Sprint(rv.Interface())
}

// CLDR plural forms of the bot's languages, for whole numbers (the only counts N takes).
func pluralForm(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	switch lang {
	case "ro":
		// one: i = 1 and v = 0; few: v != 0 or n = 0 or n != 1 and n % 100 = 1..19.
		if n == 1 {
			return "one"
		}
		if n == 0 || n%100 >= 1 && n%100 <= 19 {
			return "few"
		}
		return "other"
	default:
		// en: one: i = 1 and v = 0. da: one: n = 1 or t != 0 and i = 0,1 (for whole numbers: n = 1).
		if n == 1 {
			return "one"
		}
		return "other"
	}
}
