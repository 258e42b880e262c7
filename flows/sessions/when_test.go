package sessions

import (
	"testing"
	"time"
)

func TestParseWhen(t *testing.T) {
	cph, _ := time.LoadLocation("Europe/Copenhagen")
	buh, _ := time.LoadLocation("Europe/Bucharest")
	fri := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) // Friday, 11:00 in Copenhagen
	tests := []struct {
		in     string
		now    time.Time
		loc    *time.Location
		want   string // local time, or "" when refused
		status int
	}{
		{"tomorrow 15:30", fri, cph, "2026-11-28 15:30", whenOK},
		{"3/12 14:00", fri, cph, "2026-12-03 14:00", whenOK},
		{"3.12 14.00", fri, cph, "2026-12-03 14:00", whenOK},
		{"i morgen 15.30", fri, cph, "2026-11-28 15:30", whenOK},
		{"I MORGEN kl. 15.30", fri, cph, "2026-11-28 15:30", whenOK},
		{"mâine 15:30", fri, buh, "2026-11-28 15:30", whenOK},
		{"maine ora 15:30", fri, buh, "2026-11-28 15:30", whenOK},
		{"poimâine 9", fri, buh, "2026-11-29 09:00", whenOK},
		{"overmorgen 9", fri, cph, "2026-11-29 09:00", whenOK},
		{"luni ora 14", fri, buh, "2026-11-30 14:00", whenOK},
		{"marți, 14:30", fri, buh, "2026-12-01 14:30", whenOK},
		{"mandag kl. 8", fri, cph, "2026-11-30 08:00", whenOK},
		{"fredag kl. 9", fri, cph, "2026-12-04 09:00", whenOK}, // Friday 9:00 has passed today: next Friday
		{"friday 18:00", fri, cph, "2026-11-27 18:00", whenOK},
		{"3. december 14", fri, cph, "2026-12-03 14:00", whenOK},
		{"torsdag d. 3. dec kl. 14", fri, cph, "2026-12-03 14:00", whenOK},
		{"3 decembrie 2026 10:00", fri, buh, "2026-12-03 10:00", whenOK},
		{"15:30", fri, cph, "2026-11-27 15:30", whenOK},
		{"9:00", fri, cph, "2026-11-28 09:00", whenOK},
		{"3pm", fri, cph, "2026-11-27 15:00", whenOK},
		{"3/1 10:00", fri, cph, "2027-01-03 10:00", whenOK},
		{"today 10:00", fri, cph, "", whenPast},
		{"1/1/2030 10:00", fri, cph, "", whenTooFar},
		{"31/2 10:00", fri, cph, "", whenUnreadable},
		{"tomorrow 25:00", fri, cph, "", whenUnreadable},
		{"yesterday 10:00", fri, cph, "", whenUnreadable},
		{"whenever", fri, cph, "", whenUnreadable},
		{"", fri, cph, "", whenUnreadable},
		{"13pm", fri, cph, "", whenUnreadable},
		{"15:3", fri, cph, "", whenUnreadable},
	}
	for _, tt := range tests {
		got, status := ParseWhen(tt.in, tt.now, tt.loc)
		if status != tt.status {
			t.Errorf("%q: status %d, want %d (got %v)", tt.in, status, tt.status, got)
			continue
		}
		if tt.want != "" && got.In(tt.loc).Format("2006-01-02 15:04") != tt.want {
			t.Errorf("%q = %s, want %s", tt.in, got.In(tt.loc).Format("2006-01-02 15:04"), tt.want)
		}
	}
}

// TestParseWhenDST: typed times on the days the clocks change (last Sunday of March and of October 2026) land on
// the right instant in each zone.
func TestParseWhenDST(t *testing.T) {
	cph, _ := time.LoadLocation("Europe/Copenhagen")
	buh, _ := time.LoadLocation("Europe/Bucharest")
	sat := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 10, 0, 0, 0, time.UTC) }
	tests := []struct {
		in   string
		now  time.Time
		loc  *time.Location
		want time.Time // UTC
	}{
		{"i morgen 15.30", sat(3, 28), cph, time.Date(2026, 3, 29, 13, 30, 0, 0, time.UTC)},   // CEST, UTC+2
		{"mâine 15:30", sat(3, 28), buh, time.Date(2026, 3, 29, 12, 30, 0, 0, time.UTC)},      // EEST, UTC+3
		{"i morgen 15.30", sat(10, 24), cph, time.Date(2026, 10, 25, 14, 30, 0, 0, time.UTC)}, // CET, UTC+1
		{"mâine 15:30", sat(10, 24), buh, time.Date(2026, 10, 25, 13, 30, 0, 0, time.UTC)},    // EET, UTC+2
		// 02:30 does not exist in Copenhagen on 29 March: it is read as the instant 02:30 CET would be (03:30 CEST).
		{"i morgen 2.30", sat(3, 28), cph, time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)},
		// 03:30 on 25 October happens twice in Bucharest: Go takes the second (winter) one; both read 03:30.
		{"mâine 3:30", sat(10, 24), buh, time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, status := ParseWhen(tt.in, tt.now, tt.loc)
		if status != whenOK || !got.Equal(tt.want) {
			t.Errorf("%q in %s: %v (status %d), want %v", tt.in, tt.loc, got.UTC(), status, tt.want)
		}
	}
}

// TestRemindAtDST: a reminder a whole number of days before keeps the local clock time across a change; shorter
// ones are exact.
func TestRemindAtDST(t *testing.T) {
	cph, _ := time.LoadLocation("Europe/Copenhagen")
	buh, _ := time.LoadLocation("Europe/Bucharest")
	spring := time.Date(2026, 3, 29, 15, 30, 0, 0, cph) // Sunday after the change
	autumn := time.Date(2026, 10, 25, 15, 30, 0, 0, buh)
	tests := []struct {
		start time.Time
		min   int
		loc   *time.Location
		want  string
	}{
		{spring, 24 * 60, cph, "2026-03-28 15:30 CET"},
		{spring, 60, cph, "2026-03-29 14:30 CEST"},
		{spring, 2 * 24 * 60, cph, "2026-03-27 15:30 CET"},
		{autumn, 24 * 60, buh, "2026-10-24 15:30 EEST"},
		{autumn, 15, buh, "2026-10-25 15:15 EET"},
	}
	for _, tt := range tests {
		if got := RemindAt(tt.start, tt.min, tt.loc).In(tt.loc).Format("2006-01-02 15:04 MST"); got != tt.want {
			t.Errorf("%v − %d min = %s, want %s", tt.start, tt.min, got, tt.want)
		}
	}
}

func TestParseLead(t *testing.T) {
	tests := map[string]int{"1": 1, "30": 30, "30 min": 30, "2h": 120, "2 timer": 120, "2 ore": 120, "1 day": 1440,
		"1 dag": 1440, "1 zi": 1440, "7 days": 7 * 1440, "8 days": 0, "0": 0, "soon": 0, "15 minutter": 15, "5 x": 0}
	for in, want := range tests {
		got, ok := parseLead(in)
		if (want == 0) == ok || (ok && got != want) {
			t.Errorf("parseLead(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
}
