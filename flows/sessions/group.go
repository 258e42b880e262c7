package sessions

import (
	"fmt"
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
			"hosted":     {Ask: g.askHosted, Choose: g.answerHosted},
			"cohort":     {Ask: g.askCohort, Choose: g.answerCohort},
			"topic":      {Ask: g.askTopic, Choose: g.answerTopic},
			"day":        {Ask: askDay, Answer: answerDay},
			"time":       {Ask: askTime, Answer: answerTime},
			"confirm":    {Ask: g.askConfirm, Choose: g.answerConfirm},
			"topic_text": {Ask: g.askTopicText, Answer: g.answerTopicText},
		},
	}
}

type group struct{ dir flows.Directory }

func (g *group) askList(c *flows.Ctx) error {
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
	return nil
}

func (g *group) answerList(c *flows.Ctx) error {
	v, ok := c.Choice()
	switch {
	case ok && v == "new":
		c.Goto("cohort")
	case ok && c.Profile.Mentoring.HostedByID(v) >= 0:
		c.SetSlot("group", v)
		c.Goto("hosted")
	default:
		c.ReaskButtons()
	}
	return nil
}

func (g *group) askHosted(c *flows.Ctx) error {
	m := &c.Profile.Mentoring
	i := m.HostedByID(c.Slot("group"))
	if i < 0 {
		c.Goto("list")
		return nil
	}
	h := m.Hosted[i]
	c.Ask(c.T("grp.hosted", "Topic", topicText(c, h.Topic), "When", When(c, h.At), "Going", len(h.Going),
		"NotGoing", len(h.NotGoing), "Open", len(h.Members)-len(h.Going)-len(h.NotGoing)),
		flows.Row(flows.Choice(c.T("grp.cancel"), "cancel"), flows.Choice(c.T("grp.back"), "back")))
	return nil
}

func (g *group) answerHosted(c *flows.Ctx, v string) error {
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
		c.ReaskButtons()
	}
	return nil
}

func (g *group) askCohort(c *flows.Ctx) error {
	c.Ask(c.T("grp.cohort"), flows.Row(
		flows.Choice(c.T("grp.cohort_mentors"), "mentors"), flows.Choice(c.T("grp.cohort_mentees"), "mentees"),
		flows.Choice(c.T("grp.cohort_all"), "all")))
	return nil
}

func (g *group) answerCohort(c *flows.Ctx, v string) error {
	if v != "mentors" && v != "mentees" && v != "all" {
		c.ReaskButtons()
		return nil
	}
	c.SetSlot("cohort", v)
	c.Goto("topic")
	return nil
}

func (g *group) askTopic(c *flows.Ctx) error {
	var rows [][]flows.Button
	for _, t := range topics {
		rows = append(rows, flows.Row(flows.Choice(c.T("grp.topic."+t), "@"+t)))
	}
	rows = append(rows, flows.Row(flows.Choice(c.T("grp.topic_other"), "other")))
	c.Ask(c.T("grp.topic"), rows...)
	return nil
}

func (g *group) answerTopic(c *flows.Ctx, v string) error {
	switch {
	case v == "other":
		c.Goto("topic_text")
	case strings.HasPrefix(v, "@") && slices.Contains(topics, v[1:]):
		c.SetSlot("topic", v)
		c.Goto("day")
	default:
		c.ReaskButtons()
	}
	return nil
}

func (g *group) askTopicText(c *flows.Ctx) error {
	c.Ask(c.T("grp.topic_type", "Max", maxTopic))
	return nil
}

func (g *group) answerTopicText(c *flows.Ctx) error {
	t := strings.Join(strings.Fields(c.Text()), " ")
	if t == "" || strings.HasPrefix(t, "@") || utf8.RuneCountInString(t) > maxTopic {
		c.Reask(c.T("grp.topic_type", "Max", maxTopic))
		return nil
	}
	c.SetSlot("topic", t)
	c.Goto("day")
	return nil
}

func (g *group) askConfirm(c *flows.Ctx) error {
	at, _ := unix(c.Slot(slotAt))
	c.Ask(c.T("grp.confirm", "Topic", topicText(c, c.Slot("topic")), "When", When(c, at), "Cohort", c.T("grp.cohort_"+c.Slot("cohort"))),
		flows.Row(flows.Choice(c.T("grp.send"), "send"), flows.Choice(c.T("ses.change"), "change")))
	return nil
}

func (g *group) answerConfirm(c *flows.Ctx, v string) error {
	switch v {
	case "change":
		c.Goto("day")
		return nil
	case "send":
	default:
		c.ReaskButtons()
		return nil
	}
	at, ok := unix(c.Slot(slotAt))
	if !ok || !at.After(c.Now) {
		c.Goto("day")
		return nil
	}
	members, err := g.members(c, c.Slot("cohort"))
	if err != nil {
		return fmt.Errorf("list cohort: %w", err)
	}
	topic := c.Slot("topic")
	gid := flows.ShortID(c.Profile.ID, "group", c.Event.ID, itoa(at), itoa(c.Now))
	c.Profile.Mentoring.Hosted = append(c.Profile.Mentoring.Hosted, flows.GroupSession{ID: gid, At: at, Topic: topic, Cohort: c.Slot("cohort"), Members: members})
	for _, pid := range members {
		invite := sessionArgs{Group: gid, At: at.Unix(), Host: c.Profile.ID, Topic: topic}
		c.Schedule(flows.NewTask("grp.invite:"+gid+":"+pid, pid, jobGroupInvite, invite))
	}
	c.Say(c.N("grp.sent", len(members), "When", When(c, at)))
	c.Done()
	return nil
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
	a := sessionArgs{Group: g.ID, Minutes: m, At: g.At.Unix()}
	return flows.NewTask(flows.ReminderTaskID(g.ID, p.ID, m), p.ID, jobGroupRemind, a).Due(RemindAt(g.At, m, p.Location()))
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
		c.Schedule(flows.NewTask("grp.cancel:"+h.ID+":"+pid, pid, jobGroupCancel, sessionArgs{Group: h.ID}))
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
		// To a member: Group, At, Host, Topic.
		{Job: jobGroupInvite, Run: flows.WithArgs(func(c *flows.Ctx, a sessionArgs) error {
			at := time.Unix(a.At, 0).UTC()
			if c.Profile.Mentoring.GroupByID(a.Group) >= 0 || !at.After(c.Now) || c.DeferNotice() {
				return nil
			}
			c.Profile.Mentoring.Groups = append(c.Profile.Mentoring.Groups, flows.GroupInvite{ID: a.Group, Host: a.Host, At: at, Topic: a.Topic})
			c.Say(c.T("grp.invite", "Topic", topicText(c, a.Topic), "When", When(c, at)),
				flows.Row(flows.ActionButton(c.T("grp.going"), "grp.rsvp", a.Group, "y"), flows.ActionButton(c.T("grp.not_going"), "grp.rsvp", a.Group, "n")))
			return nil
		})},
		// To the host: Member answered Going (or not) for Group.
		{Job: jobGroupCount, Run: flows.WithArgs(func(c *flows.Ctx, a sessionArgs) error {
			m := &c.Profile.Mentoring
			i := m.HostedByID(a.Group)
			if i < 0 || !slices.Contains(m.Hosted[i].Members, a.Member) {
				return nil
			}
			h := &m.Hosted[i]
			drop := func(l []string) []string { return slices.DeleteFunc(l, func(x string) bool { return x == a.Member }) }
			h.Going, h.NotGoing = drop(h.Going), drop(h.NotGoing)
			if a.Going {
				h.Going = append(h.Going, a.Member)
			} else {
				h.NotGoing = append(h.NotGoing, a.Member)
			}
			return nil
		})},
		// To a member: Group is cancelled.
		{Job: jobGroupCancel, Run: flows.WithArgs(func(c *flows.Ctx, a sessionArgs) error {
			m := &c.Profile.Mentoring
			i := m.GroupByID(a.Group)
			if i < 0 {
				return nil
			}
			g := m.Groups[i]
			unscheduleGroupReminders(c, &g)
			m.Groups = slices.Delete(m.Groups, i, i+1)
			if g.At.After(c.Now) {
				tell(c, tellArgs{Key: "grpcancel", Session: g.ID, At: g.At.Unix()})
			}
			return nil
		})},
		// Group, Minutes, At. A reminder the member asked for: it comes even in quiet hours.
		{Job: jobGroupRemind, Run: flows.WithArgs(func(c *flows.Ctx, a sessionArgs) error {
			m := &c.Profile.Mentoring
			i := m.GroupByID(a.Group)
			if i < 0 || m.Groups[i].Going != "yes" || m.Groups[i].At.Unix() != a.At {
				return nil
			}
			g := m.Groups[i]
			c.Say(c.T("grp.remind", "Topic", topicText(c, g.Topic), "In", Before(c, a.Minutes), "When", When(c, g.At)))
			return nil
		}), Nudge: true},
	}
}

// runRSVP records going / not going, moves the member's reminders and tells the host's count.
func runRSVP(c *flows.Ctx) error {
	a := args(c)
	m := &c.Profile.Mentoring
	i := -1
	if len(a) == 2 && (a[1] == "y" || a[1] == "n") {
		i = m.GroupByID(a[0])
	}
	if i < 0 || !m.Groups[i].At.After(c.Now) {
		c.Say(c.T("core.stale"))
		return nil
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
	count := sessionArgs{Group: g.ID, Member: c.Profile.ID, Going: a[1] == "y"}
	c.Schedule(flows.NewTask("grp.count:"+g.ID+":"+c.Profile.ID+":"+a[1]+":"+itoa(c.Now), g.Host, jobGroupCount, count))
	return nil
}
