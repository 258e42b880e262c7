package redis_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/seal"
)

func pending(event string, saved time.Time, texts ...string) *flows.Outbound {
	o := &flows.Outbound{Event: event, To: flows.Identity{Platform: flows.Telegram, ID: "1"}, Saved: saved}
	for _, t := range texts {
		o.Replies = append(o.Replies, flows.Reply{Text: t})
	}
	return o
}

// save saves pid's loaded snapshot with event and its pending replies (nil: none).
func save(t *testing.T, s *redis.Store, pid, event string, out *flows.Outbound) {
	t.Helper()
	ctx := context.Background()
	snap, err := s.Load(ctx, pid, "")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Profile == nil {
		snap.Profile = &flows.Profile{ID: pid, Lang: "en"}
	}
	if err := s.Save(ctx, pid, snap, event, out); err != nil {
		t.Fatal(err)
	}
}

// TestAcksShareARoundTrip: acknowledgements from many chats at once are written in one pipeline, and each returns
// only once its own write is done.
func TestAcksShareARoundTrip(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	s := redis.NewStore(conn.Client)
	s.AckDelay = 200 * time.Millisecond
	const users = 50
	for i := range users {
		save(t, s, "u"+string(rune('A'+i)), "tg:1", pending("tg:1", time.Now(), "hi"))
	}
	rt := &redis.RoundTrips{}
	conn.Client.AddHook(rt)
	var wg sync.WaitGroup
	for i := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Ack(context.Background(), "u"+string(rune('A'+i)), "tg:1", 1, true); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := rt.Count(); n >= 5 {
		t.Errorf("%d acknowledgements took %d round trips", users, n)
	}
	if keys, _ := conn.Client.Keys(context.Background(), "mb:{*}:out").Result(); len(keys) != 0 {
		t.Errorf("acknowledged replies still pending: %q", keys)
	}
}

// TestClaimOnlyFromTheDead: pending replies are not taken from a live sender; once it is gone (its heartbeat key
// removed at Close, or expired after a crash) one other instance takes them, once.
func TestClaimOnlyFromTheDead(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	ctx := context.Background()
	a, b, c := redis.NewStore(conn.Client), redis.NewStore(conn.Client), redis.NewStore(conn.Client)
	save(t, a, "p1", "tg:7", pending("tg:7", time.Now(), "one", "two"))
	if err := a.Ack(ctx, "p1", "tg:7", 1, false); err != nil {
		t.Fatal(err)
	}
	if o, err := b.Claim(ctx, "p1", "tg:7"); err != nil || o != nil {
		t.Fatalf("claimed from a live sender: %+v %v", o, err)
	}
	a.Close()
	o, err := b.Claim(ctx, "p1", "tg:7")
	if err != nil || o == nil || o.Sent != 1 || o.Profile != "p1" || o.Event != "tg:7" || o.To.ID != "1" {
		t.Fatalf("claim from a dead sender: %+v %v", o, err)
	}
	if o2, _ := c.Claim(ctx, "p1", "tg:7"); o2 != nil {
		t.Fatal("claimed by two live instances")
	}
	if err := o.Done(ctx); err != nil {
		t.Fatal(err)
	}
	if o3, _ := c.Claim(ctx, "p1", "tg:7"); o3 != nil {
		t.Fatal("done replies claimed")
	}
}

// TestStaleTakesOnlyOldOrphans: the sweep takes replies older than the age whose sender is dead or released them,
// nothing a live sender holds, nothing too young.
func TestStaleTakesOnlyOldOrphans(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	ctx := context.Background()
	dead, live, sweeper := redis.NewStore(conn.Client), redis.NewStore(conn.Client), redis.NewStore(conn.Client)
	old := time.Now().Add(-time.Minute)
	save(t, dead, "p1", "tg:1", pending("tg:1", old, "orphan"))
	save(t, dead, "p2", "tg:2", pending("tg:2", time.Now(), "too young"))
	save(t, live, "p3", "tg:3", pending("tg:3", old, "held"))
	save(t, live, "p4", "tg:4", pending("tg:4", old, "released"))
	if err := live.Release(ctx, "p4", "tg:4"); err != nil {
		t.Fatal(err)
	}
	dead.Close()
	got, err := sweeper.Stale(ctx, 5*time.Second, 10)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, o := range got {
		texts = append(texts, o.Replies[0].Text)
	}
	slices.Sort(texts)
	if !slices.Equal(texts, []string{"orphan", "released"}) {
		t.Fatalf("swept %q, want the orphan and the released", texts)
	}
	if again, _ := redis.NewStore(conn.Client).Stale(ctx, 5*time.Second, 10); len(again) != 0 {
		t.Fatalf("swept twice: %d", len(again))
	}
}

// TestHandledIdsBounded: the document remembers the last 32 handled events, so its size stays the same however
// many updates a user sends.
func TestHandledIdsBounded(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	s := redis.NewStore(conn.Client)
	ctx := context.Background()
	event := func(i int) string { return "tg:" + time.Unix(int64(1000+i), 0).Format("150405") }
	var size int64
	for i := range 98 { // revisions 10 to 98 have the same number of digits
		save(t, s, "p1", event(i), nil)
		if i == 40 {
			size = conn.Client.StrLen(ctx, "mb:{p1}:u").Val()
		}
	}
	if n := conn.Client.StrLen(ctx, "mb:{p1}:u").Val(); n != size {
		t.Errorf("document grew from %d to %d bytes over 57 more updates", size, n)
	}
	for i, want := range map[int]bool{97: true, 66: true, 65: false, 0: false} {
		if snap, _ := s.Load(ctx, "p1", event(i)); snap.Seen != want {
			t.Errorf("event %d of 98: seen %v, want %v", i, snap.Seen, want)
		}
	}
}

// TestPendingRepliesSealed: with a data key, replies waiting in Redis are sealed (one may show a person their
// check-in result), and another instance with the key sends them.
func TestPendingRepliesSealed(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	ctx := context.Background()
	box := seal.NewRandom()
	a, b := redis.NewStore(conn.Client), redis.NewStore(conn.Client)
	a.Sealer, b.Sealer = box, box
	save(t, a, "p1", "tg:1", pending("tg:1", time.Now().Add(-time.Minute), "Work and energy (CBI): 79 out of 100"))
	raw := conn.Client.HGetAll(ctx, "mb:{p1}:out").Val()
	if len(raw) != 2 || strings.Contains(raw["tg:1"], "79") || strings.Contains(raw["tg:1"], "CBI") {
		t.Fatalf("pending replies in Redis: %q", raw)
	}
	a.Close()
	got, err := b.Stale(ctx, 5*time.Second, 10)
	if err != nil || len(got) != 1 || got[0].Replies[0].Text != "Work and energy (CBI): 79 out of 100" {
		t.Fatalf("swept %+v, %v", got, err)
	}
}
