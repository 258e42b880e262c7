package redis_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
	"github.com/m4pris/mentorbot/flows/lessons"
	"github.com/m4pris/mentorbot/flows/programme"
)

// allValues returns every key and value in the database as text, for "is it stored anywhere" assertions.
func allValues(t *testing.T, c redis.Client) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	iter := c.Scan(ctx, 0, "*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		b.WriteString(k + "\n")
		switch c.Type(ctx, k).Val() {
		case "string":
			b.WriteString(c.Get(ctx, k).Val())
		case "hash":
			for f, v := range c.HGetAll(ctx, k).Val() {
				b.WriteString(f + "=" + v + "\n")
			}
		case "list":
			b.WriteString(strings.Join(c.LRange(ctx, k, 0, -1).Val(), "\n"))
		case "set":
			b.WriteString(strings.Join(c.SMembers(ctx, k).Val(), "\n"))
		case "zset":
			b.WriteString(strings.Join(c.ZRange(ctx, k, 0, -1).Val(), "\n"))
		}
		b.WriteString("\n")
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestLessonTextsNotStored walks a lesson on Redis with a typed reflection, a comment and a practice report, then
// reads every value in the database: the reflection and the report are nowhere, the comment is kept without any
// profile id, and the answer is kept only as correct/incorrect.
func TestLessonTextsNotStored(t *testing.T) {
	conn := redistest.Open(t, redistest.DBLessons)
	fb := redis.NewLessonFeedback(conn.Client)
	h := flowtest.NewHarness(t, redis.NewStore(conn.Client), func(e *flows.Engine, b flowtest.Backend) {
		programme.Register(e, programme.Deps{Directory: b, Invites: b, LessonFeedback: fb})
	})
	const (
		reflection = "REFLECTION-7f3: I froze when the inmate shouted."
		report     = "REPORT-9c1: talked to Jonas after the shift."
		comment    = "COMMENT-2b8: more night-shift examples"
	)
	h.Say("ana", "/start")
	for _, b := range []string{"English", "Sounds good", "No, don't keep", "No", "Continue as guest", "Denmark", "22:00–07:00"} {
		h.Press("ana", b)
	}
	h.Send("ana", flows.Event{Payload: flows.ActionPayload("lessons", "l", "b1-where-stress-comes-from")})
	for range 4 {
		h.Press("ana", "Next ▶")
	}
	h.Press("ana", "A")
	if got := flowtest.Text(h.Say("ana", reflection)); !strings.Contains(got, "I haven't kept it") {
		t.Fatalf("reflection reply: %s", got)
	}
	h.Press("ana", "✓ Got it")
	h.Press("ana", "4")
	h.Say("ana", comment)
	h.Clock.Advance(4 * 24 * time.Hour)
	h.RunDue()
	h.Press("ana", "✅ I tried it")
	h.Say("ana", report)

	all := allValues(t, conn.Client)
	for _, secret := range []string{"REFLECTION-7f3", "REPORT-9c1", "I froze", "Jonas"} {
		if strings.Contains(all, secret) {
			t.Fatalf("%q is stored in Redis", secret)
		}
	}
	if !strings.Contains(all, comment) {
		t.Fatal("the comment was not kept")
	}
	id := flows.ProfileID(flowtest.Identity("ana"))
	for _, k := range []string{"mb:lessons:stats:b1-where-stress-comes-from", "mb:lessons:comments:b1-where-stress-comes-from"} {
		v := allValuesOf(t, conn.Client, k)
		if v == "" || strings.Contains(v, id) || strings.Contains(v, "ana") {
			t.Fatalf("%s: %q (empty, or names the person)", k, v)
		}
	}
	if !strings.Contains(all, `"correct":{"b1-where-stress-comes-from":true}`) {
		t.Fatal("the answer is not kept as correct/incorrect in the profile")
	}
}

func allValuesOf(t *testing.T, c redis.Client, key string) string {
	t.Helper()
	ctx := context.Background()
	switch c.Type(ctx, key).Val() {
	case "hash":
		var b strings.Builder
		for f, v := range c.HGetAll(ctx, key).Val() {
			b.WriteString(f + "=" + v + ";")
		}
		return b.String()
	case "list":
		return strings.Join(c.LRange(ctx, key, 0, -1).Val(), ";")
	}
	return ""
}

// TestLessonFeedbackReport stores feedback in Redis and checks the CSV built from it: groups under 5 are suppressed.
func TestLessonFeedbackReport(t *testing.T) {
	conn := redistest.Open(t, redistest.DBLessons)
	fb := redis.NewLessonFeedback(conn.Client)
	fb.MaxComments = 3
	ctx := context.Background()
	lib := content.MustDefaultLibrary()
	few, many := lib.LessonsOf("A")[0].ID, lib.LessonsOf("A")[1].ID
	for range 4 {
		must(t, fb.Completed(ctx, few))
		must(t, fb.Rated(ctx, few, 5))
		must(t, fb.Commented(ctx, few, "only four of us"))
	}
	for i := range 6 {
		must(t, fb.Completed(ctx, many))
		must(t, fb.Rated(ctx, many, 1+i%5))
		must(t, fb.Commented(ctx, many, "comment "+string(rune('a'+i))))
	}
	if err := fb.Rated(ctx, many, 6); err == nil {
		t.Fatal("a rating of 6 was accepted")
	}
	stats, err := fb.Stats(ctx, []string{few, many, "c1-when-it-starts-to-rub"})
	if err != nil {
		t.Fatal(err)
	}
	if got := stats[many]; got.Completions != 6 || got.Ratings != [5]int{2, 1, 1, 1, 1} || strings.Join(got.Comments, ",") != "comment d,comment e,comment f" {
		t.Fatalf("stats of %s: %+v", many, got)
	}
	if _, ok := stats["c1-when-it-starts-to-rub"]; ok {
		t.Fatal("a lesson without feedback has stats")
	}
	data, err := lessons.ReportCSV(lib.LessonsOf("A")[:2], stats, "en")
	if err != nil {
		t.Fatal(err)
	}
	csv := string(data)
	if !strings.Contains(csv, few+",A,The three conversations inside a hard talk,<5,,,,,,,,\n") {
		t.Fatalf("four completions not suppressed:\n%s", csv)
	}
	if !strings.Contains(csv, ",6,2,1,1,1,1,6,2.67,comment d | comment e | comment f\n") || strings.Contains(csv, "only four") {
		t.Fatalf("report:\n%s", csv)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestLessonRoundTrips holds lesson updates to the store's budget: two round trips (load, save), and one more where
// anonymous feedback is counted (completion, rating, comment).
func TestLessonRoundTrips(t *testing.T) {
	conn := redistest.Open(t, redistest.DBLessons)
	rt := &redis.RoundTrips{}
	conn.Client.AddHook(rt)
	fb := redis.NewLessonFeedback(conn.Client)
	h := flowtest.NewHarness(t, redis.NewStore(conn.Client), func(e *flows.Engine, b flowtest.Backend) {
		programme.Register(e, programme.Deps{Directory: b, Invites: b, LessonFeedback: fb})
	})
	join := func(user string) {
		h.Say(user, "/start")
		for _, b := range []string{"English", "Sounds good", "No, don't keep", "No", "Continue as guest", "Denmark", "22:00–07:00"} {
			h.Press(user, b)
		}
	}
	user := "warm"
	steps := []struct {
		do  func()
		max int64
	}{
		{func() { h.Say(user, "/lessons") }, 2},
		{func() { h.Press(user, "▶ Next lesson") }, 2},
		{func() { h.Press(user, "Next ▶") }, 2},
		{func() { h.Press(user, "Next ▶") }, 2},
		{func() { h.Press(user, "Next ▶") }, 2},
		{func() { h.Press(user, "Next ▶") }, 2},
		{func() { h.Press(user, "B") }, 2},
		{func() { h.Say(user, "a thought") }, 2},
		{func() { h.Press(user, "✓ Got it") }, 3},
		{func() { h.Press(user, "5") }, 3},
		{func() { h.Say(user, "good one") }, 3},
	}
	// A first walk warms the script cache and the connection pool, so the count shows the steady state.
	join(user)
	for _, s := range steps {
		s.do()
	}
	user = "rt"
	join(user)
	for i, s := range steps {
		rt.Reset()
		s.do()
		if n := rt.Count(); n > s.max {
			t.Errorf("step %d took %d round trips, want ≤ %d", i, n, s.max)
		}
	}
}
