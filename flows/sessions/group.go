package sessions

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/m4pris/mentorbot/flows"
)

// Group session jobs.
const (
	jobGroupInvite flows.Job = "grp.invite"
	jobGroupCount  flows.Job = "grp.count"
	jobGroupCancel flows.Job = "grp.cancel"
	jobGroupRemind flows.Job = "grp.remind"
)

// Limits of group sessions.
const (
	maxTopic   = 80
	maxMembers = 500
)

// topics are the programme's discussion topics (from the pilot), offered as buttons; "@key" in a task's args.
var topics = []string{"conversations", "stress", "conflict", "mentoring"}

// groupFlowName names the /group flow (the day and time steps it shares with /session ask differently in it).
const groupFlowName = "grpsession"

func isCoordinator(p *flows.Profile) bool { return p.Has(flows.Coordinator) }

// groupFlow is /group for coordinators: schedule a group session for a cohort, see who is coming, cancel one.
func groupFlow(dir flows.Directory) *flows.Flow {
	g := &group{dir: dir}
	return &flows.Flow{
		Name: groupFlowName, Version: Version, First: "list", Commands: []string{"group"},
		Allow: isCoordinator, Menu: "menu.group", MenuOrder: 65,
		Steps: map[string]flows.Step{
			"list":       {Ask: g.askList, Answer: g.answerList},
			"hosted":     {Ask: g.askHosted, Answer: g.answerHosted},
			"cohort":     {Ask: g.askCohort, Answer: g.answerCohort},
			"topic":      {Ask: g.askTopic, Answer: g.answerTopic},
			"day":        {Ask: askDay, Answer: answerDay},
			"time":       {Ask: askTime, Answer: answerTime},
			"confirm":    {Ask: g.askConfirm, Answer: g.answerConfirm},
			"topic_text": {Ask: g.askTopicText, Answer: g.answerTopicText},
		},
	}
}

type group struct{ dir flows.Directory }

func (g *group) askList(c *flows.Ctx) {
	var rows [][]flows.Button
	for _, h := range c.Profile.Mentoring.Hosted {
		if h.At.After(c.Now) {
			rows = append(rows, flows.Row(flows.Choice(shortWhen(c, h.At)+" · "+strconv.Itoa(len(h.Going))+" ✓", h.ID)))
		}
	}
	rows = append(rows, flows.Row(flows.Choice(c.T("grp.new"), "new")))
	text := c.T("grp.none")
	if len(rows) > 1 {
		text = c.T("grp.list")
	}
	c.Ask(text, rows...)
}

func (g *group) answerList(c *flows.Ctx) {
	v, ok := c.Choice()
	switch {
	case ok && v == "new":
		c.Goto("cohort")
	case ok && c.Profile.Mentoring.HostedByID(v) >= 0:
		c.SetSlot("group", v)
		c.Goto("hosted")
	default:
		c.Reask(c.T("core.use_buttons"))
	}
}

func (g *group) askHosted(c *flows.Ctx) {
	m := &c.Profile.Mentoring
	i := m.HostedByID(c.Slot("group"))
	if i < 0 {
		c.Goto("list")
		return
	}
	h := m.Hosted[i]
	c.Ask(c.T("grp.hosted", "Topic", topicText(c, h.Topic), "When", When(c, h.At), "Going", len(h.Going),
		"NotGoing", len(h.NotGoing), "Open", len(h.Members)-len(h.Going)-len(h.NotGoing)),
		flows.Row(flows.Choice(c.T("grp.cancel"), "cancel"), flows.Choice(c.T("grp.back"), "back")))
}

func (g *group) answerHosted(c *flows.Ctx) {
	v, _ := c.Choice()
	m := &c.Profile.Mentoring
	i := m.HostedByID(c.Slot("group"))
	switch {
	case v == "back" || i < 0:
		c.Goto("list")
	case v == "cancel":
		h := m.Hosted[i]
		m.Hosted = slices.Delete(m.Hosted, i, i+1)
		cancelGroup(c, h)
		c.Say(c.T("grp.cancelled_ok", "When", When(c, h.At)))
		c.Done()
	default:
		c.Reask(c.T("core.use_buttons"))
	}
}

func (g *group) askCohort(c *flows.Ctx) {
	c.Ask(c.T("grp.cohort"), flows.Row(
		flows.Choice(c.T("grp.cohort_mentors"), "mentors"), flows.Choice(c.T("grp.cohort_mentees"), "mentees"),
		flows.Choice(c.T("grp.cohort_all"), "all")))
}

func (g *group) answerCohort(c *flows.Ctx) {
	v, _ := c.Choice()
	if v != "mentors" && v != "mentees" && v != "all" {
		c.Reask(c.T("core.use_buttons"))
		return
	}
	c.SetSlot("cohort", v)
	c.Goto("topic")
}

func (g *group) askTopic(c *flows.Ctx) {
	var rows [][]flows.Button
	for _, t := range topics {
		rows = append(rows, flows.Row(flows.Choice(c.T("grp.topic."+t), "@"+t)))
	}
	rows = append(rows, flows.Row(flows.Choice(c.T("grp.topic_other"), "other")))
	c.Ask(c.T("grp.topic"), rows...)
}

func (g *group) answerTopic(c *flows.Ctx) {
	v, _ := c.Choice()
	switch {
	case v == "other":
		c.Goto("topic_text")
	case strings.HasPrefix(v, "@") && slices.Contains(topics, v[1:]):
		c.SetSlot("topic", v)
		c.Goto("day")
	default:
		c.Reask(c.T("core.use_buttons"))
	}
}

func (g *group) askTopicText(c *flows.Ctx) { c.Ask(c.T("grp.topic_type", "Max", maxTopic)) }

func (g *group) answerTopicText(c *flows.Ctx) {
	t := strings.Join(strings.Fields(c.Text()), " ")
	if t == "" || strings.HasPrefix(t, "@") || utf8.RuneCountInString(t) > maxTopic {
		c.Reask(c.T("grp.topic_type", "Max", maxTopic))
		return
	}
	c.SetSlot("topic", t)
	c.Goto("day")
}

func (g *group) askConfirm(c *flows.Ctx) {
	at, _ := unix(c.Slot(slotAt))
	c.Ask(c.T("grp.confirm", "Topic", topicText(c, c.Slot("topic")), "When", When(c, at), "Cohort", c.T("grp.cohort_"+c.Slot("cohort"))),
		flows.Row(flows.Choice(c.T("grp.send"), "send"), flows.Choice(c.T("ses.change"), "change")))
}

func (g *group) answerConfirm(c *flows.Ctx) {
	v, _ := c.Choice()
	switch v {
	case "change":
		c.Goto("day")
		return
	case "send":
	default:
		c.Reask(c.T("core.use_buttons"))
		return
	}
	at, ok := unix(c.Slot(slotAt))
	if !ok || !at.After(c.Now) {
		c.Goto("day")
		return
	}
	members, err := g.members(c, c.Slot("cohort"))
	if err != nil {
		c.Say(c.T("core.unavailable"))
		c.Done()
		return
	}
	topic := c.Slot("topic")
	gid := flows.ShortID(c.Profile.ID, "group", c.Event.ID, itoa(at), itoa(c.Now))
	c.Profile.Mentoring.Hosted = append(c.Profile.Mentoring.Hosted, flows.GroupSession{ID: gid, At: at, Topic: topic, Cohort: c.Slot("cohort"), Members: members})
	for _, pid := range members {
		c.Schedule(flows.Task{ID: "grp.invite:" + gid + ":" + pid, Profile: pid, Job: jobGroupInvite,
			Args: gid + " " + itoa(at) + " " + c.Profile.ID + " " + topic})
	}
	c.Say(c.N("grp.sent", len(members), "When", When(c, at)))
	c.Done()
}

// members lists the cohort, without the coordinator who hosts.
func (g *group) members(c *flows.Ctx, cohort string) ([]string, error) {
	roles := map[string][]flows.Role{"mentors": {flows.Mentor}, "mentees": {flows.Mentee}, "all": {flows.Mentor, flows.Mentee}}[cohort]
	var out []string
	for _, r := range roles {
		ids, err := g.dir.WithRole(c.Context(), r)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	out = slices.DeleteFunc(out, func(pid string) bool { return pid == c.Profile.ID })
	if len(out) > maxMembers {
		out = out[:maxMembers]
	}
	return out, nil
}

// topicText renders a topic: a programme topic in the reader's language, or what the coordinator typed.
func topicText(c *flows.Ctx, t string) string {
	if k, ok := strings.CutPrefix(t, "@"); ok {
		return c.T("grp.topic." + k)
	}
	return t
}

func shortWhen(c *flows.Ctx, t time.Time) string {
	l := t.In(c.Profile.Location())
	return c.T("day."+strconv.Itoa(int(l.Weekday()))) + " " + strconv.Itoa(l.Day()) + "/" + strconv.Itoa(int(l.Month())) + " " + l.Format("15:04")
}

func groupReminder(p *flows.Profile, g flows.GroupInvite, m int) flows.Task {
	return flows.Task{ID: flows.ReminderTaskID(g.ID, p.ID, m), Profile: p.ID, Job: jobGroupRemind,
		Args: g.ID + " " + strconv.Itoa(m) + " " + itoa(g.At), At: RemindAt(g.At, m, p.Location())}
}

func scheduleGroupReminders(c *flows.Ctx, g *flows.GroupInvite) {
	g.Reminders = g.Reminders[:0]
	for _, m := range c.Profile.Nudges.SessionReminders() {
		if RemindAt(g.At, m, c.Profile.Location()).After(c.Now) {
			g.Reminders = append(g.Reminders, m)
			c.Schedule(groupReminder(c.Profile, *g, m))
		}
	}
}

func unscheduleGroupReminders(c *flows.Ctx, g *flows.GroupInvite) {
	for _, m := range g.Reminders {
		c.Unschedule(flows.ReminderTaskID(g.ID, c.Profile.ID, m))
	}
	g.Reminders = nil
}

// cancelGroup tells every member of a hosted group session that it is cancelled (their reminders go too).
func cancelGroup(c *flows.Ctx, h flows.GroupSession) {
	for _, pid := range h.Members {
		c.Schedule(flows.Task{ID: "grp.cancel:" + h.ID + ":" + pid, Profile: pid, Job: jobGroupCancel, Args: h.ID})
	}
}

// forgetHosted cancels the group sessions a forgotten person hosted.
func forgetHosted(c *flows.Ctx) error {
	for _, h := range c.Profile.Mentoring.Hosted {
		cancelGroup(c, h)
	}
	return nil
}

// groupActions are the going / not going buttons under a group invitation.
func groupActions() []*flows.Action {
	return []*flows.Action{
		{Name: "grp.rsvp", Run: runRSVP},
	}
}

// groupJobs bring invitations, counts, cancellations and reminders of group sessions.
func groupJobs() []flows.JobHandler {
	return []flows.JobHandler{
		// Args: group id, start (Unix), host, topic.
		{Job: jobGroupInvite, Run: func(c *flows.Ctx) {
			a := strings.SplitN(c.Event.Args, " ", 4)
			if len(a) != 4 || c.Profile.Mentoring.GroupByID(a[0]) >= 0 {
				return
			}
			at, ok := unix(a[1])
			if !ok || !at.After(c.Now) || c.DeferNotice() {
				return
			}
			c.Profile.Mentoring.Groups = append(c.Profile.Mentoring.Groups, flows.GroupInvite{ID: a[0], Host: a[2], At: at, Topic: a[3]})
			c.Say(c.T("grp.invite", "Topic", topicText(c, a[3]), "When", When(c, at)),
				flows.Row(flows.ActionButton(c.T("grp.going"), "grp.rsvp", a[0], "y"), flows.ActionButton(c.T("grp.not_going"), "grp.rsvp", a[0], "n")))
		}},
		// Args: group id, member, "y" or "n".
		{Job: jobGroupCount, Run: func(c *flows.Ctx) {
			a := args(c)
			m := &c.Profile.Mentoring
			i := -1
			if len(a) == 3 {
				i = m.HostedByID(a[0])
			}
			if i < 0 || !slices.Contains(m.Hosted[i].Members, a[1]) {
				return
			}
			h := &m.Hosted[i]
			drop := func(l []string) []string { return slices.DeleteFunc(l, func(x string) bool { return x == a[1] }) }
			h.Going, h.NotGoing = drop(h.Going), drop(h.NotGoing)
			if a[2] == "y" {
				h.Going = append(h.Going, a[1])
			} else {
				h.NotGoing = append(h.NotGoing, a[1])
			}
		}},
		{Job: jobGroupCancel, Run: func(c *flows.Ctx) {
			m := &c.Profile.Mentoring
			i := m.GroupByID(c.Event.Args)
			if i < 0 {
				return
			}
			g := m.Groups[i]
			unscheduleGroupReminders(c, &g)
			m.Groups = slices.Delete(m.Groups, i, i+1)
			if g.At.After(c.Now) {
				tell(c, "grpcancel", g.ID, itoa(g.At), "-")
			}
		}},
		// Args: group id, minutes, start. A reminder the member asked for: it comes even in quiet hours.
		{Job: jobGroupRemind, Run: func(c *flows.Ctx) {
			a := args(c)
			m := &c.Profile.Mentoring
			if len(a) != 3 {
				return
			}
			i := m.GroupByID(a[0])
			if i < 0 || m.Groups[i].Going != "yes" || itoa(m.Groups[i].At) != a[2] {
				return
			}
			mins, _ := strconv.Atoi(a[1])
			g := m.Groups[i]
			c.Say(c.T("grp.remind", "Topic", topicText(c, g.Topic), "In", Before(c, mins), "When", When(c, g.At)))
		}, Nudge: true},
	}
}

// runRSVP records going / not going, moves the member's reminders and tells the host's count.
func runRSVP(c *flows.Ctx) {
	a := args(c)
	m := &c.Profile.Mentoring
	i := -1
	if len(a) == 2 && (a[1] == "y" || a[1] == "n") {
		i = m.GroupByID(a[0])
	}
	if i < 0 || !m.Groups[i].At.After(c.Now) {
		c.Say(c.T("core.stale"))
		return
	}
	c.ClosePressed()
	g := &m.Groups[i]
	if a[1] == "y" {
		g.Going = "yes"
		unscheduleGroupReminders(c, g)
		scheduleGroupReminders(c, g)
		c.Say(c.T("grp.going_ok", "When", When(c, g.At), "Reminders", reminderNote(c, g.Reminders)))
	} else {
		g.Going = "no"
		unscheduleGroupReminders(c, g)
		c.Say(c.T("grp.not_going_ok"))
	}
	c.Schedule(flows.Task{ID: "grp.count:" + g.ID + ":" + c.Profile.ID + ":" + a[1] + ":" + itoa(c.Now), Profile: g.Host, Job: jobGroupCount,
		Args: g.ID + " " + c.Profile.ID + " " + a[1]})
}
