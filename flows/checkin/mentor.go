package checkin

// "Ask my mentor": the request the person sends from the safety path or a check-in, delivered in the mentor's turn.

import (
	"fmt"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/safety"
)

// tellMentor asks the person's mentor to get in touch (their mentee asked; nothing about check-ins is shared).
func (m *Module) tellMentor(c *flows.Ctx, kind string, rows [][]flows.Button) error {
	var pid string
	ok := false
	if m.d.Mentors != nil {
		pid, ok = m.d.Mentors.MentorOf(c.Context(), c.Profile)
	}
	if !ok {
		c.Say(c.T("reach.no_mentor"), append(safety.HumanButtons(c, nil, kind), rows...)...)
		return nil
	}
	at, name := c.Now, ""
	mp, err := m.d.Directory.Profile(c.Context(), pid)
	if err != nil {
		return fmt.Errorf("get mentor: %w", err)
	}
	if mp != nil {
		name = mp.Name
		if kind != KindCrisis {
			at = afterQuiet(mp, c.Now)
		}
	}
	id := "mentor:" + c.Profile.ID + ":" + c.Now.UTC().Format("2006-01-02") + ":" + kind
	c.Schedule(flows.NewTask(id, pid, JobMentor, mentorArgs{Mentee: c.Profile.ID, Kind: kind}).Due(at))
	c.Say(c.T("reach.mentor_sent", "Name", name), rows...)
	return nil
}

// mentorArgs are JobMentor's: the mentee who asked, and the kind of request (KindAsked, KindCrisis).
type mentorArgs struct {
	Mentee string `json:"mentee"`
	Kind   string `json:"kind"`
}

// deliverMentor runs in the mentor's turn.
func (m *Module) deliverMentor(c *flows.Ctx) error {
	var args mentorArgs
	if err := c.Args(&args); err != nil {
		return err
	}
	kind := args.Kind
	sp, err := m.d.Directory.Profile(c.Context(), args.Mentee)
	if err != nil {
		return fmt.Errorf("get mentee: %w", err)
	}
	if sp == nil {
		return nil // erased meanwhile
	}
	// Only while they are still a pair.
	if m.d.Mentors != nil {
		if pid, ok := m.d.Mentors.MentorOf(c.Context(), sp); !ok || pid != c.Profile.ID {
			return nil
		}
	}
	key := "mentor.asked"
	if kind == KindCrisis {
		key = "mentor.crisis"
	}
	name := sp.Name
	if name == "" {
		name = c.T("alert.noname")
	}
	c.Say(c.T(key, "Name", name))
	return nil
}
