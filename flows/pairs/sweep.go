package pairs

import (
	"strconv"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// Inactivity thresholds: a nudge to both sides, then a word to the coordinator who paired them.
const (
	InactiveNudge = 3 * 7 * 24 * time.Hour
	InactiveAlert = 5 * 7 * 24 * time.Hour
)

// Inactive is the inactive-pair sweep for one profile (run daily for every user by the periodic jobs). It looks at
// the mentee's copy of each pair, so each pair is seen once. A pair with a session coming up, or whose mentor is on
// pause, is left alone. Task ids carry the time of the last contact, so each quiet spell nudges once and alerts once.
func Inactive(p *flows.Profile, now time.Time) []flows.Task {
	var out []flows.Task
	m := &p.Mentoring
	for _, x := range m.Pairs {
		if x.Mentee != p.ID || x.OtherPausedUntil.After(now) {
			continue
		}
		if upcoming(m, x.ID, now) {
			continue
		}
		last := x.Since
		if x.LastSession.After(last) {
			last = x.LastSession
		}
		quiet := now.Sub(last)
		stamp := strconv.FormatInt(last.Unix(), 10)
		weeks := strconv.Itoa(int(quiet / (7 * 24 * time.Hour)))
		if quiet >= InactiveNudge {
			for _, pid := range []string{x.Mentee, x.Mentor} {
				out = append(out, flows.Task{ID: "inactive:" + x.ID + ":" + pid + ":" + stamp, Profile: pid, Job: jobInactive, Args: x.ID + " " + weeks})
			}
		}
		if quiet >= InactiveAlert && x.Coordinator != "" {
			out = append(out, flows.Task{ID: "inactive.alert:" + x.ID + ":" + stamp, Profile: x.Coordinator, Job: jobInactiveAlert,
				Args: x.ID + " " + weeks + " " + argName(p) + " " + nameArg(x.OtherName)})
		}
	}
	return out
}

func upcoming(m *flows.MentoringData, pair string, now time.Time) bool {
	for _, s := range m.Sessions {
		if s.Pair == pair && s.Status == flows.SessionConfirmed && s.At.After(now) {
			return true
		}
	}
	return false
}

// ForgetTasks are what a user's erasure means for others: each partner learns the pairing ended (and their copy
// and sessions go), and each coordinator who paired them is told. (Group sessions they hosted are flows/sessions'.)
func ForgetTasks(p *flows.Profile) []flows.Task {
	var out []flows.Task
	for _, x := range p.Mentoring.Pairs {
		other := x.Other(p.ID)
		out = append(out, flows.Task{ID: "pair.ended:" + x.ID + ":" + other, Profile: other, Job: jobEnded, Args: x.ID})
		if x.Coordinator != "" {
			mentee, mentor := "-", nameArg(x.OtherName)
			if x.Mentor == p.ID {
				mentee, mentor = mentor, "-"
			}
			out = append(out, flows.Task{ID: "pair.note:" + x.ID + ":forget", Profile: x.Coordinator, Job: jobEndedNote,
				Args: x.ID + " ended " + mentee + " " + mentor})
		}
	}
	return out
}

// ForgetCancels are the ids of the erased user's own queued reminders and follow-ups.
func ForgetCancels(p *flows.Profile) []string {
	var ids []string
	for _, s := range p.Mentoring.Sessions {
		ids = append(ids, flows.AfterTaskID(s.ID, p.ID))
		for _, r := range s.Reminders {
			ids = append(ids, flows.ReminderTaskID(s.ID, p.ID, r))
		}
	}
	for _, g := range p.Mentoring.Groups {
		for _, r := range g.Reminders {
			ids = append(ids, flows.ReminderTaskID(g.ID, p.ID, r))
		}
	}
	return ids
}

// MinGroup is the smallest group an average is shown for (k-anonymity): below it only counts are given.
const MinGroup = 5

// Digest adds up the programme's week for the coordinators' Monday digest: counts only, and the average session
// rating only over at least MinGroup ratings. No name and no individual answer is in it.
type Digest struct {
	tick   time.Time
	coords []*flows.Profile

	members, mentees, mentors, waiting int
	pairs, active                      int
	held                               map[string]bool
	ratings, ratingSum                 int
	lessons, checkins                  int
}

// NewDigest starts a digest for the week before tick.
func NewDigest(tick time.Time) *Digest { return &Digest{tick: tick, held: map[string]bool{}} }

// Add counts one profile.
func (d *Digest) Add(p *flows.Profile) {
	if p.Has(flows.Coordinator) {
		d.coords = append(d.coords, p)
	}
	if !p.Has(flows.Mentee) && !p.Has(flows.Mentor) {
		return
	}
	weekAgo := d.tick.Add(-7 * 24 * time.Hour)
	in := func(t time.Time) bool { return !t.Before(weekAgo) && !t.After(d.tick) }
	d.members++
	m := &p.Mentoring
	if p.Has(flows.Mentee) {
		d.mentees++
		if !m.Waiting.IsZero() && len(m.Pairs) == 0 {
			d.waiting++
		}
	}
	if p.Has(flows.Mentor) {
		d.mentors++
	}
	for _, x := range m.Pairs {
		if x.Mentee != p.ID {
			continue
		}
		d.pairs++
		last := x.Since
		if x.LastSession.After(last) {
			last = x.LastSession
		}
		if d.tick.Sub(last) < InactiveNudge {
			d.active++
		}
	}
	for _, l := range m.Log {
		if !l.Held || !in(l.At) {
			continue
		}
		d.held[l.ID] = true
		if l.Rating > 0 {
			d.ratings++
			d.ratingSum += l.Rating
		}
	}
	for _, t := range p.Lessons.Done {
		if in(t) {
			d.lessons++
		}
	}
	if in(p.Checkins.Last) {
		d.checkins++
	}
}

// Args encodes the digest for the coordinators' task.
func (d *Digest) Args() string {
	kv := []string{
		"members=" + strconv.Itoa(d.members), "mentees=" + strconv.Itoa(d.mentees), "mentors=" + strconv.Itoa(d.mentors),
		"waiting=" + strconv.Itoa(d.waiting), "pairs=" + strconv.Itoa(d.pairs), "active=" + strconv.Itoa(d.active),
		"held=" + strconv.Itoa(len(d.held)), "lessons=" + strconv.Itoa(d.lessons), "checkins=" + strconv.Itoa(d.checkins),
	}
	if d.ratings >= MinGroup {
		kv = append(kv, "rating="+strconv.FormatFloat(float64(d.ratingSum)/float64(d.ratings), 'f', 1, 64))
	}
	return strings.Join(kv, " ")
}

// Tasks sends the digest to every coordinator at 08:00 on the tick's day in their time zone, or at the next moment
// their quiet hours and days off allow.
func (d *Digest) Tasks(tick time.Time) []flows.Task {
	a := d.Args()
	out := make([]flows.Task, 0, len(d.coords))
	for _, p := range d.coords {
		l := tick.In(p.Location())
		at := time.Date(l.Year(), l.Month(), l.Day(), 8, 0, 0, 0, l.Location())
		if at.Before(tick) {
			at = tick
		}
		out = append(out, flows.Task{ID: "digest:" + p.ID + ":" + tick.UTC().Format("20060102"), Profile: p.ID, Job: jobDigest, Args: a, At: p.NextAllowed(at)})
	}
	return out
}

// runDigest shows the digest in the coordinator's language.
func runDigest(c *flows.Ctx) {
	v := map[string]string{}
	for _, kv := range strings.Fields(c.Event.Args) {
		k, val, _ := strings.Cut(kv, "=")
		v[k] = val
	}
	n := func(k string) int { x, _ := strconv.Atoi(v[k]); return x }
	text := c.T("pair.digest", "Members", n("members"), "Mentees", n("mentees"), "Mentors", n("mentors"),
		"Waiting", n("waiting"), "Pairs", n("pairs"), "Active", n("active"), "Held", n("held"),
		"Lessons", n("lessons"), "Checkins", n("checkins"))
	if r, ok := v["rating"]; ok {
		text += "\n" + c.T("pair.digest_rating", "Rating", r, "Min", MinGroup)
	} else {
		text += "\n" + c.T("pair.digest_no_rating", "Min", MinGroup)
	}
	c.Say(text)
}
