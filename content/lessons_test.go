package content

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"go.yaml.in/yaml/v3"
)

// TestEmbeddedLessons is `mentorbot content check` for the lessons: the shipped content has no problems, and every
// module holds lessons in every language.
func TestEmbeddedLessons(t *testing.T) {
	for _, p := range Check(FS()) {
		t.Errorf("content problem: %s", p)
	}
	lib, err := DefaultLibrary()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(lib.Modules()); got != 8 {
		t.Fatalf("modules: %d, want 8 (A–H)", got)
	}
	for _, m := range lib.Modules() {
		ls := lib.LessonsOf(m.ID)
		min := 5
		if m.ID == "E" || m.ID == "H" {
			min = 4
		}
		if len(ls) < min {
			t.Errorf("module %s has %d lessons, the programme needs %d", m.ID, len(ls), min)
		}
		for i, l := range ls {
			if l.Order != i+1 {
				t.Errorf("module %s lesson %d has order %d", m.ID, i+1, l.Order)
			}
		}
	}
}

// TestLessonWordCount reports lessons per module and language and the words per language (run with -v).
func TestLessonWordCount(t *testing.T) {
	lib := MustDefaultLibrary()
	for _, lang := range Languages {
		words := 0
		var per []string
		for _, m := range lib.Modules() {
			n, w := 0, 0
			for _, l := range lib.LessonsOf(m.ID) {
				if lt := l.byLang()[lang]; lt != nil {
					n++
					w += Words(lt)
				}
			}
			words += w
			per = append(per, fmt.Sprintf("%s=%d (%d words)", m.ID, n, w))
		}
		if words < 1000 {
			t.Errorf("%s: only %d words", lang, words)
		}
		t.Logf("%s: lessons %s, %d words", lang, strings.Join(per, " "), words)
	}
}

func TestAudience(t *testing.T) {
	lib := MustDefaultLibrary()
	ids := func(ms []*Module) string {
		var s []string
		for _, m := range ms {
			s = append(s, m.ID)
		}
		return strings.Join(s, "")
	}
	for _, tc := range []struct {
		roles []string
		want  string
	}{
		{[]string{"guest"}, "ABH"},
		{nil, "ABH"},
		{[]string{"mentee"}, "ABCDFGH"},
		{[]string{"mentor", "mentee"}, "ABCDFGH"},
		{[]string{"coordinator"}, "ABCDEFGH"},
	} {
		if got := ids(lib.ModulesFor(tc.roles...)); got != tc.want {
			t.Errorf("roles %v: modules %s, want %s", tc.roles, got, tc.want)
		}
	}
}

func validLesson(id, module string, order int) *Lesson {
	text := func(lang string) *LessonText {
		return &LessonText{
			Title:    "Title " + lang,
			Cards:    []string{"One " + lang, "Two", "Three"},
			Scenario: "On the wing.",
			Question: Question{Prompt: "Which?", Options: []Option{
				{ID: "a", Text: "This", Feedback: "Why not."},
				{ID: "b", Text: "That", Feedback: "Why so."},
			}},
			Reflection: "Think.",
			Practice:   "Try.",
		}
	}
	return &Lesson{ID: id, Module: module, Order: order, Minutes: 4, Answer: "b", En: text("en"), Da: text("da"), Ro: text("ro")}
}

const testModules = `modules:
  - id: A
    order: 1
    audience: public
    en: {title: "A", summary: "a"}
    da: {title: "A", summary: "a"}
    ro: {title: "A", summary: "a"}
`

func lessonFS(t *testing.T, modules string, lessons ...*Lesson) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{"lessons/modules.yaml": {Data: []byte(modules)}}
	for i, l := range lessons {
		b, err := yaml.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		name := l.File
		if name == "" {
			name = fmt.Sprintf("lessons/a/%s.yaml", l.ID)
			if _, dup := fsys[name]; dup {
				name = fmt.Sprintf("lessons/a/%s-%d.yaml", l.ID, i)
			}
		}
		fsys[name] = &fstest.MapFile{Data: b}
	}
	return fsys
}

func TestLessonCheckAcceptsValid(t *testing.T) {
	lib, problems := LoadLibrary(lessonFS(t, testModules, validLesson("a1-x", "A", 1), validLesson("a2-y", "A", 2)))
	if len(problems) > 0 {
		t.Fatalf("problems in a valid lesson: %v", problems)
	}
	if got := lib.LessonsOf("A"); len(got) != 2 || got[0].ID != "a1-x" {
		t.Fatalf("lessons of A: %v", got)
	}
	if lib.Lesson("a2-y").In("da").Title != "Title da" || lib.Lesson("a2-y").In("xx").Title != "Title en" {
		t.Fatal("In does not pick the language with an English fallback")
	}
}

// TestLessonCheckFindsProblems feeds one broken lesson per rule and asserts the checker names each problem.
func TestLessonCheckFindsProblems(t *testing.T) {
	mod := func(f func(l *Lesson)) *Lesson {
		l := validLesson("a1-x", "A", 1)
		f(l)
		return l
	}
	long := strings.Repeat("x", MaxCard+1)
	for _, tc := range []struct {
		name    string
		modules string
		lessons []*Lesson
		want    string
	}{
		{"missing language", testModules, []*Lesson{mod(func(l *Lesson) { l.Ro = nil })}, "missing language ro"},
		{"card count differs", testModules, []*Lesson{mod(func(l *Lesson) { l.Da.Cards = l.Da.Cards[:2] })}, "da has 2 cards, en has 3"},
		{"option ids differ", testModules, []*Lesson{mod(func(l *Lesson) { l.Ro.Question.Options[0].ID = "c" })}, "ro option ids [c b] differ from en [a b]"},
		{"card too long", testModules, []*Lesson{mod(func(l *Lesson) { l.En.Cards[1] = long })}, "card 2 is 701 characters, at most 700"},
		{"message too long for Slack", testModules, []*Lesson{mod(func(l *Lesson) {
			for i := range l.Da.Question.Options {
				l.Da.Question.Options[i].Text = strings.Repeat("ø", 1300)
			}
		})}, "Slack allows 3000"},
		{"message too long for Telegram", testModules, []*Lesson{mod(func(l *Lesson) {
			l.Ro.Scenario = strings.Repeat("😀", 1900) // 2 UTF-16 units each
		})}, "Telegram allows 4096"},
		{"no correct option", testModules, []*Lesson{mod(func(l *Lesson) { l.Answer = "d" })}, `the correct option "d" is not among the options`},
		{"no feedback", testModules, []*Lesson{mod(func(l *Lesson) { l.Da.Question.Options[0].Feedback = "" })}, "da: option a feedback is empty"},
		{"unknown module", testModules, []*Lesson{mod(func(l *Lesson) { l.Module = "Z" })}, `unknown module "Z"`},
		{"unknown audience", strings.Replace(testModules, "public", "everyone", 1), []*Lesson{validLesson("a1-x", "A", 1)}, `unknown audience "everyone"`},
		{"duplicate id", testModules, []*Lesson{validLesson("a1-x", "A", 1), mod(func(l *Lesson) { l.File = "lessons/a/a1-x-copy.yaml" })}, `duplicate lesson id "a1-x"`},
		{"duplicate order", testModules, []*Lesson{validLesson("a1-x", "A", 1), mod(func(l *Lesson) { l.ID, l.Order = "a1-y", 1 })}, "two lessons with order 1"},
		{"duplicate module", testModules + strings.TrimPrefix(testModules, "modules:\n"), []*Lesson{validLesson("a1-x", "A", 1)}, "duplicate module id"},
		{"id not file name", testModules, []*Lesson{mod(func(l *Lesson) { l.File = "lessons/a/other.yaml" })}, "differs from the file name"},
		{"wrong folder", testModules, []*Lesson{mod(func(l *Lesson) { l.File = "lessons/b/a1-x.yaml" })}, "lies in folder b/"},
		{"markup", testModules, []*Lesson{mod(func(l *Lesson) { l.En.Scenario = "A <b>bold</b> move" })}, "scenario contains markup"},
		{"too few options", testModules, []*Lesson{mod(func(l *Lesson) {
			l.Answer = "a"
			for _, t := range []*LessonText{l.En, l.Da, l.Ro} {
				t.Question.Options = t.Question.Options[:1]
			}
		})}, "question has 1 options"},
		{"empty reflection", testModules, []*Lesson{mod(func(l *Lesson) { l.En.Reflection = " " })}, "en: reflection is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := LoadLibrary(lessonFS(t, tc.modules, tc.lessons...))
			var all []string
			for _, p := range problems {
				all = append(all, p.String())
			}
			if !strings.Contains(strings.Join(all, "\n"), tc.want) {
				t.Fatalf("no problem mentions %q; got:\n%s", tc.want, strings.Join(all, "\n"))
			}
		})
	}
}

// TestLessonCheckUnknownField makes sure a misspelt key is reported rather than silently dropped.
func TestLessonCheckUnknownField(t *testing.T) {
	fsys := lessonFS(t, testModules, validLesson("a1-x", "A", 1))
	fsys["lessons/a/a1-x.yaml"].Data = append(fsys["lessons/a/a1-x.yaml"].Data, []byte("reflexion: oops\n")...)
	_, problems := LoadLibrary(fsys)
	if len(problems) == 0 || !strings.Contains(problems[0].Message, "reflexion") {
		t.Fatalf("unknown field not reported: %v", problems)
	}
}

// TestCheckRunsLessonChecks proves the lesson checks run as part of content.Check (and so `mentorbot content check`).
func TestCheckRunsLessonChecks(t *testing.T) {
	fsys := lessonFS(t, testModules, validLesson("a1-x", "A", 1))
	fsys["ui/x.en.yaml"] = &fstest.MapFile{Data: []byte("x: \"x\"\n")}
	fsys["ui/x.da.yaml"] = &fstest.MapFile{Data: []byte("x: \"x\"\n")}
	fsys["ui/x.ro.yaml"] = &fstest.MapFile{Data: []byte("x: \"x\"\n")}
	if p := Check(fsys); len(p) != 0 {
		t.Fatalf("valid content: %v", p)
	}
	fsys["lessons/a/a1-x.yaml"] = &fstest.MapFile{Data: []byte("id: a1-x\nmodule: A\n")}
	if p := Check(fsys); len(p) == 0 {
		t.Fatal("Check did not report the broken lesson")
	}
}

// BenchmarkLoadLibrary measures reading and checking every lesson (done once at start-up and by the content check).
func BenchmarkLoadLibrary(b *testing.B) {
	for b.Loop() {
		if _, problems := LoadLibrary(FS()); len(problems) > 0 {
			b.Fatal(problems)
		}
	}
}
