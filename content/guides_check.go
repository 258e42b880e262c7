package content

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
)

// The guide rules of guides/README.md. A guide is read on a phone by someone about to host a group, so every part
// is short, and the whole guide fits one Slack message with the flow's framing.
const (
	MaxGuideHost        = 400
	MaxGuideGroundRules = 400
	MaxGuideCase        = 700
	MaxGuideQuestion    = 250
	MaxGuideClosing     = 300
	// GuideQuestions is how many open questions a guide has (about ten minutes each).
	GuideQuestions = 3
)

var (
	// guideNumberRe finds digit runs that look like a phone number (three or more digits, maybe grouped): guides name
	// no helpline or emergency number, those come from configuration.
	guideNumberRe = regexp.MustCompile(`\d(?:[ .-]?\d){2,}`)
	// guidePlaceholderRe finds template placeholders: guide text is sent as it is, nothing fills them in.
	guidePlaceholderRe = regexp.MustCompile(`\{[^}]*\}`)
)

// checkGuide checks one guide on its own and against the modules and lessons; duplicates and missing guides are
// found by the loader.
func checkGuide(fsys fs.FS, file string, g *Guide, modules []string) []string {
	var out []string
	add := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	switch {
	case g.Module == "":
		add("module is missing")
	case modules != nil && !slices.Contains(modules, g.Module):
		add("unknown module %q (not in lessons/modules.yaml)", g.Module)
	case path.Base(file) != folderOf(g.Module)+".yaml":
		add("the guide of module %s must be guides/%s.yaml", g.Module, folderOf(g.Module))
	}
	for _, id := range g.From {
		if !lessonExists(fsys, g.Module, id) {
			add("from: %q is not a lesson of module %s", id, g.Module)
		}
	}
	for _, lang := range Languages {
		t := g.byLang()[lang]
		if t == nil {
			add("missing language %s", lang)
			continue
		}
		for _, msg := range checkGuideText(t) {
			add("%s: %s", lang, msg)
		}
	}
	return out
}

// checkGuideText checks one language of a guide: every part is there and short, plain and free of numbers to
// call, there are exactly three questions, and every message the flow builds fits Telegram and Slack.
func checkGuideText(t *GuideText) []string {
	var out []string
	add := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	field := func(name, s string, max int) {
		switch {
		case strings.TrimSpace(s) == "":
			add("%s is empty", name)
		case runes(s) > max:
			add("%s is %d characters, at most %d", name, runes(s), max)
		}
		if markupRe.MatchString(s) {
			add("%s contains markup (text is plain)", name)
		}
		if m := guideNumberRe.FindString(s); m != "" {
			add("%s contains the number %q: guides name no phone numbers (helplines come from configuration)", name, m)
		}
		if m := guidePlaceholderRe.FindString(s); m != "" {
			add("%s contains the placeholder %q: guide text is sent as written", name, m)
		}
	}
	field("title", t.Title, MaxTitle)
	field("host", t.Host, MaxGuideHost)
	field("ground_rules", t.GroundRules, MaxGuideGroundRules)
	field("case", t.Case, MaxGuideCase)
	if n := len(t.Questions); n != GuideQuestions {
		add("%d questions, a guide has %d", n, GuideQuestions)
	}
	for i, q := range t.Questions {
		field(fmt.Sprintf("question %d", i+1), q, MaxGuideQuestion)
	}
	field("closing", t.Closing, MaxGuideClosing)
	fits := func(what, m string) {
		if n := utf16Len(m) + MessageOverhead; n > TelegramMaxText {
			add("%s would be %d UTF-16 units with the flow's text, Telegram allows %d", what, n, TelegramMaxText)
		}
		if n := runes(m) + MessageOverhead; n > SlackMaxText {
			add("%s would be %d characters with the flow's text, Slack allows %d", what, n, SlackMaxText)
		}
	}
	for i, m := range t.Messages() {
		fits(fmt.Sprintf("message %d", i+1), m)
	}
	fits("the whole guide", t.Text())
	return out
}

// GuideWords counts the words a host meets in one language of a guide (without the question numbers).
func GuideWords(t *GuideText) int {
	n := 0
	for _, s := range append([]string{t.Title, t.Host, t.GroundRules, t.Case, t.Closing}, t.Questions...) {
		n += len(strings.Fields(s))
	}
	return n
}
