package content_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/content/detect"
)

// TestDetectorLoads: the embedded rules load without a problem and classify one message of each outcome per
// language (the corpus test in content/detect scores them properly).
func TestDetectorLoads(t *testing.T) {
	det := content.MustDetector()
	for _, c := range []struct {
		lang, text string
		want       detect.Outcome
	}{
		{"en", "I am suicidal", detect.Crisis},
		{"da", "jeg vil bare do", detect.Crisis},
		{"ro", "nu mai doresc să trăiesc", detect.Crisis},
		{"en", "everyone would be better off without me", detect.Concern},
		{"da", "en indsat forsøgte at hænge sig på min vagt", detect.Other},
		{"ro", "mă omoară tura asta", detect.None},
	} {
		if got := det.Classify(c.lang, c.text); got.Outcome != c.want {
			t.Errorf("%s %q: %v, want %v", c.lang, c.text, got, c.want)
		}
	}
}

// TestDetectorProblems: the content check reports broken safety rules with the file they are in: a missing
// language, a rule one language lacks, a pattern that does not parse, an example its rule gets wrong.
func TestDetectorProblems(t *testing.T) {
	fsys := fstest.MapFS{}
	for _, lang := range []string{"en", "da"} {
		data, err := os.ReadFile("safety/" + lang + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		fsys["safety/"+lang+".yaml"] = &fstest.MapFile{Data: data}
	}
	en := string(fsys["safety/en.yaml"].Data)
	en = strings.Replace(en, `      - "@killverb =myself"`, `      - "@killverb =myself ~"`, 1)
	en = strings.Replace(en, `examples: ["i just want to die",`, `examples: ["i am so tired", "i just want to die",`, 1)
	en = strings.Replace(en, "  - id: worthless\n", "  - id: only-in-english\n    outcome: concern\n    kind: x\n    patterns: [\"zzz\"]\n\n  - id: worthless\n", 1)
	fsys["safety/en.yaml"].Data = []byte(en)
	_, problems := content.LoadDetector(fsys)
	var all []string
	for _, p := range problems {
		all = append(all, p.String())
	}
	for _, want := range []string{
		`safety/ro.yaml: open ro.yaml: file does not exist`,
	} {
		if !slices.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, strings.Join(all, "\n"))
		}
	}
	fsys["safety/ro.yaml"] = &fstest.MapFile{Data: mustRead(t, "safety/ro.yaml")}
	_, problems = content.LoadDetector(fsys)
	all = all[:0]
	for _, p := range problems {
		all = append(all, p.String())
	}
	for _, want := range []string{
		`safety/en.yaml: rule "kill-self": pattern "@killverb =myself ~": ends with a gap`,
		`safety/da.yaml: rule "only-in-english" is missing (another language has it)`,
		`safety/en.yaml: rule "want-death": example "i am so tired" is none (rule ""), want crisis`,
	} {
		if !containsPrefix(all, want) {
			t.Errorf("problems lack %q:\n%s", want, strings.Join(all, "\n"))
		}
	}
	if got := content.Check(fsys); len(got) == 0 {
		t.Error("content.Check reports nothing for broken safety rules")
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func containsPrefix(all []string, want string) bool {
	for _, s := range all {
		if strings.HasPrefix(s, want) {
			return true
		}
	}
	return false
}
