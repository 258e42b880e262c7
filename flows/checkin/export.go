package checkin

import (
	"math"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// exportDoc is the check-in section of /export: the schedule and every kept result, decrypted and in plain names.
type exportDoc struct {
	Schedule struct {
		Day    string `json:"day"`
		Time   string `json:"time"`
		Zone   string `json:"zone"`
		Paused bool   `json:"paused"`
	} `json:"schedule"`
	LastDone map[string]time.Time `json:"last_done,omitempty"`
	Results  []exportEntry        `json:"results"`
	Note     string               `json:"note"`
}

type exportEntry struct {
	At         time.Time `json:"at"`
	Instrument string    `json:"instrument"`
	Score      float64   `json:"score"`
}

// Export is a privacy.Exporter: the person's check-in data in readable form.
func (m *Module) Export(c *flows.Ctx) (string, any, error) {
	p := c.Profile
	var doc exportDoc
	s := slotOf(p)
	doc.Schedule.Day = s.Day.String()
	doc.Schedule.Time = hhmm(s.Minute)
	doc.Schedule.Zone = p.Location().String()
	doc.Schedule.Paused = p.Checkins.Paused
	doc.LastDone = p.Checkins.Done
	doc.Results = []exportEntry{}
	doc.Note = "Scores are 0-100; higher means more strain. They are kept only with your consent, encrypted, and deleted after the retention period."
	if p.Checkins.Sealed != "" {
		h, err := OpenHistory(m.d.Sealer, p)
		if err != nil {
			// The export still comes: withholding the rest of the person's data would not help them.
			doc.Note = "Your kept results could not be decrypted with the keys this server has. Please tell your coordinator."
		}
		for _, e := range h {
			doc.Results = append(doc.Results, exportEntry{At: e.At, Instrument: e.Inst, Score: math.Round(e.Score*10) / 10})
		}
	}
	return "checkins", doc, nil
}
