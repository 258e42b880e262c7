package checkin_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/checkin"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

func (e *env) plan(user string) []flows.Task {
	e.t.Helper()
	var out []flows.Task
	for _, task := range e.Engine.Plan(e.profile(user), e.Clock.Now()) {
		if task.Job == checkin.JobPrompt {
			out = append(out, task)
		}
	}
	return out
}

// TestPlannerAndPrompt: the planner plans the next prompt on the weekly slot (Thursday 18:30 Copenhagen), the
// CBI first and then the pulse; planning twice gives the same task; the prompt offers Start / Later / Skip, and
// Later asks once more three hours on.
func TestPlannerAndPrompt(t *testing.T) {
	e := newEnv(t, "coord")
	e.join("kim", flows.Mentee, true, false) // the harness clock: Friday 27 November 2026, 10:00 UTC
	tasks := e.plan("kim")
	if len(tasks) != 1 {
		t.Fatalf("planned %+v", tasks)
	}
	task := tasks[0]
	want := time.Date(2026, 12, 3, 17, 30, 0, 0, time.UTC)
	if task.ID != "checkin:"+pid("kim")+":2026-12-03" || string(task.Args) != `{"inst":"cbi-work","date":"2026-12-03"}` || !task.At.Equal(want) {
		t.Fatalf("task %+v", task)
	}
	if again := e.plan("kim"); again[0].ID != task.ID || string(again[0].Args) != string(task.Args) || !again[0].At.Equal(task.At) {
		t.Fatal("planning twice gave another task")
	}

	if err := e.Queue.Enqueue(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(want)
	e.RunDue()
	prompt := e.Inbox("kim")
	mustContain(t, "prompt", prompt, "Time for your check-in: Work and energy (CBI)", "[Start][Later][Skip this one]")

	e.Press("kim", "Later")
	e.Clock.Advance(3 * time.Hour)
	e.RunDue()
	again := withButtons(e.Inbox("kim"))
	if !strings.Contains(again, "Time for your check-in") || strings.Contains(again, "[Later]") {
		t.Fatalf("the later prompt:\n%s", again)
	}
	mustContain(t, "start", e.Press("kim", "Start"), "Question 1 of 7")
	for _, v := range worrying {
		e.Say("kim", string(rune('0'+v)))
	}
	e.Press("kim", "Send my answers")

	// With the CBI done, next week brings the pulse.
	next := e.plan("kim")
	if len(next) != 1 || !strings.HasPrefix(string(next[0].Args), `{"inst":"pulse","date":"2026-12-10"`) {
		t.Fatalf("after the CBI: %+v", next)
	}
	// The old prompt, delivered again (a retry), offers nothing: the CBI is done.
	if err := e.Engine.RunTask(context.Background(), flows.Task{ID: "again", Profile: pid("kim"), Job: checkin.JobPrompt, V: task.V, Args: task.Args}); err != nil {
		t.Fatal(err)
	}
	if got := e.Inbox("kim"); len(got) > 0 {
		t.Fatalf("a done check-in was offered again:\n%s", flowtest.Text(got))
	}
}

// TestPromptDoesNotClobber: a prompt that arrives mid-conversation leaves the conversation as it is.
func TestPromptDoesNotClobber(t *testing.T) {
	e := newEnv(t, "coord")
	e.join("lea", flows.Mentee, false, false)
	e.Say("lea", "/settings")
	task := e.plan("lea")[0]
	e.Clock.Set(task.At)
	if err := e.Engine.RunTask(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	mustContain(t, "busy prompt", e.Inbox("lea"), "Finish what you're doing first")
	// The settings list is still the open question: its "Done" still works.
	mustContain(t, "settings", e.Say("lea", "Done"), "Settings saved")
}

// TestScheduleQuietAndPause: a new slot moves the plan; quiet hours push the prompt out of them; pausing plans none.
func TestScheduleQuietAndPause(t *testing.T) {
	e := newEnv(t, "coord")
	e.join("max", flows.Mentee, false, false) // quiet hours 22:00–07:00
	e.Say("max", "/checkin time")
	e.Press("max", "Mon")
	mustContain(t, "time", e.Say("max", "6:30"), "Saved: Mon at 06:30", "quiet hours")
	task := e.plan("max")[0]
	// Monday 30 November 06:30 Copenhagen is in quiet hours: the prompt comes at 07:00 (06:00 UTC).
	if !strings.HasSuffix(task.ID, ":2026-11-30") || !task.At.Equal(time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)) {
		t.Fatalf("task %+v", task)
	}
	e.Say("max", "/checkin pause")
	if got := e.plan("max"); len(got) != 0 {
		t.Fatalf("planned while paused: %+v", got)
	}
	e.Say("max", "/checkin resume")
	if got := e.plan("max"); len(got) != 1 {
		t.Fatal("nothing planned after resuming")
	}
	// Guests are not offered check-ins.
	e.onboard("guest", true, true)
	if got := e.plan("guest"); len(got) != 0 {
		t.Fatalf("a guest got a prompt: %+v", got)
	}
	mustContain(t, "guest", e.Say("guest", "/checkin"), "Check-ins are for members of the programme")
}

func TestForgedPromptButtons(t *testing.T) {
	e := newEnv(t, "coord")
	e.join("ned", flows.Mentee, false, false)
	for _, payload := range []string{"g:checkin.later cbi-work not-a-date", "g:checkin.later nothing 2026-12-03", "g:checkin.later", "g:reach nobody", "g:alert.ack x"} {
		got := withButtons(e.Send("ned", flows.Event{Payload: payload}))
		if !strings.Contains(got, "no longer open") && !strings.Contains(got, "only for coordinators") {
			t.Errorf("%s: %s", payload, got)
		}
	}
	if n := len(e.Queue.Pending()); n != 0 {
		t.Fatalf("forged buttons queued %d tasks", n)
	}
}

// TestPromptHonoursQuietHoursSetLater: quiet hours chosen after the prompt was planned hold it back until they end,
// instead of a prompt in the middle of them.
func TestPromptHonoursQuietHoursSetLater(t *testing.T) {
	e := newEnv(t, "coord")
	e.join("kim", flows.Mentee, true, false)
	task := e.plan("kim")[0] // Thursday 3 December, 18:30 Copenhagen
	ctx := context.Background()
	snap, err := e.store.Load(ctx, pid("kim"), "")
	if err != nil {
		t.Fatal(err)
	}
	snap.Profile.Quiet = flows.Window{From: 18 * 60, To: 21 * 60} // an evening shift, set after planning
	if err := e.store.Save(ctx, pid("kim"), snap, "", nil); err != nil {
		t.Fatal(err)
	}
	if err := e.Queue.Enqueue(ctx, task); err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(task.At)
	e.RunDue()
	if got := e.Inbox("kim"); len(got) > 0 {
		t.Fatalf("prompted in quiet hours:\n%s", flowtest.Text(got))
	}
	e.Clock.Set(time.Date(2026, 12, 3, 20, 0, 0, 0, time.UTC)) // 21:00 Copenhagen: quiet hours over
	e.RunDue()
	mustContain(t, "deferred prompt", e.Inbox("kim"), "Time for your check-in")
}
