package onboarding

import (
	"fmt"
	"github.com/m4pris/mentorbot/flows"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
	"unicode"
)

// normalize lower-cases and folds diacritics so "Română" and "romana" compare equal.
func normalize(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(strings.TrimSpace(s)))
	if err != nil {
		return strings.ToLower(strings.TrimSpace(s))
	}
	return out
}

// zoneAliases are the cities people type instead of IANA names.
var zoneAliases = map[string]string{
	"copenhagen": "Europe/Copenhagen", "kobenhavn": "Europe/Copenhagen", "københavn": "Europe/Copenhagen",
	"denmark": "Europe/Copenhagen", "danmark": "Europe/Copenhagen",
	"bucharest": "Europe/Bucharest", "bucuresti": "Europe/Bucharest", "romania": "Europe/Bucharest",
	"london": "Europe/London", "uk": "Europe/London", "utc": "UTC",
}

// parseZone accepts an IANA zone name ("Europe/Berlin") or a known city.
func parseZone(s string) (string, bool) {
	t := strings.TrimSpace(s)
	if t == "" || len(t) > 64 {
		return "", false
	}
	if z, ok := zoneAliases[normalize(t)]; ok {
		return z, true
	}
	if !strings.Contains(t, "/") {
		return "", false
	}
	loc, err := time.LoadLocation(t)
	if err != nil {
		return "", false
	}
	return loc.String(), true
}

var windowRe = regexp.MustCompile(`^(\d{1,2})(?:[:.](\d{2}))?\s*(?:-|–|—|to|til|la|până la)\s*(\d{1,2})(?:[:.](\d{2}))?$`)

// parseWindow reads "22-7", "22:00-07:00", "22.30–6.15".
func parseWindow(s string) (flows.Window, bool) {
	m := windowRe.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return flows.Window{}, false
	}
	from, ok1 := hm(m[1], m[2])
	to, ok2 := hm(m[3], m[4])
	if !ok1 || !ok2 || from == to {
		return flows.Window{}, false
	}
	return flows.Window{From: from, To: to}, true
}

func hm(h, m string) (int, bool) {
	hh, err := strconv.Atoi(h)
	if err != nil || hh < 0 || hh > 24 {
		return 0, false
	}
	mm := 0
	if m != "" {
		if mm, err = strconv.Atoi(m); err != nil || mm > 59 {
			return 0, false
		}
	}
	if hh == 24 {
		if mm != 0 {
			return 0, false
		}
		hh = 0
	}
	return hh*60 + mm, true
}

func formatWindow(w flows.Window, none string) string {
	if w.From == w.To {
		return none
	}
	return fmt.Sprintf("%02d:%02d–%02d:%02d", w.From/60, w.From%60, w.To/60, w.To%60)
}
