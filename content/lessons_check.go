package content

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Platform limits on one message's text, and the lesson rules of lessons/README.md.
const (
	// TelegramMaxText is Telegram's limit on a message, in UTF-16 code units after entity parsing.
	TelegramMaxText = 4096
	// SlackMaxText is Slack's limit on the text of one section block, in characters.
	SlackMaxText = 3000
	// MessageOverhead is what the lesson flow may add around lesson text in one message (headers, "A) " markers,
	// progress, hints). The flow's tests hold it to this budget; the checker reserves it.
	MessageOverhead = 500

	MaxCard       = 700
	MaxTitle      = 60
	MaxScenario   = 700
	MaxPrompt     = 300
	MaxOptionText = 200
	MaxFeedback   = 400
	MaxReflection = 300
	MaxPractice   = 300
	MinCards      = 3
	MaxCards      = 6
	MinOptions    = 2
	MaxOptions    = 4
	// MaxLessonID keeps "g:lessons l <id>" inside Telegram's 64-byte button payload.
	MaxLessonID = 40
)

var (
	idRe       = regexp.MustCompile(`^[a-z][0-9]+-[a-z0-9-]+$`)
	optionIDRe = regexp.MustCompile(`^[a-z0-9]{1,8}$`)
	// markupRe finds HTML tags and Markdown emphasis: lesson text is plain, adapters escape it.
	markupRe = regexp.MustCompile(`<[a-zA-Z/][^>]*>|\*\*|__|\]\(`)
)

func checkModule(file string, m *Module, seen []*Module) []Problem {
	var out []Problem
	add := func(format string, a ...any) {
		out = append(out, Problem{File: file, Message: fmt.Sprintf("module %s: ", m.ID) + fmt.Sprintf(format, a...)})
	}
	if m.ID == "" || len(m.ID) > 4 {
		add("id must be 1–4 characters")
	}
	if !m.Audience.valid() {
		add("unknown audience %q (public, members or coordinators)", m.Audience)
	}
	for _, o := range seen {
		if o.ID == m.ID {
			add("duplicate module id")
		}
		if o.Order == m.Order {
			add("same order %d as module %s", m.Order, o.ID)
		}
	}
	for lang, t := range map[string]*ModuleText{"en": m.En, "da": m.Da, "ro": m.Ro} {
		switch {
		case t == nil:
			add("missing language %s", lang)
		case strings.TrimSpace(t.Title) == "" || strings.TrimSpace(t.Summary) == "":
			add("%s: title and summary are required", lang)
		case runes(t.Title) > MaxTitle:
			add("%s: title is %d characters, at most %d", lang, runes(t.Title), MaxTitle)
		case runes(t.Summary) > MaxPrompt:
			add("%s: summary is %d characters, at most %d", lang, runes(t.Summary), MaxPrompt)
		}
	}
	return out
}

// checkLesson checks one lesson on its own and against the modules; duplicates are found by the loader.
func checkLesson(file string, l *Lesson, lib *Library) []Problem {
	var out []Problem
	add := func(format string, a ...any) {
		out = append(out, Problem{File: file, Message: fmt.Sprintf(format, a...)})
	}
	stem := strings.TrimSuffix(file[strings.LastIndex(file, "/")+1:], ".yaml")
	switch {
	case l.ID == "":
		add("id is missing")
	case l.ID != stem:
		add("id %q differs from the file name %q", l.ID, stem)
	case !idRe.MatchString(l.ID) || len(l.ID) > MaxLessonID:
		add("id %q must be <module letter><order>-<slug> in lower case, at most %d bytes", l.ID, MaxLessonID)
	case !strings.HasPrefix(l.ID, folderOf(l.Module)+strconv.Itoa(l.Order)+"-"):
		add("id %q must start with %s%d-", l.ID, folderOf(l.Module), l.Order)
	}
	if lib.Module(l.Module) == nil {
		add("unknown module %q", l.Module)
	} else if lessonFolder(file) != folderOf(l.Module) {
		add("lesson of module %s lies in folder %s/", l.Module, lessonFolder(file))
	}
	if l.Order < 1 {
		add("order must be 1 or more")
	}
	if l.Minutes < 3 || l.Minutes > 5 {
		add("minutes is %d, a lesson takes 3–5", l.Minutes)
	}
	for i, f := range l.Facts {
		if h := HardcodedHelpline(f); h != "" {
			add("fact %d has a hard-coded helpline %q: facts name the configured helpline, not its number", i+1, h)
		}
	}
	en := l.En
	for _, lang := range Languages {
		t := l.byLang()[lang]
		if t == nil {
			add("missing language %s", lang)
			continue
		}
		for _, msg := range checkText(t, l.Answer) {
			add("%s: %s", lang, msg)
		}
		if en == nil || t == en {
			continue
		}
		if len(t.Cards) != len(en.Cards) {
			add("%s has %d cards, en has %d", lang, len(t.Cards), len(en.Cards))
		}
		if a, b := optionIDs(t), optionIDs(en); !slices.Equal(a, b) {
			add("%s option ids %v differ from en %v", lang, a, b)
		}
	}
	return out
}

func optionIDs(t *LessonText) []string {
	ids := make([]string, len(t.Question.Options))
	for i, o := range t.Question.Options {
		ids[i] = o.ID
	}
	return ids
}

// checkText checks one language of a lesson: lengths, the question's options and feedback, and that every message
// the flow builds from it fits Telegram and Slack.
func checkText(t *LessonText, answer string) []string {
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
		if h := HardcodedHelpline(s); h != "" {
			add("%s has a hard-coded helpline %q: write %s, the lesson flow fills in the configured line", name, h, HelplinePlaceholder)
		}
		for _, p := range placeholders(s) {
			if p != HelplinePlaceholder || name == "title" {
				add("%s has the placeholder %s, only %s is filled in (and not in titles)", name, p, HelplinePlaceholder)
			}
		}
	}
	field("title", t.Title, MaxTitle)
	if n := len(t.Cards); n < MinCards || n > MaxCards {
		add("%d cards, a lesson has %d–%d", n, MinCards, MaxCards)
	}
	for i, c := range t.Cards {
		field(fmt.Sprintf("card %d", i+1), c, MaxCard)
	}
	field("scenario", t.Scenario, MaxScenario)
	field("question prompt", t.Question.Prompt, MaxPrompt)
	field("reflection", t.Reflection, MaxReflection)
	field("practice", t.Practice, MaxPractice)
	q := t.Question
	if n := len(q.Options); n < MinOptions || n > MaxOptions {
		add("question has %d options, %d–%d allowed", n, MinOptions, MaxOptions)
	}
	seen := map[string]bool{}
	for i, o := range q.Options {
		if !optionIDRe.MatchString(o.ID) {
			add("option %d: id %q must be 1–8 lower-case letters or digits", i+1, o.ID)
		}
		if seen[o.ID] {
			add("option id %q appears twice", o.ID)
		}
		seen[o.ID] = true
		field("option "+o.ID+" text", o.Text, MaxOptionText)
		field("option "+o.ID+" feedback", o.Feedback, MaxFeedback)
	}
	if answer == "" || q.Option(answer) == nil {
		add("the correct option %q is not among the options", answer)
	}
	// The placeholder can grow by a hundred characters or so; measure the messages as a reader gets them.
	for i, m := range Messages(t.WithHelpline(sampleHelpline), answer) {
		if n := utf16Len(m) + MessageOverhead; n > TelegramMaxText {
			add("message %d would be %d UTF-16 units with the flow's text, Telegram allows %d", i+1, n, TelegramMaxText)
		}
		if n := runes(m) + MessageOverhead; n > SlackMaxText {
			add("message %d would be %d characters with the flow's text, Slack allows %d", i+1, n, SlackMaxText)
		}
	}
	return out
}

// Messages returns the lesson text of every message the lesson flow sends, without the flow's own framing (at most
// MessageOverhead): each card with the title, the scenario, the question with its options, the feedback for each
// option (a wrong choice also shows the correct option and its feedback), the reflection and the practice.
func Messages(t *LessonText, answer string) []string {
	var out []string
	for _, c := range t.Cards {
		out = append(out, t.Title+"\n\n"+c)
	}
	out = append(out, t.Scenario)
	q := t.Question.Prompt
	for _, o := range t.Question.Options {
		q += "\n" + o.Text
	}
	out = append(out, q)
	right := t.Question.Option(answer)
	for _, o := range t.Question.Options {
		m := o.Feedback
		if right != nil && o.ID != answer {
			m += "\n\n" + right.Text + "\n" + right.Feedback
		}
		out = append(out, m)
	}
	return append(out, t.Reflection, t.Practice)
}

func runes(s string) int { return utf8.RuneCountInString(s) }

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
