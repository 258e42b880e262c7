package link_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
	"github.com/m4pris/mentorbot/flows/programme"
)

func setup(e *flows.Engine, b flowtest.Backend) {
	programme.Register(e, programme.Deps{Directory: b, Invites: b, Links: b})
}

var codeRe = regexp.MustCompile(`[0-9A-Z]{5}-[0-9A-Z]{5}`)

// seed stores a profile for a console user directly, as if they had used the bot for a while.
func seed(t *testing.T, h *flowtest.Harness, user string, edit func(p *flows.Profile)) *flows.Profile {
	t.Helper()
	id := flowtest.Identity(user)
	p := &flows.Profile{ID: flows.ProfileID(id), Identities: []flows.Identity{id}, Lang: "en", Onboarded: true, Created: t0}
	edit(p)
	if err := h.Store.Save(context.Background(), p.ID, flows.Snapshot{Profile: p}, "", nil); err != nil {
		t.Fatal(err)
	}
	return p
}

func load(t *testing.T, h *flowtest.Harness, user string) *flows.Profile {
	t.Helper()
	p, err := h.Store.Profile(context.Background(), flows.ProfileID(flowtest.Identity(user)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func makeCode(t *testing.T, h *flowtest.Harness, user string) string {
	t.Helper()
	code := codeRe.FindString(flowtest.Text(h.Say(user, "/link")))
	if code == "" {
		t.Fatal("no link code in the reply")
	}
	return code
}

func TestLinkMergesIntoTheProfileThatMadeTheCode(t *testing.T) {
	h := flowtest.NewHarness(t, nil, setup)
	anna := seed(t, h, "anna", func(p *flows.Profile) {
		p.Name, p.Roles = "Anna", []flows.Role{flows.Mentor}
		p.Consents.KeepScores = flows.Consent{Given: true, At: t0}
		p.Lessons.Done = map[string]time.Time{"a1": t0}
	})
	slack := seed(t, h, "anna-slack", func(p *flows.Profile) {
		p.Roles = []flows.Role{flows.Coordinator}
		p.Lessons.Done = map[string]time.Time{"e1": t1}
		p.Checkins.Last = t2
	})
	code := makeCode(t, h, "anna")
	got := flowtest.Text(h.Say("anna-slack", "/link "+strings.ToLower(code)))
	if !strings.Contains(got, "accounts are linked") {
		t.Fatalf("reply: %q", got)
	}
	m := h.Store.(*flowtest.MemStore)
	if to := m.Linked(slack.ID); to != anna.ID {
		t.Fatalf("link of the joining profile: %q, want %q", to, anna.ID)
	}
	if p := load(t, h, "anna-slack"); p != nil {
		t.Fatalf("the joining profile was not erased: %+v", p)
	}
	merged := load(t, h, "anna")
	want := []flows.Identity{flowtest.Identity("anna"), flowtest.Identity("anna-slack")}
	if d := cmp.Diff(want, merged.Identities); d != "" {
		t.Errorf("identities (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]flows.Role{flows.Coordinator, flows.Mentor}, merged.Roles); d != "" {
		t.Errorf("roles (-want +got):\n%s", d)
	}
	if len(merged.Lessons.Done) != 2 || !merged.Checkins.Last.Equal(t2) || !merged.Consents.KeepScores.Given {
		t.Errorf("merged data: %+v", merged)
	}
	// Both accounts now reach the one profile.
	if got := flowtest.Text(h.Say("anna-slack", "/privacy")); !strings.Contains(got, "Name: Anna") || !strings.Contains(got, "coordinator, mentor") {
		t.Errorf("privacy from the linked account: %q", got)
	}
	// /forget from the linked account erases the profile and the link.
	h.Say("anna-slack", "/forget")
	h.Press("anna-slack", "Yes, erase everything")
	if m.Linked(slack.ID) != "" || load(t, h, "anna") != nil {
		t.Error("forget left the link or the profile")
	}
}

func TestWrongOrExpiredCodeChangesNothing(t *testing.T) {
	h := flowtest.NewHarness(t, nil, setup)
	seed(t, h, "anna", func(p *flows.Profile) { p.Roles = []flows.Role{flows.Mentor} })
	seed(t, h, "bo", func(p *flows.Profile) { p.Roles = []flows.Role{flows.Mentee} })
	code := makeCode(t, h, "anna")
	before := map[string]*flows.Profile{"anna": load(t, h, "anna"), "bo": load(t, h, "bo")}
	unchanged := func(step string) {
		t.Helper()
		for user, p := range before {
			// Seen and the rate count move with every message; nothing else may.
			if d := cmp.Diff(p, load(t, h, user), cmpopts.IgnoreFields(flows.Profile{}, "Seen", "Rate")); d != "" {
				t.Errorf("%s changed %s (-before +after):\n%s", step, user, d)
			}
		}
		if to := h.Store.(*flowtest.MemStore).Linked(flows.ProfileID(flowtest.Identity("bo"))); to != "" {
			t.Errorf("%s linked bo to %s", step, to)
		}
	}
	for _, bad := range []string{"not a code", "ABCDE-FGHJK", strings.Replace(code, code[:1], flipped(code[:1]), 1)} {
		if got := flowtest.Text(h.Say("bo", "/link "+bad)); !strings.Contains(got, "link code") {
			t.Errorf("reply to %q: %q", bad, got)
		}
		unchanged("wrong code " + bad)
	}
	h.Clock.Advance(11 * time.Minute)
	if got := flowtest.Text(h.Say("bo", "/link "+code)); !strings.Contains(got, "older than 10 minutes") {
		t.Errorf("reply to an expired code: %q", got)
	}
	unchanged("expired code")
}

func flipped(s string) string {
	if s == "A" {
		return "B"
	}
	return "A"
}
