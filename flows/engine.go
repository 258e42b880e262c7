package flows

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/content"
)

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
	Job      string   // the task's job, for internal events
	Outcome  string   // "ok", "duplicate", "error", "limited"
	Duration time.Duration
	// Count, when set, makes this the report of one counted event of the update (Ctx.Count, or the engine's count
	// of a nudge delivery): Kind qualifies it; Outcome and Duration are empty.
	Count string
	Kind  string
}

// Result is what one update produced for the user who sent it.
type Result struct {
	limited bool
	Replies []Reply
	// Profile is the user's profile after the update (nil after /forget or for a dropped task).
	Profile *Profile
	// Duplicate is true when the event had been handled before; nothing was changed.
	Duplicate bool
	// Outbound is the durable record of Replies (see Outbound): set for an event with an id whose replies were
	// saved with it, and for a duplicate whose replies were still pending and are now this process's to send.
	// Nil: Replies are not kept (no event id, an adapter that does not acknowledge, or nothing to send).
	Outbound *Outbound
	// counts are what the flow counted (Ctx.Count), reported once the update is saved.
	counts []Count
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

	flows    map[string]*Flow
	actions  map[string]*Action
	commands map[string]string // command → "flow:name" or "action:name"
	jobs     map[string]*Action
	hooks    []TextHook
	senders  map[Platform]Sender
	erasers  []Eraser

	planners map[string]Planner

	locks keyedMutex
}

// TextHook looks at free text before the current step does (the safety path). It returns true when it handled the
// text completely.
type TextHook func(c *Ctx) bool

// Eraser removes what a flow stored about a user outside the user's own keys (pair records, alerts) on /forget.
type Eraser func(ctx context.Context, p *Profile) error

// New builds an engine.
func New(o Options) *Engine {
	e := &Engine{
		store: o.Store, clock: o.Clock, content: o.Content, queue: o.Queue, log: o.Logger,
		onboarding: o.Onboarding, observe: o.Observe, logKey: o.LogKey, rate: o.RatePerMinute,
		admins: map[Identity]bool{},
		flows:  map[string]*Flow{}, actions: map[string]*Action{}, commands: map[string]string{},
		jobs: map[string]*Action{}, senders: map[Platform]Sender{},
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
	e.Register(builtinActions()...)
	return e
}

// Content returns the engine's content catalog.
func (e *Engine) Content() *content.Catalog { return e.content }

// Clock returns the engine's clock.
func (e *Engine) Clock() Clock { return e.clock }

// Register adds flows and actions. A command may belong to one of them only.
func (e *Engine) Register(items ...any) {
	for _, it := range items {
		switch x := it.(type) {
		case *Flow:
			e.flows[x.Name] = x
			for _, cmd := range x.Commands {
				e.addCommand(cmd, "flow:"+x.Name)
			}
		case *Action:
			e.actions[x.Name] = x
			for _, cmd := range x.Commands {
				e.addCommand(cmd, "action:"+x.Name)
			}
			if x.Job != "" {
				e.jobs[x.Job] = x
			}
		default:
			panic(fmt.Sprintf("flows: cannot register %T", it))
		}
	}
}

func (e *Engine) addCommand(cmd, target string) {
	if old, ok := e.commands[cmd]; ok && old != target {
		panic("flows: command /" + cmd + " registered twice")
	}
	e.commands[cmd] = target
}

// AddTextHook adds a hook that sees free text first.
func (e *Engine) AddTextHook(h TextHook) { e.hooks = append(e.hooks, h) }

// AddEraser adds a clean-up run on /forget.
func (e *Engine) AddEraser(f Eraser) { e.erasers = append(e.erasers, f) }

// SetSender sets how replies reach platform p outside a platform request.
func (e *Engine) SetSender(p Platform, s Sender) { e.senders[p] = s }

// Commands lists the registered commands a user can type, sorted.
func (e *Engine) Commands() []string {
	out := make([]string, 0, len(e.commands))
	for c := range e.commands {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// maxAttempts bounds the retries after an optimistic-version conflict.
const maxAttempts = 4

// Handle processes one event and returns the replies for its sender. An error means the update was not handled
// (the store is unreachable): the Result then holds a "try again" reply and the platform should redeliver.
func (e *Engine) Handle(ctx context.Context, ev Event) (Result, error) {
	pid := ev.Profile
	if pid == "" {
		pid = ProfileID(ev.From)
	}
	start := time.Now()
	unlock := e.locks.Lock(pid)
	defer unlock()
	var (
		res Result
		err error
	)
	for range maxAttempts {
		res, err = e.handleOnce(ctx, pid, ev)
		if !errors.Is(err, ErrConflict) {
			break
		}
	}
	if errors.Is(err, ErrConflict) {
		res, err = e.sorry(ev, "core.unavailable"), fmt.Errorf("handle: %w after %d attempts", err, maxAttempts)
	}
	if err != nil {
		e.log.Warn("update not handled", "user", e.UserRef(pid), "err", err)
	}
	if e.observe != nil {
		outcome := "ok"
		switch {
		case err != nil:
			outcome = "error"
		case res.Duplicate:
			outcome = "duplicate"
		case res.limited:
			outcome = "limited"
		}
		e.observe(Observation{Platform: ev.From.Platform, Job: ev.Job, Outcome: outcome, Duration: time.Since(start)})
		if err == nil {
			for _, c := range res.counts {
				e.count(ev, c.Name, c.Kind)
			}
		}
	}
	return res, err
}

// count reports one counted event of ev to Observe.
func (e *Engine) count(ev Event, name, kind string) {
	if e.observe != nil {
		e.observe(Observation{Platform: ev.From.Platform, Job: ev.Job, Count: name, Kind: kind})
	}
}

// UserRef is the pseudonymous reference to a user in logs: a keyed hash of the profile id, stable so that one
// person's log lines can be followed, and useless for finding out who they are without the key.
func (e *Engine) UserRef(pid string) string {
	m := hmac.New(sha256.New, e.logKey)
	m.Write([]byte(pid))
	return hex.EncodeToString(m.Sum(nil)[:6])
}

func (e *Engine) handleOnce(ctx context.Context, pid string, ev Event) (res Result, err error) {
	snap, err := e.store.Load(ctx, pid, ev.ID)
	if err != nil {
		return e.sorry(ev, "core.unavailable"), fmt.Errorf("load: %w", err)
	}
	if snap.LinkedTo != "" && snap.LinkedTo != pid {
		// The identity was merged into another profile: continue there (serialised by that profile's lock).
		unlock := e.locks.Lock(snap.LinkedTo)
		defer unlock()
		pid = snap.LinkedTo
		if snap, err = e.store.Load(ctx, pid, ev.ID); err != nil {
			return e.sorry(ev, "core.unavailable"), fmt.Errorf("load linked: %w", err)
		}
	}
	if snap.Seen {
		return e.duplicate(ctx, pid, ev, snap)
	}
	now := e.clock.Now()
	p := snap.Profile
	if p == nil {
		if ev.Internal() {
			return Result{}, nil // the user is gone (erased): the task has nobody to reach
		}
		p = &Profile{ID: pid, Identities: []Identity{ev.From}, Name: firstName(ev.Name), Lang: LangFromHint(ev.LangHint), Created: now}
	}
	if !ev.Internal() {
		p.Seen = now
		if e.admins[ev.From] {
			p.AddRole(Coordinator)
		}
		// Writing again from a platform means the user can be reached there again.
		p.Unreachable = slices.DeleteFunc(p.Unreachable, func(x Platform) bool { return x == ev.From.Platform })
		if !slices.Contains(p.Identities, ev.From) {
			p.Identities = append(p.Identities, ev.From)
		}
	}
	c := &Ctx{ctx: ctx, Now: now, Event: ev, Profile: p, State: &snap.State, eng: e}
	limited := !ev.Internal() && e.overRate(p, now)
	if limited {
		// Counted in the profile, so the limit holds across replicas without another round trip. The update is
		// still marked handled, so a redelivery does not count twice.
		if p.Rate.Count == e.rate+1 {
			c.Say(c.T("core.slow_down"))
		}
	} else if err := e.run(c); err != nil {
		e.log.Error("flow failed", "user", e.UserRef(pid), "flow", c.State.Flow, "step", c.State.Step, "err", err)
		return e.sorry(ev, "core.internal"), nil
	}
	if c.erase {
		for _, f := range e.erasers {
			if err := f(ctx, p); err != nil {
				return e.sorry(ev, "core.unavailable"), fmt.Errorf("erase: %w", err)
			}
		}
		if err := e.store.Erase(ctx, pid); err != nil {
			return e.sorry(ev, "core.unavailable"), fmt.Errorf("erase: %w", err)
		}
		e.cancelTasks(ctx, c.cancels)
		return Result{Replies: c.replies, counts: c.counts}, nil
	}
	snap.Profile = p
	out := e.outbound(pid, ev, p, c.replies, now)
	if err := e.store.Save(ctx, pid, snap, ev.ID, out); err != nil {
		if errors.Is(err, ErrConflict) {
			return Result{}, err
		}
		return e.sorry(ev, "core.unavailable"), fmt.Errorf("save: %w", err)
	}
	e.enqueue(ctx, c.tasks)
	e.cancelTasks(ctx, c.cancels)
	return Result{Replies: c.replies, Profile: p, limited: limited, counts: c.counts, Outbound: out}, nil
}

// overRate counts the update in the user's current minute and reports whether it is over the limit.
func (e *Engine) overRate(p *Profile, now time.Time) bool {
	minute := now.Unix() / 60
	if p.Rate.Minute != minute {
		p.Rate = RateWindow{Minute: minute}
	}
	p.Rate.Count++
	return p.Rate.Count > e.rate
}

func (e *Engine) enqueue(ctx context.Context, tasks []Task) {
	if len(tasks) == 0 {
		return
	}
	if e.queue == nil {
		e.log.Error("tasks dropped: no queue configured", "count", len(tasks))
		return
	}
	// The state is saved; a failure here loses the tasks, so it is logged loudly. Periodic planners re-plan
	// nudges and reminders, which bounds the loss to one-off notices.
	if err := e.queue.Enqueue(ctx, tasks...); err != nil {
		e.log.Error("enqueue tasks", "count", len(tasks), "err", err)
	}
}

func (e *Engine) cancelTasks(ctx context.Context, ids []string) {
	if len(ids) == 0 || e.queue == nil {
		return
	}
	if err := e.queue.Cancel(ctx, ids...); err != nil {
		e.log.Error("cancel tasks", "count", len(ids), "err", err)
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

// run routes the event to the right flow, step or action. A panic in a flow is turned into an error here, so no
// panic reaches a user.
func (e *Engine) run(c *Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	e.checkState(c)
	ev := c.Event
	switch {
	case ev.Internal():
		a := e.jobs[ev.Job]
		if a == nil {
			return fmt.Errorf("unknown job %q", ev.Job)
		}
		e.runAction(c, a)
	case ev.Payload != "":
		e.press(c)
	case ev.Command != "":
		e.command(c, ev.Command)
	default:
		e.text(c)
	}
	return nil
}

// checkState drops conversation state that this build cannot continue: an unknown flow or step, an old version.
// A deadline that passed runs the step's timeout first.
func (e *Engine) checkState(c *Ctx) {
	s := c.State
	if s.Idle() {
		return
	}
	f := e.flows[s.Flow]
	if f == nil || f.Version != s.Version || f.Steps[s.Step].Ask == nil {
		e.log.Info("dropped stale conversation", "flow", s.Flow, "version", s.Version)
		s.reset()
		if !c.Event.Internal() && c.Event.Command == "" {
			c.Say(c.T("core.updated"))
		}
		return
	}
	if !s.Deadline.IsZero() && !c.Now.Before(s.Deadline) {
		step := f.Steps[s.Step]
		s.Deadline = time.Time{}
		if step.Timeout != nil {
			step.Timeout(c)
			e.transition(c)
		}
	}
}

func (e *Engine) press(c *Ctx) {
	kind, seq, value, ok := parsePayload(c.Event.Payload)
	if !ok {
		e.stale(c)
		return
	}
	if kind == payloadGlobal {
		cmd, args, _ := strings.Cut(value, " ")
		c.Event.Args = args
		if a, ok := e.actions[cmd]; ok {
			if a.Job != "" {
				// Job handlers act on what others did (an alert, a pairing): only the queue may run them.
				e.stale(c)
				return
			}
			if !c.Profile.Onboarded && !a.BeforeOnboarding {
				e.startOnboarding(c)
				return
			}
			e.runAction(c, a)
			return
		}
		e.command(c, cmd)
		return
	}
	s := c.State
	offered := slices.ContainsFunc(s.Offered, func(o Offer) bool { return o.Value == value })
	if s.Idle() || seq != s.Seq || !offered {
		e.stale(c)
		return
	}
	c.choice, c.hasChoice = value, true
	c.ClosePressed()
	e.answer(c)
}

// stale answers a press of a button that no longer counts, and shows where the conversation is now, as the
// reply promises: the open question asked again, or the menu when nothing is open.
func (e *Engine) stale(c *Ctx) {
	if c.State.Idle() || e.flows[c.State.Flow] == nil {
		c.Say(c.T("core.stale"), c.Menu()...)
		return
	}
	// Show the open question again without changing anything: the same prompt number (so its buttons and the
	// earlier message's both still count), and whatever asking it would change is put back. A stale or forged
	// press must not move the conversation.
	saved := *c.State
	saved.Slots = maps.Clone(c.State.Slots)
	saved.Offered = slices.Clone(c.State.Offered)
	tasks, cancels := len(c.tasks), len(c.cancels)
	c.reshow = true
	e.reask(c, c.T("core.stale"))
	c.reshow = false
	*c.State = saved
	c.tasks, c.cancels = c.tasks[:tasks], c.cancels[:cancels]
}

func (e *Engine) command(c *Ctx, cmd string) {
	target, ok := e.commands[cmd]
	if !ok {
		if cmd == "cancel" {
			e.cancel(c)
			return
		}
		c.Say(c.T("core.unknown_command", "Command", "/"+cmd))
		return
	}
	kind, name, _ := strings.Cut(target, ":")
	if kind == "action" {
		a := e.actions[name]
		if !c.Profile.Onboarded && !a.BeforeOnboarding {
			e.startOnboarding(c)
			return
		}
		e.runAction(c, a)
		return
	}
	f := e.flows[name]
	if !c.Profile.Onboarded && !f.BeforeOnboarding {
		e.startOnboarding(c)
		return
	}
	if f.Allow != nil && !f.Allow(c.Profile) {
		c.Say(c.T("core.not_allowed"))
		return
	}
	e.start(c, f)
}

func (e *Engine) cancel(c *Ctx) {
	if c.State.Idle() {
		c.Say(c.T("core.nothing_to_cancel"), c.Menu()...)
		return
	}
	c.State.reset()
	c.Say(c.T("core.cancelled"), c.Menu()...)
}

func (e *Engine) runAction(c *Ctx, a *Action) {
	if a.Allow != nil && !a.Allow(c.Profile) {
		c.Say(c.T("core.not_allowed"))
		return
	}
	if a.Reset {
		c.State.reset()
	}
	a.Run(c)
	e.transition(c)
}

func (e *Engine) start(c *Ctx, f *Flow) {
	c.State.reset()
	c.State.Flow, c.State.Version, c.State.Step = f.Name, f.Version, f.First
	c.next = gotoStep
	c.nextStep = f.First
	if f.Start != nil {
		f.Start(c)
	}
	e.transition(c)
}

func (e *Engine) startOnboarding(c *Ctx) {
	if c.State.Flow == e.onboarding {
		e.reask(c, "")
		return
	}
	if f := e.flows[e.onboarding]; f != nil {
		e.start(c, f)
	}
}

func (e *Engine) text(c *Ctx) {
	t := c.Event.Text
	switch {
	case strings.TrimSpace(t) == "":
		c.Say(c.T("core.empty"))
		return
	case textTooLong(t):
		c.Say(c.T("core.too_long", "Max", MaxTextRunes))
		return
	}
	for _, h := range e.hooks {
		if h(c) {
			e.transition(c)
			return
		}
	}
	if c.State.Idle() {
		if !c.Profile.Onboarded {
			e.startOnboarding(c)
			return
		}
		c.Say(c.T("core.idle_text"), c.Menu()...)
		return
	}
	// A typed label of an offered button counts as pressing it.
	typed := strings.TrimSpace(t)
	for _, o := range c.State.Offered {
		if strings.EqualFold(o.Label, typed) {
			c.choice, c.hasChoice = o.Value, true
			break
		}
	}
	e.answer(c)
}

func (e *Engine) answer(c *Ctx) {
	f := e.flows[c.State.Flow]
	step := f.Steps[c.State.Step]
	if step.Answer == nil {
		e.reask(c, "")
		return
	}
	step.Answer(c)
	e.transition(c)
}

func (e *Engine) reask(c *Ctx, reason string) {
	if reason != "" {
		c.Say(reason)
	}
	f := e.flows[c.State.Flow]
	if f == nil {
		return
	}
	c.next = stay
	f.Steps[c.State.Step].Ask(c)
	e.transition(c)
}

// transition applies what the handler asked for. Asking a step may itself move on (a step that has nothing to
// ask), so this loops, bounded to catch a flow that moves in a circle.
func (e *Engine) transition(c *Ctx) {
	for range 16 {
		next := c.next
		c.next = stay
		switch next {
		case stay:
			return
		case done:
			c.State.reset()
			return
		case reask:
			e.reask(c, c.reason)
			return
		case startFlow:
			f := e.flows[c.nextFlow]
			if f == nil {
				panic("flows: unknown flow " + c.nextFlow)
			}
			e.start(c, f)
			return
		case gotoStep:
			f := e.flows[c.State.Flow]
			step, ok := f.Steps[c.nextStep]
			if !ok || step.Ask == nil {
				panic(fmt.Sprintf("flows: flow %s has no step %q", f.Name, c.nextStep))
			}
			c.State.Step = c.nextStep
			c.State.Deadline = time.Time{}
			step.Ask(c)
		}
	}
	panic("flows: step transitions do not settle in flow " + c.State.Flow)
}

// menu builds the menu entries the user may use.
func (e *Engine) menu(c *Ctx) [][]Button {
	type entry struct {
		order int
		b     Button
	}
	var entries []entry
	for _, f := range e.flows {
		if f.Menu == "" || (f.Allow != nil && !f.Allow(c.Profile)) || (!c.Profile.Onboarded && !f.BeforeOnboarding) {
			continue
		}
		entries = append(entries, entry{f.MenuOrder, ActionButton(c.T(f.Menu), f.Commands[0])})
	}
	for _, a := range e.actions {
		if a.Menu == "" || (a.Allow != nil && !a.Allow(c.Profile)) || (!c.Profile.Onboarded && !a.BeforeOnboarding) {
			continue
		}
		cmd := a.Name
		if len(a.Commands) > 0 {
			cmd = a.Commands[0]
		}
		entries = append(entries, entry{a.MenuOrder, ActionButton(c.T(a.Menu), cmd)})
	}
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].order != entries[j].order {
			return entries[i].order < entries[j].order
		}
		return entries[i].b.Label < entries[j].b.Label
	})
	// Two buttons a row keeps the menu short on a phone.
	var rows [][]Button
	for i := 0; i < len(entries); i += 2 {
		row := []Button{entries[i].b}
		if i+1 < len(entries) {
			row = append(row, entries[i+1].b)
		}
		rows = append(rows, row)
	}
	return rows
}

// RunTask delivers a queued task through the engine and sends its replies to the user. It is safe to run twice:
// the second run resends replies that were not confirmed sent, and changes nothing.
func (e *Engine) RunTask(ctx context.Context, t Task) error {
	ctx = WithTask(ctx, t)
	ev := Event{ID: "task:" + t.ID, Profile: t.Profile, Job: t.Job, Args: t.Args}
	res, err := e.Handle(ctx, ev)
	if err != nil {
		return err
	}
	nudge := e.jobs[t.Job] != nil && e.jobs[t.Job].Nudge
	if len(res.Replies) == 0 || res.Profile == nil {
		if nudge && !res.Duplicate && !slices.ContainsFunc(res.counts, func(c Count) bool { return c.Name == CountNudge }) {
			e.count(ev, CountNudge, NudgeDropped)
		}
		return nil
	}
	if res.Outbound == nil {
		// Another process is sending the still pending replies of this task (or its sender died: the sweeper
		// takes them over).
		return nil
	}
	reached, err := e.deliver(ctx, res.Profile, res.Outbound)
	if err != nil {
		return err
	}
	if nudge {
		outcome := NudgeSent
		if !reached {
			outcome = NudgeUnreachable
		}
		e.count(ev, CountNudge, outcome)
	}
	return nil
}

// Send delivers replies to a user on the first platform where they are reachable, most recently linked first.
// The replies are not kept: a crash may lose them (durable replies come from events, see Outbound).
func (e *Engine) Send(ctx context.Context, p *Profile, replies []Reply) error {
	_, err := e.send(ctx, p, func(s Sender, to Identity) error { return s.Send(ctx, to, replies) })
	return err
}

// deliver sends a task's durable replies: to o.To, and if the user blocked the bot there, to the next platform
// where they are reachable. Undeliverable replies are removed; replies that failed for now are released for the
// sweeper (and the queue's retry of the task) and the error returned.
func (e *Engine) deliver(ctx context.Context, p *Profile, o *Outbound) (reached bool, err error) {
	o.Bind(e.store)
	if s := e.senders[o.To.Platform]; s != nil && p.Reachable(o.To) {
		err = e.sendOutbound(ctx, s, o.To, o)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, ErrUnreachable) {
			return false, e.release(ctx, o, err)
		}
		e.markUnreachable(ctx, p.ID, o.To.Platform)
		p.Unreachable = append(p.Unreachable, o.To.Platform)
	}
	o.Sent = 0 // parts count on the platform that sends them
	reached, err = e.send(ctx, p, func(s Sender, to Identity) error {
		o.To = to
		return e.sendOutbound(ctx, s, to, o)
	})
	if err != nil {
		return false, e.release(ctx, o, err)
	}
	if !reached {
		return false, o.Done(ctx) // nobody to reach: keeping them would not help
	}
	return true, nil
}

// release hands o back after sending failed with err, and returns err.
func (e *Engine) release(ctx context.Context, o *Outbound, err error) error {
	if rerr := o.Release(ctx); rerr != nil {
		e.log.Error("release pending replies", "err", rerr)
	}
	return err
}

// send calls try for each platform identity where the user is reachable, most recently linked first, until one
// succeeds; reached tells whether one did (false: the user is unreachable everywhere). An identity that answers
// ErrUnreachable is marked so.
func (e *Engine) send(ctx context.Context, p *Profile, try func(Sender, Identity) error) (reached bool, err error) {
	var lastErr error = ErrUnreachable
	for i := len(p.Identities) - 1; i >= 0; i-- {
		id := p.Identities[i]
		s := e.senders[id.Platform]
		if s == nil || !p.Reachable(id) {
			continue
		}
		err := try(s, id)
		if err == nil {
			return true, nil
		}
		lastErr = err
		if errors.Is(err, ErrUnreachable) {
			e.markUnreachable(ctx, p.ID, id.Platform)
			continue
		}
		return false, err
	}
	if errors.Is(lastErr, ErrUnreachable) {
		return false, nil // nobody to reach: retrying would not help
	}
	return false, lastErr
}
