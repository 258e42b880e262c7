package pairs

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// How many waiting mentees and suggestions /pair shows.
const (
	maxListed      = 10
	maxSuggestions = 5
)

// Suggestion is one mentor ranked for a mentee.
type Suggestion struct {
	Mentor   *flows.Profile
	Score    int
	SameLang bool
	SameSite bool
	Load     int // current mentees
	Capacity int
}

// Rank orders the mentors with a free place for mentee, best first: shared language counts most, then the same
// site (prison), then spare places. Never suggested: a mentor on pause or full, someone the mentee asked not to be
// paired with (their own supervisor, an earlier mentor that did not fit), or someone from the mentee's own unit
// when the mentee asked for another unit.
func Rank(mentee *flows.Profile, mentors []*flows.Profile, now time.Time, capOf func(*flows.Profile) int) []Suggestion {
	me := &mentee.Mentoring
	var out []Suggestion
	for _, m := range mentors {
		mm := &m.Mentoring
		load, capacity := len(mentorPairs(m)), capOf(m)
		switch {
		case m.ID == mentee.ID, !m.Has(flows.Mentor), mm.PausedUntil.After(now), load >= capacity, avoided(mentee, m):
			continue
		case me.OtherUnit && me.Unit != "" && sameText(me.Unit, mm.Unit) && sameText(me.Site, mm.Site):
			continue
		}
		s := Suggestion{Mentor: m, Load: load, Capacity: capacity, SameLang: m.Lang == mentee.Lang,
			SameSite: me.Site != "" && sameText(me.Site, mm.Site)}
		if s.SameLang {
			s.Score += 4
		}
		if s.SameSite {
			s.Score += 2
		}
		s.Score += capacity - load
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		if out[i].Load != out[j].Load {
			return out[i].Load < out[j].Load
		}
		return out[i].Mentor.ID < out[j].Mentor.ID
	})
	return out
}

func sameText(a, b string) bool {
	return a != "" && strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// mentorPairs are the pairs in which p is the mentor.
func mentorPairs(p *flows.Profile) []flows.Pair {
	var out []flows.Pair
	for _, x := range p.Mentoring.Pairs {
		if x.Mentor == p.ID {
			out = append(out, x)
		}
	}
	return out
}

// pairFlow is /pair for coordinators: waiting mentees, ranked mentors for one, and pairing them.
func (p *pairing) pairFlow() *flows.Flow {
	return &flows.Flow{
		Name: "pair", Version: Version, First: "list", Commands: []string{"pair"},
		Menu: "menu.pair", MenuOrder: 62,
		Allow: func(pr *flows.Profile) bool { return pr.Has(flows.Coordinator) },
		Steps: map[string]flows.Step{
			"list":    {Ask: p.askList, Choose: p.answerList},
			"suggest": {Ask: p.askSuggest, Choose: p.answerSuggest},
			"confirm": {Ask: p.askConfirm, Choose: p.answerConfirm},
		},
	}
}

// people reads every mentee and mentor.
func (p *pairing) people(c *flows.Ctx) (mentees, mentors []*flows.Profile, err error) {
	var ids []string
	for _, r := range []flows.Role{flows.Mentee, flows.Mentor} {
		x, err := p.dir.WithRole(c.Context(), r)
		if err != nil {
			return nil, nil, err
		}
		ids = append(ids, x...)
	}
	slices.Sort(ids)
	all, err := p.profiles(c.Context(), slices.Compact(ids))
	if err != nil {
		return nil, nil, err
	}
	for _, pr := range all {
		if pr.Has(flows.Mentee) && !pr.Mentoring.Waiting.IsZero() && len(pr.Mentoring.Pairs) == 0 {
			mentees = append(mentees, pr)
		}
		if pr.Has(flows.Mentor) {
			mentors = append(mentors, pr)
		}
	}
	sort.SliceStable(mentees, func(i, j int) bool { return mentees[i].Mentoring.Waiting.Before(mentees[j].Mentoring.Waiting) })
	return mentees, mentors, nil
}

func (p *pairing) askList(c *flows.Ctx) error {
	mentees, mentors, err := p.people(c)
	if err != nil {
		return fmt.Errorf("read mentees and mentors: %w", err)
	}
	free := 0
	for _, m := range mentors {
		if !m.Mentoring.PausedUntil.After(c.Now) && len(mentorPairs(m)) < p.capOf(m) {
			free++
		}
	}
	if len(mentees) == 0 {
		c.Say(c.T("pair.nobody_waiting", "Free", free))
		c.Done()
		return nil
	}
	var rows [][]flows.Button
	for _, m := range mentees[:min(len(mentees), maxListed)] {
		days := int(c.Now.Sub(m.Mentoring.Waiting) / (24 * time.Hour))
		rows = append(rows, flows.Row(flows.Choice(clip(who(c, m.Name, "pair.someone"), 12)+" · "+c.N("pair.days_short", days), m.ID)))
	}
	c.Ask(c.T("pair.list", "Waiting", len(mentees), "Free", free), rows...)
	return nil
}

func (p *pairing) answerList(c *flows.Ctx, v string) error {
	c.SetSlot("mentee", v)
	c.Goto("suggest")
	return nil
}

func (p *pairing) askSuggest(c *flows.Ctx) error {
	mentees, mentors, err := p.people(c)
	if err != nil {
		return fmt.Errorf("read mentees and mentors: %w", err)
	}
	i := slices.IndexFunc(mentees, func(m *flows.Profile) bool { return m.ID == c.Slot("mentee") })
	if i < 0 {
		c.Say(c.T("pair.not_waiting"))
		c.Goto("list")
		return nil
	}
	mentee := mentees[i]
	sugg := Rank(mentee, mentors, c.Now, p.capOf)
	var lines []string
	var rows [][]flows.Button
	for n, s := range sugg[:min(len(sugg), maxSuggestions)] {
		var why []string
		why = append(why, c.T("lang."+s.Mentor.Lang))
		if s.SameSite {
			why = append(why, c.T("pair.same_site"))
		}
		why = append(why, c.T("pair.load", "Load", s.Load, "Cap", s.Capacity))
		name := who(c, s.Mentor.Name, "pair.someone")
		lines = append(lines, fmt.Sprintf("%d. %s — %s", n+1, name, strings.Join(why, ", ")))
		rows = append(rows, flows.Row(flows.Choice(strconv.Itoa(n+1)+". "+clip(name, 20), s.Mentor.ID)))
	}
	rows = append(rows, flows.Row(flows.Choice(c.T("pair.back"), "back")))
	about := c.T("pair.about", "Name", who(c, mentee.Name, "pair.someone"), "Lang", c.T("lang."+mentee.Lang),
		"Site", dash(mentee.Mentoring.Site), "Unit", dash(mentee.Mentoring.Unit))
	if len(lines) == 0 {
		c.Ask(about+"\n\n"+c.T("pair.no_match"), rows...)
		return nil
	}
	c.Ask(about+"\n\n"+c.T("pair.suggestions")+"\n"+strings.Join(lines, "\n"), rows...)
	return nil
}

func (p *pairing) answerSuggest(c *flows.Ctx, v string) error {
	switch {
	case v == "back":
		c.Goto("list")
	default:
		c.SetSlot("mentor", v)
		c.Goto("confirm")
	}
	return nil
}

func (p *pairing) askConfirm(c *flows.Ctx) error {
	mentee, mentor, err := p.pairProfiles(c)
	if err != nil {
		return err
	}
	if mentee == nil || mentor == nil {
		c.Say(c.T("pair.not_waiting"))
		c.Goto("list")
		return nil
	}
	c.Ask(c.T("pair.confirm", "Mentee", who(c, mentee.Name, "pair.someone"), "Mentor", who(c, mentor.Name, "pair.someone")),
		flows.Row(flows.Choice(c.T("pair.confirm_yes"), "yes"), flows.Choice(c.T("pair.back"), "back")))
	return nil
}

func (p *pairing) pairProfiles(c *flows.Ctx) (mentee, mentor *flows.Profile, err error) {
	ps, err := p.profiles(c.Context(), []string{c.Slot("mentee"), c.Slot("mentor")})
	if err != nil {
		return nil, nil, fmt.Errorf("read mentee and mentor: %w", err)
	}
	for _, x := range ps {
		switch {
		case x.ID == c.Slot("mentee") && !x.Mentoring.Waiting.IsZero() && len(x.Mentoring.Pairs) == 0:
			mentee = x
		case x.ID == c.Slot("mentor") && x.Has(flows.Mentor):
			mentor = x
		}
	}
	return mentee, mentor, nil
}

func (p *pairing) answerConfirm(c *flows.Ctx, v string) error {
	switch v {
	case "back":
		c.Goto("suggest")
		return nil
	case "yes":
	default:
		c.ReaskButtons()
		return nil
	}
	mentee, mentor, err := p.pairProfiles(c)
	if err != nil {
		return err
	}
	if mentee == nil || mentor == nil {
		c.Say(c.T("pair.not_waiting"))
		c.Goto("list")
		return nil
	}
	// The mentee's turn decides: if they are still waiting it makes the pair and tells the mentor and this
	// coordinator; otherwise this coordinator hears it did not happen.
	pid := flows.ShortID(mentee.ID, mentor.ID, strconv.FormatInt(c.Now.Unix(), 10))
	offer := pairArgs{Pair: pid, Mentor: mentor.ID, Coordinator: c.Profile.ID, MentorName: mentor.Name}
	c.Schedule(flows.NewTask("pair.offer:"+pid, mentee.ID, jobOffer, offer))
	c.Say(c.T("pair.sent", "Mentee", who(c, mentee.Name, "pair.someone"), "Mentor", who(c, mentor.Name, "pair.someone")))
	c.Done()
	return nil
}
