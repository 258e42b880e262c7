package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/nudge"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/bot/telegram"
	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/checkin"
)

// replicaCeiling is the overall rate the fake Telegram enforces in TestThreeReplicas: Telegram's 30 a second
// scaled up so that 10,000 nudges take about 20 s, not 6 minutes. The bot is configured with the same ceiling.
const replicaCeiling = 500

// TestThreeReplicas runs three `serve` replicas (webhook mode) on one redis-server of the test's own, behind a
// fake Telegram that answers 429 to messages ahead of replicaCeiling a second overall (with bursts of a tenth of
// a second's worth) or of a chat's limit (1 a second, bursts of 3). 10,000 check-in nudges planned for 10,000 officers are delivered by the
// three queue workers: every one exactly once, none refused, at close to the ceiling. The same update delivered
// to all three replicas at once is answered once.
func TestThreeReplicas(t *testing.T) {
	nudges := 10000
	if v, err := strconv.Atoi(os.Getenv("MENTORBOT_REPLICA_NUDGES")); err == nil && v > 0 {
		nudges = v
	}
	srv := redistest.StartServer(t)
	api := telegramtest.New(t)
	api.Enforce(telegramtest.Limits{PerSecond: replicaCeiling, ChatPerSecond: 1, ChatBurst: 3})
	saved := telegramLimits
	telegramLimits = telegram.Limits{PerSecond: replicaCeiling, ChatPerSecond: 1, ChatBurst: 3}
	t.Cleanup(func() { telegramLimits = saved })

	const secret = "replica-secret"
	var reps []*Main
	var hooks []string
	for range 3 {
		vars := telegramEnv(srv.URL(), api, secret)
		vars["MENTORBOT_QUEUE_CONCURRENCY"] = "20"
		vars["MENTORBOT_SHUTDOWN_TIMEOUT"] = "10s"
		r := startServe(t, vars)
		reps = append(reps, r.Main)
		hooks = append(hooks, r.Hook)
	}
	api.Wait(t, 10*time.Second, "the webhook", func() bool { u, _ := api.Webhook(); return u != "" })

	// One update, delivered to all three replicas at once (a load balancer retrying, Telegram redelivering):
	// each answers 200, one reply goes out.
	newcomer := telegramtest.User{ID: 9000001, FirstName: "Ole", Lang: "da"}
	start := telegramtest.Message(1, newcomer, "/start")
	var wg sync.WaitGroup
	codes := make([]int, len(hooks))
	for i, h := range hooks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = telegramtest.Post(t, h, secret, start)
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != 200 {
			t.Fatalf("replica %d answered the update with %d", i, c)
		}
	}
	api.Wait(t, 5*time.Second, "the reply", func() bool { return len(api.Messages(newcomer.ID)) > 0 })
	time.Sleep(500 * time.Millisecond)
	if msgs := api.Messages(newcomer.ID); len(msgs) != 1 {
		t.Fatalf("the update delivered to three replicas was answered %d times", len(msgs))
	}

	// 10,000 officers whose weekly check-in is due now; the plans are the check-in planner's own.
	ctx := context.Background()
	now := time.Now().UTC()
	slot := now.Add(2 * time.Minute)
	profiles := make(chan int)
	tasks := make([]flows.Task, nudges)
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range profiles {
				id := flows.Identity{Platform: flows.Telegram, ID: strconv.Itoa(100000000 + i)}
				lang := []string{"da", "ro", "en"}[i%3]
				p := &flows.Profile{
					ID: flows.ProfileID(id), Identities: []flows.Identity{id}, Name: "Officer", Lang: lang,
					Roles: []flows.Role{flows.Mentee}, TZ: "UTC", Onboarded: true, Created: now,
					Checkins: flows.CheckinData{Slot: &flows.CheckinSlot{Day: slot.Weekday(), Minute: slot.Hour()*60 + slot.Minute()}},
				}
				if err := reps[0].Store.Save(ctx, p.ID, flows.Snapshot{Profile: p}, "", nil); err != nil {
					errs <- err
					return
				}
				for _, task := range reps[0].Engine.Plan(p, now) {
					if task.Job == checkin.JobPrompt {
						task.At = time.Time{} // due now rather than in two minutes
						tasks[i] = task
					}
				}
			}
		}()
	}
	for i := range nudges {
		profiles <- i
	}
	close(profiles)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i, task := range tasks {
		if task.ID == "" {
			t.Fatalf("no check-in prompt planned for officer %d", i)
		}
	}

	before := api.Sent()
	q := nudge.NewQueue(reps[0].Conn.Client, reps[0].Clock, nudge.QueueOptions{})
	if err := q.Enqueue(ctx, tasks...); err != nil {
		t.Fatal(err)
	}
	isPrompt := func(c telegramtest.Call) bool {
		return c.Status == 200 && c.Method == "sendMessage" && c.Chat >= 100000000 && len(c.Keyboard) > 0
	}
	prompts := func() []telegramtest.Call {
		var out []telegramtest.Call
		for _, c := range api.Calls() {
			if isPrompt(c) {
				out = append(out, c)
			}
		}
		return out
	}
	deadline := time.Duration(nudges/replicaCeiling)*3*time.Second + time.Minute
	if !api.WaitFor(deadline, func() bool { return api.Sent()-before >= nudges }) {
		t.Fatalf("after %v: %d of %d nudges sent, %d refused with 429", deadline, api.Sent()-before, nudges, api.RateLimited())
	}
	time.Sleep(time.Second) // a duplicate would arrive now
	sent := prompts()
	perChat := map[int64]int{}
	for _, c := range sent {
		perChat[c.Chat]++
	}
	dups := 0
	for _, n := range perChat {
		if n > 1 {
			dups += n - 1
		}
	}
	span := sent[len(sent)-1].At.Sub(sent[0].At)
	rate := float64(len(sent)-1) / span.Seconds()
	// The busiest second, counted from each send (reported: jitter in arrival may let a window hold a few more
	// than the schedule, which the fake's burst allowance absorbs).
	busiest := 0
	for i, j := 0, 0; i < len(sent); i++ {
		for sent[i].At.Sub(sent[j].At) >= time.Second {
			j++
		}
		busiest = max(busiest, i-j+1)
	}
	t.Logf("%d nudges on three replicas: %d sent to %d chats, %d duplicates, %d answered 429; %v from first to last: "+
		"%.0f/s sustained = %.1f%% of the %d/s ceiling; busiest second %d", nudges, len(sent), len(perChat), dups,
		api.RateLimited(), span.Round(time.Millisecond), rate, 100*rate/replicaCeiling, replicaCeiling, busiest)
	var perReplica []string
	for i, m := range reps {
		perReplica = append(perReplica, fmt.Sprintf("replica %d: %.0f", i, counterSum(m, "mentorbot_tasks_total", map[string]string{"job": string(checkin.JobPrompt)})))
	}
	t.Logf("prompts delivered per replica: %s", strings.Join(perReplica, ", "))
	if len(sent) != nudges || len(perChat) != nudges || dups != 0 {
		t.Fatalf("%d sends to %d chats with %d duplicates; want %d, %d, 0", len(sent), len(perChat), dups, nudges, nudges)
	}
	if n := api.RateLimited(); n != 0 {
		t.Fatalf("Telegram refused %d sends with 429", n)
	}
}
