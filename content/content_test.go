package content_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/m4pris/mentorbot/content"
)

func TestEmbeddedContentIsComplete(t *testing.T) {
	for _, p := range content.Check(content.FS()) {
		t.Error(p)
	}
}

func TestCheckReportsProblems(t *testing.T) {
	fs := fstest.MapFS{
		"ui/x.en.yaml": {Data: []byte("a: \"A\"\nb: \"B {{.N}}\"\nn:\n  one: \"{{.Count}} thing\"\n  other: \"{{.Count}} things\"\nbad: \"{{.Oops\"\n")},
		"ui/x.da.yaml": {Data: []byte("a: \"A\"\nn:\n  one: \"{{.Count}} ting\"\n  other: \"{{.Count}} ting\"\nbad: \"x\"\n")},
		"ui/y.en.yaml": {Data: []byte("c: \"C\"\n")},
		"ui/y.da.yaml": {Data: []byte("c: \"C\"\n")},
		"ui/y.ro.yaml": {Data: []byte("c: \"C\"\n")},
		"ui/z.de.yaml": {Data: []byte("c: \"C\"\n")},
	}
	var all []string
	for _, p := range content.Check(fs) {
		all = append(all, p.String())
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{
		"ui/x.ro.yaml: missing language file", // a language file missing
		"(da): missing key b",                 // a key missing in one language
		"ui/z.de.yaml",                        // a language the bot does not speak
		"bad",                                 // a template that does not parse
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems lack %q:\n%s", want, joined)
		}
	}
	if _, err := content.Load(fs); err == nil {
		t.Error("Load accepted broken content")
	}
}

func TestRomanianPluralForms(t *testing.T) {
	// Romanian needs one, few and other; a message with only one and other is reported.
	fs := fstest.MapFS{
		"ui/p.en.yaml": {Data: []byte("n:\n  one: \"{{.Count}} code\"\n  other: \"{{.Count}} codes\"\n")},
		"ui/p.da.yaml": {Data: []byte("n:\n  one: \"{{.Count}} kode\"\n  other: \"{{.Count}} koder\"\n")},
		"ui/p.ro.yaml": {Data: []byte("n:\n  one: \"{{.Count}} cod\"\n  other: \"{{.Count}} de coduri\"\n")},
	}
	found := false
	for _, p := range content.Check(fs) {
		if strings.Contains(p.String(), "(ro)") && strings.Contains(p.String(), "few") {
			found = true
		}
	}
	if !found {
		t.Error("missing Romanian 'few' form not reported")
	}
}

func TestRenderAndFallback(t *testing.T) {
	c := content.MustDefault()
	if got := c.T("da", "settings.saved", nil); got != "Gemt." {
		t.Errorf("da settings.saved = %q", got)
	}
	if got := c.T("xx", "settings.saved", nil); got != "Saved." {
		t.Errorf("unknown language should fall back to English, got %q", got)
	}
	if got := c.T("en", "no.such.key", nil); got != "no.such.key" {
		t.Errorf("unknown key = %q", got)
	}
	for n, want := range map[int]string{1: "1 cod ", 2: "2 coduri", 20: "20 de coduri"} {
		got := c.N("ro", "invite.created", n, map[string]any{"Role": "mentor", "Expires": "x", "Codes": "y"})
		if !strings.Contains(got, want) {
			t.Errorf("ro plural %d: %q lacks %q", n, got, want)
		}
	}
}
