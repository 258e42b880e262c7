package detect_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/content/detect"
)

// cpuTime is the process's user and system CPU time. Benchmarks report it per message beside ns/op: on a machine
// shared with other work, wall time counts the waits for a core, CPU time only the work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Messages of the lengths officers write: a short one, a typical venting sentence, and a long run-on message.
var benchTexts = map[string]struct{ lang, text string }{
	"short_en":   {"en", "rough night tbh"},
	"typical_en": {"en", "had a rough double shift on B wing, the overtime is killing me and I can't take much more of this rota"},
	"typical_da": {"da", "havde en lang nattevagt på afdeling B, jeg er dødtræt og orker ikke den vagtplan mere, men det går nok"},
	"typical_ro": {"ro", "am avut o tură dublă pe secția B, mă omoară orele suplimentare și nu mai suport programul ăsta"},
	"crisis_da":  {"da", "jeg kan ikke mere. har tænkt paa at tage mit eget liv hele natten"},
	"long_en":    {"en", "so today an inmate on the threes kicked off during unlock and two of us had to restrain him, my colleague got a punch in the face and I spent the rest of the shift writing reports, then management called me in to say my leave is cancelled again because we're short staffed, and honestly I'm so tired I can't even think straight, I just want to sleep for a week and not see anyone"},
}

// BenchmarkClassify measures one message through Classify: normalising, matching every rule, and the context checks.
func BenchmarkClassify(b *testing.B) {
	det := mustLoad(b)
	for name, m := range benchTexts {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				det.Classify(m.lang, m.text)
			}
			b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// BenchmarkClassifyParallel is Classify from many goroutines, as the engine calls it for concurrent users.
func BenchmarkClassifyParallel(b *testing.B) {
	det := mustLoad(b)
	m := benchTexts["typical_en"]
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if det.Classify(m.lang, m.text).Outcome == detect.Crisis {
				b.Error("false alarm")
			}
		}
	})
}
