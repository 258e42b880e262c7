package content

import (
	"regexp"
	"strings"
)

// HelplinePlaceholder stands in a lesson for the helpline of the reader's country. Helplines are configuration
// (MENTORBOT_HELPLINE_DK, _RO, with defaults in flows/safety): a number written into a lesson would outlive a
// corrected configuration, so lessons name the placeholder and the lesson flow fills it. The emergency number 112
// is the same in both countries and stays literal.
const HelplinePlaceholder = "{helpline}"

var (
	// phoneRe finds a run of at least six digits, single spaces or hyphens allowed between them ("70 201 201",
	// "0800-801-200", "116 123"). Dots and commas end a run, so dates (17.12.2015) and thousands (13.400,
	// 20,000) are not numbers to call; six digits is shorter than any Danish or Romanian phone number and longer
	// than a year or a figure the lessons quote.
	phoneRe = regexp.MustCompile(`\+?\d(?:[ \x{00A0}\-]?\d){5,}`)
	// placeholderRe finds single-brace placeholders; UI templates use {{.Field}}, which it skips.
	placeholderRe = regexp.MustCompile(`(^|[^{])(\{[^{}\s]*\})`)
)

// helplineNames are the names of the configured default lines (flows/safety's DefaultDK and DefaultRO, which a
// test holds to this list): a line named in text is as hard-coded as its number. Compared in lower case, with
// and without Romanian diacritics.
var helplineNames = []string{"livslinien", "alianța română de prevenție", "alianta romana de preventie"}

// HardcodedHelpline returns the first helpline number or helpline name written into s, or "".
func HardcodedHelpline(s string) string {
	if m := phoneRe.FindString(s); m != "" {
		return m
	}
	low := strings.ToLower(s)
	for _, n := range helplineNames {
		if i := strings.Index(low, n); i >= 0 {
			return s[i : i+len(n)]
		}
	}
	return ""
}

// placeholders returns the single-brace placeholders in s ("{helpline}").
func placeholders(s string) []string {
	var out []string
	for _, m := range placeholderRe.FindAllStringSubmatch(s, -1) {
		out = append(out, m[2])
	}
	return out
}

// WithHelpline returns a copy of the lesson text with every HelplinePlaceholder replaced by line: the configured
// helpline for the reader's country, or both countries' lines when it is unknown. The copy leaves the library's
// lessons untouched.
func (t *LessonText) WithHelpline(line string) *LessonText {
	r := strings.NewReplacer(HelplinePlaceholder, line)
	out := *t
	out.Cards = make([]string, len(t.Cards))
	for i, c := range t.Cards {
		out.Cards[i] = r.Replace(c)
	}
	out.Scenario = r.Replace(t.Scenario)
	out.Question.Prompt = r.Replace(t.Question.Prompt)
	out.Question.Options = make([]Option, len(t.Question.Options))
	for i, o := range t.Question.Options {
		out.Question.Options[i] = Option{ID: o.ID, Text: r.Replace(o.Text), Feedback: r.Replace(o.Feedback)}
	}
	out.Reflection = r.Replace(t.Reflection)
	out.Practice = r.Replace(t.Practice)
	return &out
}

// sampleHelpline is the longest the placeholder usually renders to (both countries' default lines with the
// wording around them), used when the checker measures messages against the platforms' limits.
const sampleHelpline = "Livslinien 70 201 201 (Danmark) eller Alianța Română de Prevenție a Suicidului 0800 801 200 (Rumænien)"
