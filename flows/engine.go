package flows

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/content"
)

// The engine is split by what it does:
//
//	engine.go   the Engine, its options and the things every part uses
//	feature.go  registration: Feature, Engine.Add, the built-in feature
//	handle.go   one update as a transaction: load, run, save, apply effects (Handle)
//	route.go    which flow, step or action an event goes to (commands, presses, text)
//	step.go     running a step: start, answer, re-ask, timeouts, transitions
//	menu.go     the menu and the resume button
//	task.go     tasks: Job, Task, the queue, RunTask and sending outside a platform request

// Options configure an Engine. Store, Clock and Content are required.
type Options struct {
	Store   Store
	Clock   Clock
	Content *content.Catalog
	// Queue receives the tasks flows produce. Nil: tasks are dropped with an error log (tests that do not care).
	Queue Queue
	// Admins get the coordinator role on their next update (MENTORBOT_ADMINS).
	Admins []Identity
	// Logger; nil uses slog.Default(). Nothing logged here contains message text or platform ids.
	Logger *slog.Logger
	// Onboarding names the flow new users are sent to. Empty: "onboarding".
	Onboarding string
	// Observe, if set, is told about every handled event (metrics). It must not block.
	Observe func(Observation)
	// LogKey keys the pseudonymous user reference in logs (UserRef). Empty: a fixed key, which still hides
	// platform ids but lets anyone with the code link references to ids; production sets MENTORBOT_LOG_KEY.
	LogKey []byte
	// RatePerMinute bounds the updates one user may send in a minute (default 30); more get a kind reply and
	// change nothing.
	RatePerMinute int
}

// Observation describes one handled event, for metrics.
type Observation struct {
	Platform Platform // empty for internal tasks
	Job      Job      // the task's job, for internal events
	Outcome  string   // "ok", "duplicate", "error", "limited"
	Duration time.Duration
	// Count, when set, makes this the report of one counted event of the update (Ctx.Count, or the engine's count
	// of a nudge delivery): Kind qualifies it; Outcome and Duration are empty.
	Count string
	Kind  string
}

// Engine runs flows: one update at a time per user, state loaded and saved in one round trip each.
type Engine struct {
	store      Store
	clock      Clock
	content    *content.Catalog
	queue      Queue
	admins     map[Identity]bool
	log        *slog.Logger
	onboarding string
	observe    func(Observation)
	logKey     []byte
	rate       int

	// What the features registered (feature.go).
	flows    map[string]*Flow
	actions  map[string]*Action
	commands map[string]string // command → "flow:name" or "action:name"
	jobs     map[Job]*JobHandler
	hooks    []TextHook
	erasers  []Eraser
	planners []Planner
	features map[string]bool

	senders map[Platform]Sender
	locks   keyedMutex
}

// New builds an engine with the built-in actions and jobs; Add registers the programme's features.
func New(o Options) *Engine {
	e := &Engine{
		store: o.Store, clock: o.Clock, content: o.Content, queue: o.Queue, log: o.Logger,
		onboarding: o.Onboarding, observe: o.Observe, logKey: o.LogKey, rate: o.RatePerMinute,
		admins: map[Identity]bool{},
		flows:  map[string]*Flow{}, actions: map[string]*Action{}, commands: map[string]string{},
		jobs: map[Job]*JobHandler{}, features: map[string]bool{}, senders: map[Platform]Sender{},
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.onboarding == "" {
		e.onboarding = "onboarding"
	}
	if e.rate <= 0 {
		e.rate = 30
	}
	if len(e.logKey) == 0 {
		e.logKey = []byte("mentorbot/log")
	}
	for _, a := range o.Admins {
		e.admins[a] = true
	}
	e.Add(builtin())
	return e
}

// Content returns the engine's content catalog.
func (e *Engine) Content() *content.Catalog { return e.content }

// Clock returns the engine's clock.
func (e *Engine) Clock() Clock { return e.clock }

// UserRef is the pseudonymous reference to a user in logs: a keyed hash of the profile id, stable so that one
// person's log lines can be followed, and useless for finding out who they are without the key.
func (e *Engine) UserRef(pid string) string {
	m := hmac.New(sha256.New, e.logKey)
	m.Write([]byte(pid))
	return hex.EncodeToString(m.Sum(nil)[:6])
}

// count reports one counted event of ev to Observe.
func (e *Engine) count(ev Event, name, kind string) {
	if e.observe != nil {
		e.observe(Observation{Platform: ev.From.Platform, Job: ev.Job, Count: name, Kind: kind})
	}
}

// sorry is a reply when the update could not be handled, in the language the platform suggests.
func (e *Engine) sorry(ev Event, id string) Result {
	if ev.Internal() {
		return Result{}
	}
	return Result{Replies: []Reply{{Text: e.content.T(LangFromHint(ev.LangHint), id, nil)}}}
}

// LangFromHint maps a platform language code to one of the bot's languages.
func LangFromHint(hint string) string {
	h := strings.ToLower(hint)
	switch {
	case strings.HasPrefix(h, "da"):
		return "da"
	case strings.HasPrefix(h, "ro"), strings.HasPrefix(h, "mo"):
		return "ro"
	}
	return "en"
}
