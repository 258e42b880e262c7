// Package safety is the safety path: any free text, in any flow, with crisis wording gets at once the emergency
// number and the helpline of the person's country, an offer to reach a person from the programme, and never a
// diagnosis. The lexicon is content data (content/safety/crisis.yaml).
package safety

import (
	"context"
	"strings"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
)

// Helplines are the phone lines shown on the safety path, per country, each as a name and a number
// ("Livslinien 70 201 201"). A deployment corrects them with MENTORBOT_HELPLINE_DK and _RO.
type Helplines struct {
	DK string
	RO string
}

// Defaults from CONTENT-FACTS.md. No opening hours are stated: they could not be confirmed.
const (
	DefaultDK = "Livslinien 70 201 201"
	DefaultRO = "Alianța Română de Prevenție a Suicidului 0800 801 200"
)

// WithDefaults fills empty lines with the defaults.
func (h Helplines) WithDefaults() Helplines {
	if strings.TrimSpace(h.DK) == "" {
		h.DK = DefaultDK
	}
	if strings.TrimSpace(h.RO) == "" {
		h.RO = DefaultRO
	}
	return h
}

// Country guesses the person's country for the helpline: from the time zone they chose, else their language.
// "" means unknown (both lines are shown).
func Country(p *flows.Profile) string {
	switch p.TZ {
	case "Europe/Copenhagen":
		return "DK"
	case "Europe/Bucharest":
		return "RO"
	}
	if p.TZ == "" {
		switch p.Lang {
		case "da":
			return "DK"
		case "ro":
			return "RO"
		}
	}
	return ""
}

// Lines renders the emergency number and the helpline(s) for the person, one a line.
func (h Helplines) Lines(c *flows.Ctx) string {
	h = h.WithDefaults()
	lines := []string{c.T("safety.emergency")}
	switch Country(c.Profile) {
	case "DK":
		lines = append(lines, "• "+h.DK)
	case "RO":
		lines = append(lines, "• "+h.RO)
	default:
		lines = append(lines, "• "+c.T("safety.in_dk", "Line", h.DK), "• "+c.T("safety.in_ro", "Line", h.RO))
	}
	return strings.Join(lines, "\n")
}

// Mentors finds a person's mentor. The mentoring feature implements it; programme wires the same value the
// lessons use.
type Mentors interface {
	// MentorOf returns the profile id of p's current mentor; ok is false when p has none.
	MentorOf(ctx context.Context, p *flows.Profile) (pid string, ok bool)
}

// ReachAction is the action that asks a person from the programme to get in touch (flows/checkin registers it):
// args "coordinator <kind>" or "mentor <kind>".
const ReachAction = "reach"

// HumanButtons are the rows that offer a person from the programme: the mentor when there is one, a coordinator
// for members. Guests (no invite) get the numbers only: the programme's people are for its members.
func HumanButtons(c *flows.Ctx, mentors Mentors, kind string) [][]flows.Button {
	if !c.Profile.Member() {
		return nil
	}
	var rows [][]flows.Button
	if mentors != nil {
		if _, ok := mentors.MentorOf(c.Context(), c.Profile); ok {
			rows = append(rows, flows.Row(flows.ActionButton(c.T("safety.reach_mentor"), ReachAction, "mentor", kind)))
		}
	}
	return append(rows, flows.Row(flows.ActionButton(c.T("safety.reach_coordinator"), ReachAction, "coordinator", kind)))
}

// Safety is the hook and its actions.
type Safety struct {
	lex     *content.Lexicon
	lines   Helplines
	mentors Mentors
}

// New returns the safety path on lexicon lex.
func New(lex *content.Lexicon, lines Helplines, mentors Mentors) *Safety {
	return &Safety{lex: lex, lines: lines.WithDefaults(), mentors: mentors}
}

// Feature is the text hook and the "you misunderstood" action.
func (s *Safety) Feature() flows.Feature {
	return flows.Feature{
		Name:      "safety",
		TextHooks: []flows.TextHook{s.Hook},
		Actions:   []*flows.Action{{Name: "safety.ok", BeforeOnboarding: true, Run: s.misunderstood}},
	}
}

// Hook answers crisis wording in any free text and reports it handled.
//
// It handles the text fully (returns true) rather than passing it on to the current step: a step would answer
// "please tap a button" or read the words as an answer, right after someone said they want to die. The
// conversation underneath is kept as it was, paused, with a button to carry on when the person wants to.
func (s *Safety) Hook(c *flows.Ctx) bool {
	if !s.lex.Match(c.Event.Text) {
		return false
	}
	rows := HumanButtons(c, s.mentors, "crisis")
	rows = append(rows, flows.Row(flows.ActionButton(c.T("safety.misunderstood"), "safety.ok")))
	if r := flows.ResumeButton(c); r != nil {
		rows = append(rows, r)
	}
	text := c.T("safety.crisis", "Lines", s.lines.Lines(c))
	if c.Profile.Member() {
		text += "\n\n" + c.T("safety.offer")
	}
	c.Say(text, rows...)
	return true
}

// misunderstood is the "you misunderstood me" button. It never closes the topic silently: it thanks, keeps the
// numbers in view and offers a person again.
func (s *Safety) misunderstood(c *flows.Ctx) {
	rows := HumanButtons(c, s.mentors, "asked")
	if r := flows.ResumeButton(c); r != nil {
		rows = append(rows, r)
	}
	text := c.T("safety.sorry", "Lines", s.lines.Lines(c))
	if c.Profile.Member() {
		text += "\n\n" + c.T("safety.offer_again")
	}
	c.Say(text, rows...)
}
