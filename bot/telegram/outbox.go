package telegram

import (
	"context"
	"errors"

	"github.com/m4pris/mentorbot/bot/internal/serial"
	"github.com/m4pris/mentorbot/flows"
)

// job is what one update or one task sends to one chat, in order.
type job struct {
	chat int64
	// callback is the query to answer first (so the button stops spinning); toast is the text it shows.
	callback string
	toast    string
	// pressed is the message whose keyboard a ClosePressed reply removes.
	pressed int
	replies []flows.Reply
	// sched is when each call may go (set by deliver).
	sched schedule
	// update: the job answers the person's own update (a tap, a typed line), not a task.
	update bool
	// out is the durable record of replies (nil: not kept); part counts the job's messages so far, the unit of
	// out.Sent (see durable.go).
	out  *flows.Outbound
	part int
}

// errClosed is returned for work handed to the outbox after Stop.
var errClosed = errors.New("telegram adapter stopped")

// outbox sends jobs with one worker per chat that has work: a chat's jobs go out in the order they were queued,
// different chats in parallel. The number of queued jobs is bounded; put waits for room, which slows intake
// rather than growing memory without limit when Telegram throttles us.
type outbox struct {
	ctx   context.Context
	run   func(ctx context.Context, j job) error
	slots chan struct{}
	chats serial.Queue[int64]
}

func newOutbox(ctx context.Context, size int, run func(context.Context, job) error) *outbox {
	return &outbox{ctx: ctx, run: run, slots: make(chan struct{}, size)}
}

// put queues j. With wait it returns the job's result; otherwise it returns once the job is queued.
func (o *outbox) put(ctx context.Context, j job, wait bool) error {
	select {
	case o.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	var done chan error // nil when nobody waits for the result
	if wait {
		done = make(chan error, 1)
	}
	queued := o.chats.Submit(j.chat, func() {
		err := o.run(o.ctx, j)
		<-o.slots
		if done != nil {
			done <- err
		}
	})
	if !queued {
		<-o.slots
		return errClosed
	}
	if !wait {
		return nil
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		// The job still goes out; the caller (a queued task) will retry and may send it twice, which is better
		// than losing it.
		return ctx.Err()
	}
}

// pending is the number of jobs queued or being sent.
func (o *outbox) pending() int { return len(o.slots) }

// close refuses new jobs and waits until the queued ones are sent or ctx ends.
func (o *outbox) close(ctx context.Context) error { return o.chats.Close(ctx) }
