package programme_test

import (
	"path/filepath"
	"testing"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/checkin"
	"github.com/m4pris/mentorbot/flows/flowtest"
	"github.com/m4pris/mentorbot/flows/programme"
	"github.com/m4pris/mentorbot/flows/seal"
)

// Setup registers the programme on a harness backend; bot/redis's tests reuse it to run the same transcripts.
// A backend that also keeps alerts and totals (the Redis store) keeps them; otherwise they live in memory.
func Setup(e *flows.Engine, b flowtest.Backend) {
	d := programme.Deps{Directory: b, Invites: b, Links: b, Sealer: seal.NewRandom()}
	if s, ok := b.(checkin.Store); ok {
		d.Checkins = s
	}
	programme.Register(e, d)
}

// TestTranscripts runs every conversation script in testdata against the in-memory store.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			h := flowtest.NewHarness(t, nil, Setup, "coord")
			h.RunFile(f)
		})
	}
}
