package content

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Instrument is one check-in questionnaire, read from instruments/<id>.yaml. Every word a user sees and every
// scoring and alert rule is data, so another instrument can be added without touching Go code.
type Instrument struct {
	ID      string `yaml:"id"`
	Version int    `yaml:"version"`
	// Cadence is how often the planner offers it: "weekly" or "monthly".
	Cadence string `yaml:"cadence"`
	// Audience lists the roles it is for ("mentee", "mentor", "coordinator").
	Audience []string `yaml:"audience"`
	Name     Text     `yaml:"name"`
	// Short is the name on a button (at most 24 characters).
	Short        Text                      `yaml:"short"`
	Intro        Text                      `yaml:"intro"`
	Attribution  string                    `yaml:"attribution"`
	Licence      string                    `yaml:"licence"`
	Translations map[string]Translation    `yaml:"translations"`
	Scoring      Scoring                   `yaml:"scoring"`
	Alerts       []AlertRule               `yaml:"alerts"`
	OptionSets   map[string][]AnswerOption `yaml:"option_sets"`
	Items        []Item                    `yaml:"items"`
}

// Text is one text in every language, keyed by language code.
type Text map[string]string

// In returns the text in lang, falling back to English.
func (t Text) In(lang string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	return t["en"]
}

// Translation says whether a language's text is an official version of the instrument.
type Translation struct {
	Official bool   `yaml:"official"`
	Note     string `yaml:"note"`
}

// Scoring turns answers into one 0–100 score.
type Scoring struct {
	// Method is "mean": the mean of the answered items' scores.
	Method string `yaml:"method"`
	// HigherIs is "worse": scores are strain-oriented.
	HigherIs string `yaml:"higher_is"`
	// MinAnswered is the fewest answered items that give a score.
	MinAnswered int    `yaml:"min_answered"`
	Bands       []Band `yaml:"bands"`
}

// Band is a score range with the words that explain it: the band applies to scores below Below (and at or above
// the previous band's Below).
type Band struct {
	Below int    `yaml:"below"`
	Key   string `yaml:"key"`
	Text  Text   `yaml:"text"`
}

// AlertRule is one condition under which a result is worrying.
//
//	threshold_consecutive  the score is ≥ At in the last Times results in a row (this one included)
//	change                 the score rose by ≥ Points since the previous result (and is ≥ At, when At is set)
//	items_all              every listed item was answered at least as badly as the listed option value
type AlertRule struct {
	Rule   string         `yaml:"rule"`
	At     int            `yaml:"at"`
	Times  int            `yaml:"times"`
	Points int            `yaml:"points"`
	Items  map[string]int `yaml:"items"`
}

// Alert rule names.
const (
	RuleThresholdConsecutive = "threshold_consecutive"
	RuleChange               = "change"
	RuleItemsAll             = "items_all"
)

// AnswerOption is one answer to an item: the value the button carries and the score it gives.
type AnswerOption struct {
	Value int  `yaml:"value"`
	Score int  `yaml:"score"`
	Label Text `yaml:"label"`
}

// Item is one question.
type Item struct {
	ID      string `yaml:"id"`
	Options string `yaml:"options"`
	// Reverse scores the item as 100 − the option's score.
	Reverse bool `yaml:"reverse"`
	// Audience, if not empty, limits the item to these roles (the mentors' strain item).
	Audience []string `yaml:"audience"`
	Text     Text     `yaml:"text"`
}

// ForRoles reports whether someone holding roles is in the audience list (an empty list admits everyone).
func ForRoles(audience []string, roles []string) bool {
	if len(audience) == 0 {
		return true
	}
	return slices.ContainsFunc(roles, func(r string) bool { return slices.Contains(audience, r) })
}

// Option returns the option of item it with value v.
func (in *Instrument) Option(it Item, v int) (AnswerOption, bool) {
	for _, o := range in.OptionSets[it.Options] {
		if o.Value == v {
			return o, true
		}
	}
	return AnswerOption{}, false
}

// Band returns the band a score falls in.
func (in *Instrument) Band(score int) Band {
	for _, b := range in.Scoring.Bands {
		if score < b.Below {
			return b
		}
	}
	return in.Scoring.Bands[len(in.Scoring.Bands)-1]
}

// Instruments is the loaded set, in a stable order (monthly before weekly, then by id).
type Instruments struct {
	List []*Instrument
}

// Get returns the instrument with id.
func (s *Instruments) Get(id string) *Instrument {
	for _, in := range s.List {
		if in.ID == id {
			return in
		}
	}
	return nil
}

// DefaultInstruments loads the embedded instruments once.
var DefaultInstruments = loadOnce("instruments", LoadInstruments)

// MustInstruments is DefaultInstruments for wiring and tests; it panics on invalid content.
func MustInstruments() *Instruments {
	s, err := DefaultInstruments()
	if err != nil {
		panic(err)
	}
	return s
}

// Button labels are kept short enough for a phone's keyboard row.
const maxLabelRunes = 24

// LoadInstruments reads every instruments/*.yaml in fsys and reports every problem it finds.
func LoadInstruments(fsys fs.FS) (*Instruments, []Problem) {
	files, err := fs.Glob(fsys, "instruments/*.yaml")
	if err != nil || len(files) == 0 {
		return &Instruments{}, []Problem{{File: "instruments", Message: "no instrument files"}}
	}
	set := &Instruments{}
	var problems []Problem
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			problems = append(problems, Problem{f, err.Error()})
			continue
		}
		in := new(Instrument)
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(in); err != nil {
			problems = append(problems, Problem{f, "yaml: " + err.Error()})
			continue
		}
		for _, msg := range in.check() {
			problems = append(problems, Problem{f, msg})
		}
		if want := strings.TrimSuffix(path.Base(f), ".yaml"); in.ID != want {
			problems = append(problems, Problem{f, fmt.Sprintf("id %q must match the file name %q", in.ID, want)})
		}
		set.List = append(set.List, in)
	}
	sort.SliceStable(set.List, func(i, j int) bool {
		a, b := set.List[i], set.List[j]
		if a.Cadence != b.Cadence {
			return a.Cadence == "monthly"
		}
		return a.ID < b.ID
	})
	return set, problems
}

func init() {
	// A content tree without the folder (another kind's test tree) has nothing to check here; the embedded tree
	// cannot lack it (go:embed would not build) and start-up loads it with MustInstruments.
	extraChecks = append(extraChecks, func(fsys fs.FS) []Problem {
		if _, err := fs.Stat(fsys, "instruments"); errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		_, p := LoadInstruments(fsys)
		return p
	})
}

var validRoles = []string{"mentee", "mentor", "coordinator"}

// check returns what is wrong with one instrument.
func (in *Instrument) check() []string {
	var out []string
	bad := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	langs := func(what string, t Text, maxRunes int) {
		for _, l := range Languages {
			s := strings.TrimSpace(t[l])
			switch {
			case s == "":
				bad("%s: missing %s", what, l)
			case maxRunes > 0 && utf8.RuneCountInString(s) > maxRunes:
				bad("%s (%s): %q is longer than %d characters", what, l, s, maxRunes)
			}
		}
		for l := range t {
			if !isLanguage(l) {
				bad("%s: unknown language %q", what, l)
			}
		}
	}
	if in.ID == "" || strings.ContainsAny(in.ID, " :") || len(in.ID) > 16 {
		bad("id %q: want a short id without spaces or colons (it goes into buttons)", in.ID)
	}
	if in.Version < 1 {
		bad("version must be 1 or more")
	}
	if in.Cadence != "weekly" && in.Cadence != "monthly" {
		bad("cadence %q: want weekly or monthly", in.Cadence)
	}
	if len(in.Audience) == 0 {
		bad("audience is empty")
	}
	for _, r := range in.Audience {
		if !slices.Contains(validRoles, r) {
			bad("audience: unknown role %q", r)
		}
	}
	langs("name", in.Name, 40)
	langs("short", in.Short, maxLabelRunes)
	langs("intro", in.Intro, 700)
	if strings.TrimSpace(in.Attribution) == "" {
		bad("attribution is empty")
	}
	if strings.TrimSpace(in.Licence) == "" {
		bad("licence is empty")
	}
	for _, l := range Languages {
		tr, ok := in.Translations[l]
		if !ok || strings.TrimSpace(tr.Note) == "" {
			bad("translations: %s needs an entry with a note (say whether it is an official version)", l)
		}
	}
	in.checkScoring(bad, langs)
	for name, opts := range in.OptionSets {
		seen := map[int]bool{}
		if len(opts) < 2 {
			bad("option set %s: needs at least two options", name)
		}
		for _, o := range opts {
			if seen[o.Value] {
				bad("option set %s: value %d twice", name, o.Value)
			}
			seen[o.Value] = true
			if o.Value < 0 || o.Value > 99 {
				bad("option set %s: value %d out of 0–99", name, o.Value)
			}
			if o.Score < 0 || o.Score > 100 {
				bad("option set %s: score %d out of 0–100", name, o.Score)
			}
			langs(fmt.Sprintf("option set %s value %d label", name, o.Value), o.Label, maxLabelRunes)
		}
	}
	ids := map[string]bool{}
	for i, it := range in.Items {
		what := fmt.Sprintf("item %d (%s)", i+1, it.ID)
		if it.ID == "" || ids[it.ID] {
			bad("%s: id empty or repeated", what)
		}
		ids[it.ID] = true
		if _, ok := in.OptionSets[it.Options]; !ok {
			bad("%s: unknown option set %q", what, it.Options)
		}
		for _, r := range it.Audience {
			if !slices.Contains(validRoles, r) {
				bad("%s: unknown role %q", what, r)
			}
		}
		langs(what+" text", it.Text, 300)
	}
	if len(in.Items) == 0 || len(in.Items) > 20 {
		bad("want 1–20 items, have %d", len(in.Items))
	}
	in.checkAlerts(bad)
	return out
}

func (in *Instrument) checkScoring(bad func(string, ...any), langs func(string, Text, int)) {
	s := in.Scoring
	if s.Method != "mean" {
		bad("scoring.method %q: only mean is supported", s.Method)
	}
	if s.HigherIs != "worse" {
		bad("scoring.higher_is %q: only worse is supported (strain-oriented scores)", s.HigherIs)
	}
	common := 0 // items everyone gets
	for _, it := range in.Items {
		if len(it.Audience) == 0 {
			common++
		}
	}
	if s.MinAnswered < 1 || s.MinAnswered > common {
		bad("scoring.min_answered %d: want 1–%d (the items everyone is asked)", s.MinAnswered, common)
	}
	if len(s.Bands) == 0 {
		bad("scoring.bands is empty")
	}
	prev, keys := 0, map[string]bool{}
	for i, b := range s.Bands {
		if b.Below <= prev {
			bad("scoring.bands[%d]: below %d must rise above %d", i, b.Below, prev)
		}
		prev = b.Below
		if b.Key == "" || keys[b.Key] {
			bad("scoring.bands[%d]: key empty or repeated", i)
		}
		keys[b.Key] = true
		langs(fmt.Sprintf("scoring.bands[%d] text", i), b.Text, 600)
	}
	if prev <= 100 {
		bad("scoring.bands: the last band must reach past 100 (below: 101)")
	}
}

func (in *Instrument) checkAlerts(bad func(string, ...any)) {
	for i, r := range in.Alerts {
		what := fmt.Sprintf("alerts[%d] (%s)", i, r.Rule)
		switch r.Rule {
		case RuleThresholdConsecutive:
			if r.At < 1 || r.At > 100 || r.Times < 1 || r.Times > 12 {
				bad("%s: want at 1–100 and times 1–12", what)
			}
		case RuleChange:
			if r.Points < 1 || r.Points > 100 || r.At < 0 || r.At > 100 {
				bad("%s: want points 1–100 (and at 0–100 if set)", what)
			}
		case RuleItemsAll:
			if len(r.Items) == 0 {
				bad("%s: no items", what)
			}
			for id, v := range r.Items {
				idx := slices.IndexFunc(in.Items, func(it Item) bool { return it.ID == id })
				if idx < 0 {
					bad("%s: unknown item %q", what, id)
					continue
				}
				if _, ok := in.Option(in.Items[idx], v); !ok {
					bad("%s: item %s has no option value %d", what, id, v)
				}
			}
		default:
			bad("%s: unknown rule", what)
		}
	}
}
