package content_test

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/m4pris/mentorbot/content"
)

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"Vreau să-mi iau viaţa!":    "vreau sa mi iau viata", // ș ț with comma and ţ with cedilla fold alike
		"Jeg HÅBER jeg ikke vågner": "jeg haber jeg ikke vagner",
		"Jeg vil dø, ærligt":        "jeg vil dø ærligt", // æ and ø have no decomposition and stay
		"I can't go on...":          "i can t go on",
		"  ":                        "",
	} {
		if got := strings.Join(content.Normalize(in), " "); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLexiconExamples runs every example of the file in its language: each crisis example is caught, and no
// work-talk example raises a false alarm in any language.
func TestLexiconExamples(t *testing.T) {
	lex := content.MustLexicon()
	for _, lang := range content.Languages {
		crisis, calm := lex.Examples(lang)
		if len(crisis) < 10 || len(calm) < 10 {
			t.Fatalf("%s: too few examples (%d, %d)", lang, len(crisis), len(calm))
		}
		for _, ex := range crisis {
			if !lex.MatchLang(lang, ex) || !lex.Match(ex) {
				t.Errorf("%s: crisis example missed: %q", lang, ex)
			}
		}
		for _, ex := range calm {
			if lex.Match(ex) {
				t.Errorf("%s: false alarm: %q", lang, ex)
			}
		}
	}
}

func TestGuardsDoNotJoinText(t *testing.T) {
	fs := fstest.MapFS{"safety/crisis.yaml": {Data: []byte(`
en:
  phrases: ["want to die"]
  not_crisis: ["dying for"]
  examples: {crisis: ["i want to die"], not_crisis: ["dying for a coffee"]}
da:
  phrases: ["vil dø"]
  not_crisis: ["dø af grin"]
  examples: {crisis: ["jeg vil dø"], not_crisis: ["jeg var ved at dø af grin"]}
ro:
  phrases: ["vreau sa mor"]
  not_crisis: ["mor de ras"]
  examples: {crisis: ["vreau să mor"], not_crisis: ["mor de râs"]}
`)}}
	lex, problems := content.LoadLexicon(fs)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	// Blanking the guard "dying for" must not make "want to ... die" adjacent.
	if lex.Match("i want to dying for die") {
		t.Error("removing a guard joined two halves of the text into a match")
	}
	if !lex.Match("dying for a smoke but honestly i want to die") {
		t.Error("a guard elsewhere in the text hid a real match")
	}
}

func TestLexiconProblems(t *testing.T) {
	fs := fstest.MapFS{"safety/crisis.yaml": {Data: []byte(`
en:
  phrases: ["want to die"]
  not_crisis: []
  examples: {crisis: ["i am so tired"], not_crisis: ["i want to die laughing"]}
da:
  phrases: ["vil dø"]
  examples: {crisis: ["jeg vil dø"], not_crisis: ["ok"]}
`)}}
	_, problems := content.LoadLexicon(fs)
	var all []string
	for _, p := range problems {
		all = append(all, p.Message)
	}
	for _, want := range []string{
		`en: crisis example "i am so tired" matches no phrase`,
		`en: not_crisis example "i want to die laughing" matches a phrase`,
		"ro: no phrases",
	} {
		if !slices.Contains(all, want) {
			t.Errorf("problems lack %q: %q", want, all)
		}
	}
}
