package redis_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/flows"
)

// TestMigratesThePreviousLayout: a user stored by the previous build (a key each for profile, conversation,
// revision and handled events, as that build wrote them) loads, and the first save moves them to the document.
func TestMigratesThePreviousLayout(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	c := conn.Client
	ctx := context.Background()
	s := redis.NewStore(c)
	const pid = "oldpid"
	// Exactly what the previous build's Save wrote for a mentee half-way through a check-in.
	c.Set(ctx, "mb:{oldpid}:rev", "7", 0)
	c.Set(ctx, "mb:{oldpid}:profile", `{"id":"oldpid","identities":[{"platform":"telegram","id":"42"}],"name":"Jonas","lang":"da","roles":["mentee"],"consents":{"keep_scores":{"given":true},"alert_coordinator":{"given":false}},"tz":"Europe/Copenhagen","quiet":{"from":1320,"to":420},"onboarded":true,"created":"2026-01-02T10:00:00Z"}`, 0)
	c.Set(ctx, "mb:{oldpid}:conv", `{"flow":"checkin","step":"q","version":1,"slots":{"a":"s1.x"},"seq":4,"offered":[{"v":"1","l":"1"}]}`, 0)
	c.Set(ctx, "mb:{oldpid}:seen:tg:5", "1", time.Hour)
	c.SAdd(ctx, "mb:users", pid)
	c.SAdd(ctx, "mb:role:mentee", pid)

	snap, err := s.Load(ctx, pid, "tg:5")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Profile == nil || snap.Profile.Name != "Jonas" || !snap.Profile.Has(flows.Mentee) || snap.State.Step != "q" || snap.State.Seq != 4 || !snap.Seen {
		t.Fatalf("previous layout read as %+v", snap)
	}
	snap, _ = s.Load(ctx, pid, "tg:6")
	snap.State.Slots["b"] = "s1.y"
	if err := s.Save(ctx, pid, snap, "tg:6", nil); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"mb:{oldpid}:rev", "mb:{oldpid}:profile", "mb:{oldpid}:conv"} {
		if c.Exists(ctx, k).Val() != 0 {
			t.Errorf("%s outlived the move", k)
		}
	}
	snap, err = s.Load(ctx, pid, "tg:6")
	if err != nil || !snap.Seen || snap.Profile.Name != "Jonas" || snap.State.Slots["b"] != "s1.y" || snap.Rev != 1 {
		t.Fatalf("after the move: %+v %v", snap, err)
	}
	if ids, _ := s.WithRole(ctx, flows.Mentee); len(ids) != 1 || ids[0] != pid {
		t.Fatalf("mentees after the move: %q", ids)
	}
}

// TestMigratesPendingAndLinks: a task's replies the previous build had not confirmed sent are sent on the queue's
// retry, and a merged profile's link keeps working.
func TestMigratesPendingAndLinks(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	c := conn.Client
	ctx := context.Background()
	s := redis.NewStore(c)
	c.Set(ctx, "mb:{p1}:rev", "2", 0)
	c.Set(ctx, "mb:{p1}:profile", `{"id":"p1","identities":[{"platform":"telegram","id":"1"}],"lang":"en"}`, 0)
	owed, _ := json.Marshal([]flows.Reply{{Text: "your session starts in an hour"}})
	c.Set(ctx, "mb:{p1}:seen:task:remind-1", owed, time.Hour)
	c.Set(ctx, "mb:{p2}:rev", "3", 0)
	c.Set(ctx, "mb:{p2}:link", "p1", 0)

	snap, err := s.Load(ctx, "p1", "task:remind-1")
	if err != nil || !snap.Seen {
		t.Fatalf("the task's mark: %+v %v", snap, err)
	}
	o, err := s.Claim(ctx, "p1", "task:remind-1")
	if err != nil || o == nil || len(o.Replies) != 1 || o.Replies[0].Text != "your session starts in an hour" {
		t.Fatalf("owed replies: %+v %v", o, err)
	}
	snap, err = s.Load(ctx, "p2", "")
	if err != nil || snap.LinkedTo != "p1" || snap.Profile != nil {
		t.Fatalf("merged profile: %+v %v", snap, err)
	}
	if c.Exists(ctx, "mb:{p2}:link", "mb:{p2}:rev").Val() != 0 || c.Exists(ctx, "mb:{p2}:u").Val() != 1 {
		t.Fatal("the link was not moved to the document")
	}
	if snap, _ := s.Load(ctx, "p2", ""); snap.LinkedTo != "p1" {
		t.Fatalf("moved link: %+v", snap)
	}
}
