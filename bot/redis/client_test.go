package redis

import (
	"testing"
	"time"
)

// TestURLOptions checks that go-redis's own URL parameters reach the client, and that without them go-redis's
// defaults (zero values here) apply.
func TestURLOptions(t *testing.T) {
	o, err := universalOptions("redis://:pw@127.0.0.1:6390/3?max_retries=-1&dial_timeout=250ms&read_timeout=2s&pool_size=7")
	if err != nil {
		t.Fatal(err)
	}
	if o.MaxRetries != -1 || o.DialTimeout != 250*time.Millisecond || o.ReadTimeout != 2*time.Second || o.PoolSize != 7 ||
		o.DB != 3 || o.Password != "pw" || len(o.Addrs) != 1 || o.Addrs[0] != "127.0.0.1:6390" {
		t.Fatalf("options: %+v", o)
	}
	o, err = universalOptions("redis://127.0.0.1:6390/0?sentinel_master=mymaster&addr=127.0.0.1:6391&max_retries=2")
	if err != nil {
		t.Fatal(err)
	}
	if o.MasterName != "mymaster" || len(o.Addrs) != 2 || o.MaxRetries != 2 {
		t.Fatalf("sentinel options: %+v", o)
	}
	o, err = universalOptions("redis://127.0.0.1:6390/0")
	if err != nil {
		t.Fatal(err)
	}
	if o.MaxRetries != 0 || o.DialTimeout != 0 || o.ReadTimeout != 0 || o.PoolSize != 0 || o.MasterName != "" {
		t.Fatalf("defaults changed: %+v", o)
	}
	if _, err := universalOptions("redis://127.0.0.1:6390/0?dial_timeuot=1s"); err == nil {
		t.Fatal("a misspelt parameter was accepted")
	}
}
