package telegram

import (
	"context"
	"errors"
	"sync"

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

	mu     sync.Mutex
	queues map[int64][]*item // a chat has an entry while its worker runs
	closed bool
	wg     sync.WaitGroup
}

type item struct {
	j    job
	done chan error // nil when nobody waits for the result
}

func newOutbox(ctx context.Context, size int, run func(context.Context, job) error) *outbox {
	return &outbox{ctx: ctx, run: run, slots: make(chan struct{}, size), queues: map[int64][]*item{}}
}

// put queues j. With wait it returns the job's result; otherwise it returns once the job is queued.
func (o *outbox) put(ctx context.Context, j job, wait bool) error {
	select {
	case o.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	it := &item{j: j}
	if wait {
		it.done = make(chan error, 1)
	}
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		<-o.slots
		return errClosed
	}
	q, running := o.queues[j.chat]
	o.queues[j.chat] = append(q, it)
	if !running {
		o.wg.Add(1)
		go o.drain(j.chat)
	}
	o.mu.Unlock()
	if !wait {
		return nil
	}
	select {
	case err := <-it.done:
		return err
	case <-ctx.Done():
		// The job still goes out; the caller (a queued task) will retry and may send it twice, which is better
		// than losing it.
		return ctx.Err()
	}
}

// drain sends a chat's jobs until its queue is empty.
func (o *outbox) drain(chat int64) {
	defer o.wg.Done()
	for {
		o.mu.Lock()
		q := o.queues[chat]
		if len(q) == 0 {
			delete(o.queues, chat)
			o.mu.Unlock()
			return
		}
		it := q[0]
		q[0] = nil
		o.queues[chat] = q[1:]
		o.mu.Unlock()
		err := o.run(o.ctx, it.j)
		<-o.slots
		if it.done != nil {
			it.done <- err
		}
	}
}

// pending is the number of jobs queued or being sent.
func (o *outbox) pending() int { return len(o.slots) }

// close refuses new jobs and waits until the queued ones are sent or ctx ends.
func (o *outbox) close(ctx context.Context) error {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	done := make(chan struct{})
	go func() {
		o.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
