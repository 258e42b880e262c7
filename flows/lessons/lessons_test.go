package lessons_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

const a1 = "a1-three-conversations"

func contains(t *testing.T, rs []flows.Reply, want string) {
	t.Helper()
	if got := flowtest.Text(rs); !strings.Contains(got, want) {
		t.Fatalf("replies lack %q:\n%s", want, got)
	}
}

func lacks(t *testing.T, rs []flows.Reply, unwanted string) {
	t.Helper()
	if got := flowtest.Text(rs); strings.Contains(got, unwanted) {
		t.Fatalf("replies contain %q:\n%s", unwanted, got)
	}
}

// TestShareWithMentor: a reflection and a practice report reach the mentor only through "to my mentor", and the
// mentee's stored state never holds them.
func TestShareWithMentor(t *testing.T) {
	fb := newFeedback()
	h := newHarness(t, nil, fb, mentorMap{"anna": "bob"})
	seed(t, h, "anna", "en", flows.Mentee)
	seed(t, h, "bob", "da", flows.Mentor)

	toQuestion(t, h, "anna", a1, "Next ▶")
	r := h.Press("anna", "A")
	contains(t, r, "✓ Good choice.")
	contains(t, r, "Tap ✉️ first")
	h.Press("anna", "✉️ To my mentor")
	const reflection = "I worry I look weak when I back down."
	r = h.Say("anna", reflection)
	contains(t, r, "Sent to your mentor. I kept no copy.")
	contains(t, r, "🎯 Try this before your next session")
	got := flowtest.Text(h.Inbox("bob"))
	for _, want := range []string{"anna har delt en tanke med dig fra lektionen »De tre samtaler i en svær samtale«", reflection} {
		if !strings.Contains(got, want) {
			t.Fatalf("bob's inbox lacks %q:\n%s", want, got)
		}
	}

	h.Press("anna", "✓ Got it")
	h.Press("anna", "5")
	h.Press("anna", "Skip")
	st := fb.get(a1)
	if st.Completions != 1 || st.Ratings[4] != 1 || len(st.Comments) != 0 {
		t.Fatalf("feedback: %+v", st)
	}

	h.Clock.Advance(3*24*time.Hour + time.Hour)
	h.RunDue()
	contains(t, h.Inbox("anna"), "Did you try it?")
	h.Press("anna", "✅ I tried it")
	h.Press("anna", "✉️ To my mentor")
	const report = "I asked Jonas how he saw it. Calmer than expected."
	contains(t, h.Say("anna", report), "Sent to your mentor.")
	contains(t, h.Inbox("bob"), "fortæller, hvordan øvelsen fra »De tre samtaler i en svær samtale« gik:\n\n"+report)

	snap := profile(t, h, "anna")
	stored, _ := json.Marshal(snap)
	for _, s := range []string{reflection, report, "Jonas"} {
		if strings.Contains(string(stored), s) {
			t.Fatalf("anna's stored state holds %q: %s", s, stored)
		}
	}
	if c, ok := snap.Profile.Lessons.Correct[a1]; !ok || !c {
		t.Fatalf("correct answer not recorded: %+v", snap.Profile.Lessons)
	}
}

// TestReflectionWithoutMentor: without a mentor there is no share button, and typed text is thanked for and dropped.
func TestReflectionWithoutMentor(t *testing.T) {
	h := newHarness(t, nil, nil, nil)
	seed(t, h, "cai", "en", flows.Mentee)
	toQuestion(t, h, "cai", a1, "Next ▶")
	r := h.Press("cai", "C")
	contains(t, r, "Not quite.")
	contains(t, r, "The strongest answer is A)")
	lacks(t, r, "✉️")
	const secret = "Night shifts make me snap at my kids."
	contains(t, h.Say("cai", secret), "I haven't kept it.")
	snap := profile(t, h, "cai")
	stored, _ := json.Marshal(snap)
	if strings.Contains(string(stored), secret) {
		t.Fatalf("reflection stored: %s", stored)
	}
	if snap.Profile.Lessons.Correct[a1] {
		t.Fatal("a wrong answer was recorded as correct")
	}
	if snap.Profile.Lessons.Stage != "practice" {
		t.Fatalf("stage %q, want practice", snap.Profile.Lessons.Stage)
	}
	// A forged "to my mentor" press is refused: it was never offered.
	r = h.Send("cai", flows.Event{Payload: "s" + "99:share"})
	contains(t, r, "That choice is no longer open")
	if len(h.Queue.Pending()) != 0 {
		t.Fatalf("tasks queued: %+v", h.Queue.Pending())
	}
}

// TestResumeAfterRestart: a new engine on the same store continues the lesson at the same card, both from the old
// "Next" button and from /lessons days later.
func TestResumeAfterRestart(t *testing.T) {
	store := flowtest.NewMemStore()
	h1 := newHarness(t, store, nil, nil)
	seed(t, h1, "dan", "en", flows.Guest)
	open(h1, "dan", a1)
	r := h1.Press("dan", "Next ▶")
	contains(t, r, "· 2/4")
	var next flows.Button
	for _, b := range r[len(r)-1].Buttons[0] {
		if b.Label == "Next ▶" {
			next = b
		}
	}

	h2 := newHarness(t, store, nil, nil) // the restart: a new engine, the same store
	skipIDs(h2, 2)
	r = h2.Send("dan", flows.Event{Payload: next.Data})
	contains(t, r, "· 3/4")
	h2.Press("dan", "⏸ Later")

	h3 := newHarness(t, store, nil, nil)
	skipIDs(h3, 4)
	h3.Clock.Advance(5 * 24 * time.Hour)
	r = h3.Say("dan", "/lessons")
	contains(t, r, "You stopped in the middle of “The three conversations inside a hard talk”")
	contains(t, h3.Press("dan", "▶ Carry on"), "📖 The three conversations inside a hard talk · 3/4")
	if p := profile(t, h3, "dan").Profile.Lessons; p.Current != a1 || p.Card != 2 || p.Stage != "card" {
		t.Fatalf("progress: %+v", p)
	}
}

// skipIDs moves a new harness's event ids past those an earlier harness on the same store used (they count from 1,
// and a reused id would be a duplicate update).
func skipIDs(h *flowtest.Harness, n int) {
	for range n {
		h.Say("someone-else", "/help")
	}
}

// TestAudience: guests read A and B only, members A–D, coordinators everything; forged buttons change nothing.
func TestAudience(t *testing.T) {
	h := newHarness(t, nil, nil, nil)
	seed(t, h, "guest", "en", flows.Guest)
	seed(t, h, "mentee", "en", flows.Mentee)
	seed(t, h, "coord", "en", flows.Coordinator)

	r := h.Say("guest", "/lessons")
	contains(t, r, "B · Stress factors")
	lacks(t, r, "C · ")
	for _, p := range []string{
		flows.ActionPayload("lessons", "l", "c1-when-it-starts-to-rub"),
		flows.ActionPayload("lessons", "l", "e1-running-the-programme"),
		flows.ActionPayload("lessons", "m", "D"),
		flows.ActionPayload("lessons", "l", "zz9-nothing"),
	} {
		r := h.Send("guest", flows.Event{Payload: p})
		contains(t, r, "That lesson isn't open to you.")
		lacks(t, r, "📖")
	}
	if p := profile(t, h, "guest").Profile.Lessons; p.Current != "" {
		t.Fatalf("a forged button started a lesson: %+v", p)
	}
	// The choice values of the module list are checked too: a guest's list never offered module C.
	lacks(t, h.Say("guest", "/lessons"), "C · ")
	seq := profile(t, h, "guest").State.Seq
	contains(t, h.Send("guest", flows.Event{Payload: "s" + strconv.Itoa(seq) + ":m:C"}), "That choice is no longer open")

	r = h.Say("mentee", "/lessons")
	contains(t, r, "D · Mentoring fundamentals")
	lacks(t, r, "E · ")
	contains(t, open(h, "mentee", "e2-matching-well"), "That lesson isn't open to you.")
	contains(t, open(h, "mentee", "d1-the-first-meeting"), "📖")

	r = h.Say("coord", "/lessons")
	contains(t, r, "E · The coordinators' course")
	contains(t, open(h, "coord", "e2-matching-well"), "📖")
}

// TestRoleChangeDropsLesson: a lesson in progress that is no longer open (role changed) is not resumed.
func TestRoleChangeDropsLesson(t *testing.T) {
	h := newHarness(t, nil, nil, nil)
	seed(t, h, "eva", "en", flows.Mentee)
	open(h, "eva", "c1-when-it-starts-to-rub")
	update(t, h, "eva", func(p *flows.Profile) { p.Roles = []flows.Role{flows.Guest} })
	if p := profile(t, h, "eva").Profile.Lessons; p.Current != "c1-when-it-starts-to-rub" {
		t.Fatalf("lesson not in progress: %+v", p)
	}
	// The "Next" button of the open card is refused...
	r := h.Press("eva", "Next ▶")
	contains(t, r, "That lesson isn't open to you.")
	lacks(t, r, "📖")
	// ...and so are "carry on" and the hint in /lessons.
	r = h.Send("eva", flows.Event{Payload: flows.ActionPayload("lessons", "c")})
	lacks(t, r, "📖")
	lacks(t, h.Say("eva", "/lessons"), "You stopped in the middle")
}

// TestFeedbackStoreDown: when the feedback store fails, the lesson is not marked done and the step asks again.
func TestFeedbackStoreDown(t *testing.T) {
	fb := newFeedback()
	h := newHarness(t, nil, fb, nil)
	seed(t, h, "fay", "en", flows.Mentee)
	toQuestion(t, h, "fay", a1, "Next ▶")
	h.Press("fay", "B")
	h.Press("fay", "Next ▶")
	fb.fail = true
	contains(t, h.Press("fay", "✓ Got it"), "can't reach my memory")
	if _, done := profile(t, h, "fay").Profile.Lessons.Done[a1]; done {
		t.Fatal("lesson marked done although the completion was not counted")
	}
	fb.fail = false
	contains(t, h.Press("fay", "✓ Got it"), "Was it useful?")
	if fb.get(a1).Completions != 1 {
		t.Fatalf("completions %d", fb.get(a1).Completions)
	}
	contains(t, h.Say("fay", "nine"), "Please tap a number from 1 to 5")
	h.Press("fay", "3")
	contains(t, h.Say("fay", strings.Repeat("long ", 120)), "under 500 characters")
	contains(t, h.Say("fay", "=cmd|' /C calc'!A0"), "Thank you, that helps")
	if st := fb.get(a1); st.Ratings[2] != 1 || len(st.Comments) != 1 {
		t.Fatalf("feedback: %+v", st)
	}
}
