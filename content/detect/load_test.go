package detect_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/m4pris/mentorbot/content/detect"
)

// minimal is the smallest valid rule file: every marker set, one rule and one guard.
func minimal(lang, extra string) string {
	return fmt.Sprintf(`language: %s
function_words: [a, b, c, d, e, f, g, h, i, j]
rewrite: {im: i am, cant: can not}
sets:
  self: [i, my]
  other: [he, she]
  report: [said]
  report_other: ["told me"]
  negation: [not, never]
  neg_stop: [stop]
  clause: [but]
  hypothetical: [if]
  joke: [lol]
  media: [song]
  filler: [now]
  self_after: [mine]
  resolve: [courage]
  exceptive: [except]
rules:
  - id: want-death
    outcome: crisis
    kind: explicit
    patterns: ["want ~2 die"]
    examples: ["i want to die"]
    not: ["i do not want to die"]
  - id: idiom
    outcome: none
    kind: idiom
    patterns: ["die laughing"]
%s`, lang, extra)
}

func loadProblems(t *testing.T, files map[string]string) []string {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	_, problems := detect.Load(fsys, []string{"en", "da"})
	var all []string
	for _, p := range problems {
		all = append(all, p.String())
	}
	return all
}

func TestLoadMinimal(t *testing.T) {
	if p := loadProblems(t, map[string]string{"en.yaml": minimal("en", ""), "da.yaml": minimal("da", "")}); len(p) > 0 {
		t.Fatalf("a valid pair of files has problems:\n%s", strings.Join(p, "\n"))
	}
}

// TestLoadProblems: each mistake a rule writer can make is reported with its file and rule.
func TestLoadProblems(t *testing.T) {
	for _, c := range []struct {
		name, extra, want string
	}{
		{"unknown set", `  - {id: x, outcome: crisis, kind: k, patterns: ["@nope die"]}`, `en.yaml: rule "x": pattern "@nope die": unknown set @nope`},
		{"rewritten word", `  - {id: x, outcome: concern, kind: k, patterns: ["cant go on"]}`, `en.yaml: rule "x": pattern "cant go on": "cant" is rewritten to "can not" before matching; write that instead`},
		{"bad outcome", `  - {id: x, outcome: panic, kind: k, patterns: ["die"]}`, `en.yaml: rule "x": outcome "panic": want crisis, concern, other or none`},
		{"bad who", `  - {id: x, outcome: crisis, who: me, kind: k, patterns: ["die"]}`, `en.yaml: rule "x": who "me": want implied, stated, any or other`},
		{"no kind", `  - {id: x, outcome: crisis, patterns: ["die"]}`, `en.yaml: rule "x": needs a kind`},
		{"gap first", `  - {id: x, outcome: crisis, kind: k, patterns: ["~2 die"]}`, `en.yaml: rule "x": pattern "~2 die": starts with a gap`},
		{"gap too long", `  - {id: x, outcome: crisis, kind: k, patterns: ["a ~9 die"]}`, `en.yaml: rule "x": pattern "a ~9 die": gap "~9": want ~1 to ~8`},
		{"nested group", `  - {id: x, outcome: crisis, kind: k, patterns: ["(a (b) c)"]}`, `en.yaml: rule "x": pattern "(a (b) c)": groups cannot nest`},
		{"only optional", `  - {id: x, outcome: crisis, kind: k, patterns: ["a? $"]}`, `en.yaml: rule "x": pattern "a? $": needs at least one word that must be there`},
		{"mixed not", `  - {id: x, outcome: crisis, kind: k, patterns: ["a !b|c"]}`, `en.yaml: rule "x": pattern "a !b|c": "!b|c" mixes words and !words`},
		{"punctuation", `  - {id: x, outcome: crisis, kind: k, patterns: ["ende-det"]}`, `en.yaml: rule "x": pattern "ende-det": "ende-det" is not one word (write its parts as separate words)`},
		{"duplicate id", `  - {id: idiom, outcome: none, kind: k, patterns: ["x"]}`, `en.yaml: rule "idiom": id used twice`},
		{"guard with not", `  - {id: x, outcome: none, kind: k, patterns: ["x"], not: ["y"]}`, `en.yaml: rule "x": a guard (outcome none) cannot have not-examples`},
		{"example missed", `  - {id: x, outcome: concern, kind: k, patterns: ["hopeless"], examples: ["all is lost"]}`, `en.yaml: rule "x": example "all is lost" is none (rule ""), want concern`},
		{"look-alike caught", `  - {id: x, outcome: concern, kind: k, patterns: ["hopeless"], not: ["management is hopeless"]}`, `en.yaml: rule "x": look-alike "management is hopeless" is concern (rule "x"), want less than concern`},
	} {
		t.Run(c.name, func(t *testing.T) {
			da := minimal("da", "")
			if strings.Contains(c.extra, "id: x") {
				da = minimal("da", `  - {id: x, outcome: other, kind: k, patterns: ["zzz"]}`)
			}
			got := loadProblems(t, map[string]string{"en.yaml": minimal("en", c.extra), "da.yaml": da})
			if !slices.Contains(got, c.want) {
				t.Errorf("problems lack %q:\n%s", c.want, strings.Join(got, "\n"))
			}
		})
	}
}

// TestLoadShape: the languages state the same rules and sets, and name themselves.
func TestLoadShape(t *testing.T) {
	en := minimal("en", `  - {id: only-en, outcome: concern, kind: k, patterns: ["hopeless"]}`)
	da := strings.Replace(minimal("en", ""), "  exceptive: [except]\n", "", 1)
	got := loadProblems(t, map[string]string{"en.yaml": en, "da.yaml": da})
	for _, want := range []string{
		`da.yaml: language is "en", want "da" (the file's name)`,
		`da.yaml: rule "only-en" is missing (another language has it)`,
		`da.yaml: set "exceptive" is missing (another language has it)`,
		`da.yaml: sets: exceptive is missing (every language defines the markers self, other, report, report_other, negation, neg_stop, clause, hypothetical, joke, media, filler, self_after, resolve, exceptive)`,
	} {
		if !slices.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, strings.Join(got, "\n"))
		}
	}
	got = loadProblems(t, map[string]string{"en.yaml": "language: en\nrules: [", "da.yaml": minimal("da", "")})
	if len(got) == 0 || !strings.HasPrefix(got[0], "en.yaml: yaml: ") {
		t.Errorf("broken yaml: %q", got)
	}
	got = loadProblems(t, map[string]string{"en.yaml": minimal("en", "") + "surprise: 1\n", "da.yaml": minimal("da", "")})
	if len(got) == 0 || !strings.Contains(got[0], "surprise") {
		t.Errorf("unknown field: %q", got)
	}
}
