package flows

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Ctx is what a step or action sees of one update: the event, the user's profile and conversation, the time, and
// the ways to answer. Everything a handler does is collected here and applied by the engine after it returns, in
// one save: a handler has no side effects of its own.
type Ctx struct {
	ctx     context.Context
	Now     time.Time
	Event   Event
	Profile *Profile
	State   *State

	eng     *Engine
	replies []Reply
	tasks   []Task
	cancels []string
	erase   bool
	counts  []Count

	choice    string
	hasChoice bool
	// reshow makes Ask show the open prompt again under its own number (Engine.stale).
	reshow bool

	next     transition
	nextStep string
	nextFlow string
	reason   string
}

type transition int

const (
	stay transition = iota
	gotoStep
	reask
	done
	startFlow
)

// Context is the update's context, for the calls a flow makes through its interfaces.
func (c *Ctx) Context() context.Context { return c.ctx }

// Lang is the user's language.
func (c *Ctx) Lang() string {
	if c.Profile.Lang == "" {
		return "en"
	}
	return c.Profile.Lang
}

// T renders a UI string in the user's language. kv are key/value pairs for the template: T("hi", "Name", n).
func (c *Ctx) T(id string, kv ...any) string { return c.eng.content.T(c.Lang(), id, kvMap(kv)) }

// N renders a UI string with a plural count.
func (c *Ctx) N(id string, n int, kv ...any) string {
	return c.eng.content.N(c.Lang(), id, n, kvMap(kv))
}

// TL renders a UI string in another language (for notices addressed to someone else).
func (c *Ctx) TL(lang, id string, kv ...any) string { return c.eng.content.T(lang, id, kvMap(kv)) }

func kvMap(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// Text is what the user typed (empty for a button press).
func (c *Ctx) Text() string { return strings.TrimSpace(c.Event.Text) }

// Choice is the value of the pressed button, or of the offered button whose label the user typed.
func (c *Ctx) Choice() (string, bool) { return c.choice, c.hasChoice }

// Say adds a message. Buttons may only be global actions (see ActionButton); use Ask for choices.
func (c *Ctx) Say(text string, rows ...[]Button) {
	c.replies = append(c.replies, Reply{Text: text, Buttons: rows})
}

// Reply adds a prepared reply.
func (c *Ctx) Reply(r Reply) { c.replies = append(c.replies, r) }

// Ask sends a question whose buttons are choices of the current step: each button's Data is a short value that
// comes back as c.Choice. Buttons whose Data is already a global payload (Action) stay global. Older prompts'
// buttons stop working.
func (c *Ctx) Ask(text string, rows ...[]Button) {
	if !c.reshow {
		c.State.Seq++
	}
	c.State.Offered = c.State.Offered[:0]
	out := make([][]Button, len(rows))
	for i, row := range rows {
		for _, b := range row {
			if strings.HasPrefix(b.Data, "g:") {
				out[i] = append(out[i], b)
				continue
			}
			p := choicePayload(c.State.Seq, b.Data)
			if len(p) > MaxPayload {
				panic(fmt.Sprintf("flows: choice value %q too long for a button", b.Data))
			}
			c.State.Offered = append(c.State.Offered, Offer{Value: b.Data, Label: b.Label})
			out[i] = append(out[i], Button{Label: b.Label, Data: p})
		}
	}
	c.replies = append(c.replies, Reply{Text: text, Buttons: out})
}

// Choice builds a choice button for Ask.
func Choice(label, value string) Button { return Button{Label: label, Data: value} }

// ActionButton builds a global button that runs action name with args when pressed.
func ActionButton(label, name string, args ...string) Button {
	return Button{Label: label, Data: ActionPayload(name, args...)}
}

// Row is a convenience for one row of buttons.
func Row(b ...Button) []Button { return b }

// ClosePressed removes the keyboard of the message whose button was pressed.
func (c *Ctx) ClosePressed() {
	if c.Event.Payload != "" {
		c.replies = append(c.replies, Reply{ClosePressed: true})
	}
}

// Goto moves to step and asks its question.
func (c *Ctx) Goto(step string) { c.next, c.nextStep = gotoStep, step }

// Reask says why the answer did not fit and asks the current step's question again.
func (c *Ctx) Reask(reason string) { c.next, c.reason = reask, reason }

// Done ends the conversation.
func (c *Ctx) Done() { c.next = done }

// StartFlow ends the current conversation and starts flow name (its Start sees this event).
func (c *Ctx) StartFlow(name string) { c.next, c.nextFlow = startFlow, name }

// Slot reads a value kept for the rest of the flow.
func (c *Ctx) Slot(k string) string { return c.State.Slots[k] }

// SetSlot keeps a value for the rest of the flow.
func (c *Ctx) SetSlot(k, v string) {
	if c.State.Slots == nil {
		c.State.Slots = map[string]string{}
	}
	c.State.Slots[k] = v
}

// Deadline makes the current step time out after d (persisted, so a restart keeps it).
func (c *Ctx) Deadline(d time.Duration) { c.State.Deadline = c.Now.Add(d) }

// Schedule queues tasks (for this user or others), handed to the delivery queue after the state is saved.
func (c *Ctx) Schedule(t ...Task) { c.tasks = append(c.tasks, t...) }

// Unschedule cancels queued tasks by id.
func (c *Ctx) Unschedule(ids ...string) { c.cancels = append(c.cancels, ids...) }

// Erase deletes everything stored about the user when the update ends (after /forget is confirmed).
func (c *Ctx) Erase() { c.erase = true }
