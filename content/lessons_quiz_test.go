package content

import (
	"fmt"
	"strings"
	"testing"
)

// quizFixture returns n lessons that pass every quiz rule: the right option moves through A, B and C, is the
// longest, the shortest or in the middle in turn, and each wrong feedback opens with its own words and no "but".
func quizFixture(n int) []*Lesson {
	var out []*Lesson
	right := []string{"Short", "The longest of the three options", "Middle answer here"} // by i%3
	for i := range n {
		l := validLesson(fmt.Sprintf("a%d-q", i+1), "A", i+1)
		pos := (i + i/3) % 3 // the letter does not follow the length
		for _, t := range []*LessonText{l.En, l.Da, l.Ro} {
			wrong := []string{"Wrong answer", "A much longer wrong answer"}
			var opts []Option
			for j := range 3 {
				o := Option{ID: string(rune('a' + j)), Feedback: fmt.Sprintf("Feedback number %d-%d says why.", i, j)}
				if j == pos {
					o.Text = right[i%3]
				} else {
					o.Text, wrong = wrong[0], wrong[1:]
				}
				opts = append(opts, o)
			}
			t.Question.Options = opts
		}
		l.Answer = string(rune('a' + pos))
		out = append(out, l)
	}
	return out
}

func TestQuizRulesAcceptFixture(t *testing.T) {
	_, problems := LoadLibrary(lessonFS(t, testModules, quizFixture(QuizMinLessons)...))
	if len(problems) > 0 {
		t.Fatalf("problems in a varied quiz: %v", problems)
	}
	st := Quiz(quizFixture(12), "da")
	if l, n := st.TopLetter(); st.Lessons != 12 || st.LongestRight != 4 || l != "A" || n != 4 || st.Wrong != 24 || st.ButTurn != 0 ||
		st.LengthRanks[1] != 4 || st.LengthRanks[2] != 4 || st.LengthRanks[3] != 4 {
		t.Fatalf("stats %+v, top letter %s=%d", st, l, n)
	}
}

// TestQuizRulesFindHabits breaks the fixture one habit at a time and asserts that the rule for it fires, in the
// language where the habit is, and not below QuizMinLessons.
func TestQuizRulesFindHabits(t *testing.T) {
	each := func(ls []*Lesson, f func(i int, l *Lesson, t *LessonText)) []*Lesson {
		for i, l := range ls {
			f(i, l, l.Ro)
		}
		return ls
	}
	for _, tc := range []struct {
		name    string
		lessons []*Lesson
		want    string
		n       int // problems expected: 1, or 3 where the habit is shared by every language
	}{
		{"longest is right", each(quizFixture(10), func(i int, l *Lesson, t *LessonText) {
			if i < 3 {
				t.Question.Option(l.Answer).Text = "By far the longest option of them all"
			}
		}), "lessons (ro): the right option is the longest in 5 of 10 lessons, at most 40%", 1},
		{"same length rank", each(quizFixture(10), func(i int, l *Lesson, t *LessonText) {
			if i < 6 {
				t.Question.Option(l.Answer).Text = "Middle answer here"
			}
		}), "lessons (ro): the right option is the 2nd longest in 7 of 10 lessons, at most 50%", 1},
		{"same letter", each(quizFixture(10), func(i int, l *Lesson, _ *LessonText) {
			if i < 6 {
				// Move the right option to the front in every language; ids stay, positions change.
				for _, t := range []*LessonText{l.En, l.Da, l.Ro} {
					opts := t.Question.Options
					for j, o := range opts {
						if o.ID == l.Answer {
							opts[0], opts[j] = opts[j], opts[0]
						}
					}
				}
				l.Answer = l.En.Question.Options[0].ID
				for _, t := range []*LessonText{l.Da, l.Ro} {
					t.Question.Options = append([]Option(nil), l.En.Question.Options...)
				}
			}
		}), "the right option is A in 8 of 10 lessons, at most 50%", 3},
		{"same opening", each(quizFixture(10), func(i int, l *Lesson, t *LessonText) {
			if i < 5 {
				for j := range t.Question.Options {
					if t.Question.Options[j].ID != l.Answer {
						t.Question.Options[j].Feedback = "E de înțeles, desigur. Totuși nu ajută."
					}
				}
			}
		}), `lessons (ro): 10 of 20 wrong-option feedbacks begin "e de înțeles", at most 20%`, 1},
		{"concession then but", each(quizFixture(10), func(i int, l *Lesson, t *LessonText) {
			for j := range t.Question.Options {
				if t.Question.Options[j].ID != l.Answer && i%2 == 0 {
					t.Question.Options[j].Feedback = fmt.Sprintf("Gândul %d e bun. Dar nu ajută aici.", i*10+j)
				}
			}
		}), `lessons (ro): 10 of 20 wrong-option feedbacks grant a point and turn on "dar"`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := LoadLibrary(lessonFS(t, testModules, tc.lessons...))
			var all []string
			for _, p := range problems {
				all = append(all, p.String())
			}
			if len(all) != tc.n || !strings.Contains(strings.Join(all, "\n"), tc.want) {
				t.Fatalf("want %d problems, one with %q; got:\n%s", tc.n, tc.want, strings.Join(all, "\n"))
			}
			// The same habit in fewer lessons than the rules need is not reported.
			if _, problems := LoadLibrary(lessonFS(t, testModules, tc.lessons[:QuizMinLessons-1]...)); len(problems) > 0 {
				t.Fatalf("quiz rules applied below %d lessons: %v", QuizMinLessons, problems)
			}
		})
	}
}

func TestOpeningAndButTurn(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"That's understandable. But no.", "that's understandable but"},
		{"„Nu chiar”, spune el", "nu chiar spune"},
		{"Ja.", "ja"},
	} {
		if got := Opening(tc.in); got != tc.want {
			t.Errorf("Opening(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		s, lang string
		want    bool
	}{
		{"That's understandable. But it does harm.", "en", true},
		{"It seems fair, but it exposes them.", "en", true},
		{"It exposes them. The list goes round. But only later.", "en", false},
		{"Det er forståeligt. Men det skader.", "da", true},
		{"Mennesker glemmer. Det gør ondt.", "da", false},
		{"Pare corect, însă apar probleme.", "ro", true},
		{"Darul vine târziu. E prea mult.", "ro", false},
	} {
		if got := turnsOnBut(tc.s, tc.lang); got != tc.want {
			t.Errorf("turnsOnBut(%q, %s) = %v", tc.s, tc.lang, got)
		}
	}
}
