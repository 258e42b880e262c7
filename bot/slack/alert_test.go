package slack_test

import (
	"context"
	"strings"
	"testing"

	"github.com/m4pris/mentorbot/bot/slack"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
	"github.com/m4pris/mentorbot/flows"
)

const alertChannel = "GALERTS"

// withFakeAlert registers a stand-in for the check-in flow's alert: a coordinator-facing job addressed to a
// coordinator that says something and offers the global "I'll take it" button, and the action behind that button.
func withFakeAlert(channel string) func(_ *env, o *slack.Options) {
	return func(_ *env, o *slack.Options) {
		o.AlertChannel = channel
		o.Engine.(*flows.Engine).Add(flows.Feature{
			Name: "alertfake",
			Jobs: []flows.JobHandler{{Job: "alert.fake", Audience: flows.ToCoordinators, Run: func(c *flows.Ctx) {
				c.Say("Check-ins suggest support may help for Anna.",
					flows.Row(flows.ActionButton("I'll take it", "alerttake", c.Event.Args)))
			}}},
			Actions: []*flows.Action{{Name: "alerttake", Allow: func(p *flows.Profile) bool { return p.Has(flows.Coordinator) },
				Run: func(c *flows.Ctx) { c.Say("Thanks, " + c.Profile.Name + ": alert " + c.Event.Args + " is yours.") }}},
		})
	}
}

// coordinators stores two Slack coordinators and returns their profile ids.
func coordinators(t *testing.T, e *env, ids ...string) []string {
	t.Helper()
	var pids []string
	for _, id := range ids {
		ident := flows.Identity{Platform: flows.Slack, ID: id}
		p := &flows.Profile{ID: flows.ProfileID(ident), Identities: []flows.Identity{ident}, Name: "C" + id, Lang: "en",
			Roles: []flows.Role{flows.Coordinator}, Onboarded: true}
		if err := e.store.Save(context.Background(), p.ID, flows.Snapshot{Profile: p}, "", nil); err != nil {
			t.Fatal(err)
		}
		pids = append(pids, p.ID)
	}
	return pids
}

func alertTasks(pids []string, alertID string) []flows.Task {
	var ts []flows.Task
	for _, pid := range pids {
		ts = append(ts, flows.Task{ID: "alert:" + alertID + ":" + pid, Profile: pid, Job: "alert.fake", Args: alertID})
	}
	return ts
}

func TestAlertsGoToTheAlertChannelOnce(t *testing.T) {
	e := start(t, socketMode, withFakeAlert(alertChannel))
	pids := coordinators(t, e, "UC1", "UC2")
	for _, task := range alertTasks(pids, "A1") {
		if err := e.eng.RunTask(context.Background(), task); err != nil {
			t.Fatal(err)
		}
	}
	posts := e.fake.Messages(alertChannel)
	if len(posts) != 1 || !strings.Contains(posts[0].Body(), "support may help") {
		t.Fatalf("alert channel has %d posts, want 1", len(posts))
	}
	for _, id := range []string{"UC1", "UC2"} {
		if n := len(e.fake.Messages(slackfake.DM(id))); n != 0 {
			t.Fatalf("%s got %d direct messages; the alert belongs in the channel", id, n)
		}
	}
	// The second coordinator takes it from the channel; the answer is theirs alone.
	c2 := e.user("UC2")
	c2.Channels = []string{alertChannel}
	c2.Press(t, "I'll take it")
	msg := c2.Expect(t, "alert A1 is yours")
	if !msg.Ephemeral || msg.User != "UC2" {
		t.Fatalf("the answer to the press was public: %+v", msg)
	}
	// A new alert is posted again.
	for _, task := range alertTasks(pids, "A2") {
		if err := e.eng.RunTask(context.Background(), task); err != nil {
			t.Fatal(err)
		}
	}
	public := 0
	for _, m := range e.fake.Messages(alertChannel) {
		if !m.Ephemeral {
			public++
		}
	}
	if public != 2 {
		t.Fatalf("alert channel has %d posts after a second alert, want 2", public)
	}
}

func TestAlertsFallBackToTheDMWhenTheChannelCannotBeUsed(t *testing.T) {
	e := start(t, socketMode, withFakeAlert(alertChannel))
	pids := coordinators(t, e, "UC3")
	e.fake.FailNext("chat.postMessage", "not_in_channel")
	if err := e.eng.RunTask(context.Background(), alertTasks(pids, "A3")[0]); err != nil {
		t.Fatal(err)
	}
	if dm := e.fake.Messages(slackfake.DM("UC3")); len(dm) != 1 || !strings.Contains(dm[0].Body(), "support may help") {
		t.Fatalf("the alert did not reach the coordinator: %d messages", len(dm))
	}
}

func TestAlertsGoToTheDMWithoutAChannel(t *testing.T) {
	e := start(t, httpMode, withFakeAlert(""))
	pids := coordinators(t, e, "UC4")
	if err := e.eng.RunTask(context.Background(), alertTasks(pids, "A4")[0]); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.Messages(slackfake.DM("UC4"))); n != 1 {
		t.Fatalf("coordinator's DM has %d messages, want 1", n)
	}
}

func TestAUserWhoLeftTheWorkspaceIsMarkedUnreachable(t *testing.T) {
	e := start(t, socketMode, withFakeAlert(""))
	pids := coordinators(t, e, "UGONE")
	e.fake.FailNext("conversations.open", "user_not_found")
	if err := e.eng.RunTask(context.Background(), alertTasks(pids, "A5")[0]); err != nil {
		t.Fatal(err)
	}
	p, _ := e.store.Profile(context.Background(), pids[0])
	if p.Reachable(flows.Identity{Platform: flows.Slack, ID: "UGONE"}) {
		t.Fatalf("profile not marked unreachable on Slack: %+v", p.Unreachable)
	}
}

// TestTasksForAPersonNeverGoToTheAlertChannel: a job addressed to a person stays theirs whatever its name, with
// an alert channel configured.
func TestTasksForAPersonNeverGoToTheAlertChannel(t *testing.T) {
	e := start(t, socketMode, func(e *env, o *slack.Options) {
		withFakeAlert(alertChannel)(e, o)
		o.Engine.(*flows.Engine).Add(flows.Feature{Name: "alertperson", Jobs: []flows.JobHandler{{Job: "alert.person",
			Run: func(c *flows.Ctx) { c.Say("A coordinator has picked up your request.") }}}})
	})
	pids := coordinators(t, e, "UP1")
	task := flows.Task{ID: "alert:P1:acked", Profile: pids[0], Job: "alert.person", Args: "P1"}
	if err := e.eng.RunTask(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	if dm := e.fake.Messages(slackfake.DM("UP1")); len(dm) != 1 || !strings.Contains(dm[0].Body(), "picked up your request") {
		t.Fatalf("the person's DM has %d messages, want the one", len(dm))
	}
	if n := len(e.fake.Messages(alertChannel)); n != 0 {
		t.Fatalf("the alert channel got %d posts meant for a person", n)
	}
}
