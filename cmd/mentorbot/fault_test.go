package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/nudge"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
	"github.com/m4pris/mentorbot/flows"
)

// aofSettle is how long a write needs before a SIGKILL cannot lose it. With appendfsync everysec Redis writes the
// AOF at once unless a background fsync is still running, and then postpones the write by up to 2 s.
const aofSettle = 2500 * time.Millisecond

// TestRedisDownDuringWebhookTraffic is the fault issue to its letter: Redis (a redis-server with AOF of the test's
// own) is killed for at least 10 s while Telegram keeps redelivering updates, and restarted with its AOF. While
// it is down every attempt answers 5xx (Telegram redelivers), each update gets one clear "try again in a moment"
// reply, /readyz says not ready, and nothing crashes. After recovery every update is handled exactly once, what
// was saved before the crash is still there, and a session reminder that fell due during the outage, scheduled on
// the real asynq queue, is delivered exactly once.
func TestRedisDownDuringWebhookTraffic(t *testing.T) {
	srv := redistest.StartServer(t)
	api := telegramtest.New(t)
	const secret = "fault-secret"
	// Test-only: no command retries, so a refused attempt takes about half a second (go-redis's five dial tries)
	// instead of about three, and Telegram's redeliveries can come every ~0.7 s. Production keeps go-redis's defaults.
	s := startServe(t, telegramEnv(srv.URL()+"?max_retries=-1", api, secret))
	ctx := context.Background()
	user := telegramtest.User{ID: 7001, FirstName: "Ana", Lang: "en"}
	count := func(chat int64, substr string) int {
		n := 0
		for _, c := range api.Messages(chat) {
			if strings.Contains(c.Plain, substr) {
				n++
			}
		}
		return n
	}
	refused := 0 // 5xx answers, each an update the engine could not handle
	post := func(id int64, text string) int {
		t.Helper()
		code := telegramtest.Post(t, s.Hook, secret, telegramtest.Message(id, user, text))
		if code >= 500 {
			refused++
		}
		return code
	}
	if code := post(1, "/start"); code != 200 {
		t.Fatalf("before the outage: %d", code)
	}
	api.Wait(t, 5*time.Second, "the language question", func() bool { return count(user.ID, "Choose your language") == 1 })

	// A mentee with a confirmed session whose 30-minute reminder falls due in the middle of the outage, on the real
	// queue (asynq in the same Redis), as the sessions flow schedules it.
	mentee := flows.Identity{Platform: flows.Telegram, ID: "7002"}
	due := time.Now().Add(aofSettle + 4*time.Second)
	session := flows.Session{ID: "s-fault", Pair: "p-fault", With: "mentor-fault", WithName: "Ioana",
		At: due.Add(30 * time.Minute), Status: flows.SessionConfirmed, Reminders: []int{30}}
	p := &flows.Profile{ID: flows.ProfileID(mentee), Identities: []flows.Identity{mentee}, Name: "Mihai", Lang: "en",
		Roles: []flows.Role{flows.Mentee}, Onboarded: true, Created: time.Now(),
		Mentoring: flows.MentoringData{Sessions: []flows.Session{session}}}
	if err := s.Store.Save(ctx, p.ID, flows.Snapshot{Profile: p}, "", nil); err != nil {
		t.Fatal(err)
	}
	reminder := flows.NewTask(flows.ReminderTaskID(session.ID, p.ID, 30), p.ID, "ses.remind",
		map[string]any{"session": session.ID, "minutes": 30, "at": session.At.Unix()}).Due(due)
	if err := s.Engine.Enqueue(ctx, reminder); err != nil {
		t.Fatal(err)
	}
	queue := nudge.NewQueue(s.Conn.Client, s.Clock, nudge.QueueOptions{})
	if task, at, err := queue.Info(reminder.ID); err != nil || task == nil || at.Before(due.Add(-time.Second)) {
		t.Fatalf("reminder not scheduled for %v: %+v at %v (%v)", due, task, at, err)
	}
	const remindText = "Reminder: your session with Ioana is in 30 minutes"

	time.Sleep(aofSettle) // the state and the queued reminder are in the AOF
	srv.Kill()            // a crash
	down := time.Now()

	// Telegram redelivers updates 2–4 in turn, about every 0.7 s, for at least 10 s: every attempt must fail loudly
	// (5xx), not be dropped.
	var slowest time.Duration
	readyChecked := false
	for i := 0; time.Since(down) < 10*time.Second; i++ {
		id := int64(2 + i%3)
		start := time.Now()
		if code := post(id, "/help"); code < 500 {
			t.Fatalf("update %d while Redis is down answered %d, want 5xx", id, code)
		}
		slowest = max(slowest, time.Since(start))
		if !readyChecked && time.Since(down) > 3*time.Second {
			if code := s.status("/readyz"); code != http.StatusServiceUnavailable {
				t.Errorf("/readyz while Redis is down: %d, want 503", code)
			}
			readyChecked = true
		}
		time.Sleep(700*time.Millisecond - time.Since(start))
	}
	// One apology per update, not one per redelivery; and no reminder while its queue is unreachable.
	api.Wait(t, 5*time.Second, "a try-again reply for each update", func() bool { return count(user.ID, "try again in a moment") == 3 })
	if n := count(7002, remindText); n != 0 {
		t.Fatalf("reminder sent %d times while Redis was down", n)
	}
	outage := time.Since(down)
	srv.Start()
	t.Logf("Redis down for %v; %d attempts refused with 5xx, the slowest in %v", outage.Round(time.Millisecond), refused, slowest.Round(time.Millisecond))

	for id := int64(2); id <= 4; id++ {
		var code int
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if code = post(id, "/help"); code == 200 {
				break
			}
		}
		if code != 200 {
			t.Fatalf("redelivery of update %d after recovery: %d", id, code)
		}
		// A second redelivery of the same update changes nothing and sends nothing.
		if code := post(id, "/help"); code != 200 {
			t.Fatalf("duplicate of update %d: %d", id, code)
		}
	}
	// Ready again (the first pings may still meet a connection from before the crash).
	if !api.WaitFor(5*time.Second, func() bool { return s.status("/readyz") == http.StatusOK }) {
		t.Errorf("/readyz after recovery: %d", s.status("/readyz"))
	}
	// The conversation saved before the crash survived: the language question is still open.
	if code := post(5, "English"); code != 200 {
		t.Fatalf("after recovery: %d", code)
	}
	if !api.WaitFor(5*time.Second, func() bool { return count(user.ID, "The programme is run by your union") == 1 }) {
		for _, c := range api.Messages(user.ID) {
			t.Logf("sent: %.80q", c.Plain)
		}
		t.Fatal("onboarding did not continue")
	}
	// The reminder comes once the queue is reachable again: once.
	api.Wait(t, 10*time.Second, "the session reminder", func() bool { return count(7002, remindText) >= 1 })

	// Each redelivered /help was answered once: three help texts, not more. The engine saw each update handled
	// once (plus /start and "English"), each duplicate as a duplicate, and each refused attempt as an error.
	api.Wait(t, 5*time.Second, "three help texts", func() bool { return count(user.ID, "/forget") == 3 })
	// Barriers: the reminder's task has left the queue (it cannot be delivered again), and a marker update is
	// answered after any late reply to the same chat (one chat's replies go out in order).
	if !api.WaitFor(10*time.Second, func() bool { task, _, err := queue.Info(reminder.ID); return err == nil && task == nil }) {
		t.Error("the reminder is still queued after delivery")
	}
	if code := post(6, "?"); code != 200 { // not an answer to the open question: asked again, with the reason
		t.Fatalf("marker: %d", code)
	}
	api.Wait(t, 5*time.Second, "the marker's answer", func() bool { return count(user.ID, "Please tap one of the buttons") == 1 })
	if n := count(user.ID, "/forget"); n != 3 {
		t.Errorf("help sent %d times, want 3", n)
	}
	if n := count(7002, remindText); n != 1 {
		t.Errorf("reminder sent %d times, want exactly 1", n)
	}
	if n := count(user.ID, "try again in a moment"); n != 3 {
		t.Errorf("%d try-again replies, want 3", n)
	}
	if task, _, err := queue.Info(reminder.ID); err != nil || task != nil {
		t.Errorf("the reminder is still queued after delivery: %+v (%v)", task, err)
	}
	for outcome, want := range map[string]int{"ok": 6, "duplicate": 3, "error": refused} {
		if got := updatesTotal(s.Main, "telegram", outcome); got != want {
			t.Errorf("mentorbot_updates_total{platform=telegram,outcome=%s} = %d, want %d", outcome, got, want)
		}
	}
}
