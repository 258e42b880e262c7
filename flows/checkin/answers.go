package checkin

// The open check-in's state: the instrument, the question the person is at, and the answers so far, sealed in a
// slot like kept results.

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
)

// current returns the open check-in's instrument and the items the person is asked.
func (m *Module) current(c *flows.Ctx) (*content.Instrument, []content.Item) {
	in := m.d.Instruments.Get(c.Slot(slotInst))
	if in == nil {
		return nil, nil
	}
	return in, ItemsFor(in, c.Profile)
}

// item is the open check-in's instrument, its items and the index of the current one; ok is false (and the
// check-in ends with an apology) when this build cannot continue it.
func (m *Module) item(c *flows.Ctx) (in *content.Instrument, items []content.Item, i int, ok bool) {
	in, items = m.current(c)
	if in == nil || len(items) == 0 {
		m.lost(c)
		return nil, nil, 0, false
	}
	return in, items, m.index(c, len(items)), true
}

// lost ends a check-in this build cannot continue (an instrument removed, answers sealed with a key since
// dropped) with an apology rather than a wrong result.
func (m *Module) lost(c *flows.Ctx) {
	c.Say(c.T("checkin.lost"))
	c.Done()
}

func (m *Module) answersOwner(c *flows.Ctx) string { return c.Profile.ID + "/answers" }

// answers opens the answers given so far; ok is false when they cannot be read.
func (m *Module) answers(c *flows.Ctx) (Answers, bool) {
	a := Answers{}
	s := c.Slot(slotAnswers)
	if s == "" {
		return a, true
	}
	plain, err := m.ans.Open(m.answersOwner(c), s)
	if err != nil || json.Unmarshal(plain, &a) != nil {
		return nil, false
	}
	return a, true
}

func (m *Module) setAnswers(c *flows.Ctx, a Answers) bool {
	plain, _ := json.Marshal(a)
	s, err := m.ans.Seal(m.answersOwner(c), plain)
	if err != nil {
		return false
	}
	c.SetSlot(slotAnswers, s)
	return true
}

func (m *Module) index(c *flows.Ctx, n int) int {
	i, err := strconv.Atoi(c.Slot(slotIdx))
	if err != nil || i < 0 || i >= n {
		return 0
	}
	return i
}

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0
	}
	return n
}
