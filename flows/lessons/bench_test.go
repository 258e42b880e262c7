package lessons_test

import (
	"testing"

	"github.com/m4pris/mentorbot/flows"
)

// BenchmarkLessonCard measures one "Next" between cards on the in-memory store: engine, flow and rendering,
// without Redis.
func BenchmarkLessonCard(b *testing.B) {
	h := newHarness(b, nil, nil, nil)
	seed(b, h, "bench", "da", flows.Mentee)
	open(h, "bench", a1)
	for b.Loop() {
		b.StopTimer()
		update(b, h, "bench", func(p *flows.Profile) { p.Lessons.Card = 0 })
		open(h, "bench", a1)
		b.StartTimer()
		h.Press("bench", "Næste ▶")
	}
}
