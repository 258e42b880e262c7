package content

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"
)

// Lexicon is the crisis-wording lexicon of safety/crisis.yaml: per language, phrases that signal a crisis and
// guard phrases (work talk, idioms) that are taken out of the text before matching.
type Lexicon struct {
	langs map[string]*lexLang
}

// LexiconLang is one language's part of the lexicon file.
type LexiconLang struct {
	Phrases   []string `yaml:"phrases"`
	NotCrisis []string `yaml:"not_crisis"`
	Examples  struct {
		Crisis    []string `yaml:"crisis"`
		NotCrisis []string `yaml:"not_crisis"`
	} `yaml:"examples"`
}

type lexLang struct {
	src     LexiconLang
	phrases [][]string
	guards  [][]string
}

// Normalize turns text into the words the lexicon matches on: lower case, diacritics removed (ă→a, ș→s, ţ→t,
// å→a; æ and ø have no decomposition and stay), anything that is not a letter or digit a word break.
func Normalize(text string) []string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(text)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// a combining mark left by the decomposition: drop it
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

// Match reports whether text contains crisis wording in any language: a user may write in another language than
// the one they chose. Each language's guards apply to its own phrases.
func (l *Lexicon) Match(text string) bool {
	words := Normalize(text)
	if len(words) == 0 {
		return false
	}
	for _, lang := range Languages {
		if ll := l.langs[lang]; ll != nil && ll.match(words) {
			return true
		}
	}
	return false
}

// MatchLang is Match with one language's phrases and guards only (for the checker and tests).
func (l *Lexicon) MatchLang(lang, text string) bool {
	ll := l.langs[lang]
	return ll != nil && ll.match(Normalize(text))
}

// match blanks out every occurrence of a guard, then looks for a phrase among the remaining words. A blanked word
// breaks a phrase, so removing a guard can never join two halves of the text into a false match.
func (ll *lexLang) match(words []string) bool {
	blanked := make([]bool, len(words))
	for _, g := range ll.guards {
		for i := 0; i+len(g) <= len(words); i++ {
			if seqAt(words, i, g) {
				for k := range g {
					blanked[i+k] = true
				}
			}
		}
	}
	for _, p := range ll.phrases {
	next:
		for i := 0; i+len(p) <= len(words); i++ {
			for k := range p {
				if blanked[i+k] {
					continue next
				}
			}
			if seqAt(words, i, p) {
				return true
			}
		}
	}
	return false
}

// Examples returns a language's example texts from the file: those that must match and those that must not.
func (l *Lexicon) Examples(lang string) (crisis, notCrisis []string) {
	ll := l.langs[lang]
	if ll == nil {
		return nil, nil
	}
	return ll.src.Examples.Crisis, ll.src.Examples.NotCrisis
}

func seqAt(words []string, i int, seq []string) bool {
	for k, w := range seq {
		if words[i+k] != w {
			return false
		}
	}
	return true
}

// DefaultLexicon loads the embedded lexicon once.
var DefaultLexicon = loadOnce("crisis lexicon", LoadLexicon)

// MustLexicon is DefaultLexicon for wiring and tests; it panics on invalid content.
func MustLexicon() *Lexicon {
	l, err := DefaultLexicon()
	if err != nil {
		panic(err)
	}
	return l
}

const lexiconFile = "safety/crisis.yaml"

// LoadLexicon reads safety/crisis.yaml. Problems include every example the matcher gets wrong: a crisis example it
// misses or a work-talk example it flags, in its own language and, for false alarms, in any language.
func LoadLexicon(fsys fs.FS) (*Lexicon, []Problem) {
	lex := &Lexicon{langs: map[string]*lexLang{}}
	data, err := fs.ReadFile(fsys, lexiconFile)
	if err != nil {
		return lex, []Problem{{lexiconFile, err.Error()}}
	}
	var raw map[string]LexiconLang
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return lex, []Problem{{lexiconFile, "yaml: " + err.Error()}}
	}
	var problems []Problem
	bad := func(format string, a ...any) {
		problems = append(problems, Problem{lexiconFile, fmt.Sprintf(format, a...)})
	}
	for lang, src := range raw {
		if !isLanguage(lang) {
			bad("unknown language %q", lang)
			continue
		}
		ll := &lexLang{src: src}
		for _, p := range src.Phrases {
			if w := Normalize(p); len(w) > 0 {
				ll.phrases = append(ll.phrases, w)
			} else {
				bad("%s: empty phrase", lang)
			}
		}
		for _, g := range src.NotCrisis {
			if w := Normalize(g); len(w) > 0 {
				ll.guards = append(ll.guards, w)
			} else {
				bad("%s: empty not_crisis phrase", lang)
			}
		}
		lex.langs[lang] = ll
	}
	for _, lang := range Languages {
		ll := lex.langs[lang]
		if ll == nil || len(ll.phrases) == 0 {
			bad("%s: no phrases", lang)
			continue
		}
		if len(ll.src.Examples.Crisis) == 0 || len(ll.src.Examples.NotCrisis) == 0 {
			bad("%s: needs crisis and not_crisis examples (they are the lexicon's tests)", lang)
		}
		for _, ex := range ll.src.Examples.Crisis {
			if !ll.match(Normalize(ex)) {
				bad("%s: crisis example %q matches no phrase", lang, ex)
			}
		}
		for _, ex := range ll.src.Examples.NotCrisis {
			if lex.Match(ex) {
				bad("%s: not_crisis example %q matches a phrase", lang, ex)
			}
		}
	}
	return lex, problems
}

func init() {
	extraChecks = append(extraChecks, func(fsys fs.FS) []Problem {
		if _, err := fs.Stat(fsys, lexiconFile); errors.Is(err, fs.ErrNotExist) {
			return nil // not part of this content tree; see the instruments check
		}
		_, p := LoadLexicon(fsys)
		return p
	})
}
