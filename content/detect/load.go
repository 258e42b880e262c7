package detect

import (
	"bytes"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"

	snowball "github.com/blevesearch/snowballstem"
	"go.yaml.in/yaml/v3"
)

// file is one language's rule file.
type file struct {
	// Language is the file's language code; it must match the file name.
	Language string `yaml:"language"`
	// Function lists the language's grammar words, which tell that a message is written in it.
	Function []string `yaml:"function_words"`
	// Rewrite maps words as typed ("can't", "im", "kms", "ik") to what the patterns are written with.
	Rewrite map[string]string `yaml:"rewrite"`
	// Sets are named lists of patterns: the markers every file defines, and word lists patterns use as @name.
	Sets map[string][]string `yaml:"sets"`
	// Rules are the patterns and what they mean, in order: the first rule that decides an outcome names it.
	Rules []fileRule `yaml:"rules"`
}

type fileRule struct {
	ID       string   `yaml:"id"`
	Outcome  string   `yaml:"outcome"`
	Kind     string   `yaml:"kind"`
	Who      string   `yaml:"who"`
	Patterns []string `yaml:"patterns"`
	// Examples must get this rule's outcome (a guard's examples: none).
	Examples []string `yaml:"examples"`
	// Not are look-alikes that must get less than this rule's outcome.
	Not []string `yaml:"not"`
}

// rule is a compiled rule.
type rule struct {
	id       string
	kind     string
	outcome  Outcome
	who      who
	patterns []*pattern
	src      *fileRule
}

func load(fsys fs.FS, codes []string) (*Detector, []Problem) {
	d := &Detector{langs: map[string]*language{}, codes: slices.Clone(codes)}
	var problems []Problem
	ids := map[string][]string{}  // language → rule ids
	sets := map[string][]string{} // language → set names
	for _, code := range codes {
		name := code + ".yaml"
		bad := func(format string, a ...any) {
			problems = append(problems, Problem{name, fmt.Sprintf(format, a...)})
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			bad("%v", err)
			continue
		}
		var f file
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&f); err != nil {
			bad("yaml: %v", err)
			continue
		}
		if f.Language != code {
			bad("language is %q, want %q (the file's name)", f.Language, code)
		}
		if stemmers[code] == nil {
			bad("no stemmer for language %q", code)
			continue
		}
		l := compile(code, &f, bad)
		d.langs[code] = l
		for _, r := range f.Rules {
			ids[code] = append(ids[code], r.ID)
		}
		for n := range f.Sets {
			sets[code] = append(sets[code], n)
		}
	}
	if len(d.langs) != len(codes) {
		return nil, problems
	}
	d.function = map[string]uint8{}
	for i, c := range codes {
		for w := range d.langs[c].function {
			d.function[w] |= 1 << i
		}
	}
	problems = append(problems, sameShape(codes, ids, "rule")...)
	problems = append(problems, sameShape(codes, sets, "set")...)
	problems = append(problems, d.checkExamples()...)
	return d, problems
}

// compile builds one language from its file, reporting mistakes through bad.
func compile(code string, f *file, bad func(string, ...any)) *language {
	l := newLanguage(code)
	env := snowball.NewEnv("")
	for _, w := range f.Function {
		l.function[plainFold(w)] = true
	}
	if len(l.function) < 10 {
		bad("function_words: want at least 10 (they tell which language a message is in)")
	}
	for from, to := range f.Rewrite {
		rw := rewrite{from: strings.Fields(from), to: strings.Fields(to)}
		for i, w := range rw.from {
			rw.from[i] = l.normWord(w)
		}
		for i, w := range rw.to {
			rw.to[i] = l.normWord(w)
		}
		if len(rw.from) == 0 {
			bad("rewrite: empty word")
			continue
		}
		l.rewrite[rw.from[0]] = append(l.rewrite[rw.from[0]], rw)
	}
	for k, rws := range l.rewrite {
		sort.Slice(rws, func(i, j int) bool { return len(rws[i].from) > len(rws[j].from) })
		for _, rw := range rws {
			for _, w := range rw.to {
				if next, ok := l.rewrite[w]; ok && len(next[len(next)-1].from) == 1 && w != k {
					bad("rewrite %q → %q: %q is rewritten again; write the final form", strings.Join(rw.from, " "), strings.Join(rw.to, " "), w)
				}
			}
		}
	}
	names := make([]string, 0, len(f.Sets))
	for n := range f.Sets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := &set{name: n}
		single := true
		for _, src := range f.Sets[n] {
			if strings.Contains(src, "@") {
				bad("set %s: %q: sets cannot name other sets", n, src)
				continue
			}
			ps, err := l.compilePatterns(env, src)
			if err != nil {
				bad("set %s: %q: %v", n, src, err)
				continue
			}
			for _, p := range ps {
				s.patterns = append(s.patterns, p)
				if len(p.elems) == 1 && !p.elems[0].optional && !p.elems[0].end && !p.elems[0].not {
					s.single = append(s.single, p.elems[0].ids...)
				} else {
					single = false
				}
			}
		}
		if !single {
			s.single = nil
		}
		l.sets[n] = s
	}
	for kind, n := range markNames {
		s := l.sets[n]
		if s == nil || len(s.patterns) == 0 {
			bad("sets: %s is missing (every language defines the markers %s)", n, strings.Join(markNames[:], ", "))
			continue
		}
		l.marks[kind] = s
	}
	seen := map[string]bool{}
	for i := range f.Rules {
		fr := &f.Rules[i]
		r, err := l.compileRule(env, fr)
		if err != nil {
			bad("rule %q: %v", fr.ID, err)
			continue
		}
		if seen[r.id] {
			bad("rule %q: id used twice", r.id)
		}
		seen[r.id] = true
		if r.outcome == None {
			l.guards = append(l.guards, r)
		} else {
			l.rules = append(l.rules, r)
		}
	}
	l.buildIndexes()
	l.idMarks = make([]uint16, l.nextID)
	for kind, s := range l.marks {
		if s == nil {
			continue
		}
		for _, p := range s.patterns {
			if len(p.elems) == 1 && !p.elems[0].end && !p.elems[0].not {
				for _, id := range p.elems[0].ids {
					l.idMarks[id] |= 1 << kind
				}
			}
		}
	}
	return l
}

func (l *language) compileRule(env *snowball.Env, fr *fileRule) (*rule, error) {
	if fr.ID == "" {
		return nil, fmt.Errorf("needs an id")
	}
	o, ok := ParseOutcome(fr.Outcome)
	if !ok {
		return nil, fmt.Errorf("outcome %q: want crisis, concern, other or none", fr.Outcome)
	}
	w, ok := whoNames[fr.Who]
	if !ok {
		return nil, fmt.Errorf("who %q: want implied, stated, any or other", fr.Who)
	}
	if fr.Kind == "" {
		return nil, fmt.Errorf("needs a kind")
	}
	if len(fr.Patterns) == 0 {
		return nil, fmt.Errorf("no patterns")
	}
	if o == None && len(fr.Not) > 0 {
		return nil, fmt.Errorf("a guard (outcome none) cannot have not-examples")
	}
	r := &rule{id: fr.ID, kind: fr.Kind, outcome: o, who: w, src: fr}
	for _, src := range fr.Patterns {
		ps, err := l.compilePatterns(env, src)
		if err != nil {
			return nil, fmt.Errorf("pattern %q: %v", src, err)
		}
		r.patterns = append(r.patterns, ps...)
	}
	return r, nil
}

// sameShape reports names (rules or sets) that one language has and another lacks: the three files state the same
// ideas, each in its own words.
func sameShape(codes []string, names map[string][]string, what string) []Problem {
	var problems []Problem
	all := map[string]bool{}
	for _, c := range codes {
		for _, n := range names[c] {
			all[n] = true
		}
	}
	for _, c := range codes {
		for n := range all {
			if !slices.Contains(names[c], n) {
				problems = append(problems, Problem{c + ".yaml", fmt.Sprintf("%s %q is missing (another language has it)", what, n)})
			}
		}
	}
	sort.Slice(problems, func(i, j int) bool { return problems[i].String() < problems[j].String() })
	return problems
}

// checkExamples classifies every rule's examples and look-alikes in the rule's language.
func (d *Detector) checkExamples() []Problem {
	var problems []Problem
	for _, code := range d.codes {
		l := d.langs[code]
		for _, r := range append(slices.Clone(l.rules), l.guards...) {
			for _, ex := range r.src.Examples {
				if got := d.Classify(code, ex); got.Outcome != r.outcome {
					problems = append(problems, Problem{code + ".yaml", fmt.Sprintf("rule %q: example %q is %s (rule %q), want %s", r.id, ex, got.Outcome, got.Rule, r.outcome)})
				}
			}
			for _, ex := range r.src.Not {
				if got := d.Classify(code, ex); got.Outcome >= r.outcome {
					problems = append(problems, Problem{code + ".yaml", fmt.Sprintf("rule %q: look-alike %q is %s (rule %q), want less than %s", r.id, ex, got.Outcome, got.Rule, r.outcome)})
				}
			}
		}
	}
	return problems
}
