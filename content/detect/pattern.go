package detect

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	snowball "github.com/blevesearch/snowballstem"
)

// Pattern syntax (the content files' header explains it to their writers):
//
//	word      the word's stem: "killing" matches kill, kills, killed; one typo is tolerated when the stem has six
//	          letters or more
//	=word     exactly this word, not stemmed (a verb form that says who: Romanian "vreau" I want, not "vrea")
//	word*     any word starting with this (compounds: "selvmord*"); one typo tolerated from six letters
//	a|b|c     any of these
//	@name     any word of the named set
//	(a b|c)   either the words "a b" or "c" (groups are expanded into several patterns; no nesting)
//	x?        x may be missing
//	~N        up to N words may come between the neighbours (~ alone is ~3); they never span a sentence's end,
//	          never skip a word naming someone else, and a negation among them negates the match
//	~~N       the same, across a sentence's end ("thanks for everything. bye")
//	$         the end of a clause here (only filler words like "tbh" or "anymore" may follow first)

// elem is one position of a pattern.
type elem struct {
	ids      []int32 // vocabulary ids any of which match; sorted
	optional bool
	not      bool  // !a|b: any one word but these
	gap      uint8 // words that may be skipped before this element
	cross    bool  // the gap may span a sentence's end
	end      bool  // $: a clause ends here
}

// pattern is a compiled pattern.
type pattern struct {
	src   string
	elems []elem
	// anchor lists the ids of the first element that must match: a message containing none of them cannot
	// match, so most patterns are skipped at the cost of a bit test.
	anchor []int32
}

// set is a named list of patterns: the marker sets (who speaks, negation, ...) and word sets used as @name.
type set struct {
	name     string
	patterns []*pattern
	single   []int32 // when every entry is one word: their ids, so @name can be an element
}

// compileWord compiles one alternative of an element: word, =word, word* or @name.
func (l *language) compileWord(env *snowball.Env, alt string) ([]int32, error) {
	switch {
	case strings.HasPrefix(alt, "@"):
		s := l.sets[alt[1:]]
		if s == nil {
			return nil, fmt.Errorf("unknown set %s", alt)
		}
		if s.single == nil {
			return nil, fmt.Errorf("set %s has entries of several words and cannot stand for one word", alt)
		}
		return s.single, nil
	case strings.HasPrefix(alt, "="):
		w, err := l.patternWord(alt[1:])
		if err != nil {
			return nil, err
		}
		return []int32{l.surfID(w)}, nil
	case strings.HasSuffix(alt, "*"):
		w, err := l.patternWord(strings.TrimSuffix(alt, "*"))
		if err != nil {
			return nil, err
		}
		if len(w) < 3 {
			return nil, fmt.Errorf("prefix %q is too short to mean anything", alt)
		}
		return []int32{l.prefixID(w)}, nil
	default:
		w, err := l.patternWord(alt)
		if err != nil {
			return nil, err
		}
		return []int32{l.stemID(l.stem(env, w))}, nil
	}
}

// patternWord normalises a word of a pattern as the words of a message are normalised, and refuses what a message
// could never contain after that: several words, punctuation, or a word the rewrites replace.
func (l *language) patternWord(w string) (string, error) {
	n := l.normWord(w)
	if n == "" {
		return "", fmt.Errorf("empty word")
	}
	for _, r := range n {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return "", fmt.Errorf("%q is not one word (write its parts as separate words)", w)
		}
	}
	for _, rw := range l.rewrite[n] {
		if len(rw.from) == 1 {
			return "", fmt.Errorf("%q is rewritten to %q before matching; write that instead", w, strings.Join(rw.to, " "))
		}
	}
	return n, nil
}

// compilePatterns expands src's groups and compiles each resulting pattern.
func (l *language) compilePatterns(env *snowball.Env, src string) ([]*pattern, error) {
	srcs, err := expandGroups(src)
	if err != nil {
		return nil, err
	}
	var ps []*pattern
	for _, s := range srcs {
		p, err := l.compilePattern(env, s)
		if err != nil {
			return nil, err
		}
		p.src = src
		ps = append(ps, p)
	}
	return ps, nil
}

// maxExpansion bounds how many patterns one source may expand into.
const maxExpansion = 256

// expandGroups turns a source with groups into plain patterns: "x|(a b) c" is "x c" and "a b c"; "(a b)? c" is
// "a b c" and "c". A field (words split at spaces outside parentheses) with single-word alternatives keeps them
// together as one alternative.
func expandGroups(src string) ([]string, error) {
	fields, err := splitFields(src)
	if err != nil {
		return nil, err
	}
	out := []string{""}
	for _, f := range fields {
		alts, err := fieldAlternatives(f)
		if err != nil {
			return nil, err
		}
		var next []string
		for _, o := range out {
			for _, a := range alts {
				next = append(next, strings.TrimSpace(o+" "+a))
				if len(next) > maxExpansion {
					return nil, fmt.Errorf("expands into more than %d patterns", maxExpansion)
				}
			}
		}
		out = next
	}
	return out, nil
}

// splitFields splits src at spaces outside parentheses.
func splitFields(src string) ([]string, error) {
	var fields []string
	depth, start := 0, -1
	for i, r := range src + " " {
		switch {
		case r == '(':
			if depth++; depth > 1 {
				return nil, fmt.Errorf("groups cannot nest")
			}
		case r == ')':
			if depth--; depth < 0 {
				return nil, fmt.Errorf("unbalanced )")
			}
		case r == ' ' || r == '\t':
			if depth == 0 && start >= 0 {
				fields = append(fields, src[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced (")
	}
	return fields, nil
}

// fieldAlternatives lists what one field may stand for: its plain words as one alternative ("a|b"), and each
// alternative of each group in it. An optional group ("(a b)?") adds the empty alternative.
func fieldAlternatives(f string) ([]string, error) {
	if !strings.Contains(f, "(") {
		return []string{f}, nil
	}
	var plain, alts []string
	optional := false
	for len(f) > 0 {
		switch {
		case strings.HasPrefix(f, "("):
			end := strings.IndexByte(f, ')')
			for _, a := range strings.Split(f[1:end], "|") {
				if strings.TrimSpace(a) == "" {
					return nil, fmt.Errorf("empty alternative in %s", f[:end+1])
				}
				alts = append(alts, strings.TrimSpace(a))
			}
			f = f[end+1:]
			if strings.HasPrefix(f, "?") {
				optional, f = true, f[1:]
			}
		default:
			end := strings.IndexAny(f, "(|")
			if end < 0 {
				end = len(f)
			}
			if w := f[:end]; w != "" {
				plain = append(plain, w)
			}
			f = f[end:]
		}
		f = strings.TrimPrefix(f, "|")
	}
	if len(plain) > 0 {
		alts = append([]string{strings.Join(plain, "|")}, alts...)
	}
	if optional {
		alts = append(alts, "")
	}
	return alts, nil
}

// compilePattern parses one pattern without groups.
func (l *language) compilePattern(env *snowball.Env, src string) (*pattern, error) {
	p := &pattern{src: src}
	var gap uint8
	var cross, pending bool
	for _, f := range strings.Fields(src) {
		if strings.HasPrefix(f, "~") {
			if pending {
				return nil, fmt.Errorf("two gaps in a row")
			}
			n, c := strings.TrimPrefix(f, "~"), false
			if strings.HasPrefix(n, "~") {
				n, c = n[1:], true
			}
			g := 3
			if n != "" {
				v, err := strconv.Atoi(n)
				if err != nil || v < 1 || v > 8 {
					return nil, fmt.Errorf("gap %q: want ~1 to ~8", f)
				}
				g = v
			}
			gap, cross, pending = uint8(g), c, true
			continue
		}
		e := elem{gap: gap, cross: cross}
		gap, cross, pending = 0, false, false
		if f == "$" {
			e.end = true
			p.elems = append(p.elems, e)
			continue
		}
		if strings.HasSuffix(f, "?") && len(f) > 1 {
			e.optional = true
			f = strings.TrimSuffix(f, "?")
		}
		alts := strings.Split(f, "|")
		for i, alt := range alts {
			neg := strings.HasPrefix(alt, "!")
			if i == 0 {
				e.not = neg
			} else if neg != e.not {
				return nil, fmt.Errorf("%q mixes words and !words", f)
			}
			ids, err := l.compileWord(env, strings.TrimPrefix(alt, "!"))
			if err != nil {
				return nil, err
			}
			e.ids = append(e.ids, ids...)
		}
		slices.Sort(e.ids)
		e.ids = slices.Compact(e.ids)
		p.elems = append(p.elems, e)
	}
	if pending {
		return nil, fmt.Errorf("ends with a gap")
	}
	if len(p.elems) == 0 {
		return nil, fmt.Errorf("empty pattern")
	}
	if p.elems[0].gap > 0 {
		return nil, fmt.Errorf("starts with a gap")
	}
	for _, e := range p.elems {
		if !e.optional && !e.end && !e.not {
			p.anchor = e.ids
			break
		}
	}
	if p.anchor == nil {
		return nil, fmt.Errorf("needs at least one word that must be there")
	}
	return p, nil
}

// Vocabulary ids: stems, exact surfaces and prefixes each get an id; a message's token carries the ids it matches.

func (l *language) stemID(stem string) int32 {
	if id, ok := l.stems[stem]; ok {
		return id
	}
	id := l.newID()
	l.stems[stem] = id
	if len(stem) >= fuzzyMin {
		k := fuzzyKey(stem[0], len(stem))
		l.fuzzy[k] = append(l.fuzzy[k], fuzzyStem{stem, id})
	}
	return id
}

func (l *language) surfID(w string) int32 {
	if id, ok := l.surfs[w]; ok {
		return id
	}
	id := l.newID()
	l.surfs[w] = id
	return id
}

func (l *language) prefixID(w string) int32 {
	for _, p := range l.prefixes[w[0]] {
		if p.text == w {
			return p.id
		}
	}
	id := l.newID()
	l.prefixes[w[0]] = append(l.prefixes[w[0]], prefix{text: w, id: id, fuzzy: len(w) >= fuzzyMin})
	return id
}

func (l *language) newID() int32 {
	id := l.nextID
	l.nextID++
	return id
}

// fuzzyMin is the shortest stem or prefix (in bytes; folded words are ASCII) that tolerates one typo. Shorter
// words are too close to other words: "kill"/"fill", "death"/"depth", "ending"/"sending".
const fuzzyMin = 6

type fuzzyStem struct {
	stem string
	id   int32
}

func fuzzyKey(first byte, n int) uint32 { return uint32(first)<<16 | uint32(n) }

// within1 reports whether a and b differ by at most one edit: a letter changed, added, dropped, or two neighbours
// swapped.
func within1(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	switch len(b) - len(a) {
	case 0:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		if i == len(a) {
			return true
		}
		if a[i+1:] == b[i+1:] {
			return true // one changed letter
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] // swapped neighbours
	case 1:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		return a[i:] == b[i+1:]
	}
	return false
}
