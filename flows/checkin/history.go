package checkin

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// Entry is one kept check-in result: when, which instrument, the score. Answers to single items and anything
// typed are never kept (data minimisation).
type Entry struct {
	At    time.Time `json:"t"`
	Inst  string    `json:"i"`
	Score float64   `json:"s"`
}

// History is a person's kept results, oldest first.
type History []Entry

// maxEntries bounds the history: a weekly pulse and a monthly CBI for well over the retention period.
const maxEntries = 120

func historyOwner(pid string) string { return pid + "/checkins" }

// OpenHistory decrypts the person's history (empty when nothing is kept).
func OpenHistory(s Sealer, p *flows.Profile) (History, error) {
	if p.Checkins.Sealed == "" {
		return nil, nil
	}
	if s == nil {
		return nil, fmt.Errorf("open history: no data key configured")
	}
	plain, err := s.Open(historyOwner(p.ID), p.Checkins.Sealed)
	if err != nil {
		return nil, fmt.Errorf("open history: %w", err)
	}
	var h History
	if err := json.Unmarshal(plain, &h); err != nil {
		return nil, fmt.Errorf("decode history: %w", err)
	}
	return h, nil
}

// SealHistory encrypts h into the profile (with the current key, so writing is also how old keys retire).
func SealHistory(s Sealer, p *flows.Profile, h History) error {
	if len(h) == 0 {
		p.Checkins.Sealed = ""
		return nil
	}
	if len(h) > maxEntries {
		h = h[len(h)-maxEntries:]
	}
	plain, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("encode history: %w", err)
	}
	sealed, err := s.Seal(historyOwner(p.ID), plain)
	if err != nil {
		return fmt.Errorf("seal history: %w", err)
	}
	p.Checkins.Sealed = sealed
	return nil
}

// Purge drops entries older than the cut-off time.
func (h History) Purge(before time.Time) History {
	out := h[:0:0]
	for _, e := range h {
		if !e.At.Before(before) {
			out = append(out, e)
		}
	}
	return out
}

// Scores returns the scores of one instrument, oldest first.
func (h History) Scores(inst string) []float64 {
	var out []float64
	for _, e := range h {
		if e.Inst == inst {
			out = append(out, e.Score)
		}
	}
	return out
}

var bars = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws scores (0–100) as a row of bars, one a result: the trend in a line of plain text.
func Sparkline(scores []float64) string {
	var b strings.Builder
	for _, s := range scores {
		i := int(math.Round(s / 100 * float64(len(bars)-1)))
		b.WriteRune(bars[max(0, min(i, len(bars)-1))])
	}
	return b.String()
}
