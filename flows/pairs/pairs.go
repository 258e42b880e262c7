// Package pairs is how mentees and mentors come together: a mentee asks for a mentor (/mentor), a coordinator
// sees who is waiting with ranked suggestions and pairs them (/pair), both sides get an introduction, and after the
// first session both are asked whether the pairing fits — a mentee for whom it does not can ask for a new match
// without the mentor being told why. Either side can end a pairing and a mentor can pause (/mentoring). The
// inactive-pair sweep and the coordinators' Monday digest are built here and run by the periodic jobs.
//
// Each side keeps its own copy of a pair; changes reach the other side as Tasks (the mentee's turn decides a
// pairing, so two coordinators pairing one mentee at once cannot both succeed).
package pairs

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/m4pris/mentorbot/flows"
)

// Version of the pairing flows' steps and slots.
const Version = 1

// DefaultCapacity is how many mentees a mentor takes unless the programme or the mentor says otherwise.
const DefaultCapacity = 2

// Options configure the pairing flows.
type Options struct {
	// Directory finds coordinators, mentees and mentors. If it also has Profiles(ctx, ids) (bot/redis.Store
	// does), the coordinator's list reads all profiles in one round trip.
	Directory flows.Directory
	// Capacity is the programme's default of mentees per mentor. Zero means DefaultCapacity.
	Capacity int
}

// batchDirectory is the optional one-round-trip profile read.
type batchDirectory interface {
	Profiles(ctx context.Context, ids []string) ([]*flows.Profile, error)
}

// Feature is the pairing flows, their actions and jobs, and the eraser that ends a forgotten user's pairs.
func Feature(o Options) flows.Feature {
	if o.Capacity <= 0 {
		o.Capacity = DefaultCapacity
	}
	p := &pairing{dir: o.Directory, capacity: o.Capacity}
	return flows.Feature{
		Name:    "pairs",
		Flows:   []*flows.Flow{p.mentorFlow(), p.mentoringFlow(), p.pairFlow()},
		Actions: p.actions(),
		Jobs:    p.jobs(),
		Erasers: []flows.Eraser{forget},
	}
}

// forget ends a forgotten user's pairs: the other side is told, their reminders are cancelled.
func forget(c *flows.Ctx) error {
	c.Unschedule(ForgetCancels(c.Profile)...)
	c.Schedule(ForgetTasks(c.Profile)...)
	return nil
}

type pairing struct {
	dir      flows.Directory
	capacity int
}

// profiles reads the profiles of ids, in one round trip when the directory can.
func (p *pairing) profiles(ctx context.Context, ids []string) ([]*flows.Profile, error) {
	if b, ok := p.dir.(batchDirectory); ok {
		return b.Profiles(ctx, ids)
	}
	out := make([]*flows.Profile, 0, len(ids))
	for _, id := range ids {
		pr, err := p.dir.Profile(ctx, id)
		if err != nil {
			return nil, err
		}
		if pr != nil {
			out = append(out, pr)
		}
	}
	return out, nil
}

// capOf is a mentor's capacity.
func (p *pairing) capOf(m *flows.Profile) int {
	if m.Mentoring.Capacity > 0 {
		return m.Mentoring.Capacity
	}
	return p.capacity
}

// who is a name to show, with a fallback text when none was given.
func who(c *flows.Ctx, name, fallback string) string {
	if name == "" {
		return c.T(fallback)
	}
	return name
}

// args are the arguments of a pressed global button.
func args(c *flows.Ctx) []string { return strings.Fields(c.Event.Args) }

// short limits free text kept for matching.
func short(s string, n int) (string, bool) {
	s = strings.Join(strings.Fields(s), " ")
	return s, s != "" && utf8.RuneCountInString(s) <= n
}

// pairArgs are the arguments of the pairing jobs (see each job's comment for the fields it reads). Names are first
// names for the notices; ids are profile ids.
type pairArgs struct {
	Pair        string `json:"pair,omitempty"`
	Mentee      string `json:"mentee,omitempty"`
	Mentor      string `json:"mentor,omitempty"`
	Coordinator string `json:"coordinator,omitempty"`
	MenteeName  string `json:"mentee_name,omitempty"`
	MentorName  string `json:"mentor_name,omitempty"`
	// Outcome: "ok" or "gone" (jobDone), "ended" or "rematch" (jobEndedNote).
	Outcome string `json:"outcome,omitempty"`
	// Until is the end of a mentor's pause (Unix seconds), 0 when they are back (jobPaused).
	Until int64 `json:"until,omitempty"`
	// Weeks without contact (jobInactive, jobInactiveAlert).
	Weeks int `json:"weeks,omitempty"`
}

// noticeArgs are jobSay's: a pair notice (a UI string id) about Name, held back by quiet hours.
type noticeArgs struct {
	Key   string `json:"key"`
	Name  string `json:"name,omitempty"`
	Until int64  `json:"until,omitempty"` // the end of a pause, for pair.paused_notice
}

// notice says a message about a pair now, or at the end of the user's quiet hours: the change it reports is
// already applied.
func notice(c *flows.Ctx, a noticeArgs) {
	t := c.Profile.QuietEnd(c.Now)
	if !t.After(c.Now) {
		sayNotice(c, a)
		return
	}
	id := "pair.say:" + c.Profile.ID + ":" + a.Key + ":" + flows.ShortID(a.Key, a.Name, strconv.FormatInt(a.Until, 10), c.Event.ID)
	c.Schedule(flows.NewTask(id, c.Profile.ID, jobSay, a).Due(t))
}

// Mentors finds a mentee's current mentor from their own profile (lessons.Mentors, for sharing from lessons).
type Mentors struct{}

// MentorOf returns the mentor of p's pair, if p is a mentee with one.
func (Mentors) MentorOf(_ context.Context, p *flows.Profile) (string, bool) {
	for _, x := range p.Mentoring.Pairs {
		if x.Mentee == p.ID {
			return x.Mentor, true
		}
	}
	return "", false
}
