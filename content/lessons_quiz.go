package content

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// The quiz rules look at all lessons of one language together: a reader who has done a few lessons learns any
// pattern in them ("the longest answer is right", "it's always B", "a wrong answer is the one whose feedback
// starts 'That's understandable'") and stops reading the options. Each rule allows well above what chance alone
// gives with three options (a third), so writers keep their freedom and only a habit fails the check.
const (
	// QuizMinLessons is how many lessons a language needs before the quiz rules apply: below it, one lesson
	// moves a share by more than the rules' margins.
	QuizMinLessons = 10
	// MaxLongestRight is the largest share of lessons whose right option is the longest one. Chance with three
	// options is a third; 40% leaves room for a right answer that simply needs more words.
	MaxLongestRight = 0.40
	// MaxSameLengthRank is the largest share of lessons whose right option has the same length rank (the
	// longest, the second longest…). It catches the habit that replaces "the longest is right" once that is
	// fixed: the right answer always the middle one, or always the shortest.
	MaxSameLengthRank = 0.50
	// MaxSameLetter is the largest share of lessons whose right option sits at the same position (A, B, C…).
	// Chance is a third with three options; more than half would make one letter the safe guess.
	MaxSameLetter = 0.50
	// MaxSameOpening is the largest share of wrong-option feedbacks that begin with the same three words. The
	// flow prints them after "Not quite."; a fifth is already one in every five wrong answers, enough to notice
	// but room for a language's few natural ways to begin ("Det er…", "E adevărat…").
	MaxSameOpening = 0.20
	// OpeningWords is how many words make a feedback's opening.
	OpeningWords = 3
	// MaxButTurn is the largest share of wrong-option feedbacks that turn on "but" in their first two sentences
	// ("That's understandable. But…", "It feels fair, but…"). Different words, one shape: the reader learns that
	// a compliment followed by "but" means the option was wrong. Granting a point first is sometimes the kind
	// thing to do, so a quarter is allowed.
	MaxButTurn = 0.25
)

// butWords are the words that turn a concession into a correction, per language, in lower case.
var butWords = map[string][]string{"en": {"but"}, "da": {"men"}, "ro": {"dar", "însă"}}

// QuizStats are the quiz patterns of the lessons in one language.
type QuizStats struct {
	Lessons int
	// LongestRight counts lessons whose right option is strictly longer (in characters) than every other.
	LongestRight int
	// LengthRanks counts the right option's length rank: 1 when no option is longer, 2 when one is, and so on.
	LengthRanks map[int]int
	// Letters counts the position of the right option: "A" is the first.
	Letters map[string]int
	// Wrong counts wrong-option feedbacks; Openings counts their first OpeningWords words, in lower case.
	Wrong    int
	Openings map[string]int
	// ButTurn counts wrong-option feedbacks with "but" (in the language) in their first two sentences.
	ButTurn int
}

// TopLetter returns the most common position of the right option and its count (the earlier letter on a tie).
func (s QuizStats) TopLetter() (string, int) { return top(s.Letters) }

// TopOpening returns the most common opening of the wrong-option feedbacks and its count.
func (s QuizStats) TopOpening() (string, int) { return top(s.Openings) }

func top(m map[string]int) (string, int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	best, n := "", 0
	for _, k := range keys {
		if m[k] > n {
			best, n = k, m[k]
		}
	}
	return best, n
}

// Quiz computes the quiz statistics of lessons in lang.
func Quiz(lessons []*Lesson, lang string) QuizStats {
	st := QuizStats{Letters: map[string]int{}, Openings: map[string]int{}, LengthRanks: map[int]int{}}
	for _, l := range lessons {
		t := l.byLang()[lang]
		if t == nil || t.Question.Option(l.Answer) == nil {
			continue
		}
		st.Lessons++
		longest, rank := true, 1
		right := runes(t.Question.Option(l.Answer).Text)
		for i, o := range t.Question.Options {
			if o.ID == l.Answer {
				st.Letters[letter(i)]++
				continue
			}
			if runes(o.Text) >= right {
				longest = false
			}
			if runes(o.Text) > right {
				rank++
			}
			st.Wrong++
			st.Openings[Opening(o.Feedback)]++
			if turnsOnBut(o.Feedback, lang) {
				st.ButTurn++
			}
		}
		if longest {
			st.LongestRight++
		}
		st.LengthRanks[rank]++
	}
	return st
}

// Opening returns the first OpeningWords words of s in lower case, without punctuation.
func Opening(s string) string {
	w := words(s)
	return strings.Join(w[:min(OpeningWords, len(w))], " ")
}

// turnsOnBut reports whether the first two sentences of s hold the language's "but".
func turnsOnBut(s, lang string) bool {
	head, n := s, 0
	for i, r := range s {
		if r == '.' || r == '!' || r == '?' {
			if n++; n == 2 {
				head = s[:i]
				break
			}
		}
	}
	for _, w := range words(head) {
		for _, b := range butWords[lang] {
			if w == b {
				return true
			}
		}
	}
	return false
}

// words splits s into lower-case words (letters, digits and the apostrophes and hyphens inside words).
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’' && r != '-'
	})
}

func letter(i int) string { return string(rune('A' + i)) }

// checkQuizzes applies the quiz rules to every language of the library.
func checkQuizzes(lib *Library) []Problem {
	var out []Problem
	all := lib.All()
	for _, lang := range Languages {
		st := Quiz(all, lang)
		if st.Lessons < QuizMinLessons {
			continue
		}
		add := func(format string, a ...any) {
			out = append(out, Problem{File: "lessons (" + lang + ")", Message: fmt.Sprintf(format, a...)})
		}
		if share(st.LongestRight, st.Lessons) > MaxLongestRight {
			add("the right option is the longest in %d of %d lessons, at most %.0f%%: vary the lengths", st.LongestRight, st.Lessons, 100*MaxLongestRight)
		}
		for rank, n := range st.LengthRanks {
			if share(n, st.Lessons) > MaxSameLengthRank {
				add("the right option is the %s in %d of %d lessons, at most %.0f%%: vary the lengths", rankName(rank), n, st.Lessons, 100*MaxSameLengthRank)
			}
		}
		if l, n := st.TopLetter(); share(n, st.Lessons) > MaxSameLetter {
			add("the right option is %s in %d of %d lessons, at most %.0f%%: vary its position", l, n, st.Lessons, 100*MaxSameLetter)
		}
		if o, n := st.TopOpening(); share(n, st.Wrong) > MaxSameOpening {
			add("%d of %d wrong-option feedbacks begin %q, at most %.0f%%: open each in its own words", n, st.Wrong, o, 100*MaxSameOpening)
		}
		if share(st.ButTurn, st.Wrong) > MaxButTurn {
			add("%d of %d wrong-option feedbacks grant a point and turn on %q in their first two sentences, at most %.0f%%: say what the option misses", st.ButTurn, st.Wrong, butWords[lang][0], 100*MaxButTurn)
		}
	}
	return out
}

// rankName names a length rank: "longest", "2nd longest", "3rd longest".
func rankName(rank int) string {
	switch rank {
	case 1:
		return "longest"
	case 2:
		return "2nd longest"
	case 3:
		return "3rd longest"
	}
	return fmt.Sprintf("%dth longest", rank)
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}
