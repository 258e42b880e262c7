package checkin_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/checkin"
	"github.com/m4pris/mentorbot/flows/flowtest"
	"github.com/m4pris/mentorbot/flows/seal"
)

func (e *env) history(user string) checkin.History {
	e.t.Helper()
	h, err := checkin.OpenHistory(e.sealer, e.profile(user))
	if err != nil {
		e.t.Fatalf("open history: %v", err)
	}
	return h
}

func (e *env) purge(user string) {
	e.t.Helper()
	task := flows.Task{ID: "purge-" + e.Clock.Now().Format(time.RFC3339), Profile: pid(user), Job: checkin.JobPurge}
	if err := e.Engine.RunTask(context.Background(), task); err != nil {
		e.t.Fatal(err)
	}
}

// TestPurgeAfterRetention: the purge job drops results older than 12 months and keeps the rest; with nothing
// left, nothing sealed stays in the profile. The planner plans the purge for people with kept results.
func TestPurgeAfterRetention(t *testing.T) {
	e := newEnv(t, "coord")
	e.join("gus", flows.Mentee, true, false)
	e.checkin("gus", "cbi", worrying...)
	e.Clock.Advance(200 * 24 * time.Hour)
	e.checkin("gus", "pulse", 3, 3, 3)
	if h := e.history("gus"); len(h) != 2 {
		t.Fatalf("history %+v", h)
	}
	tasks := e.Engine.Plan(e.profile("gus"), e.Clock.Now())
	planned := false
	for _, task := range tasks {
		planned = planned || task.Job == checkin.JobPurge
	}
	if !planned {
		t.Fatalf("no purge planned: %+v", tasks)
	}

	e.Clock.Advance(170 * 24 * time.Hour) // the CBI is now 370 days old, the pulse 170
	e.purge("gus")
	h := e.history("gus")
	if len(h) != 1 || h[0].Inst != "pulse" {
		t.Fatalf("after purge: %+v", h)
	}
	e.Clock.Advance(200 * 24 * time.Hour)
	e.purge("gus")
	if p := e.profile("gus"); p.Checkins.Sealed != "" {
		t.Fatalf("an empty history is still stored: %q", p.Checkins.Sealed)
	}
}

// TestKeyRotation: results sealed with an old key still open when the new key is added in front; the purge job
// re-seals them with the new key, after which the old key can be dropped. With a wrong key, nothing is
// overwritten and the person is told, kindly, that the results cannot be read now.
func TestKeyRotation(t *testing.T) {
	e := newEnv(t, "coord")
	e.join("hal", flows.Mentee, true, false)
	e.sealer.set(box(t, key("old", 1)))
	e.checkin("hal", "cbi", worrying...)
	before := e.profile("hal").Checkins.Sealed
	if id, _ := seal.KeyID(before); id != "old" {
		t.Fatalf("sealed with %q", id)
	}

	e.sealer.set(box(t, key("new", 2), key("old", 1)))
	mustContain(t, "trend with both keys", e.Say("hal", "/checkin trend"), "Work and energy (CBI): ▇ (latest: 79)")
	e.purge("hal")
	after := e.profile("hal").Checkins.Sealed
	if id, _ := seal.KeyID(after); id != "new" {
		t.Fatalf("not re-sealed with the new key: %q", id)
	}

	e.sealer.set(box(t, key("new", 2)))
	mustContain(t, "trend with the new key only", e.Say("hal", "/checkin trend"), "(latest: 79)")

	e.sealer.set(box(t, key("other", 3)))
	mustContain(t, "wrong key", e.Say("hal", "/checkin trend"), "can't read your kept results")
	mustContain(t, "check-in with a wrong key", e.checkin("hal", "cbi", worrying...), "79 out of 100", "couldn't keep this result")
	if got := e.profile("hal").Checkins.Sealed; got != after {
		t.Fatal("results the configured key cannot open were overwritten")
	}
}

// TestExportDecrypts: /export carries the kept results in readable form.
func TestExportDecrypts(t *testing.T) {
	e := newEnv(t, "coord")
	e.join("ida", flows.Mentee, true, false)
	e.checkin("ida", "cbi", worrying...)
	var file *flows.File
	for _, r := range e.Say("ida", "/export") {
		if r.File != nil {
			file = r.File
		}
	}
	if file == nil {
		t.Fatal("no export file")
	}
	var doc struct {
		Sections struct {
			Checkins struct {
				Results []struct {
					Instrument string  `json:"instrument"`
					Score      float64 `json:"score"`
				} `json:"results"`
				Schedule struct{ Day, Time string } `json:"schedule"`
			} `json:"checkins"`
		} `json:"sections"`
	}
	if err := json.Unmarshal(file.Data, &doc); err != nil {
		t.Fatal(err)
	}
	ck := doc.Sections.Checkins
	if len(ck.Results) != 1 || ck.Results[0].Instrument != "cbi-work" || ck.Results[0].Score != 78.6 || ck.Schedule.Day != "Thursday" {
		t.Fatalf("export section: %+v\n%s", ck, file.Data)
	}
	// Withdrawing the consent deletes the kept results at once.
	e.Say("ida", "/privacy")
	e.Press("ida", "Stop keeping my scores")
	if !strings.Contains(string(mustExport(t, e, "ida")), `"results": []`) {
		t.Fatal("results survived the withdrawal")
	}
}

func mustExport(t *testing.T, e *env, user string) []byte {
	t.Helper()
	for _, r := range e.Say(user, "/export") {
		if r.File != nil {
			return r.File.Data
		}
	}
	t.Fatal("no export")
	return nil
}

// TestSafetyPathKeepsTheFlow: crisis wording mid-check-in does not touch the answers given so far.
func TestSafetyPathKeepsTheFlow(t *testing.T) {
	e := newEnv(t, "coord")
	e.join("jo", flows.Mentee, true, false)
	e.Say("jo", "/checkin cbi")
	e.Say("jo", "1")
	e.Say("jo", "1")
	mustContain(t, "crisis", e.Say("jo", "I want to end my life"), "112", "Livslinien", "Carry on where I was")
	mustContain(t, "resume", e.Press("jo", "Carry on where I was"), "Question 3 of 7")
	for _, v := range worrying[2:] {
		e.Say("jo", string(rune('0'+v)))
	}
	mustContain(t, "sent", e.Press("jo", "Send my answers"), "79 out of 100")
	if got := flowtest.Text(e.Inbox("coord")); got != "" {
		t.Fatalf("crisis wording alone told a coordinator:\n%s", got)
	}
}
