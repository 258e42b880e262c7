package checkin

import (
	"crypto/sha256"
	"encoding/base32"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/safety"
)

// alertQuiet is how long after an alert a new worrying result does not raise another (the coordinator already
// knows); a request from the safety path always does.
const alertQuiet = 7 * 24 * time.Hour

// maxAlertIDs bounds the alert ids a profile remembers for /forget; alerts expire after alertTTL anyway.
const maxAlertIDs = 8

// alertActions are the person's "get a person" buttons and the coordinator's "I'll take it".
func (m *Module) alertActions() []*flows.Action {
	return []*flows.Action{
		{Name: safety.ReachAction, Allow: isMember, Run: m.reach},
		{Name: "alert.ack", Allow: isCoordinator, Run: m.ack},
	}
}

// alertJobs deliver an alert to a coordinator, tell the person who took it, move an unanswered alert on, and ask a
// mentor to get in touch.
func (m *Module) alertJobs() []flows.JobHandler {
	return []flows.JobHandler{
		{Job: JobRaise, Audience: flows.ToCoordinators, Run: m.deliverAlert},
		{Job: JobAcked, Run: m.acked},
		{Job: JobEscalate, Run: m.escalate},
		{Job: JobMentor, Run: m.deliverMentor},
	}
}

func (m *Module) alertOpen(c *flows.Ctx) bool {
	return len(c.Profile.Checkins.Alerts) > 0 && c.Now.Sub(c.Profile.Checkins.AlertAt) < alertQuiet
}

// alertID is derived from the update, so an update retried after a revision conflict writes the same alert and
// schedules the same tasks instead of a second alert.
func alertID(c *flows.Ctx) string {
	seed := c.Profile.ID + "|" + c.Event.ID
	if c.Event.ID == "" {
		seed += "|" + c.Now.Format(time.RFC3339Nano)
	}
	sum := sha256.Sum256([]byte("mentorbot/alert\x00" + seed))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:10]))
}

// mainRole is the role named in an alert: the coordinator needs to know whether a mentor or a mentee asks.
func mainRole(p *flows.Profile) flows.Role {
	for _, r := range []flows.Role{flows.Mentor, flows.Mentee, flows.Coordinator} {
		if p.Has(r) {
			return r
		}
	}
	return flows.Guest
}

// coordinators lists who is asked, in a stable order (by profile id), never the person themselves.
func (m *Module) coordinators(c *flows.Ctx) ([]string, error) {
	ids, err := m.d.Directory.WithRole(c.Context(), flows.Coordinator)
	if err != nil {
		return nil, err
	}
	ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == c.Profile.ID })
	slices.Sort(ids)
	return ids, nil
}

// reach is the "get a person" button: args "coordinator <kind>" or "mentor <kind>". Pressing it is the person's
// own explicit request for that one contact, so it does not need the standing alert consent; it still shares
// only the name.
func (m *Module) reach(c *flows.Ctx) {
	who, kind, _ := strings.Cut(c.Event.Args, " ")
	if kind != KindCrisis {
		kind = KindAsked
	}
	var rows [][]flows.Button
	if r := flows.ResumeButton(c); r != nil {
		rows = append(rows, r)
	}
	switch who {
	case "coordinator":
		m.raise(c, kind, rows)
	case "mentor":
		m.tellMentor(c, kind, rows)
	default:
		c.Say(c.T("core.stale"))
	}
}

// raise creates an alert and asks the first coordinator. rows go under the reply (a resume button).
func (m *Module) raise(c *flows.Ctx, kind string, rows [][]flows.Button) {
	p := c.Profile
	if kind != KindCrisis && m.alertOpen(c) {
		c.Say(c.T("alert.already"), rows...)
		return
	}
	coords, err := m.coordinators(c)
	if err != nil {
		c.Say(c.T("core.unavailable"), rows...)
		return
	}
	if len(coords) == 0 {
		c.Say(c.T("alert.no_coordinator", "Lines", m.d.Helplines.Lines(c)), rows...)
		return
	}
	a := Alert{ID: alertID(c), Subject: p.ID, Name: p.Name, Role: mainRole(p), Kind: kind, Created: c.Now, Coords: coords}
	if err := m.d.Store.PutAlert(c.Context(), a, alertTTL); err != nil {
		c.Say(c.T("core.unavailable"), rows...)
		return
	}
	m.ask(c, &a, 0)
	if !slices.Contains(p.Checkins.Alerts, a.ID) {
		p.Checkins.Alerts = append(p.Checkins.Alerts, a.ID)
	}
	if n := len(p.Checkins.Alerts); n > maxAlertIDs {
		p.Checkins.Alerts = p.Checkins.Alerts[n-maxAlertIDs:]
	}
	p.Checkins.AlertAt = c.Now
	c.Count(flows.CountAlertRaised, kind)
	c.Say(c.T("alert.raised", "Lines", m.d.Helplines.Lines(c)), rows...)
}

// ask schedules the alert to the coordinator at level, and the escalation that follows if nobody takes it. A
// check-in alert waits for the coordinator's quiet hours to end; a request from the safety path does not.
func (m *Module) ask(c *flows.Ctx, a *Alert, level int) {
	coord := a.Coords[level]
	at := c.Now
	if a.Kind != KindCrisis {
		if cp, err := m.d.Directory.Profile(c.Context(), coord); err == nil && cp != nil {
			at = afterQuiet(cp, c.Now)
		}
	}
	lv := strconv.Itoa(level)
	c.Schedule(
		flows.Task{ID: "alert:" + a.ID + ":" + lv, Profile: coord, Job: JobRaise, Args: a.ID, At: at},
		flows.Task{ID: "alert:" + a.ID + ":esc" + lv, Profile: a.Subject, Job: JobEscalate, Args: a.ID + " " + lv, At: at.Add(m.d.Escalate)},
	)
}

// afterQuiet is the first moment at or after t outside p's quiet hours. Unlike NextAllowed it ignores days off and
// a nudge snooze: someone asking for help must not wait for a coordinator's week off (the escalation moves on
// to the next coordinator instead), only for their night.
func afterQuiet(p *flows.Profile, t time.Time) time.Time {
	loc := p.Location()
	cur := t.In(loc)
	for range 24 * 60 {
		if !p.Quiet.Contains(cur.Hour()*60 + cur.Minute()) {
			return cur
		}
		cur = cur.Truncate(time.Minute).Add(time.Minute)
	}
	return t
}

// deliverAlert runs in a coordinator's turn: the alert names the person and says support may help. Nothing else
// about them is in it. An alert someone already took, or that was erased, is not shown.
func (m *Module) deliverAlert(c *flows.Ctx) {
	id := c.Event.Args
	a, err := m.d.Store.GetAlert(c.Context(), id)
	if err != nil || a == nil || !isCoordinator(c.Profile) {
		return
	}
	if h, err := m.d.Store.AlertHolder(c.Context(), id); err != nil || h != "" {
		return
	}
	name := a.Name
	if name == "" {
		name = c.T("alert.noname")
	}
	text := c.T("alert."+a.Kind, "Name", name, "Role", c.T("role."+string(a.Role))) + "\n\n" +
		c.N("alert.how", hours(m.d.Escalate))
	c.Say(text, flows.Row(flows.ActionButton(c.T("alert.btn_take"), "alert.ack", id)))
}

// hours is the escalation time in whole hours, rounded up: a coordinator is never told less time than they have.
func hours(d time.Duration) int { return max(1, int(math.Ceil(d.Hours()))) }

// ack is the coordinator's "I'll take it". The first press wins, on any replica; a second coordinator is told who
// has it.
func (m *Module) ack(c *flows.Ctx) {
	id := strings.TrimSpace(c.Event.Args)
	ctx := c.Context()
	a, err := m.d.Store.GetAlert(ctx, id)
	if err != nil {
		c.Say(c.T("core.unavailable"))
		return
	}
	if a == nil {
		c.ClosePressed()
		c.Say(c.T("alert.gone"))
		return
	}
	me := c.Profile.ID
	before, err := m.d.Store.AlertHolder(ctx, id)
	if err != nil {
		c.Say(c.T("core.unavailable"))
		return
	}
	holder := before
	if holder == "" {
		if holder, err = m.d.Store.AckAlert(ctx, id, me, alertTTL); err != nil {
			c.Say(c.T("core.unavailable"))
			return
		}
	}
	c.ClosePressed()
	if holder != me {
		name := c.T("alert.another")
		if hp, err := m.d.Directory.Profile(ctx, holder); err == nil && hp != nil && hp.Name != "" {
			name = hp.Name
		}
		c.Say(c.T("alert.taken_by", "Holder", name))
		return
	}
	// Ours, newly or already: pressed twice, or this turn is the retry of one whose save lost a race after the
	// acknowledgement was recorded — then nothing of that turn was scheduled, and the person must still hear that
	// someone is coming. Scheduling again is safe: the task ids are fixed, and the engine drops a task it has
	// already delivered.
	var stale []string
	for i := range a.Coords {
		stale = append(stale, "alert:"+id+":esc"+strconv.Itoa(i))
	}
	c.Unschedule(stale...)
	c.Schedule(flows.Task{ID: "alert:" + id + ":acked", Profile: a.Subject, Job: JobAcked, Args: id})
	if before == me {
		c.Say(c.T("alert.yours_already"))
		return
	}
	c.Count(flows.CountAlertAcknowledged, a.Kind)
	name := a.Name
	if name == "" {
		name = c.T("alert.noname")
	}
	c.Say(c.T("alert.taken", "Name", name))
}

// acked runs in the person's turn: someone took the alert and will reach out.
func (m *Module) acked(c *flows.Ctx) {
	id := c.Event.Args
	holder, err := m.d.Store.AlertHolder(c.Context(), id)
	if err != nil || holder == "" {
		return
	}
	name := ""
	if hp, err := m.d.Directory.Profile(c.Context(), holder); err == nil && hp != nil {
		name = hp.Name
	}
	c.Say(c.T("alert.acked", "Name", name))
}

// escalate runs in the person's turn when a coordinator did not take the alert in time: the next coordinator is
// asked, and when there is nobody left the person is told what to do instead.
func (m *Module) escalate(c *flows.Ctx) {
	idStr, lvStr, _ := strings.Cut(c.Event.Args, " ")
	level, err := strconv.Atoi(lvStr)
	if err != nil {
		return
	}
	ctx := c.Context()
	a, err := m.d.Store.GetAlert(ctx, idStr)
	if err != nil || a == nil || a.Level != level || a.Unanswered {
		return
	}
	if h, err := m.d.Store.AlertHolder(ctx, idStr); err != nil || h != "" {
		return
	}
	if next := level + 1; next < len(a.Coords) {
		a.Level = next
		if err := m.d.Store.PutAlert(ctx, *a, alertTTL); err != nil {
			return
		}
		m.ask(c, a, next)
		return
	}
	a.Unanswered = true
	if err := m.d.Store.PutAlert(ctx, *a, alertTTL); err != nil {
		return
	}
	// Nobody has it, so a new request must not be told "a coordinator already knows".
	c.Profile.Checkins.AlertAt = time.Time{}
	var rows [][]flows.Button
	if m.d.Mentors != nil {
		if _, ok := m.d.Mentors.MentorOf(c.Context(), c.Profile); ok {
			rows = append(rows, flows.Row(flows.ActionButton(c.T("safety.reach_mentor"), safety.ReachAction, "mentor", a.Kind)))
		}
	}
	c.Say(c.T("alert.unanswered", "Lines", m.d.Helplines.Lines(c)), rows...)
}

// tellMentor asks the person's mentor to get in touch (their mentee asked; nothing about check-ins is shared).
func (m *Module) tellMentor(c *flows.Ctx, kind string, rows [][]flows.Button) {
	var pid string
	ok := false
	if m.d.Mentors != nil {
		pid, ok = m.d.Mentors.MentorOf(c.Context(), c.Profile)
	}
	if !ok {
		c.Say(c.T("reach.no_mentor"), append(safety.HumanButtons(c, nil, kind), rows...)...)
		return
	}
	at, name := c.Now, ""
	if mp, err := m.d.Directory.Profile(c.Context(), pid); err == nil && mp != nil {
		name = mp.Name
		if kind != KindCrisis {
			at = afterQuiet(mp, c.Now)
		}
	}
	c.Schedule(flows.Task{
		ID:      "mentor:" + c.Profile.ID + ":" + c.Now.UTC().Format("2006-01-02") + ":" + kind,
		Profile: pid, Job: JobMentor, Args: c.Profile.ID + " " + kind, At: at,
	})
	c.Say(c.T("reach.mentor_sent", "Name", name), rows...)
}

// deliverMentor runs in the mentor's turn.
func (m *Module) deliverMentor(c *flows.Ctx) {
	subject, kind, _ := strings.Cut(c.Event.Args, " ")
	sp, err := m.d.Directory.Profile(c.Context(), subject)
	if err != nil || sp == nil {
		return
	}
	// Only while they are still a pair.
	if m.d.Mentors != nil {
		if pid, ok := m.d.Mentors.MentorOf(c.Context(), sp); !ok || pid != c.Profile.ID {
			return
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
}

// askConfirm asks once more, at the moment, before a worrying result reaches a coordinator.
func (m *Module) askConfirm(c *flows.Ctx) {
	c.Ask(c.T("checkin.ask_alert"), flows.Row(
		flows.Choice(c.T("checkin.alert_yes"), "yes"), flows.Choice(c.T("checkin.alert_no"), "no"),
	))
	// "At that moment": a day later the question is stale, and the result has been shown already.
	c.Deadline(openFor)
}

func (m *Module) answerConfirm(c *flows.Ctx) {
	v, ok := c.Choice()
	if !ok {
		c.Reask(c.T("core.use_buttons"))
		return
	}
	c.Done()
	if v == "yes" {
		m.raise(c, KindCheckin, nil)
		return
	}
	c.Say(c.T("checkin.alert_declined"), safety.HumanButtons(c, m.d.Mentors, KindAsked)...)
}
