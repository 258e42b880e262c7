package content

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Audience says who may read a module.
type Audience string

// Audiences of modules.yaml.
const (
	// AudiencePublic is everyone, guests without an invite too.
	AudiencePublic Audience = "public"
	// AudienceMembers is everyone who joined with an invite (mentees, mentors, coordinators).
	AudienceMembers Audience = "members"
	// AudienceCoordinators is coordinators only.
	AudienceCoordinators Audience = "coordinators"
)

// Admits reports whether someone holding roles ("guest", "mentee", "mentor", "coordinator") may read the module.
func (a Audience) Admits(roles ...string) bool {
	switch a {
	case AudiencePublic:
		return true
	case AudienceMembers:
		return slices.ContainsFunc(roles, func(r string) bool { return r == "mentee" || r == "mentor" || r == "coordinator" })
	case AudienceCoordinators:
		return slices.Contains(roles, "coordinator")
	}
	return false
}

func (a Audience) valid() bool {
	return a == AudiencePublic || a == AudienceMembers || a == AudienceCoordinators
}

// Module is a group of lessons on one topic.
type Module struct {
	ID       string   `yaml:"id"`
	Order    int      `yaml:"order"`
	Audience Audience `yaml:"audience"`
	En       *ModuleText
	Da       *ModuleText
	Ro       *ModuleText
}

// ModuleText is a module's title and summary in one language.
type ModuleText struct {
	Title   string `yaml:"title"`
	Summary string `yaml:"summary"`
}

// In returns the module's text in lang, falling back to English.
func (m *Module) In(lang string) ModuleText {
	if t := pick(lang, m.En, m.Da, m.Ro); t != nil {
		return *t
	}
	return ModuleText{Title: m.ID}
}

// Lesson is one micro-lesson: cards, a scenario, a question, a reflection and a practice, in every language.
type Lesson struct {
	ID      string   `yaml:"id"`
	Module  string   `yaml:"module"`
	Order   int      `yaml:"order"`
	Minutes int      `yaml:"minutes"`
	Answer  string   `yaml:"answer"` // id of the correct option
	Facts   []string `yaml:"facts"`  // for reviewers; never shown
	En      *LessonText
	Da      *LessonText
	Ro      *LessonText
	// File is where the lesson was read from (for problem reports).
	File string `yaml:"-"`
}

// LessonText is a lesson in one language.
type LessonText struct {
	Title      string   `yaml:"title"`
	Cards      []string `yaml:"cards"`
	Scenario   string   `yaml:"scenario"`
	Question   Question `yaml:"question"`
	Reflection string   `yaml:"reflection"`
	Practice   string   `yaml:"practice"`
}

// Question is the lesson's one multiple-choice question.
type Question struct {
	Prompt  string   `yaml:"prompt"`
	Options []Option `yaml:"options"`
}

// Option is one answer, with the feedback shown when it is chosen (why right, or why not).
type Option struct {
	ID       string `yaml:"id"`
	Text     string `yaml:"text"`
	Feedback string `yaml:"feedback"`
}

// Option returns the option with id, or nil.
func (q Question) Option(id string) *Option {
	for i := range q.Options {
		if q.Options[i].ID == id {
			return &q.Options[i]
		}
	}
	return nil
}

// In returns the lesson in lang, falling back to English (the checker makes sure every language exists).
func (l *Lesson) In(lang string) *LessonText { return pick(lang, l.En, l.Da, l.Ro) }

func (l *Lesson) byLang() map[string]*LessonText {
	return map[string]*LessonText{"en": l.En, "da": l.Da, "ro": l.Ro}
}

func pick[T any](lang string, en, da, ro *T) *T {
	switch {
	case lang == "da" && da != nil:
		return da
	case lang == "ro" && ro != nil:
		return ro
	}
	return en
}

// Library is the loaded lessons and modules.
type Library struct {
	modules  []*Module // by order
	lessons  map[string]*Lesson
	byModule map[string][]*Lesson // by order
}

// Modules returns every module in order.
func (lib *Library) Modules() []*Module { return lib.modules }

// ModulesFor returns the modules someone holding roles may read, in order.
func (lib *Library) ModulesFor(roles ...string) []*Module {
	var out []*Module
	for _, m := range lib.modules {
		if m.Audience.Admits(roles...) {
			out = append(out, m)
		}
	}
	return out
}

// Module returns the module with id, or nil.
func (lib *Library) Module(id string) *Module {
	for _, m := range lib.modules {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// LessonsOf returns the lessons of a module in order.
func (lib *Library) LessonsOf(module string) []*Lesson { return lib.byModule[module] }

// Lesson returns the lesson with id, or nil.
func (lib *Library) Lesson(id string) *Lesson { return lib.lessons[id] }

// All returns every lesson, by module then by order.
func (lib *Library) All() []*Lesson {
	var out []*Lesson
	for _, m := range lib.modules {
		out = append(out, lib.byModule[m.ID]...)
	}
	return out
}

// DefaultLibrary loads the embedded lessons once. It fails on any problem the lesson checks report.
var DefaultLibrary = loadOnce("lessons", LoadLibrary)

// MustDefaultLibrary is DefaultLibrary for wiring and tests: the content check at start-up has already passed
// when it runs, so a failure here is a programming error.
func MustDefaultLibrary() *Library {
	lib, err := DefaultLibrary()
	if err != nil {
		panic(err)
	}
	return lib
}

// LoadLibrary reads lessons/modules.yaml and lessons/<module>/*.yaml from fsys and checks them. It returns what it
// could load even when there are problems, so the checker reports them all at once.
func LoadLibrary(fsys fs.FS) (*Library, []Problem) {
	lib := &Library{lessons: map[string]*Lesson{}, byModule: map[string][]*Lesson{}}
	var problems []Problem
	add := func(file, format string, a ...any) {
		problems = append(problems, Problem{File: file, Message: fmt.Sprintf(format, a...)})
	}
	const modFile = "lessons/modules.yaml"
	var mf struct {
		Modules []*Module `yaml:"modules"`
	}
	if err := decodeStrict(fsys, modFile, &mf); err != nil {
		add(modFile, "%v", err)
	}
	for _, m := range mf.Modules {
		problems = append(problems, checkModule(modFile, m, lib.modules)...)
		lib.modules = append(lib.modules, m)
	}
	sort.SliceStable(lib.modules, func(i, j int) bool { return lib.modules[i].Order < lib.modules[j].Order })

	files, _ := fs.Glob(fsys, "lessons/*/*.yaml")
	for _, f := range files {
		l := &Lesson{File: f}
		if err := decodeStrict(fsys, f, l); err != nil {
			add(f, "%v", err)
			continue
		}
		problems = append(problems, checkLesson(f, l, lib)...)
		if lib.lessons[l.ID] != nil {
			add(f, "duplicate lesson id %q (also in %s)", l.ID, lib.lessons[l.ID].File)
			continue
		}
		lib.lessons[l.ID] = l
		lib.byModule[l.Module] = append(lib.byModule[l.Module], l)
	}
	for mod, ls := range lib.byModule {
		sort.SliceStable(ls, func(i, j int) bool { return ls[i].Order < ls[j].Order })
		for i := 1; i < len(ls); i++ {
			if ls[i].Order == ls[i-1].Order {
				add(ls[i].File, "module %s has two lessons with order %d (also %s)", mod, ls[i].Order, ls[i-1].File)
			}
		}
	}
	problems = append(problems, checkQuizzes(lib)...)
	for _, m := range lib.modules {
		if len(lib.byModule[m.ID]) == 0 {
			add(modFile, "module %s has no lessons", m.ID)
		}
	}
	return lib, problems
}

// decodeStrict decodes one YAML document, refusing unknown fields (a misspelt key would otherwise vanish silently).
func decodeStrict(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	return nil
}

func init() {
	extraChecks = append(extraChecks, func(fsys fs.FS) []Problem {
		_, problems := LoadLibrary(fsys)
		return problems
	})
}

// folderOf is the folder a module's lessons live in ("a" for module A).
func folderOf(module string) string { return strings.ToLower(module) }

// lessonFolder is the folder name of a lesson file.
func lessonFolder(file string) string { return path.Base(path.Dir(file)) }

// Words counts the words a reader meets in one language of a lesson: title, cards, scenario, question, options
// with their feedback, reflection and practice.
func Words(t *LessonText) int {
	n := len(strings.Fields(t.Title)) + len(strings.Fields(t.Scenario)) + len(strings.Fields(t.Question.Prompt)) +
		len(strings.Fields(t.Reflection)) + len(strings.Fields(t.Practice))
	for _, c := range t.Cards {
		n += len(strings.Fields(c))
	}
	for _, o := range t.Question.Options {
		n += len(strings.Fields(o.Text)) + len(strings.Fields(o.Feedback))
	}
	return n
}
