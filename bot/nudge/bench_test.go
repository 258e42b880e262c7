package nudge_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/nudge"
	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

// weeklyCheckin stands in for the check-in feature's planner: a prompt on Sunday at 18:30 in the user's time
// zone, moved out of quiet hours and days off, one id per user and week.
func weeklyCheckin(p *flows.Profile, now time.Time) []flows.Task {
	if !p.Onboarded {
		return nil
	}
	loc := p.Location()
	l := now.In(loc)
	days := (7 - int(l.Weekday())) % 7
	at := time.Date(l.Year(), l.Month(), l.Day()+days, 18, 30, 0, 0, loc)
	if !at.After(now) {
		at = time.Date(l.Year(), l.Month(), l.Day()+days+7, 18, 30, 0, 0, loc)
	}
	y, w := at.ISOWeek()
	return []flows.Task{{ID: fmt.Sprintf("checkin.prompt:%s:%d-%d", p.ID, y, w), Profile: p.ID, Job: "checkin.prompt", At: p.NextAllowed(at)}}
}

var usedMemory = regexp.MustCompile(`used_memory:(\d+)`)

func memory(tb testing.TB, conn *redis.Conn) int64 {
	info, err := conn.Client.Info(context.Background(), "memory").Result()
	if err != nil {
		tb.Fatal(err)
	}
	m := usedMemory.FindStringSubmatch(info)
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

// BenchmarkPlanWeeklyCheckin plans the weekly check-in for 100,000 users (MENTORBOT_BENCH_USERS to change) with the
// real plan job: SSCAN the users, read profiles in pipelined batches, run the planners, enqueue on asynq. It
// reports seconds per plan and Redis memory per user (INFO memory before and after). Real Redis only.
func BenchmarkPlanWeeklyCheckin(b *testing.B) {
	if !redistest.Real() {
		b.Skip("set REDIS_URL: the benchmark measures a real Redis")
	}
	users := 100000
	if v, err := strconv.Atoi(os.Getenv("MENTORBOT_BENCH_USERS")); err == nil && v > 0 {
		users = v
	}
	conn := redistest.Open(b, redistest.DBNudge)
	ctx := context.Background()
	clock := flowtest.NewClock(time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC))
	store := redis.NewStore(conn.Client)
	m0 := memory(b, conn)
	var wg sync.WaitGroup
	ids := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ids {
				id := flows.Identity{Platform: flows.Telegram, ID: strconv.Itoa(100000000 + i)}
				lang := []string{"da", "ro", "en"}[i%3]
				p := &flows.Profile{ID: flows.ProfileID(id), Identities: []flows.Identity{id}, Name: "Officer", Lang: lang,
					Roles: []flows.Role{flows.Mentee}, TZ: flows.DefaultTZ(lang), Quiet: flows.Window{From: 22 * 60, To: 7 * 60},
					DaysOff: []int{i % 7}, Onboarded: true, Created: clock.Now()}
				if err := store.Save(ctx, p.ID, flows.Snapshot{Profile: p}, "", nil); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for i := range users {
		ids <- i
	}
	close(ids)
	wg.Wait()
	m1 := memory(b, conn)
	eng := flows.New(flows.Options{Store: store, Clock: clock, Content: content.MustDefault(), Logger: quiet})
	eng.Add(flows.Feature{Name: "checkin", Planners: []flows.Planner{weeklyCheckin}})
	q := nudge.NewQueue(conn.Client, clock, nudge.QueueOptions{})
	jobs := &nudge.Jobs{Engine: eng, Users: store, Queue: q, Log: quiet}
	plan := jobs.Plan("*/15 * * * *")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := plan.Run(ctx, clock.Now()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	m2 := memory(b, conn)
	ids2, _ := q.Scheduled(10)
	if len(ids2) == 0 {
		b.Fatal("nothing was planned")
	}
	b.ReportMetric(float64(users), "users")
	b.ReportMetric(float64(m1-m0)/float64(users), "profile-B/user")
	b.ReportMetric(float64(m2-m1)/float64(users), "task-B/user")
}
