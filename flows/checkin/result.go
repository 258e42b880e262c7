package checkin

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/safety"
)

// trendLen is how many results the sparkline shows.
const trendLen = 8

// highAt is the score from which a result counts as heavy: the suggestions and the offer of a person follow it.
const highAt = 50

// submit scores the answers, shows the result, keeps it only with consent, counts it in the anonymous totals, and
// asks about a coordinator when the instrument's alert rules say the check-ins are worrying.
func (m *Module) submit(c *flows.Ctx) error {
	in, items := m.current(c)
	a, readable := m.answers(c)
	if in == nil || !readable {
		m.lost(c)
		return nil
	}
	p := c.Profile
	lang := c.Lang()
	score, _, ok := Score(in, items, a)
	markDone(p, in, c)
	if !ok {
		c.Say(c.T("checkin.too_few", "Min", in.Scoring.MinAnswered))
		c.Done()
		return nil
	}
	shown := int(math.Round(score))
	c.Say(c.T("checkin.result", "Name", in.Name.In(lang), "Score", shown, "Band", in.Band(shown).Text.In(lang)))

	// Earlier results exist only for people who keep their scores; without them the rules that compare with
	// earlier check-ins cannot fire, and nothing is written.
	var prev []float64
	kept := false
	switch {
	case !p.Consents.KeepScores.Given:
		c.Say(c.T("checkin.not_kept"))
	case m.d.Sealer == nil:
		c.Say(c.T("checkin.cannot_keep"))
	default:
		h, err := OpenHistory(m.d.Sealer, p)
		if err != nil {
			// Overwriting would destroy results that a restored key could still open.
			c.Say(c.T("checkin.cannot_keep"))
			break
		}
		prev = h.Scores(in.ID)
		h = append(h, Entry{At: c.Now, Inst: in.ID, Score: score}).Purge(c.Now.Add(-m.d.Retention))
		if err := SealHistory(m.d.Sealer, p, h); err != nil {
			c.Say(c.T("checkin.cannot_keep"))
			break
		}
		kept = true
		c.Say(trendText(c, append(prev, score)))
	}
	if err := m.count(c, in, score, kept); err != nil {
		return err
	}

	worrying := Worrying(in, items, a, score, prev)
	switch {
	case worrying && p.Consents.AlertCoordinator.Given && !m.alertOpen(c):
		c.Goto("confirm")
		return nil
	case worrying || shown >= highAt:
		m.support(c)
	}
	c.Done()
	return nil
}

func markDone(p *flows.Profile, in *content.Instrument, c *flows.Ctx) {
	if p.Checkins.Done == nil {
		p.Checkins.Done = map[string]time.Time{}
	}
	p.Checkins.Done[in.ID] = c.Now
	p.Checkins.Last = c.Now
}

// trendText is the sparkline of the latest results and a word on the last change.
func trendText(c *flows.Ctx, scores []float64) string {
	if len(scores) < 2 {
		return c.T("checkin.trend_first")
	}
	if len(scores) > trendLen {
		scores = scores[len(scores)-trendLen:]
	}
	diff := scores[len(scores)-1] - scores[len(scores)-2]
	words := c.T("checkin.trend_same")
	switch {
	case diff >= 5:
		words = c.T("checkin.trend_up")
	case diff <= -5:
		words = c.T("checkin.trend_down")
	}
	return c.T("checkin.trend", "Spark", Sparkline(scores), "Words", words)
}

// support follows a heavy result: a lesson that may help, and a person to talk to.
func (m *Module) support(c *flows.Ctx) {
	// The lesson button opens the lessons flow (flows/lessons: "m B" lists module B, "l <id>" opens a lesson).
	key, lesson := "checkin.support", flows.ActionButton(c.T("checkin.btn_lesson"), "lessons", "m", "B")
	if c.Profile.Has(flows.Mentor) {
		key, lesson = "checkin.support_mentor", flows.ActionButton(c.T("checkin.btn_lesson"), "lessons", "l", "d5-looking-after-the-mentor")
	}
	rows := append([][]flows.Button{{lesson}}, safety.HumanButtons(c, m.d.Mentors, KindAsked)...)
	c.Say(c.T(key), rows...)
}

// count adds the check-in to the anonymous totals once per person, instrument and period: participation for
// everyone, the score only for those who keep their scores (no score of anyone else reaches the store).
func (m *Module) count(c *flows.Ctx, in *content.Instrument, score float64, scored bool) error {
	p := c.Profile
	period := Period(in.Cadence, c.Now)
	if p.Checkins.Counted[in.ID] == period {
		return nil
	}
	// A failure fails the submission: nothing is saved, the person is told to try again, and the answers are
	// still there when they do. A retry after a revision conflict could count twice: rare (two replicas, one
	// person, the same moment) and only a total.
	if err := m.d.Store.AddTally(c.Context(), period, in.ID, m.d.Group(p), score, scored); err != nil {
		return fmt.Errorf("count check-in: %w", err)
	}
	if p.Checkins.Counted == nil {
		p.Checkins.Counted = map[string]string{}
	}
	p.Checkins.Counted[in.ID] = period
	return nil
}

// Period names the totals bucket of a check-in: the ISO week for weekly instruments ("2026-W48"), the month for
// monthly ones ("2026-11"), in UTC so every replica and time zone agree.
func Period(cadence string, t time.Time) string {
	t = t.UTC()
	if cadence == "monthly" {
		return t.Format("2006-01")
	}
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// showTrend shows the kept results of every instrument.
func (m *Module) showTrend(c *flows.Ctx) {
	p := c.Profile
	if !p.Consents.KeepScores.Given {
		c.Say(c.T("checkin.trend_off"))
		return
	}
	h, err := OpenHistory(m.d.Sealer, p)
	if err != nil {
		c.Say(c.T("checkin.cannot_read"))
		return
	}
	out := ""
	for _, in := range m.instrumentsFor(p) {
		s := h.Scores(in.ID)
		if len(s) == 0 {
			continue
		}
		if len(s) > trendLen {
			s = s[len(s)-trendLen:]
		}
		out += "\n" + c.T("checkin.trend_line", "Name", in.Name.In(c.Lang()), "Spark", Sparkline(s),
			"Score", strconv.Itoa(int(math.Round(s[len(s)-1]))))
	}
	if out == "" {
		c.Say(c.T("checkin.trend_none"))
		return
	}
	c.Say(c.T("checkin.trend_view") + "\n" + out)
}
