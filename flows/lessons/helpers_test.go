package lessons_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
	"github.com/m4pris/mentorbot/flows/lessons"
	"github.com/m4pris/mentorbot/flows/programme"
)

// memFeedback is an in-memory lessons.Feedback.
type memFeedback struct {
	mu    sync.Mutex
	stats map[string]lessons.Stats
	fail  bool
}

func newFeedback() *memFeedback { return &memFeedback{stats: map[string]lessons.Stats{}} }

func (m *memFeedback) update(lesson string, f func(*lessons.Stats)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return context.DeadlineExceeded
	}
	st := m.stats[lesson]
	f(&st)
	m.stats[lesson] = st
	return nil
}

func (m *memFeedback) Completed(_ context.Context, lesson string) error {
	return m.update(lesson, func(s *lessons.Stats) { s.Completions++ })
}

func (m *memFeedback) Rated(_ context.Context, lesson string, r int) error {
	return m.update(lesson, func(s *lessons.Stats) { s.Ratings[r-1]++ })
}

func (m *memFeedback) Commented(_ context.Context, lesson, c string) error {
	return m.update(lesson, func(s *lessons.Stats) { s.Comments = append(s.Comments, c) })
}

func (m *memFeedback) Stats(_ context.Context, ids []string) (map[string]lessons.Stats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]lessons.Stats{}
	for _, id := range ids {
		if st, ok := m.stats[id]; ok {
			out[id] = st
		}
	}
	return out, nil
}

func (m *memFeedback) get(lesson string) lessons.Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stats[lesson]
}

// mentorMap pairs mentees with mentors by local user name.
type mentorMap map[string]string

func (m mentorMap) MentorOf(_ context.Context, p *flows.Profile) (string, bool) {
	for mentee, mentor := range m {
		if pid(mentee) == p.ID {
			return pid(mentor), true
		}
	}
	return "", false
}

func pid(user string) string { return flows.ProfileID(flowtest.Identity(user)) }

// newHarness runs the whole programme, with lesson feedback and mentors as given, on store (new when nil).
func newHarness(t testing.TB, store flowtest.Backend, fb lessons.Feedback, mentors lessons.Mentors) *flowtest.Harness {
	t.Helper()
	h := flowtest.NewHarness(t, store, func(e *flows.Engine, b flowtest.Backend) {
		programme.Register(e, programme.Deps{Directory: b, Invites: b, LessonFeedback: fb, Mentors: mentors})
	})
	h.Clock.Set(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)) // a Tuesday, 10:00 in Copenhagen
	return h
}

// seed stores an onboarded profile for user directly, so a test starts where it matters.
func seed(t testing.TB, h *flowtest.Harness, user, lang string, roles ...flows.Role) {
	t.Helper()
	ctx := context.Background()
	id := pid(user)
	snap, err := h.Store.Load(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	snap.Profile = &flows.Profile{
		ID: id, Identities: []flows.Identity{flowtest.Identity(user)}, Name: user, Lang: lang, Roles: roles,
		TZ: flows.DefaultTZ(lang), Quiet: flows.Window{From: 22 * 60, To: 7 * 60}, Onboarded: true, Created: h.Clock.Now(),
	}
	if err := h.Store.Save(ctx, id, snap, "", nil); err != nil {
		t.Fatal(err)
	}
}

// update changes user's stored profile.
func update(t testing.TB, h *flowtest.Harness, user string, f func(p *flows.Profile)) {
	t.Helper()
	ctx := context.Background()
	snap, err := h.Store.Load(ctx, pid(user), "")
	if err != nil || snap.Profile == nil {
		t.Fatalf("load %s: %v", user, err)
	}
	f(snap.Profile)
	if err := h.Store.Save(ctx, pid(user), snap, "", nil); err != nil {
		t.Fatal(err)
	}
}

// profile reads user's stored profile and conversation.
func profile(t testing.TB, h *flowtest.Harness, user string) flows.Snapshot {
	t.Helper()
	snap, err := h.Store.Load(context.Background(), pid(user), "")
	if err != nil || snap.Profile == nil {
		t.Fatalf("load %s: %v", user, err)
	}
	return snap
}

// open starts lesson id as if a "start lesson" button had been pressed.
func open(h *flowtest.Harness, user, id string) []flows.Reply {
	return h.Send(user, flows.Event{Payload: flows.ActionPayload("lessons", "l", id)})
}

// toQuestion opens lesson id and reads its cards up to the question.
func toQuestion(t *testing.T, h *flowtest.Harness, user, id, next string) []flows.Reply {
	t.Helper()
	r := open(h, user, id)
	lib := content.MustDefaultLibrary()
	for range lib.Lesson(id).En.Cards {
		r = h.Press(user, next)
	}
	return r
}
