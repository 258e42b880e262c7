package flowtest

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// RunFile runs a transcript file: a conversation written so that someone who does not program can read it and
// check it. One instruction a line:
//
//	# comment                     blank lines and comments are skipped
//	clock 2026-12-01T18:00:00Z    set the simulated clock; "advance 90m" moves it on and delivers due tasks
//	user anna lang=da name=Anna   the following lines are anna's (language hint and display name optional)
//	> text or /command            anna types it
//	press Label                   anna presses the button with that label under her latest buttons
//	press-old 2 Label             anna presses a button of her 2nd message with buttons (stale-button tests)
//	raw PAYLOAD                   anna's client sends a raw button payload (forgery tests)
//	< text                        the next reply to anna's last input contains text
//	...                           more replies may come here (before the next "<", or after the last)
//	<! text                       no reply to anna's last input contains text
//	buttons A | B | C             anna's latest buttons are exactly these labels
//	inbox bob < text              a message delivered to bob by a task contains text (clears bob's inbox)
//	inbox-empty bob               nothing was delivered to bob
//	capture CODE as invite code   the invite (or link) code in the last replies is kept as $CODE; "as second
//	                              invite code" takes the second one
//	capture X matching REGEXP     the first group of REGEXP in the last replies is kept as $X
//	keys anna 0                   the backend holds exactly 0 keys of anna's profile
//
// Replies are checked strictly: once an input's replies are checked with "<", each "<" is the next reply and
// nothing may follow the last one, unless a "..." line says so. An input whose replies are not checked with "<"
// at all is not checked.
func (h *Harness) RunFile(path string) {
	h.T.Helper()
	f, err := os.Open(path)
	if err != nil {
		h.T.Fatal(err)
	}
	defer f.Close()
	r := &run{h: h, path: path}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		r.n++
		line := strings.TrimSpace(varRe.ReplaceAllStringFunc(sc.Text(), func(v string) string {
			if x, ok := h.vars[v[1:]]; ok {
				return x
			}
			return v
		}))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		verb, rest, _ := strings.Cut(line, " ")
		r.line(verb, strings.TrimSpace(rest))
	}
	if err := sc.Err(); err != nil {
		h.T.Fatal(err)
	}
	r.endReplies()
}

var varRe = regexp.MustCompile(`\$[A-Z_]+`)

// run is the state of one transcript being run.
type run struct {
	h                 *Harness
	path              string
	n                 int // line number
	user, lang, name  string
	last              []flows.Reply // the replies to the user's last input, without keyboard-only effects
	pos               int           // the reply the last "<" matched; -1 before the first
	checked, anyAfter bool          // a "<" checked this input's replies; "..." allows replies to be skipped
	lastExpect        int           // the line of the last "<"
}

func (r *run) fail(format string, a ...any) {
	r.h.T.Helper()
	r.h.T.Fatalf("%s:%d: %s", r.path, r.n, fmt.Sprintf(format, a...))
}

// send delivers an input from the current user, after checking that the last one's replies were all expected.
func (r *run) send(ev flows.Event) {
	r.h.T.Helper()
	r.endReplies()
	ev.LangHint, ev.Name = r.lang, r.name
	r.last = r.last[:0]
	for _, rep := range r.h.Send(r.user, ev) {
		if rep.Text != "" || rep.File != nil {
			r.last = append(r.last, rep)
		}
	}
	r.pos, r.checked, r.anyAfter = -1, false, false
}

// endReplies fails when the last input's replies were checked and one came that no "<" expected.
func (r *run) endReplies() {
	r.h.T.Helper()
	if r.checked && !r.anyAfter && r.pos < len(r.last)-1 {
		r.fail("an unexpected reply after the \"<\" of line %d (add \"...\" there if more may come):\n%s", r.lastExpect, Text(r.last[r.pos+1:]))
	}
}

func (r *run) line(verb, rest string) {
	r.h.T.Helper()
	h := r.h
	switch verb {
	case "clock":
		t, err := time.Parse(time.RFC3339, rest)
		if err != nil {
			r.fail("bad clock: %v", err)
		}
		h.Clock.Set(t)
	case "advance":
		d, err := time.ParseDuration(rest)
		if err != nil {
			r.fail("bad duration: %v", err)
		}
		h.Clock.Advance(d)
		h.RunDue()
	case "user":
		r.endReplies()
		f := strings.Fields(rest)
		if len(f) == 0 {
			r.fail("user: whose lines follow?")
		}
		r.user, r.lang, r.name = f[0], "", ""
		r.last, r.checked = nil, false
		for _, kv := range f[1:] {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "lang":
				r.lang = v
			case "name":
				r.name = v
			default:
				r.fail("user: unknown setting %q", k)
			}
		}
	case ">":
		r.send(flows.TextEvent(Identity(r.user), rest))
	case "press":
		r.send(flows.Event{Payload: r.button(h.latestButtons(r.user), rest).Data})
	case "press-old":
		idx, label, _ := strings.Cut(rest, " ")
		k, err := strconv.Atoi(idx)
		hist := h.buttonHistory(r.user)
		if err != nil || k < 1 || k > len(hist) {
			r.fail("no button message %q", idx)
		}
		r.send(flows.Event{Payload: r.button(hist[k-1], label).Data})
	case "raw":
		r.send(flows.Event{Payload: rest})
	case "<":
		r.expect(rest)
	case "...":
		r.anyAfter = true
	case "<!":
		if strings.Contains(Text(r.last), rest) {
			r.fail("a reply contains %q:\n%s", rest, Text(r.last))
		}
	case "buttons":
		want := strings.Split(rest, "|")
		for i := range want {
			want[i] = strings.TrimSpace(want[i])
		}
		if got := labels(h.latestButtons(r.user)); strings.Join(got, "|") != strings.Join(want, "|") {
			r.fail("buttons: want %q, got %q", want, got)
		}
	case "inbox":
		who, text, ok := strings.Cut(rest, " < ")
		if !ok {
			r.fail("inbox: write \"inbox NAME < text\"")
		}
		if got := Text(h.Inbox(strings.TrimSpace(who))); !strings.Contains(got, text) {
			r.fail("%s's inbox lacks %q:\n%s", who, text, got)
		}
	case "inbox-empty":
		if got := h.Inbox(rest); len(got) > 0 {
			r.fail("%s's inbox is not empty:\n%s", rest, Text(got))
		}
	case "capture":
		r.capture(rest)
	case "keys":
		who, num, _ := strings.Cut(rest, " ")
		want, err := strconv.Atoi(strings.TrimSpace(num))
		if err != nil || who == "" {
			r.fail("keys: write \"keys NAME NUMBER\", got %q", rest)
		}
		if h.Keys == nil {
			r.fail("backend cannot count keys")
		}
		if got := h.Keys(flows.ProfileID(Identity(who))); got != want {
			r.fail("%s has %d keys, want %d", who, got, want)
		}
	default:
		r.fail("unknown instruction %q", verb)
	}
}

// expect checks text in the reply the previous "<" matched (several lines may check one reply) or in the next
// one; after "..." any number of replies may be skipped first.
func (r *run) expect(text string) {
	r.h.T.Helper()
	contains := func(i int) bool {
		t := r.last[i].Text
		if f := r.last[i].File; f != nil {
			t += "\n" + string(f.Data)
		}
		return strings.Contains(t, text)
	}
	i := max(r.pos, 0)
	for ; i < len(r.last); i++ {
		if contains(i) {
			r.pos, r.checked, r.anyAfter, r.lastExpect = i, true, false, r.n
			return
		}
		if i > r.pos && !r.anyAfter {
			r.fail("the next reply does not contain %q (add \"...\" before this line if another may come first); replies:\n%s",
				text, Text(r.last))
		}
	}
	r.fail("no reply (in order) contains %q; replies:\n%s", text, Text(r.last))
}

func (r *run) button(bs []flows.Button, label string) flows.Button {
	r.h.T.Helper()
	b, ok := findButton(bs, label)
	if !ok {
		r.fail("%s has no button %q; has %q", r.user, label, labels(bs))
	}
	return b
}

var (
	codeRe    = regexp.MustCompile(`[0-9A-Z]{5}-[0-9A-Z]{5}`)
	ordinals  = map[string]int{"first": 1, "second": 2, "third": 3, "fourth": 4}
	captureAs = regexp.MustCompile(`^(\w+) as (?:(first|second|third|fourth) )?(?:invite|link) code$`)
)

// capture keeps a value of the last replies: "CODE as invite code", "CODE as second link code", or
// "X matching REGEXP" (the first group).
func (r *run) capture(rest string) {
	r.h.T.Helper()
	text := Text(r.last)
	if m := captureAs.FindStringSubmatch(rest); m != nil {
		n := 1
		if m[2] != "" {
			n = ordinals[m[2]]
		}
		codes := codeRe.FindAllString(text, -1)
		if len(codes) < n {
			r.fail("capture %s: %d codes in:\n%s", m[1], len(codes), text)
		}
		r.h.vars[m[1]] = codes[n-1]
		return
	}
	name, expr, ok := strings.Cut(rest, " matching ")
	if !ok || strings.ContainsAny(name, " \t") {
		r.fail("capture: write \"capture NAME as invite code\" or \"capture NAME matching REGEXP\", got %q", rest)
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		r.fail("capture %s: bad regexp: %v", name, err)
	}
	m := re.FindStringSubmatch(text)
	if len(m) < 2 {
		r.fail("capture %s: no match in:\n%s", name, text)
	}
	r.h.vars[name] = m[1]
}
