package detect

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// counts tallies a message's function words by the set of languages each belongs to (a bit per language in the
// Detector's order).
type counts struct {
	d *Detector
	n [8]int // by language mask; three languages fit
}

// only is the number of function words of language a that language b lacks (b "" for any word of a).
func (c counts) only(a, b string) int {
	ia, ib := c.d.bit(a), c.d.bit(b)
	total := 0
	for m, n := range c.n {
		if m&ia != 0 && m&ib == 0 {
			total += n
		}
	}
	return total
}

func (d *Detector) bit(code string) int {
	for i, c := range d.codes {
		if c == code {
			return 1 << i
		}
	}
	return 0
}

// evidence counts the function words of each language in text. Words are folded plainly (case and diacritics), the
// same for every language, so the lists can be compared.
func (d *Detector) evidence(text string) counts {
	c := counts{d: d}
	if d.function == nil {
		return c
	}
	var buf [32]byte
	w := buf[:0]
	word := func() {
		if len(w) > 0 && len(w) < len(buf) {
			if m := d.function[string(w)]; m != 0 && int(m) < len(c.n) {
				c.n[m]++
			}
		}
		w = buf[:0]
	}
	for _, r := range text {
		r = unicode.ToLower(r)
		if f, ok := plainLetter(r); ok {
			if f != 0 && len(w) < cap(w) {
				w = append(w, f)
			}
			continue
		}
		if r == '\'' || r == '’' {
			continue // "don't" counts as "dont"
		}
		word()
	}
	word()
	return c
}

// plainLetter folds one lower-case rune to an ASCII byte for the function-word count: 0 for a letter with no
// ASCII form (kept out of the word); ok is false for anything that is not a letter or digit.
func plainLetter(r rune) (byte, bool) {
	switch {
	case r < utf8.RuneSelf:
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			return byte(r), true
		}
		return 0, false
	case r == 'æ', r == 'é', r == 'è', r == 'ê':
		return 'e', true
	case r == 'ø', r == 'ó', r == 'ö', r == 'ô':
		return 'o', true
	case r == 'å', r == 'ă', r == 'â', r == 'á', r == 'à', r == 'ä':
		return 'a', true
	case r == 'î', r == 'í':
		return 'i', true
	case r == 'ș', r == 'ş':
		return 's', true
	case r == 'ț', r == 'ţ':
		return 't', true
	case r == 'ú', r == 'ü':
		return 'u', true
	}
	return 0, unicode.IsLetter(r)
}

// plainFold folds a function word of a rule file the way evidence folds a message's words.
func plainFold(w string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(w) {
		if f, ok := plainLetter(r); ok && f != 0 {
			b.WriteByte(f)
		}
	}
	return b.String()
}
