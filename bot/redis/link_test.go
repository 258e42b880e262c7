package redis_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/link"
)

func TestLinkCodeClaimedOnce(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	s := redis.NewStore(conn.Client)
	ctx := context.Background()
	exp := time.Date(2026, 11, 27, 10, 10, 0, 0, time.UTC)
	if err := s.PutLinkCode(ctx, "h1", link.Code{Profile: "p1", Expires: exp}, link.TTL); err != nil {
		t.Fatal(err)
	}
	ttl, _ := conn.Client.PTTL(ctx, "mb:linkcode:h1").Result()
	if ttl <= 0 || ttl > link.TTL {
		t.Fatalf("code TTL %v, want within %v", ttl, link.TTL)
	}
	if ok, err := s.ClaimLinkCode(ctx, "nope", "p2"); ok || err != nil {
		t.Fatalf("claiming an unknown code: %v %v", ok, err)
	}
	if n, _ := conn.Client.Exists(ctx, "mb:linkcode:nope").Result(); n != 0 {
		t.Fatal("claiming an unknown code created it")
	}
	if ok, err := s.ClaimLinkCode(ctx, "h1", "p2"); !ok || err != nil {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	if ok, _ := s.ClaimLinkCode(ctx, "h1", "p3"); ok {
		t.Fatal("a code was claimed twice")
	}
	c, ok, err := s.LinkCode(ctx, "h1")
	if err != nil || !ok || c.Profile != "p1" || c.ClaimedBy != "p2" || !c.Expires.Equal(exp) {
		t.Fatalf("code after claim: %+v %v %v", c, ok, err)
	}
}

func TestMergeProfilesRetiresTheJoiningProfile(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	s := redis.NewStore(conn.Client)
	ctx := context.Background()
	tg := flows.Identity{Platform: flows.Telegram, ID: "7"}
	sl := flows.Identity{Platform: flows.Slack, ID: "U7"}
	old := flows.Identity{Platform: flows.Console, ID: "seven"} // linked into the Slack profile earlier
	into := &flows.Profile{ID: flows.ProfileID(tg), Identities: []flows.Identity{tg}, Roles: []flows.Role{flows.Mentor}}
	from := &flows.Profile{ID: flows.ProfileID(sl), Identities: []flows.Identity{sl, old}, Roles: []flows.Role{flows.Coordinator}}
	for _, p := range []*flows.Profile{into, from} {
		out := &flows.Outbound{To: p.Identities[0], Replies: []flows.Reply{{Text: "pending"}}}
		if err := s.Save(ctx, p.ID, flows.Snapshot{Profile: p}, "ev-"+p.ID, out); err != nil {
			t.Fatal(err)
		}
	}
	oldPID := flows.ProfileID(old)
	conn.Client.Set(ctx, "mb:{"+oldPID+"}:link", from.ID, 0) // linked by the previous build (a key of its own)

	err := s.MergeProfiles(ctx, from, into.ID, func(p *flows.Profile) { link.Merge(p, from) })
	if err != nil {
		t.Fatal(err)
	}
	merged, _ := s.Profile(ctx, into.ID)
	if !merged.Has(flows.Coordinator) || !merged.Has(flows.Mentor) || len(merged.Identities) != 3 {
		t.Fatalf("merged profile: %+v", merged)
	}
	keys, _ := conn.Client.Keys(ctx, "mb:{"+from.ID+"}:*").Result()
	slices.Sort(keys)
	// The link (with the handled event ids) and the replies still owed to the person.
	want := []string{"mb:{" + from.ID + "}:out", "mb:{" + from.ID + "}:u"}
	if !slices.Equal(keys, want) {
		t.Fatalf("keys of the joining profile: %q, want %q", keys, want)
	}
	snap, _ := s.Load(ctx, from.ID, "ev-"+from.ID)
	if snap.LinkedTo != into.ID || snap.Rev != 2 || snap.Profile != nil || !snap.Seen {
		t.Fatalf("joining profile after merge: linked to %q, rev %d, profile %v, seen %v", snap.LinkedTo, snap.Rev, snap.Profile, snap.Seen)
	}
	// An update loaded before the merge cannot write the joining profile back.
	if err := s.Save(ctx, from.ID, flows.Snapshot{Profile: from, Rev: 1}, "", nil); !errors.Is(err, flows.ErrConflict) {
		t.Fatalf("stale save of the joining profile: %v", err)
	}
	if err := s.Unindex(ctx, from.ID); err != nil {
		t.Fatal(err)
	}
	coords, _ := s.WithRole(ctx, flows.Coordinator)
	if !slices.Equal(coords, []string{into.ID}) {
		t.Fatalf("coordinators after merge: %q", coords)
	}
	if got, _ := s.Load(ctx, oldPID, ""); got.LinkedTo != into.ID {
		t.Fatalf("older link points at %q, want %q", got.LinkedTo, into.ID)
	}
	// /forget of the merged profile removes the links to it.
	if err := s.Unlink(ctx, from.ID, oldPID); err != nil {
		t.Fatal(err)
	}
	for _, pid := range []string{from.ID, oldPID} {
		if keys, _ := conn.Client.Keys(ctx, "mb:{"+pid+"}:*").Result(); len(keys) != 0 {
			t.Fatalf("keys left after unlink: %q", keys)
		}
	}
}

func TestMergeIntoAnErasedProfile(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	s := redis.NewStore(conn.Client)
	from := &flows.Profile{ID: "p2"}
	err := s.MergeProfiles(context.Background(), from, "gone", func(*flows.Profile) { t.Fatal("merge ran on nothing") })
	if !errors.Is(err, link.ErrGone) {
		t.Fatalf("merge into an erased profile: %v", err)
	}
}
