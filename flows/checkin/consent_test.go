package checkin_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

// dump reads every key and value in the test database, as text.
func (e *env) dump() map[string]string {
	e.t.Helper()
	ctx := context.Background()
	c := e.conn.Client
	keys, err := c.Keys(ctx, "*").Result()
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, k := range keys {
		var v any
		switch typ := c.Type(ctx, k).Val(); typ {
		case "string":
			v = c.Get(ctx, k).Val()
		case "hash":
			v = c.HGetAll(ctx, k).Val()
		case "set":
			v = c.SMembers(ctx, k).Val()
		case "zset":
			v = c.ZRangeWithScores(ctx, k, 0, -1).Val()
		case "list":
			v = c.LRange(ctx, k, 0, -1).Val()
		default:
			e.t.Fatalf("key %s of unexpected type %s", k, typ)
		}
		b, _ := json.Marshal(v)
		out[k] = string(b)
	}
	return out
}

// scoreText matches how the score of the worrying CBI (78.57…) could appear in clear anywhere.
var scoreText = regexp.MustCompile(`78[.,]5|78[.,]6|\b79\b`)

func (e *env) profile(user string) *flows.Profile {
	e.t.Helper()
	p, err := e.store.Profile(context.Background(), pid(user))
	if err != nil || p == nil {
		e.t.Fatalf("profile of %s: %v", user, err)
	}
	return p
}

// TestNoConsentNoScoreInRedis: without the keep-scores consent a check-in is shown and discarded. Every key and
// value in Redis is read afterwards: no score, no sealed history, no scored total, no alert. The same scan after a
// check-in with consent finds the sealed history and the scored total (so the scan can fail), and still no score
// in clear.
func TestNoConsentNoScoreInRedis(t *testing.T) {
	e := newEnv(t, "coord")
	e.join("bob", flows.Mentee, false, false)
	for range 2 {
		if got := flowtest.Text(e.checkin("bob", "cbi", worrying...)); !strings.Contains(got, "79 out of 100") || !strings.Contains(got, "haven't kept") {
			t.Fatalf("result without consent:\n%s", got)
		}
	}
	// Also leave a check-in open half-way: its answers sit in the conversation state meanwhile.
	e.Say("bob", "/checkin cbi")
	e.Say("bob", "1")
	e.Say("bob", "1")

	for k, v := range e.dump() {
		if scoreText.MatchString(v) {
			t.Errorf("%s holds a score in clear: %s", k, v)
		}
		if strings.HasPrefix(k, "mb:tally:") && (strings.Contains(v, `:s"`) || strings.Contains(v, `:n"`)) {
			t.Errorf("%s counts a score without consent: %s", k, v)
		}
		if strings.HasPrefix(k, "mb:alert:") {
			t.Errorf("an alert was stored without consent: %s", k)
		}
	}
	// The open check-in's answers are in the conversation state, sealed.
	snap, err := e.store.Load(context.Background(), pid("bob"), "")
	if err != nil {
		t.Fatal(err)
	}
	st := snap.State
	if a := st.Slots["a"]; !strings.HasPrefix(a, "s1.") || strings.Contains(a, "w1") || st.Step != "q" {
		t.Fatalf("open answers not sealed: step %q, %q", st.Step, a)
	}
	if p := e.profile("bob"); p.Checkins.Sealed != "" {
		t.Fatal("sealed history without consent")
	}
	if got := e.Inbox("coord"); len(got) > 0 {
		t.Fatalf("a coordinator was told without consent:\n%s", flowtest.Text(got))
	}
	for _, task := range e.Queue.Pending() {
		if strings.HasPrefix(string(task.Job), "alert.") {
			t.Fatalf("alert task queued without consent: %+v", task)
		}
	}

	// With consent: the history is there, sealed, and the total is scored.
	e.join("anna", flows.Mentee, true, false)
	e.checkin("anna", "cbi", worrying...)
	dump := e.dump()
	if p := e.profile("anna"); !strings.HasPrefix(p.Checkins.Sealed, "s1.k1.") {
		t.Fatalf("no sealed history with consent: %q", p.Checkins.Sealed)
	}
	scored := false
	for k, v := range dump {
		if strings.HasPrefix(k, "mb:tally:") && strings.Contains(v, `:s"`) {
			scored = true
		}
		if scoreText.MatchString(v) && !strings.HasPrefix(k, "mb:tally:") {
			t.Errorf("%s holds a score in clear: %s", k, v)
		}
	}
	if !scored {
		t.Fatal("the consenting check-in was not counted in the totals")
	}
}

// TestNoAlertConsentNoQuestion: worrying check-ins without the alert consent never ask about a coordinator.
func TestNoAlertConsentNoQuestion(t *testing.T) {
	e := newEnv(t, "coord")
	e.join("cara", flows.Mentee, true, false)
	e.checkin("cara", "cbi", worrying...)
	got := flowtest.Text(e.checkin("cara", "cbi", worrying...))
	if strings.Contains(got, "May I let a coordinator know") || !strings.Contains(got, "don't have to sort this out on your own") {
		t.Fatalf("second worrying CBI without alert consent:\n%s", got)
	}
	if len(e.Inbox("coord")) > 0 {
		t.Fatal("coordinator told without consent")
	}
}
