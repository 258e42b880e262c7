package detect

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Boundary levels: what separates a token from the one before it. Patterns, subject and negation look-ups stop at
// the levels their comments name.
const (
	brkNone     = 0 // a space
	brkColon    = 1 // "he said: ..." — reported speech looks through it
	brkComma    = 2 // , – ... ( ) — ends a clause
	brkSentence = 3 // . ! ? ; a new line — ends a sentence
)

// token is one word of a message after normalisation.
type token struct {
	surf  string // folded surface form after the language's rewrites ("cant" → "can", "not")
	stem  string // the surface form's snowball stem
	brk   uint8  // boundary before this token
	quote int16  // number of the quoted span the token is in; 0 outside quotes (or in a quote never closed)
	q     bool   // the boundary before is a question mark: "suicidal? no"
}

// laughter marks emoji that say "I'm joking", written into the text as a word the joke markers can name.
const laughter = "haha"

// tokenize splits text into words for lang: lower case, diacritics folded as the language's writers type them
// without a local keyboard, apostrophes inside words kept for the rewrites, punctuation turned into boundary levels
// and quote spans. ASCII words point into one lower-cased string, so most messages cost few allocations here.
func (l *language) tokenize(text string, toks []token) []token {
	folded := lowerText(text)
	var (
		brk        uint8
		quote      int16 // open span, 0 none
		quotes     int16 // spans opened so far
		openDouble bool
		openSingle bool
		question   bool
		closed     = map[int16]bool(nil)
	)
	word := -1 // start of the current word in folded
	flush := func(end int) {
		if word < 0 {
			return
		}
		w := strings.Trim(folded[word:end], "'")
		word = -1
		if w == "" {
			return
		}
		toks = append(toks, token{surf: l.word(w), brk: brk, quote: quote, q: question})
		brk, question = brkNone, false
	}
	raise := func(b uint8) {
		if b > brk {
			brk = b
		}
	}
	toggle := func(open *bool) {
		if *open {
			*open = false
			if closed == nil {
				closed = map[int16]bool{}
			}
			closed[quote] = true
			quote = 0
			return
		}
		if quote != 0 { // a different kind of quote inside a quote: keep the outer span
			return
		}
		*open = true
		quotes++
		quote = quotes
	}
	for i, r := range folded {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if word < 0 {
				word = i
			}
		case r == '\'':
			// An apostrophe between letters belongs to the word ("can't", "i'm"); at a word's edge it is a
			// single quote.
			prev, next := runeBefore(folded, i), runeAfter(folded, i+1)
			if word >= 0 && isWordRune(next) {
				continue
			}
			flush(i)
			switch {
			case !isWordRune(prev) && isWordRune(next) && !openSingle:
				toggle(&openSingle)
			case isWordRune(prev) && !isWordRune(next) && openSingle:
				toggle(&openSingle)
			}
		case r == '"':
			flush(i)
			toggle(&openDouble)
		case r == '.' && isDigitAt(folded, i-1) && isDigitAt(folded, i+1):
			// 12.30, 1.5: part of a number
			flush(i)
		case r == '.' || r == '!' || r == '?' || r == ';' || r == '\n':
			flush(i)
			if r == '.' && (strings.HasPrefix(folded[i+1:], ".") || i > 0 && folded[i-1] == '.') {
				raise(brkComma) // an ellipsis is a pause, not the end of a thought
				continue
			}
			raise(brkSentence)
			question = question || r == '?'
		case r == ':':
			flush(i)
			raise(brkColon)
		case r == ',' || r == '(' || r == ')' || r == '–' || r == '—' || r == '/' || r == '…':
			flush(i)
			raise(brkComma)
		case r == '-':
			// a hyphen inside a word splits it without a boundary ("self-harm", "să-mi"); a dash between
			// spaces is a pause
			if word < 0 && runeAfter(folded, i+1) == ' ' {
				flush(i)
				raise(brkComma)
				continue
			}
			flush(i)
		case isLaughter(r):
			flush(i)
			toks = append(toks, token{surf: laughter, brk: brk, quote: quote, q: question})
			brk, question = brkNone, false
		default:
			flush(i)
		}
	}
	flush(len(folded))
	// A quote never closed is a stray mark, not a quotation: its words count as the writer's own.
	for i := range toks {
		if q := toks[i].quote; q != 0 && !closed[q] {
			toks[i].quote = 0
		}
	}
	return toks
}

// lowerText lower-cases text and unifies quotes and apostrophes; diacritics stay for the word-level folding.
func lowerText(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		switch {
		case r == '’' || r == '‘' || r == 'ʼ' || r == '`' || r == '´' || r == '‚' || r == '‛':
			b.WriteByte('\'')
		case r == '“' || r == '”' || r == '„' || r == '«' || r == '»' || r == '‹' || r == '›' || r == '″':
			b.WriteByte('"')
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// word normalises one lower-case word: the language's typing habits first (on the word as typed, so Danish "slået"
// is not read as a typed "ae"), then diacritics folded. Letters without a decomposition are mapped as a writer
// without the key types them: Danish æ → e and ø → o (å decomposes to a), so "dø", "doe" and "do" meet.
func (l *language) word(w string) string {
	w = l.habits(w)
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return foldWord(w)
		}
	}
	return w
}

func foldWord(w string) string {
	var b strings.Builder
	b.Grow(len(w))
	for _, r := range w {
		switch {
		case r < utf8.RuneSelf:
			b.WriteByte(byte(r))
		case r == 'æ':
			b.WriteByte('e')
		case r == 'ø':
			b.WriteByte('o')
		case r == 'ß':
			b.WriteString("ss")
		default:
			if c, ok := plainLetter(r); ok && c != 0 {
				b.WriteByte(c) // the diacritics of Danish and Romanian, without the cost of a decomposition
				continue
			}
			for _, d := range norm.NFD.String(string(r)) {
				if !unicode.Is(unicode.Mn, d) {
					b.WriteRune(d)
				}
			}
		}
	}
	return b.String()
}

// habits rewrites one word's spelling as the language's writers type it on a foreign keyboard: Danish ae/oe/aa for
// æ/ø/å; Romanian sh and tz for ș and ț ("shtiu", "viatza"). Letters repeated three times or more are one letter
// ("dieee", "pleeease"). It returns w itself when nothing changes, so most words cost nothing.
func (l *language) habits(w string) string {
	if hasRun3(w) {
		w = collapseRuns(w)
	}
	if l.hasDigraph(w) {
		w = l.digraphs.Replace(w)
	}
	return w
}

func hasRun3(w string) bool {
	for i := 2; i < len(w); i++ {
		if w[i] == w[i-1] && w[i] == w[i-2] {
			return true
		}
	}
	return false
}

func collapseRuns(w string) string {
	var b strings.Builder
	src := []rune(w)
	for i := 0; i < len(src); {
		j := i
		for j < len(src) && src[j] == src[i] {
			j++
		}
		n := j - i
		if n >= 3 {
			n = 1 // "dieee" → "die", "sooo" → "so"
		}
		for range n {
			b.WriteRune(src[i])
		}
		i = j
	}
	return b.String()
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func runeBefore(s string, i int) rune {
	if i <= 0 {
		return ' '
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

func runeAfter(s string, i int) rune {
	if i >= len(s) {
		return ' '
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

func isDigitAt(s string, i int) bool { return i >= 0 && i < len(s) && s[i] >= '0' && s[i] <= '9' }

// isLaughter reports the emoji that mean "I'm joking".
func isLaughter(r rune) bool {
	switch r {
	case '😂', '🤣', '😆', '😹', '😅', '😜', '🙃':
		return true
	}
	return false
}
