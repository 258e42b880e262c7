package pairs

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// Limits on what a mentee types for matching.
const (
	maxPlace = 40 // site, unit
	maxAvoid = 5  // names
)

// slotBack marks steps entered from /mentoring: after them the user returns to its menu.
const slotBack = "back"

// mentorFlow is /mentor: a mentee asks for a mentor, giving (optionally) site, unit and anyone to avoid.
func (p *pairing) mentorFlow() *flows.Flow {
	return &flows.Flow{
		Name: "mentor", Version: Version, First: "site", Commands: []string{"mentor"},
		Menu: "menu.mentor", MenuOrder: 15,
		Allow: func(pr *flows.Profile) bool { return pr.Has(flows.Mentee) },
		Start: func(c *flows.Ctx) error {
			m := &c.Profile.Mentoring
			switch {
			case len(m.Pairs) > 0:
				c.Say(c.T("pair.have", "Name", who(c, m.Pairs[0].OtherName, "pair.your_mentor")),
					flows.Row(flows.ActionButton(c.T("pair.plan_btn"), "session")))
				c.Done()
			case !m.Waiting.IsZero():
				c.Goto("waiting")
			}
			return nil
		},
		Steps: p.placeSteps(map[string]flows.Step{
			"waiting": {Ask: askWaiting, Choose: answerWaiting},
			"avoid":   {Ask: askAvoid, Answer: p.answerAvoid},
		}),
	}
}

// placeSteps adds the site and unit steps shared by /mentor and /mentoring.
func (p *pairing) placeSteps(steps map[string]flows.Step) map[string]flows.Step {
	steps["site"] = flows.Step{Ask: askSite, Answer: answerSite}
	steps["unit"] = flows.Step{Ask: askUnit, Answer: answerUnit}
	steps["other_unit"] = flows.Step{Ask: askOtherUnit, Choose: answerOtherUnit}
	return steps
}

func skipRow(c *flows.Ctx) []flows.Button {
	return flows.Row(flows.Choice(c.T("pair.skip"), "skip"))
}

// askPlace asks for a place (site or unit, key the question's UI string), offering to keep the current one.
func askPlace(c *flows.Ctx, key, cur string) error {
	rows := [][]flows.Button{skipRow(c)}
	if cur != "" {
		rows = [][]flows.Button{flows.Row(flows.Choice(c.T("pair.keep", "Value", clip(cur, 14)), "keep"), flows.Choice(c.T("pair.skip"), "skip"))}
	}
	c.Ask(c.T(key, "Max", maxPlace), rows...)
	return nil
}

// readPlace sets *place from the answer: typed text, "skip" (none) or "keep"; false when the text is too long
// (and the question is asked again).
func readPlace(c *flows.Ctx, place *string) bool {
	if v, ok := c.Choice(); ok {
		if v == "skip" {
			*place = ""
		}
		return true
	}
	s, ok := short(c.Text(), maxPlace)
	if !ok {
		c.Reask(c.T("pair.too_long", "Max", maxPlace))
		return false
	}
	*place = s
	return true
}

func askSite(c *flows.Ctx) error { return askPlace(c, "pair.site_ask", c.Profile.Mentoring.Site) }

func answerSite(c *flows.Ctx) error {
	if readPlace(c, &c.Profile.Mentoring.Site) {
		c.Goto("unit")
	}
	return nil
}

func askUnit(c *flows.Ctx) error { return askPlace(c, "pair.unit_ask", c.Profile.Mentoring.Unit) }

func answerUnit(c *flows.Ctx) error {
	m := &c.Profile.Mentoring
	if !readPlace(c, &m.Unit) {
		return nil
	}
	switch {
	case m.Unit != "" && c.Profile.Has(flows.Mentee):
		c.Goto("other_unit")
	case c.Slot(slotBack) != "":
		c.Say(c.T("settings.saved"))
		c.Goto("menu")
	default:
		c.Goto("avoid")
	}
	return nil
}

func askOtherUnit(c *flows.Ctx) error {
	c.Ask(c.T("pair.other_unit_ask"), flows.Row(
		flows.Choice(c.T("pair.other_unit_yes"), "yes"), flows.Choice(c.T("pair.other_unit_no"), "no")))
	return nil
}

func answerOtherUnit(c *flows.Ctx, v string) error {
	c.Profile.Mentoring.OtherUnit = v == "yes"
	if c.Slot(slotBack) != "" {
		c.Say(c.T("settings.saved"))
		c.Goto("menu")
		return nil
	}
	c.Goto("avoid")
	return nil
}

func askAvoid(c *flows.Ctx) error {
	c.Ask(c.T("pair.avoid_ask", "Max", maxAvoid), flows.Row(flows.Choice(c.T("pair.avoid_none"), "none")))
	return nil
}

func (p *pairing) answerAvoid(c *flows.Ctx) error {
	m := &c.Profile.Mentoring
	if _, ok := c.Choice(); ok {
		m.Avoid = nil
	} else {
		var names []string
		for _, n := range strings.FieldsFunc(c.Text(), func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
			if s, ok := short(n, 32); ok {
				names = append(names, strings.ToLower(s))
			}
		}
		if len(names) == 0 || len(names) > maxAvoid {
			c.Reask(c.T("pair.avoid_bad", "Max", maxAvoid))
			return nil
		}
		m.Avoid = names
	}
	if !m.Waiting.IsZero() {
		c.Say(c.T("pair.listed_again"))
		c.Done()
		return nil
	}
	m.Waiting = c.Now
	// Tell the coordinators someone is waiting (the directory read is the one extra round trip here; without it
	// the mentee is still listed in /pair).
	ids, err := p.dir.WithRole(c.Context(), flows.Coordinator)
	if err != nil {
		return fmt.Errorf("list coordinators: %w", err)
	}
	for _, id := range ids {
		if id != c.Profile.ID {
			tid := "pair.waiting:" + c.Profile.ID + ":" + id + ":" + strconv.FormatInt(c.Now.Unix(), 10)
			c.Schedule(flows.NewTask(tid, id, jobWaiting, pairArgs{MenteeName: c.Profile.Name}))
		}
	}
	c.Say(c.T("pair.listed"))
	c.Done()
	return nil
}

func askWaiting(c *flows.Ctx) error {
	days := int(c.Now.Sub(c.Profile.Mentoring.Waiting) / (24 * time.Hour))
	c.Ask(c.N("pair.waiting", days), flows.Row(
		flows.Choice(c.T("pair.waiting_change"), "change"), flows.Choice(c.T("pair.waiting_stop"), "stop")),
		flows.Row(flows.Choice(c.T("pair.waiting_keep"), "keep")))
	return nil
}

func answerWaiting(c *flows.Ctx, v string) error {
	switch v {
	case "change":
		c.Goto("site")
	case "stop":
		c.Profile.Mentoring.Waiting = time.Time{}
		c.Say(c.T("pair.waiting_stopped"))
		c.Done()
	case "keep":
		c.Say(c.T("pair.waiting_kept"))
		c.Done()
	default:
		c.ReaskButtons()
	}
	return nil
}

// avoided reports whether the mentee asked not to be paired with mentor.
func avoided(mentee, mentor *flows.Profile) bool {
	if slices.Contains(mentee.Mentoring.AvoidIDs, mentor.ID) {
		return true
	}
	return mentor.Name != "" && slices.Contains(mentee.Mentoring.Avoid, strings.ToLower(mentor.Name))
}

// clip shortens s to n runes for a button label (labels stay within 24 characters).
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
