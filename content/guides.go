package content

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Guide is the group-discussion guide of one module: what the host of a group session reads and keeps to. One
// file per module, guides/<module letter>.yaml, with the three languages side by side like the lessons.
type Guide struct {
	Module string `yaml:"module"`
	// From names the lessons of the module the case draws on (for reviewers and for a "read first" link; never
	// shown as is). Optional; every id given must be a lesson of the module.
	From []string `yaml:"from"`
	En   *GuideText
	Da   *GuideText
	Ro   *GuideText
	// File is where the guide was read from (for problem reports).
	File string `yaml:"-"`
}

// GuideText is a guide in one language. Every field is plain text, written to be read out or forwarded as is.
type GuideText struct {
	// Title names the discussion, not the module (the flow shows the module's title beside it if it wants).
	Title string `yaml:"title"`
	// Host is the line for the host alone: keep time, watch who has not spoken, nobody has to speak.
	Host string `yaml:"host"`
	// GroundRules are agreed at the start: what is said stays in the room, speak from your own experience, nobody
	// has to speak.
	GroundRules string `yaml:"ground_rules"`
	// Case is a short case from the module, read out before the questions.
	Case string `yaml:"case"`
	// Questions are exactly three open questions, about ten minutes each.
	Questions []string `yaml:"questions"`
	// Closing is the closing round: each says one thing they take away.
	Closing string `yaml:"closing"`
}

// In returns the guide in lang, falling back to English (the checker makes sure every language exists).
func (g *Guide) In(lang string) *GuideText { return pick(lang, g.En, g.Da, g.Ro) }

func (g *Guide) byLang() map[string]*GuideText {
	return map[string]*GuideText{"en": g.En, "da": g.Da, "ro": g.Ro}
}

// Messages returns the guide as the three messages a flow sends, without the flow's own framing (at most
// MessageOverhead each): the title with the host's line and the ground rules; the case; the numbered questions
// with the closing round. Each fits Telegram and Slack (the checker makes sure).
func (t *GuideText) Messages() []string {
	var q strings.Builder
	for i, s := range t.Questions {
		q.WriteString(strconv.Itoa(i+1) + ". " + s + "\n\n")
	}
	q.WriteString(t.Closing)
	return []string{t.Title + "\n\n" + t.Host + "\n\n" + t.GroundRules, t.Case, q.String()}
}

// Text returns the whole guide as one message (the Messages joined by blank lines), for a flow that sends it in
// one piece, such as the reminder to the host the day before. It fits one Slack message with MessageOverhead to
// spare (the checker makes sure).
func (t *GuideText) Text() string { return strings.Join(t.Messages(), "\n\n") }

// Guides is the loaded set of group-discussion guides, one per module.
type Guides struct {
	byModule map[string]*Guide
}

// For returns the guide of module (an id of modules.yaml such as "F"), or nil when there is none. The content
// check makes sure every module has one, so nil means an unknown module.
func (gs *Guides) For(module string) *Guide { return gs.byModule[module] }

// All returns every guide, by module id.
func (gs *Guides) All() []*Guide {
	out := make([]*Guide, 0, len(gs.byModule))
	for _, g := range gs.byModule {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Module < out[j].Module })
	return out
}

// DefaultGuides loads the embedded guides once. It fails on any problem the guide checks report.
var DefaultGuides = loadOnce("guides", LoadGuides)

// MustDefaultGuides is DefaultGuides for wiring and tests: the content check at start-up has already passed when
// it runs, so a failure here is a programming error.
func MustDefaultGuides() *Guides {
	gs, err := DefaultGuides()
	if err != nil {
		panic(err)
	}
	return gs
}

// LoadGuides reads guides/*.yaml from fsys and checks them against lessons/modules.yaml: every module has exactly
// one guide, every language is complete and every message fits a phone. It returns what it could load even when
// there are problems, so the checker reports them all at once.
func LoadGuides(fsys fs.FS) (*Guides, []Problem) {
	gs := &Guides{byModule: map[string]*Guide{}}
	var problems []Problem
	add := func(file, format string, a ...any) {
		problems = append(problems, Problem{File: file, Message: fmt.Sprintf(format, a...)})
	}
	modules := moduleIDs(fsys)
	files, _ := fs.Glob(fsys, "guides/*.yaml")
	for _, f := range files {
		g := &Guide{File: f}
		if err := decodeStrict(fsys, f, g); err != nil {
			add(f, "%v", err)
			continue
		}
		for _, msg := range checkGuide(fsys, f, g, modules) {
			add(f, "%s", msg)
		}
		if o := gs.byModule[g.Module]; o != nil {
			add(f, "module %s already has a guide (%s)", g.Module, o.File)
			continue
		}
		gs.byModule[g.Module] = g
	}
	for _, m := range modules {
		if gs.byModule[m] == nil {
			add("guides/"+folderOf(m)+".yaml", "module %s has no group-discussion guide", m)
		}
	}
	return gs, problems
}

// moduleIDs returns the module ids of lessons/modules.yaml, or nil when it cannot be read (the lesson checks
// report that).
func moduleIDs(fsys fs.FS) []string {
	var mf struct {
		Modules []struct {
			ID string `yaml:"id"`
		} `yaml:"modules"`
	}
	if err := decodeLenient(fsys, "lessons/modules.yaml", &mf); err != nil {
		return nil
	}
	ids := make([]string, 0, len(mf.Modules))
	for _, m := range mf.Modules {
		ids = append(ids, m.ID)
	}
	return ids
}

// lessonExists reports whether a lesson file with id lies in the module's folder (the lesson checks make sure a
// lesson's id is its file name).
func lessonExists(fsys fs.FS, module, id string) bool {
	_, err := fs.Stat(fsys, path.Join("lessons", folderOf(module), id+".yaml"))
	return err == nil
}

// decodeLenient decodes one YAML document, ignoring fields v does not name (for reading a part of a file that
// another check reads strictly).
func decodeLenient(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	return yaml.Unmarshal(b, v)
}

func init() {
	// A content tree without the folder (another kind's test tree) has nothing to check here; the embedded tree
	// cannot lack it (go:embed would not build) and start-up loads it with MustDefaultGuides.
	extraChecks = append(extraChecks, func(fsys fs.FS) []Problem {
		if _, err := fs.Stat(fsys, "guides"); errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		_, p := LoadGuides(fsys)
		return p
	})
}
