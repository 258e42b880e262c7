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
	"strings"
	"time"
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

// name is a person's first name for others, or "-" in task arguments when they gave none.
func argName(pr *flows.Profile) string {
	if pr.Name == "" || strings.ContainsAny(pr.Name, " \t") {
		return "-"
	}
	return pr.Name
}

func fromArg(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

// who is a name to show, with a fallback text when none was given.
func who(c *flows.Ctx, name, fallback string) string {
	if name == "" {
		return c.T(fallback)
	}
	return name
}

func args(c *flows.Ctx) []string { return strings.Fields(c.Event.Args) }

// short limits free text kept for matching.
func short(s string, n int) (string, bool) {
	s = strings.Join(strings.Fields(s), " ")
	return s, s != "" && utf8.RuneCountInString(s) <= n
}

// notice says a message about a pair now, or at the end of the user's quiet hours: the change it reports is
// already applied. key is a UI string with .Name (and .When for pauses).
func notice(c *flows.Ctx, key, name string, extra ...string) {
	t := c.Now.In(c.Profile.Location())
	if !c.Profile.Quiet.Contains(t.Hour()*60 + t.Minute()) {
		sayNotice(c, key, name, extra)
		return
	}
	for i := 0; i < 24*60 && c.Profile.Quiet.Contains(t.Hour()*60+t.Minute()); i++ {
		t = t.Truncate(time.Minute).Add(time.Minute)
	}
	if name == "" {
		name = "-"
	}
	a := strings.Join(append([]string{key, name}, extra...), " ")
	c.Schedule(flows.Task{ID: "pair.say:" + c.Profile.ID + ":" + key + ":" + flows.ShortID(a, c.Event.ID), Profile: c.Profile.ID, Job: jobSay, Args: a, At: t})
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
