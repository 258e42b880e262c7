package content

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestHardcodedHelpline(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Call Livslinien on 70 201 201.", "70 201 201"},
		{"Sună la 0800 801 200.", "0800 801 200"},
		{"Ring 70201201 i nat", "70201201"},
		{"Call +45 70 20 12 01", "+45 70 20 12 01"},
		{"116 123 is not assured", "116 123"},
		{"0800-801-200", "0800-801-200"},
		{"Ask Livslinien for help", "Livslinien"},
		{"Alianța Română de Prevenție a Suicidului", "Alianța Română de Prevenție"},
		{"alianta romana de preventie a suicidului", "alianta romana de preventie"},
		// Not numbers to call: the emergency number, dates, times, figures.
		{"Call 112 in an emergency.", ""},
		{"adopted on 17.12.2015 (resolution 70/175)", ""},
		{"about 13.400 of 20.000 posts, 13,400 of 20,000", ""},
		{"2,2 indsatte per betjent, kl. 17.30, 72 timer", ""},
		{"in 2025 over 70% exceeded 180 hours", ""},
		{"{helpline}", ""},
	} {
		if got := HardcodedHelpline(tc.in); got != tc.want {
			t.Errorf("HardcodedHelpline(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestLessonCheckFindsHelplines feeds a lesson with a written-in number, a helpline name in its facts, an unknown
// placeholder and the placeholder in a title, and asserts the checker names each.
func TestLessonCheckFindsHelplines(t *testing.T) {
	l := validLesson("a1-x", "A", 1)
	l.Da.Cards[1] = "Ring 112, eller Livslinien på 70 201 201."
	l.Ro.Practice = "Salvează {helpine} în telefon."
	l.En.Title = "Call {helpline}"
	l.Facts = []string{"Alianța Română de Prevenție a Suicidului"}
	_, problems := LoadLibrary(lessonFS(t, testModules, l))
	var all []string
	for _, p := range problems {
		all = append(all, p.String())
	}
	got := strings.Join(all, "\n")
	for _, want := range []string{
		`da: card 2 has a hard-coded helpline "70 201 201"`,
		"ro: practice has the placeholder {helpine}",
		"en: title has the placeholder {helpline}",
		`fact 1 has a hard-coded helpline "Alianța Română de Prevenție"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no problem mentions %q; got:\n%s", want, got)
		}
	}

	ok := validLesson("a1-x", "A", 1)
	ok.Da.Cards[1] = "Ring 112 ved akut fare. Du kan også ringe til {helpline}."
	if _, problems := LoadLibrary(lessonFS(t, testModules, ok)); len(problems) > 0 {
		t.Fatalf("the placeholder is reported: %v", problems)
	}
}

// TestUICheckFindsHelplines: a UI string with a number or a single-brace placeholder fails the content check; a
// template field does not.
func TestUICheckFindsHelplines(t *testing.T) {
	fsys := lessonFS(t, testModules, validLesson("a1-x", "A", 1))
	fsys["ui/x.en.yaml"] = &fstest.MapFile{Data: []byte("x.lines: \"Call 112 or {{.Line}}\"\nx.call: \"Call 70 201 201\"\n")}
	fsys["ui/x.da.yaml"] = &fstest.MapFile{Data: []byte("x.lines: \"Ring 112 eller {{.Line}}\"\nx.call: \"Ring til {helpline}\"\n")}
	fsys["ui/x.ro.yaml"] = &fstest.MapFile{Data: []byte("x.lines: \"Sună la 112 sau {{.Line}}\"\nx.call: \"Sună la {{.Line}}\"\n")}
	var all []string
	for _, p := range Check(fsys) {
		all = append(all, p.String())
	}
	got := strings.Join(all, "\n")
	if len(all) != 2 || !strings.Contains(got, `ui/x.en.yaml: x.call has a hard-coded helpline "70 201 201"`) ||
		!strings.Contains(got, "ui/x.da.yaml: x.call has {helpline}, which UI strings do not fill") {
		t.Fatalf("want the number in en and the placeholder in da reported, got:\n%s", got)
	}
}

func TestWithHelpline(t *testing.T) {
	l := validLesson("a1-x", "A", 1)
	src := l.En
	src.Cards[0] = "Call {helpline} now."
	src.Question.Options[1].Feedback = "Or {helpline}."
	src.Practice = "Save {helpline}."
	got := src.WithHelpline("Livslinien 70 201 201")
	if got.Cards[0] != "Call Livslinien 70 201 201 now." || got.Question.Options[1].Feedback != "Or Livslinien 70 201 201." ||
		got.Practice != "Save Livslinien 70 201 201." || got.Question.Options[0].Text != "This" {
		t.Fatalf("not filled: %+v", got)
	}
	if src.Cards[0] != "Call {helpline} now." || src.Question.Options[1].Feedback != "Or {helpline}." {
		t.Fatal("WithHelpline changed the library's lesson")
	}
}
