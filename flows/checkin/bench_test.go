package checkin_test

import (
	"strconv"
	"testing"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/content/detect"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/flows"
)

// TestRoundTrips holds a check-in to the store's budget: every answer is one round trip to load and one to save;
// starting and sending each add one for the deadline index (an open check-in is dropped after a day), sending one
// more for the anonymous total (once per person and period).
func TestRoundTrips(t *testing.T) {
	e := newEnv(t, "coord")
	e.join("rt", flows.Mentee, true, true)
	rt := &redis.RoundTrips{}
	e.conn.Client.AddHook(rt)
	rt.Reset()
	e.Say("rt", "/checkin cbi")
	if n := rt.Count(); n > 3 {
		t.Errorf("/checkin cbi: %d round trips, want ≤ 3", n)
	}
	for i, v := range worrying {
		rt.Reset()
		e.Say("rt", strconv.Itoa(v))
		if n := rt.Count(); n > 2 {
			t.Errorf("answer %d: %d round trips, want ≤ 2", i+1, n)
		}
	}
	rt.Reset()
	e.Press("rt", "Send my answers")
	if n := rt.Count(); n > 4 {
		t.Errorf("send: %d round trips, want ≤ 4", n)
	}
}

// BenchmarkCheckinAnswer measures one answer end to end (load, open and re-seal the open answers, save) on Redis.
func BenchmarkCheckinAnswer(b *testing.B) {
	e := newEnv(b, "coord")
	e.join("bench", flows.Mentee, true, true)
	rt := &redis.RoundTrips{}
	e.conn.Client.AddHook(rt)
	b.ReportAllocs()
	var trips int64
	for i := range b.N {
		b.StopTimer()
		if i%7 == 0 {
			e.Say("bench", "/checkin cbi")
		}
		rt.Reset()
		b.StartTimer()
		e.Say("bench", "3")
		trips += rt.Count()
	}
	b.ReportMetric(float64(trips)/float64(b.N), "roundtrips/op")
}

// BenchmarkSafetyMatch measures the safety detector every free text goes through (a typical sentence).
func BenchmarkSafetyMatch(b *testing.B) {
	det := content.MustDetector()
	text := "had a rough double shift on B wing, the overtime is killing me and I can't take much more of this rota"
	b.ReportAllocs()
	for b.Loop() {
		if det.Classify("en", text).Outcome == detect.Crisis {
			b.Fatal("false alarm")
		}
	}
}
