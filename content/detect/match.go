package detect

import (
	"strings"
	"sync"

	snowball "github.com/blevesearch/snowballstem"
)

// scan is the working state of one message in one language; scans are pooled so classifying allocates little.
type scan struct {
	l         *language
	toks      []token
	ids       []int32  // vocabulary ids of all tokens, token after token
	idx       []int32  // token i's ids are ids[idx[i]:idx[i+1]]
	marks     []uint16 // per token: the marker kinds covering it
	present   []uint64 // bit set of the ids anywhere in the message
	buf       []token  // tokens as typed
	rewritten []token  // tokens after the rewrites
	env       *snowball.Env
	// blockOther stops gaps at a word naming someone else; off for rules that name others on purpose
	// ("my kids would be better off without me").
	blockOther bool
	start      int      // first token of the match being tried
	tried      []uint32 // per index entry: the generation it was last tried in
	spans      [][2]int // guard spans of the message
	gen        uint32
}

var scans = sync.Pool{New: func() any { return new(scan) }}

// load analyses text: tokens, the vocabulary ids each matches, and the markers covering each.
func (s *scan) load(l *language, text string) {
	s.l = l
	if s.env == nil {
		s.env = snowball.NewEnv("")
	}
	var raw []token
	var rewrote bool
	s.toks, raw, rewrote = l.analyze(text, s.buf, s.rewritten, s.env)
	s.buf = raw[:0]
	if rewrote {
		s.rewritten = s.toks[:0]
	}
	s.ids = s.ids[:0]
	s.idx = append(s.idx[:0], 0)
	words := (int(l.nextID) + 63) / 64
	if cap(s.present) < words {
		s.present = make([]uint64, words)
	}
	s.present = s.present[:words]
	clear(s.present)
	for i := range s.toks {
		s.ids = l.tokenIDs(&s.toks[i], s.ids)
		s.idx = append(s.idx, int32(len(s.ids)))
	}
	for _, id := range s.ids {
		s.present[id/64] |= 1 << (id % 64)
	}
	s.marks = s.marks[:0]
	for i := range s.toks {
		var m uint16
		for _, id := range s.tokIDs(i) {
			m |= l.idMarks[id]
		}
		s.marks = append(s.marks, m)
	}
	s.blockOther = false
	s.eachMatch(&l.markIndex, nil, func(e *indexEntry, start, end int, _ bool) {
		for i := start; i < end; i++ {
			s.marks[i] |= 1 << e.owner
		}
	})
}

// tokenIDs appends the vocabulary ids token t matches: its stem, its exact form, prefixes, and stems within one
// typo.
func (l *language) tokenIDs(t *token, ids []int32) []int32 {
	if id, ok := l.stems[t.stem]; ok {
		ids = append(ids, id)
	} else if len(t.stem) >= fuzzyMin-1 {
		for n := len(t.stem) - 1; n <= len(t.stem)+1; n++ {
			for _, f := range l.fuzzy[fuzzyKey(t.stem[0], n)] {
				if within1(t.stem, f.stem) {
					ids = append(ids, f.id)
				}
			}
		}
	}
	if id, ok := l.surfs[t.surf]; ok {
		ids = append(ids, id)
	}
	if t.surf != "" {
		for _, p := range l.prefixes[t.surf[0]] {
			if strings.HasPrefix(t.surf, p.text) || p.fuzzy && fuzzyPrefix(t.surf, p.text) {
				ids = append(ids, p.id)
			}
		}
	}
	return ids
}

// fuzzyPrefix reports whether w starts with p give or take one typo.
func fuzzyPrefix(w, p string) bool {
	for n := len(p) - 1; n <= len(p)+1; n++ {
		if n <= len(w) && within1(w[:n], p) {
			return true
		}
	}
	return false
}

func (s *scan) tokIDs(i int) []int32 { return s.ids[s.idx[i]:s.idx[i+1]] }

func (s *scan) is(i int, kind int) bool { return s.marks[i]&(1<<kind) != 0 }

// fits reports whether token i matches element e.
func (s *scan) fits(i int, e *elem) bool {
	for _, id := range s.tokIDs(i) {
		for _, x := range e.ids {
			if x == id {
				return true
			}
			if x > id {
				break
			}
		}
	}
	return false
}

// match tries elements k… of p from token i and returns where the match ends, or -1. carry is the gap of an
// optional element left out just before, which the next element inherits ("my ~3 know? i": "my daughter i").
func (s *scan) match(p *pattern, k, i, carry int, neg *bool) int {
	if k == len(p.elems) {
		return i
	}
	e := &p.elems[k]
	if e.end {
		j := i
		for j < len(s.toks) && s.is(j, markFiller) && (j == i || s.toks[j].brk < brkComma) {
			j++
		}
		if j == len(s.toks) || s.toks[j].brk >= brkComma || s.is(j, markClause) || i > 0 && s.toks[j].quote != s.toks[i-1].quote {
			return s.match(p, k+1, i, carry, neg)
		}
		return -1
	}
	gap := max(int(e.gap), carry)
	if k == 0 {
		gap = 0
	}
	for skip := 0; skip <= gap; skip++ {
		j := i + skip
		if j >= len(s.toks) {
			break
		}
		if k > 0 && s.toks[j].brk >= brkSentence && !e.cross {
			break // the sentence ended before this word
		}
		if skip > 0 && s.blockOther && s.is(j-1, markOther) {
			break // a gap never skips someone else: "I want him to die" is not "I want to die"
		}
		if s.fits(j, e) == e.not {
			continue
		}
		if end := s.match(p, k+1, j+1, 0, neg); end >= 0 {
			// a negation skipped by a gap negates the match, unless the match began with a negative word
			// whose grammar repeats the negation ("nimeni n-ar observa", "nothing will ever get better")
			if !s.is(s.start, markNegation) {
				for g := i; g < j; g++ {
					if s.is(g, markNegation) {
						*neg = true
					}
				}
			}
			return end
		}
	}
	if e.optional {
		return s.match(p, k+1, i, gap, neg)
	}
	return -1
}
