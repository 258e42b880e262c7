package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	goredis "github.com/redis/go-redis/v9"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
)

func TestLocksOneOwner(t *testing.T) {
	ctx := context.Background()
	conn := redistest.Open(t, redistest.DBRedis)
	l := redis.NewLocks(conn.Client)
	const ttl = 10 * time.Second

	if ok, err := l.Acquire(ctx, "job", "a", ttl); err != nil || !ok {
		t.Fatalf("a acquire = %v, %v; want true", ok, err)
	}
	if ok, err := l.Acquire(ctx, "job", "b", ttl); err != nil || ok {
		t.Fatalf("b acquire while a holds = %v, %v; want false", ok, err)
	}
	if ok, err := l.Renew(ctx, "job", "b", ttl); err != nil || ok {
		t.Fatalf("b renew = %v, %v; want false", ok, err)
	}
	// b must not be able to release a's lock.
	if err := l.Release(ctx, "job", "b"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := l.Acquire(ctx, "job", "b", ttl); ok {
		t.Fatal("b took the lock after releasing a lock it did not hold")
	}
	if ok, err := l.Renew(ctx, "job", "a", ttl); err != nil || !ok {
		t.Fatalf("a renew = %v, %v; want true", ok, err)
	}
	if err := l.Release(ctx, "job", "a"); err != nil {
		t.Fatal(err)
	}
	if ok, err := l.Acquire(ctx, "job", "b", ttl); err != nil || !ok {
		t.Fatalf("b acquire after a released = %v, %v; want true", ok, err)
	}
	if ok, _ := l.Renew(ctx, "job", "a", ttl); ok {
		t.Fatal("a renewed a lock it had released")
	}
}

func TestLocksExpire(t *testing.T) {
	ctx := context.Background()
	var c redis.Client
	var embedded *miniredis.Miniredis
	if redistest.Real() {
		c = redistest.Open(t, redistest.DBRedis).Client
	} else {
		// The embedded server expires keys only when told time passed.
		embedded = miniredis.RunT(t)
		c = goredis.NewClient(&goredis.Options{Addr: embedded.Addr()})
		t.Cleanup(func() { c.Close() })
	}
	l := redis.NewLocks(c)
	if ok, _ := l.Acquire(ctx, "short", "a", 50*time.Millisecond); !ok {
		t.Fatal("acquire failed")
	}
	if embedded != nil {
		embedded.FastForward(time.Second)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		ok, err := l.Acquire(ctx, "short", "b", time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("an expired lock was never free again")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if ok, _ := l.Renew(ctx, "short", "a", time.Second); ok {
		t.Fatal("the old owner renewed a lock that expired and was taken by another")
	}
}
