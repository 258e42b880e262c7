package detect

import (
	"strings"

	snowball "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/danish"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/romanian"
)

// stemmers are the snowball stemmers of the languages the detector knows. Patterns are stemmed with the same
// function as messages, after the same folding, so "killing", "kills" and "killed" meet at "kill", and "tænker" and
// "taenker" at "tenk".
var stemmers = map[string]func(*snowball.Env) bool{
	"en": english.Stem,
	"da": danish.Stem,
	"ro": romanian.Stem,
}

// digraphs are the two-letter spellings of letters a foreign keyboard lacks, per language.
var digraphs = map[string]*strings.Replacer{
	"da": strings.NewReplacer("ae", "e", "oe", "o", "aa", "a"),
	"ro": strings.NewReplacer("sh", "s", "tz", "t"),
}

// language is one language's compiled rules: how its words are normalised and what its patterns look for.
type language struct {
	code     string
	stemFn   func(*snowball.Env) bool
	digraphs *strings.Replacer

	// rewrite maps a word to the rewrites that start with it (longest first): contractions, typing habits, slang.
	rewrite map[string][]rewrite

	stems    map[string]int32       // stem → id
	surfs    map[string]int32       // exact surface (=word) → id
	prefixes map[byte][]prefix      // word* by first byte
	fuzzy    map[uint32][]fuzzyStem // stems long enough to tolerate a typo, by first byte and length
	idMarks  []uint16               // per id: the marker kinds it is a one-word entry of
	nextID   int32

	markIndex  index // multi-word markers
	guardIndex index
	ruleIndex  index

	sets   map[string]*set // named word sets and markers
	marks  [numMarks]*set  // the marker sets, by kind
	rules  []*rule         // crisis, concern and other rules, in file order
	guards []*rule         // outcome none: idioms and work talk that cancel what they overlap

	function map[string]bool // words that say a message is in this language
}

type rewrite struct {
	from []string // the words replaced, the first being the map key
	to   []string // what replaces them; empty removes them
}

type prefix struct {
	text  string
	id    int32
	fuzzy bool
}

func newLanguage(code string) *language {
	l := &language{
		code:     code,
		stemFn:   stemmers[code],
		digraphs: digraphs[code],
		rewrite:  map[string][]rewrite{},
		stems:    map[string]int32{},
		surfs:    map[string]int32{},
		prefixes: map[byte][]prefix{},
		fuzzy:    map[uint32][]fuzzyStem{},
		sets:     map[string]*set{},
		function: map[string]bool{},
	}
	return l
}

// stem returns the snowball stem of a folded word. Words of three bytes or fewer are their own stem: snowball would
// leave almost all of them alone, and skipping them saves most of a message's allocations.
func (l *language) stem(env *snowball.Env, w string) string {
	if len(w) <= 3 || l.stemFn == nil {
		return w
	}
	env.SetCurrent(w)
	l.stemFn(env)
	return env.Current()
}

// analyze turns text into tokens with rewrites applied, apostrophes dropped and stems set. buf and out are the
// scan's buffers (tokens as typed, tokens after the rewrites); env its stemming environment. rewrote says whether
// toks is out's memory rather than buf's.
func (l *language) analyze(text string, buf, out []token, env *snowball.Env) (toks, raw []token, rewrote bool) {
	raw = l.tokenize(text, buf[:0])
	toks = raw
	if len(l.rewrite) > 0 {
		toks, rewrote = l.applyRewrites(raw, out[:0])
	}
	for i := range toks {
		t := &toks[i]
		if strings.IndexByte(t.surf, '\'') >= 0 {
			t.surf = strings.ReplaceAll(t.surf, "'", "")
		}
		t.stem = l.stem(env, t.surf)
	}
	return toks, raw, rewrote
}

// applyRewrites replaces word sequences by the rewrite table. A removed sequence passes its boundary and quote on
// to the next word, so "ngl, i want to die" keeps its comma.
func (l *language) applyRewrites(in, out []token) ([]token, bool) {
	changed := false
	for i := range in {
		if _, ok := l.rewrite[in[i].surf]; ok {
			changed = true
			break
		}
	}
	if !changed {
		return in, false
	}
	var carry uint8
	for i := 0; i < len(in); {
		t := in[i]
		if rws, ok := l.rewrite[t.surf]; ok {
			if rw, n := matchRewrite(rws, in, i); n > 0 {
				brk := max(t.brk, carry)
				carry = 0
				if len(rw.to) == 0 {
					carry = brk
				}
				for k, w := range rw.to {
					nt := token{surf: w, quote: t.quote}
					if k == 0 {
						nt.brk = brk
					}
					out = append(out, nt)
				}
				i += n
				continue
			}
		}
		t.brk = max(t.brk, carry)
		carry = 0
		out = append(out, t)
		i++
	}
	return out, true
}

// matchRewrite finds the longest rewrite of rws that matches in at i without crossing a boundary.
func matchRewrite(rws []rewrite, in []token, i int) (rewrite, int) {
next:
	for _, rw := range rws {
		if i+len(rw.from) > len(in) {
			continue
		}
		for k, w := range rw.from {
			if in[i+k].surf != w || k > 0 && in[i+k].brk >= brkComma {
				continue next
			}
		}
		return rw, len(rw.from)
	}
	return rewrite{}, 0
}

// normWord folds one pattern or rewrite word the way tokenize folds a message's words.
func (l *language) normWord(w string) string {
	return l.word(lowerText(w))
}

// hasDigraph is habits' quick test: most words need no rewriting.
func (l *language) hasDigraph(w string) bool {
	if l.digraphs == nil {
		return false
	}
	switch l.code {
	case "da":
		return strings.Contains(w, "ae") || strings.Contains(w, "oe") || strings.Contains(w, "aa")
	case "ro":
		return strings.Contains(w, "sh") || strings.Contains(w, "tz")
	}
	return true
}
