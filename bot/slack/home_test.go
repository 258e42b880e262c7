package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/slack"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
	"github.com/m4pris/mentorbot/flows"
)

func TestAppHome(t *testing.T) {
	session := time.Date(2026, 12, 3, 17, 30, 0, 0, time.UTC)
	e := start(t, socketMode, func(_ *env, o *slack.Options) {
		o.NextSession = func(context.Context, *flows.Profile) (time.Time, bool) { return session, true }
	})
	ctx := context.Background()
	// Someone new sees a greeting and how to start.
	e.fake.SetUser("UNEW", slackfake.UserInfo{Name: "Mette", Locale: "da-DK"})
	e.fake.Socket().Event(t, slackfake.HomeOpened("EvHome1", "UNEW"))
	e.fake.Wait(t, "the new user's home", func() bool { return e.fake.Home("UNEW") != nil })
	if home := string(e.fake.Home("UNEW")); !strings.Contains(home, "Åbn fanen Beskeder") || !strings.Contains(home, "/mentor") {
		t.Fatalf("home for a new Danish user: %s", home)
	}

	c := e.user(coord)
	onboard(t, c)
	// Give the coordinator some history, and the programme some people.
	pid := flows.ProfileID(flows.Identity{Platform: flows.Slack, ID: coord})
	snap, _ := e.store.Load(ctx, pid, "")
	snap.Profile.Lessons.Done = map[string]time.Time{"e1": session, "e2": session}
	snap.Profile.Checkins.Last = time.Date(2026, 11, 20, 19, 0, 0, 0, time.UTC)
	if err := e.store.Save(ctx, pid, snap, "", nil); err != nil {
		t.Fatal(err)
	}
	for i, r := range []flows.Role{flows.Mentee, flows.Mentee, flows.Mentor} {
		p := &flows.Profile{ID: "p" + string(rune('a'+i)), Roles: []flows.Role{r}}
		if err := e.store.Save(ctx, p.ID, flows.Snapshot{Profile: p}, "", nil); err != nil {
			t.Fatal(err)
		}
	}
	c.T.Event(t, slackfake.HomeOpened("EvHome2", coord))
	var home string
	e.fake.Wait(t, "the coordinator's home", func() bool {
		home = string(e.fake.Home(coord))
		return strings.Contains(home, "Where you are")
	})
	for _, want := range []string{
		"Next session: 2026-12-03 18:30", "Lessons finished: 2", "Last check-in: 2026-11-20",
		"The programme (totals only)", "Mentees: 2 · Mentors: 1 · Coordinators: 1", `"value":"g:menu"`,
	} {
		if !strings.Contains(home, want) {
			t.Errorf("coordinator's home lacks %q:\n%s", want, home)
		}
	}
	// The home's menu button answers in the DM.
	payload, ok := e.fake.HomeButton(coord, "Open the menu")
	if !ok {
		t.Fatal("no menu button on the home tab")
	}
	c.T.Interaction(t, payload)
	c.Expect(t, "What would you like to do?")
}

func TestAppHomeShowsNoProgrammeToOthers(t *testing.T) {
	e := start(t, httpMode, nil)
	u := e.user("U10")
	onboard(t, u)
	u.T.Event(t, slackfake.HomeOpened("EvHome3", "U10"))
	var home string
	e.fake.Wait(t, "the home", func() bool {
		home = string(e.fake.Home("U10"))
		return home != ""
	})
	if !strings.Contains(home, "Last check-in: none yet") || strings.Contains(home, "Mentees") || strings.Contains(home, "Next session") {
		t.Fatalf("a guest's home: %s", home)
	}
}
