package sessions

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Why a typed time was refused.
const (
	whenOK = iota
	whenUnreadable
	whenPast
	whenTooFar
)

// MaxAhead is how far ahead a session can be planned.
const MaxAhead = 180 * 24 * time.Hour

// ParseWhen reads a typed day and time the way people write them in English, Danish and Romanian: "tomorrow
// 15:30", "3/12 14:00", "i morgen 15.30", "mâine 15:30", "fredag kl. 9", "luni ora 14", "3. december 14", or a
// time alone ("15:30": today, or tomorrow if that has passed). Dates are day first (3/12 is 3 December), as in
// both countries. The result is in loc; status says why it was refused.
func ParseWhen(text string, now time.Time, loc *time.Location) (time.Time, int) {
	toks := tokens(text)
	if len(toks) == 0 {
		return time.Time{}, whenUnreadable
	}
	// The time is the last token that reads as one; everything before it names the day.
	hh, mm, ok := parseClock(toks[len(toks)-1])
	if !ok && len(toks) >= 2 {
		// "3 pm", "15 30"? Only the am/pm form is common enough to accept.
		if h, m, ok2 := parseClock(toks[len(toks)-2] + toks[len(toks)-1]); ok2 {
			hh, mm, ok = h, m, true
			toks = toks[:len(toks)-1]
		}
	}
	if !ok {
		return time.Time{}, whenUnreadable
	}
	dayToks := toks[:len(toks)-1]
	local := now.In(loc)
	var y, d int
	var mo time.Month
	explicitYear := false
	switch {
	case len(dayToks) == 0:
		y, mo, d = local.Date()
		if !time.Date(y, mo, d, hh, mm, 0, 0, loc).After(now) {
			y, mo, d = local.AddDate(0, 0, 1).Date()
		}
	default:
		var okDay bool
		y, mo, d, explicitYear, okDay = parseDay(dayToks, local)
		if !okDay {
			return time.Time{}, whenUnreadable
		}
	}
	t := time.Date(y, mo, d, hh, mm, 0, 0, loc)
	if len(dayToks) == 1 && !t.After(now) {
		if _, wd := weekdays[strings.TrimSuffix(dayToks[0], ".")]; wd {
			t = t.AddDate(0, 0, 7) // "friday 9:00" on a Friday afternoon means next Friday
		}
	}
	if !explicitYear && t.Before(now.Add(-24*time.Hour)) && len(dayToks) > 0 && isDate(dayToks) {
		// "3/1" in December means next January.
		t = time.Date(y+1, mo, d, hh, mm, 0, 0, loc)
	}
	switch {
	case !t.After(now):
		return t, whenPast
	case t.Sub(now) > MaxAhead:
		return t, whenTooFar
	}
	return t, whenOK
}

// tokens lower-cases, drops filler words ("kl.", "ora", "at", "den") and splits "15:30" from words.
func tokens(s string) []string {
	s = strings.ToLower(norm.NFC.String(strings.TrimSpace(s)))
	s = strings.NewReplacer(",", " ", "ş", "ș", "ţ", "ț").Replace(s)
	var out []string
	for _, f := range strings.Fields(s) {
		switch strings.TrimSuffix(f, ".") {
		case "kl", "klokken", "ora", "orele", "la", "at", "on", "om", "den", "d", "pe", "the", "next", "næste", "på", "viitoare", "în", "in":
			continue
		}
		out = append(out, f)
	}
	// Join two-word day names.
	var joined []string
	for i := 0; i < len(out); i++ {
		if i+1 < len(out) && (out[i] == "i" || out[i] == "day") {
			joined = append(joined, out[i]+" "+out[i+1])
			i++
			continue
		}
		joined = append(joined, out[i])
	}
	return joined
}

// parseClock reads 15:30, 15.30, 9, 09, 3pm, 3:30pm.
func parseClock(s string) (int, int, bool) {
	pm, am := strings.HasSuffix(s, "pm"), strings.HasSuffix(s, "am")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "pm"), "am")
	h, m := s, "0"
	if i := strings.IndexAny(s, ":."); i >= 0 {
		h, m = s[:i], s[i+1:]
		if len(m) != 2 {
			return 0, 0, false
		}
	}
	if h == "" || len(h) > 2 || !digits(h) || !digits(m) {
		return 0, 0, false
	}
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	if pm || am {
		if hh < 1 || hh > 12 {
			return 0, 0, false
		}
		hh %= 12
		if pm {
			hh += 12
		}
	}
	if hh > 23 || mm > 59 {
		return 0, 0, false
	}
	return hh, mm, true
}

func digits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}

var relDays = map[string]int{
	"today": 0, "i dag": 0, "idag": 0, "azi": 0, "astăzi": 0, "astazi": 0,
	"tomorrow": 1, "i morgen": 1, "imorgen": 1, "mâine": 1, "maine": 1,
	"i overmorgen": 2, "overmorgen": 2, "poimâine": 2, "poimaine": 2,
}

var weekdays = map[string]time.Weekday{
	"monday": time.Monday, "mon": time.Monday, "mandag": time.Monday, "man": time.Monday, "luni": time.Monday,
	"tuesday": time.Tuesday, "tue": time.Tuesday, "tirsdag": time.Tuesday, "tir": time.Tuesday, "marți": time.Tuesday, "marti": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday, "onsdag": time.Wednesday, "ons": time.Wednesday, "miercuri": time.Wednesday,
	"thursday": time.Thursday, "thu": time.Thursday, "torsdag": time.Thursday, "tor": time.Thursday, "joi": time.Thursday,
	"friday": time.Friday, "fri": time.Friday, "fredag": time.Friday, "fre": time.Friday, "vineri": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday, "lørdag": time.Saturday, "lør": time.Saturday, "sâmbătă": time.Saturday, "sambata": time.Saturday, "sâmbăta": time.Saturday,
	"sunday": time.Sunday, "sun": time.Sunday, "søndag": time.Sunday, "søn": time.Sunday, "duminică": time.Sunday, "duminica": time.Sunday,
}

// months by their first three letters in en, da and ro.
var months = map[string]time.Month{
	"jan": 1, "ian": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "maj": 5, "mai": 5, "jun": 6, "iun": 6,
	"jul": 7, "iul": 7, "aug": 8, "sep": 9, "oct": 10, "okt": 10, "nov": 11, "noi": 11, "dec": 12,
}

// parseDay reads the day part: a relative day, a weekday (the next one, today included), or a date.
func parseDay(toks []string, local time.Time) (y int, mo time.Month, d int, explicitYear, ok bool) {
	if len(toks) == 1 {
		tok := strings.TrimSuffix(toks[0], ".")
		if n, found := relDays[tok]; found {
			y, mo, d = local.AddDate(0, 0, n).Date()
			return y, mo, d, false, true
		}
		if wd, found := weekdays[tok]; found {
			n := (int(wd) - int(local.Weekday()) + 7) % 7
			y, mo, d = local.AddDate(0, 0, n).Date()
			return y, mo, d, false, true
		}
		// 3/12, 3.12, 3-12, 3/12/2026, 3.12.26
		parts := strings.FieldsFunc(tok, func(r rune) bool { return r == '/' || r == '.' || r == '-' })
		if len(parts) < 2 || len(parts) > 3 {
			return
		}
		for _, p := range parts {
			if !digits(p) {
				return
			}
		}
		d, _ = strconv.Atoi(parts[0])
		m, _ := strconv.Atoi(parts[1])
		mo = time.Month(m)
		y = local.Year()
		if len(parts) == 3 {
			y, _ = strconv.Atoi(parts[2])
			if y < 100 {
				y += 2000
			}
			explicitYear = true
		}
		return y, mo, d, explicitYear, validDate(y, mo, d)
	}
	// "3 december", "3. dec", "3 decembrie 2026"; a weekday name before it is allowed ("fredag 4. december").
	if _, found := weekdays[strings.TrimSuffix(toks[0], ".")]; found && len(toks) > 2 {
		toks = toks[1:]
	}
	if len(toks) < 2 || len(toks) > 3 {
		return
	}
	dd := strings.TrimSuffix(toks[0], ".")
	name := []rune(strings.TrimSuffix(toks[1], "."))
	if !digits(dd) || len(name) < 3 {
		return
	}
	m, found := months[strings.NewReplacer("ă", "a").Replace(string(name[:3]))]
	if !found {
		return
	}
	d, _ = strconv.Atoi(dd)
	mo, y = m, local.Year()
	if len(toks) == 3 {
		if !digits(toks[2]) {
			return
		}
		y, _ = strconv.Atoi(toks[2])
		explicitYear = true
	}
	return y, mo, d, explicitYear, validDate(y, mo, d)
}

func isDate(toks []string) bool {
	_, rel := relDays[toks[0]]
	_, wd := weekdays[strings.TrimSuffix(toks[0], ".")]
	return !(len(toks) == 1 && (rel || wd))
}

func validDate(y int, m time.Month, d int) bool {
	if m < 1 || m > 12 || d < 1 || y < 2000 || y > 2100 {
		return false
	}
	return time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Day() == d
}
