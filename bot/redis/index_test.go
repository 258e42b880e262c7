package redis_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync/atomic"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/flows"
)

// failIndexes fails every pipeline that writes a global index while on is set, as a Cluster node holding them
// that is down would.
type failIndexes struct{ on atomic.Bool }

func (f *failIndexes) DialHook(next goredis.DialHook) goredis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

func (f *failIndexes) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook { return next }

func (f *failIndexes) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		if f.on.Load() {
			for _, c := range cmds {
				if name := c.Name(); name == "sadd" || name == "srem" || name == "zadd" || name == "zrem" {
					err := errors.New("CLUSTERDOWN The cluster is down")
					for _, c := range cmds {
						c.SetErr(err)
					}
					return err
				}
			}
		}
		return next(ctx, cmds)
	}
}

// TestIndexesFollowTheSavedState: the global indexes change only with a save that succeeded; a save that lost its
// revision race changes none; a failed index update does not fail the save (the state and the replies are
// stored) and is made good by the user's next save.
func TestIndexesFollowTheSavedState(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	hook := &failIndexes{}
	conn.Client.AddHook(hook)
	s := redis.NewStore(conn.Client)
	ctx := context.Background()
	holders := func(r flows.Role) []string {
		ids, err := s.WithRole(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	p := &flows.Profile{ID: "p1", Lang: "en", Roles: []flows.Role{flows.Guest}}
	if err := s.Save(ctx, "p1", flows.Snapshot{Profile: p}, "e1", nil); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(holders(flows.Guest), []string{"p1"}) {
		t.Fatalf("guests: %q", holders(flows.Guest))
	}

	// A save that lost the race (loaded at revision 0, stored is 1) changes nothing, indexes included.
	stale := &flows.Profile{ID: "p1", Lang: "en", Roles: []flows.Role{flows.Mentor}}
	if err := s.Save(ctx, "p1", flows.Snapshot{Profile: stale}, "e2", nil); !errors.Is(err, flows.ErrConflict) {
		t.Fatalf("stale save: %v", err)
	}
	if len(holders(flows.Mentor)) != 0 || len(holders(flows.Guest)) != 1 {
		t.Fatalf("a refused save changed the indexes: mentors %q, guests %q", holders(flows.Mentor), holders(flows.Guest))
	}

	// The node of the indexes is down: the state is saved all the same, the index update waits.
	hook.on.Store(true)
	snap, _ := s.Load(ctx, "p1", "")
	snap.Profile.Roles = []flows.Role{flows.Coordinator}
	out := &flows.Outbound{To: flows.Identity{Platform: flows.Telegram, ID: "1"}, Replies: []flows.Reply{{Text: "welcome, coordinator"}}}
	if err := s.Save(ctx, "p1", snap, "e3", out); err != nil {
		t.Fatalf("a failed index update failed the save: %v", err)
	}
	hook.on.Store(false)
	if snap, _ := s.Load(ctx, "p1", "e3"); !snap.Seen || !snap.Profile.Has(flows.Coordinator) {
		t.Fatalf("state after the failed index update: %+v", snap)
	}
	if n, _ := conn.Client.HLen(ctx, "mb:{p1}:out").Result(); n != 2 {
		t.Fatalf("the reply is not pending: %d fields", n)
	}
	if len(holders(flows.Coordinator)) != 0 {
		t.Fatal("the failing index was written")
	}

	// The next save, which changes nothing the indexes hold, makes them good.
	snap, _ = s.Load(ctx, "p1", "")
	if err := s.Save(ctx, "p1", snap, "e4", nil); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(holders(flows.Coordinator), []string{"p1"}) || len(holders(flows.Guest)) != 0 {
		t.Fatalf("after the retry: coordinators %q, guests %q", holders(flows.Coordinator), holders(flows.Guest))
	}
	// And then they are left alone again: a save that changes nothing they hold costs two round trips.
	rt := &redis.RoundTrips{}
	conn.Client.AddHook(rt)
	snap, _ = s.Load(ctx, "p1", "")
	if err := s.Save(ctx, "p1", snap, "e5", nil); err != nil {
		t.Fatal(err)
	}
	if n := rt.Count(); n != 2 {
		t.Fatalf("an unchanged save took %d round trips", n)
	}
}
