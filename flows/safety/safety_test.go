package safety_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/content/detect"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
	"github.com/m4pris/mentorbot/flows/programme"
	"github.com/m4pris/mentorbot/flows/safety"
)

// member is a local user who joined in lang, in that language's country.
type member struct {
	user, lang, country string
	about, noKeep, no   string
	code, zone, noQuiet string
	done, saved, line   string
	emergency           string
}

var members = []member{
	{"en", "English", "DK", "Sounds good", "No, don't keep", "No", "I have a code", "Denmark", "No quiet hours", "Done", "Settings saved", "Livslinien 70 201 201", "Emergency: 112"},
	{"da", "Dansk", "DK", "Det lyder godt", "Nej, gem dem ikke", "Nej", "Jeg har en kode", "Danmark", "Ingen stille timer", "Færdig", "Dine indstillinger er gemt", "Livslinien 70 201 201", "Alarmcentralen: 112"},
	{"ro", "Română", "RO", "Sună bine", "Nu, nu le păstra", "Nu", "Am un cod", "România", "Fără ore de liniște", "Gata", "Am salvat setările", "0800 801 200", "Urgențe: 112"},
}

var codeRe = regexp.MustCompile(`[0-9A-Z]{5}-[0-9A-Z]{5}`)

func newHarness(t *testing.T) *flowtest.Harness {
	h := flowtest.NewHarness(t, nil, func(e *flows.Engine, b flowtest.Backend) {
		programme.Register(e, programme.Deps{Directory: b, Invites: b,
			Helplines: safety.Helplines{RO: "Alianța Română de Prevenție a Suicidului 0800 801 200"}})
	}, "coord")
	h.Onboard("coord", "", flowtest.Onboarding{})
	for _, m := range members {
		code := codeRe.FindString(flowtest.Text(h.Say("coord", "/invite mentee")))
		h.Say(m.user, "/start")
		for _, b := range []string{m.lang, m.about, m.noKeep, m.no, m.code} {
			h.Press(m.user, b)
		}
		h.Say(m.user, code)
		h.Press(m.user, m.zone)
		h.Press(m.user, m.noQuiet)
	}
	return h
}

// corpusRows reads the labelled rows of the detector's development corpus for lang whose label and kind are among
// kinds ("crisis/explicit", "none/idiom"): outcome<TAB>kind<TAB>lang<TAB>text.
func corpusRows(t *testing.T, lang string, kinds ...string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "content", "detect", "testdata", "dev_"+lang+".tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, line := range strings.Split(string(data), "\n") {
		parts := strings.SplitN(line, "\t", 4)
		if len(parts) == 4 && slices.Contains(kinds, parts[0]+"/"+parts[1]) {
			rows = append(rows, parts[3])
		}
	}
	return rows
}

// TestCrisisPathInEachLanguage sends messages from the detector's corpus, in their language, in the middle of
// /settings: each one the detector reads as a crisis gets the emergency number and the country's helpline in the
// same reply, a person offered, no diagnosis, and the settings question is still open afterwards. Idioms, work talk
// and negations get none of it. Which messages are crises is the corpus test's business (content/detect); this one
// checks the path they take.
func TestCrisisPathInEachLanguage(t *testing.T) {
	h := newHarness(t)
	det := content.MustDetector()
	diagnosis := regexp.MustCompile(`(?i)depress|disorder|illness|sygdom|lidelse|boal|tulburar|tulburăr|diagnos`)
	for _, m := range members {
		crises := 0
		for i, ex := range corpusRows(t, m.user, "crisis/explicit", "crisis/selfharm", "crisis/plan") {
			if i%3 != 0 || det.Classify(m.user, ex).Outcome != detect.Crisis {
				continue // a third of the rows keeps the test quick; the corpus test covers them all
			}
			crises++
			h.Say(m.user, "/settings")
			rs := h.Say(m.user, ex)
			if len(rs) != 1 {
				t.Fatalf("%s %q: %d replies, want the numbers in one", m.user, ex, len(rs))
			}
			text := rs[0].Text
			if !strings.Contains(text, m.emergency) || !strings.Contains(text, m.line) {
				t.Errorf("%s %q: reply lacks 112 or the helpline:\n%s", m.user, ex, text)
			}
			if diagnosis.MatchString(text) {
				t.Errorf("%s %q: reply reads like a diagnosis:\n%s", m.user, ex, text)
			}
			if len(rs[0].Buttons) < 3 || rs[0].Buttons[0][0].Data != "g:reach coordinator crisis" {
				t.Errorf("%s %q: buttons %+v", m.user, ex, rs[0].Buttons)
			}
			if got := flowtest.Text(h.Say(m.user, m.done)); !strings.Contains(got, m.saved) {
				t.Errorf("%s %q: the settings question was not kept open: %s", m.user, ex, got)
			}
		}
		if crises < 20 {
			t.Errorf("%s: only %d crisis messages from the corpus", m.user, crises)
		}
		calm := corpusRows(t, m.user, "none/idiom", "none/work", "none/negation")
		if len(calm) < 30 {
			t.Fatalf("%s: only %d calm rows in the corpus", m.user, len(calm))
		}
		for i, ex := range calm {
			if i%2 != 0 {
				continue
			}
			h.Say(m.user, "/settings")
			if got := flowtest.Text(h.Say(m.user, ex)); strings.Contains(got, "112") {
				t.Errorf("%s: false alarm on %q", m.user, ex)
			}
			h.Say(m.user, "/cancel")
		}
	}
}

// TestMisunderstoodKeepsItOpen: "you misunderstood" answers kindly, keeps the numbers and offers a person again.
func TestMisunderstoodKeepsItOpen(t *testing.T) {
	h := newHarness(t)
	h.Say("en", "I want to kill myself")
	rs := h.Press("en", "You misunderstood me")
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "sorry if I read that wrong") || !strings.Contains(rs[0].Text, "Livslinien 70 201 201") {
		t.Fatalf("reply: %+v", rs)
	}
	if len(rs[0].Buttons) == 0 || rs[0].Buttons[0][0].Data != "g:reach coordinator asked" {
		t.Fatalf("no person offered again: %+v", rs[0].Buttons)
	}
}

// TestGuestGetsNumbersOnly: someone without an invite gets the numbers (both countries when unknown) but no
// programme person.
func TestGuestGetsNumbersOnly(t *testing.T) {
	h := newHarness(t)
	rs := h.Say("stranger", "i want to die")
	if len(rs) != 1 {
		t.Fatalf("%d replies", len(rs))
	}
	text := rs[0].Text
	for _, want := range []string{"112", "In Denmark: Livslinien 70 201 201", "In Romania: Alianța"} {
		if !strings.Contains(text, want) {
			t.Errorf("guest reply lacks %q:\n%s", want, text)
		}
	}
	for _, row := range rs[0].Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.Data, "g:reach") {
				t.Errorf("a guest was offered a programme person: %+v", b)
			}
		}
	}
}

func TestCountry(t *testing.T) {
	for _, c := range []struct {
		p    flows.Profile
		want string
	}{
		{flows.Profile{TZ: "Europe/Copenhagen", Lang: "ro"}, "DK"},
		{flows.Profile{TZ: "Europe/Bucharest", Lang: "en"}, "RO"},
		{flows.Profile{Lang: "da"}, "DK"},
		{flows.Profile{TZ: "Europe/Berlin", Lang: "da"}, ""},
		{flows.Profile{Lang: "en"}, ""},
	} {
		if got := safety.Country(&c.p); got != c.want {
			t.Errorf("Country(%+v) = %q, want %q", c.p, got, c.want)
		}
	}
}
