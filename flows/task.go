package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Job names an internal job: work the delivery queue brings to one user's turn (a reminder, an alert, a notice
// from someone else's flow). The flow package that handles a job declares it as a constant of this type.
type Job string

// JobHandler handles one Job in the addressed user's turn. Only the delivery queue reaches it: no button or typed
// command can, because jobs act on what other people did (a pairing, a proposal, an alert).
type JobHandler struct {
	Job Job
	// Run handles the task; an error makes the queue deliver it again later (see Step).
	Run func(c *Ctx) error
	// Nudge marks a job that nudges the person (a check-in prompt, a lesson nudge, a reminder): the engine counts
	// each delivery's outcome (CountNudge).
	Nudge bool
	// Audience says who the job's replies are for; the zero value is the person the task is addressed to.
	Audience Audience
}

// Task is work for one user that runs through the engine later or elsewhere: a reminder, a nudge, a message from
// another user's flow. Its ID is deterministic so that planning it twice enqueues it once, and so that its delivery
// is deduplicated like a platform update. Build it with NewTask.
type Task struct {
	ID      string `json:"id"`
	Profile string `json:"profile"`
	Job     Job    `json:"job"`
	// V is the version of the shape of Args (see ArgsVersioner); zero when there are no arguments.
	V int `json:"v,omitempty"`
	// Args are the job's arguments as JSON: a struct the job's package declares, read back with Ctx.Args.
	Args json.RawMessage `json:"args,omitempty"`
	At   time.Time       `json:"at,omitzero"` // zero: as soon as possible
}

// ArgsVersioner is implemented by task arguments whose shape has changed incompatibly since they were first
// queued: the version goes with the task, and a task queued by an older build (another version) is dropped, with
// a log line, rather than read wrongly. Arguments without the method are version 1.
type ArgsVersioner interface {
	ArgsVersion() int
}

func argsVersion(v any) int {
	if av, ok := v.(ArgsVersioner); ok {
		return av.ArgsVersion()
	}
	return 1
}

// NewTask builds a task for job addressed to profile, due now, with args (a struct of the job's package, or nil
// for none) encoded as JSON. Arguments that cannot be encoded are a programming error and panic, as a wrong type
// would.
func NewTask(id, profile string, job Job, args any) Task {
	t := Task{ID: id, Profile: profile, Job: job}
	if args != nil {
		b, err := json.Marshal(args)
		if err != nil {
			panic(fmt.Sprintf("flows: arguments of job %s: %v", job, err))
		}
		t.V, t.Args = argsVersion(args), b
	}
	return t
}

// Due returns the task due at at instead of now.
func (t Task) Due(at time.Time) Task {
	t.At = at
	return t
}

// WithArgs adapts a job handler that takes its task's arguments, decoded (see Ctx.Args), to JobHandler.Run.
func WithArgs[A any](run func(c *Ctx, args A) error) func(c *Ctx) error {
	return func(c *Ctx) error {
		var a A
		if err := c.Args(&a); err != nil {
			return err
		}
		return run(c, a)
	}
}

// ErrBadTask is wrapped by Ctx.Args when a task's arguments cannot be read (a task of an older shape, or not
// written by us). A job returns it like any error; the engine drops such a task with a log line instead of
// retrying it, since a retry would read the same bytes.
var ErrBadTask = errors.New("task arguments unreadable")

// Args decodes the arguments of the task being run into v, a pointer to the struct its sender passed to NewTask.
func (c *Ctx) Args(v any) error {
	if !c.Event.Internal() {
		return fmt.Errorf("%w: not a task", ErrBadTask)
	}
	t := c.Event.Task
	if t == nil {
		t = &Task{}
	}
	if want := argsVersion(v); t.V != want {
		return fmt.Errorf("%w: job %s: version %d, want %d", ErrBadTask, c.Event.Job, t.V, want)
	}
	if err := json.Unmarshal(t.Args, v); err != nil {
		return fmt.Errorf("%w: job %s: %v", ErrBadTask, c.Event.Job, err)
	}
	return nil
}

// Queue delivers tasks. The engine hands it the tasks a flow produced after the state is saved.
type Queue interface {
	Enqueue(ctx context.Context, tasks ...Task) error
	Cancel(ctx context.Context, ids ...string) error
}

// Sender sends replies to a platform identity outside of a platform request (tasks, notices to other users).
type Sender interface {
	Send(ctx context.Context, to Identity, replies []Reply) error
}

// ErrUnreachable is returned by a Sender when the user blocked the bot on that platform.
var ErrUnreachable = errors.New("user unreachable")

// Planner proposes the upcoming tasks for one user (check-in prompts, lesson nudges, session reminders) from their
// profile alone. The periodic planner in bot/nudge calls every registered Planner for every user and enqueues the
// tasks; deterministic task ids make planning twice, or on two replicas, enqueue each task once.
type Planner func(p *Profile, now time.Time) []Task

// Plan runs every planner for p.
func (e *Engine) Plan(p *Profile, now time.Time) []Task {
	var out []Task
	for _, pl := range e.planners {
		out = append(out, pl(p, now)...)
	}
	return out
}

// SetQueue sets the queue tasks go to, for a queue that can only be built once the store is open (asynq on the
// same Redis). Call it before the engine handles its first event: it is not synchronised with running updates.
func (e *Engine) SetQueue(q Queue) { e.queue = q }

// SetSender sets how replies reach platform p outside a platform request.
func (e *Engine) SetSender(p Platform, s Sender) { e.senders[p] = s }

// Enqueue hands tasks to the queue outside an update (periodic jobs).
func (e *Engine) Enqueue(ctx context.Context, tasks ...Task) error {
	if len(tasks) == 0 {
		return nil
	}
	if e.queue == nil {
		return fmt.Errorf("enqueue %d tasks: no queue configured", len(tasks))
	}
	return e.queue.Enqueue(ctx, tasks...)
}

// enqueue hands an update's tasks to the queue once its state is saved.
func (e *Engine) enqueue(ctx context.Context, tasks []Task) {
	if len(tasks) == 0 {
		return
	}
	if e.queue == nil {
		e.log.Error("tasks dropped: no queue configured", "count", len(tasks))
		return
	}
	// The state is saved; a failure here loses the tasks, so it is logged loudly. Periodic planners re-plan
	// nudges and reminders, and the alert sweep re-schedules escalations, which bounds the loss to one-off notices.
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

type taskKey struct{}

// WithTask returns ctx carrying the task whose replies are being delivered. Engine.RunTask sets it so that a Sender
// can route by the job's Audience: the Slack adapter posts the replies of coordinator-facing alerts to the
// coordinators' channel when one is configured, instead of a direct message.
func WithTask(ctx context.Context, t Task) context.Context {
	return context.WithValue(ctx, taskKey{}, t)
}

// TaskFrom returns the task being delivered, if the replies come from one.
func TaskFrom(ctx context.Context) (Task, bool) {
	t, ok := ctx.Value(taskKey{}).(Task)
	return t, ok
}

// RunTask delivers a queued task through the engine and sends its replies to the user. It is safe to run twice:
// the second run resends replies that were not confirmed sent, and changes nothing.
func (e *Engine) RunTask(ctx context.Context, t Task) error {
	ctx = WithTask(ctx, t)
	ev := Event{ID: "task:" + t.ID, Profile: t.Profile, Job: t.Job, Task: &t}
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
