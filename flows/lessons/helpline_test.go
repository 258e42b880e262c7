package lessons_test

import (
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
	"github.com/m4pris/mentorbot/flows/programme"
	"github.com/m4pris/mentorbot/flows/safety"
)

// TestLessonsShowConfiguredHelpline: a lesson's {helpline} becomes the configured line of the reader's country
// (MENTORBOT_HELPLINE_DK / _RO reach the lessons, not only the safety path), both lines when the country is not
// known, in the card, in the practice and when the practice comes back days later.
func TestLessonsShowConfiguredHelpline(t *testing.T) {
	const (
		dk     = "Testlinjen 11 22 33 44"
		ro     = "Linia de probă 0700 000 000"
		lesson = "a5-when-a-colleague-is-not-ok"
	)
	lib := content.MustDefaultLibrary()
	l := lib.Lesson(lesson)
	if l == nil || !strings.Contains(l.En.Cards[len(l.En.Cards)-1], content.HelplinePlaceholder) ||
		!strings.Contains(l.En.Practice, content.HelplinePlaceholder) {
		t.Fatalf("%s no longer has the placeholder in its last card and practice; pick another lesson", lesson)
	}
	h := flowtest.NewHarness(t, nil, func(e *flows.Engine, b flowtest.Backend) {
		programme.Register(e, programme.Deps{Directory: b, Invites: b, LessonFeedback: newFeedback(),
			Helplines: safety.Helplines{DK: dk, RO: ro}})
	})
	h.Clock.Set(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	for _, tc := range []struct {
		user, lang, tz string
		want, not      []string
		next, got      string
	}{
		{"dan", "da", "", []string{dk}, []string{ro, safety.DefaultDK}, "Næste ▶", "✓ Forstået"},
		{"rada", "ro", "", []string{ro}, []string{dk, safety.DefaultRO}, "Mai departe ▶", "✓ Am înțeles"},
		{"lee", "en", "Europe/London", []string{dk + " (Denmark) or " + ro + " (Romania)"}, nil, "Next ▶", "✓ Got it"},
	} {
		t.Run(tc.user, func(t *testing.T) {
			seed(t, h, tc.user, tc.lang, flows.Mentee)
			if tc.tz != "" {
				update(t, h, tc.user, func(p *flows.Profile) { p.TZ = tc.tz })
			}
			check := func(where string, rs []flows.Reply) {
				t.Helper()
				got := flowtest.Text(rs)
				if strings.Contains(got, content.HelplinePlaceholder) {
					t.Fatalf("%s shows the placeholder:\n%s", where, got)
				}
				for _, w := range tc.want {
					if !strings.Contains(got, w) {
						t.Fatalf("%s lacks %q:\n%s", where, w, got)
					}
				}
				for _, n := range tc.not {
					if strings.Contains(got, n) {
						t.Fatalf("%s shows %q:\n%s", where, n, got)
					}
				}
			}
			r := open(h, tc.user, lesson)
			for range len(l.En.Cards) - 1 {
				r = h.Press(tc.user, tc.next)
			}
			check("last card", r)
			h.Press(tc.user, tc.next) // to the question
			h.Press(tc.user, "C")
			check("practice", h.Press(tc.user, tc.next))
			h.Press(tc.user, tc.got)
			h.Clock.Advance(3*24*time.Hour + time.Hour)
			h.RunDue()
			check("practice days later", h.Inbox(tc.user))
		})
	}
}
