package programme_test

import (
	"path/filepath"
	"testing"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
	"github.com/m4pris/mentorbot/flows/programme"
)

// Setup registers the programme on a harness backend; bot/redis's tests reuse it to run the same transcripts.
func Setup(e *flows.Engine, b flowtest.Backend) {
	programme.Register(e, programme.Deps{Directory: b, Invites: b, Links: b})
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
