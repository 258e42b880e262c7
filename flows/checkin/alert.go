package checkin

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
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
		{Job: JobSweep, Run: m.sweep},
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
func (m *Module) reach(c *flows.Ctx) error {
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
		return m.raise(c, kind, rows)
	case "mentor":
		return m.tellMentor(c, kind, rows)
	}
	c.Say(c.T("core.stale"))
	return nil
}

// raise creates an alert and asks the first coordinator. rows go under the reply (a resume button).
func (m *Module) raise(c *flows.Ctx, kind string, rows [][]flows.Button) error {
	p := c.Profile
	if kind != KindCrisis && m.alertOpen(c) {
		c.Say(c.T("alert.already"), rows...)
		return nil
	}
	coords, err := m.coordinators(c)
	if err != nil {
		return fmt.Errorf("list coordinators: %w", err)
	}
	if len(coords) == 0 {
		c.Say(c.T("alert.no_coordinator", "Lines", m.d.Helplines.Lines(c)), rows...)
		return nil
	}
	// The alert's id comes from the update, so a retried update (after an error below) rewrites this alert
	// rather than raising a second one.
	a := Alert{ID: alertID(c), Subject: p.ID, Name: p.Name, Role: mainRole(p), Kind: kind, Created: c.Now, Coords: coords}
	if err := m.ask(c, &a, 0); err != nil {
		return err
	}
	if err := m.d.Store.PutAlert(c.Context(), a, alertTTL); err != nil {
		return fmt.Errorf("put alert: %w", err)
	}
	if !slices.Contains(p.Checkins.Alerts, a.ID) {
		p.Checkins.Alerts = append(p.Checkins.Alerts, a.ID)
	}
	if n := len(p.Checkins.Alerts); n > maxAlertIDs {
		p.Checkins.Alerts = p.Checkins.Alerts[n-maxAlertIDs:]
	}
	p.Checkins.AlertAt = c.Now
	c.Count(flows.CountAlertRaised, kind)
	c.Say(c.T("alert.raised", "Lines", m.d.Helplines.Lines(c)), rows...)
	return nil
}

// ask schedules the alert to the coordinator at level, and the escalation that follows if nobody takes it. A
// check-in alert waits for the coordinator's quiet hours to end; a request from the safety path does not.
func (m *Module) ask(c *flows.Ctx, a *Alert, level int) error {
	coord := a.Coords[level]
	at := c.Now
	if a.Kind != KindCrisis {
		cp, err := m.d.Directory.Profile(c.Context(), coord)
		if err != nil {
			return fmt.Errorf("get coordinator: %w", err)
		}
		if cp != nil {
			at = afterQuiet(cp, c.Now)
		}
	}
	a.Due = at.Add(m.d.Escalate)
	c.Schedule(
		flows.NewTask("alert:"+a.ID+":"+strconv.Itoa(level), coord, JobRaise, alertArgs{Alert: a.ID}).Due(at),
		escalation(a.ID, a.Subject, level, a.Due),
	)
	return nil
}

// alertArgs are the arguments of the alert jobs: the alert, and for JobEscalate the level whose coordinator was
// asked (an escalation for a level the alert has moved past does nothing).
type alertArgs struct {
	Alert string `json:"alert"`
	Level int    `json:"level,omitempty"`
}

// afterQuiet is the first moment at or after t outside p's quiet hours. Unlike NextAllowed it ignores days off and
// a nudge snooze: someone asking for help must not wait for a coordinator's week off (the escalation moves on
// to the next coordinator instead), only for their night.
func afterQuiet(p *flows.Profile, t time.Time) time.Time { return p.QuietEnd(t) }

// deliverAlert runs in a coordinator's turn: the alert names the person and says support may help. Nothing else
// about them is in it. An alert someone already took, or that was erased, is not shown.
func (m *Module) deliverAlert(c *flows.Ctx) error {
	var args alertArgs
	if err := c.Args(&args); err != nil {
		return err
	}
	id := args.Alert
	a, err := m.d.Store.GetAlert(c.Context(), id)
	if err != nil {
		return fmt.Errorf("get alert: %w", err)
	}
	if a == nil || !isCoordinator(c.Profile) {
		return nil // erased, or no longer a coordinator
	}
	if h, err := m.d.Store.AlertHolder(c.Context(), id); err != nil {
		return fmt.Errorf("alert holder: %w", err)
	} else if h != "" {
		return nil
	}
	name := a.Name
	if name == "" {
		name = c.T("alert.noname")
	}
	text := c.T("alert."+a.Kind, "Name", name, "Role", c.T("role."+string(a.Role))) + "\n\n" +
		c.N("alert.how", hours(m.d.Escalate))
	c.Say(text, flows.Row(flows.ActionButton(c.T("alert.btn_take"), "alert.ack", id)))
	return nil
}

// hours is the escalation time in whole hours, rounded up: a coordinator is never told less time than they have.
func hours(d time.Duration) int { return max(1, int(math.Ceil(d.Hours()))) }

// ack is the coordinator's "I'll take it". The first press wins, on any replica; a second coordinator is told who
// has it.
func (m *Module) ack(c *flows.Ctx) error {
	id := strings.TrimSpace(c.Event.Args)
	ctx := c.Context()
	a, err := m.d.Store.GetAlert(ctx, id)
	if err != nil {
		return fmt.Errorf("get alert: %w", err)
	}
	if a == nil {
		c.ClosePressed()
		c.Say(c.T("alert.gone"))
		return nil
	}
	me := c.Profile.ID
	before, err := m.d.Store.AlertHolder(ctx, id)
	if err != nil {
		return fmt.Errorf("alert holder: %w", err)
	}
	holder := before
	if holder == "" {
		if holder, err = m.d.Store.AckAlert(ctx, id, me, alertTTL); err != nil {
			return fmt.Errorf("ack alert: %w", err)
		}
	}
	c.ClosePressed()
	if holder != me {
		name := c.T("alert.another")
		hp, err := m.d.Directory.Profile(ctx, holder)
		if err != nil {
			return fmt.Errorf("get holder: %w", err)
		}
		if hp != nil && hp.Name != "" {
			name = hp.Name
		}
		c.Say(c.T("alert.taken_by", "Holder", name))
		return nil
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
	c.Schedule(flows.NewTask("alert:"+id+":acked", a.Subject, JobAcked, alertArgs{Alert: id}))
	if before == me {
		c.Say(c.T("alert.yours_already"))
		return nil
	}
	c.Count(flows.CountAlertAcknowledged, a.Kind)
	name := a.Name
	if name == "" {
		name = c.T("alert.noname")
	}
	c.Say(c.T("alert.taken", "Name", name))
	return nil
}

// acked runs in the person's turn: someone took the alert and will reach out.
func (m *Module) acked(c *flows.Ctx) error {
	var args alertArgs
	if err := c.Args(&args); err != nil {
		return err
	}
	holder, err := m.d.Store.AlertHolder(c.Context(), args.Alert)
	if err != nil {
		return fmt.Errorf("alert holder: %w", err)
	}
	if holder == "" {
		return nil // erased meanwhile
	}
	name := ""
	hp, err := m.d.Directory.Profile(c.Context(), holder)
	if err != nil {
		return fmt.Errorf("get holder: %w", err)
	}
	if hp != nil {
		name = hp.Name
	}
	c.Say(c.T("alert.acked", "Name", name))
	return nil
}
